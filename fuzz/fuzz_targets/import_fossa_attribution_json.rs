//! Any bytes into the fossa-attribution-json importer, detection bypassed (`--format fossa-attribution-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(
    Some("fossa-attribution-json"),
    data
));
