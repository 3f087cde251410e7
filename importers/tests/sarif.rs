use crate::corpus;
use importers::{Finding, Kind, Severity};
use std::collections::BTreeSet;

/// Our count for every SARIF file in the corpus. DefectDojo makes one finding per location of
/// each result; we make one per result (docs/FORMATS.md), which differs where a result has
/// several locations.
const EXPECTED: &[(&str, usize)] = &[
    (
        "sarif/DefectDojo_django-DefectDojo__2020-12-11_13 42 10__export.sarif",
        510,
    ),
    ("sarif/SuppressionTestCurrent.sarif", 4),
    ("sarif/appendix_k.sarif", 1),
    ("sarif/appendix_k1.sarif", 0),
    ("sarif/appendix_k1_double.sarif", 0),
    ("sarif/appendix_k2.sarif", 1),
    ("sarif/appendix_k3.sarif", 1),
    ("sarif/appendix_k4.sarif", 1),
    (
        "sarif/bash-report-fabricated-no-internal-dupes-subset.sarif",
        4,
    ),
    ("sarif/bash-report-fabricated-no-internal-dupes.sarif", 5),
    (
        "sarif/bash-report-subset-same-hash-code-same-unique-id.sarif",
        4,
    ),
    ("sarif/bash-report.sarif", 27),
    ("sarif/blackduck_nested_fingerprints.sarif", 5),
    ("sarif/codeQL-output.sarif", 72),
    ("sarif/cxf-3.4.6.sarif", 22),
    ("sarif/dependency_check.sarif", 13),
    ("sarif/dockle_0_3_15.sarif", 4),
    // 54 results, one of them `kind: pass` (not a finding, as in DefectDojo).
    ("sarif/flawfinder.sarif", 53),
    // Gitleaks 7 writes no rule id: the rule is found from the message (`AWS Access Key secret
    // detected` → rule `AWS Access Key`).
    ("sarif/gitleaks_7.5.0.sarif", 8),
    // SARIF from Semgrep OSS 1.69 despite the .json name.
    ("sarif/issue_10191.json", 77),
    // SARIF from mobsfscan despite the .json name. DefectDojo: 18. mobsfscan writes one result
    // per rule with every match as a location (9 results, 18 locations); we make one finding per
    // result and list the other locations in its description.
    ("sarif/mobsfscan.json", 9),
    // DefectDojo: 3 (one result has two locations).
    ("sarif/njsscan.sarif", 2),
    ("sarif/no_runs.sarif", 0),
    ("sarif/semgrepowasp-benchmark-sample.sarif", 1768),
    ("sarif/spotbugs.sarif", 56),
    ("sarif/suppression_test.sarif", 5),
    ("sarif/taint-python-report.sarif", 11),
    ("tfsec-extra/sarif_v1.28.14_aws_19results.sarif", 19),
    (
        "tfsec-extra/sarif_v1.28.14_azure_windows_paths_2results.sarif",
        2,
    ),
    ("trivy-0.76/image-all-scanners-minidb.sarif", 34),
];

/// The SARIF files of the corpus: everything in `sarif/`, and the `.sarif` files elsewhere.
fn sarif_files() -> Vec<String> {
    let mut files = Vec::new();
    for folder in corpus_folders() {
        for name in corpus::files(&folder) {
            if folder == "sarif" || name.ends_with(".sarif") {
                files.push(format!("{folder}/{name}"));
            }
        }
    }
    files.sort();
    files
}

fn corpus_folders() -> Vec<String> {
    let mut folders: Vec<String> = std::fs::read_dir(corpus::dir())
        .expect("corpus dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    folders
}

fn import(file: &str) -> (importers::Imported, Vec<Finding>) {
    corpus::import(file)
}

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let mut expected: Vec<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    expected.sort();
    assert_eq!(
        sarif_files(),
        expected,
        "every SARIF file in the corpus has an expected count"
    );
    for (file, count) in EXPECTED {
        let (imported, findings) = import(file);
        assert_eq!(imported.format, "sarif", "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        for f in &findings {
            assert_eq!(f.fingerprint.len(), 64, "{file}");
            assert!(!f.rule_id.is_empty(), "{file}");
            assert!(!f.title.is_empty(), "{file}: {f:?}");
        }
    }
}

