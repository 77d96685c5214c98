//! The company library in Excel: a template, an all-or-nothing import (every problem reported by
//! row and column, nothing written unless every row is good; importing the same file twice
//! changes nothing the second time), and an export in the template's own columns, so that an
//! exported list edited in Excel imports back.

use std::collections::HashMap;

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::company::{
    CompanyFlag, CompanyInput, INDUSTRY_SECTIONS, format_contacts, parse_contacts,
};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::companies::{self as db, CompanyFilter, ImportRow, ImportSummary};
use zhaoyin_office::xlsx::{self, Column, Row, Sheet};

use crate::ctx::{Auth, Ctx};
use crate::i18n::{Lang, Tr};
use crate::{AppError, AppResult, AppState};

/// Rows one import may carry.
pub const MAX_ROWS: usize = 200_000;

const COLUMNS: &[(&str, bool, f64)] = &[
    ("name", true, 36.0),
    ("credit_code", false, 22.0),
    ("country", false, 10.0),
    ("hq_city", false, 10.0),
    ("industry_section", false, 10.0),
    ("industry_division", false, 10.0),
    ("flags", false, 24.0),
    ("contacts", false, 30.0),
    ("source", false, 12.0),
    ("unit_code", false, 14.0),
    ("notes", false, 30.0),
    ("segments", false, 30.0),
];

/// The sheet in the user's language; headers in the other language (or the column ids) are
/// accepted too.
pub fn sheet(t: &Tr) -> Sheet {
    let other = Tr::new(t.lang.other(), t.tz);
    Sheet {
        id: "companies",
        name: t.t("import.sheet_companies").to_string(),
        aliases: vec![other.t("import.sheet_companies").to_string()],
        columns: COLUMNS
            .iter()
            .map(|(id, required, width)| Column {
                id,
                header: t.label("import", &format!("companies_{id}")),
                aliases: vec![
                    other.label("import", &format!("companies_{id}")),
                    id.to_string(),
                ],
                required: *required,
                width: *width,
                choices: if *id == "industry_section" {
                    INDUSTRY_SECTIONS
                        .iter()
                        .map(|(s, _, _)| s.to_string())
                        .collect()
                } else {
                    Vec::new()
                },
            })
            .collect(),
    }
}

pub fn template(t: &Tr) -> AppResult<Vec<u8>> {
    let notes: Vec<String> = [
        "import.companies_note_1",
        "import.companies_note_2",
        "import.companies_note_3",
        "import.companies_note_4",
        "import.companies_note_5",
    ]
    .iter()
    .map(|k| t.t(k).to_string())
    .collect();
    xlsx::template(&[sheet(t)], t.t("import.sheet_notes"), &notes, &[])
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}

/// Marks as typed: ids or labels in either language, separated by 、 , ， ; ； or spaces.
fn parse_flags(text: &str) -> Result<Vec<String>, String> {
    let labels = |f: CompanyFlag| {
        [Lang::Zh, Lang::En].map(|l| Tr::new(l, chrono_tz::UTC).label("company.flag", f.id()))
    };
    text.split(|c: char| matches!(c, '、' | ',' | '，' | ';' | '；') || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            CompanyFlag::ALL
                .iter()
                .copied()
                .find(|f| f.id() == s || labels(*f).iter().any(|l| l == s))
                .map(|f| f.id().to_string())
                .ok_or_else(|| s.to_string())
        })
        .collect()
}

/// A section as typed: its letter, or "C 制造业".
fn section_of(text: &str) -> String {
    text.trim()
        .chars()
        .next()
        .map(|c| c.to_string())
        .unwrap_or_default()
}

