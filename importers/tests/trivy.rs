use crate::corpus;

/// Our count for every Trivy JSON file in the corpus, with DefectDojo's where they differ.
const EXPECTED: &[(&str, usize)] = &[
    ("trivy/all_statuses.json", 8),
    ("trivy/cvss_severity_source.json", 2),
    ("trivy/cvssv4_severity_source.json", 3),
    ("trivy/issue_10991.json", 37),
    ("trivy/issue_14136.json", 1),
    ("trivy/issue_9092.json", 1),
    ("trivy/issue_9170.json", 37),
    ("trivy/issue_9263.json", 1),
    ("trivy/issue_9333.json", 13),
    ("trivy/kubernetes.json", 20),
    ("trivy/kubernetes_fabricated_internal_duplicates.json", 13),
    (
        "trivy/kubernetes_fabricated_internal_duplicates_subset.json",
        5,
    ),
    ("trivy/kubernetes_fabricated_subset.json", 13),
    ("trivy/legacy_many_vulns.json", 93),
    ("trivy/legacy_no_vuln.json", 0),
    // DefectDojo: 7. Its first entry is a stub with only `PkgName` (no advisory id): we skip it
    // with a warning instead of inventing a finding (docs/FORMATS.md).
    ("trivy/legacy_trivy_mix.json", 6),
    ("trivy/license_scheme.json", 19),
    ("trivy/misconfigurations_and_secrets.json", 5),
    ("trivy/scheme_2_many_vulns.json", 5),
    ("trivy/scheme_2_no_vuln.json", 0),
    ("trivy/severity_prio.json", 2),
    ("trivy-0.76/config-all.json", 127),
    ("trivy-0.76/fs-all-scanners-minidb.json", 148),
    ("trivy-0.76/image-all-scanners-minidb.json", 34),
    ("trivy-0.76/rootfs-debian-vuln-minidb.json", 3),
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let mut listed: Vec<String> = Vec::new();
    for folder in ["trivy", "trivy-0.76"] {
        for name in corpus::files(folder) {
            if name.ends_with(".json") {
                listed.push(format!("{folder}/{name}"));
            }
        }
    }
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every Trivy JSON file in the corpus has an expected count"
    );
    for (file, count) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, "trivy-json", "{file}");
        assert_eq!(findings.len(), *count, "{file}");
    }
}
