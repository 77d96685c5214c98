//! Assessment (考核, M4, M18): a county's supervisor keeps schemes (each edit a new version),
//! computes a scheme over a period — every unit's figures read from the platform as of the
//! period's last day, with the rows or the list behind each — scores them by the scheme's rules
//! (`zhaoyin_core::assessment`), gives hand scores with reasons, and publishes (晾晒): from then
//! the run is frozen with the version it used, so its ranking can be recomputed at any time and
//! gives the same figures. A unit appeals (申诉) against its figure in a published run; the
//! supervisor upholds (the figure amended, the scores recomputed) or rejects, and both are in
//! the audit log. Overdue tasks may be exempted (force majeure) before a run deducts for them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use zhaoyin_core::assessment::{
    self as core, Cause, Deductible, HandScore, Measure, Method, PeriodKind, Score, Subject,
    Version,
};
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::org::Place;
use zhaoyin_core::report::{self as calc, Line, Period};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::assessments::{
    self as db, Appeal, AppealFields, Computed, Counted, Run, Scheme, SchemeFields, Span,
};

use crate::ctx::{Auth, Ctx};
use crate::service::Reads;
use crate::service::reports::{Scope, unit_lines};
use crate::{AppError, AppResult, AppState};

/// The most units one scheme ranks.
const MAX_MEMBERS: usize = 1_000;
/// The longest name of a scheme, a group or an indicator, in characters.
const MAX_NAME: usize = 100;
/// The longest reason, decision or hand score's reason, in characters.
const MAX_TEXT: usize = 1_000;

/// A scheme as given: its rules and the units of each group.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SchemeInput {
    /// The county whose units it ranks (when creating).
    pub region_id: Option<i64>,
    /// The version it was edited from (when revising).
    pub version: Option<i64>,
    /// Name, period kind, groups with their indicators and multipliers, deductions.
    #[schema(value_type = Object)]
    pub scheme: core::Scheme,
    /// Each group's unit ids, by group key.
    #[schema(value_type = Object)]
    pub members: BTreeMap<String, Vec<i64>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchemeView {
    #[serde(flatten)]
    pub scheme: Scheme,
    /// The latest version's rules and groups' units.
    #[schema(value_type = Object)]
    pub body: Version,
    pub runs: Vec<Run>,
    /// Whether the caller (the county's supervisor) edits it and computes runs.
    pub may_edit: bool,
}

/// What a run read: the figures of each group's units, and what is behind each figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// The day the figures were read as of: the period's last day, or the day of computing
    /// while the period ran.
    pub as_of: NaiveDate,
    pub groups: BTreeMap<String, Vec<Subject>>,
    /// By unit, by indicator key: the list or the rows a figure counts.
    pub behind: BTreeMap<i64, BTreeMap<String, Behind>>,
    /// By unit, by indicator key: the upheld appeal that changed the figure (what is behind it
    /// is then what was counted before).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub amended: BTreeMap<i64, BTreeMap<String, i64>>,
}

impl Inputs {
    /// `unit`'s figure of indicator `key` as the run holds it: a value counted or the points of
    /// a hand score; none if there is none.
    fn figure(&self, unit: i64, key: &str) -> Option<Decimal> {
        let s = self.groups.values().flatten().find(|s| s.id == unit)?;
        s.values
            .get(key)
            .copied()
            .or_else(|| s.manual.get(key).map(|h| h.points))
    }
}

/// What a figure counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Behind {
    /// A list of the platform, read as of the run's day (the monthly publication's figures).
    List {
        href: String,
        api: String,
    },
    Tasks {
        ids: Vec<i64>,
    },
    Problems {
        ids: Vec<i64>,
    },
    /// Task reports.
    Reports {
        ids: Vec<i64>,
    },
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunView {
    #[serde(flatten)]
    pub run: Run,
    pub scheme_name: String,
    pub region_id: i64,
    /// What the scores were computed from.
    #[schema(value_type = Object)]
    pub inputs: Inputs,
    /// Each group's scores, best first.
    #[schema(value_type = Object)]
    pub results: BTreeMap<String, Vec<Score>>,
    /// The rules the run used.
    #[schema(value_type = Object)]
    pub body: Version,
    /// The names of the units scored.
    pub unit_names: BTreeMap<i64, String>,
    /// A published run's red and black lists (红黑榜), by group: unit ids, best first.
    pub lists: BTreeMap<String, Lists>,
    /// The appeals the caller reads: all of them for the supervisor, a unit's own for its clerk.
    pub appeals: Vec<Appeal>,
    pub may_edit: bool,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Lists {
    pub red: Vec<i64>,
    pub black: Vec<i64>,
}

fn county(s: &Scheme) -> Place {
    Place {
        region_path: s.region_path.clone(),
        unit_id: None,
    }
}

fn may_edit(auth: &Auth, s: &Scheme) -> bool {
    auth.principal
        .holds_over(Role::Supervisor, Entity::Assessment, &county(s))
}

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> AppResult<T> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(format!("stored assessment: {e}")))
}