pub async fn import(st: &AppState, ctx: &Ctx, bytes: &[u8]) -> AppResult<ImportSummary> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Company, Action::Write) {
        return Err(AppError::Forbidden);
    }
    let started = std::time::Instant::now();
    let spec = sheet(&ctx.t);
    let bytes = bytes.to_vec();
    let rows = super::blocking(move || xlsx::read_limited(&bytes, &[spec], MAX_ROWS))
        .await??
        .into_iter()
        .next()
        .unwrap_or_default();
    if rows.is_empty() {
        return Err(AppError::invalid("file", "err.xlsx_empty"));
    }
    let read = started.elapsed();
    let checked = check(st, auth, &rows).await?;
    drop(rows);
    let checked_at = started.elapsed();
    let summary = db::import(&st.db, &ctx.actor(), &checked).await?;
    tracing::info!(
        rows = checked.len(),
        read_ms = read.as_millis(),
        check_ms = (checked_at - read).as_millis(),
        write_ms = (started.elapsed() - checked_at).as_millis(),
        "companies imported"
    );
    Ok(summary)
}

/// Every row validated and placed; every problem at once.
async fn check(st: &AppState, auth: &Auth, rows: &[Row]) -> AppResult<Vec<ImportRow>> {
    let mut e = Invalid::default();
    let at = |err: FieldError, row: usize| err.at_row("companies", row);
    // Units by code, each checked once: the caller must be able to write companies it follows.
    let mut units: HashMap<String, Option<(i64, i64)>> = HashMap::new();
    let own = auth.user.unit_id;
    let mut seen_key: HashMap<(i64, String), usize> = HashMap::new();
    let mut seen_code: HashMap<(i64, String), usize> = HashMap::new();
    // The chain segments of each library's county, as "chain · segment" and by bare name.
    let mut segments: HashMap<i64, Segments> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let code = r.get("unit_code").to_string();
        if !units.contains_key(&code) {
            let unit = if code.is_empty() {
                zhaoyin_db::org::get_unit(&st.db, own).await.ok()
            } else {
                zhaoyin_db::org::unit_by_code(&st.db, &code).await?
            };
            let placed = match unit {
                Some(u) if u.active => {
                    let (region_id, region_path) = db::library_of_unit(&st.db, u.id).await?;
                    let place = zhaoyin_core::org::Place {
                        region_path,
                        unit_id: Some(u.id),
                    };
                    auth.can(Entity::Company, Action::Write, &place)
                        .then_some((u.id, region_id))
                }
                _ => None,
            };
            units.insert(code.clone(), placed);
        }
        let Some((unit_id, region_id)) = units.get(&code).copied().flatten() else {
            e.push(at(
                FieldError::new("unit_code", "err.unit_code_unknown").with("code", &code),
                r.row,
            ));
            continue;
        };
        let flags = match parse_flags(r.get("flags")) {
            Ok(f) => f,
            Err(bad) => {
                e.push(at(
                    FieldError::new("flags", "err.flag_unknown").with("value", bad),
                    r.row,
                ));
                continue;
            }
        };
        let segment_ids = if r.get("segments").is_empty() {
            None
        } else {
            if let std::collections::hash_map::Entry::Vacant(v) = segments.entry(region_id) {
                let path = zhaoyin_db::org::get_region(&st.db, region_id).await?.path;
                v.insert(Segments::new(
                    zhaoyin_db::chains::choices(&st.db, &path).await?,
                ));
            }
            let known = &segments[&region_id];
            let mut ids = Vec::new();
            let mut bad = None;
            for item in super::sheet_kit::items(r.get("segments")) {
                match known.find(item) {
                    Ok(id) => ids.push(id),
                    Err(code) => bad = Some((item.to_string(), code)),
                }
            }
            if let Some((item, code)) = bad {
                e.push(at(
                    FieldError::new("segments", code).with("value", item),
                    r.row,
                ));
                continue;
            }
            ids.sort_unstable();
            ids.dedup();
            Some(ids)
        };
        let input = CompanyInput {
            name: r.get("name").into(),
            credit_code: r.get("credit_code").into(),
            country: r.get("country").into(),
            hq_city: r.get("hq_city").into(),
            industry_section: section_of(r.get("industry_section")),
            industry_division: r.get("industry_division").into(),
            flags,
            contacts: parse_contacts(r.get("contacts")),
            source: r.get("source").into(),
            notes: r.get("notes").into(),
        };
        let fields = match input.validate() {
            Ok(f) => f,
            Err(errs) => {
                e.0.extend(errs.0.into_iter().map(|x| at(x, r.row)));
                continue;
            }
        };
        // The same company twice in the file: name both rows.
        let mut twice = |seen: &mut HashMap<(i64, String), usize>, field: &str, key: String| {
            if let Some(first) = seen.insert((region_id, key), r.row) {
                e.push(at(
                    FieldError::new(field, "err.xlsx_same_company").with("row", first),
                    r.row,
                ));
            }
        };
        twice(&mut seen_key, "name", fields.name_key.clone());
        if let Some(code) = &fields.credit_code {
            twice(&mut seen_code, "credit_code", code.clone());
        }
        out.push(ImportRow {
            row: r.row,
            region_id,
            unit_id: Some(unit_id),
            fields,
            segments: segment_ids,
        });
    }
    // A long list of problems is cut: the first hundred say what is wrong.
    e.0.truncate(100);
    e.into_result()?;
    Ok(out)
}

