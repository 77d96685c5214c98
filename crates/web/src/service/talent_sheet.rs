//! The talent list as a workbook: every talent of the list's filters, one row each, with their
//! programs, the company and project they came with, and where contact stands.

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_db::talents::{self as db, TalentFilter};
use zhaoyin_office::xlsx::{self, Column, Sheet};

use crate::ctx::Ctx;
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};

const COLUMNS: &[(&str, f64)] = &[
    ("name", 20.0),
    ("kind", 8.0),
    ("leader", 10.0),
    ("team_size", 8.0),
    ("field", 18.0),
    ("affiliation", 26.0),
    ("title", 12.0),
    ("country", 8.0),
    ("level", 8.0),
    ("programs", 36.0),
    ("company", 28.0),
    ("project", 28.0),
    ("contact_phone", 16.0),
    ("email", 22.0),
    ("unit", 18.0),
    ("status", 8.0),
    ("notes", 30.0),
];

fn sheet(t: &Tr) -> Sheet {
    Sheet {
        id: "talents",
        name: t.t("talents.title").to_string(),
        aliases: Vec::new(),
        columns: COLUMNS
            .iter()
            .map(|(id, width)| Column {
                id,
                header: t.label("talent_sheet", id),
                aliases: Vec::new(),
                required: false,
                width: *width,
                choices: Vec::new(),
            })
            .collect(),
    }
}

pub async fn export(st: &AppState, ctx: &Ctx, f: &TalentFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let vis = auth.principal.visibility(Entity::Talent, Action::Read);
    let rows: Vec<_> = db::all(&st.db, &vis, f)
        .await?
        .into_iter()
        .map(|x| super::talents::shown(auth, x))
        .collect();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|x| {
            vec![
                x.name.clone(),
                t.label("talent.kind", &x.kind),
                o(&x.leader),
                x.team_size.map(|n| n.to_string()).unwrap_or_default(),
                o(&x.field),
                o(&x.affiliation),
                o(&x.title),
                x.country.clone(),
                x.program_level
                    .as_deref()
                    .map(|l| t.label("talent.level", l))
                    .unwrap_or_default(),
                x.programs.join("、"),
                o(&x.company_name),
                o(&x.project_name),
                o(&x.contact_phone),
                o(&x.email),
                o(&x.unit_name),
                t.label("talent.status", &x.status),
                o(&x.notes),
            ]
        })
        .collect();
    let spec = sheet(&t);
    super::blocking(move || xlsx::table(&spec, lines))
        .await?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}
