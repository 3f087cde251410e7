//! Any bytes into the cyclonedx-xml importer, detection bypassed (`--format cyclonedx-xml`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("cyclonedx-xml"), data));
