//! "1+N" approvals (审批帮办): a project's approval items by stage, dated by the project's agent
//! (帮办代办专员) or whoever keeps the project; days used against committed days per item and
//! per department; the predicted start of construction; "拿地即开工" days; each county's lead
//! department per stage, set by its supervisor.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhaoyin_core::approval::{self as core, ItemFields, ItemInput, Timing};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::approvals::{self as db, Item};
use zhaoyin_db::projects::ProjectRow;

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// An item with its days as of today and the day it is expected to be approved.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    #[serde(flatten)]
    pub item: Item,
    /// The stage's name as configured.
    pub stage_name: String,
    pub timing: Timing,
    /// The day it is expected to be approved (none when caught in a cycle).
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_on: Option<NaiveDate>,
}

/// A stage of a project's approvals with its county's lead department.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub id: String,
    pub name: String,
    /// Construction starts only once this stage's items are approved.
    pub before_start: bool,
    pub lead_unit_id: Option<i64>,
    pub lead_unit_name: Option<String>,
    pub items: Vec<ItemView>,
}

/// A project's approvals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub stages: Vec<StageView>,
    /// working or calendar: how days are counted.
    pub day_count: String,
    /// When the last item construction waits for is expected to be approved.
    #[schema(value_type = Option<String>, format = Date)]
    pub predicted_start: Option<NaiveDate>,
    /// The day the project got its land (拿地).
    #[schema(value_type = Option<String>, format = Date)]
    pub land_on: Option<NaiveDate>,
    /// The day construction started.
    #[schema(value_type = Option<String>, format = Date)]
    pub started_on: Option<NaiveDate>,
    /// 拿地即开工: days from land to start (so far, while not started).
    pub land_to_start_days: Option<i64>,
    /// Whether the caller dates the items (the project's agent, or who keeps the project).
    #[serde(skip)]
    pub may_work: bool,
}

impl PlanView {
    pub fn items(&self) -> impl Iterator<Item = &ItemView> {
        self.stages.iter().flat_map(|s| s.items.iter())
    }
}

/// The project's agent, or who keeps the project, dates and plans its approval items.
pub fn may_work(auth: &Auth, p: &ProjectRow) -> bool {
    crate::service::projects::may_write(auth, p)
        || (p.agent_id.is_some() && auth.user.person_id == p.agent_id)
}

