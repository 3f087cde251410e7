use crate::corpus;
use importers::{Finding, Importer, Kind, Severity};
use std::collections::BTreeSet;

/// Our count and format for every FOSSA file in the corpus (`corpus/fossa/SOURCES.md`).
/// DefectDojo only reads the REST API v2 export; its counts are noted where they differ.
const EXPECTED: &[(&str, &str, usize)] = &[
    // `fossa analyze --output`: a dependency graph, no issues (0 and a warning).
    (
        "fossa/fossa-cli-docs_analyze-output_maven_13deps.json",
        "fossa-analyze-json",
        0,
    ),
    // Go CLI: only `Issues` counts, never the `NormalizedByType` copies.
    (
        "fossa/handmade-fossa-test-json_v1-go_2issues.json",
        "fossa-test-json",
        2,
    ),
    (
        "fossa/handmade-fossa-test-json_v3.18_0issues.json",
        "fossa-test-json",
        0,
    ),
    (
        "fossa/handmade-fossa-test-json_v3.18_5issues.json",
        "fossa-test-json",
        5,
    ),
    (
        "fossa/real-pr999_fossa-test-json_v3.3.11-dev_0issues.json",
        "fossa-test-json",
        0,
    ),
    (
        "fossa/socket_composed_analyze-json_plus_issues-v2_11vulns.json",
        "fossa-api-issues-json",
        11,
    ),
    (
        "fossa/socket_composed_analyze-json_plus_issues-v2_empty.json",
        "fossa-api-issues-json",
        0,
    ),
    // Attribution reports: inventory only (0 and a warning).
    (
        "fossa/socket_report-attribution-json_go_1direct_2deep.json",
        "fossa-attribution-json",
        0,
    ),
    (
        "fossa/socket_report-attribution-json_pip_6direct_6deep.json",
        "fossa-attribution-json",
        0,
    ),
    (
        "fossa/thirdparty-handmade_analysis-model_fossa-test-json_3issues.json",
        "fossa-test-json",
        3,
    ),
    (
        "fossa/thirdparty-handmade_analysis-model_fossa-test-json_edge-cases_2issues.json",
        "fossa-test-json",
        2,
    ),
    // DefectDojo: 7. Issue 1001 lists two FOSSA projects and DefectDojo emits one finding per
    // project; we import an issue once (a ScanLedger import is for one project's release) and
    // warn (docs/FORMATS.md).
    (
        "fossa/thirdparty-handmade_defectdojo_api-v2-issues_fossa_many_vuln.json",
        "fossa-api-issues-json",
        6,
    ),
    (
        "fossa/thirdparty-handmade_defectdojo_api-v2-issues_fossa_no_vuln.json",
        "fossa-api-issues-json",
        0,
    ),
    (
        "fossa/thirdparty-handmade_defectdojo_api-v2-issues_fossa_one_vuln.json",
        "fossa-api-issues-json",
        1,
    ),
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let listed: Vec<String> = corpus::files("fossa")
        .into_iter()
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("fossa/{n}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every FOSSA file in the corpus has an expected count"
    );
    for (file, format, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, *format, "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        assert_eq!(imported.info.tool, "fossa", "{file}");
    }
}

#[test]
fn inventories_import_nothing_and_say_why() {
    for file in [
        "fossa/fossa-cli-docs_analyze-output_maven_13deps.json",
        "fossa/socket_report-attribution-json_pip_6direct_6deep.json",
    ] {
        let (imported, findings) = corpus::import(file);
        assert!(findings.is_empty());
        assert!(
            imported
                .info
                .warnings
                .iter()
                .any(|w| w.contains("fossa test --format json")),
            "{file}: {:?}",
            imported.info.warnings
        );
    }
    let (imported, _) =
        corpus::import("fossa/socket_report-attribution-json_pip_6direct_6deep.json");
    assert!(
        imported.info.warnings[0].contains("12 dependencies"),
        "{:?}",
        imported.info.warnings
    );
}

fn by_rule<'a>(findings: &'a [Finding], rule: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.rule_id == rule)
        .unwrap_or_else(|| panic!("no finding {rule}"))
}

