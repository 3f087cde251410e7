use crate::corpus;
use importers::{Finding, Kind, Severity};
use serde_json::Value;
use std::collections::BTreeSet;

/// Our counts for every Semgrep file of the corpus: records the importer hands on, and distinct
/// fingerprints (what the store keeps). DefectDojo's counts are in `corpus/semgrep/SOURCES.md`;
/// where ours differ, the comment says why (and docs/FORMATS.md, "Semgrep JSON").
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    (
        "semgrep/close_old_findings_report_line31.json",
        "semgrep-json",
        1,
        1,
    ),
    (
        "semgrep/close_old_findings_report_second_run_line24.json",
        "semgrep-json",
        1,
        1,
    ),
    (
        "semgrep/close_old_findings_report_third_run_different_unique_id.json",
        "semgrep-json",
        1,
        1,
    ),
    ("semgrep/cwe_list.json", "semgrep-json", 1, 1),
    ("semgrep/empty.json", "semgrep-json", 0, 0),
    ("semgrep/fingerprint_test.json", "semgrep-json", 2, 2),
    (
        "semgrep/high-medium-low-severities.json",
        "semgrep-json",
        3,
        3,
    ),
    ("semgrep/issue_8435.json", "semgrep-json", 1, 1),
    ("semgrep/many_findings.json", "semgrep-json", 3, 3),
    (
        "semgrep/multiple_cwes_fabricated.json",
        "semgrep-json",
        1,
        1,
    ),
    ("semgrep/one_finding.json", "semgrep-json", 1, 1),
    // The same result twice (same rule, file, position and code): one finding, as DefectDojo.
    ("semgrep/repeated_findings.json", "semgrep-json", 2, 1),
    (
        "semgrep/semgrep_version_1_30_0_line_26.json",
        "semgrep-json",
        5,
        5,
    ),
    (
        "semgrep/semgrep_version_1_30_0_line_27.json",
        "semgrep-json",
        5,
        5,
    ),
];

/// The Semgrep App API's supply-chain export (`vulns[]`) is not this format.
const NOT_SEMGREP_JSON: &[&str] = &["semgrep/sca-deployments-vulns.json"];

use corpus::fingerprints;

#[test]
fn every_corpus_file_imports_with_its_expected_counts() {
    corpus::assert_counts("semgrep", "semgrep", NOT_SEMGREP_JSON, EXPECTED);
}

/// No two distinct results of a corpus file merge: the distinct (rule, file, start, matched
/// code) of the raw results are as many as the distinct fingerprints.
#[test]
fn distinct_results_never_merge() {
    for (file, ..) in EXPECTED {
        let raw: Value =
            serde_json::from_slice(&std::fs::read(corpus::path(file)).unwrap()).unwrap();
        let results = raw["results"].as_array().unwrap();
        let distinct: BTreeSet<String> = results
            .iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}",
                    r["check_id"], r["path"], r["start"], r["extra"]["lines"]
                )
            })
            .collect();
        let (_, findings) = corpus::import(file);
        assert_eq!(fingerprints(&findings).len(), distinct.len(), "{file}");
    }
}

#[test]
fn fields_of_a_result() {
    let (imported, findings) = corpus::import("semgrep/one_finding.json");
    assert_eq!(imported.info.tool_version, None);
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Code);
    assert_eq!(
        f.rule_id,
        "java.lang.security.audit.cbc-padding-oracle.cbc-padding-oracle"
    );
    assert_eq!(
        f.title,
        "Using CBC with PKCS5Padding is susceptible to padding orcale attacks."
    );
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.severity_original.as_deref(), Some("WARNING"));
    assert_eq!(f.cwe, ["CWE-696"]);
    assert_eq!(
        f.location.file.as_deref(),
        Some("src/main/java/org/owasp/benchmark/testcode/BenchmarkTest02194.java")
    );
    assert_eq!(
        (f.location.line_start, f.location.line_end),
        (Some(64), Some(64))
    );
    assert_eq!(
        f.remediation.as_deref(),
        Some("javax crypto Cipher.getInstance(\"AES/GCM/NoPadding\");")
    );

    let (_, findings) = corpus::import("semgrep/multiple_cwes_fabricated.json");
    assert_eq!(findings[0].cwe, ["CWE-327", "CWE-696"]);
    let (imported, findings) = corpus::import("semgrep/issue_8435.json");
    assert_eq!(imported.info.tool_version.as_deref(), Some("1.33.2"));
    assert_eq!(findings[0].kind, Kind::Secret);
    assert_eq!(findings[0].severity, Severity::High);
    let (_, findings) = corpus::import("semgrep/high-medium-low-severities.json");
    assert!(findings.iter().all(|f| f.severity == Severity::Low));
}

