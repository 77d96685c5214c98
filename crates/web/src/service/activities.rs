//! Recruiting activities: an activity belongs to its organising unit (its clerks and the
//! supervisor keep it; everyone above reads it, and so do the units that took part). Trips are
//! registered before they start and decided by the configured approver over the trip's unit,
//! never by who registered them. The monthly statistics count, per unit taking part, what the
//! activity list filtered by that unit shows.

use serde::{Deserialize, Serialize};
use zhaoyin_core::activity::{
    self as core, ActivityFields, ActivityInput, ActivityKind, ActivityStatus, Month, Mover,
};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::project::Stage;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::activities::{self as db, Activity, ActivityFilter, StatusMove, UnitCounts};
use zhaoyin_db::projects::ProjectFilter;

use crate::ctx::{Auth, Ctx};
use crate::service::projects::{named_person, named_unit};
use crate::{AppError, AppResult, AppState};

/// An activity list's query, as the API and the pages take it (empty values are "any").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct ActivityQuery {
    /// Text in the title, place or purpose; pinyin of the title (full or initials) too.
    pub name: Option<String>,
    /// trip, visit, talks, promotion or signing.
    pub kind: Option<String>,
    /// registered, approved, returned, done or cancelled.
    pub status: Option<String>,
    /// "1": only what the statistics count (approved trips and recorded activities).
    pub counted: Option<String>,
    /// "1": trips abroad only; "0": the others.
    pub abroad: Option<String>,
    /// "1": trips registered after their first day (补报) only.
    pub late: Option<String>,
    /// Activities this unit organised or took part in.
    pub unit_id: Option<String>,
    /// YYYY-MM: activities whose first day is in this month.
    pub month: Option<String>,
    /// YYYY-Qn (or YYYY-MM, YYYY), instead of a month.
    pub period: Option<String>,
    /// YYYY-MM-DD, a past day: only the activities recorded by that day's end.
    pub as_of: Option<String>,
    pub leader_id: Option<String>,
    pub company_id: Option<String>,
    pub talent_id: Option<String>,
    pub project_id: Option<String>,
    /// Activities of this region or one beneath it.
    pub region_id: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

fn flag(e: &mut Invalid, field: &str, v: &Option<String>) -> Option<bool> {
    match crate::form::nonempty(v).as_deref() {
        None => None,
        Some("1" | "true") => Some(true),
        Some("0" | "false") => Some(false),
        Some(_) => {
            e.push(FieldError::new(field, "err.choice"));
            None
        }
    }
}

impl ActivityQuery {
    pub fn filter(&self, cfg: &crate::WebConfig) -> AppResult<ActivityFilter> {
        use crate::form::{nonempty, opt_i64, opt_period};
        let mut e = Invalid::default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let kind = nonempty(&self.kind).and_then(|s| {
            let k = ActivityKind::parse(&s);
            if k.is_none() {
                e.push(FieldError::new("kind", "err.choice"));
            }
            k
        });
        let status = nonempty(&self.status).and_then(|s| {
            let k = ActivityStatus::parse(&s);
            if k.is_none() {
                e.push(FieldError::new("status", "err.choice"));
            }
            k
        });
        let range = match (
            opt_period(&mut e, "month", &text(&self.month), "err.month_format"),
            opt_period(&mut e, "period", &text(&self.period), "err.period"),
        ) {
            (Some(_), Some(_)) => {
                e.push(FieldError::new("period", "err.period"));
                None
            }
            (m, p) => m.or(p),
        };
        let as_of = crate::form::opt_as_of(&mut e, cfg, &text(&self.as_of));
        let counted = flag(&mut e, "counted", &self.counted).unwrap_or(false);
        let abroad = flag(&mut e, "abroad", &self.abroad);
        let late = flag(&mut e, "late", &self.late);
        let unit_id = opt_i64(&mut e, "unit_id", &text(&self.unit_id));
        let leader_id = opt_i64(&mut e, "leader_id", &text(&self.leader_id));
        let company_id = opt_i64(&mut e, "company_id", &text(&self.company_id));
        let talent_id = opt_i64(&mut e, "talent_id", &text(&self.talent_id));
        let project_id = opt_i64(&mut e, "project_id", &text(&self.project_id));
        let region_id = opt_i64(&mut e, "region_id", &text(&self.region_id));
        e.into_result()?;
        Ok(ActivityFilter {
            region_id,
            q: nonempty(&self.name),
            kind,
            status,
            counted,
            abroad,
            late,
            unit_id,
            from: range.map(|r| r.0),
            until: range.map(|r| r.1),
            as_of,
            leader_id,
            company_id,
            talent_id,
            project_id,
        })
    }
}