#[test]
fn cli_v3_fields() {
    let (imported, findings) = corpus::import("fossa/handmade-fossa-test-json_v3.18_5issues.json");
    assert_eq!(imported.info.target.as_deref(), Some("example-app"));

    let gpl = by_rule(&findings, "GPL-3.0-only");
    assert_eq!(gpl.kind, Kind::License);
    assert_eq!(gpl.category.as_deref(), Some("policy_conflict"));
    assert_eq!(gpl.severity, Severity::High);
    assert_eq!(gpl.severity_original, None);
    assert_eq!(
        gpl.component.purl.as_deref(),
        Some("pkg:npm/%40example/gpl-widget@2.1.0")
    );
    assert_eq!(gpl.component.name.as_deref(), Some("@example/gpl-widget"));
    assert_eq!(
        gpl.location.resource.as_deref(),
        Some("npm+@example/gpl-widget$2.1.0")
    );

    let flag = by_rule(&findings, "android-sdk");
    assert_eq!(flag.category.as_deref(), Some("policy_flag"));
    assert_eq!(flag.severity, Severity::High);

    let lodash = by_rule(&findings, "CVE-2021-23337");
    assert_eq!(lodash.kind, Kind::Vulnerability);
    assert_eq!(lodash.severity, Severity::High);
    assert_eq!(lodash.severity_original.as_deref(), Some("high"));
    assert_eq!(lodash.component.fixed_version.as_deref(), Some("4.17.21"));
    assert_eq!(
        lodash.component.purl.as_deref(),
        Some("pkg:npm/lodash@4.17.15")
    );
    assert_eq!(lodash.tool_status.as_deref(), Some("active"));

    let ssl = by_rule(&findings, "CVE-2023-0286");
    assert_eq!(ssl.severity, Severity::Unknown);
    assert_eq!(ssl.component.name.as_deref(), Some("libssl1.1"));
    assert_eq!(ssl.component.version.as_deref(), Some("1.1.1n-0+deb11u3"));
    assert_eq!(
        ssl.component.purl.as_deref(),
        Some("pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11")
    );

    let unlicensed = by_rule(&findings, "unlicensed_dependency");
    assert_eq!(unlicensed.kind, Kind::License);
    assert_eq!(unlicensed.severity, Severity::Medium);
}

#[test]
fn go_cli_reads_rule_license_id_and_skips_normalized_copies() {
    let (_, findings) = corpus::import("fossa/handmade-fossa-test-json_v1-go_2issues.json");
    let gpl = by_rule(&findings, "GPL-2.0");
    assert_eq!(gpl.kind, Kind::License);
    assert_eq!(
        gpl.component.purl.as_deref(),
        Some("pkg:maven/org.example/copyleft-lib@1.0")
    );
    let unlicensed = by_rule(&findings, "unlicensed_dependency");
    assert_eq!(unlicensed.component.name.as_deref(), Some("left-pad"));
    assert_eq!(
        unlicensed.severity_original, None,
        "Go zero value \"\" is no severity"
    );
}

#[test]
fn edge_cases_keep_unknown_types_and_private_locators() {
    let (_, findings) = corpus::import(
        "fossa/thirdparty-handmade_analysis-model_fossa-test-json_edge-cases_2issues.json",
    );
    let custom = by_rule(&findings, "custom_fossa_type");
    assert_eq!(custom.category.as_deref(), Some("custom_fossa_type"));
    assert_eq!(custom.severity, Severity::High, "stated priority wins");
    assert_eq!(custom.tool_status.as_deref(), Some("resolved"));
    assert_eq!(custom.component.purl, None);
    assert_eq!(
        custom.location.resource.as_deref(),
        Some("custom+project$1.0.0")
    );
    let conflict = by_rule(&findings, "policy_conflict");
    assert!(conflict.component.is_empty());
}

#[test]
fn api_v2_fields() {
    let (imported, findings) =
        corpus::import("fossa/socket_composed_analyze-json_plus_issues-v2_11vulns.json");
    assert_eq!(
        imported.info.target.as_deref(),
        Some("custom+1234/example-validation-project")
    );
    let certifi = by_rule(&findings, "CVE-2024-39689");
    assert_eq!(certifi.severity, Severity::High);
    assert_eq!(
        certifi.component.purl.as_deref(),
        Some("pkg:pypi/certifi@2023.11.17")
    );
    assert_eq!(certifi.component.fixed_version.as_deref(), Some("2024.7.4"));
    assert_eq!(certifi.cwe, vec!["CWE-345".to_string()]);
    assert_eq!(certifi.cvss.len(), 1);
    assert_eq!(certifi.cvss[0].version, "3.1");
    assert!(certifi.aliases.is_empty(), "{:?}", certifi.aliases);
    assert!(certifi.description.is_some());
    assert_eq!(certifi.tool_status.as_deref(), Some("active"));
    assert_eq!(
        certifi.location.target.as_deref(),
        Some("custom+1234/example-validation-project")
    );
    let highs = findings
        .iter()
        .filter(|f| f.severity == Severity::High)
        .count();
    let mediums = findings
        .iter()
        .filter(|f| f.severity == Severity::Medium)
        .count();
    assert_eq!((highs, mediums), (6, 5));

    let (imported, findings) =
        corpus::import("fossa/thirdparty-handmade_defectdojo_api-v2-issues_fossa_many_vuln.json");
    assert!(
        imported
            .info
            .warnings
            .iter()
            .any(|w| w.contains("2 FOSSA projects")),
        "{:?}",
        imported.info.warnings
    );
    let unknown_sev = by_rule(&findings, "FOSSA-2026-0002");
    assert_eq!(
        unknown_sev.severity,
        Severity::High,
        "CVSS 7.5 when severity is unknown"
    );
    assert_eq!(unknown_sev.severity_original.as_deref(), Some("unknown"));
    assert!(unknown_sev.cwe.is_empty(), "`not-a-cwe` dropped");
    let first = by_rule(&findings, "CVE-2000-0001");
    assert_eq!(first.aliases, vec!["FOSSA-2026-0001".to_string()]);
    assert_eq!(first.references.len(), 2, "{:?}", first.references);
    let empty = findings
        .iter()
        .find(|f| f.category.as_deref() == Some("risk_empty_package"))
        .expect("doc spelling risk_empty-package");
    assert_eq!(empty.severity, Severity::Low);
    assert_eq!(
        empty.component.purl.as_deref(),
        Some("pkg:npm/generic-stub@0.0.1")
    );
    let new_type = by_rule(&findings, "some_new_type_fossa_added");
    assert_eq!(new_type.severity, Severity::Info);
    let no_type = by_rule(&findings, "CVE-2000-0006");
    assert_eq!(no_type.kind, Kind::Vulnerability);
    assert_eq!(no_type.severity, Severity::Info, "CVSS 0");
}