/// A county's chain segments, named as the workbook names them: "chain · segment", or the
/// segment's bare name where no other chain of the county has one so called.
struct Segments {
    by_full: HashMap<String, i64>,
    by_name: HashMap<String, Vec<i64>>,
}

/// "chain · segment" as typed, with or without spaces, or with / for the dot.
fn normal(item: &str) -> String {
    item.replace([' ', '\u{3000}'], "")
        .replace(['/', '／'], "·")
}

/// A segment as the workbook writes it.
fn segment_label(chain: &str, segment: &str) -> String {
    format!("{chain} · {segment}")
}

impl Segments {
    fn new(choices: Vec<zhaoyin_db::chains::SegmentChoice>) -> Self {
        let mut out = Segments {
            by_full: HashMap::new(),
            by_name: HashMap::new(),
        };
        for c in choices {
            out.by_full
                .insert(normal(&segment_label(&c.chain_name, &c.name)), c.id);
            out.by_name.entry(c.name).or_default().push(c.id);
        }
        out
    }

    fn find(&self, item: &str) -> Result<i64, &'static str> {
        if let Some(id) = self.by_full.get(&normal(item)) {
            return Ok(*id);
        }
        match self.by_name.get(item.trim()).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some([_, _, ..]) => Err("err.segment_ambiguous"),
            _ => Err("err.segment_unknown"),
        }
    }
}

/// The companies of a filter, in the template's columns.
pub async fn export(st: &AppState, ctx: &Ctx, f: &CompanyFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let vis = auth.principal.visibility(Entity::Company, Action::Read);
    let rows = db::all(&st.db, &vis, f).await?;
    // Segment labels of the counties the companies are in.
    let mut labels: HashMap<i64, String> = HashMap::new();
    let mut paths: Vec<&str> = rows.iter().map(|c| c.region_path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    for path in paths {
        for c in zhaoyin_db::chains::choices(&st.db, path).await? {
            labels.insert(c.id, segment_label(&c.chain_name, &c.name));
        }
    }
    let spec = sheet(&t);
    let lines: Vec<Vec<String>> = rows
        .into_iter()
        .map(|c| {
            let o = |v: Option<String>| v.unwrap_or_default();
            vec![
                c.name.clone(),
                o(c.credit_code.clone()),
                c.country.clone(),
                o(c.hq_city.clone()),
                o(c.industry_section.clone()),
                o(c.industry_division.clone()),
                c.flags()
                    .iter()
                    .map(|f| t.label("company.flag", f.id()))
                    .collect::<Vec<_>>()
                    .join("、"),
                format_contacts(&c.contacts.0),
                o(c.source.clone()),
                o(c.unit_code.clone()),
                o(c.notes.clone()),
                c.segment_ids
                    .iter()
                    .filter_map(|id| labels.get(id).cloned())
                    .collect::<Vec<_>>()
                    .join("、"),
            ]
        })
        .collect();
    super::blocking(move || xlsx::table(&spec, lines))
        .await?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}
