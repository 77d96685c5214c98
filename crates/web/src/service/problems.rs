//! The problem list of projects (问题清单). Whoever keeps a project (its unit's clerks, the
//! county's supervisor) raises a problem and assigns it to a unit of the county with a deadline;
//! that unit's clerks take it up, solve it (saying how) or return it as not theirs (saying why),
//! and write the explanation owed when it is overdue while the project is stalled; the county's
//! supervisor verifies a solution (核销) or sends it back, and assigns a returned problem again.
//! A problem is read by the project's readers and by the responsible unit.

use crate::service::progress::ProgressTotals;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::problem::{
    self as core, Mover, ProblemCategory, ProblemFields, ProblemInput, ProblemStatus,
};
use zhaoyin_core::task::{Light, Reason};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::problems::{self as db, LightOn, Problem, ProblemFilter};
use zhaoyin_db::projects::ProjectRow;

use crate::ctx::{Auth, Ctx};
use crate::form::{FileInput, Upload, new_files};
use crate::{AppError, AppResult, AppState};
use zhaoyin_db::progress::ProjectFile;

/// A problem list's query, as the API and the pages take it (empty values are "any").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct ProblemQuery {
    /// Text in the description or the project's name.
    pub name: Option<String>,
    pub project_id: Option<String>,
    /// The responsible unit.
    pub unit_id: Option<String>,
    /// planning, land, environment, energy, safety, funding or other.
    pub category: Option<String>,
    /// open, in_progress, solved, closed or returned; "pending" for all unsolved (returned ones
    /// too), "todo" for those with the responsible unit (open, in_progress).
    pub status: Option<String>,
    /// "1": open problems past their deadline only.
    pub overdue: Option<String>,
    /// "1": problems of major projects only.
    pub major: Option<String>,
    /// red, yellow or green, as of today (green: solved, closed, or the deadline far off).
    pub light: Option<String>,
    /// Problems of projects of this region or one beneath it.
    pub region_id: Option<String>,
    /// YYYY-MM-DD, a past day: the problems as they stood at its end, lights and overdue read
    /// on that day.
    pub as_of: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ProblemQuery {
    /// Filters a link sets (from the dashboard) that the filter form keeps without showing a
    /// field for them.
    pub fn kept_filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("region_id", &self.region_id),
            ("light", &self.light),
            ("as_of", &self.as_of),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (name, v)))
        .collect()
    }

    pub fn filter(&self, cfg: &crate::WebConfig) -> AppResult<ProblemFilter> {
        use crate::form::{nonempty, opt_i64};
        let mut e = Invalid::default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let as_of = crate::form::opt_as_of(&mut e, cfg, &text(&self.as_of));
        let day = as_of.map_or_else(|| cfg.today(), |a| a.day);
        let category = nonempty(&self.category).and_then(|s| {
            let c = ProblemCategory::parse(&s);
            if c.is_none() {
                e.push(FieldError::new("category", "err.choice"));
            }
            c
        });
        let statuses = match nonempty(&self.status).as_deref() {
            None => Vec::new(),
            Some("pending") => ProblemStatus::OPEN.to_vec(),
            Some("todo") => ProblemStatus::WITH_UNIT.to_vec(),
            Some(s) => match ProblemStatus::parse(s) {
                Some(s) => vec![s],
                None => {
                    e.push(FieldError::new("status", "err.choice"));
                    Vec::new()
                }
            },
        };
        let name = nonempty(&self.name);
        if name
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control))
        {
            e.push(FieldError::new("name", "err.control_char"));
        }
        let yes = |e: &mut Invalid, field: &str, v: &Option<String>| match nonempty(v).as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(_) => {
                e.push(FieldError::new(field, "err.choice"));
                false
            }
        };
        let overdue = yes(&mut e, "overdue", &self.overdue);
        let major = yes(&mut e, "major", &self.major);
        let project_id = opt_i64(&mut e, "project_id", &text(&self.project_id));
        let unit_id = opt_i64(&mut e, "unit_id", &text(&self.unit_id));
        let region_id = opt_i64(&mut e, "region_id", &text(&self.region_id));
        let light = nonempty(&self.light).and_then(|s| {
            let l = Light::parse(&s);
            if l.is_none() {
                e.push(FieldError::new("light", "err.choice"));
            }
            l
        });
        e.into_result()?;
        Ok(ProblemFilter {
            region_id,
            light: light.map(|l| (l, light_on(cfg, day))),
            q: name,
            project_id,
            unit_id,
            category,
            statuses,
            overdue_on: overdue.then_some(day),
            major,
            as_of,
            ..Default::default()
        })
    }
}

