//! Any bytes into the mend-json importer, detection bypassed (`--format mend-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("mend-json"), data));
