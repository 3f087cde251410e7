//! tfsec: every corpus file of every tfsec format, a snapshot, fingerprint stability, detection.

use crate::corpus;
use importers::{Finding, Severity};
use std::collections::BTreeSet;

/// Our count and format for every tfsec file in the corpus (SARIF is the SARIF importer's).
/// DefectDojo's count is given where it differs (it merges results with the same rule, file
/// and lines; we emit one finding per failed result, and the store keeps one occurrence per
/// fingerprint per scan).
const EXPECTED: &[(&str, &str, usize)] = &[
    // DefectDojo: 13. Six of the 19 failed results repeat another's rule + file + lines (one
    // per `count` instance or module call); DefectDojo merges them, we keep every result.
    ("tfsec/many_findings_current.json", "tfsec-json", 19),
    // The first of the four results has `passed: true`: not a finding (DefectDojo agrees: 3).
    ("tfsec/many_findings_legacy.json", "tfsec-json", 3),
    ("tfsec/no_findings.json", "tfsec-json", 0),
    ("tfsec/one_finding_legacy.json", "tfsec-json", 1),
    (
        "tfsec-extra/checkstyle_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.xml",
        "tfsec-checkstyle",
        19,
    ),
    (
        "tfsec-extra/csv_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.csv",
        "tfsec-csv",
        19,
    ),
    (
        "tfsec-extra/json_v1.28.14_azure_windows_paths_2findings.json",
        "tfsec-json",
        2,
    ),
    ("tfsec-extra/json_v1_azure_2findings.json", "tfsec-json", 2),
    (
        "tfsec-extra/json_v1_empty_results_array.json",
        "tfsec-json",
        0,
    ),
    ("tfsec-extra/junit_empty_no_results.xml", "tfsec-junit", 0),
    (
        "tfsec-extra/junit_v1.28.14_utf16le_windows.xml",
        "tfsec-junit",
        2,
    ),
];

/// tfsec files that belong to another importer.
const NOT_OURS: &[&str] = &[
    "tfsec-extra/sarif_v1.28.14_aws_19results.sarif",
    "tfsec-extra/sarif_v1.28.14_azure_windows_paths_2results.sarif",
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let mut listed: Vec<String> = Vec::new();
    for folder in ["tfsec", "tfsec-extra"] {
        for name in corpus::files(folder) {
            let file = format!("{folder}/{name}");
            if name != "README.md" && !NOT_OURS.contains(&file.as_str()) {
                listed.push(file);
            }
        }
    }
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every tfsec file in the corpus has an expected count"
    );
    for (file, format, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, *format, "{file}");
        assert_eq!(imported.info.tool, "tfsec", "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        assert!(
            imported.info.warnings.is_empty(),
            "{file}: {:?}",
            imported.info.warnings
        );
        for f in &findings {
            assert_eq!(f.kind, importers::Kind::Misconfiguration, "{file}");
            assert!(!f.rule_id.is_empty(), "{file}");
        }
    }
}

fn severities(findings: &[Finding]) -> [usize; 4] {
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    [
        count(Severity::Critical),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
    ]
}

#[test]
fn severities_match_the_sources() {
    // DefectDojo: 8 Critical, 3 High, 1 Medium, 1 Low over its 13 merged findings.
    let (_, f) = corpus::import("tfsec/many_findings_current.json");
    assert_eq!(severities(&f), [14, 3, 1, 1]);
    // G0: ERROR is high, WARNING medium.
    let (_, f) = corpus::import("tfsec/many_findings_legacy.json");
    assert_eq!(severities(&f), [0, 2, 1, 0]);
    assert_eq!(f[0].severity_original.as_deref(), Some("ERROR"));
    let (_, f) =
        corpus::import("tfsec-extra/csv_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.csv");
    assert_eq!(severities(&f), [2, 9, 6, 2]);
    // checkstyle cannot tell CRITICAL from HIGH.
    let (_, f) =
        corpus::import("tfsec-extra/checkstyle_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.xml");
    assert_eq!(severities(&f), [0, 11, 6, 2]);
    let (_, f) = corpus::import("tfsec-extra/junit_v1.28.14_utf16le_windows.xml");
    assert_eq!(severities(&f), [1, 0, 1, 0]);
}