/// The day a problem's light is read on, with the last day a deadline makes it yellow.
pub fn light_on(cfg: &crate::WebConfig, day: NaiveDate) -> LightOn {
    LightOn {
        day,
        warn_until: day + chrono::Duration::days(cfg.light_rules().warn_days),
    }
}

/// A problem with what follows from it today: its light and whether an explanation is owed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemView {
    #[serde(flatten)]
    pub problem: Problem,
    /// green, yellow or red.
    pub light: String,
    /// Days past the deadline (0 when not overdue).
    pub overdue_days: i64,
    /// Overdue while the project is stalled: the responsible unit owes a written explanation.
    pub explanation_due: bool,
    /// Whether the reader may open the project (a responsible unit may not).
    #[serde(skip)]
    pub project_readable: bool,
}

pub fn view(st: &AppState, auth: &Auth, p: Problem) -> ProblemView {
    let today = st.cfg.today();
    let status = p.status();
    let (light, reasons) = core::light(status, p.deadline, today, st.cfg.light_rules());
    let overdue_days = reasons
        .iter()
        .map(|r| match r {
            Reason::Overdue { days } => *days,
            _ => 0,
        })
        .sum();
    ProblemView {
        project_readable: auth.can(Entity::Project, Action::Read, &p.project_place()),
        explanation_due: core::explanation_due(
            status,
            p.deadline,
            today,
            p.blocking,
            p.project_paused(),
        ),
        light: light.id().to_string(),
        overdue_days,
        problem: p,
    }
}

impl ProblemView {
    /// An explanation is taken while one is owed, or to correct one already written while the
    /// problem is still open.
    pub fn takes_explanation(&self) -> bool {
        self.explanation_due
            || (self.problem.explanation.is_some() && self.problem.status().is_open())
    }
}

fn vis(auth: &Auth) -> zhaoyin_core::authz::Visibility {
    auth.principal.visibility(Entity::Project, Action::Read)
}

pub async fn list(
    st: &AppState,
    auth: &Auth,
    f: &ProblemFilter,
    page: Page,
) -> AppResult<(Vec<ProblemView>, i64)> {
    let (rows, total) = db::list(&st.db, &vis(auth), f, page).await?;
    Ok((rows.into_iter().map(|p| view(st, auth, p)).collect(), total))
}

/// Every problem of a filter (a project's list, the export).
pub async fn all(st: &AppState, auth: &Auth, f: &ProblemFilter) -> AppResult<Vec<ProblemView>> {
    let rows = db::all(&st.db, &vis(auth), f).await?;
    Ok(rows.into_iter().map(|p| view(st, auth, p)).collect())
}

/// A problem is read by the project's readers and by the responsible unit.
pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<ProblemView> {
    let p = db::get(&st.db, id).await?;
    if !auth.can(Entity::Project, Action::Read, &p.project_place())
        && !auth.can(Entity::Project, Action::Read, &p.place())
    {
        return Err(AppError::NotFound);
    }
    Ok(view(st, auth, p))
}

/// What the caller may do with a problem.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rights {
    /// Edit it (category, text, unit, deadline): who keeps the project.
    pub edit: bool,
    /// Take it up, solve or return it, explain: the responsible unit's own people (a grant over
    /// the whole region does not act for the unit, so that no one verifies their own solution).
    pub handle: bool,
    /// Verify a solution or send it back: a supervisor over the project's region.
    pub verify: bool,
}

pub fn rights(auth: &Auth, p: &Problem) -> Rights {
    Rights {
        edit: auth.can(Entity::Project, Action::Write, &p.project_place()),
        handle: auth.principal.acts_for_unit(Entity::Project, p.unit_id),
        verify: auth.principal.holds_over(
            Role::Supervisor,
            Entity::Project,
            &Place {
                region_path: p.region_path.clone(),
                unit_id: None,
            },
        ),
    }
}

