//! Any bytes into the dependabot-json importer, detection bypassed (`--format dependabot-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("dependabot-json"), data));