fn json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(format!("assessment JSON: {e}")))
}

pub async fn list(st: &AppState, auth: &Auth) -> AppResult<Vec<Scheme>> {
    let vis = auth.principal.visibility(Entity::Assessment, Action::Read);
    Ok(db::schemes(&st.db, &vis).await?)
}

async fn readable(st: &AppState, auth: &Auth, id: i64) -> AppResult<Scheme> {
    let s = db::scheme(&st.db, id).await?;
    auth.require(Entity::Assessment, Action::Read, &county(&s))?;
    Ok(s)
}

async fn edited(st: &AppState, auth: &Auth, id: i64) -> AppResult<Scheme> {
    let s = readable(st, auth, id).await?;
    if !may_edit(auth, &s) {
        return Err(AppError::Forbidden);
    }
    Ok(s)
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<SchemeView> {
    let scheme = readable(st, auth, id).await?;
    let body = parse(&db::scheme_version(&st.db, id, scheme.version).await?)?;
    let edit = may_edit(auth, &scheme);
    let mut runs = db::runs(&st.db, id).await?;
    // Until it is published a run is the supervisor's draft.
    runs.retain(|r| edit || r.status == "published");
    Ok(SchemeView {
        may_edit: edit,
        scheme,
        body,
        runs,
    })
}

/// The scheme's problems (see [`Version::check`]) and its units': each an active unit of the
/// county.
async fn checked(st: &AppState, input: &SchemeInput, county_id: i64) -> AppResult<Version> {
    let v = Version {
        scheme: input.scheme.clone(),
        members: input.members.clone(),
    };
    let mut errors = match v.check() {
        Ok(()) => Invalid::default(),
        Err(e) => e,
    };
    let members: usize = v.members.values().map(Vec::len).sum();
    if members > MAX_MEMBERS {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("members", "err.assessment.too_many").with("n", MAX_MEMBERS),
        )));
    }
    let long = |s: &str| s.chars().count() > MAX_NAME;
    if long(&v.scheme.name) {
        errors.push(FieldError::new("scheme.name", "err.too_long").with("max", MAX_NAME));
    }
    for (g, group) in v.scheme.groups.iter().enumerate() {
        if long(&group.name) {
            errors.push(
                FieldError::new(format!("scheme.groups[{g}].name"), "err.too_long")
                    .with("max", MAX_NAME),
            );
        }
        for (i, ind) in group.indicators.iter().enumerate() {
            if long(&ind.name) {
                errors.push(
                    FieldError::new(
                        format!("scheme.groups[{g}].indicators[{i}].name"),
                        "err.too_long",
                    )
                    .with("max", MAX_NAME),
                );
            }
        }
    }
    let units: HashMap<i64, String> = db::units_of(&st.db, county_id).await?.into_iter().collect();
    for (key, ids) in &v.members {
        for id in ids {
            if !units.contains_key(id) {
                errors.push(FieldError::new(format!("members.{key}"), "err.choice"));
            }
        }
    }
    errors.into_result()?;
    Ok(v)
}

/// A reason or a decision longer than [`MAX_TEXT`] is refused.
fn too_long(field: &str, text: &str) -> AppResult<()> {
    if text.chars().count() > MAX_TEXT {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new(field, "err.too_long").with("max", MAX_TEXT),
        )));
    }
    Ok(())
}

fn period_kind(k: PeriodKind) -> &'static str {
    match k {
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
        PeriodKind::Year => "year",
    }
}

