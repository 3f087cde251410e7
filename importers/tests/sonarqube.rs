use crate::corpus;
use importers::{Finding, ImportError, Kind, Severity};
use serde_json::Value;
use std::collections::BTreeSet;

const API: &str = "sonarqube-api-json";
const REPORT: &str = "sonar-report-json";

/// Our count for every SonarQube findings file in the corpus, the format it is detected as, and
/// DefectDojo's count where it differs. `None` as format: not detected on its own (`[]`), imported
/// with the format forced, as `--type` does.
const EXPECTED: &[(&str, Option<&str>, usize)] = &[
    // DefectDojo: 2. Its API import skips RESOLVED issues; we keep the RESOLVED/FALSE-POSITIVE
    // issue with that tool status (the tool's state is recorded, never mapped onto ours).
    ("api_sonarqube/issues.json", Some(API), 3),
    ("api_sonarqube/hotspots/many_vulns.json", Some(API), 2),
    ("api_sonarqube/hotspots/no_vuln.json", None, 0),
    ("api_sonarqube/hotspots/one_vuln.json", Some(API), 1),
    ("sonarqube/findings_over_api.json", Some(API), 5),
    ("sonarqube/findings_over_api_empty.json", Some(API), 0),
    ("sonarqube/findings_over_api_hotspots.json", Some(API), 4),
    (
        "sonarqube/findings_over_api_multi_cwe_fabricated.json",
        Some(API),
        3,
    ),
    ("sonarqube/issue_10150.json", Some(REPORT), 3),
    ("sonarqube/sonar-6-findings.json", Some(REPORT), 6),
    ("sonarqube/sonar-no-finding.json", Some(REPORT), 0),
    ("sonarqube/sonar-single-finding.json", Some(REPORT), 1),
    ("sonarqube/sonar.json", Some(REPORT), 6),
    (
        "sonarqube-extra/api_hotspots_search_snailshop_15hotspots.json",
        Some(API),
        15,
    ),
    (
        "sonarqube-extra/api_hotspots_search_utf8bom_yazoo_20hotspots.json",
        Some(API),
        20,
    ),
    (
        "sonarqube-extra/api_issues_search_2025_dvpwa_74issues.json",
        Some(API),
        74,
    ),
    // Page 1 of 4 (paging.total 360): imported as partial, with a warning.
    (
        "sonarqube-extra/api_issues_search_2025_utf16le_page1of4_snailshop_100issues.json",
        Some(API),
        100,
    ),
    (
        "sonarqube-extra/api_issues_search_pre10.2_utf8bom_yazoo_225issues.json",
        Some(API),
        225,
    ),
    (
        "sonarqube-extra/sonarsource_api_hotspots_search-example.json",
        Some(API),
        3,
    ),
    (
        "sonarqube-extra/sonarsource_api_issues_search-example_2025.json",
        Some(API),
        1,
    ),
];

/// Files in the SonarQube folders that are not findings reports: other API responses (rules,
/// project), zips of responses, the sonar-report HTML export (not imported: use its JSON export)
/// and the corpus README. Each must fail with a clear error, never import as zero findings.
const NOT_REPORTS: &[&str] = &[
    "api_sonarqube/hotspots/rule.json",
    "api_sonarqube/hotspots/rule_wo_risk_description.json",
    "api_sonarqube/product.json",
    "api_sonarqube/rule.json",
    "api_sonarqube/rule_md_desc_only.json",
    "api_sonarqube/rule_multi_cwe_fabricated.json",
    "api_sonarqube/rule_wo_html_desc.json",
    "sonarqube/empty_zip.zip",
    "sonarqube/findings_over_api.zip",
    "sonarqube/sonar-4-findings-3-to-aggregate.html",
    "sonarqube/sonar-6-findings-1-unique_id_changed.html",
    "sonarqube/sonar-6-findings.html",
    "sonarqube/sonar-rule-undefined.html",
    "sonarqube/sonar-single-finding.html",
    "sonarqube/sonar-table-in-table-with-whitespace.html",
    "sonarqube/sonar-table-in-table.html",
    "sonarqube/sonar.html",
    "sonarqube-extra/SOURCES.md",
];

const FOLDERS: &[&str] = &[
    "api_sonarqube",
    "api_sonarqube/hotspots",
    "sonarqube",
    "sonarqube-extra",
];

