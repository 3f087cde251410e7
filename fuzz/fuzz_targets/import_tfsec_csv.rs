//! Any bytes into the tfsec-csv importer, detection bypassed (`--format tfsec-csv`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("tfsec-csv"), data));
