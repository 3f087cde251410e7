//! Any bytes into the tfsec-checkstyle importer, detection bypassed (`--format tfsec-checkstyle`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("tfsec-checkstyle"), data));