/// Hides the names of linked projects the reader may not read (another unit's, for a clerk).
pub fn shown(auth: &Auth, mut a: Activity) -> Activity {
    for p in &mut a.projects {
        if !auth.can(Entity::Project, Action::Read, &p.place()) {
            p.name = None;
        }
    }
    a
}

pub async fn list(
    st: &AppState,
    auth: &Auth,
    f: &ActivityFilter,
    page: Page,
) -> AppResult<(Vec<Activity>, i64)> {
    let vis = auth.principal.visibility(Entity::Activity, Action::Read);
    let (rows, total) = db::list(&st.db, &vis, f, page).await?;
    Ok((rows.into_iter().map(|a| shown(auth, a)).collect(), total))
}

/// Every activity of a filter (for the export).
pub async fn all(st: &AppState, auth: &Auth, f: &ActivityFilter) -> AppResult<Vec<Activity>> {
    let vis = auth.principal.visibility(Entity::Activity, Action::Read);
    let rows = db::all(&st.db, &vis, f).await?;
    Ok(rows.into_iter().map(|a| shown(auth, a)).collect())
}

/// An activity is read where its organiser is, and by the units that took part.
pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<Activity> {
    let a = db::get(&st.db, id).await?;
    let taking_part = |unit: i64| Place {
        region_path: a.region_path.clone(),
        unit_id: Some(unit),
    };
    if !auth.can(Entity::Activity, Action::Read, &a.place())
        && !a
            .units
            .iter()
            .any(|u| auth.can(Entity::Activity, Action::Read, &taking_part(u.id)))
    {
        return Err(AppError::NotFound);
    }
    Ok(shown(auth, a))
}

/// What the caller may do with an activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rights {
    pub keep: bool,
    pub decide: bool,
}

pub fn rights(st: &AppState, auth: &Auth, a: &Activity) -> Rights {
    let place = a.place();
    Rights {
        keep: auth.can(Entity::Activity, Action::Write, &place),
        decide: st
            .cfg
            .activity_rules
            .approver()
            .is_ok_and(|role| auth.principal.holds_over(role, Entity::Activity, &place)),
    }
}

/// An activity as created or edited: its fields and the organising unit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActivityWrite {
    #[serde(flatten)]
    pub activity: ActivityInput,
    /// The organising unit (default: the caller's own unit).
    pub unit_id: Option<i64>,
    /// The version the edit was made from (required to update).
    pub version: Option<i64>,
}

