//! Importing a policy: the parser's preview with names matched to the organisation, then the
//! supervisor's confirmed (and possibly corrected) structure, written in one transaction.

use std::collections::HashSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::policy::{self, Cadence, Candidate, Comparator, ParsedPolicy, match_name};
use zhaoyin_core::task::TaskCadence;
use zhaoyin_core::{FieldError, Invalid, validation};
use zhaoyin_db::org;
use zhaoyin_db::tasks::{self, NewClause, NewIndicator, NewPolicy, NewTask, PolicyRow};

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// A name from the document and the record it matched, if one did.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = MatchedName)]
pub struct Named {
    pub name: String,
    pub id: Option<i64>,
}

/// The organisation's reading of one measure.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeasureMatch {
    pub lead_units: Vec<Named>,
    pub support_units: Vec<Named>,
    pub leaders: Vec<Named>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub region_id: i64,
    pub parsed: ParsedPolicy,
    /// One per measure, in document order.
    pub matches: Vec<MeasureMatch>,
    /// Names of units not found in the organisation (designations such as "县直各部门、单位" are not
    /// listed: they are groups, kept as written on the task).
    pub unknown_units: Vec<String>,
    pub unknown_people: Vec<String>,
    /// The structure that confirming without corrections would create.
    pub proposal: ConfirmPolicy,
}

/// The region the caller files policies in: the one given, or their only supervising region.
async fn filing_region(
    st: &AppState,
    auth: &Auth,
    region_id: Option<i64>,
) -> AppResult<org::Region> {
    let id = match region_id {
        Some(id) => id,
        None => {
            let regions: Vec<i64> = auth
                .principal
                .grants
                .iter()
                .filter(|g| zhaoyin_core::authz::role_allows(g.role, Entity::Policy, Action::Write))
                .filter_map(|g| match g.scope {
                    zhaoyin_core::authz::Scope::Region { id, .. } => Some(id),
                    zhaoyin_core::authz::Scope::Unit { .. } => None,
                })
                .collect();
            match regions.as_slice() {
                [one] => *one,
                [] => return Err(AppError::Forbidden),
                _ => return Err(AppError::invalid("region_id", "err.required")),
            }
        }
    };
    let region = org::get_region(&st.db, id)
        .await
        .map_err(|_| AppError::invalid("region_id", "err.choice"))?;
    let place = Place {
        region_path: region.path.clone(),
        unit_id: None,
    };
    if !auth.can(Entity::Policy, Action::Write, &place) {
        return Err(AppError::Forbidden);
    }
    Ok(region)
}

fn named(names: &[String], candidates: &[Candidate]) -> Vec<Named> {
    names
        .iter()
        .map(|n| Named {
            name: n.clone(),
            id: match_name(n, candidates),
        })
        .collect()
}

/// The cadence a measure's task reports at: its finest rhythm; a deadline alone means once;
/// with neither, quarterly (the county's usual dispatch rhythm).
fn task_cadence(m: &policy::Measure) -> TaskCadence {
    match m.cadences.first() {
        Some(Cadence::Weekly) => TaskCadence::Weekly,
        Some(Cadence::Monthly) => TaskCadence::Monthly,
        Some(Cadence::Quarterly) => TaskCadence::Quarterly,
        Some(Cadence::Yearly) => TaskCadence::Yearly,
        None if m.deadline.is_some() => TaskCadence::Once,
        None => TaskCadence::Quarterly,
    }
}

fn comparator_id(c: Comparator) -> &'static str {
    match c {
        Comparator::AtLeast => ">=",
        Comparator::Above => ">",
        Comparator::AtMost => "<=",
        Comparator::Below => "<",
        Comparator::Equal => "=",
        Comparator::Between => "between",
    }
}

