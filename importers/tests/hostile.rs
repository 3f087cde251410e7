//! Hostile input: no panic, no partial success, clear errors, on any bytes.

use crate::corpus;
use importers::ImportError;
use proptest::prelude::*;

/// Every corpus file of every importer, cut at 20 points, gives an error (never a panic, never
/// a "successful" partial import).
#[test]
fn truncated_corpus_files_are_errors() {
    for folder in [
        "trivy",
        "trivy-0.76",
        "sonarqube",
        "sonarqube-extra",
        "api_sonarqube",
        "api_sonarqube/hotspots",
    ] {
        for name in corpus::files(folder) {
            let path = corpus::dir().join(folder).join(&name);
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(path).expect("read corpus file");
            let trimmed_len = bytes.trim_ascii_end().len();
            if trimmed_len < 8 {
                continue; // `null`: nothing to cut.
            }
            for i in 1..=20 {
                let cut = trimmed_len * i / 21;
                let result = importers::import_to_vec(&bytes[..cut], None);
                assert!(
                    result.is_err(),
                    "{folder}/{name} cut at {cut} of {} imported",
                    bytes.len()
                );
            }
        }
    }
}

#[test]
fn empty_and_blank_inputs_are_empty_errors() {
    for input in [&b""[..], b"   \n\t ", b"\xEF\xBB\xBF", b"\xFF\xFE"] {
        let err = importers::import_to_vec(input, None).expect_err("empty input");
        assert!(matches!(err, ImportError::Empty), "{input:?}: {err}");
    }
}

#[test]
fn unknown_content_is_unrecognized() {
    let err = importers::import_to_vec(&b"hello, world"[..], None).expect_err("not a report");
    assert!(matches!(err, ImportError::Unrecognized { .. }), "{err}");
}

#[test]
fn trivy_errors_name_format_and_position() {
    let input = br#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Target": "t", "Vulnerabilities": [{"VulnerabilityID": 5}]}]}"#;
    let err =
        importers::import_to_vec(&input[..], None).expect_err("number where a string belongs");
    let text = err.to_string();
    assert!(text.starts_with("trivy-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn invalid_utf8_is_an_error() {
    let input = b"{\"SchemaVersion\": 2, \"ArtifactName\": \"\xff\xfe\xfa\", \"Results\": []}";
    assert!(importers::import_to_vec(&input[..], None).is_err());
}

#[test]
fn utf16le_with_bom_imports_like_utf8() {
    let utf8 = std::fs::read(corpus::path("trivy/scheme_2_many_vulns.json")).expect("read");
    let text = String::from_utf8(utf8).expect("utf8");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let (_, findings) = importers::import_to_vec(&utf16[..], None).expect("utf-16 import");
    assert_eq!(findings.len(), 5);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut input =
        String::from(r#"{"SchemaVersion": 2, "Results": [{"Target": "t", "Packages": "#);
    input.push_str(&"[".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}

#[test]
fn sonarqube_errors_name_format_and_position() {
    let input = br#"{"paging": {"total": 1}, "issues": [{"key": "k", "rule": "java:S1", "component": "p:A.java", "message": 5}]}"#;
    let err = importers::import_to_vec(&input[..], None).expect_err("number for a message");
    let text = err.to_string();
    assert!(text.starts_with("sonarqube-api-json: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn sonarqube_deep_nesting_is_an_error() {
    let mut input = String::from(
        r#"{"paging": {"total": 1}, "issues": [{"rule": "r", "component": "c", "flows": "#,
    );
    input.push_str(&"[".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}

#[test]
fn sonarqube_many_tiny_issues_stream() {
    let mut input = String::from(r#"{"paging": {"total": 200000}, "issues": ["#);
    for i in 0..200_000 {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!(
            r#"{{"key":"{i}","rule":"r","component":"c","hash":"h{i}"}}"#
        ));
    }
    input.push_str("]}");
    let mut count = 0usize;
    importers::import(input.as_bytes(), None, &mut |_| {
        count += 1;
        Ok(())
    })
    .expect("import");
    assert_eq!(count, 200_000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn arbitrary_bytes_after_a_trivy_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": ["#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn arbitrary_bytes_after_a_sonarqube_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"paging": {"pageIndex": 1, "pageSize": 100, "total": 3}, "issues": [{"key": "k", "rule": "java:S1", "component": "p:A.java", "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], Some("sonarqube-api-json"));
    }

    #[test]
    fn arbitrary_bytes_after_a_sonar_report_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"sonarComponent": "x", "sonarBaseURL": "u", "rules": {}, "issues": [{"rule": "r", "#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn sonarqube_records_of_any_shape_never_panic(
        line in proptest::option::of(any::<i64>()),
        sev in "[A-Z]{0,9}",
        status in "[A-Z_]{0,9}",
        component in ".{0,20}",
        project in ".{0,8}",
    ) {
        let record = serde_json::json!({
            "key": "k", "rule": "r:1", "component": component, "project": project, "line": line,
            "severity": sev, "status": status, "impacts": [{"softwareQuality": status, "severity": sev}],
            "textRange": {"startLine": line, "endLine": "x"},
        });
        let doc = serde_json::json!({"paging": {"total": 1}, "issues": [record]});
        let bytes = serde_json::to_vec(&doc).expect("json");
        let _ = importers::import_to_vec(&bytes[..], Some("sonarqube-api-json"));
    }
}
