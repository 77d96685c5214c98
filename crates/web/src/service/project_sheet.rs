//! The project list as a workbook: every project of the list's filters, one row each, with the
//! names a reader needs (investor, units, leader) and amounts in 万元.

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::project::format_mu;
use zhaoyin_db::projects::{self as db, ProjectFilter};
use zhaoyin_office::xlsx::{self, Column, Sheet};

use crate::ctx::Ctx;
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};

const COLUMNS: &[(&str, f64)] = &[
    ("name", 36.0),
    ("investor", 30.0),
    ("stage", 8.0),
    ("stage_on", 12.0),
    ("total_investment", 12.0),
    ("outside_investment", 12.0),
    ("contract_amount", 12.0),
    ("signed_on", 12.0),
    ("land_mu", 10.0),
    ("key_industry", 14.0),
    ("industry", 10.0),
    ("unit", 20.0),
    ("location", 16.0),
    ("first_unit", 20.0),
    ("introducer", 10.0),
    ("owner_leader", 10.0),
    ("major", 8.0),
    ("duplicate", 10.0),
    ("national_code", 26.0),
];

fn sheet(t: &Tr) -> Sheet {
    Sheet {
        id: "projects",
        name: t.t("projects.title").to_string(),
        aliases: Vec::new(),
        columns: COLUMNS
            .iter()
            .map(|(id, width)| Column {
                id,
                header: t.label("project_sheet", id),
                aliases: Vec::new(),
                required: false,
                width: *width,
                choices: Vec::new(),
            })
            .collect(),
    }
}

pub async fn export(st: &AppState, ctx: &Ctx, f: &ProjectFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    let rows = db::all(&st.db, &vis, f).await?;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                o(&p.investor_name),
                t.label("stage", &p.stage),
                p.stage_on.to_string(),
                p.total_investment.to_string(),
                p.outside_investment.to_string(),
                n(p.contract_amount),
                p.signed_on.map(|d| d.to_string()).unwrap_or_default(),
                p.land_mu_x100.map(format_mu).unwrap_or_default(),
                o(&p.key_industry),
                format!("{}{}", o(&p.industry_section), o(&p.industry_division)),
                p.unit_name.clone(),
                o(&p.location_name),
                o(&p.first_unit_name),
                o(&p.introducer),
                o(&p.owner_leader_name),
                if p.is_major {
                    t.t("common.yes").to_string()
                } else {
                    String::new()
                },
                p.duplicate_of
                    .map(|d| t.tf1("project_sheet.repeat_of", "id", d))
                    .unwrap_or_default(),
                o(&p.national_code),
            ]
        })
        .collect();
    let spec = sheet(&t);
    super::blocking(move || xlsx::table(&spec, lines))
        .await?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}