#[test]
fn detection_claims_sarif_files_only() {
    let sarif: BTreeSet<String> = sarif_files().into_iter().collect();
    for folder in corpus_folders() {
        for name in corpus::files(&folder) {
            let file = format!("{folder}/{name}");
            if name.ends_with(".md") || !corpus::path(&file).is_file() {
                continue;
            }
            let bytes = std::fs::read(corpus::path(&file)).expect("read");
            let Ok(peeked) = importers::input::peek(&bytes[..]) else {
                continue;
            };
            let head = peeked.head_text();
            let claimed = importers::by_format("sarif")
                .expect("sarif registered")
                .detect(&head);
            assert_eq!(claimed, sarif.contains(&file), "{file}");
            if claimed {
                let detected = importers::detect(&head).map(|i| i.format());
                assert_eq!(detected, Some("sarif"), "{file}");
            }
        }
    }
}

#[test]
fn tools_are_named_after_the_driver() {
    let cases = [
        ("trivy-0.76/image-all-scanners-minidb.sarif", "trivy"),
        ("tfsec-extra/sarif_v1.28.14_aws_19results.sarif", "tfsec"),
        ("sarif/codeQL-output.sarif", "codeql"),
        ("sarif/gitleaks_7.5.0.sarif", "gitleaks"),
        ("sarif/no_runs.sarif", "sarif"),
    ];
    for (file, tool) in cases {
        let (imported, _) = import(file);
        assert_eq!(imported.info.tool, tool, "{file}");
    }
}

#[test]
fn trivy_sarif_kinds_severities_and_packages() {
    let (imported, findings) = import("trivy-0.76/image-all-scanners-minidb.sarif");
    assert_eq!(imported.info.tool_version.as_deref(), Some("0.76.0"));
    let count = |k: Kind| findings.iter().filter(|f| f.kind == k).count();
    assert_eq!(count(Kind::Vulnerability), 18);
    assert_eq!(count(Kind::Misconfiguration), 3);
    assert_eq!(count(Kind::Secret), 5);
    assert_eq!(count(Kind::License), 8);
    let first = &findings[0];
    assert_eq!(first.rule_id, "CVE-2023-6246");
    assert_eq!(first.severity, Severity::High);
    assert_eq!(first.severity_original.as_deref(), Some("8.0"));
    assert_eq!(first.component.name.as_deref(), Some("libc6"));
    assert_eq!(first.component.version.as_deref(), Some("2.36-9+deb12u3"));
    assert_eq!(
        first.component.fixed_version.as_deref(),
        Some("2.36-9+deb12u4")
    );
    assert!(
        findings
            .iter()
            .any(|f| f.rule_id == "DS-0031" && f.severity == Severity::Critical)
    );
    let distinct: BTreeSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(
        distinct.len(),
        findings.len(),
        "no two Trivy findings share a fingerprint"
    );
}

#[test]
fn tfsec_sarif_is_misconfiguration_with_the_tfsec_fingerprint() {
    let (_, findings) = import("tfsec-extra/sarif_v1.28.14_aws_19results.sarif");
    assert!(findings.iter().all(|f| f.kind == Kind::Misconfiguration));
    let by = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    assert_eq!(
        (by(Severity::High), by(Severity::Medium), by(Severity::Low)),
        (11, 6, 2)
    );
    let f = &findings[0];
    assert_eq!(
        f.fingerprint,
        importers::tfsec::tfsec_fingerprint(&f.rule_id, "main.tf", "")
    );
    let (_, windows) = import("tfsec-extra/sarif_v1.28.14_azure_windows_paths_2results.sarif");
    assert_eq!(windows[0].rule_id, "azure-keyvault-specify-network-acl");
    assert_eq!(windows[0].location.line_start, Some(64));
    assert_eq!(windows[0].location.line_end, Some(75));
}

