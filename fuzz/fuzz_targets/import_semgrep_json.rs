//! Any bytes into the semgrep-json importer, detection bypassed (`--format semgrep-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("semgrep-json"), data));
