//! Recruiting activities in Excel: the list as filtered, and the monthly statistics per unit
//! (the 月晾晒 table) in the layout of the statistics page.

use zhaoyin_core::activity::Month;
use zhaoyin_db::activities::ActivityFilter;
use zhaoyin_office::xlsx::{self, Column, Sheet};

use crate::ctx::Ctx;
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};

/// The export's columns: (id, width).
const COLUMNS: &[(&str, f64)] = &[
    ("kind", 10.0),
    ("abroad", 6.0),
    ("title", 30.0),
    ("place", 16.0),
    ("starts_on", 12.0),
    ("ends_on", 12.0),
    ("unit", 18.0),
    ("units", 28.0),
    ("leaders", 20.0),
    ("companies", 30.0),
    ("talents", 20.0),
    ("projects", 30.0),
    ("purpose", 30.0),
    ("outcome", 40.0),
    ("status", 8.0),
    ("late", 6.0),
];

fn sheet(
    t: &Tr,
    id: &'static str,
    name: &str,
    columns: &[(&'static str, f64)],
    prefix: &str,
) -> Sheet {
    Sheet {
        id,
        name: name.to_string(),
        aliases: Vec::new(),
        columns: columns
            .iter()
            .map(|(c, width)| Column {
                id: c,
                header: t.label(prefix, c),
                aliases: Vec::new(),
                required: false,
                width: *width,
                choices: Vec::new(),
            })
            .collect(),
    }
}

fn done<E: std::fmt::Display>(r: Result<Vec<u8>, E>) -> AppResult<Vec<u8>> {
    r.map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}

pub async fn export(st: &AppState, ctx: &Ctx, f: &ActivityFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let rows = super::activities::all(st, auth, f).await?;
    let names = |l: &[zhaoyin_db::activities::Link]| {
        l.iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let yes = |b: bool| {
        if b {
            t.t("common.yes").to_string()
        } else {
            String::new()
        }
    };
    let lines = rows.iter().map(|x| {
        vec![
            t.label("activity.kind", &x.kind),
            yes(x.abroad),
            x.title.clone(),
            x.place.clone(),
            x.starts_on.to_string(),
            x.ends_on.to_string(),
            x.unit_name.clone(),
            names(&x.units[x.units.len().min(1)..]),
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
            t.label("activity.status", &x.status),
            yes(x.registered_late),
        ]
    });
    done(xlsx::table(
        &sheet(
            &t,
            "activities",
            t.t("activities.title"),
            COLUMNS,
            "activity_sheet",
        ),
        lines,
    ))
}

/// The statistics of a month as one sheet: a unit per row, the figures of the page.
pub async fn stats(st: &AppState, ctx: &Ctx, month: Month) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let s = super::activities::monthly_stats(st, auth, month).await?;
    let mut columns: Vec<(&'static str, f64)> = vec![("unit", 24.0)];
    columns.extend(super::activities::STATS_COLUMNS.iter().map(|c| (*c, 10.0)));
    let lines = s.rows.iter().map(|r| {
        let mut line = vec![r.unit_name.clone()];
        line.extend(r.figures().iter().map(i64::to_string));
        line
    });
    let name = t.tf1("activities.stats_sheet", "month", &s.month);
    done(xlsx::table(
        &sheet(&t, "stats", &name, &columns, "activity_stats"),
        lines,
    ))
}