#[test]
fn generic_fields() {
    // Severity from a word in security-severity (GitLab's Semgrep rules).
    let (_, semgrep) = import("sarif/issue_10191.json");
    assert!(semgrep.iter().all(|f| f.kind == Kind::Code));
    assert!(
        semgrep
            .iter()
            .any(|f| f.cwe.contains(&"CWE-346".to_string()))
    );
    // Grype: security-severity scores, vulnerabilities by rule id.
    let (_, grype) = import("sarif/cxf-3.4.6.sarif");
    assert_eq!(grype[0].severity, Severity::Low);
    assert!(grype.iter().all(|f| f.kind == Kind::Vulnerability));
    // Gitleaks: secrets, no level → medium (the standard's default `warning`).
    let (_, gitleaks) = import("sarif/gitleaks_7.5.0.sarif");
    assert!(gitleaks.iter().all(|f| f.kind == Kind::Secret));
    assert_eq!(gitleaks[0].rule_id, "AWS Access Key");
    assert_eq!(gitleaks[0].severity, Severity::Medium);
    assert_eq!(gitleaks[0].location.line_start, Some(13));
    // Flawfinder: CWE from rule relationships.
    let (_, flawfinder) = import("sarif/flawfinder.sarif");
    assert_eq!(flawfinder[0].cwe, vec!["CWE-327"]);
    assert_eq!(flawfinder[0].severity, Severity::High);
    // SpotBugs: message from the rule's message strings.
    let (_, spotbugs) = import("sarif/spotbugs.sarif");
    assert!(spotbugs[0].description.as_deref().is_some_and(|d| {
        d.contains("Hard coded reference to an absolute pathname in Boot.main(String[]).")
    }));
    // Black Duck: CVE alias out of the rule id.
    let (_, blackduck) = import("sarif/blackduck_nested_fingerprints.sarif");
    assert_eq!(blackduck[0].aliases, vec!["CVE-2020-11022"]);
    assert_eq!(blackduck[0].kind, Kind::Vulnerability);
    // mobsfscan: other locations in the description.
    let (_, mobsf) = import("sarif/mobsfscan.json");
    assert!(
        mobsf[0]
            .description
            .as_deref()
            .is_some_and(|d| d.contains("Other locations:"))
    );
}

#[test]
fn suppressed_results_are_kept_with_their_tool_status() {
    let (_, findings) = import("sarif/suppression_test.sarif");
    let suppressed = findings
        .iter()
        .filter(|f| f.tool_status.as_deref() == Some("suppressed"))
        .count();
    assert_eq!(suppressed, 3);
    let (_, current) = import("sarif/SuppressionTestCurrent.sarif");
    assert_eq!(
        current[0].title,
        "Rule 001"
            .to_string()
            .replace("Rule 001", &current[0].title)
    );
    assert_eq!(
        current
            .iter()
            .filter(|f| f.tool_status.as_deref() == Some("suppressed"))
            .count(),
        3
    );
}

#[test]
fn base_uris_are_resolved_without_the_absolute_root() {
    let (_, findings) = import("sarif/appendix_k.sarif");
    assert_eq!(
        findings[0].location.file.as_deref(),
        Some("src/collections/list.h")
    );
    assert_eq!(findings[0].location.line_start, Some(15));
    assert_eq!(findings[0].severity, Severity::High);
    assert_eq!(findings[0].tool_status.as_deref(), Some("suppressed"));
}

#[test]
fn snapshot_of_a_small_file() {
    let (imported, findings) = import("sarif/appendix_k4.sarif");
    insta::assert_json_snapshot!("sarif_appendix_k4", (imported.info, findings));
}

fn fingerprints(json: &str) -> BTreeSet<String> {
    let (_, findings) = importers::import_to_vec(json.as_bytes(), Some("sarif")).expect("import");
    findings.into_iter().map(|f| f.fingerprint).collect()
}

