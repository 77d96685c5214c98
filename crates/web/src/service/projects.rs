//! Investment projects: a project belongs to its responsible unit (whose clerks keep it) in that
//! unit's region; supervisors write every project of their region. References a project makes
//! (investor, units, leader, agent) must lie in the project's own line of regions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::project::{ProjectFields, ProjectInput, Stage};
use zhaoyin_core::{FieldError, Invalid, validation};
use zhaoyin_db::org::{self as org_db, Unit};
use zhaoyin_db::projects::{
    self as db, MoveValues, ProjectFilter, ProjectRow, ProjectSort, StageCount, StageEvent,
};

use crate::ctx::{Auth, Ctx};
use crate::service::companies;
use crate::{AppError, AppResult, AppState};

/// A project list's query, as the API and the pages take it (empty values are "any").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct ProjectQuery {
    /// Text in the name or the investor's name; pinyin (full or initials) matches too.
    pub name: Option<String>,
    /// lead, negotiating, signed, registered, started, producing, at_capacity, paused or
    /// terminated; "live" for every stage but terminated.
    pub stage: Option<String>,
    /// "1": repeated signings, and projects their county withdrew, left out (as every total
    /// counts projects).
    pub distinct: Option<String>,
    /// Projects of this region or one beneath it.
    pub region_id: Option<String>,
    /// "1": major projects only; "0": the others.
    pub major: Option<String>,
    /// Projects this unit is responsible for.
    pub unit_id: Option<String>,
    pub key_industry: Option<String>,
    pub investor_id: Option<String>,
    pub owner_leader_id: Option<String>,
    /// Projects this person owns (包挂领导) or serves (帮办代办专员).
    pub person_id: Option<String>,
    /// Projects owned or served by a person of this unit.
    pub people_unit_id: Option<String>,
    /// Projects filling this industry-chain segment or one beneath it.
    pub segment_id: Option<String>,
    /// With `month`: projects that first entered this stage (e.g. signed, registered) in that
    /// month, repeated signings left out.
    pub entered: Option<String>,
    /// YYYY-MM, for `entered`.
    pub month: Option<String>,
    /// YYYY, for `entered` (instead of a month): projects that first entered the stage in that
    /// year.
    pub year: Option<String>,
    /// YYYY-Qn (or YYYY-MM, YYYY), for `entered` (instead of a month or a year).
    pub period: Option<String>,
    /// YYYY-MM-DD, a past day: the projects as they stood at its end (stage, investment, units);
    /// with `entered`, only the stage entries recorded by then.
    pub as_of: Option<String>,
    /// Projects credited to this unit: their first introducing unit, or the responsible unit
    /// when none is named.
    pub credit_unit_id: Option<String>,
    /// recent (default), investment, name or stage.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ProjectQuery {
    /// Filters a link sets and the filter form keeps without showing a field for them.
    pub fn kept_filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("region_id", &self.region_id),
            ("distinct", &self.distinct),
            ("unit_id", &self.unit_id),
            ("credit_unit_id", &self.credit_unit_id),
            ("investor_id", &self.investor_id),
            ("owner_leader_id", &self.owner_leader_id),
            ("person_id", &self.person_id),
            ("people_unit_id", &self.people_unit_id),
            ("as_of", &self.as_of),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (name, v)))
        .collect()
    }

    pub fn filter(&self, cfg: &crate::WebConfig) -> AppResult<ProjectFilter> {
        use crate::form::{nonempty, opt_i64, opt_period};
        let mut e = Invalid::default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let live = self.stage.as_deref() == Some("live");
        let stage = nonempty(&self.stage).filter(|_| !live).and_then(|s| {
            let st = Stage::parse(&s);
            if st.is_none() {
                e.push(FieldError::new("stage", "err.choice"));
            }
            st
        });
        let major = match nonempty(&self.major).as_deref() {
            None => None,
            Some("1" | "true") => Some(true),
            Some("0" | "false") => Some(false),
            Some(_) => {
                e.push(FieldError::new("major", "err.choice"));
                None
            }
        };
        let sort = match nonempty(&self.sort) {
            None => ProjectSort::default(),
            Some(s) => ProjectSort::parse(&s).unwrap_or_else(|| {
                e.push(FieldError::new("sort", "err.choice"));
                ProjectSort::default()
            }),
        };
        let unit_id = opt_i64(&mut e, "unit_id", &text(&self.unit_id));
        let investor_id = opt_i64(&mut e, "investor_id", &text(&self.investor_id));
        let owner_leader_id = opt_i64(&mut e, "owner_leader_id", &text(&self.owner_leader_id));
        let person_id = opt_i64(&mut e, "person_id", &text(&self.person_id));
        let people_unit_id = opt_i64(&mut e, "people_unit_id", &text(&self.people_unit_id));
        let segment_id = opt_i64(&mut e, "segment_id", &text(&self.segment_id));
        let credit_unit_id = opt_i64(&mut e, "credit_unit_id", &text(&self.credit_unit_id));
        let region_id = opt_i64(&mut e, "region_id", &text(&self.region_id));
        let distinct = match nonempty(&self.distinct).as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(_) => {
                e.push(FieldError::new("distinct", "err.choice"));
                false
            }
        };
        let ranges: Vec<(NaiveDate, NaiveDate)> = [
            ("month", &self.month, "err.month_format"),
            ("year", &self.year, "err.year"),
            ("period", &self.period, "err.period"),
        ]
        .into_iter()
        .filter_map(|(field, v, err)| opt_period(&mut e, field, &text(v), err))
        .collect();
        let entered = match (nonempty(&self.entered), ranges.as_slice()) {
            (None, []) => None,
            (stage, ranges) => {
                let stage = stage.as_deref().and_then(Stage::parse);
                if stage.is_none() {
                    e.push(FieldError::new("entered", "err.choice"));
                }
                if ranges.len() != 1 {
                    e.push(FieldError::new("month", "err.month_format"));
                }
                stage
                    .zip(ranges.first())
                    .map(|(s, (from, until))| (s, *from, *until))
            }
        };
        let as_of = crate::form::opt_as_of(&mut e, cfg, &text(&self.as_of));
        e.into_result()?;
        Ok(ProjectFilter {
            q: nonempty(&self.name),
            stage,
            live,
            region_id,
            major,
            unit_id,
            key_industry: nonempty(&self.key_industry),
            investor_id,
            owner_leader_id,
            person_id,
            people_unit_id,
            segment_id,
            distinct: distinct || entered.is_some(),
            entered,
            as_of,
            credit_unit_id,
            sort,
        })
    }
}

