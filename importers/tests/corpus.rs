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
