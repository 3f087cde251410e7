//! Any bytes into the burp-dast-json importer, detection bypassed (`--format burp-dast-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("burp-dast-json"), data));
