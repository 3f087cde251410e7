use crate::corpus;
use importers::{Finding, Kind, Severity};
use serde_json::Value;
use std::collections::BTreeSet;

/// Our counts for every Bandit file of the corpus: records the importer hands on, and distinct
/// fingerprints (what the store keeps). DefectDojo's counts are in `corpus/bandit/SOURCES.md`.
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    ("bandit/dd.json", "bandit-json", 47, 47),
    // DefectDojo 214: results 20 and 21 are the same B608 match (same file, line and code)
    // reported twice; the store keeps one finding (docs/FORMATS.md, "Bandit JSON").
    ("bandit/many_vulns.json", "bandit-json", 214, 213),
    ("bandit/no_vuln.json", "bandit-json", 0, 0),
    ("bandit/one_vuln.json", "bandit-json", 1, 1),
];

use corpus::fingerprints;

#[test]
fn every_corpus_file_imports_with_its_expected_counts() {
    corpus::assert_counts("bandit", "bandit", &[], EXPECTED);
}

/// No two distinct results of a corpus file merge: the distinct (test, file, line, excerpt)
/// of the raw results are as many as the distinct fingerprints.
#[test]
fn distinct_results_never_merge() {
    for (file, ..) in EXPECTED {
        let raw: Value =
            serde_json::from_slice(&std::fs::read(corpus::path(file)).unwrap()).unwrap();
        let distinct: BTreeSet<String> = raw["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}",
                    r["test_id"], r["filename"], r["line_number"], r["code"]
                )
            })
            .collect();
        let (_, findings) = corpus::import(file);
        assert_eq!(fingerprints(&findings).len(), distinct.len(), "{file}");
    }
}

#[test]
fn fields_of_a_result() {
    let (imported, findings) = corpus::import("bandit/one_vuln.json");
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2020-12-30T10:03:39Z")
    );
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Code);
    assert_eq!(f.rule_id, "B101");
    assert_eq!(
        f.title,
        "Use of assert detected. The enclosed code will be removed when compiling to optimised byte code."
    );
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(f.location.file.as_deref(), Some("one/one.py"));
    assert_eq!(f.location.line_start, Some(2));
    assert_eq!(
        f.references,
        ["https://bandit.readthedocs.io/en/latest/plugins/b101_assert_used.html"]
    );
    let (_, findings) = corpus::import("bandit/many_vulns.json");
    assert_eq!(
        findings[0].location.file.as_deref(),
        Some("dojo/benchmark\\views.py")
    );
    assert_eq!(findings[0].location.line_end, Some(27));
    let (_, findings) = corpus::import("bandit/dd.json");
    assert_eq!(findings[0].rule_id, "B303");
    assert_eq!(findings[0].severity, Severity::Medium);
}

fn result(line: i64, code_line: &str) -> String {
    let code = format!(
        "{} import x\n{line} {code_line}\n{} pass\n",
        line - 1,
        line + 1
    );
    format!(
        r#"{{"code": {code:?}, "filename": "app/db.py", "issue_confidence": "MEDIUM",
            "issue_cwe": {{"id": 89, "link": "https://cwe.mitre.org/data/definitions/89.html"}},
            "issue_severity": "MEDIUM", "issue_text": "Possible SQL injection vector.",
            "line_number": {line}, "line_range": [{line}], "col_offset": 4, "test_id": "B608",
            "test_name": "hardcoded_sql_expressions"}}"#
    )
}

fn import(results: &[String]) -> Vec<Finding> {
    let text = format!(
        r#"{{"errors": [], "generated_at": "2026-01-01T00:00:00Z", "metrics": {{}}, "results": [{}]}}"#,
        results.join(",")
    );
    importers::import_to_vec(text.as_bytes(), None).unwrap().1
}

/// Two lines with different code are two findings; moving both keeps both; the same code on
/// two lines is two findings; the CWE of newer Bandit versions is read.
#[test]
fn identity_is_the_code_line_not_the_line_number() {
    let two = import(&[
        result(12, "q = 'SELECT ' + a"),
        result(13, "q = 'DELETE ' + b"),
    ]);
    assert_eq!(fingerprints(&two).len(), 2);
    assert_eq!(two[0].cwe, ["CWE-89"]);
    let moved = import(&[
        result(40, "q  = 'SELECT ' + a"),
        result(52, "q = 'DELETE ' + b"),
    ]);
    assert_eq!(fingerprints(&two), fingerprints(&moved));
    let same = import(&[
        result(12, "q = 'SELECT ' + a"),
        result(30, "q = 'SELECT ' + a"),
    ]);
    assert_eq!(fingerprints(&same).len(), 2);
}

#[test]
fn snapshot_of_one_vuln() {
    let (imported, findings) = corpus::import("bandit/one_vuln.json");
    insta::assert_json_snapshot!("bandit_one_vuln", (imported.info, findings));
}

#[test]
fn detection_claims_only_bandit_files() {
    corpus::assert_detected_as_listed("bandit", EXPECTED);
}
