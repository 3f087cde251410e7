//! # testdata
//!
//! Data to exercise ScanLedger with: deterministic synthetic scanner reports of every format the
//! importers read ([`synthetic`]), the reports of `scanledger demo` ([`demo`]), a small fixed
//! release snapshot for the renderers ([`sample`]), what every fuzz target runs ([`fuzz`]), and where the scanner corpus lives
//! ([`corpus_dir`]). The binaries `gen-report` (writes a synthetic report) and `bench-parse`
//! (parse throughput) are the benchmarks' tools.
//!
//! It is for tests, benchmarks and `scanledger demo`: the same options always give the same
//! bytes, so a test or a benchmark can be rerun anywhere. It is *not* part of the product's
//! data path: never a dependency of `server` or of `importers` (both may use it in their tests
//! only), and nothing here is read when a real report is imported.

pub mod demo;
pub mod fuzz;
pub mod sample;
pub mod synthetic;

use std::path::PathBuf;

/// The scanner corpus: `corpus/` at the repository's root, or the folder `SCANLEDGER_CORPUS`
/// names.
///
/// # Panics
///
/// When that folder has no `README.md`, naming the path it looked at: a test that needs the
/// corpus fails rather than skips.
pub fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("SCANLEDGER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus"));
    assert!(
        dir.join("README.md").is_file(),
        "scanner corpus not found at {} (restore corpus/ or set SCANLEDGER_CORPUS)",
        dir.display()
    );
    dir
}
