//! Any bytes into the nessus-xml importer, detection bypassed (`--format nessus-xml`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("nessus-xml"), data));
