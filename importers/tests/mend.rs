use crate::corpus;
use importers::{Kind, Severity};
use std::collections::BTreeSet;

/// Our count for every Mend file in the corpus, the same as DefectDojo's: API 3.0 records of
/// removed libraries (`LIBRARY_REMOVED`) are not findings of the scan.
const EXPECTED: &[(&str, usize)] = &[
    ("mend/cli_generated_many_vulns.json", 20),
    ("mend/mend-sca-platform-api3-multiple-findings.json", 5),
    ("mend/mend-sca-platform-api3-no-findings.json", 0),
    ("mend/mend-sca-platform-api3-one-finding.json", 1),
    ("mend/mend_sca_vuln.json", 1),
    ("mend/okhttp_one_vuln.json", 1),
];

/// Mend's policy violations, in files hand-written from Mend's documentation
/// (corpus/mend/SOURCES.md): the SCA API 2.0 legal alerts (5 alerts: 2 policy violations, one
/// of a removed library, a new version and a multiple-licences alert, which are not policy
/// violations) and the Unified Agent's policy rejection summary (two policies, 4 libraries).
const POLICY: &[(&str, usize)] = &[
    ("mend/handwritten-mend-sca-api2-legal-alerts.json", 2),
    (
        "mend/handwritten-mend-unified-agent-policy-rejection-summary.json",
        4,
    ),
];

/// `{"vulnerabilities": []}` carries nothing that says Mend: it is read only when the format is
/// named (docs/FORMATS.md).
const BARE: &str = "mend/okhttp_no_vuln.json";

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let mut expected: Vec<_> = EXPECTED
        .iter()
        .chain(POLICY)
        .map(|&(file, n)| (file, "mend-json", n, n))
        .collect();
    expected.sort();
    corpus::assert_counts("mend", "mend", &[BARE], &expected);
    corpus::assert_detected_as_listed("mend", &expected);
}

#[test]
fn an_empty_vulnerability_list_is_read_when_the_format_is_named() {
    let bytes = std::fs::read(corpus::path(BARE)).expect("read");
    assert!(importers::import_to_vec(&bytes[..], None).is_err());
    let (imported, findings) =
        importers::import_to_vec(&bytes[..], Some("mend-json")).expect("imports");
    assert_eq!(imported.format, "mend-json");
    assert!(findings.is_empty());
}

/// (vulnerability, library, place) of every record a file holds that is a finding.
fn distinct_records(report: &serde_json::Value) -> (usize, BTreeSet<String>) {
    let mut records = 0;
    let mut distinct = BTreeSet::new();
    for v in report["vulnerabilities"].as_array().into_iter().flatten() {
        records += 1;
        distinct.insert(format!(
            "{}|{}|{}",
            v["name"], v["library"]["keyUuid"], v["locations"][0]["path"]
        ));
    }
    for library in report["libraries"].as_array().into_iter().flatten() {
        for v in library["vulnerabilities"].as_array().into_iter().flatten() {
            records += 1;
            distinct.insert(format!("{}|{}", v["name"], library["keyUuid"]));
        }
    }
    for r in report["response"].as_array().into_iter().flatten() {
        if r["findingInfo"]["status"] == "LIBRARY_REMOVED" {
            continue;
        }
        records += 1;
        distinct.insert(format!(
            "{}|{}|{}",
            r["vulnerability"]["name"], r["component"]["uuid"], r["component"]["path"]
        ));
    }
    (records, distinct)
}

/// Nothing distinct merges: every (vulnerability, library, place) of a file is one finding.
#[test]
fn distinct_records_never_merge() {
    for (file, count) in EXPECTED {
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        let report: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let (records, distinct) = distinct_records(&report);
        assert_eq!(distinct.len(), *count, "{file}");
        assert_eq!(records, distinct.len(), "{file}: undocumented merge");
    }
}

#[test]
fn agent_report_keeps_what_mend_says() {
    let (_, findings) = corpus::import("mend/okhttp_one_vuln.json");
    let f = &findings[0];
    assert_eq!(f.rule_id, "CVE-2019-9658");
    assert_eq!(f.title, "CVE-2019-9658 in checkstyle-8.15.jar");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.severity_original.as_deref(), Some("MEDIUM"));
    assert!(f.cvss.iter().any(|c| c.vector.as_deref()
        == Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N")
        && c.score == Some(5.3)));
    assert_eq!(
        f.component.name.as_deref(),
        Some("com.puppycrawl.tools:checkstyle")
    );
    assert_eq!(f.component.version.as_deref(), Some("8.15"));
    assert_eq!(
        f.remediation.as_deref(),
        Some("Upgrade To Version checkstyle-8.18")
    );

    let (_, findings) = corpus::import("mend/mend_sca_vuln.json");
    assert_eq!(
        findings[0].location.file.as_deref(),
        Some(
            "D:\\MendRepo\\test-product\\test-project\\test-project-subcomponent\\path\\to\\the\\Java\\commons-codec-1.6_donotuse.jar"
        )
    );
}

