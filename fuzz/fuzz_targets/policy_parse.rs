//! The policy parser reads whatever a user pastes: it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = zhaoyin_core::policy::parse(&text);
    // Whatever it found serialises for the preview.
    let _ = parsed.measures().count();
});
