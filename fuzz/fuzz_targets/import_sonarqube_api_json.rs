//! Any bytes into the sonarqube-api-json importer, detection bypassed (`--format sonarqube-api-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(
    Some("sonarqube-api-json"),
    data
));
