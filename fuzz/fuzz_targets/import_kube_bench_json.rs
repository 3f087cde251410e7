//! Any bytes into the kube-bench-json importer, detection bypassed (`--format kube-bench-json`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(Some("kube-bench-json"), data));