/// A stage's configured name (its id when no longer configured).
fn stage_name(rules: &core::ApprovalRules, id: &str) -> String {
    rules
        .stage(id)
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

fn views(st: &AppState, items: Vec<Item>) -> Vec<ItemView> {
    let rules = &st.cfg.approval_rules;
    let today = st.cfg.today();
    let plan: Vec<core::PlanItem> = items.iter().map(Item::plan_item).collect();
    let expected = rules.expected(&plan, today);
    items
        .into_iter()
        .zip(plan)
        .map(|(item, p)| ItemView {
            stage_name: stage_name(rules, &item.stage),
            timing: rules.timing(&p, today),
            expected_on: expected.get(&item.id).copied(),
            item,
        })
        .collect()
}

/// The county (region id) of a project.
async fn county(st: &AppState, p: &ProjectRow) -> AppResult<i64> {
    Ok(zhaoyin_db::companies::library_of_unit(&st.db, p.unit_id)
        .await?
        .0)
}

/// The approvals of a project the caller reads.
pub async fn plan(st: &AppState, auth: &Auth, project_id: i64) -> AppResult<PlanView> {
    let p = crate::service::projects::get(st, auth, project_id).await?;
    plan_of(st, auth, &p).await
}

pub async fn plan_of(st: &AppState, auth: &Auth, p: &ProjectRow) -> AppResult<PlanView> {
    let rules = &st.cfg.approval_rules;
    let today = st.cfg.today();
    let items = db::of_project(&st.db, p.id).await?;
    let plan: Vec<core::PlanItem> = items.iter().map(Item::plan_item).collect();
    let predicted_start = rules.predicted_start(&plan, today);
    let mut views = views(st, items);
    let leads = db::stage_leads(&st.db, county(st, p).await?).await?;
    let stages = rules
        .stages
        .iter()
        .map(|s| {
            let lead = leads.iter().find(|(stage, _, _)| *stage == s.id);
            let (mine, rest): (Vec<ItemView>, Vec<ItemView>) = std::mem::take(&mut views)
                .into_iter()
                .partition(|v| v.item.stage == s.id);
            views = rest;
            StageView {
                id: s.id.clone(),
                name: s.name.clone(),
                before_start: s.before_start,
                lead_unit_id: lead.map(|l| l.1),
                lead_unit_name: lead.map(|l| l.2.clone()),
                items: mine,
            }
        })
        .collect::<Vec<_>>();
    // Items of a stage no longer configured stay visible under their stage's id.
    let mut stages = stages;
    while let Some(first) = views.first() {
        let id = first.item.stage.clone();
        let (mine, rest): (Vec<ItemView>, Vec<ItemView>) = std::mem::take(&mut views)
            .into_iter()
            .partition(|v| v.item.stage == id);
        views = rest;
        stages.push(StageView {
            name: id.clone(),
            id,
            before_start: false,
            lead_unit_id: None,
            lead_unit_name: None,
            items: mine,
        });
    }
    let (land_on, started_on) = db::land_and_start(&st.db, p.id).await?;
    Ok(PlanView {
        stages,
        day_count: match rules.count {
            core::DayCount::Working => "working",
            core::DayCount::Calendar => "calendar",
        }
        .into(),
        predicted_start: predicted_start.filter(|_| started_on.is_none()),
        land_to_start_days: land_on.map(|l| core::land_to_start(l, started_on, today)),
        land_on,
        started_on,
        may_work: may_work(auth, p),
    })
}

/// The project, if the caller dates its items.
pub async fn worked(st: &AppState, auth: &Auth, project_id: i64) -> AppResult<ProjectRow> {
    let p = crate::service::projects::get(st, auth, project_id).await?;
    if !may_work(auth, &p) {
        return Err(AppError::Forbidden);
    }
    Ok(p)
}

/// Checks an item against its project: the department is a unit of the project's county, and
/// what it waits for are other items of the same project.
async fn checked(
    st: &AppState,
    p: &ProjectRow,
    item_id: Option<i64>,
    input: &ItemInput,
) -> AppResult<ItemFields> {
    let f = input.validate(&st.cfg.approval_rules, st.cfg.today())?;
    let county = crate::service::projects::county_of(st, p).await?;
    crate::service::projects::named_unit(st, f.unit_id, &county, "unit_id").await?;
    let items = db::of_project(&st.db, p.id).await?;
    let mut e = Invalid::default();
    for d in &f.depends_on {
        if Some(*d) == item_id || !items.iter().any(|i| i.id == *d) {
            e.push(FieldError::new("depends_on", "err.choice"));
            break;
        }
    }
    // A cycle is refused by the write itself, in its transaction.
    e.into_result()?;
    Ok(f)
}

pub async fn create(
    st: &AppState,
    ctx: &Ctx,
    project_id: i64,
    input: &ItemInput,
) -> AppResult<ItemView> {
    let p = worked(st, ctx.auth()?, project_id).await?;
    let f = checked(st, &p, None, input).await?;
    let item = db::create(&st.db, &ctx.actor(), p.id, &f).await?;
    get(st, ctx.auth()?, item.id).await
}

/// An item the caller reads (with the project).
pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<ItemView> {
    let item = db::get(&st.db, id).await?;
    auth.require(Entity::Project, Action::Read, &item.project_place())?;
    let all = db::of_project(&st.db, item.project_id).await?;
    views(st, all)
        .into_iter()
        .find(|v| v.item.id == id)
        .ok_or(AppError::NotFound)
}

/// An item as written: its fields and the version they were read at.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemWrite {
    #[serde(flatten)]
    pub item: ItemInput,
    pub version: Option<i64>,
}

/// The input that saves `i` unchanged.
pub fn input_of(i: &Item) -> ItemInput {
    ItemInput {
        stage: i.stage.clone(),
        name: i.name.clone(),
        unit_id: Some(i.unit_id),
        statutory_days: Some(i.statutory_days),
        committed_days: Some(i.committed_days),
        mechanism: i.mechanism.clone().unwrap_or_default(),
        depends_on: i.depends_on.clone(),
        submitted_on: i.submitted_on,
        approved_on: i.approved_on,
        note: i.note.clone().unwrap_or_default(),
    }
}

/// An edit made from `version`: whoever keeps the project changes any field; the project's
/// agent dates the item and notes it (the rest of what is sent is left as it is, so that an
/// item's commitment is not changed by who reports against it).
pub async fn update(st: &AppState, ctx: &Ctx, id: i64, w: &ItemWrite) -> AppResult<ItemView> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?.item;
    let p = worked(st, auth, current.project_id).await?;
    let version = w
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let input = if crate::service::projects::may_write(auth, &p) {
        w.item.clone()
    } else {
        ItemInput {
            submitted_on: w.item.submitted_on,
            approved_on: w.item.approved_on,
            note: w.item.note.clone(),
            ..input_of(&current)
        }
    };
    let f = checked(st, &p, Some(id), &input).await?;
    db::update(&st.db, &ctx.actor(), id, version, &f).await?;
    get(st, auth, id).await
}

