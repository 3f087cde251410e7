//! Any bytes into the burp-xml importer, detection bypassed (`--format burp-xml`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("burp-xml"), data));
