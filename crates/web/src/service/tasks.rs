//! Tasks: who may see and do what (by role over the task's region, or as a clerk of one of its
//! units), the lifecycle, periodic reports, and the light with its reasons.

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;
use zhaoyin_core::task::{
    self, LightFacts, Standing, TaskCadence, TaskStatus, Transition, available, can_read, light,
    standing,
};
use zhaoyin_core::{FieldError, Invalid, validation};
use zhaoyin_db::tasks::{
    self as db, Clause, Indicator, NewReport, Report, TaskEvent, TaskFilter, TaskLeader, TaskRow,
    TaskUnit,
};

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// A row of a task list with the names it shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskItem {
    #[serde(flatten)]
    pub task: TaskRow,
    pub lead_units: Vec<String>,
    pub support_units: Vec<String>,
    pub leaders: Vec<String>,
}

pub async fn list(
    st: &AppState,
    auth: &Auth,
    f: &TaskFilter,
    page: Page,
) -> AppResult<(Vec<TaskItem>, i64)> {
    let vis = auth.principal.visibility(Entity::Task, Action::Read);
    let (rows, total) = db::list(&st.db, &vis, f, page).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let units = db::units_of(&st.db, &ids).await?;
    let leaders = db::leaders_of(&st.db, &ids).await?;
    let items = rows
        .into_iter()
        .map(|task| {
            let names = |role: &str| {
                units
                    .iter()
                    .filter(|u| u.task_id == task.id && u.role == role)
                    .map(|u| u.name.clone())
                    .collect()
            };
            TaskItem {
                lead_units: names("lead"),
                support_units: names("support"),
                leaders: leaders
                    .iter()
                    .filter(|l| l.task_id == task.id)
                    .map(|l| l.name.clone())
                    .collect(),
                task,
            }
        })
        .collect();
    Ok((items, total))
}

/// The task, its units and the caller's standing, if the caller may see it.
pub async fn load(
    st: &AppState,
    auth: &Auth,
    id: i64,
) -> AppResult<(TaskRow, Vec<TaskUnit>, Standing)> {
    let t = db::get(&st.db, id).await?;
    let units = db::units_of(&st.db, &[id]).await?;
    let place = db::place(&t, &units);
    if !can_read(&auth.principal, &place) {
        return Err(AppError::NotFound);
    }
    let s = standing(&auth.principal, &place);
    Ok((t, units, s))
}

/// Why the light has its colour, as message key and parameters.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LightReason {
    pub key: String,
    pub days: i64,
    #[schema(value_type = Option<String>, format = Date)]
    pub period_end: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskDetail {
    pub task: TaskRow,
    pub clause: Option<Clause>,
    pub units: Vec<TaskUnit>,
    pub leaders: Vec<TaskLeader>,
    pub indicators: Vec<Indicator>,
    pub reports: Vec<Report>,
    pub timeline: Vec<TaskEvent>,
    pub reasons: Vec<LightReason>,
    /// Transitions the caller may take now.
    pub available: Vec<String>,
    /// Whether the caller may report for one of the task's units.
    pub may_report: bool,
}

pub async fn detail(st: &AppState, auth: &Auth, id: i64) -> AppResult<TaskDetail> {
    let (t, units, s) = load(st, auth, id).await?;
    let clause = match t.clause_id {
        Some(c) => Some(db::clause(&st.db, c).await?),
        None => None,
    };
    let reported = db::reported(&st.db, id).await?;
    let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Assigned);
    let facts = LightFacts {
        status,
        deadline: t.deadline,
        cadence: TaskCadence::parse(&t.cadence).unwrap_or(TaskCadence::Once),
        assigned_on: t.assigned_on,
        reported_periods: &reported,
    };
    let (_, reasons) = light(&facts, st.cfg.today(), st.cfg.light_rules());
    let reasons = reasons
        .into_iter()
        .map(|r| match r {
            task::Reason::Overdue { days } => LightReason {
                key: "task.reason_overdue".into(),
                days,
                period_end: None,
            },
            task::Reason::DeadlineNear { days } => LightReason {
                key: "task.reason_near".into(),
                days,
                period_end: None,
            },
            task::Reason::ReportLate { period_end, days } => LightReason {
                key: "task.reason_report_late".into(),
                days,
                period_end: Some(period_end),
            },
            task::Reason::ReportMissing { period_end, days } => LightReason {
                key: "task.reason_report_missing".into(),
                days,
                period_end: Some(period_end),
            },
        })
        .collect();
    Ok(TaskDetail {
        clause,
        leaders: db::leaders_of(&st.db, &[id]).await?,
        indicators: db::indicators_of(&st.db, id).await?,
        reports: db::reports_of(&st.db, id).await?,
        timeline: db::timeline(&st.db, id).await?,
        reasons,
        available: available(status, s)
            .into_iter()
            .map(|t| t.id().to_string())
            .collect(),
        may_report: status.is_open() && (s.lead_clerk || s.support_clerk),
        units,
        task: t,
    })
}