pub async fn list(
    st: &AppState,
    auth: &Auth,
    f: &ProjectFilter,
    page: Page,
) -> AppResult<(Vec<ProjectRow>, i64)> {
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    Ok(db::list(&st.db, &vis, f, page).await?)
}

pub async fn stage_counts(
    st: &AppState,
    auth: &Auth,
    f: &ProjectFilter,
) -> AppResult<Vec<StageCount>> {
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    Ok(db::stage_counts(&st.db, &vis, f).await?)
}

/// Refuses unless the caller may change `p` here: a project a county sent is kept by that
/// county, and changes only by its next package.
pub fn require_write(auth: &Auth, p: &ProjectRow) -> AppResult<()> {
    auth.require(Entity::Project, Action::Write, &p.place())?;
    if p.origin.is_some() {
        return Err(AppError::invalid("project", "err.project_from_county"));
    }
    Ok(())
}

/// Whether the caller may change `p` here (see [`require_write`]).
pub fn may_write(auth: &Auth, p: &ProjectRow) -> bool {
    p.origin.is_none() && auth.can(Entity::Project, Action::Write, &p.place())
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<ProjectRow> {
    let p = db::get(&st.db, id).await?;
    auth.require(Entity::Project, Action::Read, &p.place())?;
    Ok(p)
}

/// A project with its other units and its timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: ProjectRow,
    pub other_units: Vec<Named>,
    pub timeline: Vec<StageEvent>,
    /// The stages it may move to now.
    pub next_stages: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// The other responsible units of a project (read after `get` has checked the caller).
pub async fn other_units(st: &AppState, id: i64) -> AppResult<Vec<Named>> {
    Ok(db::other_units(&st.db, id)
        .await?
        .into_iter()
        .map(|(id, name)| Named { id, name })
        .collect())
}

pub async fn detail(st: &AppState, auth: &Auth, id: i64) -> AppResult<ProjectDetail> {
    let project = get(st, auth, id).await?;
    let (other_units, timeline) = tokio::try_join!(other_units(st, id), async {
        Ok(db::timeline(&st.db, id).await?)
    })?;
    Ok(ProjectDetail {
        other_units,
        timeline,
        next_stages: zhaoyin_core::project::next_stages(&project.facts())
            .into_iter()
            .map(|s| s.id().to_string())
            .collect(),
        project,
    })
}

/// What a project's page shows beneath the project: its problems (问题清单), its progress and
/// funds, its approvals.
#[derive(Serialize)]
pub struct Sections {
    pub problems: Vec<crate::service::problems::ProblemView>,
    pub progress: crate::service::progress::ProgressView,
    pub approvals: crate::service::approvals::PlanView,
}

/// A project's sections, read side by side.
pub async fn sections(st: &AppState, auth: &Auth, p: &ProjectRow) -> AppResult<Sections> {
    let reads = crate::service::Reads::new();
    let problems = zhaoyin_db::problems::ProblemFilter {
        project_id: Some(p.id),
        ..Default::default()
    };
    let (problems, progress, approvals) = tokio::try_join!(
        reads.read(crate::service::problems::all(st, auth, &problems)),
        reads.read(crate::service::progress::view(st, p)),
        reads.read(crate::service::approvals::plan_of(st, auth, p)),
    )?;
    Ok(Sections {
        problems,
        progress,
        approvals,
    })
}

/// A unit a project names: active, and in the project's county.
pub(crate) async fn named_unit(
    st: &AppState,
    id: i64,
    county: &str,
    field: &str,
) -> AppResult<Unit> {
    match org_db::get_unit(&st.db, id).await {
        Ok(u) if u.active && u.region_path.starts_with(county) => Ok(u),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => Err(AppError::invalid(field, "err.choice")),
        Err(e) => Err(e.into()),
    }
}

/// Where a project is built: a town or park of its county.
async fn location(st: &AppState, id: i64, county: &str) -> AppResult<Unit> {
    let u = named_unit(st, id, county, "location_unit_id").await?;
    if matches!(u.kind.as_str(), "town" | "park") {
        Ok(u)
    } else {
        Err(AppError::invalid("location_unit_id", "err.location_kind"))
    }
}

pub(crate) async fn named_person(
    st: &AppState,
    id: i64,
    county: &str,
    field: &str,
) -> AppResult<()> {
    match org_db::get_person(&st.db, id).await {
        Ok(p) if p.active && p.region_path.starts_with(county) => Ok(()),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => Err(AppError::invalid(field, "err.choice")),
        Err(e) => Err(e.into()),
    }
}

/// The path of the county a project belongs to (its chains are the ones it may fill).
pub async fn county_of(st: &AppState, p: &ProjectRow) -> AppResult<String> {
    county_of_unit(st, p.unit_id).await
}

/// The path of the county a unit belongs to (its region, or the county above a town).
pub(crate) async fn county_of_unit(st: &AppState, unit_id: i64) -> AppResult<String> {
    Ok(zhaoyin_db::companies::library_of_unit(&st.db, unit_id)
        .await?
        .1)
}

/// Validates a project and checks what it refers to; returns the fields, its region and place.
pub(crate) async fn checked(
    st: &AppState,
    auth: &Auth,
    input: &ProjectInput,
) -> AppResult<(ProjectFields, i64, Place)> {
    let fields = input.validate(&st.cfg.major_rule)?;
    let unit = org_db::get_unit(&st.db, fields.unit_id)
        .await
        .ok()
        .filter(|u| u.active && auth.can(Entity::Unit, Action::Read, &u.place()))
        .ok_or_else(|| AppError::invalid("unit_id", "err.choice"))?;
    let place = Place {
        region_path: unit.region_path.clone(),
        unit_id: Some(unit.id),
    };
    let county = county_of_unit(st, unit.id).await?;
    let path = county.as_str();
    let mut e = Invalid::default();
    let mut keep = |r: AppResult<()>| -> AppResult<()> {
        match r {
            Err(AppError::Invalid(i)) => {
                e.0.extend(i.0);
                Ok(())
            }
            other => other,
        }
    };
    if let Some(id) = fields.investor_id {
        keep(
            companies::chosen(st, auth, id, "investor_id")
                .await
                .map(|_| ()),
        )?;
    }
    if let Some(id) = fields.location_unit_id {
        keep(location(st, id, path).await.map(|_| ()))?;
    }
    if let Some(id) = fields.first_unit_id {
        keep(named_unit(st, id, path, "first_unit_id").await.map(|_| ()))?;
    }
    for id in &fields.other_unit_ids {
        keep(
            named_unit(st, *id, path, "other_unit_ids")
                .await
                .map(|_| ()),
        )?;
    }
    if let Some(id) = fields.owner_leader_id {
        keep(named_person(st, id, path, "owner_leader_id").await)?;
    }
    if let Some(id) = fields.agent_id {
        keep(named_person(st, id, path, "agent_id").await)?;
    }
    if let Some(id) = fields.segment_id {
        keep(
            crate::service::chains::check_segments(st, path, &[id], "segment_id")
                .await
                .map(|_| ()),
        )?;
    }
    e.into_result()?;
    Ok((fields, unit.region_id, place))
}

/// A new project: its fields and the day it was first heard of (default today).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProjectCreate {
    #[serde(flatten)]
    pub project: ProjectInput,
    /// YYYY-MM-DD; the day the lead came.
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<chrono::NaiveDate>,
}

