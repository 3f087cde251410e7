//! Any bytes into the sarif importer, detection bypassed (`--format sarif`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("sarif"), data));