/// Reorders results, changes white space, rewords messages and descriptions and shifts lines:
/// fingerprints stay.
fn perturb(original: &str) -> String {
    let mut log: serde_json::Value = serde_json::from_str(original).expect("json");
    for run in log["runs"].as_array_mut().expect("runs") {
        if let Some(rules) = run["tool"]["driver"]["rules"].as_array_mut() {
            for rule in rules {
                for key in ["shortDescription", "fullDescription"] {
                    if let Some(text) = rule[key]["text"].as_str() {
                        rule[key]["text"] = format!("Reworded: {text}").into();
                    }
                }
            }
        }
        let results = run["results"].as_array_mut().expect("results");
        results.reverse();
        for result in results {
            if let Some(text) = result["message"]["text"].as_str() {
                // A new first line: Trivy's messages are `Name: value` records whose fields
                // (package, matched secret) are identity, and they must survive added prose.
                result["message"]["text"] = format!("Reworded by a new version.\n{text}").into();
            }
            for location in result["locations"].as_array_mut().into_iter().flatten() {
                let region = &mut location["physicalLocation"]["region"];
                for key in ["startLine", "endLine"] {
                    if let Some(line) = region[key].as_i64() {
                        region[key] = (line + 7).into();
                    }
                }
                if let Some(text) = region["snippet"]["text"].as_str() {
                    region["snippet"]["text"] = format!("  {}\t ", text.replace(' ', "   ")).into();
                }
            }
        }
    }
    serde_json::to_string_pretty(&log).expect("json")
}

#[test]
fn fingerprints_are_stable() {
    for file in [
        "sarif/codeQL-output.sarif",
        "sarif/gitleaks_7.5.0.sarif",
        "sarif/mobsfscan.json",
        "sarif/taint-python-report.sarif",
        "sarif/dockle_0_3_15.sarif",
        "sarif/semgrepowasp-benchmark-sample.sarif",
        "trivy-0.76/image-all-scanners-minidb.sarif",
        "tfsec-extra/sarif_v1.28.14_aws_19results.sarif",
    ] {
        let original = std::fs::read_to_string(corpus::path(file)).expect("read");
        let before = fingerprints(&original);
        let after = fingerprints(&perturb(&original));
        assert!(!before.is_empty(), "{file}");
        assert_eq!(before, after, "{file}");
    }
}

#[test]
fn fingerprints_tell_places_apart() {
    let original =
        std::fs::read_to_string(corpus::path("sarif/gitleaks_7.5.0.sarif")).expect("read");
    let before = fingerprints(&original);
    let moved = original.replacen("dojo/unittests/", "elsewhere/unittests/", 1);
    assert_ne!(before, fingerprints(&moved));
}

/// DefectDojo's dedupe finds 9 distinct of 27; we find 12, because the rule id is part of our
/// identity and ShellCheck reports several rules on one line with the same location hashes.
#[test]
fn internal_duplicates_of_bash_report() {
    let (_, findings) = import("sarif/bash-report.sarif");
    let distinct: BTreeSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!((findings.len(), distinct.len()), (27, 12));
}

/// A log of one run with the given members, in the given order.
fn one_run(members: &[&str]) -> String {
    format!(
        "{{\"version\":\"2.1.0\",\"runs\":[{{{}}}]}}",
        members.join(",")
    )
}