pub async fn create(st: &AppState, ctx: &Ctx, input: &SchemeInput) -> AppResult<SchemeView> {
    let auth = ctx.auth()?;
    let region_id = input
        .region_id
        .ok_or_else(|| AppError::invalid("region_id", "err.required"))?;
    let region = zhaoyin_db::org::get_region(&st.db, region_id)
        .await
        .map_err(|_| AppError::invalid("region_id", "err.choice"))?;
    let place = Place {
        region_path: region.path.clone(),
        unit_id: None,
    };
    if !auth
        .principal
        .holds_over(Role::Supervisor, Entity::Assessment, &place)
    {
        return Err(AppError::Forbidden);
    }
    // A scheme ranks a county's units.
    if region.level != "county" {
        return Err(AppError::invalid("region_id", "err.assessment.county"));
    }
    let v = checked(st, input, region.id).await?;
    let body = json(&v)?;
    let s = db::create_scheme(
        &st.db,
        &ctx.actor(),
        region_id,
        &SchemeFields {
            name: v.scheme.name.trim(),
            period_kind: period_kind(v.scheme.period),
            body: &body,
        },
    )
    .await?;
    get(st, auth, s.id).await
}

/// The county whose schemes the caller keeps: their own unit's, if they supervise it.
pub async fn supervised_county(st: &AppState, auth: &Auth) -> AppResult<Option<i64>> {
    Ok(super::supervised_library(st, auth, Entity::Assessment)
        .await?
        .map(|(id, _)| id))
}

/// A scheme made from the example ([`core::example`]) with the county's departments, parks and
/// towns in their groups: where a county starts.
pub async fn create_example(st: &AppState, ctx: &Ctx, name: &str) -> AppResult<SchemeView> {
    let auth = ctx.auth()?;
    let county = supervised_county(st, auth)
        .await?
        .ok_or(AppError::Forbidden)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "err.required"));
    }
    let units = db::units_of(&st.db, county).await?;
    let of = |kind: &str| -> Vec<i64> {
        units
            .iter()
            .filter(|(_, k)| k == kind)
            .map(|(id, _)| *id)
            .collect()
    };
    let v = core::example(name, of("department"), of("park"), of("town"));
    create(
        st,
        ctx,
        &SchemeInput {
            region_id: Some(county),
            version: None,
            scheme: v.scheme,
            members: v.members,
        },
    )
    .await
}

/// A new version of the scheme; runs keep theirs.
pub async fn revise(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &SchemeInput,
) -> AppResult<SchemeView> {
    let auth = ctx.auth()?;
    let mut s = edited(st, auth, id).await?;
    s.version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let v = checked(st, input, s.region_id).await?;
    let body = json(&v)?;
    db::revise_scheme(
        &st.db,
        &ctx.actor(),
        &s,
        &SchemeFields {
            name: v.scheme.name.trim(),
            period_kind: period_kind(v.scheme.period),
            body: &body,
        },
    )
    .await?;
    get(st, auth, id).await
}

// ---------------------------------------------------------------------------------------- runs

/// The ranking's workbook, as a download.
pub const RANKING_FILE: &str = "attachment; filename=\"zhaoyin-ranking.xlsx\"; \
     filename*=UTF-8''%E8%80%83%E6%A0%B8%E6%8E%92%E5%90%8D.xlsx";

/// The last period of `kind` that ended before `today`: what a run is usually computed for.
pub fn last_complete(kind: PeriodKind, today: NaiveDate) -> String {
    match kind {
        PeriodKind::Month => Period::month_of(today).previous().to_string(),
        PeriodKind::Quarter => match (today.month() - 1) / 3 {
            0 => format!("{}-Q4", today.year() - 1),
            q => format!("{}-Q{q}", today.year()),
        },
        PeriodKind::Year => (today.year() - 1).to_string(),
    }
}

