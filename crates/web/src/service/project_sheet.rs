//! Projects in Excel: a template, an all-or-nothing import (every problem by row and column; a
//! project already there — by its national code, else by its name in its responsible unit — is
//! updated and moved forward to the row's stage; importing the same file twice changes nothing
//! the second time), and the list as a workbook in the template's columns plus the facts only
//! the platform keeps (names, signing day, major, repeated signing), so an edited export imports
//! back. Units are named by code, people by name, the investor by name or credit code.

use std::collections::HashMap;

use chrono::NaiveDate;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::project::{ProjectInput, Stage, format_mu};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::companies::ImportSummary;
use zhaoyin_db::projects::{self as db, ImportRow, ProjectFilter};
use zhaoyin_office::xlsx::Row;

use super::sheet_kit::{Names, SheetSpec, choice, items, unit_codes, yes_no};
use crate::ctx::{Auth, Ctx};
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};

/// Rows one import may carry.
pub const MAX_ROWS: usize = 5_000;

/// The template's columns (the first seven are also the export's first), and the export's own.
const SPEC: SheetSpec = SheetSpec {
    id: "projects",
    title_key: "projects.title",
    labels: "project_sheet",
    columns: &[
        ("name", true, 36.0),
        ("investor", false, 30.0),
        ("stage", false, 8.0),
        ("stage_on", false, 12.0),
        ("total_investment", false, 12.0),
        ("outside_investment", false, 12.0),
        ("contract_amount", false, 12.0),
        ("first_phase_investment", false, 12.0),
        ("land_mu", false, 10.0),
        ("key_industry", false, 14.0),
        ("industry_section", false, 6.0),
        ("industry_division", false, 6.0),
        ("unit_code", true, 14.0),
        ("other_unit_codes", false, 20.0),
        ("location_code", false, 14.0),
        ("first_unit_code", false, 14.0),
        ("introducer", false, 10.0),
        ("introducer_civil_servant", false, 8.0),
        ("owner_leader", false, 10.0),
        ("owner_override", false, 20.0),
        ("agent", false, 10.0),
        ("team", false, 16.0),
        ("project_credit_code", false, 22.0),
        ("national_code", false, 26.0),
        ("lead_on", false, 12.0),
        ("reason", false, 20.0),
    ],
    export_only: &[
        ("unit", 20.0),
        ("location", 16.0),
        ("first_unit", 20.0),
        ("signed_on", 12.0),
        ("major", 8.0),
        ("duplicate", 10.0),
    ],
};

pub fn template(t: &Tr) -> AppResult<Vec<u8>> {
    SPEC.template(t, 4)
}

pub async fn import(st: &AppState, ctx: &Ctx, bytes: &[u8]) -> AppResult<ImportSummary> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Project, Action::Write) {
        return Err(AppError::Forbidden);
    }
    let rows = SPEC.read(&ctx.t, bytes, MAX_ROWS).await?;
    let (checked, unchanged) = check(st, auth, &rows).await?;
    db::import(&st.db, &ctx.actor(), "projects", &checked, st.cfg.today()).await?;
    Ok(ImportSummary {
        created: checked.iter().filter(|r| r.existing.is_none()).count(),
        updated: checked.iter().filter(|r| r.existing.is_some()).count(),
        unchanged,
    })
}

