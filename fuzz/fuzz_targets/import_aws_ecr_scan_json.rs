//! Any bytes into the aws-ecr-scan-json importer, detection bypassed (`--format aws-ecr-scan-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("aws-ecr-scan-json"), data));
