//! CycloneDX BOMs with vulnerabilities: every corpus file, the no-merge check, VEX states as
//! tool statuses, refs resolved wherever the components are, SBOMs refused by name, snapshots.

use crate::corpus;
use importers::{Finding, Severity};
use std::collections::BTreeSet;

/// Our count for every CycloneDX file that holds vulnerabilities: one finding per vulnerability
/// and affected component, as DefectDojo counts (corpus/EXPECTED-defectdojo-wave2.md).
const EXPECTED: &[(&str, &str, usize)] = &[
    ("cyclonedx/dd_1_15_0.xml", "cyclonedx-xml", 381),
    ("cyclonedx/grype.xml", "cyclonedx-xml", 327),
    ("cyclonedx/grype_dd_1_14_1.xml", "cyclonedx-xml", 312),
    ("cyclonedx/issue_8022.json", "cyclonedx-json", 1),
    // Ten vulnerabilities, fourteen affected components.
    ("cyclonedx/issue_9277.json", "cyclonedx-json", 14),
    ("cyclonedx/jake2.json", "cyclonedx-json", 7),
    ("cyclonedx/log4j.xml", "cyclonedx-xml", 8),
    ("cyclonedx/multiple_cwes_fabricated.xml", "cyclonedx-xml", 1),
    ("cyclonedx/nested-component-log4j.json", "cyclonedx-json", 8),
    ("cyclonedx/no-severity.json", "cyclonedx-json", 1),
    ("cyclonedx/spec1.xml", "cyclonedx-xml", 1),
    ("cyclonedx/spec1_lowfirst.xml", "cyclonedx-xml", 1),
    (
        "cyclonedx/valid-vulnerability-1.4.json",
        "cyclonedx-json",
        1,
    ),
    ("cyclonedx/valid-vulnerability-1.4.xml", "cyclonedx-xml", 1),
];

/// SBOMs: no vulnerabilities, refused as not a scan report.
const SBOMS: &[&str] = &[
    "cyclonedx/cyclonedx_bom.xml",
    "cyclonedx/jake.xml",
    "cyclonedx/retirejs.latest.xml",
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let expected: Vec<_> = EXPECTED
        .iter()
        .map(|&(file, format, n)| (file, format, n, n))
        .collect();
    corpus::assert_counts("cyclonedx", "cyclonedx", SBOMS, &expected);
}

#[test]
fn boms_without_vulnerabilities_are_refused_as_sboms() {
    for file in SBOMS {
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        let text = importers::import_to_vec(&bytes[..], None)
            .expect_err(file)
            .to_string();
        assert!(
            text.starts_with(
                "this looks like a CycloneDX document (an SBOM or VEX; VEX decisions go to \
                 `scanledger vex import`), which ScanLedger does not read"
            ),
            "{file}: {text}"
        );
        assert!(text.contains("<?xml"), "{file}: {text}");
    }
    let json = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}"#;
    let text = importers::import_to_vec(&json[..], None)
        .expect_err("sbom")
        .to_string();
    assert!(text.contains("an SBOM or VEX"), "{text}");
    assert!(text.contains("bomFormat"), "{text}");
}

/// What a finding is about, independently of its fingerprint.
fn about(f: &Finding) -> (String, Option<String>, Option<String>, Option<String>) {
    (
        f.rule_id.clone(),
        f.component.purl.clone(),
        f.component.name.clone(),
        f.component.version.clone(),
    )
}

/// Nothing distinct merges: in the JSON files every (vulnerability id, affected ref) is one
/// finding; in every file the findings are about distinct (advisory, package) pairs, and there
/// are as many as DefectDojo's one per vulnerability and target.
#[test]
fn distinct_vulnerabilities_and_targets_never_merge() {
    for (file, _, count) in EXPECTED {
        let (_, findings) = corpus::import(file);
        let distinct: BTreeSet<_> = findings.iter().map(about).collect();
        assert_eq!(distinct.len(), *count, "{file}: findings about one thing");
        if file.ends_with(".json") {
            let bytes = std::fs::read(corpus::path(file)).expect("read");
            let bom: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
            let pairs: BTreeSet<(String, String)> = bom["vulnerabilities"]
                .as_array()
                .expect("vulnerabilities")
                .iter()
                .flat_map(|v| {
                    let id = v["id"].to_string();
                    v["affects"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(move |a| (id.clone(), a["ref"].to_string()))
                })
                .collect();
            assert_eq!(pairs.len(), *count, "{file}: (id, ref) pairs");
        }
    }
}

#[test]
fn vex_analysis_is_the_tools_status_and_its_decision() {
    for file in [
        "cyclonedx/valid-vulnerability-1.4.json",
        "cyclonedx/valid-vulnerability-1.4.xml",
    ] {
        let (_, findings) = corpus::import(file);
        let f = &findings[0];
        assert_eq!(
            f.rule_id, "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111",
            "{file}"
        );
        assert_eq!(f.aliases, ["CVE-2018-7489"], "{file}");
        assert_eq!(f.cwe, ["CWE-184", "CWE-502"], "{file}");
        assert_eq!(f.severity, Severity::Critical, "{file}");
        assert_eq!(
            f.component.purl.as_deref(),
            Some("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4"),
            "{file}"
        );
        assert_eq!(f.tool_status.as_deref(), Some("not_affected"), "{file}");
        assert_eq!(
            f.tool_status.as_deref().and_then(domain::ToolDecision::of),
            Some(domain::ToolDecision::NotAffected),
            "{file}"
        );
        let text = f.description.as_deref().unwrap_or_default();
        assert!(
            text.contains("VEX analysis: not_affected (code_not_reachable)"),
            "{file}: {text}"
        );
    }
    // JSON and XML of one BOM are one finding.
    let (_, json) = corpus::import("cyclonedx/valid-vulnerability-1.4.json");
    let (_, xml) = corpus::import("cyclonedx/valid-vulnerability-1.4.xml");
    assert_eq!(json[0].fingerprint, xml[0].fingerprint);
}

/// `resolved`, `exploitable` and `in_triage` are kept, and decide nothing.
#[test]
fn states_that_are_not_decisions_decide_nothing() {
    for state in ["resolved", "exploitable", "in_triage", "false_positive"] {
        let bom = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5",
            "components": [{"bom-ref": "a", "name": "a", "version": "1", "purl": "pkg:npm/a@1"}],
            "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": state}, "affects": [{"ref": "a"}]}]});
        let bytes = serde_json::to_vec(&bom).expect("json");
        let (_, findings) = importers::import_to_vec(&bytes[..], None).expect(state);
        assert_eq!(findings[0].tool_status.as_deref(), Some(state));
        let decision = findings[0]
            .tool_status
            .as_deref()
            .and_then(domain::ToolDecision::of);
        let expected = (state == "false_positive").then_some(domain::ToolDecision::FalsePositive);
        assert_eq!(decision, expected, "{state}");
    }
}