/// Reads a document and matches its names, without writing anything.
pub async fn preview(
    st: &AppState,
    ctx: &Ctx,
    text: &str,
    region_id: Option<i64>,
) -> AppResult<Preview> {
    let auth = ctx.auth()?;
    let region = filing_region(st, auth, region_id).await?;
    if text.trim().is_empty() {
        return Err(AppError::invalid("text", "err.required"));
    }
    let parsed = policy::parse(text);
    if parsed.measures().next().is_none() {
        return Err(AppError::invalid("text", "err.policy_no_measures"));
    }
    let (units, people) = org::candidates(&st.db, &region.path).await?;
    let mut matches = Vec::new();
    let mut unknown_units: Vec<String> = Vec::new();
    let mut unknown_people: Vec<String> = Vec::new();
    for m in parsed.measures() {
        let mm = MeasureMatch {
            lead_units: named(&m.lead_units, &units),
            support_units: named(&m.support_units, &units),
            leaders: named(&m.leaders, &people),
        };
        for n in mm.lead_units.iter().chain(&mm.support_units) {
            if n.id.is_none()
                && !m.unit_groups.contains(&n.name)
                && !unknown_units.contains(&n.name)
            {
                unknown_units.push(n.name.clone());
            }
        }
        for n in &mm.leaders {
            if n.id.is_none() && !unknown_people.contains(&n.name) {
                unknown_people.push(n.name.clone());
            }
        }
        matches.push(mm);
    }
    let proposal = propose(&region, &parsed, &matches, text);
    Ok(Preview {
        region_id: region.id,
        parsed,
        matches,
        unknown_units,
        unknown_people,
        proposal,
    })
}

/// The structure confirming the preview as it stands would create: one task per measure.
fn propose(
    region: &org::Region,
    p: &ParsedPolicy,
    matches: &[MeasureMatch],
    text: &str,
) -> ConfirmPolicy {
    let mut clauses = Vec::new();
    let mut i = 0;
    for c in &p.chapters {
        for m in &c.measures {
            let Some(mm) = matches.get(i) else { break };
            i += 1;
            let ids = |v: &[Named]| v.iter().filter_map(|n| n.id).collect::<Vec<_>>();
            // Names that matched nothing stay on the task as written, like the designations.
            let mut groups = m.unit_groups.clone();
            for n in mm.lead_units.iter().chain(&mm.support_units) {
                if n.id.is_none() && !groups.contains(&n.name) {
                    groups.push(n.name.clone());
                }
            }
            clauses.push(ConfirmClause {
                chapter_number: c.number.clone(),
                chapter_title: c.title.clone(),
                number: m.number.clone(),
                title: m.title.clone(),
                text: m.text.clone(),
                tasks: vec![ConfirmTask {
                    code: None,
                    title: m.title.clone(),
                    content: m.text.clone(),
                    cadence: task_cadence(m).id().to_string(),
                    deadline: m.deadline,
                    lead_unit_ids: ids(&mm.lead_units),
                    support_unit_ids: ids(&mm.support_units),
                    leader_ids: ids(&mm.leaders),
                    unit_groups: groups,
                    indicators: m
                        .targets
                        .iter()
                        .map(|t| ConfirmIndicator {
                            name: t.subject.clone().unwrap_or_else(|| t.text.clone()),
                            comparator: comparator_id(t.comparator).to_string(),
                            target_value: t.value.to_string(),
                            target_max: t.value_max.map(|v| v.to_string()),
                            unit_label: t.unit.clone(),
                        })
                        .collect(),
                }],
            });
        }
    }
    ConfirmPolicy {
        region_id: Some(region.id),
        title: p.title.clone().unwrap_or_default(),
        status: active(),
        issuer: None,
        doc_number: None,
        issued_on: p.date,
        source_text: text.to_string(),
        clauses,
    }
}

fn active() -> String {
    "active".into()
}

