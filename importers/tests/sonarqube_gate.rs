use crate::corpus;
use importers::{Kind, Severity};

const FAILED: &str =
    "sonarqube-quality-gate/api_qualitygates_project_status_HANDWRITTEN_error_3_failed.json";
const PASSED: &str = "sonarqube-quality-gate/api_qualitygates_project_status_HANDWRITTEN_ok.json";

/// Our counts: one finding per failed condition; a passed gate has none.
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    (FAILED, "sonarqube-quality-gate-json", 3, 3),
    (PASSED, "sonarqube-quality-gate-json", 0, 0),
];

#[test]
fn every_corpus_file_imports_with_its_expected_counts() {
    corpus::assert_counts(
        "sonarqube-quality-gate",
        "sonarqube-quality-gate",
        &[],
        EXPECTED,
    );
}

#[test]
fn failed_conditions_are_findings_named_by_metric() {
    let (_, findings) = corpus::import(FAILED);
    let rules: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(
        rules,
        [
            "quality_gate:new_coverage",
            "quality_gate:new_security_rating",
            "quality_gate:new_security_hotspots_reviewed"
        ]
    );
    let coverage = &findings[0];
    assert_eq!(coverage.kind, Kind::Code);
    assert_eq!(coverage.category.as_deref(), Some("quality_gate"));
    assert_eq!(coverage.severity, Severity::High);
    assert_eq!(
        coverage.title,
        "Quality gate condition failed: new_coverage"
    );
    let description = coverage.description.as_deref().unwrap();
    assert!(
        description.contains("new_coverage is 61.4; the gate fails when it is less than 80."),
        "{description}"
    );
    assert!(
        description.contains("previous_version 1.0.0"),
        "{description}"
    );
}

/// The identity is the metric: another analysis with other values fails the same condition.
#[test]
fn identity_is_the_metric_not_the_values() {
    let text = std::fs::read_to_string(corpus::path(FAILED)).unwrap();
    let later = text
        .replace("\"61.4\"", "\"58.0\"")
        .replace("\"80\"", "\"85\"");
    assert_ne!(text, later);
    let a = importers::import_to_vec(text.as_bytes(), None).unwrap().1;
    let b = importers::import_to_vec(later.as_bytes(), None).unwrap().1;
    let fps =
        |v: &[importers::Finding]| v.iter().map(|f| f.fingerprint.clone()).collect::<Vec<_>>();
    assert_eq!(fps(&a), fps(&b));
}

#[test]
fn a_failed_gate_without_failed_conditions_and_a_missing_gate() {
    let (_, findings) = importers::import_to_vec(
        &br#"{"projectStatus": {"status": "ERROR", "conditions": []}}"#[..],
        None,
    )
    .unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "quality_gate");
    let (imported, findings) = importers::import_to_vec(
        &br#"{"projectStatus": {"status": "NONE", "ignoredConditions": false}}"#[..],
        None,
    )
    .unwrap();
    assert!(findings.is_empty());
    assert_eq!(
        imported.info.warnings,
        ["the project has no quality gate (status NONE)"]
    );
}

#[test]
fn errors_name_format_and_position() {
    let text = importers::import_to_vec(
        &br#"{"projectStatus": {"status": "ERROR", "conditions": [{"status": 5}]}}"#[..],
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(text.starts_with("sonarqube-quality-gate-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn snapshot_of_a_failed_gate() {
    let (imported, findings) = corpus::import(FAILED);
    insta::assert_json_snapshot!("sonarqube_quality_gate_failed", (imported.info, findings));
}

#[test]
fn detection_claims_only_quality_gate_files() {
    corpus::assert_detected_as_listed("sonarqube-quality-gate", EXPECTED);
}

#[test]
fn the_corpus_responses_need_no_warning() {
    for (file, ..) in EXPECTED {
        assert!(corpus::import(file).0.info.warnings.is_empty(), "{file}");
    }
}