/// The period `text` names, of the scheme's kind.
fn period_of(text: &str, kind: PeriodKind) -> AppResult<Period> {
    match (Period::parse(text), kind) {
        (Some(p @ Period::Month { .. }), PeriodKind::Month)
        | (Some(p @ Period::Quarter { .. }), PeriodKind::Quarter)
        | (Some(p @ Period::Year(_)), PeriodKind::Year) => Ok(p),
        _ => Err(AppError::Invalid(Invalid::one(
            FieldError::new("period", "err.assessment.period").with("kind", period_kind(kind)),
        ))),
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ComputeInput {
    /// `2026-Q3`, `2026-09` or `2026`, of the scheme's kind.
    pub period: String,
}

/// Computes the scheme's latest version over a period: a new run, or the period's draft again
/// (its hand scores kept). A published period is refused.
pub async fn compute(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &ComputeInput,
) -> AppResult<RunView> {
    let auth = ctx.auth()?;
    let s = edited(st, auth, id).await?;
    let body: Version = parse(&db::scheme_version(&st.db, id, s.version).await?)?;
    let period = period_of(&input.period, body.scheme.period)?;
    let key = period.to_string();
    let existing = db::runs(&st.db, id)
        .await?
        .into_iter()
        .find(|r| r.period == key);
    if existing.as_ref().is_some_and(|r| r.status == "published") {
        return Err(AppError::invalid("period", "err.assessment.published"));
    }
    let kept: Option<Inputs> = existing.as_ref().map(|r| parse(&r.inputs)).transpose()?;
    let region = zhaoyin_db::org::get_region(&st.db, s.region_id).await?;
    let scope = Scope::new(st, region, period)?;
    let inputs = gather(st, auth, &scope, &body, kept.as_ref()).await?;
    let results = core::run(&body, &inputs.groups)?;
    let run = db::save_run(
        &st.db,
        &ctx.actor(),
        &s,
        &key,
        existing.map(|r| r.version),
        ("compute", serde_json::Value::Null),
        &Computed {
            scheme_version: s.version,
            inputs: &json(&inputs)?,
            results: &json(&results)?,
        },
    )
    .await?;
    view(st, auth, s, run).await
}

/// Whether `at` (in the county's time zone) was by the end of day `due` (no day: in time).
fn in_time(st: &AppState, c: &Counted) -> bool {
    match (c.at, c.due) {
        (Some(at), Some(due)) => at.with_timezone(&st.cfg.tz).date_naive() <= due,
        _ => true,
    }
}

/// Every unit's figures over the scope's period for the version's indicators, its overdue tasks
/// if the scheme deducts for them, and the hand scores of `kept` still given by the scheme.
async fn gather(
    st: &AppState,
    auth: &Auth,
    scope: &Scope,
    v: &Version,
    kept: Option<&Inputs>,
) -> AppResult<Inputs> {
    let measures: BTreeSet<Measure> = v
        .scheme
        .groups
        .iter()
        .flat_map(|g| g.indicators.iter().filter_map(|i| i.measure))
        .collect();
    let wants = |m: Measure| measures.contains(&m);
    let deducts = |cause: Cause| v.scheme.deductions.iter().any(|d| d.cause == cause);
    let deducts_overdue = deducts(Cause::OverdueTask);
    let region = scope.region_id();
    let span = Span {
        from: st.cfg.as_of(scope.first - Duration::days(1)).end,
        until: st.cfg.as_of(scope.day).end,
    };
    let reported = measures.iter().any(|m| m.report_column().is_some());
    let reads = Reads::new();
    let (lines, closed, solved, reports, overdue, exempted, upheld) = tokio::try_join!(
        async {
            if reported {
                unit_lines(st, &auth.principal, scope, &reads).await
            } else {
                Ok(Vec::new())
            }
        },
        reads.read_if(
            wants(Measure::TasksClosedOnTime),
            db::tasks_closed(&st.db, region, span)
        ),
        reads.read_if(
            wants(Measure::ProblemsSolvedInTime),
            db::problems_solved(&st.db, region, span)
        ),
        reads.read_if(
            wants(Measure::ReportsOnTime),
            db::reports_due(&st.db, region, scope.first, scope.next)
        ),
        reads.read_if(
            deducts_overdue,
            zhaoyin_db::tasks::overdue_leads(&st.db, region, st.cfg.as_of(scope.day))
        ),
        reads.read_if(deducts_overdue, db::exempted(&st.db, "overdue_task")),
        reads.read_if(
            deducts(Cause::UpheldComplaint),
            zhaoyin_db::complaints::upheld(&st.db, region, span.from, span.until)
        ),
    )?;
    let lines: HashMap<i64, Line> = lines.into_iter().collect();
    // The rows in time, by measure, by unit.
    let mut rows: BTreeMap<(Measure, i64), Vec<i64>> = BTreeMap::new();
    for (measure, counted) in [
        (Measure::TasksClosedOnTime, &closed),
        (Measure::ProblemsSolvedInTime, &solved),
        (Measure::ReportsOnTime, &reports),
    ] {
        for c in counted.iter().filter(|c| in_time(st, c)) {
            rows.entry((measure, c.unit_id)).or_default().push(c.id);
        }
    }
    let mut overdue_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (unit, task) in overdue {
        overdue_of.entry(unit).or_default().push(task);
    }
    let mut upheld_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (unit, complaint) in upheld {
        upheld_of.entry(unit).or_default().push(complaint);
    }

    let mut groups = BTreeMap::new();
    let mut behind = BTreeMap::new();
    for g in &v.scheme.groups {
        let mut subjects = Vec::new();
        for &unit in v.members.get(&g.key).into_iter().flatten() {
            let mut subject = Subject {
                id: unit,
                ..Subject::default()
            };
            let before = kept
                .and_then(|k| k.groups.get(&g.key))
                .and_then(|s| s.iter().find(|s| s.id == unit));
            let unit_behind: &mut BTreeMap<String, Behind> = behind.entry(unit).or_default();
            for ind in &g.indicators {
                let Some(m) = ind.measure else {
                    // Kept while the indicator still takes it (its weight may have fallen).
                    if let Some(h) = before
                        .and_then(|b| b.manual.get(&ind.key))
                        .filter(|h| h.points <= ind.weight)
                    {
                        subject.manual.insert(ind.key.clone(), h.clone());
                    }
                    continue;
                };
                let (value, source) = match m.report_column() {
                    Some(column) => {
                        let at = calc::column(column).ok_or_else(|| {
                            AppError::Internal(format!("no report column {column}"))
                        })?;
                        let n = lines.get(&unit).map_or(0, |l| l[at]);
                        let f = scope.link(column, region, Some(unit));
                        let (href, api) = (f.href, f.api);
                        (Decimal::from(n), Behind::List { href, api })
                    }
                    None => {
                        let ids = rows.get(&(m, unit)).cloned().unwrap_or_default();
                        let n = Decimal::from(ids.len());
                        (
                            n,
                            match m {
                                Measure::ProblemsSolvedInTime => Behind::Problems { ids },
                                Measure::ReportsOnTime => Behind::Reports { ids },
                                _ => Behind::Tasks { ids },
                            },
                        )
                    }
                };
                subject.values.insert(ind.key.clone(), value);
                unit_behind.insert(ind.key.clone(), source);
            }
            // A verdict is the supervisor's judgement already: nothing to exempt.
            for &complaint in upheld_of.get(&unit).into_iter().flatten() {
                subject.deductible.push(Deductible {
                    cause: Cause::UpheldComplaint,
                    id: complaint,
                    exempt: false,
                });
            }
            for &task in overdue_of.get(&unit).into_iter().flatten() {
                subject.deductible.push(Deductible {
                    cause: Cause::OverdueTask,
                    id: task,
                    exempt: exempted.contains(&task),
                });
            }
            subjects.push(subject);
        }
        groups.insert(g.key.clone(), subjects);
    }
    Ok(Inputs {
        as_of: scope.day,
        groups,
        behind,
        amended: BTreeMap::new(),
    })
}

async fn view(st: &AppState, auth: &Auth, s: Scheme, run: Run) -> AppResult<RunView> {
    let edit = may_edit(auth, &s);
    if run.status != "published" && !edit {
        return Err(AppError::NotFound);
    }
    let inputs: Inputs = parse(&run.inputs)?;
    let results: BTreeMap<String, Vec<Score>> = parse(&run.results)?;
    let body: Version = parse(&db::scheme_version(&st.db, s.id, run.scheme_version).await?)?;
    let ids: Vec<i64> = inputs.behind.keys().copied().collect();
    let unit_names = zhaoyin_db::org::unit_names(&st.db, &ids)
        .await?
        .into_iter()
        .collect();
    let mut appeals = db::appeals(&st.db, run.id).await?;
    // A unit reads its own appeals; the supervisor reads them all.
    if !edit {
        appeals.retain(|a| auth.principal.acts_for_unit(Entity::Assessment, a.unit_id));
    }
    let lists = if run.status == "published" {
        results
            .iter()
            .map(|(k, scores): (&String, &Vec<Score>)| {
                let (red, black) = core::red_black(scores, body.scheme.listed);
                (k.clone(), Lists { red, black })
            })
            .collect()
    } else {
        BTreeMap::new()
    };
    Ok(RunView {
        appeals,
        lists,
        scheme_name: s.name,
        region_id: s.region_id,
        may_edit: edit,
        inputs,
        results,
        body,
        unit_names,
        run,
    })
}

async fn run_and_scheme(st: &AppState, auth: &Auth, id: i64) -> AppResult<(Scheme, Run)> {
    let run = db::run(&st.db, id).await?;
    let s = readable(st, auth, run.scheme_id).await?;
    Ok((s, run))
}

pub async fn get_run(st: &AppState, auth: &Auth, id: i64) -> AppResult<RunView> {
    let (s, run) = run_and_scheme(st, auth, id).await?;
    view(st, auth, s, run).await
}

/// The run recomputed from the version and the figures it keeps, and whether that gives exactly
/// the scores it holds: how anyone checks a published ranking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recomputed {
    pub identical: bool,
    #[schema(value_type = Object)]
    pub results: BTreeMap<String, Vec<Score>>,
}

pub async fn recompute(st: &AppState, auth: &Auth, id: i64) -> AppResult<Recomputed> {
    let v = get_run(st, auth, id).await?;
    let results = core::run(&v.body, &v.inputs.groups)?;
    Ok(Recomputed {
        identical: results == v.results,
        results,
    })
}

/// A change to a run, named by the version it was read at.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RunEdit {
    pub version: i64,
}

