//! Hostile input: no panic, no partial success, clear errors, on any bytes.

use crate::corpus;
use importers::ImportError;
use proptest::prelude::*;

/// Every corpus file of every importer, cut at 20 points, gives an error (never a panic, never
/// a "successful" partial import).
#[test]
fn truncated_corpus_files_are_errors() {
    for folder in ["trivy", "trivy-0.76", "fossa"] {
        for name in corpus::files(folder) {
            if name.ends_with(".md") {
                continue;
            }
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
    fn arbitrary_bytes_after_a_fossa_head_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        for head in [&br#"{"count":1,"issues":[{"revisionId":"#[..], br#"{"issues":[{"source":{"id":"npm+a$1"},"type":"#, br#"{"Count":1,"Issues":["#] {
            let mut bytes = head.to_vec();
            bytes.extend_from_slice(&tail);
            let _ = importers::import_to_vec(&bytes[..], None);
        }
    }

    #[test]
    fn arbitrary_locators_never_panic(locator in "(npm|mvn|deb|apk|rpm-generic|git|go|pod|custom|[a-z]{1,6})?\\+?\\PC{0,30}(\\$\\PC{0,20})?") {
        if let Some(l) = importers::fossa::locator::Locator::parse(&locator) {
            let _ = (l.purl(), l.package_key(), l.name(), l.version());
        }
        let input = serde_json::json!({"count": 1, "issues": [{"type": "vulnerability", "cve": "CVE-1", "revisionId": locator}], "status": "SCANNED"});
        let (_, findings) = importers::import_to_vec(input.to_string().as_bytes(), None).expect("valid report");
        prop_assert_eq!(findings.len(), 1);
    }
}

#[test]
fn fossa_deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut input =
        String::from(r#"{"count":1,"issues":[{"revisionId":"npm+a$1","type":"x","extra":"#);
    input.push_str(&"[".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
    let mut input = String::from(r#"{"deepDependencies":[],"licenses":"#);
    input.push_str(&"{\"a\":".repeat(100_000));
    assert!(importers::import_to_vec(input.as_bytes(), None).is_err());
}