fn import_as(file: &str, format: Option<&str>) -> (importers::Imported, Vec<Finding>) {
    let bytes = std::fs::read(corpus::path(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    importers::import_to_vec(&bytes[..], format).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn import_bytes(bytes: &[u8]) -> Vec<Finding> {
    importers::import_to_vec(bytes, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .1
}

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let mut listed: Vec<String> = Vec::new();
    for folder in FOLDERS {
        for name in corpus::files(folder) {
            let relative = format!("{folder}/{name}");
            if corpus::path(&relative).is_file() {
                listed.push(relative);
            }
        }
    }
    listed.sort();
    let mut known: Vec<String> = EXPECTED
        .iter()
        .map(|(f, _, _)| f.to_string())
        .chain(NOT_REPORTS.iter().map(|f| f.to_string()))
        // corpus::files leaves the folders' Markdown notes out; one is still a known non-report.
        .filter(|f| !f.ends_with(".md"))
        .collect();
    known.sort();
    assert_eq!(
        listed, known,
        "every file of the SonarQube corpus folders has an expected count or is a known non-report"
    );
    for (file, format, count) in EXPECTED {
        let (_, findings) = import_as(file, Some(format.unwrap_or(API)));
        assert_eq!(findings.len(), *count, "{file}");
        assert!(findings.iter().all(|f| f.kind == Kind::Code), "{file}");
        if let Some(format) = format {
            let (detected, again) = corpus::import(file);
            assert_eq!(detected.format, *format, "{file}");
            assert_eq!(again, findings, "{file}");
        }
    }
}

#[test]
fn files_that_are_not_findings_reports_are_errors() {
    for file in NOT_REPORTS {
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        let err = importers::import_to_vec(&bytes[..], None).expect_err(file);
        assert!(
            matches!(
                err,
                ImportError::Unrecognized { .. } | ImportError::Unsupported { .. }
            ),
            "{file}: {err}"
        );
    }
    // Forced, an API response that holds no findings says so.
    for file in ["api_sonarqube/rule.json", "api_sonarqube/product.json"] {
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        let err = importers::import_to_vec(&bytes[..], Some(API)).expect_err(file);
        let text = err.to_string();
        assert!(
            text.starts_with("sonarqube-api-json: not a findings report"),
            "{file}: {text}"
        );
    }
}

#[test]
fn detection_claims_only_sonarqube_files() {
    let mut stack = vec![corpus::dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(file) = std::fs::File::open(&path) else {
                continue;
            };
            let Ok(peeked) = importers::input::peek(file) else {
                continue;
            };
            let head = peeked.head_text();
            let detected = importers::detect(&head).map(|i| i.format());
            let ours = matches!(detected, Some(API) | Some(REPORT));
            let relative = path
                .strip_prefix(corpus::dir())
                .expect("inside the corpus")
                .to_string_lossy()
                .into_owned();
            let sonar_folder = FOLDERS
                .iter()
                .any(|f| relative.rsplit_once('/').is_some_and(|(dir, _)| dir == *f));
            if ours {
                assert!(sonar_folder, "{relative} detected as {detected:?}");
            }
        }
    }
}

#[test]
fn a_partial_page_is_flagged() {
    let (imported, findings) = corpus::import(
        "sonarqube-extra/api_issues_search_2025_utf16le_page1of4_snailshop_100issues.json",
    );
    assert_eq!(findings.len(), 100);
    assert!(imported.info.partial);
    assert!(
        imported
            .info
            .warnings
            .iter()
            .any(|w| w.contains("100 of the 360")),
        "{:?}",
        imported.info.warnings
    );
    let (complete, _) =
        corpus::import("sonarqube-extra/api_issues_search_2025_dvpwa_74issues.json");
    assert!(!complete.info.partial, "{:?}", complete.info.warnings);
    assert!(complete.info.warnings.is_empty());
}

#[test]
fn concatenated_pages_import_as_one_and_complete_the_set() {
    let page = |index: u32, keys: &[&str]| -> String {
        let issues: Vec<String> = keys
            .iter()
            .map(|k| {
                format!(
                    r#"{{"key": "{k}", "rule": "java:S1", "severity": "MAJOR", "component": "p:src/{k}.java", "project": "p", "line": 3, "hash": "h{k}", "status": "OPEN", "type": "BUG"}}"#
                )
            })
            .collect();
        format!(
            r#"{{"total": 3, "p": {index}, "ps": 2, "paging": {{"pageIndex": {index}, "pageSize": 2, "total": 3}}, "issues": [{}], "components": []}}"#,
            issues.join(",")
        )
    };
    let first = page(1, &["a", "b"]);
    let (imported, findings) = importers::import_to_vec(first.as_bytes(), None).expect("page 1");
    assert_eq!(findings.len(), 2);
    assert!(imported.info.partial);
    let both = format!("{first}\n{}\n", page(2, &["c"]));
    let (imported, findings) = importers::import_to_vec(both.as_bytes(), None).expect("pages");
    assert_eq!(imported.format, API);
    assert_eq!(findings.len(), 3);
    assert!(!imported.info.partial, "{:?}", imported.info.warnings);
    // A truncated second page is an error, not a partial success.
    let cut = &both[..both.len() - 20];
    assert!(importers::import_to_vec(cut.as_bytes(), None).is_err());
}

#[test]
fn impacts_decide_the_severity_when_present_and_the_finding_says_so() {
    let (_, findings) =
        corpus::import("sonarqube-extra/api_issues_search_2025_dvpwa_74issues.json");
    // Legacy MINOR issues with a MEDIUM impact: impacts win.
    let mixed: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.description
                .as_deref()
                .is_some_and(|d| d.contains("legacy `severity` is MINOR"))
                && f.severity == Severity::Medium
        })
        .collect();
    assert_eq!(mixed.len(), 2);
    for f in &findings {
        let d = f.description.as_deref().unwrap_or_default();
        assert!(d.contains("Severity from `impacts`"), "{d}");
    }
    let counts = |sev| findings.iter().filter(|f| f.severity == sev).count();
    assert_eq!(
        (
            counts(Severity::High),
            counts(Severity::Medium),
            counts(Severity::Low)
        ),
        (1, 71, 2)
    );
    let smells = findings
        .iter()
        .filter(|f| f.category.as_deref() == Some("code_smell"))
        .count();
    assert_eq!(smells, 62);

    // Before 10.2: the legacy severity decides.
    let (_, old) =
        corpus::import("sonarqube-extra/api_issues_search_pre10.2_utf8bom_yazoo_225issues.json");
    let counts = |sev| old.iter().filter(|f| f.severity == sev).count();
    assert_eq!(
        (
            counts(Severity::High),
            counts(Severity::Medium),
            counts(Severity::Low)
        ),
        (74, 132, 19)
    );
    assert!(old.iter().all(|f| {
        f.description
            .as_deref()
            .is_some_and(|d| d.contains("Severity from `severity`"))
    }));

    // 2025 official example: no legacy fields at all.
    let (_, example) =
        corpus::import("sonarqube-extra/sonarsource_api_issues_search-example_2025.json");
    let f = &example[0];
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.severity_original.as_deref(), Some("HIGH"));
    assert_eq!(f.tool_status.as_deref(), Some("ACCEPTED"));
    assert_eq!(f.category.as_deref(), Some("vulnerability"));
    assert_eq!(
        f.location.file.as_deref(),
        Some("com.github.kevinsawicki.http.HttpRequest")
    );
}

