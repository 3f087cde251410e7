//! Any bytes into the tfsec-junit importer, detection bypassed (`--format tfsec-junit`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("tfsec-junit"), data));
