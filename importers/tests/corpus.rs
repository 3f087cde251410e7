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

/// Every report of `folder` but those named in `unlisted` is in `expected` (paths relative to
/// the corpus) and imports as `format` of `tool`, without warnings, with its expected count of
/// findings, no two of them with one fingerprint.
pub fn assert_counts(
    folder: &str,
    unlisted: &[&str],
    expected: &[(&str, usize)],
    format: &str,
    tool: &str,
) {
    let listed: Vec<String> = files(folder)
        .into_iter()
        .filter(|name| !unlisted.contains(&name.as_str()))
        .map(|name| format!("{folder}/{name}"))
        .collect();
    let named: Vec<String> = expected.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(listed, named, "every {tool} file has an expected count");
    for (file, count) in expected {
        let (imported, findings) = import(file);
        assert_eq!(imported.format, format, "{file}");
        assert_eq!(imported.info.tool, tool, "{file}");
        assert!(imported.info.warnings.is_empty(), "{file}");
        assert_eq!(findings.len(), *count, "{file}");
        let fingerprints: std::collections::BTreeSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        assert_eq!(
            fingerprints.len(),
            findings.len(),
            "{file}: fingerprints repeat"
        );
    }
}
