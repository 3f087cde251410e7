//! Any bytes into the fossa-analyze-json importer, detection bypassed (`--format fossa-analyze-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(
    Some("fossa-analyze-json"),
    data
));
