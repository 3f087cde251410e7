//! Any bytes into the zap-xml importer, detection bypassed (`--format zap-xml`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("zap-xml"), data));
