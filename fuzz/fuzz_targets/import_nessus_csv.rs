//! Any bytes into the nessus-csv importer, detection bypassed (`--format nessus-csv`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("nessus-csv"), data));
