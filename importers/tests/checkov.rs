use crate::corpus;
use domain::ToolDecision;
use importers::{Finding, Kind, Severity};
use serde_json::Value;
use std::collections::BTreeSet;

const HANDWRITTEN: &str =
    "checkov/checkov_HANDWRITTEN_3.2_skipped_secrets_kubernetes_dockerfile.json";

/// Our counts for every Checkov file of the corpus: records the importer hands on, and distinct
/// fingerprints. DefectDojo's counts are in `corpus/checkov/SOURCES.md`; ours are the same for
/// its files (failed checks only: they have no skipped ones).
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    ("checkov/checkov-report-0-vuln.json", "checkov-json", 0, 0),
    ("checkov/checkov-report-1-vuln.json", "checkov-json", 1, 1),
    (
        "checkov/checkov-report-many-vuln.json",
        "checkov-json",
        3,
        3,
    ),
    (
        "checkov/checkov-report-multiple-check_type.json",
        "checkov-json",
        13,
        13,
    ),
    ("checkov/checkov-report-severity.json", "checkov-json", 4, 4),
    ("checkov/checkov2-report-0-vuln.json", "checkov-json", 0, 0),
    // 5 failed checks and 1 skipped one (a tool decision), which DefectDojo leaves out.
    (HANDWRITTEN, "checkov-json", 6, 6),
];

use corpus::fingerprints;

#[test]
fn every_corpus_file_imports_with_its_expected_counts() {
    corpus::assert_counts("checkov", "checkov", &[], EXPECTED);
}

/// Every failed or skipped record of every framework in a file, as JSON values.
fn records(file: &str) -> Vec<Value> {
    let raw: Value = serde_json::from_slice(&std::fs::read(corpus::path(file)).unwrap()).unwrap();
    let reports = match raw {
        Value::Array(list) => list,
        other => vec![other],
    };
    let mut out = Vec::new();
    for report in reports {
        for list in ["failed_checks", "skipped_checks"] {
            if let Some(items) = report["results"][list].as_array() {
                out.extend(items.iter().cloned());
            }
        }
    }
    out
}

/// No two distinct records of a corpus file merge: the distinct (check, file, resource, lines,
/// code) are as many as the distinct fingerprints.
#[test]
fn distinct_records_never_merge() {
    for (file, ..) in EXPECTED {
        let distinct: BTreeSet<String> = records(file)
            .iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}|{}",
                    r["check_id"],
                    r["file_path"],
                    r["resource"],
                    r["file_line_range"],
                    r["code_block"]
                )
            })
            .collect();
        let (_, findings) = corpus::import(file);
        assert_eq!(fingerprints(&findings).len(), distinct.len(), "{file}");
    }
}

#[test]
fn fields_of_each_framework() {
    let (imported, findings) = corpus::import("checkov/checkov-report-multiple-check_type.json");
    assert_eq!(imported.info.tool_version.as_deref(), Some("2.0.209"));
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Misconfiguration);
    assert_eq!(f.rule_id, "CKV_AWS_161");
    assert_eq!(
        f.title,
        "Ensure RDS database has IAM authentication enabled"
    );
    assert_eq!(f.category.as_deref(), Some("terraform"));
    assert_eq!(f.location.file.as_deref(), Some("/aws/db-app.tf"));
    assert_eq!(
        f.location.resource.as_deref(),
        Some("aws_db_instance.default")
    );
    assert_eq!(
        (f.location.line_start, f.location.line_end),
        (Some(1), Some(41))
    );
    // No severity without a platform key: unknown (DefectDojo: Medium).
    assert_eq!(f.severity, Severity::Unknown);
    let docker = &findings[11];
    assert_eq!(docker.rule_id, "CKV_DOCKER_3");
    assert_eq!(docker.category.as_deref(), Some("dockerfile"));
    assert_eq!(
        docker.references,
        ["https://docs.bridgecrew.io/docs/ensure-that-a-user-for-the-container-has-been-created"]
    );

    let (_, findings) = corpus::import("checkov/checkov-report-severity.json");
    let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
    assert_eq!(
        severities,
        [
            Severity::Medium,
            Severity::Medium,
            Severity::Low,
            Severity::High
        ]
    );
    let (imported, _) = corpus::import("checkov/checkov2-report-0-vuln.json");
    assert_eq!(imported.info.tool_version.as_deref(), Some("2.1.269"));
}