#[test]
fn fields_of_each_generation() {
    // G0.
    let (_, f) = corpus::import("tfsec/one_finding_legacy.json");
    let g0 = &f[0];
    assert_eq!(g0.rule_id, "GEN003");
    assert_eq!(
        g0.title,
        "Potentially sensitive data stored in block attribute."
    );
    assert_eq!(
        g0.remediation.as_deref(),
        Some("Don't include sensitive data in blocks")
    );
    assert_eq!(g0.location.file.as_deref(), Some("tfsec-test/identity.tf"));
    assert_eq!(g0.location.line_start, Some(226));
    assert_eq!(
        g0.location.resource.as_deref(),
        Some("keycloak_oidc_identity_provider.google")
    );
    assert_eq!(g0.references, ["https://tfsec.dev/docs/general/GEN003/"]);
    // G1.
    let (imported, f) = corpus::import("tfsec/many_findings_current.json");
    assert_eq!(imported.info.tool_version, None);
    let g1 = &f[0];
    assert_eq!(g1.rule_id, "aws-vpc-no-excessive-port-access");
    assert_eq!(g1.aliases, ["AWS050"]);
    assert_eq!(g1.severity, Severity::Critical);
    assert_eq!(g1.location.line_start, Some(155));
    assert_eq!(
        g1.location.resource.as_deref(),
        Some("module.SUBNETS:aws_network_acl_rule.public_inbound[0]")
    );
    assert_eq!(g1.tool_status.as_deref(), Some("failed"));
    // G2.
    let (imported, f) =
        corpus::import("tfsec-extra/json_v1.28.14_azure_windows_paths_2findings.json");
    assert_eq!(imported.info.tool_version.as_deref(), Some("1.28.14"));
    let g2 = &f[0];
    assert_eq!(g2.rule_id, "azure-keyvault-specify-network-acl");
    assert_eq!(g2.aliases, ["AVD-AZU-0013"]);
    assert_eq!(
        g2.location.resource.as_deref(),
        Some("azurerm_key_vault.kv")
    );
    assert_eq!(
        (g2.location.line_start, g2.location.line_end),
        (Some(64), Some(75))
    );
    // JUnit (UTF-16LE, CRLF, Windows paths).
    let (imported, f) = corpus::import("tfsec-extra/junit_v1.28.14_utf16le_windows.xml");
    assert_eq!(imported.info.tool_version.as_deref(), Some("1.28.14"));
    assert_eq!(f[1].rule_id, "azure-keyvault-specify-network-acl");
    assert_eq!(
        (f[1].location.line_start, f[1].location.line_end),
        (Some(3), Some(30))
    );
    assert!(
        f[1].location
            .file
            .as_deref()
            .is_some_and(|p| p.starts_with(r"D:\DevOPS"))
    );
}

/// One fingerprint set per format for the same scan: CSV and checkstyle were written from the
/// same results and carry the same long ids and relative paths, so they agree.
#[test]
fn csv_and_checkstyle_of_one_scan_share_fingerprints() {
    let set = |file: &str| -> BTreeSet<String> {
        corpus::import(file)
            .1
            .into_iter()
            .map(|f| f.fingerprint)
            .collect()
    };
    assert_eq!(
        set("tfsec-extra/csv_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.csv"),
        set("tfsec-extra/checkstyle_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.xml")
    );
}

/// Lines are not identity, but they are places: results that share a fingerprint at distinct
/// lines are told apart by an ordinal (fingerprint version 2), never merged.
#[test]
fn distinct_fingerprints_in_the_corpus() {
    let distinct = |file: &str| -> usize {
        corpus::import(file)
            .1
            .into_iter()
            .map(|f| f.fingerprint)
            .collect::<BTreeSet<_>>()
            .len()
    };
    assert_eq!(distinct("tfsec/many_findings_current.json"), 19);
    assert_eq!(distinct("tfsec-extra/json_v1_azure_2findings.json"), 2);
    assert_eq!(distinct("tfsec/many_findings_legacy.json"), 3);
}

