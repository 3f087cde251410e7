//! Any bytes into the trivy-operator-json importer, detection bypassed (`--format trivy-operator-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("trivy-operator-json"), data));
