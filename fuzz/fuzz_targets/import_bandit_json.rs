//! Any bytes into the bandit-json importer, detection bypassed (`--format bandit-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("bandit-json"), data));
