//! Any bytes into the sonarqube-quality-gate-json importer, detection bypassed (`--format sonarqube-quality-gate-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("sonarqube-quality-gate-json"), data));
