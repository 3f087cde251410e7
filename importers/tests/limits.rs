//! Free text is bounded: a report with huge fields gives findings whose every field fits its
//! limit, cut on a character boundary and marked (issue 16). The raw report keeps the rest.

use importers::finding::{limits, truncation_marker};

/// A Trivy report (its keys sorted, so read with the format named) with one vulnerability whose free text is `n` bytes per field ("é" is two
/// bytes, so a cut at an odd offset would split a character).
fn huge_trivy(n: usize) -> Vec<u8> {
    let text = "é".repeat(n / 2);
    let references: Vec<String> = (0..1000)
        .map(|i| format!("https://example.com/{i}"))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "SchemaVersion": 2,
        "ArtifactName": text,
        "Results": [{
            "Target": text,
            "Class": "lang-pkgs",
            "Type": "npm",
            "Vulnerabilities": [{
                "VulnerabilityID": "CVE-2026-0001",
                "PkgName": "left-pad",
                "InstalledVersion": "1.0.0",
                "FixedVersion": text,
                "Title": text,
                "Description": text,
                "Severity": "HIGH",
                "References": references,
                "CweIDs": [text],
            }],
        }],
    }))
    .unwrap()
}

fn assert_cut(field: &str, value: &str, max: usize, full: usize) {
    assert!(value.len() <= max, "{field}: {} bytes > {max}", value.len());
    assert!(
        value.ends_with(&truncation_marker(full)),
        "{field} lacks the marker: ...{}",
        &value[value.len().saturating_sub(80)..]
    );
    assert!(value.starts_with("éé"), "{field}");
}

#[test]
fn every_field_is_cut_to_its_limit_and_marked() {
    let n = 1 << 20;
    let (imported, findings) =
        importers::import_to_vec(huge_trivy(n).as_slice(), Some("trivy-json")).unwrap();
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_cut("title", &f.title, limits::TITLE, n);
    assert_cut(
        "description",
        f.description.as_deref().unwrap(),
        limits::TEXT,
        n,
    );
    assert_cut(
        "fixed_version",
        f.component.fixed_version.as_deref().unwrap(),
        limits::SHORT,
        n,
    );
    assert_cut(
        "target",
        f.location.target.as_deref().unwrap(),
        limits::LOCATOR,
        n,
    );
    assert_cut("cwe", &f.cwe[0], limits::SHORT, n);
    assert_eq!(f.references.len(), limits::LIST);
    assert_eq!(
        f.references.last().unwrap(),
        &format!(
            "… [truncated: {} more in the raw report]",
            1000 - limits::LIST + 1
        )
    );
    assert_cut(
        "scan target",
        imported.info.target.as_deref().unwrap(),
        limits::LOCATOR,
        n,
    );

    // The fingerprint is the one the full text gives: cutting changes no identity.
    let (_, small) =
        importers::import_to_vec(huge_trivy(10).as_slice(), Some("trivy-json")).unwrap();
    assert_ne!(small[0].title, f.title);
    let (_, again) =
        importers::import_to_vec(huge_trivy(n).as_slice(), Some("trivy-json")).unwrap();
    assert_eq!(again[0].fingerprint, f.fingerprint);
}

#[test]
fn text_within_the_limits_is_kept_whole() {
    let (_, findings) =
        importers::import_to_vec(huge_trivy(limits::TITLE).as_slice(), Some("trivy-json")).unwrap();
    assert_eq!(findings[0].title, "é".repeat(limits::TITLE / 2));
}