/// Validates, and checks that every unit, leader, company, talent and project named belongs to
/// the organising unit's county and, for companies, talents and projects, that the caller can
/// read it. Links `current` already has are kept as they are (a clerk may save an activity a
/// supervisor linked to a project the clerk cannot read).
pub(crate) async fn checked(
    st: &AppState,
    auth: &Auth,
    input: &ActivityInput,
    county: &str,
    current: Option<&Activity>,
) -> AppResult<ActivityFields> {
    let fields = input.validate(&st.cfg.activity_rules, st.cfg.today())?;
    let had =
        |pick: fn(&Activity) -> Vec<i64>, id: i64| current.is_some_and(|a| pick(a).contains(&id));
    let mut e = Invalid::default();
    let mut refuse = |field: &str| e.push(FieldError::new(field, "err.choice"));
    for id in &fields.unit_ids {
        if let Err(x) = named_unit(st, *id, county, "unit_ids").await {
            invalid_or(x, &mut refuse, "unit_ids")?;
        }
    }
    for id in &fields.leader_ids {
        if let Err(x) = named_person(st, *id, county, "leader_ids").await {
            invalid_or(x, &mut refuse, "leader_ids")?;
        }
    }
    for id in &fields.company_ids {
        if had(|a| a.companies.iter().map(|l| l.id).collect(), *id) {
            continue;
        }
        match crate::service::companies::chosen(st, auth, *id, "company_ids").await {
            Ok(c) if c.region_path == county => {}
            Ok(_) => refuse("company_ids"),
            Err(x) => invalid_or(x, &mut refuse, "company_ids")?,
        }
    }
    for id in &fields.talent_ids {
        if had(|a| a.talents.iter().map(|l| l.id).collect(), *id) {
            continue;
        }
        match crate::service::talents::get(st, auth, *id).await {
            Ok(t) if t.region_path == county => {}
            Ok(_) => refuse("talent_ids"),
            Err(x) => invalid_or(x, &mut refuse, "talent_ids")?,
        }
    }
    for id in &fields.project_ids {
        if had(|a| a.projects.iter().map(|l| l.id).collect(), *id) {
            continue;
        }
        match crate::service::projects::get(st, auth, *id).await {
            Ok(p) if crate::service::projects::county_of(st, &p).await? == county => {}
            Ok(_) => refuse("project_ids"),
            Err(x) => invalid_or(x, &mut refuse, "project_ids")?,
        }
    }
    e.into_result()?;
    Ok(fields)
}

/// A refused reference is a problem of its field; other errors stop.
fn invalid_or(e: AppError, refuse: &mut impl FnMut(&str), field: &str) -> AppResult<()> {
    match e {
        AppError::Invalid(_) | AppError::NotFound | AppError::Forbidden => {
            refuse(field);
            Ok(())
        }
        other => Err(other),
    }
}

/// The organising unit's region and place, and its county's path, after checking the caller
/// may keep activities there.
pub(crate) async fn organiser(
    st: &AppState,
    auth: &Auth,
    unit_id: i64,
) -> AppResult<(i64, Place, String)> {
    let unit = crate::service::org::chosen_unit(st, auth, unit_id, "unit_id").await?;
    let place = Place {
        region_path: unit.region_path.clone(),
        unit_id: Some(unit.id),
    };
    if !auth.can(Entity::Activity, Action::Write, &place) {
        return Err(AppError::Forbidden);
    }
    let (_, county) = zhaoyin_db::companies::library_of_unit(&st.db, unit_id).await?;
    Ok((unit.region_id, place, county))
}

pub async fn create(st: &AppState, ctx: &Ctx, w: &ActivityWrite) -> AppResult<Activity> {
    let auth = ctx.auth()?;
    let unit_id = w.unit_id.unwrap_or(auth.user.unit_id);
    let (region_id, _, county) = organiser(st, auth, unit_id).await?;
    let fields = checked(st, auth, &w.activity, &county, None).await?;
    let late = core::registered_late(fields.kind, fields.starts_on, st.cfg.today());
    let status = ActivityStatus::initial(fields.kind);
    Ok(shown(
        auth,
        db::create(
            &st.db,
            &ctx.actor(),
            region_id,
            unit_id,
            &fields,
            status,
            late,
        )
        .await?,
    ))
}