#[test]
fn hotspots_statuses_and_api_fields() {
    let (_, hotspots) =
        corpus::import("sonarqube-extra/api_hotspots_search_utf8bom_yazoo_20hotspots.json");
    let counts = |sev| hotspots.iter().filter(|f| f.severity == sev).count();
    assert_eq!(
        (
            counts(Severity::High),
            counts(Severity::Medium),
            counts(Severity::Low)
        ),
        (12, 7, 1)
    );
    assert!(
        hotspots
            .iter()
            .all(|f| f.category.as_deref() == Some("security_hotspot")
                && f.tool_status.as_deref() == Some("TO_REVIEW"))
    );

    let (_, issues) = corpus::import("api_sonarqube/issues.json");
    let statuses: Vec<Option<&str>> = issues.iter().map(|f| f.tool_status.as_deref()).collect();
    assert_eq!(
        statuses,
        [
            Some("CONFIRMED"),
            Some("RESOLVED/FALSE-POSITIVE"),
            Some("OPEN")
        ]
    );
    let first = &issues[0];
    assert_eq!(first.severity, Severity::Medium);
    assert_eq!(
        first.title,
        "Remove this useless assignment to local variable \"currentValue\"."
    );
    assert_eq!(
        first.location.file.as_deref(),
        Some("src/main/javascript/TranslateDirective.ts")
    );
    assert_eq!(first.location.line_start, Some(242));
    assert_eq!(
        first.location.target.as_deref(),
        Some("internal.dummy.project")
    );

    // OWASP dependency-check plugin issues carry their advisory and CWE in the message.
    let (_, deps) = corpus::import("sonarqube/findings_over_api_multi_cwe_fabricated.json");
    assert_eq!(deps[0].aliases, ["CVE-2024-2529"]);
    assert_eq!(deps[0].cwe, ["CWE-120", "CWE-79"]);

    // sonar-report: HIGH/MEDIUM/LOW and the legacy names both map.
    let (_, report) = corpus::import("sonarqube/issue_10150.json");
    let sev: Vec<Severity> = report.iter().map(|f| f.severity).collect();
    assert_eq!(sev, [Severity::High, Severity::High, Severity::Medium]);
    let (_, six) = corpus::import("sonarqube/sonar-6-findings.json");
    assert_eq!(
        six.iter().filter(|f| f.severity == Severity::High).count(),
        1,
        "one CRITICAL (→ high), five MINOR"
    );
    assert!(
        six.iter()
            .all(|f| f.category.as_deref() == Some("security_hotspot"))
    );
    assert_eq!(six[0].location.line_start, Some(8));
    assert_eq!(six[0].cwe, ["CWE-352"], "from the rule description");
}

