//! Any bytes into the trivy-json importer, detection bypassed (`--format trivy-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("trivy-json"), data));