/// An edit. A trip stays a trip (and another activity never becomes one); a cancelled activity
/// is not edited; a trip done keeps who went where and when (its outcome, purpose and whom it
/// met may still be completed). A returned or approved trip, once edited, is registered again
/// for approval, and marked late if it has begun by then.
pub async fn update(st: &AppState, ctx: &Ctx, id: i64, w: &ActivityWrite) -> AppResult<Activity> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    // A unit that took part reads the activity; only the organiser's keep it.
    if !auth.can(Entity::Activity, Action::Write, &current.place()) {
        return Err(AppError::Forbidden);
    }
    let version = w
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    refuse_edit(&current, &w.activity.kind)?;
    let unit_id = w.unit_id.unwrap_or(current.unit_id);
    let (_, _, county) = organiser(st, auth, unit_id).await?;
    if county != crate::service::projects::county_of_unit(st, current.unit_id).await? {
        return Err(AppError::invalid("unit_id", "err.choice"));
    }
    let fields = checked(st, auth, &w.activity, &county, Some(&current)).await?;
    let (status, late) = after_edit(st, &current, &fields, unit_id)?;
    Ok(shown(
        auth,
        db::update(
            &st.db,
            &ctx.actor(),
            id,
            version,
            unit_id,
            &fields,
            status,
            late,
        )
        .await?,
    ))
}

/// What no edit does, checked before the fields are (so the reason is the one given): change a
/// cancelled activity, or turn a trip into another kind or the reverse.
pub(crate) fn refuse_edit(current: &Activity, kind: &str) -> AppResult<()> {
    if current.status() == ActivityStatus::Cancelled {
        return Err(AppError::invalid("status", "err.activity_cancelled"));
    }
    let trip = |k: ActivityKind| k == ActivityKind::Trip;
    if ActivityKind::parse(kind.trim()).is_some_and(|k| trip(k) != trip(current.kind())) {
        return Err(AppError::invalid("kind", "err.activity_kind_fixed"));
    }
    Ok(())
}

/// The status and the late mark an edit leaves, after checking that a done trip keeps who went
/// where and when.
pub(crate) fn after_edit(
    st: &AppState,
    current: &Activity,
    fields: &ActivityFields,
    unit_id: i64,
) -> AppResult<(ActivityStatus, bool)> {
    let from = current.status();
    if current.kind() == ActivityKind::Trip && from == ActivityStatus::Done {
        let was = input_of(current);
        let same = |a: &[i64], b: &[i64]| {
            let (mut a, mut b) = (a.to_vec(), b.to_vec());
            a.sort_unstable();
            b.sort_unstable();
            a == b
        };
        let changed = [
            ("abroad", fields.abroad != was.abroad),
            ("place", fields.place != was.place),
            ("starts_on", Some(fields.starts_on) != was.starts_on),
            ("ends_on", Some(fields.ends_on) != was.ends_on),
            ("unit_id", unit_id != current.unit_id),
            ("unit_ids", !same(&fields.unit_ids, &was.unit_ids)),
            ("leader_ids", !same(&fields.leader_ids, &was.leader_ids)),
        ];
        if let Some((field, _)) = changed.iter().find(|(_, c)| *c) {
            return Err(AppError::invalid(field, "err.activity_done_fixed"));
        }
    }
    let status = match from {
        ActivityStatus::Returned | ActivityStatus::Approved => ActivityStatus::Registered,
        other => other,
    };
    let late = current.registered_late
        || (status == ActivityStatus::Registered
            && core::registered_late(fields.kind, fields.starts_on, st.cfg.today()));
    Ok((status, late))
}

/// The one talent the caller may read with exactly this name.
pub(crate) async fn resolve_talent(
    st: &AppState,
    auth: &Auth,
    name: &str,
) -> AppResult<Result<i64, &'static str>> {
    let f = zhaoyin_db::talents::TalentFilter {
        q: Some(name.to_string()),
        ..Default::default()
    };
    let (rows, _) = crate::service::talents::list(st, auth, &f, Page::new(None, Some(50))).await?;
    Ok(one(rows.iter().filter(|t| t.name == name).map(|t| t.id)))
}

/// The one project the caller may read with exactly this name, or `#id`.
pub(crate) async fn resolve_project(
    st: &AppState,
    auth: &Auth,
    line: &str,
) -> AppResult<Result<i64, &'static str>> {
    if let Some(id) = line.strip_prefix('#').and_then(|n| n.trim().parse().ok()) {
        return Ok(Ok(id));
    }
    let f = ProjectFilter {
        q: Some(line.to_string()),
        ..Default::default()
    };
    let (rows, _) = crate::service::projects::list(st, auth, &f, Page::new(None, Some(50))).await?;
    Ok(one(rows.iter().filter(|p| p.name == line).map(|p| p.id)))
}