#[test]
fn fingerprint_is_public_for_sarif() {
    let (_, f) =
        corpus::import("tfsec-extra/csv_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.csv");
    assert_eq!(
        f[0].fingerprint,
        importers::tfsec::tfsec_fingerprint(
            "aws-ec2-add-description-to-security-group-rule",
            "main.tf",
            ""
        )
    );
}

#[test]
fn snapshot_of_a_small_v1_report() {
    let (imported, findings) =
        corpus::import("tfsec-extra/json_v1.28.14_azure_windows_paths_2findings.json");
    insta::assert_json_snapshot!("tfsec_json_v1_windows", (imported.info, findings));
}

fn fingerprints(text: &str, format: &str) -> BTreeSet<String> {
    importers::import_to_vec(text.as_bytes(), Some(format))
        .unwrap_or_else(|e| panic!("{format}: {e}"))
        .1
        .into_iter()
        .map(|f| f.fingerprint)
        .collect()
}

/// Same results, reordered, re-indented, reworded, lines shifted: same fingerprints.
#[test]
fn fingerprints_survive_reorder_rewording_whitespace_and_line_shifts() {
    let json_a = r#"{"results": [
      {"rule_id": "AVD-AWS-0088", "long_id": "aws-s3-enable-bucket-encryption",
       "rule_description": "Unencrypted S3 bucket.", "description": "Bucket does not have encryption enabled",
       "severity": "HIGH", "status": 0, "resource": "aws_s3_bucket.a",
       "links": ["https://aquasecurity.github.io/tfsec/v1.28.0/checks/aws/s3/enable-bucket-encryption/"],
       "location": {"filename": "/tmp/workspaces/11111111-2222-3333-4444-555555555555/code/main.tf", "start_line": 10, "end_line": 20}},
      {"rule_id": "AVD-AWS-0088", "long_id": "aws-s3-enable-bucket-encryption",
       "description": "Bucket does not have encryption enabled", "severity": "HIGH", "status": 0,
       "resource": "aws_s3_bucket.b", "location": {"filename": "/tmp/workspaces/11111111-2222-3333-4444-555555555555/code/main.tf", "start_line": 30, "end_line": 40}},
      {"rule_id": "AVD-AWS-0089", "long_id": "aws-s3-enable-bucket-logging",
       "description": "Bucket does not have logging enabled", "severity": "MEDIUM", "status": 0,
       "resource": "aws_s3_bucket.a", "location": {"filename": "/tmp/workspaces/11111111-2222-3333-4444-555555555555/code/main.tf", "start_line": 10, "end_line": 20}}
    ]}"#;
    let json_b = r#"{
	"results": [
		{"rule_id": "AVD-AWS-0089", "long_id": "aws-s3-enable-bucket-logging",
		 "description": "Logging is off for this bucket.", "severity": "LOW", "status": 0,
		 "resource": "aws_s3_bucket.a", "location": {"filename": "/tmp/workspaces/99999999-8888-7777-6666-555555555555/code/main.tf", "start_line": 14, "end_line": 24}},
		{"rule_id": "AVD-AWS-0088", "long_id": "aws-s3-enable-bucket-encryption",
		 "description": "No encryption.", "severity": "HIGH", "status": 0,
		 "resource": "aws_s3_bucket.b", "location": {"filename": "/tmp/workspaces/99999999-8888-7777-6666-555555555555/code/main.tf", "start_line": 33, "end_line": 43}},
		{"rule_id": "AVD-AWS-0088", "long_id": "aws-s3-enable-bucket-encryption",
		 "rule_description": "S3 bucket without encryption.", "description": "Encryption missing",
		 "severity": "HIGH", "status": 0, "resource": "aws_s3_bucket.a",
		 "links": ["https://aquasecurity.github.io/tfsec/v1.28.14/checks/aws/s3/enable-bucket-encryption/"],
		 "location": {"filename": "/tmp/workspaces/99999999-8888-7777-6666-555555555555/code/main.tf", "start_line": 14, "end_line": 24}}
	]
}"#;
    let a = fingerprints(json_a, "tfsec-json");
    assert_eq!(a.len(), 3);
    assert_eq!(a, fingerprints(json_b, "tfsec-json"));

    let csv_a = "file,start_line,end_line,rule_id,severity,description,link,passed\n\
main.tf,10,20,aws-s3-enable-bucket-encryption,HIGH,Bucket does not have encryption enabled,https://x/v1.28.0/,false\n\
modules/b.tf,5,5,aws-s3-enable-versioning,MEDIUM,\"Versioning, off\",https://x/,false\n";
    let csv_b = "file,start_line,end_line,rule_id,severity,description,link,passed\r\n\
./modules/b.tf,8,8,aws-s3-enable-versioning,MEDIUM,Versioning is disabled,https://y/,false\r\n\
main.tf,13,23,aws-s3-enable-bucket-encryption,HIGH,No encryption,https://y/,false\r\n";
    assert_eq!(
        fingerprints(csv_a, "tfsec-csv"),
        fingerprints(csv_b, "tfsec-csv")
    );

    let cs_a = r#"<?xml version="1.0" encoding="UTF-8"?>