/// A policy to create, as confirmed (and possibly corrected) by the supervisor.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConfirmPolicy {
    pub region_id: Option<i64>,
    pub title: String,
    /// active (default) or draft (being prepared, not yet in force).
    #[serde(default = "active")]
    pub status: String,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub doc_number: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub issued_on: Option<NaiveDate>,
    #[serde(default)]
    pub source_text: String,
    pub clauses: Vec<ConfirmClause>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConfirmClause {
    #[serde(default)]
    pub chapter_number: String,
    #[serde(default)]
    pub chapter_title: String,
    pub number: String,
    pub title: String,
    pub text: String,
    pub tasks: Vec<ConfirmTask>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConfirmTask {
    /// Unique in the region; by default the policy's id and the measure's number.
    #[serde(default)]
    pub code: Option<String>,
    pub title: String,
    pub content: String,
    /// once, weekly, monthly, quarterly or yearly.
    pub cadence: String,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
    pub lead_unit_ids: Vec<i64>,
    #[serde(default)]
    pub support_unit_ids: Vec<i64>,
    #[serde(default)]
    pub leader_ids: Vec<i64>,
    #[serde(default)]
    pub unit_groups: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<ConfirmIndicator>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConfirmIndicator {
    pub name: String,
    /// >=, >, <=, <, = or between.
    pub comparator: String,
    pub target_value: String,
    #[serde(default)]
    pub target_max: Option<String>,
    #[serde(default)]
    pub unit_label: Option<String>,
}

/// Bounds on one confirmed policy.
const MAX_CLAUSES: usize = 300;
const MAX_TASKS_PER_CLAUSE: usize = 20;
const MAX_INDICATORS: usize = 20;
/// Characters of a clause's text or a task's content.
const MAX_TEXT: usize = 20_000;

/// Creates the policy and its tasks; every problem is reported with its place in the structure
/// (`clauses[3].tasks[0].lead_unit_ids`) and nothing is written.
pub async fn confirm(st: &AppState, ctx: &Ctx, c: &ConfirmPolicy) -> AppResult<(i64, Vec<i64>)> {
    let auth = ctx.auth()?;
    let region = filing_region(st, auth, c.region_id).await?;
    let (units, people) = org::candidates(&st.db, &region.path).await?;
    let unit_ids: HashSet<i64> = units.iter().map(|u| u.id).collect();
    let person_ids: HashSet<i64> = people.iter().map(|p| p.id).collect();
    let mut e = Invalid::default();
    let title = validation::required(&mut e, "title", &c.title, 200);
    if !["active", "draft"].contains(&c.status.as_str()) {
        e.push(FieldError::new("status", "err.choice"));
    }
    if c.clauses.is_empty() {
        e.push(FieldError::new("clauses", "err.policy_no_measures"));
    }
    // A policy is a document of dozens of measures; anything far bigger is a mistake.
    if c.clauses.len() > MAX_CLAUSES {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("clauses", "err.too_many").with("max", MAX_CLAUSES),
        )));
    }
    if c.source_text.chars().count() > MAX_TEXT * 20 {
        e.push(FieldError::new("source_text", "err.too_long").with("max", MAX_TEXT * 20));
    }
    if let Some(d) = c.issued_on
        && !validation::date_in_range(d)
    {
        e.push(FieldError::new("issued_on", "err.date_range"));
    }
    let mut clauses = Vec::new();
    for (ci, clause) in c.clauses.iter().enumerate() {
        let mut new_tasks = Vec::new();
        if clause.tasks.len() > MAX_TASKS_PER_CLAUSE {
            e.push(
                FieldError::new(format!("clauses[{ci}].tasks"), "err.too_many")
                    .with("max", MAX_TASKS_PER_CLAUSE),
            );
            continue;
        }
        if clause.text.chars().count() > MAX_TEXT {
            e.push(
                FieldError::new(format!("clauses[{ci}].text"), "err.too_long")
                    .with("max", MAX_TEXT),
            );
        }
        for (ti, t) in clause.tasks.iter().enumerate() {
            let at = |f: &str| format!("clauses[{ci}].tasks[{ti}].{f}");
            let task_title = validation::required(&mut e, &at("title"), &t.title, 200);
            if t.content.chars().count() > MAX_TEXT {
                e.push(FieldError::new(at("content"), "err.too_long").with("max", MAX_TEXT));
            }
            if t.indicators.len() > MAX_INDICATORS {
                e.push(
                    FieldError::new(at("indicators"), "err.too_many").with("max", MAX_INDICATORS),
                );
            }
            if let Some(d) = t.deadline
                && !validation::date_in_range(d)
            {
                e.push(FieldError::new(at("deadline"), "err.date_range"));
            }
            let Some(cadence) = TaskCadence::parse(&t.cadence) else {
                e.push(FieldError::new(at("cadence"), "err.choice"));
                continue;
            };
            if t.lead_unit_ids.is_empty() {
                e.push(FieldError::new(at("lead_unit_ids"), "err.task_no_lead"));
            }
            for id in t.lead_unit_ids.iter().chain(&t.support_unit_ids) {
                if !unit_ids.contains(id) {
                    e.push(FieldError::new(at("lead_unit_ids"), "err.choice").with("id", id));
                }
            }
            if t.lead_unit_ids
                .iter()
                .any(|id| t.support_unit_ids.contains(id))
            {
                e.push(FieldError::new(
                    at("support_unit_ids"),
                    "err.task_lead_and_support",
                ));
            }
            for id in &t.leader_ids {
                if !person_ids.contains(id) {
                    e.push(FieldError::new(at("leader_ids"), "err.choice").with("id", id));
                }
            }
            let mut indicators = Vec::new();
            for (ii, ind) in t.indicators.iter().enumerate() {
                let f = format!("clauses[{ci}].tasks[{ti}].indicators[{ii}]");
                let name = validation::required(&mut e, &format!("{f}.name"), &ind.name, 60);
                if ![">=", ">", "<=", "<", "=", "between"].contains(&ind.comparator.as_str()) {
                    e.push(FieldError::new(format!("{f}.comparator"), "err.choice"));
                }
                let value = ind.target_value.trim().parse::<Decimal>();
                if value.is_err() {
                    e.push(FieldError::new(format!("{f}.target_value"), "err.decimal"));
                }
                let max = match ind
                    .target_max
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    Some(m) => match m.parse::<Decimal>() {
                        Ok(v) => Some(v.to_string()),
                        Err(_) => {
                            e.push(FieldError::new(format!("{f}.target_max"), "err.decimal"));
                            None
                        }
                    },
                    None => None,
                };
                indicators.push(NewIndicator {
                    name,
                    comparator: ind.comparator.clone(),
                    target_value: value.map(|v| v.to_string()).unwrap_or_default(),
                    target_max: max,
                    unit_label: ind.unit_label.clone().filter(|s| !s.trim().is_empty()),
                });
            }
            let code = match t.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(code) => validation::code(&mut e, &at("code"), code),
                None if clause.tasks.len() == 1 => format!("{{policy}}-{}", clause.number),
                None => format!("{{policy}}-{}-{}", clause.number, ti + 1),
            };
            new_tasks.push(NewTask {
                code,
                title: task_title,
                content: t.content.trim().to_string(),
                cadence,
                deadline: t.deadline,
                lead_units: t.lead_unit_ids.clone(),
                support_units: t.support_unit_ids.clone(),
                leaders: t.leader_ids.clone(),
                unit_groups: t.unit_groups.clone(),
                indicators,
            });
        }
        clauses.push(NewClause {
            chapter_number: clause.chapter_number.clone(),
            chapter_title: clause.chapter_title.clone(),
            number: clause.number.clone(),
            title: clause.title.clone(),
            text: clause.text.clone(),
            tasks: new_tasks,
        });
    }
    e.into_result()?;
    let new = NewPolicy {
        region_id: region.id,
        status: c.status.clone(),
        title,
        issuer: c.issuer.clone().filter(|s| !s.trim().is_empty()),
        doc_number: c.doc_number.clone().filter(|s| !s.trim().is_empty()),
        issued_on: c.issued_on,
        source_text: c.source_text.clone(),
        clauses,
    };
    Ok(tasks::create_policy(&st.db, &ctx.actor(), &new, st.cfg.clock()).await?)
}

pub async fn list(st: &AppState, auth: &Auth, page: Page) -> AppResult<(Vec<PolicyRow>, i64)> {
    let vis = auth.principal.visibility(Entity::Policy, Action::Read);
    Ok(tasks::list_policies(&st.db, &vis, page).await?)
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<PolicyRow> {
    let p = tasks::get_policy(&st.db, id).await?;
    auth.require(
        Entity::Policy,
        Action::Read,
        &Place {
            region_path: p.region_path.clone(),
            unit_id: None,
        },
    )?;
    Ok(p)
}
