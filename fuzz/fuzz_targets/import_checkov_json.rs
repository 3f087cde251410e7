//! Any bytes into the checkov-json importer, detection bypassed (`--format checkov-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("checkov-json"), data));