pub async fn create(st: &AppState, ctx: &Ctx, input: &ProjectCreate) -> AppResult<ProjectRow> {
    let auth = ctx.auth()?;
    let (fields, region_id, place) = checked(st, auth, &input.project).await?;
    if !auth.can(Entity::Project, Action::Write, &place) {
        return Err(AppError::Forbidden);
    }
    let today = st.cfg.today();
    let on = input.on.unwrap_or(today);
    if on > today {
        return Err(AppError::invalid("on", "err.date_future"));
    }
    if !validation::date_in_range(on) {
        return Err(AppError::invalid("on", "err.date_range"));
    }
    let major = fields.is_major(&st.cfg.major_rule);
    Ok(db::create(&st.db, &ctx.actor(), region_id, &fields, major, on).await?)
}

/// An edit of a project's fields, made from `version`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = ProjectEdit)]
pub struct ProjectUpdate {
    #[serde(flatten)]
    pub project: ProjectInput,
    /// The version the edit was made from (required).
    pub version: Option<i64>,
}

pub async fn update(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &ProjectUpdate,
) -> AppResult<ProjectRow> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    require_write(auth, &current)?;
    let (fields, region_id, place) = checked(st, auth, &input.project).await?;
    // Handing the project to another unit needs write permission there too.
    if !auth.can(Entity::Project, Action::Write, &place) {
        return Err(AppError::Forbidden);
    }
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    check_kept(&current, &fields)?;
    let major = fields.is_major(&st.cfg.major_rule);
    Ok(db::update(&st.db, &ctx.actor(), id, version, region_id, &fields, major).await?)
}

