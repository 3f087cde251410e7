//! Any bytes through decoding and detection into whichever importer claims them.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| testdata::fuzz::import(None, data));