impl Rights {
    /// Whether these rights make the move `from` → `to`.
    pub fn allow(self, from: ProblemStatus, to: ProblemStatus) -> bool {
        match from.mover(to) {
            Some((Mover::Unit, _)) => self.handle,
            Some((Mover::Supervisor, _)) => self.verify,
            None => false,
        }
    }

    /// The moves these rights make from `from`.
    pub fn moves(self, from: ProblemStatus) -> Vec<ProblemStatus> {
        ProblemStatus::ALL
            .iter()
            .copied()
            .filter(|to| self.allow(from, *to))
            .collect()
    }
}

/// Checks the input against the project: the responsible unit must be an active unit of the
/// project's county.
async fn checked(
    st: &AppState,
    project: &ProjectRow,
    input: &ProblemInput,
    is_new: bool,
) -> AppResult<ProblemFields> {
    let fields = input.validate(st.cfg.today(), is_new)?;
    let county = crate::service::projects::county_of(st, project).await?;
    crate::service::projects::named_unit(st, fields.unit_id, &county, "unit_id").await?;
    Ok(fields)
}

/// Raises a problem on a project the caller keeps.
pub async fn create(
    st: &AppState,
    ctx: &Ctx,
    project_id: i64,
    input: &ProblemInput,
) -> AppResult<ProblemView> {
    let auth = ctx.auth()?;
    let project = crate::service::projects::get(st, auth, project_id).await?;
    crate::service::projects::require_write(auth, &project)?;
    let fields = checked(st, &project, input, true).await?;
    Ok(view(
        st,
        auth,
        db::create(&st.db, &ctx.actor(), project_id, &fields).await?,
    ))
}

/// An edit as sent: the fields and the version it was made from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProblemWrite {
    #[serde(flatten)]
    pub problem: ProblemInput,
    /// The version the edit was made from.
    pub version: Option<i64>,
}

/// An edit by who keeps the project while the problem is unsolved; given to another unit (or a
/// returned one assigned again) it is open again.
pub async fn update(st: &AppState, ctx: &Ctx, id: i64, w: &ProblemWrite) -> AppResult<ProblemView> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?.problem;
    if !rights(auth, &current).edit {
        return Err(AppError::Forbidden);
    }
    if !current.status().is_editable() {
        return Err(AppError::invalid("status", "err.problem_closed"));
    }
    let version = w
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let project = zhaoyin_db::projects::get(&st.db, current.project_id).await?;
    let fields = checked(st, &project, &w.problem, false).await?;
    Ok(view(
        st,
        auth,
        db::update(&st.db, &ctx.actor(), id, version, &fields).await?,
    ))
}

/// A status move as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProblemMove {
    /// in_progress, solved, closed or returned.
    pub status: String,
    /// The resolution (to solved), or the reason (to returned, or a solution sent back).
    pub text: String,
    /// Evidence of a solution (to solved only).
    pub files: Vec<FileInput>,
    pub version: Option<i64>,
}

pub async fn set_status(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    m: &ProblemMove,
    files: Vec<Upload>,
) -> AppResult<ProblemView> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?.problem;
    let to = ProblemStatus::parse(m.status.trim())
        .ok_or_else(|| AppError::invalid("status", "err.choice"))?;
    let version = m
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let from = current.status();
    let r = rights(auth, &current);
    if !r.handle && !r.verify {
        return Err(AppError::Forbidden);
    }
    let (_, text) = core::check_move(from, to, &m.text)?;
    if !r.allow(from, to) {
        return Err(AppError::Forbidden);
    }
    if !files.is_empty() && to != ProblemStatus::Solved {
        return Err(AppError::invalid("files", "err.evidence_on_solve"));
    }
    let files = new_files(files);
    Ok(view(
        st,
        auth,
        db::set_status(&st.db, &ctx.actor(), id, version, (from, to), text, &files).await?,
    ))
}

/// The evidence of a problem's solution, if the caller reads the problem.
pub async fn files(st: &AppState, auth: &Auth, id: i64) -> AppResult<Vec<ProjectFile>> {
    get(st, auth, id).await?;
    Ok(zhaoyin_db::progress::problem_files(&st.db, id).await?)
}

