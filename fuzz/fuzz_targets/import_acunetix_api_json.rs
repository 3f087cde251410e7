//! Any bytes into the acunetix-api-json importer, detection bypassed (`--format acunetix-api-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("acunetix-api-json"), data));