<checkstyle version="5.0"><file name="main.tf"><error source="aws-s3-enable-versioning" line="19" column="0" severity="warning" message="Bucket does not have versioning enabled" link="https://x/"></error><error source="aws-s3-enable-bucket-logging" line="19" column="0" severity="warning" message="m" link="https://x/"></error></file><file name="b.tf"><error source="aws-s3-enable-versioning" line="2" column="0" severity="warning" message="m" link="https://x/"></error></file></checkstyle>"#;
    let cs_b = r#"<?xml version="1.0" encoding="UTF-8"?>
<checkstyle version="5.0">
	<file name="b.tf">
		<error source="aws-s3-enable-versioning" line="9" column="0" severity="warning" message="Versioning is off" link="https://y/"></error>
	</file>
	<file name="main.tf">
		<error source="aws-s3-enable-bucket-logging" line="25" column="0" severity="warning" message="No logs" link="https://y/"></error>
		<error source="aws-s3-enable-versioning" line="25" column="0" severity="warning" message="No versions" link="https://y/"></error>
	</file>
</checkstyle>"#;
    assert_eq!(
        fingerprints(cs_a, "tfsec-checkstyle"),
        fingerprints(cs_b, "tfsec-checkstyle")
    );

    let ju_a = r#"<testsuite name="tfsec" failures="2" tests="2"><testcase classname="main.tf" name="[aws-s3-enable-versioning][MEDIUM] - Bucket does not have versioning enabled" time="0"><failure message="Bucket does not have versioning enabled" type="">main.tf:19-26&#xA;&#xA;See https://x/</failure></testcase><testcase classname="b.tf" name="[aws-s3-enable-bucket-logging][MEDIUM] - m" time="0"><failure message="m" type="">b.tf:1&#xA;See https://x/</failure></testcase></testsuite>"#;
    let ju_b = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<testsuite name=\"tfsec.exe\" failures=\"2\" tests=\"3\">\r\n\t<testcase classname=\"b.tf\" name=\"[aws-s3-enable-bucket-logging][MEDIUM] - Logging off\" time=\"0\">\r\n\t\t<failure message=\"Logging off\" type=\"\">b.tf:4</failure>\r\n\t</testcase>\r\n\t<testcase classname=\"main.tf\" name=\"[aws-s3-enable-versioning][MEDIUM] - No versions\" time=\"0\">\r\n\t\t<failure message=\"No versions\" type=\"\">main.tf:29-36</failure>\r\n\t</testcase>\r\n\t<testcase classname=\"main.tf\" name=\"[aws-s3-enable-bucket-encryption][HIGH] - passed\" time=\"0\"></testcase>\r\n</testsuite>\r\n";
    assert_eq!(
        fingerprints(ju_a, "tfsec-junit"),
        fingerprints(ju_b, "tfsec-junit")
    );
}

