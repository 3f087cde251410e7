//! Any bytes as an evidence bundle, through the offline verifier.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::verify_zip(data));