#[test]
fn same_issue_from_cli_and_api_and_after_an_upgrade_has_one_fingerprint() {
    let (_, a) = corpus::import("fossa/handmade-fossa-test-json_v3.18_5issues.json");
    let (_, b) =
        corpus::import("fossa/thirdparty-handmade_analysis-model_fossa-test-json_3issues.json");
    assert_eq!(
        by_rule(&a, "CVE-2021-23337").fingerprint,
        by_rule(&b, "CVE-2021-23337").fingerprint
    );
    let api = br#"{"issues":[{"id":9,"type":"vulnerability","cve":"CVE-2021-23337","severity":"high",
        "source":{"id":"npm+lodash$4.17.19","name":"lodash","version":"4.17.19","packageManager":"npm"},
        "projects":[{"id":"custom+1/x"}]}]}"#;
    let (imported, c) = importers::import_to_vec(&api[..], None).expect("api");
    assert_eq!(imported.format, "fossa-api-issues-json");
    assert_eq!(c[0].fingerprint, by_rule(&a, "CVE-2021-23337").fingerprint);
}

fn fingerprints(bytes: &[u8]) -> BTreeSet<String> {
    let (_, findings) = importers::import_to_vec(bytes, None).expect("import");
    let set: BTreeSet<String> = findings.iter().map(|f| f.fingerprint.clone()).collect();
    assert_eq!(set.len(), findings.len(), "fingerprints are distinct");
    set
}

/// Reorders the issue lists, re-indents, rewords every text and link, changes issue ids and
/// shifts package versions: fingerprints stay.
#[test]
fn fingerprints_survive_reordering_rewording_and_reformatting() {
    for (file, list) in [
        (
            "fossa/handmade-fossa-test-json_v3.18_5issues.json",
            "issues",
        ),
        (
            "fossa/socket_composed_analyze-json_plus_issues-v2_11vulns.json",
            "vulnerability",
        ),
        (
            "fossa/thirdparty-handmade_defectdojo_api-v2-issues_fossa_many_vuln.json",
            "issues",
        ),
    ] {
        let original = std::fs::read(corpus::path(file)).expect("read");
        let mut doc: serde_json::Value = serde_json::from_slice(&original).expect("json");
        let issues = doc[list].as_array_mut().expect("list");
        issues.reverse();
        for issue in issues.iter_mut() {
            for key in ["title", "details", "issueDashURL", "url"] {
                if let Some(text) = issue[key].as_str() {
                    issue[key] = format!("Reworded: {text}").into();
                }
            }
            issue["references"] = serde_json::json!([]);
            if let Some(n) = issue["id"].as_u64() {
                issue["id"] = (n + 1000).into();
            }
        }
        let mut text = serde_json::to_string_pretty(&doc).expect("pretty");
        text = text
            .replace("$4.17.15", "$4.17.16")
            .replace("$2023.11.17", "$2023.11.18");
        let text = text.replace('\n', "\r\n   ");
        assert_eq!(
            fingerprints(&original),
            fingerprints(text.as_bytes()),
            "{file}"
        );
    }
}

#[test]
fn snapshot_of_a_small_cli_report() {
    let (imported, findings) = corpus::import("fossa/handmade-fossa-test-json_v3.18_5issues.json");
    insta::assert_json_snapshot!("fossa_test_json_v3_5issues", (imported.info, findings));
}

