//! Recruiting activities in Excel: a template, an all-or-nothing import (every problem by row and
//! column; an activity already there — same organiser, kind, first day and title — is updated
//! under the same rules as an edit; importing the same file twice changes nothing the second
//! time; imported trips are registered for approval like any other), the list as a workbook in
//! the template's columns plus its status, and the monthly statistics (the 月晾晒 table).

use std::collections::HashMap;

use zhaoyin_core::activity::{self as core, ActivityInput, ActivityKind, ActivityStatus, Month};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::activities::{self as db, Activity, ActivityFilter, ImportRow, Link};
use zhaoyin_db::companies::ImportSummary;
use zhaoyin_office::xlsx::Row;

use super::activities as svc;
use super::sheet_kit::{Names, SheetSpec, choice, items, unit_codes, yes_no};
use crate::ctx::{Auth, Ctx};
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};

/// Rows one import may carry.
pub const MAX_ROWS: usize = 5_000;

const SPEC: SheetSpec = SheetSpec {
    id: "activities",
    title_key: "activities.title",
    labels: "activity_sheet",
    columns: &[
        ("kind", true, 10.0),
        ("abroad", false, 6.0),
        ("title", true, 30.0),
        ("place", true, 16.0),
        ("starts_on", true, 12.0),
        ("ends_on", false, 12.0),
        ("unit_code", true, 14.0),
        ("other_unit_codes", false, 20.0),
        ("leaders", false, 20.0),
        ("companies", false, 30.0),
        ("talents", false, 20.0),
        ("projects", false, 30.0),
        ("purpose", false, 30.0),
        ("outcome", false, 40.0),
    ],
    export_only: &[("unit", 18.0), ("status", 8.0), ("late", 6.0)],
};

pub fn template(t: &Tr) -> AppResult<Vec<u8>> {
    SPEC.template(t, 3)
}

pub async fn import(st: &AppState, ctx: &Ctx, bytes: &[u8]) -> AppResult<ImportSummary> {
    let auth = ctx.auth()?;
    if !auth
        .principal
        .can_somewhere(Entity::Activity, Action::Write)
    {
        return Err(AppError::Forbidden);
    }
    let rows = SPEC.read(&ctx.t, bytes, MAX_ROWS).await?;
    let (checked, unchanged) = check(st, auth, &rows).await?;
    db::import(&st.db, &ctx.actor(), "activities", &checked)
        .await
        .map_err(|e| match e {
            zhaoyin_db::Error::Invalid(i) => {
                AppError::Invalid(Invalid(i.0.into_iter().map(column_of).collect()))
            }
            other => other.into(),
        })?;
    Ok(ImportSummary {
        created: checked.iter().filter(|r| r.existing.is_none()).count(),
        updated: checked.iter().filter(|r| r.existing.is_some()).count(),
        unchanged,
    })
}

/// A problem with a field the sheet fills from another column, named by that column.
fn column_of(mut e: FieldError) -> FieldError {
    let column = match e.field.as_str() {
        "unit_id" => "unit_code",
        "unit_ids" => "other_unit_codes",
        "leader_ids" => "leaders",
        "company_ids" => "companies",
        "talent_ids" => "talents",
        "project_ids" => "projects",
        "status" => "kind",
        _ => return e,
    };
    e.field = column.to_string();
    e
}

