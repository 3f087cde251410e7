use crate::corpus;
use crate::inspector2::assert_no_merge;
use importers::{Kind, Severity};

/// Our count for every Security Hub file in the corpus, with DefectDojo's where they differ.
const EXPECTED: &[(&str, usize)] = &[
    // DefectDojo: 3, all inactive and mitigated. Every record's check PASSED: nothing to fix,
    // so no finding (docs/FORMATS.md).
    ("awssecurityhub/config_many_findings.json", 0),
    ("awssecurityhub/config_multiple_resources.json", 2),
    // DefectDojo: 1, inactive (Compliance PASSED).
    ("awssecurityhub/config_one_finding.json", 0),
    ("awssecurityhub/config_one_finding_active.json", 1),
    // DefectDojo: 1 (two records with one Id); both PASSED.
    ("awssecurityhub/config_repeated_findings.json", 0),
    ("awssecurityhub/guardduty.json", 4),
    // DefectDojo: 5, one per `Id`. Four records are one advisory of one package on instance
    // `i-11111111111111111` of account `XXXXXXXXXXXX` (the sample's anonymizing gave four
    // instances, launched at different times, one id and account): one identity, one finding.
    ("awssecurityhub/inspector_ec2_cve.json", 2),
    (
        "awssecurityhub/inspector_ec2_cve_no_vulnerabilities.json",
        1,
    ),
    ("awssecurityhub/inspector_ec2_ghsa.json", 1),
    ("awssecurityhub/issue_10956.json", 1),
    ("awssecurityhub/missing_account_id.json", 1),
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let listed: Vec<String> = corpus::files("awssecurityhub")
        .into_iter()
        .map(|name| format!("awssecurityhub/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every Security Hub file has an expected count"
    );
    for (file, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, "aws-securityhub-asff-json", "{file}");
        assert_eq!(imported.info.tool, "aws-securityhub", "{file}");
        assert!(imported.info.warnings.is_empty(), "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        assert_no_merge(file, &findings);
    }
}

#[test]
fn inspector_records_are_vulnerabilities_of_their_resource() {
    let (_, findings) = corpus::import("awssecurityhub/inspector_ec2_cve.json");
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Vulnerability);
    assert_eq!(f.rule_id, "CVE-2022-3643");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.severity_original.as_deref(), Some("CRITICAL"));
    assert_eq!(f.component.name.as_deref(), Some("kernel"));
    assert_eq!(
        f.component.version.as_deref(),
        Some("4.14.301-224.520.amzn2")
    );
    assert_eq!(
        f.component.fixed_version.as_deref(),
        Some("0:5.10.162-141.675.amzn2")
    );
    assert_eq!(f.remediation.as_deref(), Some("yum update kernel"));
    // The two identical NVD assessments are one.
    assert_eq!(f.cvss.len(), 1);
    assert_eq!(
        f.cvss[0].vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")
    );
    assert_eq!(
        f.location.resource.as_deref(),
        Some("arn:aws:ec2:us-east-1:XXXXXXXXXXXX:i-11111111111111111")
    );
    assert_eq!(f.tool_status.as_deref(), Some("NEW"));

    let (_, ghsa) = corpus::import("awssecurityhub/inspector_ec2_ghsa.json");
    assert_eq!(ghsa[0].rule_id, "GHSA-p98r-538v-jgw5");
    assert_eq!(ghsa[0].aliases, ["CVE-2023-34256"]);
    assert!(ghsa[0].cvss.is_empty());

    let (_, epss) = corpus::import("awssecurityhub/issue_10956.json");
    assert_eq!(epss[0].epss.map(|e| e.probability), Some(0.00239));

    let (_, bare) = corpus::import("awssecurityhub/inspector_ec2_cve_no_vulnerabilities.json");
    assert_eq!(bare[0].rule_id, "CVE-2022-3643");
    assert_eq!(bare[0].component.name.as_deref(), Some("kernel"));
}

#[test]
fn guardduty_and_control_findings() {
    let (_, findings) = corpus::import("awssecurityhub/guardduty.json");
    let last = &findings[3];
    assert_eq!(last.kind, Kind::Misconfiguration);
    assert_eq!(last.category.as_deref(), Some("guardduty"));
    assert_eq!(last.rule_id, "TTPs/Discovery/IAMUser-AnomalousBehavior");
    assert_eq!(last.severity, Severity::Low);

    let (_, controls) = corpus::import("awssecurityhub/config_multiple_resources.json");
    assert_eq!(controls[0].rule_id, "EC2.2");
    assert_eq!(controls[0].severity, Severity::High);
    let description = controls[0].description.as_deref().unwrap();
    assert!(
        description.contains("security-group/sg-0aaa1111cccc2222b, arn:aws:ec2:us-east-1:012345678912:security-group/sg-0fff2222bbbb1111a, arn:aws:ec2:us-east-1:012345678912:vpc/vpc-0bbb3333dddd4444c"),
        "resources sorted: {description}"
    );
    assert_eq!(
        controls[0].references,
        ["https://docs.aws.amazon.com/console/securityhub/EC2.2/remediation"]
    );
}

fn control(id: &str, workflow: &str, compliance: &str, record: &str) -> String {
    format!(
        r#"{{"SchemaVersion": "2018-10-08", "Id": "{id}",
        "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
        "GeneratorId": "security-control/S3.1", "Title": "S3.1 block public access",
        "Severity": {{"Label": "MEDIUM"}}, "Compliance": {{"Status": "{compliance}",
        "SecurityControlId": "S3.1"}}, "Workflow": {{"Status": "{workflow}"}},
        "RecordState": "{record}",
        "Resources": [{{"Type": "AwsAccount", "Id": "AWS::::Account:111122223333"}}]}}"#
    )
}

#[test]
fn workflow_decisions_repeats_and_records_that_are_not_problems() {
    let input = format!(
        r#"{{"Findings": [{}, {}, {}, {}]}}"#,
        control("a", "SUPPRESSED", "FAILED", "ACTIVE"),
        control("a", "SUPPRESSED", "FAILED", "ACTIVE"),
        control("b", "NEW", "PASSED", "ACTIVE"),
        control("c", "NEW", "FAILED", "ARCHIVED"),
    );
    let (imported, findings) = importers::import_to_vec(input.as_bytes(), None).unwrap();
    assert_eq!(imported.format, "aws-securityhub-asff-json");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "S3.1");
    let status = findings[0].tool_status.as_deref().unwrap();
    assert_eq!(
        domain::ToolDecision::of(status),
        Some(domain::ToolDecision::Suppressed)
    );
    assert_eq!(domain::ToolDecision::of("RESOLVED"), None);
}

#[test]
fn inspector_snapshot() {
    let (_, findings) = corpus::import("awssecurityhub/inspector_ec2_ghsa.json");
    insta::assert_json_snapshot!("securityhub_inspector_ec2_ghsa", findings);
}
