//! Translations: `locales/zh-CN.toml` (default) and `locales/en.toml`, compiled in. Keys are
//! dotted paths (`nav.home`); `{name}` placeholders are filled from parameters. Dates are shown
//! in the configured time zone (Asia/Shanghai by default).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use zhaoyin_core::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

const ZH: &str = include_str!("../../../locales/zh-CN.toml");
const EN: &str = include_str!("../../../locales/en.toml");

fn flatten(prefix: &str, t: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(sub) => flatten(&key, sub, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// Parses a locale file into flat keys. The files are compiled in and checked by tests, so a
/// parse failure here means a broken build; it degrades to showing keys, never to a panic.
pub fn parse_locale(src: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    match src.parse::<toml::Table>() {
        Ok(t) => flatten("", &t, &mut out),
        Err(e) => tracing::error!("locale file does not parse: {e}"),
    }
    out
}

fn table(lang: Lang) -> &'static HashMap<String, String> {
    static ZH_T: OnceLock<HashMap<String, String>> = OnceLock::new();
    static EN_T: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        Lang::Zh => ZH_T.get_or_init(|| parse_locale(ZH)),
        Lang::En => EN_T.get_or_init(|| parse_locale(EN)),
    }
}

/// Translator for one request: language and time zone.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
    pub tz: Tz,
}

impl Tr {
    pub fn new(lang: Lang, tz: Tz) -> Self {
        Self { lang, tz }
    }