/// Every row validated and placed, every problem at once; rows that would change nothing are
/// counted, not written.
async fn check(st: &AppState, auth: &Auth, rows: &[Row]) -> AppResult<(Vec<ImportRow>, usize)> {
    let mut e = Invalid::default();
    let at = |err: FieldError, row: usize| err.at_row("projects", row);
    let mut names = Names::new(st, auth).await?;
    let today = st.cfg.today();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    let mut unchanged = 0;
    for r in rows {
        let mut row = Invalid::default();
        // Units by code.
        let mut unit_ids: HashMap<&'static str, Option<i64>> = HashMap::new();
        for field in ["unit_code", "location_code", "first_unit_code"] {
            let code = r.get(field).trim();
            let id = if code.is_empty() {
                None
            } else {
                match names.unit(st, code).await? {
                    Some(id) => Some(id),
                    None => {
                        row.push(
                            FieldError::new(field, "err.unit_code_unknown").with("code", code),
                        );
                        None
                    }
                }
            };
            unit_ids.insert(field, id);
        }
        let mut other_unit_ids = Vec::new();
        for code in items(r.get("other_unit_codes")) {
            match names.unit(st, code).await? {
                Some(id) => other_unit_ids.push(id),
                None => row.push(
                    FieldError::new("other_unit_codes", "err.unit_code_unknown").with("code", code),
                ),
            }
        }
        let person =
            |field: &'static str, row: &mut Invalid| match names.person(r.get(field).trim()) {
                Ok(id) => id,
                Err(code) => {
                    row.push(FieldError::new(field, code).with("name", r.get(field).trim()));
                    None
                }
            };
        let owner_leader_id = person("owner_leader", &mut row);
        let agent_id = person("agent", &mut row);
        let number = |field: &'static str, row: &mut Invalid| match r.get(field).trim() {
            "" => None,
            n => n.parse::<i64>().ok().or_else(|| {
                row.push(FieldError::new(field, "err.number"));
                None
            }),
        };
        let total_investment = number("total_investment", &mut row);
        let outside_investment = number("outside_investment", &mut row);
        let first_phase_investment = number("first_phase_investment", &mut row);
        let contract_amount = number("contract_amount", &mut row);
        let introducer_civil_servant =
            yes_no(r.get("introducer_civil_servant")).unwrap_or_else(|| {
                row.push(FieldError::new("introducer_civil_servant", "err.yes_no"));
                false
            });
        let stage = choice(r.get("stage"), Stage::ALL.iter().map(|s| s.id()), "stage")
            .unwrap_or_else(|()| {
                row.push(FieldError::new("stage", "err.choice"));
                None
            })
            .and_then(Stage::parse);
        let stage_on = crate::form::opt_date(&mut row, "stage_on", r.get("stage_on"));
        let lead_on = crate::form::opt_date(&mut row, "lead_on", r.get("lead_on"));
        // The project the row names, if it is there: its investor is kept while the row still
        // names it (two companies may share a name).
        let unit_id = unit_ids.get("unit_code").copied().flatten();
        let national_code = Some(r.get("national_code").trim()).filter(|c| !c.is_empty());
        let existing = match unit_id {
            Some(u) => db::find(&st.db, national_code, u, r.get("name").trim()).await?,
            None => None,
        };
        let investor = r.get("investor").trim();
        let investor_id = if investor.is_empty() {
            None
        } else {
            let current = existing.as_ref().and_then(|x| x.investor_id);
            let id = super::projects::resolve_investor(st, auth, investor, current).await?;
            if id.is_none() {
                row.push(FieldError::new("investor", "err.investor_unknown"));
            }
            id
        };
        let reason = zhaoyin_core::validation::optional(&mut row, "reason", r.get("reason"), 500);
        if !row.is_empty() {
            e.0.extend(row.0.into_iter().map(|x| at(x, r.row)));
            continue;
        }
        let input = ProjectInput {
            name: r.get("name").into(),
            investor_id,
            industry_section: r.get("industry_section").into(),
            industry_division: r.get("industry_division").into(),
            key_industry: r.get("key_industry").into(),
            unit_id,
            other_unit_ids,
            location_unit_id: unit_ids.get("location_code").copied().flatten(),
            first_unit_id: unit_ids.get("first_unit_code").copied().flatten(),
            introducer: r.get("introducer").into(),
            introducer_civil_servant,
            owner_leader_id,
            owner_override: r.get("owner_override").into(),
            agent_id,
            team: r.get("team").into(),
            total_investment,
            outside_investment,
            first_phase_investment,
            land_mu: r.get("land_mu").into(),
            contract_amount,
            project_credit_code: r.get("project_credit_code").into(),
            national_code: r.get("national_code").into(),
            segment_id: None,
        };
        let (mut fields, region_id, place) = match super::projects::checked(st, auth, &input).await
        {
            Ok(x) => x,
            Err(AppError::Invalid(errs)) => {
                e.0.extend(errs.0.into_iter().map(|x| at(column_of(x), r.row)));
                continue;
            }
            Err(other) => return Err(other),
        };
        if !auth.can(Entity::Project, Action::Write, &place) {
            e.push(at(
                FieldError::new("unit_code", "err.unit_code_unknown")
                    .with("code", r.get("unit_code")),
                r.row,
            ));
            continue;
        }
        // The same project twice in the file: by its national code, by its name in its unit,
        // or two rows naming one project already there.
        let keys = [
            fields.national_code.clone().map(|c| format!("code {c}")),
            Some(format!("name {} {}", fields.unit_id, fields.name)),
            existing.as_ref().map(|x| format!("id {}", x.id)),
        ];
        if let Some(first) = keys
            .into_iter()
            .flatten()
            .filter_map(|k| seen.insert(k, r.row))
            .next()
        {
            e.push(at(
                FieldError::new("name", "err.xlsx_same_project").with("row", first),
                r.row,
            ));
            continue;
        }
        let on = stage_on.unwrap_or(today);
        let mut fields_changed = true;
        if let Some(x) = &existing {
            if !crate::service::projects::may_write(auth, x) {
                e.push(at(FieldError::new("name", "err.project_not_yours"), r.row));
                continue;
            }
            // The sheet has no segment column: a project keeps the segment it fills.
            fields.segment_id = x.segment_id;
            if let Err(errs) = super::projects::check_kept(x, &fields) {
                e.0.extend(errs.0.into_iter().map(|x| at(column_of(x), r.row)));
                continue;
            }
            let others = super::projects::other_units(st, x.id).await?;
            let now = super::projects::input_of(x, &others)
                .validate(&st.cfg.major_rule)
                .ok();
            fields_changed = now.as_ref() != Some(&fields);
            let moves = stage.is_some_and(|s| s.id() != x.stage);
            if !fields_changed && !moves {
                unchanged += 1;
                continue;
            }
        }
        let is_major = fields.is_major(&st.cfg.major_rule);
        out.push(ImportRow {
            row: r.row,
            region_id,
            existing: existing.as_ref().map(|x| (x.id, x.version)),
            fields_changed,
            lead_on: lead_on.unwrap_or(on).min(on),
            stage: stage.map(|s| (s, on, reason)),
            fields,
            is_major,
        });
    }
    e.0.truncate(100);
    e.into_result()?;
    Ok((out, unchanged))
}