#[test]
fn closed_issues_are_not_findings() {
    let input = br#"{"paging": {"pageIndex": 1, "pageSize": 100, "total": 2}, "issues": [
        {"key": "a", "rule": "java:S1", "component": "p:A.java", "project": "p", "severity": "MAJOR", "status": "CLOSED", "resolution": "FIXED"},
        {"key": "b", "rule": "java:S1", "component": "p:A.java", "project": "p", "severity": "MAJOR", "status": "RESOLVED", "resolution": "WONTFIX"}
    ]}"#;
    let findings = import_bytes(input);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].tool_status.as_deref(), Some("RESOLVED/WONTFIX"));
}

#[test]
fn snapshot_of_api_issues() {
    let (_, findings) = corpus::import("api_sonarqube/issues.json");
    insta::assert_json_snapshot!("sonarqube_api_issues", findings);
}

#[test]
fn snapshot_of_sonar_report() {
    let (_, findings) = corpus::import("sonarqube/issue_10150.json");
    insta::assert_json_snapshot!("sonar_report_issue_10150", findings);
}

/// Reorders the records, rewords messages and descriptions, shifts lines and changes white
/// space: the set of fingerprints stays the same.
fn perturb(doc: &mut Value, list: &str) {
    let records = match doc {
        Value::Array(items) => items,
        Value::Object(map) => match map.get_mut(list) {
            Some(Value::Array(items)) => items,
            _ => panic!("no {list}"),
        },
        _ => panic!("unexpected document"),
    };
    records.reverse();
    for record in records.iter_mut() {
        let Value::Object(r) = record else { continue };
        for field in ["message", "description"] {
            if let Some(Value::String(s)) = r.get_mut(field) {
                *s = format!("Reworded: {s}");
            }
        }
        if let Some(line) = r.get("line").and_then(Value::as_i64) {
            r.insert("line".into(), Value::from(line + 3));
        }
        if let Some(Value::Object(range)) = r.get_mut("textRange") {
            for k in ["startLine", "endLine"] {
                if let Some(l) = range.get(k).and_then(Value::as_i64) {
                    range.insert(k.into(), Value::from(l + 3));
                }
            }
        }
    }
}

fn fingerprints(findings: &[Finding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.fingerprint.clone()).collect()
}

#[test]
fn fingerprints_survive_reordering_rewording_and_moved_lines() {
    for (file, list) in [
        (
            "sonarqube-extra/api_issues_search_2025_dvpwa_74issues.json",
            "issues",
        ),
        (
            "sonarqube-extra/api_issues_search_pre10.2_utf8bom_yazoo_225issues.json",
            "issues",
        ),
        (
            "sonarqube-extra/api_hotspots_search_snailshop_15hotspots.json",
            "hotspots",
        ),
        ("sonarqube/findings_over_api.json", "issues"),
        ("sonarqube/sonar-6-findings.json", "issues"),
        ("api_sonarqube/issues.json", "issues"),
    ] {
        let (_, original) = corpus::import(file);
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        let mut doc: Value =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).expect("json");
        perturb(&mut doc, list);
        let compact = serde_json::to_string(&doc).expect("json");
        let pretty = serde_json::to_string_pretty(&doc).expect("json");
        for variant in [compact, pretty.replace('\n', "\r\n")] {
            let changed = import_bytes(variant.as_bytes());
            assert_eq!(changed.len(), original.len(), "{file}");
            assert_eq!(fingerprints(&changed), fingerprints(&original), "{file}");
        }
        // Distinct issues keep distinct fingerprints, even on identical lines (dvpwa has 13).
        if !file.ends_with("findings_over_api.json") {
            assert_eq!(fingerprints(&original).len(), original.len(), "{file}");
        }
    }
}

