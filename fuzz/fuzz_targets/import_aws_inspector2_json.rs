//! Any bytes into the aws-inspector2-json importer, detection bypassed (`--format aws-inspector2-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("aws-inspector2-json"), data));
