//! Hostile input: no panic, no partial success, clear errors, on any bytes.

use crate::corpus;
use importers::ImportError;
use proptest::prelude::*;

/// Every corpus file of every importer, cut at 20 points, gives an error (never a panic, never
/// a "successful" partial import).
#[test]
fn truncated_corpus_files_are_errors() {
    for folder in ["trivy", "trivy-0.76", "sarif", "tfsec-extra"] {
        for name in corpus::files(folder) {
            let bytes =
                std::fs::read(corpus::dir().join(folder).join(&name)).expect("read corpus file");
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
fn sarif_errors_name_format_and_position() {
    let input = br#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": 5}]}]}"#;
    let err =
        importers::import_to_vec(&input[..], None).expect_err("number where a string belongs");
    let text = err.to_string();
    assert!(text.starts_with("sarif: "), "{text}");
    assert!(text.contains("line 1, column"), "{text}");
}

#[test]
fn sarif_without_runs_is_an_error() {
    let input =
        br#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0"}"#;
    let err = importers::import_to_vec(&input[..], None).expect_err("no runs");
    assert!(err.to_string().contains("no `runs`"), "{err}");
}

#[test]
fn sarif_deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut input =
        String::from(r#"{"version": "2.1.0", "runs": [{"results": [{"properties": {"tags": "#);
    input.push_str(&"[".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}

#[test]
fn sarif_hostile_values_do_not_break_the_import() {
    // Self-referencing base URIs, out-of-range indexes, huge and odd numbers, odd properties.
    let input = br#"{"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "T", "rules": [{"id": "R", "properties": {"security-severity": 1e308, "tags": 7, "cwe": {"a": 1}}}]}},
        "originalUriBaseIds": {"A": {"uri": "a/", "uriBaseId": "B"}, "B": {"uri": "b/", "uriBaseId": "A"}},
        "artifacts": [],
        "results": [
            {"ruleId": "R", "ruleIndex": 99999999999, "rule": {"index": -1, "toolComponent": {"index": 12}},
             "message": {"id": "nope", "arguments": ["{0}", null]},
             "locations": [{"physicalLocation": {"artifactLocation": {"uriBaseId": "A", "uri": "x", "index": -5},
                "region": {"startLine": -3, "endLine": 9223372036854775807, "snippet": {"text": "%%%\u0000"}}}}],
             "partialFingerprints": {"k": null, "primaryLocationStartColumnFingerprint": "1"},
             "suppressions": [{"status": "rejected"}]},
            {"message": {"text": "no rule at all"}}
        ]}]}"#;
    let (imported, findings) = importers::import_to_vec(&input[..], None).expect("imports");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, importers::Severity::Critical);
    assert_eq!(findings[0].tool_status, None);
    assert_eq!(
        imported.info.warnings.len(),
        1,
        "{:?}",
        imported.info.warnings
    );
}

#[test]
fn sarif_many_tiny_results_and_one_huge_string() {
    let mut input = String::from(
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": ["#,
    );
    let n = 1_000_000;
    for i in 0..n {
        if i > 0 {
            input.push(',');
        }
        input.push_str(r#"{"ruleId":"r"}"#);
    }
    input.push_str("]}]}");
    let mut count = 0usize;
    importers::import(input.as_bytes(), None, &mut |_| {
        count += 1;
        Ok(())
    })
    .expect("imports");
    assert_eq!(count, n);

    let huge = "x".repeat(50 * 1024 * 1024);
    let input = format!(
        r#"{{"version": "2.1.0", "runs": [{{"results": [{{"ruleId": "r", "message": {{"text": "{huge}"}}}}]}}]}}"#
    );
    let (_, findings) = importers::import_to_vec(input.as_bytes(), None).expect("imports");
    assert_eq!(findings.len(), 1);
    assert!(findings[0].title.chars().count() <= 301);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    #[test]
    fn arbitrary_bytes_after_a_sarif_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": [{"id": "r"}]}}, "results": ["#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }

    /// Well-formed SARIF made of arbitrary values in the fields the importer reads.
    #[test]
    fn arbitrary_sarif_results_never_panic(
        rule in ".{0,12}",
        level in prop_oneof![Just("error".to_string()), Just("none".to_string()), ".{0,6}"],
        uri in ".{0,20}",
        base in ".{0,8}",
        line in any::<i64>(),
        severity in ".{0,6}",
        text in ".{0,40}",
        index in any::<i64>(),
    ) {
        let log = serde_json::json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": rule.clone(), "rules": [{"id": rule.clone(), "properties": {"security-severity": severity}}]}},
                "originalUriBaseIds": {base.clone(): {"uri": uri.clone(), "uriBaseId": base.clone()}},
                "results": [{
                    "ruleId": rule, "ruleIndex": index, "level": level,
                    "message": {"text": text.clone(), "id": text, "arguments": [uri.clone()]},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": base, "index": index},
                        "region": {"startLine": line, "endLine": line}}}]
                }]
            }]
        });
        let bytes = serde_json::to_vec(&log).expect("json");
        let _ = importers::import_to_vec(&bytes[..], Some("sarif"));
    }

    #[test]
    fn arbitrary_bytes_after_a_trivy_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut bytes = br#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": ["#.to_vec();
        bytes.extend_from_slice(&tail);
        let _ = importers::import_to_vec(&bytes[..], None);
    }
}
