#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zhaoyin_fuzz::xlsx_import(data));
