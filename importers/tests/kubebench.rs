use crate::corpus;
use crate::inspector2::assert_no_merge;
use importers::{Kind, Severity};

/// Our count for every kube-bench file in the corpus: DefectDojo's (FAIL and WARN results but
/// the manual checks).
const EXPECTED: &[(&str, usize, usize)] = &[
    // (file, findings, manual checks left out)
    ("kubebench/kube-bench-controls.json", 56, 29),
    ("kubebench/kube-bench-report-one-vuln.json", 1, 0),
    ("kubebench/kube-bench-report-zero-vuln.json", 0, 0),
];

#[test]
fn every_corpus_file_imports_with_its_expected_count() {
    let listed: Vec<String> = corpus::files("kubebench")
        .into_iter()
        .map(|name| format!("kubebench/{name}"))
        .collect();
    let expected: Vec<String> = EXPECTED.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(
        listed, expected,
        "every kube-bench file has an expected count"
    );
    for (file, count, manual) in EXPECTED {
        let (imported, findings) = corpus::import(file);
        assert_eq!(imported.format, "kube-bench-json", "{file}");
        assert_eq!(imported.info.tool, "kube-bench", "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        assert_no_merge(file, &findings);
        if *manual > 0 {
            assert_eq!(
                imported.info.warnings,
                [format!(
                    "{manual} manual check(s) (WARN, marked as a manual test) are reminders, not results: not imported"
                )],
                "{file}"
            );
        } else {
            assert!(imported.info.warnings.is_empty(), "{file}");
        }
    }
}

#[test]
fn fail_is_medium_and_warn_is_info() {
    let (_, findings) = corpus::import("kubebench/kube-bench-controls.json");
    let medium = findings
        .iter()
        .filter(|f| f.severity == Severity::Medium)
        .count();
    let info = findings
        .iter()
        .filter(|f| f.severity == Severity::Info)
        .count();
    assert_eq!((medium, info), (36, 20));
    let f = &findings[0];
    assert_eq!(f.kind, Kind::Misconfiguration);
    assert_eq!(f.rule_id, "1.1.1");
    assert_eq!(
        f.title,
        "Ensure that the API server pod specification file permissions are set to 644 or more restrictive (Automated)"
    );
    assert_eq!(f.category.as_deref(), Some("master"));
    assert_eq!(f.tool_status.as_deref(), Some("FAIL"));
    assert!(f.remediation.is_some());
    assert!(
        f.description
            .as_deref()
            .unwrap()
            .contains("Benchmark version: 1.6")
    );
}

#[test]
fn a_control_alone_and_a_list_of_controls_are_the_same_report() {
    let (_, listed) = corpus::import("kubebench/kube-bench-report-one-vuln.json");
    let bytes = std::fs::read(corpus::path("kubebench/kube-bench-report-one-vuln.json")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let alone = text.trim().trim_start_matches('[').trim_end_matches(']');
    let (_, one) = importers::import_to_vec(alone.as_bytes(), None).unwrap();
    assert_eq!(one, listed);
    assert_eq!(one[0].rule_id, "4.2.11");
    assert_eq!(one[0].severity, Severity::Medium);
}

#[test]
fn one_vuln_snapshot() {
    let (_, findings) = corpus::import("kubebench/kube-bench-report-one-vuln.json");
    insta::assert_json_snapshot!("kubebench_one_vuln", findings);
}
