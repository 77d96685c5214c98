//! The talent library in Excel: a template, an all-or-nothing import (every problem by row and
//! column; a talent already in the library, by name and affiliation, is updated; importing the
//! same file twice changes nothing the second time), and an export in the template's columns
//! plus the facts only the platform keeps (level, project, status), so an edited export imports
//! back.

use std::collections::HashMap;

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::talent::{TalentInput, TalentKind};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::companies::ImportSummary;
use zhaoyin_db::talents::{self as db, ImportRow, TalentFilter};
use zhaoyin_office::xlsx::Row;

use super::sheet_kit::{SheetSpec, choice, items};
use crate::ctx::{Auth, Ctx};
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};

/// Rows one import may carry (a county's talents are hundreds, not millions).
pub const MAX_ROWS: usize = 5_000;

/// The template's columns, and those the export adds (the import ignores them).
const SPEC: SheetSpec = SheetSpec {
    id: "talents",
    title_key: "talents.title",
    labels: "talent_sheet",
    columns: &[
        ("name", true, 20.0),
        ("kind", false, 8.0),
        ("leader", false, 10.0),
        ("team_size", false, 8.0),
        ("field", false, 18.0),
        ("affiliation", false, 26.0),
        ("title", false, 12.0),
        ("country", false, 8.0),
        ("programs", false, 36.0),
        ("company", false, 28.0),
        ("contact_phone", false, 16.0),
        ("email", false, 22.0),
        ("unit_code", false, 14.0),
        ("notes", false, 30.0),
    ],
    export_only: &[
        ("level", 8.0),
        ("project", 28.0),
        ("unit", 18.0),
        ("status", 8.0),
    ],
};

pub fn template(t: &Tr) -> AppResult<Vec<u8>> {
    SPEC.template(t, 3)
}

pub async fn import(st: &AppState, ctx: &Ctx, bytes: &[u8]) -> AppResult<ImportSummary> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Talent, Action::Write) {
        return Err(AppError::Forbidden);
    }
    let rows = SPEC.read(&ctx.t, bytes, MAX_ROWS).await?;
    let (checked, unchanged) = check(st, auth, &rows).await?;
    db::import(&st.db, &ctx.actor(), &checked).await?;
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
    let at = |err: FieldError, row: usize| err.at_row("talents", row);
    let programs = &st.cfg.talent_programs;
    // Units by code, each checked once: the caller must be able to write talents it follows.
    let mut units: HashMap<String, Option<(i64, i64, String)>> = HashMap::new();
    let mut seen: HashMap<(i64, String, String), usize> = HashMap::new();
    let mut out = Vec::new();
    let mut unchanged = 0;
    for r in rows {
        let code = r.get("unit_code").to_string();
        if !units.contains_key(&code) {
            let unit = if code.is_empty() {
                zhaoyin_db::org::get_unit(&st.db, auth.user.unit_id)
                    .await
                    .ok()
            } else {
                zhaoyin_db::org::unit_by_code(&st.db, &code).await?
            };
            let placed = match unit {
                Some(u) if u.active => {
                    let (region_id, path) =
                        zhaoyin_db::companies::library_of_unit(&st.db, u.id).await?;
                    let place = zhaoyin_core::org::Place {
                        region_path: path.clone(),
                        unit_id: Some(u.id),
                    };
                    auth.can(Entity::Talent, Action::Write, &place)
                        .then_some((u.id, region_id, path))
                }
                _ => None,
            };
            units.insert(code.clone(), placed);
        }
        let Some((unit_id, region_id, county)) = units.get(&code).cloned().flatten() else {
            e.push(at(
                FieldError::new("unit_code", "err.unit_code_unknown").with("code", &code),
                r.row,
            ));
            continue;
        };
        let company = r.get("company").trim().to_string();
        let company_id = if company.is_empty() {
            None
        } else {
            match crate::service::projects::resolve_investor(st, auth, &company, None).await? {
                Some(id) => Some(id),
                None => {
                    e.push(at(
                        FieldError::new("company", "err.investor_unknown"),
                        r.row,
                    ));
                    continue;
                }
            }
        };
        let team_size = match r.get("team_size").trim() {
            "" => None,
            n => match n.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    e.push(at(FieldError::new("team_size", "err.number"), r.row));
                    continue;
                }
            },
        };
        let input = TalentInput {
            kind: choice(
                r.get("kind"),
                TalentKind::ALL.iter().map(|k| k.id()),
                "talent.kind",
            )
            .map(|k| k.unwrap_or_default().to_string())
            .unwrap_or_else(|()| r.get("kind").trim().to_string()),
            name: r.get("name").into(),
            leader: r.get("leader").into(),
            team_size,
            field: r.get("field").into(),
            affiliation: r.get("affiliation").into(),
            title: r.get("title").into(),
            country: r.get("country").into(),
            programs: items(r.get("programs")).map(str::to_string).collect(),
            contact_phone: r.get("contact_phone").into(),
            email: r.get("email").into(),
            company_id,
            project_id: None,
            notes: r.get("notes").into(),
        };
        let mut fields = match input.validate(programs) {
            Ok(f) => f,
            Err(errs) => {
                e.0.extend(errs.0.into_iter().map(|x| at(x, r.row)));
                continue;
            }
        };
        let key = (
            region_id,
            fields.name.clone(),
            fields.affiliation.clone().unwrap_or_default(),
        );
        if let Some(first) = seen.insert(key, r.row) {
            e.push(at(
                FieldError::new("name", "err.xlsx_same_talent").with("row", first),
                r.row,
            ));
            continue;
        }
        let existing = db::find(
            &st.db,
            region_id,
            &fields.name,
            fields.affiliation.as_deref(),
        )
        .await?;
        if let Some(x) = &existing {
            if !auth.can(Entity::Talent, Action::Write, &x.place()) {
                e.push(at(FieldError::new("name", "err.talent_not_yours"), r.row));
                continue;
            }
            // The sheet has no project column: a talent keeps the project it has.
            fields.project_id = x.project_id;
            let current = super::talents::input_of(x).validate(programs).ok();
            if current.as_ref() == Some(&fields) && x.unit_id == Some(unit_id) {
                unchanged += 1;
                continue;
            }
        }
        if let Some(c) = fields.company_id
            && let Ok(company) = zhaoyin_db::companies::get(&st.db, c).await
            && company.region_path != county
        {
            e.push(at(FieldError::new("company", "err.choice"), r.row));
            continue;
        }
        out.push(ImportRow {
            region_id,
            unit_id,
            existing: existing.map(|x| (x.id, x.version)),
            fields,
        });
    }
    e.0.truncate(100);
    e.into_result()?;
    Ok((out, unchanged))
}

/// The talents of a filter, in the template's columns and the export's own.
pub async fn export(st: &AppState, ctx: &Ctx, f: &TalentFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = ctx.t;
    let vis = auth.principal.visibility(Entity::Talent, Action::Read);
    let rows: Vec<_> = db::all(&st.db, &vis, f)
        .await?
        .into_iter()
        .map(|x| super::talents::shown(st, auth, x))
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
                x.programs.join("、"),
                o(&x.company_name),
                o(&x.contact_phone),
                o(&x.email),
                o(&x.unit_code),
                o(&x.notes),
                x.program_level
                    .as_deref()
                    .map(|l| t.label("talent.level", l))
                    .unwrap_or_default(),
                o(&x.project_name),
                o(&x.unit_name),
                t.label("talent.status", &x.status),
            ]
        })
        .collect();
    SPEC.table(&t, lines).await
}
