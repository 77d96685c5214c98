//! The 责任单位 line splitter, on its own.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let u = zhaoyin_core::policy::split_units(&text);
    assert!(u.lead.iter().chain(&u.support).all(|s| !s.is_empty()));
});
