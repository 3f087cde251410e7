//! Any bytes into the aws-securityhub-asff-json importer, detection bypassed (`--format aws-securityhub-asff-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("aws-securityhub-asff-json"), data));
