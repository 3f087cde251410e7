use crate::corpus;
use importers::{Finding, ImportError, Kind, Severity};
use std::collections::BTreeSet;

/// Our count for every OSV-Scanner file in the corpus: one finding per group of alias records
/// per package per source. DefectDojo keeps one per record (66 for many_findings.json).
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    // 66 records in 37 groups: 29 records are another database's record of a flaw already
    // counted (`PYSEC-2023-212` beside `GHSA-g4mx-q9vg-27p4`).
    ("osv_scanner/many_findings.json", "osv-scanner-json", 37, 37),
    (
        "osv_scanner/multi_cwe_fabricated.json",
        "osv-scanner-json",
        1,
        1,
    ),
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    corpus::assert_counts(
        "osv_scanner",
        "osv-scanner",
        &["osv_scanner/no_findings.json"],
        EXPECTED,
    );
}

/// DefectDojo's `no_findings.json` is an empty file: an error here, as every empty upload is.
#[test]
fn the_empty_file_is_an_empty_error() {
    let bytes = std::fs::read(corpus::path("osv_scanner/no_findings.json")).expect("read");
    let err = importers::import_to_vec(&bytes[..], None).expect_err("empty");
    assert!(matches!(err, ImportError::Empty), "{err}");
    let (_, findings) =
        importers::import_to_vec(&br#"{"results": []}"#[..], Some("osv-scanner-json"))
            .expect("a report without results");
    assert!(findings.is_empty());
    // What OSV-Scanner writes when it finds nothing is recognized as its report.
    let clean = br#"{"results": [], "experimental_config": {"licenses": {"summary": false, "allowlist": null}}}"#;
    let (imported, findings) = importers::import_to_vec(&clean[..], None).expect("clean scan");
    assert_eq!(imported.format, "osv-scanner-json");
    assert!(findings.is_empty());
}

/// Nothing distinct merges: every (group, package, source) is one finding; the records merged
/// are exactly those OSV-Scanner grouped as aliases of one flaw.
#[test]
fn distinct_groups_never_merge() {
    for (file, _, count, _) in EXPECTED {
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        let report: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let mut distinct = BTreeSet::new();
        let mut records = 0;
        for result in report["results"].as_array().expect("results") {
            for package in result["packages"].as_array().expect("packages") {
                for v in package["vulnerabilities"]
                    .as_array()
                    .expect("vulnerabilities")
                {
                    records += 1;
                    let id = v["id"].as_str().expect("id");
                    let group = package["groups"]
                        .as_array()
                        .and_then(|groups| {
                            groups.iter().find(|g| {
                                g["ids"]
                                    .as_array()
                                    .is_some_and(|ids| ids.iter().any(|i| i == id))
                            })
                        })
                        .map_or(id.to_string(), |g| g["ids"].to_string());
                    distinct.insert((
                        group,
                        package["package"].to_string(),
                        result["source"]["path"].to_string(),
                    ));
                }
            }
        }
        assert_eq!(distinct.len(), *count, "{file}");
        assert!(records >= distinct.len(), "{file}");
    }
}

#[test]
fn a_group_is_one_finding_with_every_id_as_alias() {
    let (_, findings) = corpus::import("osv_scanner/many_findings.json");
    assert!(corpus::by_rule(&findings, "PYSEC-2023-212").is_empty());
    let urllib3 = corpus::by_rule(&findings, "GHSA-g4mx-q9vg-27p4");
    assert_eq!(urllib3.len(), 1);
    let f = urllib3[0];
    assert_eq!(f.kind, Kind::Vulnerability);
    assert_eq!(f.aliases, ["PYSEC-2023-212", "CVE-2023-45803"]);
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.severity_original.as_deref(), Some("MODERATE"));
    assert_eq!(f.component.name.as_deref(), Some("urllib3"));
    assert_eq!(f.component.version.as_deref(), Some("1.26.17"));
    assert_eq!(
        f.component.purl.as_deref(),
        Some("pkg:pypi/urllib3@1.26.17")
    );
    // The ECOSYSTEM ranges' fixes, not the git commits of PYSEC's.
    assert_eq!(f.component.fixed_version.as_deref(), Some("2.0.7, 1.26.18"));
    assert_eq!(
        f.location.file.as_deref(),
        Some("/tmpgapps/requirements.txt")
    );
    assert!(
        f.cvss
            .iter()
            .all(|c| c.version == "3.1" && c.score.is_none())
    );
    assert_eq!(f.cvss.len(), 1, "{:?}", f.cvss);
}

