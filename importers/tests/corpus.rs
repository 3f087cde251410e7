//! Access to the scanner corpus (`corpus/` at the repository's root).

use importers::{Finding, Imported};
use std::path::PathBuf;

/// The scanner corpus (`testdata::corpus_dir`): a missing corpus fails the test with the path
/// it looked for; no test skips silently.
pub fn dir() -> PathBuf {
    testdata::corpus_dir()
}

/// A corpus file; fails the test naming the file when it is missing.
pub fn path(relative: &str) -> PathBuf {
    let path = dir().join(relative);
    assert!(path.exists(), "corpus fixture missing: {}", path.display());
    path
}

/// Imports a corpus file with detection, panicking with the file name on error.
pub fn import(relative: &str) -> (Imported, Vec<Finding>) {
    let file = std::fs::File::open(path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    importers::import_to_vec(file, None).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Every report in a corpus folder, sorted: every file but the folder's Markdown notes
/// (`SOURCES.md`, a tool's own `README.md`).
pub fn files(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir().join(folder))
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| !name.ends_with(".md"))
        .collect();
    names.sort();
    names
}

/// Every file of every corpus folder with the format detection picks for it (`None`: no
/// importer claims it), for the tests that check a format claims its own files and no other.
pub fn detected_formats() -> Vec<(String, Option<&'static str>)> {
    let mut folders: Vec<String> = std::fs::read_dir(dir())
        .expect("corpus folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut out = Vec::new();
    for folder in folders {
        for name in files(&folder) {
            let file = format!("{folder}/{name}");
            let Ok(bytes) = std::fs::read(path(&file)) else {
                continue;
            };
            let Ok(peeked) = importers::input::peek(&bytes[..]) else {
                continue;
            };
            let detected = importers::detect(&peeked.head_text()).map(|i| i.format());
            out.push((file, detected));
        }
    }
    out
}

/// Asserts that detection gives `expected`'s format for each of its files and a format of
/// the family `family` (by name prefix) for no other corpus file.
pub fn assert_claims_only(family: &str, expected: &[(&str, &str)]) {
    for (file, detected) in detected_formats() {
        match expected.iter().find(|(f, _)| *f == file) {
            Some((_, format)) => assert_eq!(detected, Some(*format), "{file}"),
            None => assert!(
                !detected.is_some_and(|d| d.starts_with(family)),
                "{file} detected as {detected:?}"
            ),
        }
    }
}

/// The distinct fingerprints of some findings (what the store keeps of them).
pub fn fingerprints(findings: &[Finding]) -> std::collections::BTreeSet<&str> {
    findings.iter().map(|f| f.fingerprint.as_str()).collect()
}

/// Asserts that `expected` lists every file of `folder` but those in `other_formats` (paths
/// relative to the corpus), and that each imports as (file, format, records, distinct
/// fingerprints) says, with tool `tool`.
pub fn assert_counts(
    folder: &str,
    tool: &str,
    other_formats: &[&str],
    expected: &[(&str, &str, usize, usize)],
) {
    let listed: Vec<String> = files(folder)
        .into_iter()
        .map(|name| format!("{folder}/{name}"))
        .filter(|f| !other_formats.contains(&f.as_str()))
        .collect();
    let wanted: Vec<String> = expected.iter().map(|(f, ..)| f.to_string()).collect();
    assert_eq!(
        listed, wanted,
        "every file of {folder} has an expected count"
    );
    for (file, format, records, distinct) in expected {
        let (imported, findings) = import(file);
        assert_eq!(imported.format, *format, "{file}");
        assert_eq!(imported.info.tool, tool, "{file}");
        assert_eq!(findings.len(), *records, "{file}: records");
        assert_eq!(fingerprints(&findings).len(), *distinct, "{file}: distinct");
    }
}

/// Asserts that detection gives each file of `expected` its format, and that no other corpus
/// file is detected as a format of the family `family`.
pub fn assert_detected_as_listed(family: &str, expected: &[(&str, &str, usize, usize)]) {
    let files: Vec<(&str, &str)> = expected.iter().map(|(f, fmt, ..)| (*f, *fmt)).collect();
    assert_claims_only(family, &files);
}

/// The findings of one rule.
pub fn by_rule<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule_id == rule).collect()
}