/// Every row validated and placed, every problem at once; rows that would change nothing are
/// counted, not written.
async fn check(st: &AppState, auth: &Auth, rows: &[Row]) -> AppResult<(Vec<ImportRow>, usize)> {
    let mut e = Invalid::default();
    let at = |err: FieldError, row: usize| err.at_row("activities", row);
    let mut names = Names::new(st, auth).await?;
    let today = st.cfg.today();
    let mut seen: HashMap<(i64, String, chrono::NaiveDate, String), usize> = HashMap::new();
    let mut out = Vec::new();
    let mut unchanged = 0;
    for r in rows {
        let mut row = Invalid::default();
        let kind = choice(
            r.get("kind"),
            ActivityKind::ALL.iter().map(|k| k.id()),
            "activity.kind",
        )
        .unwrap_or_else(|()| {
            row.push(FieldError::new("kind", "err.choice"));
            None
        })
        .unwrap_or_default();
        let abroad = yes_no(r.get("abroad")).unwrap_or_else(|| {
            row.push(FieldError::new("abroad", "err.yes_no"));
            false
        });
        let code = r.get("unit_code").trim();
        let unit_id = match names.unit(st, code).await? {
            Some(id) => Some(id),
            None => {
                row.push(FieldError::new("unit_code", "err.unit_code_unknown").with("code", code));
                None
            }
        };
        let mut unit_ids = Vec::new();
        for code in items(r.get("other_unit_codes")) {
            match names.unit(st, code).await? {
                Some(id) => unit_ids.push(id),
                None => row.push(
                    FieldError::new("other_unit_codes", "err.unit_code_unknown").with("code", code),
                ),
            }
        }
        let mut leader_ids = Vec::new();
        for name in items(r.get("leaders")) {
            match names.person(name) {
                Ok(Some(id)) => leader_ids.push(id),
                Ok(None) => {}
                Err(code) => row.push(FieldError::new("leaders", code).with("name", name)),
            }
        }
        let starts_on = crate::form::opt_date(&mut row, "starts_on", r.get("starts_on"));
        let ends_on = crate::form::opt_date(&mut row, "ends_on", r.get("ends_on"));
        // The activity the row names, if it is there: a name it links to keeps that link.
        let existing = match (unit_id, ActivityKind::parse(kind), starts_on) {
            (Some(u), Some(k), Some(d)) => db::find(&st.db, u, k, d, r.get("title").trim()).await?,
            _ => None,
        };
        let linked = |pick: fn(&Activity) -> &[Link], line: &str| {
            existing
                .as_ref()
                .and_then(|x| pick(x).iter().find(|l| l.name == line).map(|l| l.id))
        };
        let mut company_ids = Vec::new();
        for line in items(r.get("companies")) {
            if let Some(id) = linked(|x| &x.companies, line) {
                company_ids.push(id);
                continue;
            }
            match super::projects::resolve_investor(st, auth, line, None).await? {
                Some(id) => company_ids.push(id),
                None => {
                    row.push(FieldError::new("companies", "err.line_unknown").with("line", line))
                }
            }
        }
        let mut talent_ids = Vec::new();
        for line in items(r.get("talents")) {
            if let Some(id) = linked(|x| &x.talents, line) {
                talent_ids.push(id);
                continue;
            }
            match svc::resolve_talent(st, auth, line).await? {
                Ok(id) => talent_ids.push(id),
                Err(code) => row.push(FieldError::new("talents", code).with("line", line)),
            }
        }
        let mut project_ids = Vec::new();
        for line in items(r.get("projects")) {
            let had = existing.as_ref().and_then(|x| {
                x.projects
                    .iter()
                    .find(|p| p.name.as_deref() == Some(line) || format!("#{}", p.id) == line)
                    .map(|p| p.id)
            });
            if let Some(id) = had {
                project_ids.push(id);
                continue;
            }
            match svc::resolve_project(st, auth, line).await? {
                Ok(id) => project_ids.push(id),
                Err(code) => row.push(FieldError::new("projects", code).with("line", line)),
            }
        }
        let Some(unit_id) = unit_id.filter(|_| row.is_empty()) else {
            e.0.extend(row.0.into_iter().map(|x| at(x, r.row)));
            continue;
        };
        let input = ActivityInput {
            kind: kind.to_string(),
            abroad,
            title: r.get("title").into(),
            place: r.get("place").into(),
            starts_on,
            ends_on,
            purpose: r.get("purpose").into(),
            outcome: r.get("outcome").into(),
            unit_ids,
            leader_ids,
            company_ids,
            talent_ids,
            project_ids,
        };
        let key = (
            unit_id,
            kind.to_string(),
            starts_on.unwrap_or_default(),
            input.title.trim().to_string(),
        );
        if let Some(first) = seen.insert(key, r.row) {
            e.push(at(
                FieldError::new("title", "err.xlsx_same_activity").with("row", first),
                r.row,
            ));
            continue;
        }
        // A row that would change nothing is counted and left alone, whoever may keep it (an
        // export holds the activities the reader took part in, and cancelled ones).
        if let Some(x) = &existing {
            let day = x.starts_on.max(today);
            let rules = &st.cfg.activity_rules;
            let now = svc::input_of(x).validate(rules, day).ok();
            if now.is_some() && now == input.validate(rules, day).ok() {
                unchanged += 1;
                continue;
            }
        }
        let placed = match svc::organiser(st, auth, unit_id).await {
            Ok(x) => x,
            Err(AppError::Invalid(_) | AppError::Forbidden) => {
                e.push(at(
                    FieldError::new("unit_code", "err.unit_code_unknown").with("code", code),
                    r.row,
                ));
                continue;
            }
            Err(other) => return Err(other),
        };
        let (region_id, _, county) = placed;
        let outcome = async {
            if let Some(x) = &existing {
                svc::refuse_edit(x, kind)?;
            }
            let fields = svc::checked(st, auth, &input, &county, existing.as_ref()).await?;
            let (status, late) = match &existing {
                Some(x) => svc::after_edit(st, x, &fields, unit_id)?,
                None => (
                    ActivityStatus::initial(fields.kind),
                    core::registered_late(fields.kind, fields.starts_on, today),
                ),
            };
            Ok::<_, AppError>((fields, status, late))
        }
        .await;
        let (fields, status, late) = match outcome {
            Ok(x) => x,
            Err(AppError::Invalid(errs)) => {
                e.0.extend(errs.0.into_iter().map(|x| at(column_of(x), r.row)));
                continue;
            }
            Err(other) => return Err(other),
        };
        out.push(ImportRow {
            row: r.row,
            region_id,
            unit_id,
            existing: existing.as_ref().map(|x| (x.id, x.version)),
            fields,
            status,
            late,
        });
    }
    e.0.truncate(100);
    e.into_result()?;
    Ok((out, unchanged))
}

