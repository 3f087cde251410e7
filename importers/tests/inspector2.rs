use crate::corpus;
use importers::{Finding, ImportError, Kind, Severity};
use std::collections::BTreeSet;

/// Our count for every Inspector2 file in the corpus: DefectDojo's, one finding per record.
const EXPECTED: &[(&str, usize)] = &[
    ("aws_inspector2/aws_inspector2_one_vul.json", 1),
    (
        "aws_inspector2/aws_inspector2_package_vuln_metadata.json",
        28,
    ),
    (
        "aws_inspector2/aws_inspector2_package_vuln_metadata_multi_cwe_fabricated.json",
        3,
    ),
    ("aws_inspector2/aws_inspector2_zero_vul.json", 0),
];

/// No two distinct records of one report share a fingerprint: (rule, resource, package or
/// file, anchor) tells every record apart.
pub fn assert_no_merge(file: &str, findings: &[Finding]) {
    let fingerprints: BTreeSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    assert_eq!(
        fingerprints.len(),
        findings.len(),
        "{file}: merged findings"
    );
}

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let listed: Vec<String> = corpus::files("aws_inspector2")
        .into_iter()
        .filter(|name| name != "empty_with_error.json")
        .map(|name| format!("aws_inspector2/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every Inspector2 file has an expected count"
    );
    for (file, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, "aws-inspector2-json", "{file}");
        assert_eq!(imported.info.tool, "aws-inspector", "{file}");
        assert!(imported.info.warnings.is_empty(), "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        assert_no_merge(file, &findings);
    }
}

#[test]
fn an_object_without_findings_is_an_error() {
    // `{}`: DefectDojo raises too. Nothing recognizes it, and forced it names the list.
    let bytes = std::fs::read(corpus::path("aws_inspector2/empty_with_error.json")).unwrap();
    let err = importers::import_to_vec(&bytes[..], None).expect_err("not a report");
    assert!(matches!(err, ImportError::Unrecognized { .. }), "{err}");
    let err = importers::import_to_vec(&bytes[..], Some("aws-inspector2-json"))
        .expect_err("no findings list");
    let text = err.to_string();
    assert!(text.starts_with("aws-inspector2-json: "), "{text}");
    assert!(text.contains("findings"), "{text}");
}

#[test]
fn package_findings_keep_advisory_package_and_resource() {
    let (_, findings) = corpus::import("aws_inspector2/aws_inspector2_package_vuln_metadata.json");
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Vulnerability);
    assert_eq!(f.rule_id, "CVE-2025-58187");
    assert_eq!(f.title, "CVE-2025-58187 - go/stdlib");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.component.name.as_deref(), Some("go/stdlib"));
    assert_eq!(f.component.version.as_deref(), Some("1.24.4"));
    assert_eq!(f.component.fixed_version.as_deref(), Some("1.25.3"));
    assert_eq!(f.location.file.as_deref(), Some("extensions/collector"));
    assert_eq!(f.cvss[0].score, Some(7.5));
    assert_eq!(
        f.references,
        [
            "https://nvd.nist.gov/vuln/detail/CVE-2025-58187",
            "https://groups.google.com/g/golang-announce/c/4Emdl2iQ_bI"
        ]
    );
    assert_eq!(f.tool_status.as_deref(), Some("ACTIVE"));
    assert_eq!(
        f.epss.map(|e| e.percentile),
        Some(None),
        "EPSS without percentile"
    );
}

#[test]
fn code_findings_keep_file_lines_and_cwes() {
    let (_, findings) = corpus::import(
        "aws_inspector2/aws_inspector2_package_vuln_metadata_multi_cwe_fabricated.json",
    );
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Code);
    assert_eq!(f.rule_id, "python-log-injection");
    assert_eq!(f.title, "CWE-117,93 - Log injection");
    assert_eq!(f.cwe, ["CWE-117", "CWE-93"]);
    assert_eq!(
        f.location.file.as_deref(),
        Some("src/project_api/service/api_client.py")
    );
    assert_eq!(
        (f.location.line_start, f.location.line_end),
        (Some(268), Some(268))
    );
    assert_eq!(f.category.as_deref(), Some("code_vulnerability"));
}

