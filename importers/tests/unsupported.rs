//! Inputs ScanLedger does not read are named ("this looks like a zip archive"), with their start
//! quoted readably, instead of "closest formats" and escaped binary.

use crate::corpus;

/// The error text for a file, which must not import.
fn refusal(bytes: &[u8], name: &str) -> String {
    importers::import_to_vec(bytes, None)
        .expect_err(name)
        .to_string()
}

fn assert_named(text: &str, what: &str, name: &str) {
    assert!(
        text.starts_with(&format!(
            "this looks like {what}, which ScanLedger does not read; supported formats: `scanledger formats`"
        )),
        "{name}: {text}"
    );
    assert!(!text.contains("closest"), "{name}: {text}");
    assert!(!text.contains("\\u{"), "{name}: {text}");
}

#[test]
fn corpus_files_of_formats_we_do_not_read_are_named() {
    // CycloneDX BOMs without vulnerabilities (an SBOM is not a scan report).
    for file in [
        "cyclonedx/cyclonedx_bom.xml",
        "cyclonedx/jake.xml",
        "cyclonedx/retirejs.latest.xml",
    ] {
        let what =
            "a CycloneDX document (an SBOM or VEX; VEX decisions go to `scanledger vex import`)";
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        assert_named(&refusal(&bytes, file), what, file);
    }
    for (file, what) in [
        ("sonarqube/empty_zip.zip", "a zip archive"),
        ("sonarqube/findings_over_api.zip", "a zip archive"),
        ("sonarqube/sonar.html", "an HTML page"),
        ("sonarqube/sonar-single-finding.html", "an HTML page"),
    ] {
        let bytes = std::fs::read(corpus::path(file)).expect("read");
        assert_named(&refusal(&bytes, file), what, file);
    }
}

#[test]
fn a_pdf_is_named_and_its_binary_start_is_quoted_readably() {
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    let text = refusal(pdf, "pdf");
    assert_named(&text, "a PDF document", "pdf");
    assert!(text.contains("%PDF-1.7"), "{text}");
    assert!(text.contains("non-printable"), "{text}");
}

#[test]
fn a_zip_start_shows_printable_text_and_counts_the_rest() {
    let bytes = std::fs::read(corpus::path("sonarqube/empty_zip.zip")).expect("read");
    let text = refusal(&bytes, "zip");
    assert!(text.contains("starts with \"PK["), "{text}");
    assert!(text.contains(" non-printable bytes]"), "{text}");
    assert!(text.chars().all(|c| !c.is_control()), "{text:?}");
}

#[test]
fn unrecognized_text_is_quoted_without_escapes() {
    let text = refusal(b"hello,\tworld\x01\x02\nsecond line", "text");
    assert!(
        text.contains("\"hello, world[2 non-printable bytes] second line\""),
        "{text}"
    );
    assert!(!text.contains("\\t") && !text.contains("\\u{"), "{text}");
}