    /// The string for `key`; the key itself when missing (tests keep that from happening).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        table(self.lang).get(key).map(String::as_str).unwrap_or(key)
    }

    /// The string for `key` with `{name}` placeholders filled.
    pub fn tf(&self, key: &str, params: &[(&str, String)]) -> String {
        let mut s = self.t(key).to_string();
        for (k, v) in params {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    /// [`Tr::tf`] with one placeholder (handy in templates).
    pub fn tf1(&self, key: &str, k: &str, v: impl ToString) -> String {
        self.tf(key, &[(k, v.to_string())])
    }

    /// [`Tr::tf`] with two placeholders.
    pub fn tf2(
        &self,
        key: &str,
        k1: &str,
        v1: impl ToString,
        k2: &str,
        v2: impl ToString,
    ) -> String {
        self.tf(key, &[(k1, v1.to_string()), (k2, v2.to_string())])
    }

    /// Like [`Tr::t`] for a key built at run time (`role.` + id); unknown ids show as given.
    pub fn label(&self, prefix: &str, id: &str) -> String {
        let key = format!("{prefix}.{id}");
        match table(self.lang).get(&key) {
            Some(s) => s.clone(),
            None => id.to_string(),
        }
    }

    /// A validation problem as a sentence.
    pub fn field_error(&self, e: &FieldError) -> String {
        let params: Vec<(&str, String)> = e
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        self.tf(e.code, &params)
    }

    /// A validation problem with its place: "sheet “单位”, row 3 · 代码: …".
    pub fn field_error_full(&self, e: &FieldError) -> String {
        let mut out = String::new();
        if let (Some(sheet), Some(row)) = (&e.sheet, e.row) {
            out.push_str(&self.tf(
                "import.row",
                &[
                    ("sheet", self.label("import", &format!("sheet_{sheet}"))),
                    ("row", row.to_string()),
                ],
            ));
            out.push_str(" · ");
        }
        if e.field != "file" {
            out.push_str(&self.field_name(e));
            out.push('：');
        }
        out.push_str(&self.field_error(e));
        out
    }

    /// The field a problem is about. In a workbook, the column as its header says; an entry of
    /// a list (`contacts.1.phone`, or as the API names it `photos[0]`, `people[1].person_id`)
    /// as the list, the entry's number from 1, and the part.
    fn field_name(&self, e: &FieldError) -> String {
        if let Some((list, rest)) = e.field.split_once('[')
            && let Some((i, part)) = rest.split_once(']')
            && let Ok(i) = i.parse::<usize>()
        {
            let mut out = format!("{} {}", self.label("field", list), i + 1);
            if let Some(part) = part.strip_prefix('.') {
                out.push_str(&format!(" · {}", self.label("field", part)));
            }
            return out;
        }
        let (list, entry) = match e.field.split('.').collect::<Vec<_>>()[..] {
            [list, i, part] => match i.parse::<usize>() {
                Ok(i) => (list, Some((i + 1, part))),
                Err(_) => (e.field.as_str(), None),
            },
            _ => (e.field.as_str(), None),
        };
        let column = e
            .sheet
            .as_ref()
            .and_then(|sheet| table(self.lang).get(&format!("import.{sheet}_{list}")));
        let mut out = match column {
            Some(c) => c.clone(),
            None => self.label("field", list),
        };
        if let Some((n, part)) = entry {
            out.push_str(&format!(
                " {n} · {}",
                self.label("field", &format!("{list}_{part}"))
            ));
        }
        out
    }

    pub fn datetime(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn datetime_opt(&self, t: &Option<DateTime<Utc>>) -> String {
        match t {
            Some(t) => self.datetime(t),
            None => self.t("common.never").to_string(),
        }
    }

    pub fn yes_no(&self, b: bool) -> &'static str {
        if b {
            self.t("common.yes")
        } else {
            self.t("common.no")
        }
    }
}

/// Every key of a locale, for the test that both languages match.
pub fn keys(lang: Lang) -> Vec<String> {
    let mut k: Vec<String> = table(lang).keys().cloned().collect();
    k.sort();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        assert!(keys(Lang::Zh).len() > 200);
        assert_eq!(keys(Lang::Zh), keys(Lang::En));
    }

    #[test]
    fn placeholders_and_labels() {
        let t = Tr::new(Lang::Zh, chrono_tz::Asia::Shanghai);
        assert_eq!(t.tf("common.total", &[("n", "3".into())]), "共 3 条");
        assert_eq!(t.label("role", "clerk"), "填报员");
        assert_eq!(t.label("role", "unknown"), "unknown");
        let e = FieldError::new("code", "err.required").at_row("units", 4);
        assert_eq!(t.field_error_full(&e), "“单位”表第 4 行 · 单位代码：必填。");
        let e = FieldError::new("contacts.1.phone", "err.phone_format").at_row("companies", 3);
        assert!(
            t.field_error_full(&e)
                .starts_with("“企业”表第 3 行 · 联系人 2 · 电话："),
            "{}",
            t.field_error_full(&e)
        );
        let e = FieldError::new("photos[0]", "err.photo_type").with("name", "a.pdf");
        assert_eq!(
            t.field_error_full(&e),
            "现场照片 1：照片“a.pdf”不是 JPEG、PNG、GIF 或 WebP 图片。"
        );
        let e = FieldError::new("people[1].person_id", "err.choice");
        assert_eq!(
            t.field_error_full(&e),
            "参会人员 2 · 人员：请从列表中选择。"
        );
        let utc = DateTime::from_timestamp(0, 0).unwrap_or_default();
        assert_eq!(t.datetime(&utc), "1970-01-01 08:00");
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        // Finds t("…"), tf("…", and label prefixes in templates and Rust sources, and the
        // message keys of validation errors (err.…) wherever they are made.
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut missing = Vec::new();
        let mut files = Vec::new();
        for dir in [
            "templates",
            "crates/web/src",
            "crates/app/src",
            "crates/core/src",
            "crates/db/src",
            "crates/office/src",
        ] {
            collect(&std::path::Path::new(root).join(dir), &mut files);
        }
        let zh = table(Lang::Zh);
        for f in files {
            let src = std::fs::read_to_string(&f).unwrap_or_default();
            for (pat, prefix) in [
                (".t(\"", ""),
                (".tf(\"", ""),
                (".tf1(\"", ""),
                (".tf2(\"", ""),
                ("\"err.", "err."),
            ] {
                for part in src.split(pat).skip(1) {
                    let key: String = prefix
                        .chars()
                        .chain(part.chars().take_while(|c| *c != '"'))
                        .collect();
                    if key.contains('.')
                        && !key.contains(' ')
                        && !key.ends_with('.')
                        && !zh.contains_key(&key)
                    {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "missing locale keys:\n{}",
            missing.join("\n")
        );
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, out);
            } else if p.extension().is_some_and(|x| x == "html" || x == "rs") {
                out.push(p);
            }
        }
    }
}