#[test]
fn passed_and_ignored_results_are_not_findings() {
    let v1 = r#"{"results": [{"rule_id": "AVD-X-1", "long_id": "x-y-z", "rule_description": "d", "status": 1},
        {"rule_id": "AVD-X-1", "long_id": "x-y-z", "status": 2}, {"rule_id": "AVD-X-1", "long_id": "x-y-z", "status": 0}]}"#;
    assert_eq!(fingerprints(v1, "tfsec-json").len(), 1);
    let g1 = r#"{"results": [{"rule_id": "a-b-c", "rule_description": "d", "status": "passed"},
        {"rule_id": "a-b-c", "status": "ignored"}]}"#;
    assert!(fingerprints(g1, "tfsec-json").is_empty());
    let csv = "file,start_line,end_line,rule_id,severity,description,link,passed\nmain.tf,1,1,a-b-c,LOW,d,,true\n";
    assert!(fingerprints(csv, "tfsec-csv").is_empty());
}

#[test]
fn the_oldest_json_shape_is_detected() {
    let input = br#"{
	"results": [
		{
			"rule_id": "AWS044",
			"link": "https://github.com/tfsec/tfsec/wiki/AWS044",
			"location": {"filename": "/x/terraform/aws/provider.tf", "start_line": 9, "end_line": 9},
			"description": "Provider 'provider.aws' has an access key specified.",
			"severity": "ERROR"
		}
	]
}"#;
    let (imported, findings) =
        importers::import_to_vec(&input[..], None).unwrap_or_else(|e| panic!("oldest shape: {e}"));
    assert_eq!(imported.format, "tfsec-json");
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].location.resource.as_deref(),
        Some("provider.aws")
    );
    assert_eq!(findings[0].severity, Severity::High);
    assert_eq!(
        findings[0].references,
        ["https://github.com/tfsec/tfsec/wiki/AWS044"]
    );
}

#[test]
fn a_json_file_without_results_is_an_error() {
    let err = crate::hostile::import_error(&br#"{"other": []}"#[..], Some("tfsec-json"));
    assert!(err.to_string().starts_with("tfsec-json: "), "{err}");
}

/// Detection claims tfsec files for the tfsec importers only and nothing else in the corpus.
#[test]
fn detection_claims_only_tfsec_files() {
    let Ok(entries) = std::fs::read_dir(corpus::dir()) else {
        panic!("corpus folder")
    };
    let mut folders: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    for folder in folders {
        for name in corpus::files(&folder) {
            let file = format!("{folder}/{name}");
            let Ok(bytes) = std::fs::read(corpus::path(&file)) else {
                continue;
            };
            let Ok(peeked) = importers::input::peek(&bytes[..]) else {
                continue;
            };
            let head = peeked.head_text();
            let detected = importers::detect(&head).map(|i| i.format());
            let ours = EXPECTED
                .iter()
                .find(|(f, _, _)| *f == file)
                .map(|(_, fmt, _)| *fmt);
            match ours {
                Some(format) => assert_eq!(detected, Some(format), "{file}"),
                None => assert!(
                    !detected.is_some_and(|d| d.starts_with("tfsec")),
                    "{file} detected as {detected:?}"
                ),
            }
        }
    }
}

/// The same tfsec scan as SARIF and as CSV (written from it) gives the same fingerprints: the
/// SARIF importer uses tfsec's identity rule.
#[test]
fn tfsec_sarif_and_csv_of_one_scan_share_fingerprints() {
    let fingerprints = |file: &str| {
        let (_, findings) = crate::corpus::import(file);
        findings
            .into_iter()
            .map(|f| f.fingerprint)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let sarif = fingerprints("tfsec-extra/sarif_v1.28.14_aws_19results.sarif");
    let csv = fingerprints("tfsec-extra/csv_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.csv");
    assert!(!sarif.is_empty());
    assert_eq!(sarif, csv);
}