/// The day the project got its land.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LandInput {
    #[schema(value_type = Option<String>, format = Date)]
    pub land_on: Option<NaiveDate>,
}

pub async fn set_land(
    st: &AppState,
    ctx: &Ctx,
    project_id: i64,
    input: &LandInput,
) -> AppResult<PlanView> {
    let auth = ctx.auth()?;
    let p = worked(st, auth, project_id).await?;
    let mut e = Invalid::default();
    core::past_day(&mut e, "land_on", input.land_on, st.cfg.today());
    e.into_result()?;
    db::set_land_on(&st.db, &ctx.actor(), p.id, input.land_on).await?;
    plan_of(st, auth, &p).await
}

// ------------------------------------------------------------------------------- departments

/// One department's approval work.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct DepartmentRow {
    pub unit_id: i64,
    pub unit_name: String,
    /// Items applied for (accepted).
    pub items: i64,
    pub approved: i64,
    /// Items over their committed days (approved late, or open and already late).
    pub over: i64,
    /// Days used, and committed, over the items applied for.
    pub used_days: i64,
    pub committed_days: i64,
}

/// Every department's items the caller reads, by name; and the open items over their
/// committed days, the longest over first.
pub async fn departments(
    st: &AppState,
    auth: &Auth,
) -> AppResult<(Vec<DepartmentRow>, Vec<ItemView>)> {
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    let rules = &st.cfg.approval_rules;
    let today = st.cfg.today();
    // Timed one by one: no expected approvals here (they need each project's whole plan).
    let items: Vec<ItemView> = db::all(&st.db, &vis, false)
        .await?
        .into_iter()
        .map(|item| ItemView {
            stage_name: stage_name(rules, &item.stage),
            timing: rules.timing(&item.plan_item(), today),
            expected_on: None,
            item,
        })
        .collect();
    let mut rows: Vec<DepartmentRow> = Vec::new();
    for v in &items {
        let Some(used) = v.timing.used else { continue };
        let i = match rows.iter().position(|r| r.unit_id == v.item.unit_id) {
            Some(i) => i,
            None => {
                rows.push(DepartmentRow {
                    unit_id: v.item.unit_id,
                    unit_name: v.item.unit_name.clone(),
                    ..Default::default()
                });
                rows.len() - 1
            }
        };
        let r = &mut rows[i];
        r.items += 1;
        r.approved += i64::from(v.item.approved_on.is_some());
        r.over += i64::from(v.timing.over);
        r.used_days += used;
        r.committed_days += v.item.committed_days;
    }
    rows.sort_by(|a, b| a.unit_name.cmp(&b.unit_name));
    let mut late: Vec<ItemView> = items
        .into_iter()
        .filter(|v| v.item.approved_on.is_none() && v.timing.over)
        .collect();
    late.sort_by_key(|v| std::cmp::Reverse(v.timing.used.unwrap_or(0) - v.item.committed_days));
    Ok((rows, late))
}

/// The lead department of a stage, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StageLeadInput {
    /// The stage's id.
    pub stage: String,
    /// A unit of the county; none clears the lead.
    pub unit_id: Option<i64>,
}

/// The caller's county (region id, path), where they are a supervisor over it.
pub async fn supervised_county(st: &AppState, auth: &Auth) -> AppResult<Option<(i64, String)>> {
    super::supervised_library(st, auth, Entity::Project).await
}

/// The county's supervisor names the department leading a stage.
pub async fn set_stage_lead(st: &AppState, ctx: &Ctx, input: &StageLeadInput) -> AppResult<()> {
    let auth = ctx.auth()?;
    let (region, path) = supervised_county(st, auth)
        .await?
        .ok_or(AppError::Forbidden)?;
    if st.cfg.approval_rules.stage(input.stage.trim()).is_none() {
        return Err(AppError::invalid("stage", "err.choice"));
    }
    if let Some(u) = input.unit_id {
        crate::service::projects::named_unit(st, u, &path, "unit_id").await?;
    }
    Ok(db::set_stage_lead(
        &st.db,
        &ctx.actor(),
        region,
        input.stage.trim(),
        input.unit_id,
    )
    .await?)
}

/// A county's lead departments: (stage, unit id, unit name).
pub async fn stage_leads(st: &AppState, region_id: i64) -> AppResult<Vec<(String, i64, String)>> {
    Ok(db::stage_leads(&st.db, region_id).await?)
}