/// An edit may not take away what a stage the project has passed required.
pub(crate) fn check_kept(current: &ProjectRow, fields: &ProjectFields) -> Result<(), Invalid> {
    zhaoyin_core::project::check_kept(&zhaoyin_core::project::StageFacts {
        investor: fields.investor_id.is_some(),
        contract_amount: fields.contract_amount,
        total_investment: fields.total_investment,
        project_credit_code: fields.project_credit_code.is_some(),
        location: fields.location_unit_id.is_some(),
        ..current.facts()
    })
}

/// A move to another stage, with what that stage requires.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StageInput {
    /// The stage to move to.
    pub stage: String,
    /// YYYY-MM-DD: the day it happened (default today); not before the current stage's day.
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<chrono::NaiveDate>,
    /// Required to pause or terminate.
    pub reason: String,
    /// 万元; required to sign unless already given.
    pub contract_amount: Option<i64>,
    /// Required to register unless already given.
    pub project_credit_code: String,
    /// A town or park; required to start unless already given.
    pub location_unit_id: Option<i64>,
    /// The version the move was decided on (required).
    pub version: Option<i64>,
}

pub async fn move_stage(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &StageInput,
) -> AppResult<ProjectRow> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    require_write(auth, &current)?;
    let to =
        Stage::parse(input.stage.trim()).ok_or_else(|| AppError::invalid("stage", "err.choice"))?;
    let mut e = Invalid::default();
    let project_credit_code = zhaoyin_core::company::optional_credit_code(
        &mut e,
        "project_credit_code",
        &input.project_credit_code,
    );
    if input.contract_amount.is_some_and(|a| a <= 0) {
        e.push(FieldError::new("contract_amount", "err.positive"));
    }
    if input
        .contract_amount
        .is_some_and(|a| a > zhaoyin_core::project::MAX_WAN)
    {
        e.push(
            FieldError::new("contract_amount", "err.range")
                .with("min", 1)
                .with("max", zhaoyin_core::project::MAX_WAN),
        );
    }
    let reason = validation::optional(&mut e, "reason", &input.reason, 500);
    if input.version.is_none() {
        e.push(FieldError::new("version", "err.required"));
    }
    e.into_result()?;
    if let Some(l) = input.location_unit_id {
        location(st, l, &county_of_unit(st, current.unit_id).await?).await?;
    }
    let today = st.cfg.today();
    Ok(db::move_stage(
        &st.db,
        &ctx.actor(),
        id,
        input.version.unwrap_or_default(),
        to,
        input.on.unwrap_or(today),
        reason.as_deref(),
        &MoveValues {
            contract_amount: input.contract_amount,
            project_credit_code,
            location_unit_id: input.location_unit_id,
        },
        today,
    )
    .await?)
}