/// One record of each type on one resource, with the statuses Inspector gives.
fn record(kind: &str, status: &str, arn_id: &str, extra: &str) -> String {
    format!(
        r#"{{"findingArn": "arn:aws:inspector2:eu-west-1:111122223333:finding/{arn_id}",
        "type": "{kind}", "severity": "HIGH", "status": "{status}", "title": "t {arn_id}",
        "resources": [{{"type": "AWS_EC2_INSTANCE", "id": "i-0abc", "region": "eu-west-1"}}]{extra}}}"#
    )
}

fn report(records: &[String]) -> Vec<u8> {
    format!("{{\"findings\": [{}]}}", records.join(",")).into_bytes()
}

#[test]
fn suppressed_is_a_tool_decision_and_closed_is_fixed() {
    let package = r#", "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-2024-1",
        "vulnerablePackages": [{"name": "openssl", "version": "3.0.1", "packageManager": "OS"}]}"#;
    let input = report(&[
        record("PACKAGE_VULNERABILITY", "SUPPRESSED", "a1", package),
        record("PACKAGE_VULNERABILITY", "CLOSED", "a2", package),
    ]);
    let (imported, findings) = importers::import_to_vec(&input[..], None).unwrap();
    assert_eq!(imported.format, "aws-inspector2-json");
    assert_eq!(findings.len(), 1);
    let status = findings[0].tool_status.as_deref().unwrap();
    assert_eq!(
        domain::ToolDecision::of(status),
        Some(domain::ToolDecision::Suppressed)
    );
    assert_eq!(
        imported.info.warnings,
        ["1 finding(s) CLOSED in the tool (fixed) were not imported"]
    );
}

#[test]
fn network_reachability_is_one_finding_per_resource_protocol_and_ports() {
    let network = |begin: u16| {
        format!(
            r#", "networkReachabilityDetails": {{"protocol": "TCP",
            "openPortRange": {{"begin": {begin}, "end": {begin}}},
            "networkPath": {{"steps": [{{"componentId": "igw-1", "componentType": "IGW"}},
            {{"componentId": "sg-1", "componentType": "SECURITY_GROUP"}}]}}}}"#
        )
    };
    let input = report(&[
        record("NETWORK_REACHABILITY", "ACTIVE", "n1", &network(22)),
        record("NETWORK_REACHABILITY", "ACTIVE", "n2", &network(3389)),
    ]);
    let (_, findings) = importers::import_to_vec(&input[..], None).unwrap();
    assert_eq!(findings.len(), 2);
    assert_no_merge("network", &findings);
    assert_eq!(findings[0].kind, Kind::Misconfiguration);
    assert_eq!(findings[0].location.parameter.as_deref(), Some("TCP 22"));
    assert_eq!(findings[0].location.resource.as_deref(), Some("i-0abc"));
    // The same port found again under another finding ARN is the same finding.
    let again = report(&[record("NETWORK_REACHABILITY", "ACTIVE", "n9", &network(22))]);
    let (_, again) = importers::import_to_vec(&again[..], None).unwrap();
    assert_eq!(again[0].fingerprint, findings[0].fingerprint);
}

#[test]
fn a_new_image_digest_or_tag_is_the_same_finding() {
    let image = |digest: &str, tag: &str| {
        format!(
            r#"{{"findings": [{{"type": "PACKAGE_VULNERABILITY", "status": "ACTIVE",
            "severity": "LOW", "resources": [{{"type": "AWS_ECR_CONTAINER_IMAGE",
            "id": "arn:aws:ecr:us-east-1:1:repository/shop/sha256:{digest}",
            "details": {{"awsEcrContainerImage": {{"registry": "1", "repositoryName": "shop",
            "imageTags": ["{tag}"], "imageHash": "sha256:{digest}"}}}}}}],
            "packageVulnerabilityDetails": {{"vulnerabilityId": "CVE-2024-2",
            "vulnerablePackages": [{{"name": "zlib", "version": "1.2", "packageManager": "OS"}}]}}}}]}}"#
        )
        .into_bytes()
    };
    let (_, a) = importers::import_to_vec(&image("aaa", "4.1.0")[..], None).unwrap();
    let (_, b) = importers::import_to_vec(&image("bbb", "4.2.0")[..], None).unwrap();
    assert_eq!(a[0].fingerprint, b[0].fingerprint);
    assert_eq!(b[0].location.target.as_deref(), Some("shop:4.2.0"));
}

#[test]
fn one_vulnerability_snapshot() {
    let (_, findings) = corpus::import("aws_inspector2/aws_inspector2_one_vul.json");
    insta::assert_json_snapshot!("inspector2_one_vul", findings);
}
