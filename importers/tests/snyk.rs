use crate::corpus;
use domain::ToolDecision;
use importers::{Kind, Severity};
use std::collections::BTreeSet;

/// Our counts for every Snyk file (handwritten from Snyk's docs; DefectDojo's corpus has none):
/// records (one per issue per dependency path, as Snyk writes them) and distinct fingerprints
/// (one per issue, package, top-level dependency and manifest).
const EXPECTED: &[(&str, usize, usize)] = &[
    // Two projects with the same issue in two manifests stay two; a third project.
    ("snyk/snyk_HANDWRITTEN_all_projects.json", 3, 3),
    ("snyk/snyk_HANDWRITTEN_clean.json", 0, 0),
    // Two binary packages of one source package in the image, and one application's issue.
    ("snyk/snyk_HANDWRITTEN_container.json", 3, 3),
    // lodash's issue on three paths: direct, and twice through `async` (one finding); one more
    // issue, one license issue, one ignored issue.
    ("snyk/snyk_HANDWRITTEN_npm_one_project.json", 6, 5),
];

#[test]
fn every_corpus_file_imports_with_its_expected_counts() {
    let listed: Vec<String> = corpus::files("snyk")
        .into_iter()
        .map(|name| format!("snyk/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, ..)| f.to_string()).collect();
    assert_eq!(listed, expected, "every Snyk file has an expected count");
    for (file, records, distinct) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, "snyk-json", "{file}");
        assert_eq!(imported.info.tool, "snyk", "{file}");
        assert!(imported.info.warnings.is_empty(), "{file}");
        assert_eq!(findings.len(), *records, "{file}");
        let fingerprints: BTreeSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(fingerprints.len(), *distinct, "{file}");
    }
}

/// No two distinct (issue, package, top-level dependency, manifest) share a fingerprint; the
/// only merge is of paths through the same top-level dependency.
#[test]
fn distinct_identities_never_merge() {
    for name in corpus::files("snyk") {
        let file = format!("snyk/{name}");
        let (_, findings) = corpus::import(&file);
        let identities: BTreeSet<(String, Option<String>, Option<String>, String)> = findings
            .iter()
            .map(|f| {
                let path = f.description.as_deref().unwrap_or_default();
                let top = path
                    .split("Introduced through: ")
                    .nth(1)
                    .and_then(|p| p.split(" > ").nth(1))
                    .map(|s| s.rsplit_once('@').map_or(s, |(n, _)| n).to_string())
                    .unwrap_or_default();
                (
                    f.rule_id.clone(),
                    f.component.name.clone(),
                    f.location.file.clone().or(f.location.target.clone()),
                    top,
                )
            })
            .collect();
        let fingerprints: BTreeSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(identities.len(), fingerprints.len(), "{file}");
    }
}

#[test]
fn fields_and_decisions() {
    let (imported, findings) = corpus::import("snyk/snyk_HANDWRITTEN_npm_one_project.json");
    assert_eq!(imported.info.target.as_deref(), Some("/builds/acme/goof"));
    let lodash = &findings[0];
    assert_eq!(lodash.kind, Kind::Vulnerability);
    assert_eq!(lodash.rule_id, "SNYK-JS-LODASH-567746");
    assert_eq!(lodash.severity, Severity::High);
    assert_eq!(lodash.severity_original.as_deref(), Some("high"));
    assert_eq!(lodash.aliases, ["CVE-2020-8203", "GHSA-p6mc-m468-83gw"]);
    assert_eq!(lodash.cwe, ["CWE-1321"]);
    assert_eq!(lodash.cvss.len(), 2);
    assert_eq!(lodash.cvss[0].version, "3.1");
    assert_eq!(lodash.cvss[0].score, Some(7.3));
    assert_eq!(lodash.cvss[1].source.as_deref(), Some("NVD"));
    assert_eq!(lodash.component.fixed_version.as_deref(), Some("4.17.20"));
    assert_eq!(
        lodash.remediation.as_deref(),
        Some("Upgrade to lodash@4.17.20")
    );
    assert_eq!(lodash.location.file.as_deref(), Some("package-lock.json"));
    assert_eq!(
        lodash.epss,
        Some(importers::Epss {
            probability: 0.83446,
            percentile: Some(0.9803)
        })
    );
    assert_eq!(lodash.tool_status, None);
    // Paths through `async` are one finding; the direct dependency's path is another.
    assert_ne!(findings[0].fingerprint, findings[1].fingerprint);
    assert_eq!(findings[1].fingerprint, findings[2].fingerprint);

    let license = &findings[4];
    assert_eq!(license.kind, Kind::License);
    assert_eq!(license.rule_id, "snyk:lic:npm:node-forge:GPL-2.0");

    let ignored = &findings[5];
    assert_eq!(ignored.rule_id, "SNYK-JS-QS-3153490");
    assert_eq!(
        ignored.tool_status.as_deref(),
        Some("ignored/not-vulnerable")
    );
    assert_eq!(
        ToolDecision::of(ignored.tool_status.as_deref().unwrap_or_default()),
        Some(ToolDecision::NotAffected)
    );
    assert!(
        ignored
            .description
            .as_deref()
            .unwrap_or_default()
            .contains("Ignored in Snyk until 2027-01-01T00:00:00.000Z")
    );
}

#[test]
fn container_fields() {
    let (imported, findings) = corpus::import("snyk/snyk_HANDWRITTEN_container.json");
    assert_eq!(imported.info.target.as_deref(), Some("acme/shop-api:4.2.0"));
    let os = &findings[0];
    assert_eq!(os.component.name.as_deref(), Some("openssl"));
    assert_eq!(
        os.component.fixed_version.as_deref(),
        Some("3.0.13-1~deb12u1")
    );
    assert_eq!(os.location.target.as_deref(), Some("acme/shop-api:4.2.0"));
    let app = &findings[2];
    assert_eq!(app.location.file.as_deref(), Some("/app/package.json"));
    assert_eq!(
        app.component.fixed_version.as_deref(),
        Some("4.19.2, 5.0.0-beta.3")
    );
}

#[test]
fn snapshot_of_the_all_projects_list() {
    let (imported, findings) = corpus::import("snyk/snyk_HANDWRITTEN_all_projects.json");
    insta::assert_json_snapshot!("snyk_all_projects", (imported.info, findings));
}