fn one(mut ids: impl Iterator<Item = i64>) -> Result<i64, &'static str> {
    match (ids.next(), ids.next()) {
        (Some(id), None) => Ok(id),
        (None, _) => Err("err.line_unknown"),
        (Some(_), Some(_)) => Err("err.line_ambiguous"),
    }
}

/// A status move: approve or return a registered trip (the approver), record a trip's outcome
/// once it started, or cancel with a reason (those who keep the activity).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActivityStatusInput {
    /// approved, returned, done or cancelled.
    pub status: String,
    /// Required to return or cancel.
    pub reason: String,
    /// Required to complete a trip: what came of it.
    pub outcome: String,
    pub version: Option<i64>,
}

pub async fn set_status(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &ActivityStatusInput,
) -> AppResult<Activity> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let to = ActivityStatus::parse(input.status.trim())
        .ok_or_else(|| AppError::invalid("status", "err.choice"))?;
    let mover = core::check_move(&core::Move {
        kind: current.kind(),
        from: current.status(),
        to,
        starts_on: current.starts_on,
        today: st.cfg.today(),
        reason: &input.reason,
        outcome: &input.outcome,
    })?;
    let r = rights(st, auth, &current);
    let allowed = match mover {
        Mover::Approver => r.decide,
        Mover::Keeper => r.keep,
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if mover == Mover::Approver && current.created_by == Some(auth.user.id) {
        return Err(AppError::invalid("status", "err.activity_own_trip"));
    }
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let m = StatusMove {
        from: current.status(),
        to,
        reason: text(&input.reason),
        outcome: (to == ActivityStatus::Done).then(|| input.outcome.trim().to_string()),
        decided: mover == Mover::Approver,
    };
    Ok(shown(
        auth,
        db::set_status(&st.db, &ctx.actor(), id, version, &m).await?,
    ))
}

/// The input that would save `a` unchanged.
pub fn input_of(a: &Activity) -> ActivityInput {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    ActivityInput {
        kind: a.kind.clone(),
        abroad: a.abroad,
        title: a.title.clone(),
        place: a.place.clone(),
        starts_on: Some(a.starts_on),
        ends_on: Some(a.ends_on),
        purpose: text(&a.purpose),
        outcome: text(&a.outcome),
        unit_ids: a
            .units
            .iter()
            .map(|u| u.id)
            .filter(|u| *u != a.unit_id)
            .collect(),
        leader_ids: a.leaders.iter().map(|l| l.id).collect(),
        company_ids: a.companies.iter().map(|l| l.id).collect(),
        talent_ids: a.talents.iter().map(|l| l.id).collect(),
        project_ids: a.projects.iter().map(|l| l.id).collect(),
    }
}

// ------------------------------------------------------------------------------ statistics

/// One unit's line of the monthly statistics (月晾晒).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatsRow {
    pub unit_id: i64,
    pub unit_name: String,
    /// Counted activities the unit took part in, by kind.
    #[serde(flatten)]
    pub activities: UnitCounts,
    /// Projects credited to the unit that were signed this month (repeated signings left out).
    pub signed: i64,
    /// Projects credited to the unit that landed (were registered, 注册落地) this month.
    pub landed: i64,
}

/// The figures of a statistics line, in the order of [`StatsRow::figures`].
pub const STATS_COLUMNS: [&str; 8] = [
    "trips",
    "trips_abroad",
    "visits",
    "talks",
    "promotions",
    "signings",
    "signed",
    "landed",
];

impl StatsRow {
    pub fn figures(&self) -> [i64; 8] {
        let a = &self.activities;
        [
            a.trips,
            a.trips_abroad,
            a.visits,
            a.talks,
            a.promotions,
            a.signings,
            self.signed,
            self.landed,
        ]
    }

