use crate::corpus;
use domain::ToolDecision;
use importers::{Kind, Severity};
use std::collections::BTreeSet;

/// Our counts for every Dependabot file (handwritten from GitHub's REST API reference;
/// DefectDojo reads no Dependabot alerts list): alerts that are findings (every state but
/// `fixed`) and distinct fingerprints.
const EXPECTED: &[(&str, usize, usize)] = &[
    // Eight alerts, one fixed; one advisory in two manifests stays two findings.
    (
        "dependabot/dependabot_HANDWRITTEN_rest_2022-11-28_repo_alerts.json",
        7,
        7,
    ),
];

const FILE: &str = "dependabot/dependabot_HANDWRITTEN_rest_2022-11-28_repo_alerts.json";

#[test]
fn every_corpus_file_imports_with_its_expected_counts() {
    let listed: Vec<String> = corpus::files("dependabot")
        .into_iter()
        .map(|name| format!("dependabot/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, ..)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every Dependabot file has an expected count"
    );
    for (file, records, distinct) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, "dependabot-json", "{file}");
        assert_eq!(imported.info.tool, "dependabot", "{file}");
        assert!(imported.info.warnings.is_empty(), "{file}");
        assert_eq!(findings.len(), *records, "{file}");
        let fingerprints: BTreeSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(fingerprints.len(), *distinct, "{file}");
        // No merge: one finding per (advisory, package, manifest).
        let identities: BTreeSet<(&str, Option<&str>, Option<&str>)> = findings
            .iter()
            .map(|f| {
                (
                    f.rule_id.as_str(),
                    f.component.name.as_deref(),
                    f.location.file.as_deref(),
                )
            })
            .collect();
        assert_eq!(identities.len(), fingerprints.len(), "{file}");
    }
}

#[test]
fn fields() {
    let (imported, findings) = corpus::import(FILE);
    assert_eq!(
        imported.info.target.as_deref(),
        Some("https://github.com/acme/shop")
    );
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Vulnerability);
    assert_eq!(f.rule_id, "GHSA-rv95-896h-c2vc");
    assert_eq!(f.aliases, ["CVE-2024-29041"]);
    assert_eq!(f.cwe, ["CWE-601", "CWE-1286"]);
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.severity_original.as_deref(), Some("medium"));
    assert_eq!(f.cvss.len(), 2);
    assert_eq!(f.cvss[0].version, "3.1");
    assert_eq!(f.cvss[0].score, Some(6.1));
    assert_eq!(f.cvss[1].version, "4.0");
    assert_eq!(f.component.name.as_deref(), Some("express"));
    assert_eq!(f.component.fixed_version.as_deref(), Some("4.19.2"));
    assert_eq!(f.location.file.as_deref(), Some("web/package-lock.json"));
    assert_eq!(f.category.as_deref(), Some("runtime"));
    assert_eq!(f.tool_status.as_deref(), Some("open"));
    let description = f.description.as_deref().unwrap_or_default();
    assert_eq!(
        f.epss,
        Some(importers::Epss {
            probability: 0.00052,
            percentile: Some(0.2012)
        })
    );
    assert!(
        description.contains("Vulnerable versions: < 4.19.2"),
        "{description}"
    );
    assert_eq!(
        f.references[0],
        "https://github.com/acme/shop/security/dependabot/9"
    );
    // The fixed alert is not a finding.
    assert!(findings.iter().all(|f| f.rule_id != "GHSA-wf5p-g6vw-rhxx"));
    // An alert without a patched version has no fixed version and no remediation.
    let ip = findings
        .iter()
        .find(|f| f.rule_id == "GHSA-2p57-rm9w-gvfp")
        .expect("ip alert");
    assert_eq!(ip.component.fixed_version, None);
    assert_eq!(ip.remediation, None);
}

#[test]
fn dismissals_are_tool_decisions() {
    let (_, findings) = corpus::import(FILE);
    let decisions: Vec<(&str, Option<ToolDecision>)> = findings
        .iter()
        .map(|f| {
            let status = f.tool_status.as_deref().unwrap_or_default();
            (status, ToolDecision::of(status))
        })
        .collect();
    assert_eq!(
        decisions,
        [
            ("open", None),
            ("open", None),
            ("dismissed/not_used", Some(ToolDecision::NotAffected)),
            ("dismissed/tolerable_risk", Some(ToolDecision::Accepted)),
            ("dismissed/inaccurate", Some(ToolDecision::FalsePositive)),
            ("auto_dismissed", Some(ToolDecision::Suppressed)),
            ("dismissed/no_bandwidth", Some(ToolDecision::Accepted)),
        ]
    );
}

#[test]
fn an_empty_list_imports_when_the_format_is_named() {
    let (imported, findings) =
        importers::import_to_vec(&b"[]"[..], Some("dependabot-json")).expect("empty list");
    assert_eq!(imported.info.tool, "dependabot");
    assert!(findings.is_empty());
}

#[test]
fn snapshot_of_the_first_alert() {
    let (_, findings) = corpus::import(FILE);
    insta::assert_json_snapshot!("dependabot_first_alert", findings[0]);
}
