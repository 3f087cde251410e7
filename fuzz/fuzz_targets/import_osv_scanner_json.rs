//! Any bytes into the osv-scanner-json importer, detection bypassed (`--format osv-scanner-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("osv-scanner-json"), data));