/// One file of the evidence, if the caller reads the problem.
pub async fn file(
    st: &AppState,
    auth: &Auth,
    id: i64,
    file_id: i64,
) -> AppResult<(ProjectFile, Vec<u8>)> {
    get(st, auth, id).await?;
    let meta = zhaoyin_db::progress::file(&st.db, file_id).await?;
    if meta.problem_id != Some(id) {
        return Err(AppError::NotFound);
    }
    Ok((
        meta,
        zhaoyin_db::progress::file_data(&st.db, file_id).await?,
    ))
}

/// The written explanation as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProblemExplanation {
    pub text: String,
    pub version: Option<i64>,
}

/// The responsible unit's written explanation, taken while one is owed (or to correct one
/// already written while the problem is still open).
pub async fn explain(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    x: &ProblemExplanation,
) -> AppResult<ProblemView> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    if !rights(auth, &current.problem).handle {
        return Err(AppError::Forbidden);
    }
    if !current.takes_explanation() {
        return Err(AppError::invalid("text", "err.explanation_not_due"));
    }
    let mut e = Invalid::default();
    let text = zhaoyin_core::validation::required(&mut e, "text", &x.text, 2000);
    let version = x.version;
    if version.is_none() {
        e.push(FieldError::new("version", "err.required"));
    }
    e.into_result()?;
    Ok(view(
        st,
        auth,
        db::explain(&st.db, &ctx.actor(), id, version.unwrap_or_default(), &text).await?,
    ))
}

/// The input that would save `p` unchanged (to fill an edit form).
pub fn input_of(p: &Problem) -> ProblemInput {
    ProblemInput {
        category: p.category.clone(),
        description: p.description.clone(),
        unit_id: Some(p.unit_id),
        deadline: Some(p.deadline),
        blocking: p.blocking,
    }
}

/// The export's sheet: one problem a row, with its project and who answers for it.
const SHEET: super::sheet_kit::SheetSpec = super::sheet_kit::SheetSpec {
    id: "problems",
    title_key: "problems.title",
    labels: "problem_sheet",
    columns: &[],
    export_only: &[
        ("project", 30.0),
        ("major", 8.0),
        ("owner", 10.0),
        ("category", 10.0),
        ("description", 40.0),
        ("blocking", 8.0),
        ("unit", 18.0),
        ("deadline", 12.0),
        ("light", 8.0),
        ("overdue_days", 10.0),
        ("status", 10.0),
        ("resolution", 30.0),
        ("explanation", 30.0),
    ],
};

/// The problems of a filter as a workbook (the quarterly sorting is its major, unsolved ones).
pub async fn export(st: &AppState, ctx: &Ctx, f: &ProblemFilter) -> AppResult<Vec<u8>> {
    let t = ctx.t;
    let rows = sorted(all(st, ctx.auth()?, f).await?);
    let yes = |b: bool| if b { t.t("common.yes") } else { "" }.to_string();
    let lines = rows
        .into_iter()
        .map(|x| {
            let p = x.problem;
            vec![
                p.project_name,
                yes(p.project_major),
                p.project_owner_name.unwrap_or_default(),
                t.label("problem.category", &p.category),
                p.description,
                yes(p.blocking),
                p.unit_name,
                p.deadline.to_string(),
                t.label("light", &x.light),
                if x.overdue_days > 0 {
                    x.overdue_days.to_string()
                } else {
                    String::new()
                },
                t.label("problem.status", &p.status),
                p.resolution.unwrap_or_default(),
                p.explanation.unwrap_or_default(),
            ]
        })
        .collect();
    SHEET.table(&t, lines).await
}

/// Problems grouped by project (by name), then by category in the list's order, then deadline.
pub fn sorted(mut rows: Vec<ProblemView>) -> Vec<ProblemView> {
    let rank = |c: ProblemCategory| ProblemCategory::ALL.iter().position(|x| *x == c);
    rows.sort_by(|a, b| {
        let (a, b) = (&a.problem, &b.problem);
        (
            &a.project_name,
            a.project_id,
            rank(a.category()),
            a.deadline,
        )
            .cmp(&(
                &b.project_name,
                b.project_id,
                rank(b.category()),
                b.deadline,
            ))
    });
    rows
}

