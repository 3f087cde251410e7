//! Any bytes into the grype-json importer, detection bypassed (`--format grype-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("grype-json"), data));