/// A skipped check is a finding with Checkov's decision, its suppress comment kept; a secret
/// is a secret; two `EXPOSE` lines on the one resource a Dockerfile has are two findings.
#[test]
fn skipped_checks_secrets_and_shared_resources() {
    let (imported, findings) = corpus::import(HANDWRITTEN);
    assert_eq!(imported.info.tool_version.as_deref(), Some("3.2.255"));
    let skipped: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.tool_status.is_some())
        .collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].rule_id, "CKV_AWS_20");
    assert_eq!(skipped[0].tool_status.as_deref(), Some("skipped"));
    assert_eq!(ToolDecision::of("skipped"), Some(ToolDecision::Suppressed));
    assert!(
        skipped[0]
            .description
            .as_deref()
            .unwrap()
            .contains("Skipped in Checkov: The bucket serves the public website on purpose")
    );
    let secret = findings
        .iter()
        .find(|f| f.rule_id == "CKV_SECRET_2")
        .unwrap();
    assert_eq!(secret.kind, Kind::Secret);
    assert_eq!(secret.category.as_deref(), Some("secrets"));
    let k8s = findings.iter().find(|f| f.rule_id == "CKV_K8S_20").unwrap();
    assert_eq!(
        k8s.location.resource.as_deref(),
        Some("Deployment.default.web")
    );
    let exposed: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.rule_id == "CKV_DOCKER_1")
        .map(|f| f.fingerprint.as_str())
        .collect();
    assert_eq!(exposed.len(), 2);
}

/// The identity is check, file and resource: moving the resource's lines keeps it; the code is
/// used only to tell a second record of one check and resource apart.
#[test]
fn identity_survives_moved_lines() {
    let text = std::fs::read_to_string(corpus::path(HANDWRITTEN)).unwrap();
    let moved = text.replace(
        "\"file_line_range\": [\n                        1,",
        "\"file_line_range\": [\n                        7,",
    );
    assert_ne!(moved, text);
    let a = importers::import_to_vec(text.as_bytes(), None).unwrap().1;
    let b = importers::import_to_vec(moved.as_bytes(), None).unwrap().1;
    assert_eq!(fingerprints(&a), fingerprints(&b));
}

#[test]
fn a_report_object_without_results_is_an_error() {
    let err =
        importers::import_to_vec(&br#"{"check_type": "terraform"}"#[..], Some("checkov-json"))
            .unwrap_err()
            .to_string();
    assert!(
        err.starts_with("checkov-json: ") && err.contains("results"),
        "{err}"
    );
}

#[test]
fn snapshot_of_one_vuln() {
    let (imported, findings) = corpus::import("checkov/checkov-report-1-vuln.json");
    insta::assert_json_snapshot!("checkov_report_1_vuln", (imported.info, findings));
}

#[test]
fn detection_claims_only_checkov_files() {
    corpus::assert_detected_as_listed("checkov", EXPECTED);
}

/// A Checkov record with a key named `extra` is still Checkov's, not Semgrep's.
#[test]
fn a_checkov_report_with_an_extra_key_is_checkov() {
    let text = r#"{"check_type": "terraform", "results": {"failed_checks": [{"check_id": "CKV_AWS_18",
        "extra": {}, "file_path": "/a.tf", "resource": "aws_s3_bucket.a"}]}}"#;
    let (imported, findings) = importers::import_to_vec(text.as_bytes(), None).unwrap();
    assert_eq!(imported.format, "checkov-json");
    assert_eq!(findings.len(), 1);
}