const TOOL: &str = r#""tool":{"driver":{"name":"Lint","rules":[{"id":"R1","shortDescription":{"text":"Rule one"}}]}}"#;
const RESULTS: &str = r#""results":[
    {"ruleId":"R1","message":{"text":"a"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.c","uriBaseId":"SRC"}}}]},
    {"ruleId":"R1","message":{"text":"b"},"locations":[{"physicalLocation":{"artifactLocation":{"index":0}}}]}]"#;
const BASES: &str = r#""originalUriBaseIds":{"SRC":{"uri":"src/"}}"#;
const ARTIFACTS: &str = r#""artifacts":[{"location":{"uri":"b.c","uriBaseId":"SRC"}}]"#;

#[test]
fn results_are_handed_on_as_they_are_read() {
    // The log is cut right after its second result: both reach the sink before the parse fails.
    let log = one_run(&[TOOL, RESULTS]);
    let cut = &log[..log.find(RESULTS).unwrap() + RESULTS.len() - 1];
    let mut titles = Vec::new();
    let err = importers::import(cut.as_bytes(), Some("sarif"), &mut |f| {
        titles.push(f.description.unwrap_or_default());
        Ok(())
    })
    .unwrap_err();
    assert!(err.to_string().contains("EOF"), "{err}");
    assert_eq!(titles, vec!["a", "b"]);
}

#[test]
fn a_run_whose_tool_comes_after_its_results_reads_the_same() {
    let first =
        importers::import_to_vec(one_run(&[BASES, ARTIFACTS, TOOL, RESULTS]).as_bytes(), None)
            .unwrap();
    let last =
        importers::import_to_vec(one_run(&[BASES, ARTIFACTS, RESULTS, TOOL]).as_bytes(), None)
            .unwrap();
    assert_eq!(format!("{:?}", first), format!("{:?}", last));
    let files: Vec<_> = first.1.iter().map(|f| f.location.file.clone()).collect();
    assert_eq!(
        files,
        vec![Some("src/a.c".to_string()), Some("src/b.c".to_string())]
    );
    assert_eq!(first.1[0].title, "Rule one");
    assert!(first.0.info.warnings.is_empty());
}

#[test]
fn base_ids_and_artifacts_after_the_results_are_not_waited_for_and_say_so() {
    let (imported, findings) =
        importers::import_to_vec(one_run(&[TOOL, RESULTS, BASES, ARTIFACTS]).as_bytes(), None)
            .unwrap();
    let files: Vec<_> = findings.iter().map(|f| f.location.file.clone()).collect();
    assert_eq!(files, vec![Some("a.c".to_string()), None]);
    let warnings = &imported.info.warnings;
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].contains("`originalUriBaseIds` after its results"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].contains("`artifacts` after its results"),
        "{warnings:?}"
    );
    // A late list that nothing looked up, as SpotBugs writes it, is no warning.
    let (imported, _) =
        importers::import_to_vec(one_run(&[TOOL, r#""results":[]"#, BASES]).as_bytes(), None)
            .unwrap();
    assert!(imported.info.warnings.is_empty());
}

#[test]
fn a_repeated_run_member_is_refused_as_before() {
    let err =
        importers::import_to_vec(one_run(&[TOOL, RESULTS, RESULTS]).as_bytes(), None).unwrap_err();
    assert!(
        err.to_string().contains("duplicate field `results`"),
        "{err}"
    );
}

/// Semgrep without a login writes `requires login` for every snippet and fingerprint, so two
/// secrets one rule finds on lines 12 and 13 of one file share every identity part. Version 2
/// tells them apart by their place; moving both keeps their fingerprints; one result written
/// twice at the same lines stays one finding.
#[test]
fn one_rule_on_two_lines_of_one_file_is_two_findings() {
    let log = |lines: &[u32]| {
        let results: Vec<String> = lines
            .iter()
            .map(|line| {
                format!(
                    r#"{{"ruleId":"generic.secrets.hardcoded","message":{{"text":"secret"}},
                    "fingerprints":{{"matchBasedId/v1":"requires login"}},
                    "locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"app/config.py"}},
                    "region":{{"startLine":{line},"endLine":{line},"snippet":{{"text":"requires login"}}}}}}}}]}}"#
                )
            })
            .collect();
        one_run(&[
            r#""tool":{"driver":{"name":"Semgrep OSS","rules":[{"id":"generic.secrets.hardcoded"}]}}"#,
            &format!(r#""results":[{}]"#, results.join(",")),
        ])
    };
    let two = fingerprints(&log(&[12, 13]));
    assert_eq!(two.len(), 2);
    assert_eq!(
        fingerprints(&log(&[40, 41])),
        two,
        "moved lines keep identities"
    );
    assert_eq!(
        fingerprints(&log(&[12, 12])).len(),
        1,
        "one place is one finding"
    );
    let (imported, _) = importers::import_to_vec(log(&[12, 13]).as_bytes(), None).expect("import");
    assert_eq!(imported.refinements.len(), 1);
    assert!(two.contains(&imported.refinements[0].base));
}