#[test]
fn components_after_vulnerabilities_still_resolve() {
    let before = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6",
        "vulnerabilities": [{"id": "CVE-1", "affects": [{"ref": "r1"}, {"ref": "r2"}, {"ref": "r1"}, {"ref": "r3"}]}],
        "components": [{"bom-ref": "r1", "name": "a", "version": "1", "purl": "pkg:npm/a@1",
            "components": [{"bom-ref": "r2", "name": "b", "version": "2", "purl": "pkg:npm/b@2"}]},
            {"bom-ref": "r3", "name": "a", "version": "1", "purl": "pkg:npm/a@1"}]}"#;
    let (_, findings) = importers::import_to_vec(&before[..], None).expect("imports");
    let purls: Vec<_> = findings
        .iter()
        .map(|f| f.component.purl.as_deref())
        .collect();
    // The repeated ref is one finding; the same package under another ref (a second copy) is
    // another.
    assert_eq!(
        purls,
        [
            Some("pkg:npm/a@1"),
            Some("pkg:npm/b@2"),
            Some("pkg:npm/a@1")
        ]
    );
    assert_eq!(corpus::fingerprints(&findings).len(), 3);
}

#[test]
fn the_most_severe_rating_wins_and_a_bare_score_rates() {
    for file in ["cyclonedx/spec1.xml", "cyclonedx/spec1_lowfirst.xml"] {
        let (_, findings) = corpus::import(file);
        assert_eq!(findings[0].severity, Severity::Critical, "{file}");
        assert_eq!(findings[0].title, "CVE-2018-7489 in jackson-databind:2.9.9");
    }
    let (_, findings) = corpus::import("cyclonedx/no-severity.json");
    assert_eq!(findings[0].severity, Severity::Critical);
    assert_eq!(findings[0].cvss[0].version, "3.1");
    // The ref names no component: the ref is all we know of the package.
    assert_eq!(findings[0].component.name.as_deref(), Some("gerbwetbqt"));
}

#[test]
fn nested_components_resolve_like_top_level_ones() {
    let (_, nested) = corpus::import("cyclonedx/nested-component-log4j.json");
    let (_, flat) = corpus::import("cyclonedx/log4j.xml");
    let first = &nested[0];
    assert_eq!(first.title, "CVE-2021-44228 in log4j-core:2.13.2");
    assert_eq!(first.severity, Severity::Critical);
    let ids = |f: &[Finding]| f.iter().map(about).collect::<BTreeSet<_>>();
    assert_eq!(ids(&nested), ids(&flat));
}

#[test]
fn legacy_extension_vulnerabilities_affect_their_component() {
    let (imported, findings) = corpus::import("cyclonedx/dd_1_15_0.xml");
    let apt = &findings[0];
    assert_eq!(apt.rule_id, "CVE-2011-3374");
    assert_eq!(apt.component.name.as_deref(), Some("apt"));
    assert_eq!(apt.component.version.as_deref(), Some("1.8.2.1"));
    assert_eq!(apt.severity, Severity::Low);
    assert_eq!(apt.cvss[0].score, Some(4.3));
    assert!(imported.info.scanned_at.is_some());
    let tar = &findings[380];
    assert_eq!(tar.rule_id, "CVE-2021-20193");
    assert_eq!(tar.component.name.as_deref(), Some("tar"));
}

#[test]
fn snapshot_of_a_small_report() {
    let (imported, findings) = corpus::import("cyclonedx/valid-vulnerability-1.4.json");
    insta::assert_json_snapshot!(
        "cyclonedx_valid_vulnerability_json",
        (imported.info, findings)
    );
    let (imported, findings) = corpus::import("cyclonedx/multiple_cwes_fabricated.xml");
    insta::assert_json_snapshot!("cyclonedx_multiple_cwes_xml", (imported.info, findings));
}