    /// Everything the unit did (trips abroad are among its trips).
    pub fn total(&self) -> i64 {
        let a = &self.activities;
        a.trips + a.visits + a.talks + a.promotions + a.signings + self.signed + self.landed
    }
}

/// The monthly statistics per unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthlyStats {
    /// YYYY-MM.
    pub month: String,
    /// Every unit the caller oversees (a clerk: their own), busiest first.
    pub rows: Vec<StatsRow>,
}

/// The stage whose first entry makes a project "landed" in the statistics.
pub const LANDED: Stage = Stage::Registered;

/// The project filter behind a statistics figure: entered `stage` in `month`.
pub fn entered_filter(stage: Stage, month: Month) -> ProjectFilter {
    ProjectFilter {
        entered: Some((stage, month.first, month.next())),
        distinct: true,
        ..Default::default()
    }
}

/// The activity filter behind a statistics figure.
pub fn counted_filter(month: Month) -> ActivityFilter {
    ActivityFilter {
        counted: true,
        from: Some(month.first),
        until: Some(month.next()),
        ..Default::default()
    }
}

/// A month as given (`YYYY-MM`), or this month when none is.
pub fn month_or_this(st: &AppState, month: Option<&str>) -> AppResult<Month> {
    match month.map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(Month::of(st.cfg.today())),
        Some(m) => Month::parse(m).ok_or_else(|| AppError::invalid("month", "err.month_format")),
    }
}

pub async fn monthly_stats(st: &AppState, auth: &Auth, month: Month) -> AppResult<MonthlyStats> {
    if !auth.principal.can_somewhere(Entity::Activity, Action::Read) {
        return Err(AppError::Forbidden);
    }
    let vis = auth.principal.visibility(Entity::Activity, Action::Read);
    let counts = db::counts_by_unit(&st.db, &vis, &counted_filter(month)).await?;
    let pvis = auth.principal.visibility(Entity::Project, Action::Read);
    let signed = zhaoyin_db::projects::counts_by_credit_unit(
        &st.db,
        &pvis,
        &entered_filter(Stage::Signed, month),
    )
    .await?;
    let landed =
        zhaoyin_db::projects::counts_by_credit_unit(&st.db, &pvis, &entered_filter(LANDED, month))
            .await?;
    // The units overseen: the caller's county for a region scope, else their own units; and any
    // other unit a figure is credited to.
    let mut units: Vec<(i64, String)> = if vis.subtrees.is_empty() {
        let mut own = Vec::new();
        for id in &vis.units {
            own.push((*id, zhaoyin_db::org::get_unit(&st.db, *id).await?.name));
        }
        own
    } else {
        crate::service::projects::unit_choices(st, auth)
            .await?
            .into_iter()
            .filter(|u| u.active && vis.subtrees.iter().any(|p| u.region_path.starts_with(p)))
            .map(|u| (u.id, u.name))
            .collect()
    };
    let credited = counts
        .iter()
        .map(|c| c.unit_id)
        .chain(signed.iter().chain(&landed).map(|(u, _)| *u));
    for id in credited {
        if !units.iter().any(|(u, _)| *u == id) {
            units.push((id, zhaoyin_db::org::get_unit(&st.db, id).await?.name));
        }
    }
    let of = |list: &[(i64, i64)], id: i64| {
        list.iter()
            .find(|(u, _)| *u == id)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let mut rows: Vec<StatsRow> = units
        .into_iter()
        .map(|(unit_id, unit_name)| StatsRow {
            activities: counts
                .iter()
                .find(|c| c.unit_id == unit_id)
                .cloned()
                .unwrap_or(UnitCounts {
                    unit_id,
                    ..Default::default()
                }),
            signed: of(&signed, unit_id),
            landed: of(&landed, unit_id),
            unit_id,
            unit_name,
        })
        .collect();
    // Busiest first; the units' own order otherwise (a stable sort keeps it).
    rows.sort_by_key(|r| std::cmp::Reverse(r.total()));
    Ok(MonthlyStats {
        month: month.to_string(),
        rows,
    })
}
