//! Any bytes into the fossa-api-issues-json importer, detection bypassed (`--format fossa-api-issues-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(
    Some("fossa-api-issues-json"),
    data
));
