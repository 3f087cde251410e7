//! A valid sample bundle with one member replaced, spliced, dropped or added, through the
//! offline verifier: reaches the checks behind the zip layer that random bytes rarely do.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::verify_member(data));
