//! Any bytes into the snyk-json importer, detection bypassed (`--format snyk-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("snyk-json"), data));