#[test]
fn a_hotspot_has_the_same_fingerprint_in_the_api_and_in_sonar_report() {
    let api = br#"{"paging": {"pageIndex": 1, "pageSize": 100, "total": 1}, "hotspots": [
        {"key": "AYvNd32RyD1npIoQXyT1", "component": "vulnerable-flask-app:vulnerable-flask-app.py", "project": "vulnerable-flask-app",
         "securityCategory": "csrf", "vulnerabilityProbability": "HIGH", "status": "TO_REVIEW", "line": 8,
         "message": "Make sure disabling CSRF protection is safe here.", "ruleKey": "python:S4502"}]}"#;
    let (_, report) = corpus::import("sonarqube/sonar-6-findings.json");
    let from_api = import_bytes(api);
    assert_eq!(from_api[0].fingerprint, report[0].fingerprint);
}

/// A sonar-report export with the given members, in the given order.
fn report(members: &[&str]) -> String {
    format!("{{{}}}", members.join(","))
}

const PROJECT: &str =
    r#""projectName":"Shop","sonarBaseURL":"https://sonar.example.com","sonarComponent":"shop""#;
const RULES: &str = r#""rules":{"java:S2077":{"name":"SQL","htmlDesc":"<p>Formatting SQL queries is security-sensitive</p>"}}"#;
const ISSUES: &str = r#""issues":[
    {"key":"k1","rule":"java:S2077","severity":"MAJOR","component":"shop:src/A.java","line":3,"message":"one","status":"OPEN","type":"VULNERABILITY"},
    {"key":"k2","rule":"java:S2077","severity":"MAJOR","component":"shop:src/B.java","line":4,"message":"two","status":"TO_REVIEW"}]"#;
const HOTSPOTS: &str = r#""hotspotKeys":["k2"]"#;

#[test]
fn sonar_report_issues_are_handed_on_as_they_are_read() {
    let doc = report(&[PROJECT, RULES, ISSUES, HOTSPOTS]);
    let cut = &doc[..doc.find(ISSUES).unwrap() + ISSUES.len() - 1];
    let mut messages = Vec::new();
    let err = importers::import(cut.as_bytes(), Some("sonar-report-json"), &mut |f| {
        messages.push(f.title);
        Ok(())
    })
    .unwrap_err();
    assert!(err.to_string().contains("EOF"), "{err}");
    assert_eq!(messages.len(), 2, "{messages:?}");
}

#[test]
fn sonar_report_rules_after_the_issues_read_the_same() {
    let first =
        importers::import_to_vec(report(&[PROJECT, RULES, ISSUES, HOTSPOTS]).as_bytes(), None)
            .unwrap();
    let last =
        importers::import_to_vec(report(&[PROJECT, ISSUES, HOTSPOTS, RULES]).as_bytes(), None)
            .unwrap();
    assert_eq!(format!("{first:?}"), format!("{last:?}"));
    assert!(
        first.0.info.warnings.is_empty(),
        "{:?}",
        first.0.info.warnings
    );
    let categories: Vec<_> = first.1.iter().map(|f| f.category.clone()).collect();
    assert_eq!(
        categories,
        vec![
            Some("vulnerability".to_string()),
            Some("security_hotspot".to_string())
        ]
    );
    assert!(
        first.1[0]
            .description
            .as_deref()
            .unwrap_or_default()
            .contains("security-sensitive")
    );
}

#[test]
fn sonar_report_hotspot_keys_naming_a_plain_issue_warn() {
    let (imported, findings) = importers::import_to_vec(
        report(&[PROJECT, RULES, ISSUES, r#""hotspotKeys":["k1","k2"]"#]).as_bytes(),
        None,
    )
    .unwrap();
    assert_eq!(findings[0].category.as_deref(), Some("vulnerability"));
    let warnings = &imported.info.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("`hotspotKeys` names 1 issue(s) read as plain issues"),
        "{warnings:?}"
    );
    // Read before the issues, the list decides.
    let (imported, findings) = importers::import_to_vec(
        report(&[PROJECT, RULES, r#""hotspotKeys":["k1","k2"]"#, ISSUES]).as_bytes(),
        None,
    )
    .unwrap();
    assert_eq!(findings[0].category.as_deref(), Some("security_hotspot"));
    assert!(imported.info.warnings.is_empty());
}
