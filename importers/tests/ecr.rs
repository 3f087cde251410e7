use crate::corpus;
use crate::inspector2::assert_no_merge;
use importers::{Kind, Severity};

/// Our count for every ECR file (all written by hand: corpus/ecr/SOURCES.md).
const EXPECTED: &[(&str, usize)] = &[
    ("ecr/basic_HANDWRITTEN_scan.json", 4),
    // Three records; the CLOSED one is fixed and not imported.
    ("ecr/enhanced_HANDWRITTEN_scan.json", 2),
    ("ecr/failed_HANDWRITTEN_scan.json", 0),
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let listed: Vec<String> = corpus::files("ecr")
        .into_iter()
        .map(|name| format!("ecr/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(listed, expected, "every ECR file has an expected count");
    for (file, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, "aws-ecr-scan-json", "{file}");
        assert_eq!(imported.info.tool, "aws-ecr", "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        assert_no_merge(file, &findings);
    }
}

#[test]
fn basic_findings_are_one_per_advisory_and_package() {
    let (imported, findings) = corpus::import("ecr/basic_HANDWRITTEN_scan.json");
    assert!(imported.info.warnings.is_empty());
    assert!(!imported.info.partial);
    assert_eq!(
        imported.info.target.as_deref(),
        Some("111122223333/shop/api:4.2.0")
    );
    assert_eq!(
        imported.info.scanned_at.as_deref(),
        Some("2024-05-02T10:41:07+00:00")
    );
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Vulnerability);
    assert_eq!(f.rule_id, "CVE-2019-5188");
    assert_eq!(f.title, "CVE-2019-5188 - e2fsprogs");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.component.name.as_deref(), Some("e2fsprogs"));
    assert_eq!(f.component.version.as_deref(), Some("1.44.5-1+deb10u2"));
    assert_eq!(f.cvss[0].version, "2.0");
    assert_eq!(f.cvss[0].score, Some(4.6));
    assert_eq!(findings[2].cvss[0].version, "3.1");
    assert_eq!(findings[3].severity, Severity::Info);
}

#[test]
fn enhanced_findings_are_inspector_findings() {
    let (imported, findings) = corpus::import("ecr/enhanced_HANDWRITTEN_scan.json");
    assert!(!imported.info.partial);
    assert_eq!(
        imported.info.warnings,
        ["1 finding(s) CLOSED in the tool (fixed) were not imported"]
    );
    let f = &findings[0];
    assert_eq!(f.rule_id, "CVE-2024-47081");
    assert_eq!(f.aliases, ["GHSA-9hjg-9r4m-mvj7"]);
    assert_eq!(f.component.fixed_version.as_deref(), Some("2.32.4"));
    assert_eq!(f.location.target.as_deref(), Some("shop/api:4.2.0"));
    assert_eq!(
        f.cvss.len(),
        1,
        "Inspector's score repeats NVD's: one entry"
    );
    let zlib = &findings[1];
    assert_eq!(zlib.component.version.as_deref(), Some("1:1.2.13.dfsg-1-3"));
    assert_eq!(
        zlib.component.fixed_version, None,
        "NotAvailable is no version"
    );
    assert_eq!(
        domain::ToolDecision::of(zlib.tool_status.as_deref().unwrap()),
        Some(domain::ToolDecision::Suppressed)
    );
}

#[test]
fn a_failed_scan_is_partial() {
    let (imported, findings) = corpus::import("ecr/failed_HANDWRITTEN_scan.json");
    assert!(findings.is_empty());
    assert!(imported.info.partial, "a failed scan fixes nothing");
    assert!(
        imported.info.warnings[0].contains("FAILED"),
        "{:?}",
        imported.info.warnings
    );
}

#[test]
fn basic_scan_snapshot() {
    let (_, findings) = corpus::import("ecr/basic_HANDWRITTEN_scan.json");
    insta::assert_json_snapshot!("ecr_basic_handwritten", findings);
}
