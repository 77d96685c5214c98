//! The fuzz targets' bodies: each takes arbitrary bytes, feeds them to something that reads
//! outside input, and checks what it promises. `fuzz_targets/` wraps each for libFuzzer;
//! `tests/corpus.rs` replays the committed corpus through the same functions on every
//! `cargo test`.

use zhaoyin_office::text::Format;

/// A target's body.
pub type Target = fn(&[u8]);

/// The targets by name (the corpus folder of each is `corpus/NAME`).
pub const TARGETS: &[(&str, Target)] = &[
    ("policy_parse", policy_parse),
    ("unit_line", unit_line),
    ("credit_code", credit_code),
    ("query_string", query_string),
    ("xlsx_import", xlsx_import),
    ("document_text", document_text),
];

/// The policy parser reads whatever a user pastes: it never panics.
pub fn policy_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = zhaoyin_core::policy::parse(&text);
    let _ = parsed.measures().count();
}

/// The 责任单位 line splitter: no unit it returns is empty.
pub fn unit_line(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let u = zhaoyin_core::policy::split_units(&text);
    assert!(u.lead.iter().chain(&u.support).all(|s| !s.is_empty()));
}

/// The credit-code check: what it accepts is canonical and accepted again unchanged.
pub fn credit_code(data: &[u8]) {
    use zhaoyin_core::credit_code::check;
    let text = String::from_utf8_lossy(data);
    if let Ok(code) = check(&text) {
        assert_eq!(code.len(), 18);
        assert_eq!(check(&code).as_deref(), Ok(code.as_str()));
    }
}

/// Query strings and form values as the web layer reads them.
pub fn query_string(data: &[u8]) {
    zhaoyin_web::fuzzing::query_string(&String::from_utf8_lossy(data));
}

/// Uploaded workbooks as the importers read them.
pub fn xlsx_import(data: &[u8]) {
    zhaoyin_web::fuzzing::xlsx_import(data);
}

/// An uploaded policy document as text, HTML or Word: read or refused, never a panic.
pub fn document_text(data: &[u8]) {
    for format in [Format::Text, Format::Html, Format::Docx] {
        let _ = zhaoyin_office::text::extract(format, data);
    }
}
