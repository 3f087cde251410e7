//! Any bytes into the acunetix-xml importer, detection bypassed (`--format acunetix-xml`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("acunetix-xml"), data));
