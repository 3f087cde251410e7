//! The auditor's PDF as PDF readers take it: `qpdf --check` finds no syntax or stream error,
//! `pdffonts` shows every font embedded with a ToUnicode map, and `pdftotext` gives the text
//! back — for the demo's draft report (`scanledger report`) and its sealed bundle's
//! `report.pdf`, the sample release, a release of 100,000 findings, and one whose titles are
//! Chinese, Japanese, Russian and Arabic. The big and non-Latin releases are rendered straight
//! from synthetic snapshots (`testdata::sample`), not imported, to stay quick in a debug build.

use super::{Demo, tool};
use std::path::Path;
use std::process::Command;

/// Runs a tool on `pdf` (`args`, the PDF, `then`), failing the test with its output when it
/// exits non-zero.
fn run(name: &str, args: &[&str], pdf: &Path, then: &[&str]) -> String {
    let out = Command::new(tool(name))
        .args(args)
        .arg(pdf)
        .args(then)
        .output()
        .unwrap_or_else(|e| panic!("{name} did not run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?} {} failed ({}):\n{stdout}{}",
        pdf.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The checks every PDF passes; its text as `pdftotext` extracts it, with the invisible
/// direction marks poppler puts around right-to-left text taken out.
fn check(pdf: &Path) -> String {
    // Exit 0 is clean; 2 is errors, 3 warnings (both fail `run`).
    let qpdf = run("qpdf", &["--check"], pdf, &[]);
    assert!(
        qpdf.contains("No syntax or stream encoding errors found"),
        "qpdf --check {}:\n{qpdf}",
        pdf.display()
    );

    let fonts = run("pdffonts", &[], pdf, &[]);
    let mut lines = fonts.lines();
    let header = lines.next().unwrap_or_default();
    let column = |name: &str| {
        header
            .find(name)
            .unwrap_or_else(|| panic!("pdffonts has no {name} column:\n{fonts}"))
    };
    let (emb, uni) = (column(" emb ") + 1, column(" uni ") + 1);
    let rows: Vec<&str> = lines.skip(1).filter(|l| !l.trim().is_empty()).collect();
    assert!(!rows.is_empty(), "no fonts in {}:\n{fonts}", pdf.display());
    for row in rows {
        assert_eq!(
            row.get(emb..emb + 3),
            Some("yes"),
            "a font is not embedded in {}:\n{fonts}",
            pdf.display()
        );
        assert_eq!(
            row.get(uni..uni + 3),
            Some("yes"),
            "a font has no ToUnicode map (its text cannot be extracted) in {}:\n{fonts}",
            pdf.display()
        );
    }

    let text = run("pdftotext", &["-enc", "UTF-8"], pdf, &["-"]);
    text.replace(
        [
            '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
        ],
        "",
    )
}

fn assert_has(text: &str, wanted: &[&str], what: &str) {
    for w in wanted {
        assert!(text.contains(w), "{what}: pdftotext lacks {w:?}:\n{text}");
    }
}

/// The PDF as a file in the test's scratch folder, for the tools to read.
fn write(dir: &Path, name: &str, pdf: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pdf).expect("write the PDF");
    path
}

#[test]
fn the_demos_draft_report_and_bundle_pdf_pass_qpdf_pdffonts_and_pdftotext() {
    let demo = Demo::load();
    let draft = write(demo.dir(), "draft.pdf", &demo.draft_report("pdf"));
    let sealed = write(demo.dir(), "sealed.pdf", &demo.bundle_member("report.pdf"));

    let text = check(&draft);
    assert_has(
        &text,
        &["demo-shop 1.1.0", "DRAFT", "Page 1 of"],
        "the draft",
    );
    let text = check(&sealed);
    assert_has(
        &text,
        &["demo-shop 1.0.0", "Sealed by", "Page 1 of"],
        "the bundle's report",
    );
    assert!(!text.contains("DRAFT"), "the sealed report says DRAFT");
}

#[test]
fn the_sample_release_pdf_passes_qpdf_pdffonts_and_pdftotext() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = testdata::sample::sample_snapshot(true);
    let pdf = reports::pdf::report_pdf(&snap, Some("SHA256:abc")).expect("render");
    let text = check(&write(dir.path(), "sample.pdf", &pdf));
    assert_has(
        &text,
        &["shop 4.2.0", "čšž ČŠŽ", "入力検証の不備", "SHA256:abc"],
        "the sample",
    );
}

#[test]
fn a_pdf_of_100000_findings_passes_qpdf_pdffonts_and_pdftotext() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = testdata::sample::large_snapshot(100_000);
    let pdf = reports::pdf::report_pdf(&snap, None).expect("render");
    let text = check(&write(dir.path(), "big.pdf", &pdf));
    // The blocking and decided findings are many more than the PDF lists: it says how many
    // it leaves to the other members.
    let listed = snap.decided_or_blocking_test();
    let total = snap
        .findings
        .iter()
        .filter(|f| listed(f.as_ref().expect("a finding")))
        .count();
    assert!(total > reports::pdf::MAX_LISTED_ROWS, "{total}");
    assert_has(
        &text,
        &[
            "100000 (critical",
            "Page 1 of",
            &format!("findings ({total})"),
            &format!("{} more are not", total - reports::pdf::MAX_LISTED_ROWS),
        ],
        "100,000 findings",
    );
    // Every page is there and numbered: the last says so. A thousand rows take about 33.
    let pages: usize = text
        .split("Page 1 of ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("a page count");
    assert!(
        (30..60).contains(&pages),
        "{pages} pages for 100,000 findings"
    );
    assert_has(
        &text,
        &[&format!("Page {pages} of {pages}")],
        "the last page",
    );
}

#[test]
fn a_release_with_non_latin_titles_gives_its_text_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let snap = testdata::sample::non_latin_snapshot();
    let pdf = reports::pdf::report_pdf(&snap, None).expect("render");
    let text = check(&write(dir.path(), "non-latin.pdf", &pdf));
    // Each title in full, Arabic included (drawn right to left, extracted in reading order).
    let mut wanted = vec![snap.project.as_str(), snap.release.as_str()];
    wanted.extend(testdata::sample::NON_LATIN_TITLES);
    assert_has(&text, &wanted, "the non-Latin release");
}
