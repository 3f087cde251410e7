//! Any bytes into the fossa-test-json importer, detection bypassed (`--format fossa-test-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("fossa-test-json"), data));