// -------------------------------------------------------------------------- quarterly sorting

/// A major project in the quarterly sorting (每季度梳理): who answers for it, how far it is
/// (progress list), and its unsolved problems (problem list).
#[derive(Debug, Clone)]
pub struct SortingItem {
    pub project: ProjectRow,
    pub progress: ProgressTotals,
    /// By category in the list's order, then deadline.
    pub problems: Vec<ProblemView>,
}

/// Every major project the caller reads that is still pursued (not terminated, not a repeated
/// signing), by name, with its progress and unsolved problems: the county's three lists in one.
pub async fn quarterly(st: &AppState, auth: &Auth) -> AppResult<Vec<SortingItem>> {
    use zhaoyin_db::projects::ProjectFilter;
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    let projects: Vec<ProjectRow> = zhaoyin_db::projects::all(
        &st.db,
        &vis,
        &ProjectFilter {
            major: Some(true),
            distinct: true,
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|p| p.stage != zhaoyin_core::project::Stage::Terminated.id())
    .collect();
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let mut progress = zhaoyin_db::progress::progress_of(&st.db, &ids).await?;
    let mut problems: std::collections::HashMap<i64, Vec<ProblemView>> =
        std::collections::HashMap::new();
    let open = ProblemFilter {
        major: true,
        statuses: ProblemStatus::OPEN.to_vec(),
        ..Default::default()
    };
    for x in sorted(all(st, auth, &open).await?) {
        problems.entry(x.problem.project_id).or_default().push(x);
    }
    let mut items: Vec<SortingItem> = projects
        .into_iter()
        .map(|p| SortingItem {
            progress: ProgressTotals::new(
                p.total_investment,
                &progress.remove(&p.id).unwrap_or_default(),
            ),
            problems: problems.remove(&p.id).unwrap_or_default(),
            project: p,
        })
        .collect();
    items.sort_by(|a, b| (&a.project.name, a.project.id).cmp(&(&b.project.name, b.project.id)));
    Ok(items)
}

/// The sorting's sheet: a row per unsolved problem, each with its project's figures (a project
/// without any has one row).
const SORTING_SHEET: super::sheet_kit::SheetSpec = super::sheet_kit::SheetSpec {
    id: "sorting",
    title_key: "problems.sorting",
    labels: "sorting_sheet",
    columns: &[],
    export_only: &[
        ("project", 30.0),
        ("stage", 8.0),
        ("owner", 10.0),
        ("project_unit", 16.0),
        ("percent", 10.0),
        ("invested", 12.0),
        ("plan", 12.0),
        ("funds_verified", 12.0),
        ("funds_unverified", 12.0),
        ("category", 10.0),
        ("description", 40.0),
        ("blocking", 8.0),
        ("unit", 18.0),
        ("deadline", 12.0),
        ("light", 8.0),
        ("status", 10.0),
    ],
};

pub async fn quarterly_export(st: &AppState, ctx: &Ctx) -> AppResult<Vec<u8>> {
    let t = ctx.t;
    let items = quarterly(st, ctx.auth()?).await?;
    let mut lines = Vec::new();
    for it in items {
        let p = &it.project;
        let g = &it.progress;
        let head = vec![
            p.name.clone(),
            t.label("stage", &p.stage),
            p.owner_leader_name.clone().unwrap_or_default(),
            p.unit_name.clone(),
            g.percent.map(|x| format!("{x}%")).unwrap_or_default(),
            g.invested.to_string(),
            g.plan.to_string(),
            g.funds.verified.to_string(),
            g.funds.unverified.to_string(),
        ];
        if it.problems.is_empty() {
            let mut row = head.clone();
            row.extend(std::iter::repeat_n(String::new(), 7));
            lines.push(row);
        }
        for x in it.problems {
            let q = x.problem;
            let mut row = head.clone();
            row.extend([
                t.label("problem.category", &q.category),
                q.description,
                if q.blocking { t.t("common.yes") } else { "" }.to_string(),
                q.unit_name,
                q.deadline.to_string(),
                t.label("light", &x.light),
                t.label("problem.status", &q.status),
            ]);
            lines.push(row);
        }
    }
    SORTING_SHEET.table(&t, lines).await
}
