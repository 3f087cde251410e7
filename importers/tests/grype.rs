use crate::corpus;
use importers::Severity;
use std::collections::BTreeSet;

/// Our count for every Grype file in the corpus. DefectDojo's default mode keeps one finding per
/// (advisory, package name, version) and agrees with every count but one: a package found in two
/// places is two findings here, as in DefectDojo's detailed mode (docs/FORMATS.md).
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    (
        "anchore_grype/anchore_grype_epss_problem.json",
        "grype-json",
        1,
        1,
    ),
    // Six matches: Django's GHSA is matched twice at the same place (one per matcher run), the
    // one merge of the corpus. DefectDojo: 5.
    ("anchore_grype/check_all_fields.json", "grype-json", 5, 5),
    (
        "anchore_grype/check_all_fields_different_ids_fabricated.json",
        "grype-json",
        1,
        1,
    ),
    (
        "anchore_grype/check_all_fields_no_ids_fabricated.json",
        "grype-json",
        1,
        1,
    ),
    (
        "anchore_grype/check_all_fields_with_ids_fabricated.json",
        "grype-json",
        1,
        1,
    ),
    ("anchore_grype/fix_available.json", "grype-json", 1, 1),
    ("anchore_grype/fix_not_available.json", "grype-json", 1, 1),
    ("anchore_grype/issue_9618.json", "grype-json", 35, 35),
    ("anchore_grype/issue_9942.json", "grype-json", 1, 1),
    ("anchore_grype/many_vulns.json", "grype-json", 1509, 1509),
    ("anchore_grype/many_vulns2.json", "grype-json", 1567, 1567),
    ("anchore_grype/many_vulns4.json", "grype-json", 9, 9),
    (
        "anchore_grype/many_vulns_with_epss_values.json",
        "grype-json",
        15,
        15,
    ),
    ("anchore_grype/no_vuln.json", "grype-json", 0, 0),
    // libc6 2.28-10 in `/usr/lib/...` and in `/lib/...`: two copies, two findings. DefectDojo: 1
    // (default mode), 2 (detailed mode).
    (
        "anchore_grype/same_cve_different_paths.json",
        "grype-json",
        2,
        2,
    ),
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    corpus::assert_counts("anchore_grype", "grype", &[], EXPECTED);
}

/// Nothing distinct merges: every (advisory, package, place) of a file's matches is one finding,
/// and check_all_fields.json's repeated Django match is the one documented merge.
#[test]
fn distinct_matches_never_merge() {
    for (file, _, count, _) in EXPECTED {
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        let report: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let matches = report["matches"].as_array().expect("matches");
        let distinct: BTreeSet<(String, String, String, String)> = matches
            .iter()
            .map(|m| {
                let a = &m["artifact"];
                (
                    m["vulnerability"]["id"].to_string(),
                    a["purl"].to_string(),
                    a["name"].to_string(),
                    a["locations"][0]["path"].to_string(),
                )
            })
            .collect();
        assert_eq!(distinct.len(), *count, "{file}");
        let merged = matches.len() - distinct.len();
        let documented = usize::from(*file == "anchore_grype/check_all_fields.json");
        assert_eq!(merged, documented, "{file}: undocumented merge");
    }
}

#[test]
fn check_all_fields_keeps_what_grype_says() {
    let (imported, findings) = corpus::import("anchore_grype/check_all_fields.json");
    assert_eq!(imported.info.tool_version.as_deref(), Some("0.28.0"));
    assert_eq!(
        imported.info.target.as_deref(),
        Some("vulnerable-image:latest")
    );
    let negligible = &findings[0];
    assert_eq!(
        negligible.title,
        "CVE-2004-0971 in libgssapi-krb5-2:1.17-3+deb10u3"
    );
    assert_eq!(negligible.severity, Severity::Info);
    assert_eq!(negligible.severity_original.as_deref(), Some("Negligible"));
    assert!(negligible.aliases.is_empty(), "{:?}", negligible.aliases);
    assert_eq!(negligible.tool_status.as_deref(), Some("not-fixed"));
    assert_eq!(
        negligible
            .tool_status
            .as_deref()
            .and_then(domain::ToolDecision::of),
        None
    );
    assert_eq!(
        negligible.location.file.as_deref(),
        Some("/var/lib/dpkg/status")
    );
    let redis = &corpus::by_rule(&findings, "CVE-2021-32626")[0];
    assert_eq!(redis.severity, Severity::High);
    assert!(
        redis.cvss.iter().any(|c| c.vector.as_deref()
            == Some("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H")
            && c.score == Some(8.8)),
        "{:?}",
        redis.cvss
    );
    // Grype's `wont-fix` is the tool's decision.
    assert_eq!(redis.tool_status.as_deref(), Some("wont-fix"));
    assert_eq!(
        redis
            .tool_status
            .as_deref()
            .and_then(domain::ToolDecision::of),
        Some(domain::ToolDecision::WontFix)
    );
    assert_eq!(
        redis.component.fixed_version.as_deref(),
        Some("fix_1, fix_2")
    );
    let django = corpus::by_rule(&findings, "GHSA-v6rh-hp5x-86rv");
    assert_eq!(django.len(), 1);
    let django = django[0];
    assert_eq!(django.aliases, ["CVE-2021-44420"]);
    assert_eq!(
        django.component.purl.as_deref(),
        Some("pkg:pypi/Django@3.2.9")
    );
    assert_eq!(django.component.fixed_version.as_deref(), Some("3.2.10"));
    assert_eq!(
        django.remediation.as_deref(),
        Some("Upgrade Django to 3.2.10")
    );
    assert_eq!(django.tool_status.as_deref(), Some("fixed"));
    assert_eq!(
        django
            .tool_status
            .as_deref()
            .and_then(domain::ToolDecision::of),
        None
    );
    // The GHSA has no CVSS of its own; NVD's record of the related CVE has two.
    assert_eq!(django.cvss.len(), 2, "{:?}", django.cvss);
    assert!(
        django
            .description
            .as_deref()
            .unwrap_or_default()
            .contains("python-matcher")
    );
}