#[test]
fn push_only_key_output_is_an_error_not_a_clean_scan() {
    let go = br#"{"Count":3,"Issues":null,"Status":"SCANNED","NormalizedByType":null}"#;
    let err = importers::import_to_vec(&go[..], None).expect_err("push-only");
    let text = err.to_string();
    assert!(text.starts_with("fossa-test-json: "), "{text}");
    assert!(text.contains("push-only"), "{text}");
    let partial = br#"{"count":3,"issues":[{"type":"policy_flag","revisionId":"npm+a$1","license":"MIT"}],"status":"SCANNED"}"#;
    let (imported, findings) = importers::import_to_vec(&partial[..], None).expect("partial");
    assert_eq!(findings.len(), 1);
    assert!(
        imported
            .info
            .warnings
            .iter()
            .any(|w| w.contains("counts 3"))
    );
}

#[test]
fn forced_format_on_another_json_is_an_error() {
    for format in [
        "fossa-test-json",
        "fossa-api-issues-json",
        "fossa-attribution-json",
        "fossa-analyze-json",
    ] {
        let err = importers::import_to_vec(&br#"{"a": 1}"#[..], Some(format)).expect_err(format);
        assert!(err.to_string().starts_with(&format!("{format}: ")), "{err}");
    }
}

#[test]
fn numbers_where_strings_belong_are_errors_with_position() {
    let input =
        br#"{"count":1,"issues":[{"type":"vulnerability","revisionId":5}],"status":"SCANNED"}"#;
    let err = importers::import_to_vec(&input[..], None).expect_err("number");
    let text = err.to_string();
    assert!(text.starts_with("fossa-test-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn many_tiny_issues_stream() {
    let n = 200_000;
    let mut input = String::from(r#"{"count":200000,"issues":["#);
    for i in 0..n {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"type":"policy_flag","revisionId":"npm+p{i}$1"}}"#
        ));
    }
    input.push_str(r#"],"status":"SCANNED"}"#);
    let mut count = 0usize;
    importers::import(input.as_bytes(), None, &mut |_| {
        count += 1;
        Ok(())
    })
    .expect("import");
    assert_eq!(count, n);
}

#[test]
fn a_50_mb_string_is_fine() {
    let big = "x".repeat(50 * 1024 * 1024);
    let input = format!(
        r#"{{"count":1,"issues":[{{"type":"vulnerability","cve":"CVE-1","revisionId":"npm+a$1","issueDashURL":"{big}"}}],"status":"SCANNED"}}"#
    );
    let (_, findings) = importers::import_to_vec(input.as_bytes(), None).expect("import");
    assert_eq!(findings.len(), 1);
}

fn fossa_importers() -> Vec<&'static dyn Importer> {
    importers::all()
        .iter()
        .copied()
        .filter(|i| i.tool() == "fossa")
        .collect()
}

/// FOSSA detection claims every FOSSA corpus file and no file of any other folder.
#[test]
fn detection_claims_fossa_files_only() {
    let fossa = fossa_importers();
    assert_eq!(fossa.len(), 4);
    let mut files = Vec::new();
    let mut stack = vec![corpus::dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)
            .expect("corpus dir")
            .filter_map(|e| e.ok())
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_none_or(|e| e != "md") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 50, "{}", files.len());
    let fossa_dir = corpus::dir().join("fossa");
    for path in files {
        {
            let in_fossa = path.starts_with(&fossa_dir);
            let (folder, name) = (if in_fossa { "fossa" } else { "other" }, path.display());
            let bytes = std::fs::read(&path).expect("read");
            let peeked = importers::input::peek(&bytes[..]);
            let Ok(peeked) = peeked else { continue };
            let head = peeked.head_text();
            let claimed: Vec<&str> = fossa
                .iter()
                .filter(|i| i.detect(&head))
                .map(|i| i.format())
                .collect();
            if folder == "fossa" {
                assert_eq!(claimed.len(), 1, "{folder}/{name}: {claimed:?}");
                let detected = importers::detect(&head).map(|i| i.format());
                assert_eq!(detected, Some(claimed[0]), "{folder}/{name}");
            } else {
                assert!(claimed.is_empty(), "{folder}/{name} claimed by {claimed:?}");
            }
        }
    }
}

#[test]
fn utf16le_and_utf8_bom_import_like_utf8() {
    let text = std::fs::read_to_string(corpus::path(
        "fossa/handmade-fossa-test-json_v3.18_5issues.json",
    ))
    .expect("read");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    for bytes in [utf16, bom] {
        let (imported, findings) = importers::import_to_vec(&bytes[..], None).expect("import");
        assert_eq!(imported.format, "fossa-test-json");
        assert_eq!(findings.len(), 5);
    }
}
