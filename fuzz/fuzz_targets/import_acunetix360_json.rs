//! Any bytes into the acunetix360-json importer, detection bypassed (`--format acunetix360-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("acunetix360-json"), data));
