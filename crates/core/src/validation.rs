//! Validation results that name the field (and, for imports, the row) and carry a message key
//! from `locales/`, so every layer reports bad input the same way and in the user's language.

use serde::Serialize;

/// One problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Spreadsheet row (1-based, as Excel shows it) when the input came from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Sheet name when the input came from a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Field identifier, e.g. `code`.
    pub field: String,
    /// Message key in `locales/*.toml`, e.g. `err.required`.
    pub code: &'static str,
    /// Values substituted into the message (`{name}` placeholders).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self {
            row: None,
            sheet: None,
            field: field.into(),
            code,
            params: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.params.push((key.to_string(), value.to_string()));
        self
    }

    pub fn at_row(mut self, sheet: &str, row: usize) -> Self {
        self.sheet = Some(sheet.to_string());
        self.row = Some(row);
        self
    }
}

/// The input was refused; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {} problem(s)", .0.len())]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(e: FieldError) -> Self {
        Self(vec![e])
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(())` when nothing was collected.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|e| e.field.as_str())
    }
}

/// Trims, and refuses an empty value.
pub fn required(errors: &mut Invalid, field: &str, value: &str, max_chars: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "err.required"));
    } else if v.chars().count() > max_chars {
        errors.push(FieldError::new(field, "err.too_long").with("max", max_chars));
    } else {
        refuse_control(errors, field, v);
    }
    v.to_string()
}

/// Text may hold line breaks and tabs but no other control characters (a NUL byte, which
/// PostgreSQL cannot store, or invisible terminal codes pasted from elsewhere).
fn refuse_control(errors: &mut Invalid, field: &str, v: &str) {
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        errors.push(FieldError::new(field, "err.control_char"));
    }
}

/// Trims; an empty value becomes `None`.
pub fn optional(
    errors: &mut Invalid,
    field: &str,
    value: &str,
    max_chars: usize,
) -> Option<String> {
    let v = value.trim();
    if v.chars().count() > max_chars {
        errors.push(FieldError::new(field, "err.too_long").with("max", max_chars));
    } else {
        refuse_control(errors, field, v);
    }
    (!v.is_empty()).then(|| v.to_string())
}

/// Codes are what people type into spreadsheets and URLs: ASCII letters, digits, `-` and `_`.
pub fn code(errors: &mut Invalid, field: &str, value: &str) -> String {
    let v = value.trim().to_string();
    if v.is_empty() {
        errors.push(FieldError::new(field, "err.required"));
    } else if v.len() > 32
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(FieldError::new(field, "err.code_format"));
    }
    v
}

/// A loose but useful check: one `@`, something on each side, a dot in the domain, no spaces.
pub fn email(errors: &mut Invalid, field: &str, value: Option<String>) -> Option<String> {
    if let Some(v) = &value {
        let ok = v.len() <= 254
            && !v.contains(char::is_whitespace)
            && v.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            });
        if !ok {
            errors.push(FieldError::new(field, "err.email_format"));
        }
    }
    value
}

/// Phone numbers as written in China: digits with optional `+`, `-`, spaces and an extension.
pub fn phone(errors: &mut Invalid, field: &str, value: Option<String>) -> Option<String> {
    if let Some(v) = &value {
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let ok = (5..=20).contains(&digits)
            && v.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '转'));
        if !ok {
            errors.push(FieldError::new(field, "err.phone_format"));
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_trims_and_reports() {
        let mut e = Invalid::default();
        assert_eq!(required(&mut e, "name", "  县发改局 ", 20), "县发改局");
        assert!(e.is_empty());
        required(&mut e, "name", "   ", 20);
        required(&mut e, "title", "一二三", 2);
        let codes: Vec<_> = e.0.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            codes,
            vec![("name", "err.required"), ("title", "err.too_long")]
        );
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_kept() {
        let mut e = Invalid::default();
        assert_eq!(
            optional(&mut e, "notes", "第一行\r\n\t第二行", 50).as_deref(),
            Some("第一行\r\n\t第二行")
        );
        assert!(e.is_empty());
        required(&mut e, "name", "县\0发改局", 20);
        optional(&mut e, "notes", "a\u{1b}[31m", 20);
        let codes: Vec<_> = e.0.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            codes,
            vec![("name", "err.control_char"), ("notes", "err.control_char")]
        );
    }

    #[test]
    fn codes_are_ascii() {
        let mut e = Invalid::default();
        code(&mut e, "code", "GQ-FGJ_01");
        assert!(e.is_empty());
        code(&mut e, "code", "发改局");
        code(&mut e, "code", "a b");
        assert_eq!(e.0.len(), 2);
    }

    #[test]
    fn email_and_phone() {
        let mut e = Invalid::default();
        email(&mut e, "email", Some("fgj@gaoqing.gov.cn".into()));
        phone(&mut e, "phone", Some("0533-6961315".into()));
        phone(&mut e, "phone", Some("185 6096 1315".into()));
        assert!(e.is_empty(), "{e:?}");
        email(&mut e, "email", Some("fgj@gov".into()));
        email(&mut e, "email", Some("@gov.cn".into()));
        phone(&mut e, "phone", Some("call me".into()));
        assert_eq!(e.0.len(), 3);
    }
}

/// Usernames: 2–32 of `a-z 0-9 . _ -`, starting with a letter or digit; compared lower-case.
pub fn username(errors: &mut Invalid, field: &str, value: &str) -> String {
    let v = value.trim().to_lowercase();
    let ok = (2..=32).contains(&v.len())
        && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !ok {
        errors.push(FieldError::new(field, "err.username_format"));
    }
    v
}

#[cfg(test)]
mod username_tests {
    use super::*;

    #[test]
    fn usernames() {
        let mut e = Invalid::default();
        assert_eq!(username(&mut e, "username", " WangLi "), "wangli");
        username(&mut e, "username", "gq.fgj-01");
        assert!(e.is_empty());
        username(&mut e, "username", "王丽");
        username(&mut e, "username", "-x");
        username(&mut e, "username", "a");
        assert_eq!(e.0.len(), 3);
    }
}

/// Dates a user may enter (deadlines, "as of", issue dates): 2000 to 2100. Outside that, a date
/// is a typo, and far outside it arithmetic on it would overflow.
pub fn date_in_range(d: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    (2000..=2100).contains(&d.year())
}