pub async fn publish(st: &AppState, ctx: &Ctx, id: i64, input: &RunEdit) -> AppResult<RunView> {
    let auth = ctx.auth()?;
    let (s, mut run) = run_and_scheme(st, auth, id).await?;
    if !may_edit(auth, &s) {
        return Err(AppError::Forbidden);
    }
    if run.status == "published" {
        return Err(AppError::invalid("status", "err.assessment.published"));
    }
    // Only figures read as of the period's last day are published: never a period still
    // running, nor a draft computed during it (its links would read the lists now).
    let inputs: Inputs = parse(&run.inputs)?;
    let last = Period::parse(&run.period).and_then(|p| p.last_day());
    if last.is_none_or(|last| inputs.as_of < last) {
        return Err(AppError::invalid("status", "err.assessment.running"));
    }
    run.version = input.version;
    let run = db::publish(&st.db, &ctx.actor(), &s, &run).await?;
    view(st, auth, s, run).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct HandScoreInput {
    pub version: i64,
    pub unit_id: i64,
    pub indicator: String,
    #[schema(value_type = String)]
    pub points: Decimal,
    pub reason: String,
}

/// Sets `unit`'s figure of indicator `key` in a run's inputs: the points of a hand score (with
/// `reason`) for an indicator scored by hand, else the value counted. Whether the indicator is
/// scored by hand; none if the run has no such unit or its group no such indicator.
fn amend(
    inputs: &mut Inputs,
    body: &Version,
    unit: i64,
    key: &str,
    figure: Decimal,
    reason: &str,
) -> Option<bool> {
    let (group, subjects) = inputs
        .groups
        .iter_mut()
        .find(|(_, subjects)| subjects.iter().any(|s| s.id == unit))?;
    let indicator = body
        .scheme
        .group(group)?
        .indicators
        .iter()
        .find(|i| i.key == key)?;
    let subject = subjects.iter_mut().find(|s| s.id == unit)?;
    let manual = indicator.method == Method::Manual;
    if manual {
        subject.manual.insert(
            key.to_string(),
            HandScore {
                points: figure,
                reason: reason.trim().to_string(),
            },
        );
    } else {
        subject.values.insert(key.to_string(), figure);
    }
    Some(manual)
}

/// The supervisor's hand score of a manual indicator, on a draft run.
pub async fn hand_score(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &HandScoreInput,
) -> AppResult<RunView> {
    let auth = ctx.auth()?;
    let v = get_run(st, auth, id).await?;
    if !v.may_edit {
        return Err(AppError::Forbidden);
    }
    if v.run.status == "published" {
        return Err(AppError::invalid("status", "err.assessment.published"));
    }
    too_long("reason", &input.reason)?;
    let mut inputs = v.inputs;
    let Some(subject) = inputs
        .groups
        .values()
        .flatten()
        .find(|s| s.id == input.unit_id)
    else {
        return Err(AppError::invalid("unit_id", "err.choice"));
    };
    // The hand score it replaces, for the audit log.
    let before = subject.manual.get(&input.indicator).cloned();
    let manual = amend(
        &mut inputs,
        &v.body,
        input.unit_id,
        &input.indicator,
        input.points,
        &input.reason,
    );
    if manual != Some(true) {
        return Err(AppError::invalid("indicator", "err.assessment.not_manual"));
    }
    let results = core::run(&v.body, &inputs.groups).map_err(|e| at_field(e, "points"))?;
    let s = db::scheme(&st.db, v.run.scheme_id).await?;
    let run = db::save_run(
        &st.db,
        &ctx.actor(),
        &s,
        &v.run.period,
        Some(input.version),
        (
            "hand_score",
            serde_json::json!({
                "unit": input.unit_id, "indicator": input.indicator,
                "points": input.points, "reason": input.reason.trim(),
                "before": before,
            }),
        ),
        &Computed {
            scheme_version: v.run.scheme_version,
            inputs: &json(&inputs)?,
            results: &json(&results)?,
        },
    )
    .await?;
    view(st, auth, s, run).await
}

/// The core's problems with a subject's figure, placed on the form's `field` (a reason left
/// empty stays on `reason`).
fn at_field(e: Invalid, field: &str) -> AppError {
    AppError::Invalid(Invalid(
        e.0.into_iter()
            .map(|mut f| {
                f.field = if f.field.ends_with(".reason") {
                    "reason".to_string()
                } else {
                    field.to_string()
                };
                f
            })
            .collect(),
    ))
}

// ------------------------------------------------------------------------------------- appeals

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AppealInput {
    pub unit_id: i64,
    /// The indicator's key.
    pub indicator: String,
    pub reason: String,
    /// The figure the unit asks for: a count or an amount, or the points of a hand score.
    #[schema(value_type = String)]
    pub asked: Decimal,
}

/// A unit's clerk appeals against its figure in a published run.
pub async fn file_appeal(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &AppealInput,
) -> AppResult<Appeal> {
    let auth = ctx.auth()?;
    let (s, run) = run_and_scheme(st, auth, id).await?;
    if run.status != "published" {
        return Err(AppError::NotFound);
    }
    if !auth
        .principal
        .acts_for_unit(Entity::Assessment, input.unit_id)
    {
        return Err(AppError::Forbidden);
    }
    let mut inputs: Inputs = parse(&run.inputs)?;
    if !inputs
        .groups
        .values()
        .flatten()
        .any(|s| s.id == input.unit_id)
    {
        return Err(AppError::invalid("unit_id", "err.choice"));
    }
    // The figure as filed against, before `amend` below tries the one asked.
    let figure = inputs
        .figure(input.unit_id, &input.indicator)
        .map(|d| d.to_string())
        .unwrap_or_default();
    too_long("reason", &input.reason)?;
    let mut errors = Invalid::default();
    if input.reason.trim().is_empty() {
        errors.push(FieldError::new("reason", "err.required"));
    }
    if input.asked < Decimal::ZERO {
        errors.push(FieldError::new("asked", "err.assessment.negative"));
    }
    errors.into_result()?;
    // What upholding it would give must be a figure the scheme takes (a hand score within its
    // weight), so that the supervisor can uphold it.
    let body: Version = parse(&db::scheme_version(&st.db, s.id, run.scheme_version).await?)?;
    let amended = amend(
        &mut inputs,
        &body,
        input.unit_id,
        &input.indicator,
        input.asked,
        &input.reason,
    );
    if amended.is_none() {
        return Err(AppError::invalid("indicator", "err.choice"));
    }
    core::run(&body, &inputs.groups).map_err(|e| at_field(e, "asked"))?;
    // One appeal at a time against one figure.
    let pending = db::appeals(&st.db, run.id).await?.into_iter().any(|a| {
        a.status == "pending" && a.unit_id == input.unit_id && a.indicator == input.indicator
    });
    if pending {
        return Err(AppError::invalid(
            "indicator",
            "err.assessment.pending_appeal",
        ));
    }
    Ok(db::file_appeal(
        &st.db,
        &ctx.actor(),
        &s,
        &run,
        &AppealFields {
            unit_id: input.unit_id,
            indicator: &input.indicator,
            reason: input.reason.trim(),
            figure: &figure,
            asked: &input.asked.to_string(),
        },
    )
    .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AppealDecision {
    /// The appeal's version as read.
    pub version: i64,
    /// The run's version as read.
    pub run_version: i64,
    pub upheld: bool,
    pub decision: String,
}

/// The supervisor decides an appeal: upheld, the unit's figure becomes the one asked for and the
/// run's scores are recomputed by the version it used; or rejected.
pub async fn decide_appeal(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &AppealDecision,
) -> AppResult<Appeal> {
    let auth = ctx.auth()?;
    let a = db::appeal(&st.db, id).await?;
    let (s, mut run) = run_and_scheme(st, auth, a.run_id).await?;
    if !may_edit(auth, &s) {
        return Err(AppError::Forbidden);
    }
    let decision = input.decision.trim();
    if decision.is_empty() {
        return Err(AppError::invalid("decision", "err.required"));
    }
    too_long("decision", decision)?;
    let amended = if input.upheld {
        let mut inputs: Inputs = parse(&run.inputs)?;
        let body: Version = parse(&db::scheme_version(&st.db, s.id, run.scheme_version).await?)?;
        let asked: Decimal = a
            .asked
            .parse()
            .map_err(|_| AppError::Internal(format!("appeal {} asked {}", a.id, a.asked)))?;
        // Upheld against the figure it was filed against, not one changed since (by another
        // appeal): that is decided again on what the run holds now.
        let now = inputs
            .figure(a.unit_id, &a.indicator)
            .map(|d| d.to_string())
            .unwrap_or_default();
        if now != a.figure {
            return Err(AppError::Stale);
        }
        amend(&mut inputs, &body, a.unit_id, &a.indicator, asked, decision)
            .ok_or_else(|| AppError::Internal(format!("appeal {}: not in its run", a.id)))?;
        inputs
            .amended
            .entry(a.unit_id)
            .or_default()
            .insert(a.indicator.clone(), a.id);
        let results = core::run(&body, &inputs.groups).map_err(|e| at_field(e, "upheld"))?;
        Some((json(&inputs)?, json(&results)?))
    } else {
        None
    };
    run.version = input.run_version;
    let computed = amended.as_ref().map(|(inputs, results)| Computed {
        scheme_version: run.scheme_version,
        inputs,
        results,
    });
    let mut read = a;
    read.version = input.version;
    Ok(db::decide_appeal(
        &st.db,
        &ctx.actor(),
        &s,
        &run,
        &read,
        decision,
        computed.as_ref(),
    )
    .await?)
}

// ---------------------------------------------------------------------------------- exemptions

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ExemptionInput {
    /// The overdue task exempted.
    pub task_id: i64,
    /// Why (force majeure), as approved.
    pub reason: String,
}

/// [`exempt`] from a draft run's page, and the draft computed again with it.
pub async fn exempt_in_run(
    st: &AppState,
    ctx: &Ctx,
    run_id: i64,
    input: &ExemptionInput,
) -> AppResult<()> {
    let auth = ctx.auth()?;
    let (s, run) = run_and_scheme(st, auth, run_id).await?;
    if !may_edit(auth, &s) {
        return Err(AppError::Forbidden);
    }
    if run.status == "published" {
        return Err(AppError::invalid("status", "err.assessment.published"));
    }
    exempt(st, ctx, input).await?;
    compute(st, ctx, s.id, &ComputeInput { period: run.period })
        .await
        .map(|_| ())
}

/// The county's supervisor exempts an overdue task from deductions (force majeure): runs
/// computed from then on show it without deducting for it.
pub async fn exempt(st: &AppState, ctx: &Ctx, input: &ExemptionInput) -> AppResult<()> {
    let auth = ctx.auth()?;
    // The county's supervisor: whoever keeps its schemes, not a town's.
    let county = supervised_county(st, auth)
        .await?
        .ok_or(AppError::Forbidden)?;
    let county = zhaoyin_db::org::get_region(&st.db, county).await?;
    let task = match zhaoyin_db::tasks::get(&st.db, input.task_id).await {
        Ok(t) if t.region_path.starts_with(&county.path) => t,
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
            return Err(AppError::invalid("task_id", "err.choice"));
        }
        Err(e) => return Err(e.into()),
    };
    let overdue = task.status != "closed" && task.deadline.is_some_and(|d| d < st.cfg.today());
    if !overdue {
        return Err(AppError::invalid("task_id", "err.assessment.not_overdue"));
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "err.required"));
    }
    too_long("reason", reason)?;
    match db::exempt(
        &st.db,
        &ctx.actor(),
        task.region_id,
        "overdue_task",
        task.id,
        reason,
    )
    .await
    {
        Err(zhaoyin_db::Error::Duplicate { .. }) => {
            Err(AppError::invalid("task_id", "err.assessment.exempted"))
        }
        other => Ok(other?),
    }
}