/// A move in the lifecycle.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct TransitionInput {
    /// accept, request_close, close, return or reopen.
    pub transition: String,
    /// The task's version the move was decided on.
    pub version: i64,
    /// Reason (required to return or reopen) or remark.
    #[serde(default)]
    pub comment: String,
    /// What shows the work is done (required to ask for closing).
    #[serde(default)]
    pub evidence: String,
}

pub async fn transition(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &TransitionInput,
) -> AppResult<TaskRow> {
    let auth = ctx.auth()?;
    let (t, _, s) = load(st, auth, id).await?;
    let Some(tr) = Transition::parse(input.transition.trim()) else {
        return Err(AppError::invalid("transition", "err.choice"));
    };
    if t.version != input.version {
        return Err(AppError::Stale);
    }
    let from = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Assigned);
    let to = task::transition(
        from,
        tr,
        s,
        !input.evidence.trim().is_empty(),
        &input.comment,
    )
    .map_err(|r| match r {
        task::Refused::NotYours => AppError::Forbidden,
        other => AppError::invalid(
            if other == task::Refused::NoEvidence {
                "evidence"
            } else {
                "transition"
            },
            other.key(),
        ),
    })?;
    let text = [input.comment.trim(), input.evidence.trim()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    Ok(db::move_to(
        &st.db,
        &ctx.actor(),
        &t,
        tr.id(),
        to,
        (!text.is_empty()).then_some(text.as_str()),
        st.cfg.today(),
        st.cfg.light_rules(),
    )
    .await?)
}

/// A unit's report for the current period.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    /// The reporting unit; may be left out when the caller reports for one unit of the task.
    #[serde(default)]
    pub unit_id: Option<i64>,
    pub progress: String,
    #[serde(default)]
    pub percent: Option<i64>,
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub support_needed: String,
    /// The unit's own judgement; a "yes" while the light is red is flagged.
    #[serde(default)]
    pub on_track: Option<bool>,
}

pub async fn report(st: &AppState, ctx: &Ctx, id: i64, input: &ReportInput) -> AppResult<i64> {
    let auth = ctx.auth()?;
    let (t, units, s) = load(st, auth, id).await?;
    if !(s.lead_clerk || s.support_clerk) {
        return Err(AppError::Forbidden);
    }
    let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Assigned);
    if !status.is_open() || status == TaskStatus::Assigned {
        return Err(AppError::invalid("progress", "err.task_not_reporting"));
    }
    // The caller's own units among the task's.
    let mine: Vec<&TaskUnit> = units
        .iter()
        .filter(|u| task::clerk_of(&auth.principal, &(u.unit_id, u.region_path.clone())))
        .collect();
    let unit = match (input.unit_id, mine.as_slice()) {
        (Some(id), _) => mine
            .iter()
            .find(|u| u.unit_id == id)
            .copied()
            .ok_or(AppError::Forbidden)?,
        (None, [one]) => *one,
        (None, _) => return Err(AppError::invalid("unit_id", "err.required")),
    };
    let mut e = Invalid::default();
    let progress = validation::required(&mut e, "progress", &input.progress, 2000);
    let problems = validation::optional(&mut e, "problems", &input.problems, 2000);
    let support_needed =
        validation::optional(&mut e, "support_needed", &input.support_needed, 2000);
    if let Some(p) = input.percent
        && !(0..=100).contains(&p)
    {
        e.push(
            FieldError::new("percent", "err.range")
                .with("min", 0)
                .with("max", 100),
        );
    }
    e.into_result()?;
    let today = st.cfg.today();
    let cadence = TaskCadence::parse(&t.cadence).unwrap_or(TaskCadence::Once);
    let period = task::current_period(cadence, today).unwrap_or(task::Period {
        start: t.assigned_on,
        end: today,
    });
    let r = NewReport {
        unit_id: unit.unit_id,
        period_start: period.start,
        period_end: period.end,
        progress,
        percent: input.percent,
        problems,
        support_needed,
        on_track: input.on_track,
    };
    db::submit_report(&st.db, &ctx.actor(), &t, &r, today, st.cfg.light_rules())
        .await
        .map_err(|e| match e {
            zhaoyin_db::Error::Stale => AppError::invalid("progress", "err.report_approved"),
            other => other.into(),
        })
}
