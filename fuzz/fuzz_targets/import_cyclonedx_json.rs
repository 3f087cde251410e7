//! Any bytes into the cyclonedx-json importer, detection bypassed (`--format cyclonedx-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("cyclonedx-json"), data));