#[test]
fn related_ids_become_aliases() {
    let (_, with) = corpus::import("anchore_grype/check_all_fields_different_ids_fabricated.json");
    assert_eq!(with[0].aliases, ["CVE-2021-1234", "CVE-2021-5678"]);
    let (_, without) = corpus::import("anchore_grype/check_all_fields_no_ids_fabricated.json");
    assert!(without[0].aliases.is_empty());
    // The same advisory in the same package: one identity, whatever its aliases.
    assert_eq!(with[0].fingerprint, without[0].fingerprint);
}

#[test]
fn fix_state_and_versions() {
    let (_, available) = corpus::import("anchore_grype/fix_available.json");
    let (_, missing) = corpus::import("anchore_grype/fix_not_available.json");
    assert_eq!(
        available[0].component.fixed_version.as_deref(),
        Some("1.2.3")
    );
    assert_eq!(missing[0].component.fixed_version, None);
    assert_eq!(missing[0].remediation, None);
    assert_eq!(available[0].fingerprint, missing[0].fingerprint);
}

#[test]
fn epss_is_kept_from_the_advisory_or_its_related_vulnerability() {
    let (_, findings) = corpus::import("anchore_grype/many_vulns_with_epss_values.json");
    let rules: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(rules[0], "CVE-2022-28391");
    assert_eq!(rules[14], "CVE-2025-46394");
    let text = findings[0].description.as_deref().unwrap_or_default();
    assert!(text.contains("EPSS 0.0719 (percentile 0.91123"), "{text}");
    let (_, findings) = corpus::import("anchore_grype/anchore_grype_epss_problem.json");
    let text = findings[0].description.as_deref().unwrap_or_default();
    assert!(text.contains("EPSS 0.00163 (percentile 0.37957"), "{text}");
    assert_eq!(findings[0].aliases, ["CVE-2023-39325"]);
}

#[test]
fn old_layout_reads_cvss_v2_and_links() {
    let (imported, findings) = corpus::import("anchore_grype/many_vulns.json");
    assert_eq!(imported.info.tool_version.as_deref(), Some("0.7.0"));
    let f = &corpus::by_rule(&findings, "CVE-2011-3389")[0];
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.component.name.as_deref(), Some("libgnutls-openssl27"));
    assert_eq!(f.component.version.as_deref(), Some("3.6.7-4+deb10u5"));
    assert_eq!(f.location.file.as_deref(), Some("/var/lib/dpkg/status"));
    assert_eq!(f.cvss[0].version, "2.0");
    assert_eq!(f.cvss[0].score, Some(4.3));
    assert_eq!(
        f.references,
        ["https://security-tracker.debian.org/tracker/CVE-2011-3389"]
    );
}

#[test]
fn copies_of_a_package_in_two_places_stay_two_and_keep_their_identity() {
    let (_, findings) = corpus::import("anchore_grype/same_cve_different_paths.json");
    assert_eq!(findings.len(), 2);
    assert_ne!(findings[0].fingerprint, findings[1].fingerprint);
    // An upgrade that moves the package's files (a new version in the path) keeps its identity.
    let bytes =
        std::fs::read(corpus::path("anchore_grype/same_cve_different_paths.json")).expect("read");
    let moved = String::from_utf8(bytes)
        .expect("utf8")
        .replace("2.28-10", "2.28-11")
        .replace(
            "/usr/lib/x86_64-linux-gnu/",
            "/usr/lib/x86_64-linux-gnu/2.28-11/",
        );
    let (_, after) = importers::import_to_vec(moved.as_bytes(), None).expect("import");
    assert_eq!(after[0].fingerprint, findings[0].fingerprint);
    assert_eq!(after[1].fingerprint, findings[1].fingerprint);
}

#[test]
fn snapshot_of_a_small_report() {
    let (imported, findings) = corpus::import("anchore_grype/check_all_fields.json");
    insta::assert_json_snapshot!("grype_check_all_fields", (imported.info, findings));
}