#[test]
fn fields_of_a_github_advisory() {
    let (_, findings) = corpus::import("osv_scanner/many_findings.json");
    let f = corpus::by_rule(&findings, "GHSA-25mq-v84q-4j7r")[0];
    assert_eq!(
        f.title,
        "CURLOPT_HTTPAUTH option not cleared on change of origin"
    );
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.aliases, ["CVE-2022-31090"]);
    assert_eq!(f.component.fixed_version.as_deref(), Some("6.5.8, 7.4.5"));
    assert_eq!(
        f.component.purl.as_deref(),
        Some("pkg:composer/guzzlehttp/guzzle@6.3.3")
    );
    assert!(
        f.description
            .as_deref()
            .unwrap_or_default()
            .starts_with("### Impact")
    );
    let django = corpus::by_rule(&findings, "GHSA-2gwj-7jmv-h26r")[0];
    assert_eq!(django.cwe, ["CWE-89"]);
    assert_eq!(django.severity, Severity::Critical);
    // A git repository's commit: no package name, the commit as its version.
    let git = corpus::by_rule(&findings, "CVE-2023-50094")[0];
    assert_eq!(git.component.name, None);
    assert_eq!(
        git.component.version.as_deref(),
        Some("f5f3c22f3ed5a6804a2a8d9ee9fa43044cfa24a6")
    );
}

#[test]
fn cwes_of_affected_entries() {
    let (_, findings) = corpus::import("osv_scanner/multi_cwe_fabricated.json");
    assert_eq!(findings[0].cwe, ["CWE-79", "CWE-89"]);
    assert_eq!(findings[0].severity, Severity::Unknown);
}

#[test]
fn license_violations_and_copies_in_two_lock_files() {
    let report = serde_json::json!({"results": [
        {"source": {"path": "/ci/a/package-lock.json", "type": "lockfile"}, "packages": [
            {"package": {"name": "left-pad", "version": "1.0.0", "ecosystem": "npm"},
             "vulnerabilities": [{"id": "GHSA-aaaa-bbbb-cccc", "summary": "s"}],
             "groups": [{"ids": ["GHSA-aaaa-bbbb-cccc"], "aliases": [], "max_severity": "7.5"}],
             "license_violations": ["GPL-3.0-only"]}]},
        {"packages": [
            {"package": {"name": "left-pad", "version": "1.0.1", "ecosystem": "npm"},
             "vulnerabilities": [{"id": "GHSA-aaaa-bbbb-cccc"}]}],
         "source": {"path": "/ci/b/package-lock.json", "type": "lockfile"}}
    ]});
    let bytes = serde_json::to_vec(&report).expect("json");
    let (_, findings) = importers::import_to_vec(&bytes[..], None).expect("import");
    assert_eq!(findings.len(), 3);
    assert_eq!(findings[0].severity, Severity::High);
    assert_eq!(findings[0].severity_original.as_deref(), Some("7.5"));
    assert_eq!(findings[1].kind, Kind::License);
    assert_eq!(findings[1].rule_id, "GPL-3.0-only");
    assert_eq!(
        findings[2].location.file.as_deref(),
        Some("/ci/b/package-lock.json")
    );
    assert_ne!(findings[0].fingerprint, findings[2].fingerprint);
    // The same lock file checked out elsewhere keeps its findings' identity.
    let moved = serde_json::to_string(&report)
        .expect("json")
        .replace("/ci/", "/home/runner/work/shop/");
    let (_, again) = importers::import_to_vec(moved.as_bytes(), None).expect("import");
    let ids = |f: &[Finding]| f.iter().map(|f| f.fingerprint.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&findings));
}

#[test]
fn snapshot_of_a_small_report() {
    let (imported, findings) = corpus::import("osv_scanner/multi_cwe_fabricated.json");
    insta::assert_json_snapshot!("osv_scanner_multi_cwe", (imported.info, findings));
}