/// The input that would save `p` unchanged (to fill an edit form, or to apply a partial edit).
pub fn input_of(p: &ProjectRow, other_units: &[Named]) -> ProjectInput {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    ProjectInput {
        name: p.name.clone(),
        investor_id: p.investor_id,
        industry_section: text(&p.industry_section),
        industry_division: text(&p.industry_division),
        key_industry: text(&p.key_industry),
        unit_id: Some(p.unit_id),
        other_unit_ids: other_units.iter().map(|u| u.id).collect(),
        location_unit_id: p.location_unit_id,
        first_unit_id: p.first_unit_id,
        introducer: text(&p.introducer),
        introducer_civil_servant: p.introducer_civil_servant,
        owner_leader_id: p.owner_leader_id,
        owner_override: text(&p.owner_override),
        agent_id: p.agent_id,
        team: text(&p.team),
        total_investment: Some(p.total_investment),
        outside_investment: Some(p.outside_investment),
        first_phase_investment: p.first_phase_investment,
        land_mu: p
            .land_mu_x100
            .map(zhaoyin_core::project::format_mu)
            .unwrap_or_default(),
        contract_amount: p.contract_amount,
        project_credit_code: text(&p.project_credit_code),
        national_code: text(&p.national_code),
        segment_id: p.segment_id,
    }
}

/// The visibility of everything in the caller's county (or the region of their unit above it):
/// the units and people a project may name.
async fn county_of_caller(
    st: &AppState,
    auth: &Auth,
) -> AppResult<zhaoyin_core::authz::Visibility> {
    let (_, path) = zhaoyin_db::companies::library_of_unit(&st.db, auth.user.unit_id).await?;
    Ok(zhaoyin_core::authz::Visibility {
        subtrees: vec![path],
        ..Default::default()
    })
}

/// Units a project form offers (the caller's county), at most a page of the largest size.
pub async fn unit_choices(st: &AppState, auth: &Auth) -> AppResult<Vec<Unit>> {
    let vis = county_of_caller(st, auth).await?;
    let (units, _) = org_db::list_units(
        &st.db,
        &vis,
        &org_db::UnitFilter::default(),
        Page::largest(),
    )
    .await?;
    Ok(units)
}

/// People a form offers as leaders or agents and an import looks names up in: every active
/// person of the caller's county.
pub async fn people_choices(st: &AppState, auth: &Auth) -> AppResult<Vec<org_db::Person>> {
    let vis = county_of_caller(st, auth).await?;
    Ok(org_db::all_people(&st.db, &vis).await?)
}

/// The company a form names as investor, by credit code or by name (as the library normalises
/// it), among those the caller may see; `None` for an empty text or no such company.
///
/// `current` is the investor the form was filled with: kept when the text still names it, so
/// that saving a form unchanged never swaps a company for another of the same name.
pub async fn resolve_investor(
    st: &AppState,
    auth: &Auth,
    text: &str,
    current: Option<i64>,
) -> AppResult<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(id) = current
        && let Ok(c) = companies::chosen(st, auth, id, "investor").await
        && (c.name_key() == zhaoyin_core::company::name_key(text)
            || c.credit_code.as_deref() == Some(text))
    {
        return Ok(Some(id));
    }
    let vis = auth.principal.visibility(Entity::Company, Action::Read);
    let code = zhaoyin_core::credit_code::check(text).ok();
    let key = zhaoyin_core::company::name_key(text);
    Ok(zhaoyin_db::companies::resolve(&st.db, &vis, code.as_deref(), &key).await?)
}
