use crate::corpus;
use crate::inspector2::assert_no_merge;
use importers::{Kind, Severity};

/// Our count for every Trivy Operator file in the corpus, with DefectDojo's where they differ.
const EXPECTED: &[(&str, usize)] = &[
    ("trivy_operator/all_reports_in_dict.json", 43),
    // DefectDojo: 795, one per failed check. 201 of them repeat an earlier one word for word
    // (same control, check, resource and text: a check failing in several containers of one
    // workload, which the report does not name): one finding each (docs/FORMATS.md).
    ("trivy_operator/cis_benchmark.json", 594),
    ("trivy_operator/clustercompliancereport.json", 2),
    ("trivy_operator/compliance_severity.json", 2),
    ("trivy_operator/configauditreport_many.json", 13),
    // DefectDojo: 1, titled `0 - Missing checkID test`. A check without an id has no identity
    // but its title: skipped with a warning (docs/FORMATS.md).
    ("trivy_operator/configauditreport_missing_checkid.json", 0),
    ("trivy_operator/configauditreport_no_vuln.json", 0),
    ("trivy_operator/configauditreport_single_vuln.json", 1),
    ("trivy_operator/configauditreport_with_remediation.json", 2),
    ("trivy_operator/exposedsecretreport_many.json", 2),
    ("trivy_operator/exposedsecretreport_no_vuln.json", 0),
    ("trivy_operator/exposedsecretreport_single_vuln.json", 1),
    ("trivy_operator/findings_in_list.json", 18),
    ("trivy_operator/vulnerabilityreport_extended.json", 5),
    ("trivy_operator/vulnerabilityreport_many.json", 41),
    ("trivy_operator/vulnerabilityreport_no_vuln.json", 0),
    ("trivy_operator/vulnerabilityreport_single_vuln.json", 1),
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let listed: Vec<String> = corpus::files("trivy_operator")
        .into_iter()
        .map(|name| format!("trivy_operator/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every Trivy Operator file has an expected count"
    );
    for (file, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, "trivy-operator-json", "{file}");
        assert_eq!(imported.info.tool, "trivy-operator", "{file}");
        if !file.ends_with("missing_checkid.json") {
            assert!(
                imported.info.warnings.is_empty(),
                "{file}: {:?}",
                imported.info.warnings
            );
        }
        assert_eq!(findings.len(), *count, "{file}");
        assert_no_merge(file, &findings);
    }
}

#[test]
fn a_check_without_id_is_skipped_with_a_warning() {
    let (imported, _) = corpus::import("trivy_operator/configauditreport_missing_checkid.json");
    assert_eq!(
        imported.info.warnings,
        ["skipped a check without checkID (Missing checkID test)"]
    );
}

#[test]
fn vulnerabilities_checks_and_secrets() {
    let (imported, v) = corpus::import("trivy_operator/vulnerabilityreport_single_vuln.json");
    assert_eq!(imported.info.tool_version.as_deref(), Some("0.38.2"));
    assert_eq!(
        imported.info.target.as_deref(),
        Some("index.docker.io/library/nginx:alpine")
    );
    let f = &v[0];
    assert_eq!(f.kind, Kind::Vulnerability);
    assert_eq!(f.rule_id, "CVE-2023-23914");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.component.name.as_deref(), Some("curl"));
    assert_eq!(f.component.version.as_deref(), Some("7.87.0-r1"));
    assert_eq!(f.component.fixed_version.as_deref(), Some("7.87.0-r2"));
    assert_eq!(f.cvss[0].score, Some(4.2));
    assert_eq!(
        f.location.resource.as_deref(),
        Some("default/ReplicaSet/nginx-deployment-965685897 (container nginx)")
    );

    let (_, checks) = corpus::import("trivy_operator/configauditreport_single_vuln.json");
    assert_eq!(checks[0].rule_id, "KSV-0014");
    assert_eq!(
        checks[0].title,
        "KSV014 - Root file system is not read-only"
    );
    assert_eq!(checks[0].severity, Severity::Low);

    let (_, secrets) = corpus::import("trivy_operator/exposedsecretreport_many.json");
    assert_eq!(secrets[1].kind, Kind::Secret);
    assert_eq!(secrets[1].rule_id, "github-pat");
    assert_eq!(
        secrets[1].location.file.as_deref(),
        Some("root/github_secret.txt")
    );
}

#[test]
fn compliance_severity_is_the_checks_else_the_controls() {
    let (_, findings) = corpus::import("trivy_operator/compliance_severity.json");
    assert_eq!(findings[0].severity, Severity::Medium);
    assert_eq!(findings[1].severity, Severity::High);
    let (_, cis) = corpus::import("trivy_operator/cis_benchmark.json");
    assert_eq!(cis[0].rule_id, "KSV-0041");
    assert_eq!(cis[0].severity, Severity::Critical);
    assert_eq!(
        cis[0].location.resource.as_deref(),
        Some("/clusterrole-admin")
    );
}

#[test]
fn a_new_replicaset_of_one_deployment_is_the_same_finding() {
    let bytes = std::fs::read(corpus::path(
        "trivy_operator/vulnerabilityreport_single_vuln.json",
    ))
    .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let rolled = text.replace("nginx-deployment-965685897", "nginx-deployment-5d7c9f8b6a");
    let (_, before) = importers::import_to_vec(text.as_bytes(), None).unwrap();
    let (_, after) = importers::import_to_vec(rolled.as_bytes(), None).unwrap();
    assert_eq!(before[0].fingerprint, after[0].fingerprint);
    assert_ne!(before[0].location.resource, after[0].location.resource);
}

#[test]
fn single_vuln_snapshot() {
    let (_, findings) = corpus::import("trivy_operator/vulnerabilityreport_single_vuln.json");
    insta::assert_json_snapshot!("trivy_operator_single_vuln", findings);
}

#[test]
fn an_empty_list_is_read_when_forced() {
    let empty = br#"{"apiVersion": "v1", "kind": "List", "items": [], "metadata": {"resourceVersion": ""}}"#;
    assert!(importers::import_to_vec(&empty[..], None).is_err());
    let (imported, findings) =
        importers::import_to_vec(&empty[..], Some("trivy-operator-json")).unwrap();
    assert!(findings.is_empty());
    assert!(imported.info.warnings.is_empty());
}
