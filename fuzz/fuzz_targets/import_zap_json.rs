//! Any bytes into the zap-json importer, detection bypassed (`--format zap-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("zap-json"), data));
