//! Any bytes into the sonar-report-json importer, detection bypassed (`--format sonar-report-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("sonar-report-json"), data));