#[test]
fn api3_finding_keeps_what_mend_says() {
    let (imported, findings) = corpus::import("mend/mend-sca-platform-api3-one-finding.json");
    assert_eq!(imported.info.target.as_deref(), Some("project-name"));
    assert!(!imported.info.partial);
    let f = &findings[0];
    assert_eq!(
        f.title,
        "CVE-2024-51744 in github.com/golang-JWT/jwt-v3.2.2+incompatible"
    );
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(f.tool_status.as_deref(), Some("ACTIVE"));
    assert_eq!(
        f.cvss[0].vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N")
    );
    assert_eq!(f.cvss[0].score, Some(3.1));
    assert_eq!(f.location.file.as_deref(), Some("/source/go.mod"));
    assert!(
        f.description
            .as_deref()
            .is_some_and(|d| d.contains("EPSS percentage (Mend): 0")),
        "{:?}",
        f.description
    );
}

#[test]
fn a_page_of_a_larger_api_response_is_partial() {
    let input = br#"{"additionalData": {"totalItems": 3}, "supportToken": "t", "response": [
        {"type": "SECURITY_VULNERABILITY", "findingInfo": {"status": "IGNORED"},
         "component": {"uuid": "c", "name": "lib-1.0", "groupId": "g", "artifactId": "lib", "libraryType": "MAVEN"},
         "vulnerability": {"name": "CVE-2020-1", "severity": "HIGH"}}]}"#;
    let (imported, findings) = importers::import_to_vec(&input[..], None).expect("imports");
    assert!(imported.info.partial);
    assert_eq!(findings.len(), 1);
    // Mend's word is kept; `ToolDecision::of` does not read `IGNORED` (Acunetix and FOSSA
    // write `ignored` too, with meanings of their own), docs/FORMATS.md.
    assert_eq!(findings[0].tool_status.as_deref(), Some("IGNORED"));
}

#[test]
fn snapshot_of_a_small_report() {
    let (imported, findings) = corpus::import("mend/okhttp_one_vuln.json");
    insta::assert_json_snapshot!("mend_okhttp_one_vuln", (imported.info, findings));
}

#[test]
fn policy_violations_are_license_findings_named_by_policy_and_library() {
    let (imported, findings) =
        corpus::import("mend/handwritten-mend-unified-agent-policy-rejection-summary.json");
    assert!(
        imported.info.warnings.is_empty(),
        "{:?}",
        imported.info.warnings
    );
    let f = &findings[0];
    assert_eq!(f.kind, Kind::License);
    assert_eq!(f.category.as_deref(), Some("policy_violation"));
    assert_eq!(f.rule_id, "Reject GPL family licenses");
    assert_eq!(
        f.title,
        "mysql-connector-java-5.1.49.jar rejected by policy Reject GPL family licenses"
    );
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.severity_original, None);
    assert_eq!(
        f.component.name.as_deref(),
        Some("mysql-connector-java-5.1.49.jar")
    );
    assert_eq!(f.component.purl, None, "Mend gives no package URL");
    assert_eq!(
        f.location.file.as_deref(),
        Some("/builds/shop/backend/pom.xml")
    );
    let description = f.description.as_deref().expect("description");
    assert!(
        description.contains("Policy filter: LICENSE"),
        "{description}"
    );
    // One library rejected by two policies is two findings.
    let mysql: Vec<_> = findings
        .iter()
        .filter(|f| f.component.name.as_deref() == Some("mysql-connector-java-5.1.49.jar"))
        .collect();
    assert_eq!(mysql.len(), 2);
    assert_ne!(mysql[0].fingerprint, mysql[1].fingerprint);

    let (api, alerts) = corpus::import("mend/handwritten-mend-sca-api2-legal-alerts.json");
    assert_eq!(api.format, "mend-json");
    assert_eq!(api.info.target.as_deref(), Some("Shop / shop-backend"));
    assert!(!api.info.partial);
    assert_eq!(api.info.warnings.len(), 2, "{:?}", api.info.warnings);
    assert!(
        api.info
            .warnings
            .iter()
            .all(|w| w.contains("not a policy violation")),
        "{:?}",
        api.info.warnings
    );
    assert_eq!(alerts[0].rule_id, "Reject GPL family licenses");
    assert_eq!(alerts[0].component.version.as_deref(), Some("5.1.49"));
    assert_eq!(alerts[0].tool_status.as_deref(), Some("ACTIVE"));
    assert_eq!(
        alerts[0].fingerprint, f.fingerprint,
        "the same rejection from the agent and from the API is one finding"
    );
    assert_eq!(alerts[1].tool_status.as_deref(), Some("IGNORED"));
    assert!(
        alerts[0]
            .references
            .iter()
            .any(|r| r.ends_with("mysql-connector-java-5.1.49.pom"))
    );
}

#[test]
fn a_page_of_legal_alerts_is_partial() {
    let input = br#"{"additionalData": {"totalItems": "7", "isLastPage": "false"}, "supportToken": "t", "retVal": [
        {"type": "POLICY_VIOLATIONS", "policyName": "No AGPL", "alertInfo": {"status": "ACTIVE"},
         "component": {"name": "x-1.0.jar"}}]}"#;
    let (imported, findings) = importers::import_to_vec(&input[..], None).expect("imports");
    assert_eq!(imported.format, "mend-json");
    assert!(imported.info.partial);
    assert_eq!(findings.len(), 1);
}

#[test]
fn snapshot_of_policy_violations() {
    let (imported, findings) = corpus::import("mend/handwritten-mend-sca-api2-legal-alerts.json");
    insta::assert_json_snapshot!("mend_api2_legal_alerts", (imported.info, findings));
}
