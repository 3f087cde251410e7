//! Any bytes into the tfsec-json importer, detection bypassed (`--format tfsec-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("tfsec-json"), data));
