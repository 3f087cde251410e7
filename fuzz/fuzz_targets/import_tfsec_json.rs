//! Any bytes into the tfsec-json importer, detection bypassed (`--format tfsec-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scanledger_fuzz::import(Some("tfsec-json"), data));
