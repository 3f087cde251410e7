//! Access to the shared scanner corpus (`../shared/corpus` beside the checkout).

use importers::{Finding, Imported};
use std::path::PathBuf;

/// The corpus folder: `$SCANLEDGER_CORPUS`, else `shared/corpus` beside the repository.
pub fn dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SCANLEDGER_CORPUS") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

pub fn path(relative: &str) -> PathBuf {
    dir().join(relative)
}

/// Imports a corpus file with detection, panicking with the file name on error.
pub fn import(relative: &str) -> (Imported, Vec<Finding>) {
    let file = std::fs::File::open(path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    importers::import_to_vec(file, None).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Every file name in a corpus folder, sorted.
pub fn files(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir().join(folder))
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}
