//! What the library workbooks share: a sheet described once (its columns, those only the export
//! carries, its labels in locales/) gives the template, the reader and the export; and the ways
//! cells are typed (a choice by id or by its name in either language, yes/no, lists).

use std::collections::HashMap;

use zhaoyin_office::xlsx::{self, Column, Row, Sheet};

use crate::ctx::Auth;
use crate::i18n::{Lang, Tr};
use crate::{AppError, AppResult, AppState};

/// A workbook's one data sheet.
pub(crate) struct SheetSpec {
    /// The sheet's id in problems (`import.sheet_{id}` names it).
    pub id: &'static str,
    /// The key of the sheet's name.
    pub title_key: &'static str,
    /// The locales/ section of the column headers.
    pub labels: &'static str,
    /// The template's columns: (id, required, width).
    pub columns: &'static [(&'static str, bool, f64)],
    /// Columns the export adds after the template's (the import ignores them).
    pub export_only: &'static [(&'static str, f64)],
}

fn xlsx_done<E: std::fmt::Display>(r: Result<Vec<u8>, E>) -> AppResult<Vec<u8>> {
    r.map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}

impl SheetSpec {
    /// The sheet in the user's language; headers in the other language, or the ids, are read too.
    pub fn sheet(&self, t: &Tr, with_export_columns: bool) -> Sheet {
        let other = Tr::new(t.lang.other(), t.tz);
        let column = |id: &'static str, required: bool, width: f64| Column {
            id,
            header: t.label(self.labels, id),
            aliases: vec![other.label(self.labels, id), id.to_string()],
            required,
            width,
            choices: Vec::new(),
        };
        let mut columns: Vec<Column> = self
            .columns
            .iter()
            .map(|(id, required, width)| column(id, *required, *width))
            .collect();
        if with_export_columns {
            columns.extend(
                self.export_only
                    .iter()
                    .map(|(id, width)| column(id, false, *width)),
            );
        }
        Sheet {
            id: self.id,
            name: t.t(self.title_key).to_string(),
            aliases: vec![other.t(self.title_key).to_string()],
            columns,
        }
    }

    /// The template: the sheet and a notes sheet (`{labels}.note_1`, … as many as `notes`).
    pub fn template(&self, t: &Tr, notes: usize) -> AppResult<Vec<u8>> {
        let notes: Vec<String> = (1..=notes)
            .map(|n| t.t(&format!("{}.note_{n}", self.labels)).to_string())
            .collect();
        xlsx_done(xlsx::template(
            &[self.sheet(t, false)],
            t.t("import.sheet_notes"),
            &notes,
            &[],
        ))
    }

    /// The data rows of an uploaded workbook (off the async threads); an empty sheet is refused.
    pub async fn read(&self, t: &Tr, bytes: &[u8], max_rows: usize) -> AppResult<Vec<Row>> {
        let spec = self.sheet(t, false);
        let bytes = bytes.to_vec();
        let rows = super::blocking(move || xlsx::read_limited(&bytes, &[spec], max_rows))
            .await??
            .into_iter()
            .next()
            .unwrap_or_default();
        if rows.is_empty() {
            return Err(AppError::invalid("file", "err.xlsx_empty"));
        }
        Ok(rows)
    }

    /// Rows under the export's headers (off the async threads).
    pub async fn table(&self, t: &Tr, lines: Vec<Vec<String>>) -> AppResult<Vec<u8>> {
        let spec = self.sheet(t, true);
        xlsx_done(super::blocking(move || xlsx::table(&spec, lines)).await?)
    }
}

/// What the rows name, looked up once each: units by code, people of the caller's county by name.
pub(crate) struct Names {
    units: HashMap<String, Option<i64>>,
    people: HashMap<String, Vec<i64>>,
}

impl Names {
    pub async fn new(st: &AppState, auth: &Auth) -> AppResult<Self> {
        let mut people: HashMap<String, Vec<i64>> = HashMap::new();
        for p in super::projects::people_choices(st, auth).await? {
            people.entry(p.name).or_default().push(p.id);
        }
        Ok(Self {
            units: HashMap::new(),
            people,
        })
    }

    pub async fn unit(&mut self, st: &AppState, code: &str) -> AppResult<Option<i64>> {
        if let Some(u) = self.units.get(code) {
            return Ok(*u);
        }
        let u = zhaoyin_db::org::unit_by_code(&st.db, code)
            .await?
            .filter(|u| u.active)
            .map(|u| u.id);
        self.units.insert(code.to_string(), u);
        Ok(u)
    }

    pub fn person(&self, name: &str) -> Result<Option<i64>, &'static str> {
        match self.people.get(name).map(Vec::as_slice) {
            _ if name.is_empty() => Ok(None),
            Some([id]) => Ok(Some(*id)),
            Some([_, _, ..]) => Err("err.person_ambiguous"),
            _ => Err("err.person_unknown"),
        }
    }
}

/// The codes of units, each looked up once (an export names units by code).
pub(crate) async fn unit_codes(
    st: &AppState,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, String>> {
    let mut codes: HashMap<i64, String> = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(v) = codes.entry(id) {
            v.insert(zhaoyin_db::org::get_unit(&st.db, id).await?.code);
        }
    }
    Ok(codes)
}

/// A choice as typed: its id, or its name (`{prefix}.{id}`) in either language; `Ok(None)` for
/// an empty cell, `Err` for anything else.
pub(crate) fn choice<'a>(
    text: &str,
    ids: impl IntoIterator<Item = &'a str>,
    prefix: &str,
) -> Result<Option<&'a str>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    ids.into_iter()
        .find(|id| {
            *id == text
                || [Lang::Zh, Lang::En]
                    .iter()
                    .any(|l| Tr::new(*l, chrono_tz::UTC).label(prefix, id) == text)
        })
        .map(Some)
        .ok_or(())
}

/// 是/否 (or yes/no, 1/0); empty is no.
pub(crate) fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "否" | "no" | "n" | "0" | "false" => Some(false),
        "是" | "yes" | "y" | "1" | "true" => Some(true),
        _ => None,
    }
}

/// The items of a list cell, separated by 、 , ， ; or ；.
pub(crate) fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_as_people_type_them() {
        let stages = ["lead", "signed"];
        assert_eq!(choice("签约", stages, "stage"), Ok(Some("signed")));
        assert_eq!(choice("Signed", stages, "stage"), Ok(Some("signed")));
        assert_eq!(choice("lead", stages, "stage"), Ok(Some("lead")));
        assert_eq!(choice(" ", stages, "stage"), Ok(None));
        assert_eq!(choice("飞升", stages, "stage"), Err(()));
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("也许"), None);
        assert_eq!(
            items("gq-fgj、gq-tcz, gq-kfq；").collect::<Vec<_>>(),
            vec!["gq-fgj", "gq-tcz", "gq-kfq"]
        );
    }
}