/// A problem with a field the sheet fills from another column (a unit id from its code, a
/// person's id from their name), named by that column.
fn column_of(mut e: FieldError) -> FieldError {
    let column = match e.field.as_str() {
        "unit_id" => "unit_code",
        "other_unit_ids" => "other_unit_codes",
        "location_unit_id" => "location_code",
        "first_unit_id" => "first_unit_code",
        "investor_id" => "investor",
        "owner_leader_id" => "owner_leader",
        "agent_id" => "agent",
        _ => return e,
    };
    e.field = column.to_string();
    e
}

/// The projects of a filter, in the template's columns and the export's own.
pub async fn export(st: &AppState, ctx: &Ctx, f: &ProjectFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    let rows = db::all(&st.db, &vis, f).await?;
    let others = db::other_units_of(&st.db, &rows.iter().map(|p| p.id).collect::<Vec<_>>()).await?;
    let mut ids: Vec<i64> = others.iter().map(|(_, u)| *u).collect();
    for p in &rows {
        ids.extend(
            [Some(p.unit_id), p.location_unit_id, p.first_unit_id]
                .into_iter()
                .flatten(),
        );
    }
    let codes = unit_codes(st, ids).await?;
    let code = |id: Option<i64>| id.and_then(|i| codes.get(&i).cloned()).unwrap_or_default();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|p| {
            let other_codes: Vec<String> = others
                .iter()
                .filter(|(id, _)| *id == p.id)
                .map(|(_, u)| code(Some(*u)))
                .collect();
            vec![
                p.name.clone(),
                o(&p.investor_name),
                t.label("stage", &p.stage),
                p.stage_on.to_string(),
                p.total_investment.to_string(),
                p.outside_investment.to_string(),
                n(p.contract_amount),
                n(p.first_phase_investment),
                p.land_mu_x100.map(format_mu).unwrap_or_default(),
                o(&p.key_industry),
                o(&p.industry_section),
                o(&p.industry_division),
                code(Some(p.unit_id)),
                other_codes.join("、"),
                code(p.location_unit_id),
                code(p.first_unit_id),
                o(&p.introducer),
                if p.introducer_civil_servant {
                    t.t("common.yes").to_string()
                } else {
                    String::new()
                },
                o(&p.owner_leader_name),
                o(&p.owner_override),
                o(&p.agent_name),
                o(&p.team),
                o(&p.project_credit_code),
                o(&p.national_code),
                String::new(),
                String::new(),
                p.unit_name.clone(),
                o(&p.location_name),
                o(&p.first_unit_name),
                date(p.signed_on),
                if p.is_major {
                    t.t("common.yes").to_string()
                } else {
                    String::new()
                },
                p.duplicate_of
                    .map(|d| t.tf1("project_sheet.repeat_of", "id", d))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    SPEC.table(&t, lines).await
}