fn names(l: &[Link]) -> String {
    l.iter()
        .map(|x| x.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// The activities of a filter, in the template's columns and the export's own.
pub async fn export(st: &AppState, ctx: &Ctx, f: &ActivityFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let rows = svc::all(st, auth, f).await?;
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|a| a.units.iter().map(|u| u.id))
        .collect();
    let codes = unit_codes(st, ids).await?;
    let code = |id: i64| codes.get(&id).cloned().unwrap_or_default();
    let yes = |b: bool| {
        if b {
            t.t("common.yes").to_string()
        } else {
            String::new()
        }
    };
    let lines = rows
        .iter()
        .map(|x| {
            vec![
                t.label("activity.kind", &x.kind),
                yes(x.abroad),
                x.title.clone(),
                x.place.clone(),
                x.starts_on.to_string(),
                x.ends_on.to_string(),
                code(x.unit_id),
                x.units
                    .iter()
                    .filter(|u| u.id != x.unit_id)
                    .map(|u| code(u.id))
                    .collect::<Vec<_>>()
                    .join("、"),
                names(&x.leaders),
                names(&x.companies),
                names(&x.talents),
                x.projects
                    .iter()
                    .map(|p| p.name.clone().unwrap_or_else(|| format!("#{}", p.id)))
                    .collect::<Vec<_>>()
                    .join("、"),
                x.purpose.clone().unwrap_or_default(),
                x.outcome.clone().unwrap_or_default(),
                x.unit_name.clone(),
                t.label("activity.status", &x.status),
                yes(x.registered_late),
            ]
        })
        .collect();
    SPEC.table(&t, lines).await
}

/// The statistics of a month as one sheet: a unit per row, the figures of the page.
pub async fn stats(st: &AppState, ctx: &Ctx, month: Month) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let s = svc::monthly_stats(st, auth, month).await?;
    let mut columns: Vec<(&'static str, f64)> = vec![("unit", 24.0)];
    columns.extend(svc::STATS_COLUMNS.iter().map(|c| (*c, 10.0)));
    let sheet = zhaoyin_office::xlsx::Sheet {
        id: "stats",
        name: t.tf1("activities.stats_sheet", "month", &s.month),
        aliases: Vec::new(),
        columns: columns
            .iter()
            .map(|(c, width)| zhaoyin_office::xlsx::Column {
                id: c,
                header: t.label("activity_stats", c),
                aliases: Vec::new(),
                required: false,
                width: *width,
                choices: Vec::new(),
            })
            .collect(),
    };
    let lines: Vec<Vec<String>> = s
        .rows
        .iter()
        .map(|r| {
            let mut line = vec![r.unit_name.clone()];
            line.extend(r.figures().iter().map(i64::to_string));
            line
        })
        .collect();
    super::blocking(move || zhaoyin_office::xlsx::table(&sheet, lines))
        .await?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}
