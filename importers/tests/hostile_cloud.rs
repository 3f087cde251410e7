//! Hostile input for the cloud and cluster formats (Inspector2, Security Hub, ECR, kube-bench,
//! Trivy Operator): errors that name the format and the place, deep nesting, wrong types, and
//! arbitrary bytes after each format's head. Truncation of every corpus file is in `hostile.rs`.

use crate::hostile::import_error;
use proptest::prelude::*;

/// The start of a report of each format, up to the inside of a record.
const HEADS: &[(&str, &str)] = &[
    (
        "aws-inspector2-json",
        r#"{"findings": [{"findingArn": "arn:aws:inspector2:eu-west-1:1:finding/a", "type": "PACKAGE_VULNERABILITY", "packageVulnerabilityDetails": "#,
    ),
    (
        "aws-securityhub-asff-json",
        r#"{"Findings": [{"SchemaVersion": "2018-10-08", "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/inspector", "Vulnerabilities": "#,
    ),
    (
        "aws-ecr-scan-json",
        r#"{"imageScanFindings": {"findings": [{"name": "CVE-1", "attributes": "#,
    ),
    (
        "kube-bench-json",
        r#"{"Controls": [{"id": "1", "node_type": "master", "tests": [{"results": [{"test_number": "#,
    ),
    (
        "trivy-operator-json",
        r#"{"apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "VulnerabilityReport", "report": {"vulnerabilities": "#,
    ),
];

#[test]
fn wrong_types_are_errors_naming_format_and_position() {
    for (format, head) in HEADS {
        let input = format!("{head}5}}]}}");
        let text = import_error(input.as_bytes(), None).to_string();
        assert!(text.starts_with(&format!("{format}: ")), "{format}: {text}");
        assert!(text.contains("line 1, column"), "{format}: {text}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for (format, head) in HEADS {
        let mut input = head.to_string();
        input.push_str(&"[".repeat(100_000));
        let text = import_error(input.as_bytes(), None).to_string();
        assert!(text.starts_with(&format!("{format}: ")), "{format}: {text}");
    }
}

#[test]
fn cut_reports_are_errors_that_say_so() {
    for (format, head) in HEADS {
        let text = import_error(head.as_bytes(), None).to_string();
        assert!(text.starts_with(&format!("{format}: ")), "{format}: {text}");
        assert!(text.contains("truncated file"), "{format}: {text}");
    }
}

#[test]
fn many_tiny_records_stream() {
    let record = r#"{"type": "PACKAGE_VULNERABILITY", "findingArn": "arn:aws:inspector2:r:1:finding/x", "resources": [{"id": "i-1"}], "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-1", "vulnerablePackages": [{"name": "p"}]}}"#;
    let input = format!("{{\"findings\": [{}]}}", vec![record; 20_000].join(","));
    let mut count = 0;
    importers::import(input.as_bytes(), None, &mut |_| {
        count += 1;
        Ok(())
    })
    .expect("imports");
    assert_eq!(count, 20_000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_after_cloud_heads_never_panic(
        which in 0usize..5,
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = HEADS[which].1.as_bytes().to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
        let _ = importers::import_to_vec(&bytes[..], Some(HEADS[which].0));
    }

    /// Well-formed records made of arbitrary values in the fields the importers read.
    #[test]
    fn arbitrary_values_never_panic(
        which in 0usize..5,
        text in "\\PC{0,40}",
        number in any::<f64>(),
        line in any::<i64>(),
    ) {
        let s = serde_json::to_string(&text).unwrap();
        let n = if number.is_finite() { number.to_string() } else { "0".into() };
        let input = match which {
            0 => format!(r#"{{"findings": [{{"findingArn": {s}, "type": "CODE_VULNERABILITY", "severity": {s}, "status": {s}, "resources": [{{"id": {s}, "type": {s}}}], "inspectorScore": {n}, "epss": {{"score": {s}}}, "codeVulnerabilityDetails": {{"ruleId": {s}, "cwes": [{s}], "filePath": {{"filePath": {s}, "startLine": {line}}}}}}}]}}"#),
            1 => format!(r#"{{"Findings": [{{"SchemaVersion": "2018-10-08", "ProductArn": {s}, "Id": {s}, "GeneratorId": {s}, "Types": [{s}], "Title": {s}, "Severity": {{"Label": {s}, "Normalized": {n}}}, "Resources": [{{"Id": {s}}}], "Compliance": {{"Status": {s}}}, "Workflow": {{"Status": {s}}}, "EpssScore": {s}}}]}}"#),
            2 => format!(r#"{{"imageScanFindings": {{"findings": [{{"name": {s}, "severity": {s}, "attributes": [{{"key": "CVSS2_SCORE", "value": {s}}}, {{"key": "package_name", "value": {s}}}]}}]}}, "imageScanStatus": {{"status": {s}}}}}"#),
            3 => format!(r#"[{{"id": {s}, "node_type": {s}, "version": {s}, "tests": [{{"desc": {s}, "results": [{{"test_number": {s}, "status": "FAIL", "type": {s}, "reason": {s}}}]}}]}}]"#),
            _ => format!(r#"{{"apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "ConfigAuditReport", "metadata": {{"name": {s}, "labels": {{"trivy-operator.resource.kind": "ReplicaSet", "trivy-operator.resource.name": {s}}}}}, "report": {{"checks": [{{"checkID": {s}, "severity": {s}, "success": false}}]}}}}"#),
        };
        let _ = importers::import_to_vec(input.as_bytes(), None);
    }
}