/// A match that only moved lines keeps its identity (DefectDojo: the same, by Semgrep's
/// fingerprint); so does one whose Semgrep fingerprint changed while its code did not (the
/// "third run" fixture; DefectDojo closes the old finding and opens a new one).
#[test]
fn moved_lines_keep_their_identity() {
    let fp = |file: &str| corpus::import(file).1[0].fingerprint.clone();
    let first = fp("semgrep/close_old_findings_report_line31.json");
    assert_eq!(
        first,
        fp("semgrep/close_old_findings_report_second_run_line24.json")
    );
    assert_eq!(
        first,
        fp("semgrep/close_old_findings_report_third_run_different_unique_id.json")
    );
    let a = corpus::import("semgrep/semgrep_version_1_30_0_line_26.json").1;
    let b = corpus::import("semgrep/semgrep_version_1_30_0_line_27.json").1;
    assert_eq!(fingerprints(&a), fingerprints(&b));
}

fn result(line: i64, code: &str) -> String {
    format!(
        r#"{{"check_id": "generic.secrets.security.detected-generic-secret", "path": "app/config.py",
            "start": {{"line": {line}, "col": 1}}, "end": {{"line": {line}, "col": 30}},
            "extra": {{"message": "Generic Secret detected", "severity": "ERROR", "lines": {code:?}}}}}"#
    )
}

fn import(results: &[String]) -> Vec<Finding> {
    let text = format!(
        r#"{{"version": "1.100.0", "results": [{}], "errors": []}}"#,
        results.join(",")
    );
    importers::import_to_vec(text.as_bytes(), None).unwrap().1
}

/// Issue 18's example: one rule matching two different secrets on lines 12 and 13 of one file
/// is two findings; moving both keeps both identities; the same code on two lines is two
/// findings told apart by their order.
#[test]
fn one_rule_on_two_lines_with_different_code_is_two_findings() {
    let two = import(&[
        result(12, "API_KEY = 'a1b2c3'"),
        result(13, "TOKEN = 'z9y8x7'"),
    ]);
    assert_eq!(fingerprints(&two).len(), 2);
    let moved = import(&[
        result(40, "API_KEY  =  'a1b2c3'"),
        result(52, "TOKEN = 'z9y8x7'"),
    ]);
    assert_eq!(fingerprints(&two), fingerprints(&moved));
    let same_code = import(&[result(12, "KEY = 'x'"), result(30, "KEY = 'x'")]);
    assert_eq!(fingerprints(&same_code).len(), 2);
    let one_more = import(&[
        result(12, "KEY = 'x'"),
        result(30, "KEY = 'x'"),
        result(31, "OTHER = 'y'"),
    ]);
    assert!(fingerprints(&one_more).is_superset(&fingerprints(&same_code)));
}

#[test]
fn nosemgrep_results_carry_a_tool_decision() {
    let text = r#"{"results": [{"check_id": "r", "path": "a.py", "start": {"line": 1}, "end": {"line": 1},
        "extra": {"message": "m", "severity": "INFO", "lines": "x", "is_ignored": true}}], "errors": []}"#;
    let findings = importers::import_to_vec(text.as_bytes(), None).unwrap().1;
    assert_eq!(findings[0].tool_status.as_deref(), Some("suppressed"));
    assert_eq!(
        domain::ToolDecision::of("suppressed"),
        Some(domain::ToolDecision::Suppressed)
    );
}

#[test]
fn a_json_file_without_results_is_an_error() {
    let err =
        importers::import_to_vec(&br#"{"errors": [], "paths": {}}"#[..], Some("semgrep-json"))
            .unwrap_err()
            .to_string();
    assert!(
        err.starts_with("semgrep-json: ") && err.contains("results"),
        "{err}"
    );
}

#[test]
fn snapshot_of_one_finding() {
    let (imported, findings) = corpus::import("semgrep/one_finding.json");
    insta::assert_json_snapshot!("semgrep_one_finding", (imported.info, findings));
}

#[test]
fn detection_claims_only_semgrep_files() {
    corpus::assert_detected_as_listed("semgrep", EXPECTED);
}
