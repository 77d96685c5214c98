//! Tasks: who may see and do what (by role over the task's region, or as a clerk of one of its
//! units), the lifecycle, periodic reports, and the light with its reasons.

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::paging::Page;
use zhaoyin_core::task::{
    self, FollowUp, LightFacts, Standing, TaskCadence, TaskStatus, Transition, available, can_read,
    light, may, standing,
};
use zhaoyin_core::{FieldError, Invalid, validation};
use zhaoyin_db::follow_up::{self as fu, Attachment, DeadlineChange, Explanation};
use zhaoyin_db::tasks::{
    self as db, Clause, Indicator, NewReport, Report, TaskEvent, TaskFilter, TaskLeader, TaskRow,
    TaskUnit,
};

use crate::ctx::{Auth, Ctx};
use crate::form::{FileInput, Upload, new_files};
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
    list_for(st, &auth.principal, f, page).await
}

/// [`list`] for a principal without an account behind it (a display link's).
pub async fn list_for(
    st: &AppState,
    p: &zhaoyin_core::authz::Principal,
    f: &TaskFilter,
    page: Page,
) -> AppResult<(Vec<TaskItem>, i64)> {
    let vis = p.visibility(Entity::Task, Action::Read);
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

/// A task list's query, as the API and the pages take it (empty values are "any").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct TaskQuery {
    /// Text in code or title; pinyin (full or initials) matches too.
    pub q: Option<String>,
    pub policy_id: Option<String>,
    /// Tasks with this unit among their lead or supporting units.
    pub unit_id: Option<String>,
    /// "lead": with `unit_id`, only the tasks that unit leads.
    pub role: Option<String>,
    /// Tasks of this region or one beneath it.
    pub region_id: Option<String>,
    /// Tasks with this responsible leader (a person id).
    pub leader_id: Option<String>,
    /// assigned, accepted, in_progress, close_requested or closed.
    pub status: Option<String>,
    /// green, yellow or red.
    pub light: Option<String>,
    /// once, weekly, monthly, quarterly or yearly.
    pub cadence: Option<String>,
    /// "1": open tasks only.
    pub open: Option<String>,
    /// "1": open tasks past their deadline only (on `as_of` when given).
    pub overdue: Option<String>,
    /// A past day (YYYY-MM-DD): the list as it was at the end of that day.
    pub as_of: Option<String>,
    /// deadline (default), light, code or recent.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl TaskQuery {
    /// Filters a link sets (from the dashboard, the lights) that the filter form keeps without
    /// showing a field for them.
    pub fn kept_filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("region_id", &self.region_id),
            ("role", &self.role),
            ("overdue", &self.overdue),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (name, v)))
        .collect()
    }

    /// The filter this query asks for; a value that is not one of the choices is refused by name.
    pub fn filter(&self, cfg: &crate::WebConfig) -> AppResult<TaskFilter> {
        use crate::form::{nonempty, opt_i64};
        let mut e = Invalid::default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let id = |e: &mut Invalid, field: &str, v: &Option<String>| opt_i64(e, field, &text(v));
        let choice =
            |e: &mut Invalid, field: &str, v: &Option<String>, ok: &dyn Fn(&str) -> bool| {
                nonempty(v).filter(|s| {
                    let good = ok(s);
                    if !good {
                        e.push(FieldError::new(field, "err.choice"));
                    }
                    good
                })
            };
        let policy_id = id(&mut e, "policy_id", &self.policy_id);
        let unit_id = id(&mut e, "unit_id", &self.unit_id);
        let leader_id = id(&mut e, "leader_id", &self.leader_id);
        let region_id = id(&mut e, "region_id", &self.region_id);
        let lead = choice(&mut e, "role", &self.role, &|s| s == "lead").is_some();
        let overdue = choice(&mut e, "overdue", &self.overdue, &|s| s == "1" || s == "0")
            .is_some_and(|s| s == "1");
        let status = choice(&mut e, "status", &self.status, &|s| {
            TaskStatus::parse(s).is_some()
        });
        let light = choice(&mut e, "light", &self.light, &|s| {
            task::Light::parse(s).is_some()
        });
        let cadence = choice(&mut e, "cadence", &self.cadence, &|s| {
            TaskCadence::parse(s).is_some()
        });
        let sort = match nonempty(&self.sort) {
            None => db::TaskSort::default(),
            Some(s) => db::TaskSort::parse(&s).unwrap_or_else(|| {
                e.push(FieldError::new("sort", "err.choice"));
                db::TaskSort::default()
            }),
        };
        let as_of = crate::form::opt_as_of(&mut e, cfg, &text(&self.as_of));
        e.into_result()?;
        Ok(TaskFilter {
            q: nonempty(&self.q),
            policy_id,
            region_id,
            unit_id,
            lead,
            leader_id,
            status,
            light,
            cadence,
            open: nonempty(&self.open).is_some(),
            overdue_on: overdue.then(|| as_of.map_or_else(|| cfg.today(), |a: db::AsOf| a.day)),
            as_of,
            sort,
        })
    }
}

/// Open tasks by lead unit and light.
pub async fn lights_by_unit(
    st: &AppState,
    auth: &Auth,
    f: &TaskFilter,
) -> AppResult<Vec<db::UnitLights>> {
    let vis = auth.principal.visibility(Entity::Task, Action::Read);
    Ok(db::lights_by_unit(&st.db, &vis, f).await?)
}

/// Open tasks by light, and closed tasks, per region: (region, red, yellow, green, closed).
pub async fn lights_by_region(
    st: &AppState,
    auth: &Auth,
    f: &TaskFilter,
) -> AppResult<Vec<(i64, i64, i64, i64, i64)>> {
    let vis = auth.principal.visibility(Entity::Task, Action::Read);
    Ok(db::lights_by_region(&st.db, &vis, f).await?)
}

/// A report the caller's unit owes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueReport {
    pub task: TaskRow,
    pub unit_id: i64,
    pub unit_name: String,
    #[schema(value_type = String, format = Date)]
    pub period_end: chrono::NaiveDate,
    /// The period has ended without it.
    pub late: bool,
}

/// What waits on the caller: tasks to accept and reports owed (a unit's clerk), explanations
/// asked (lead units), and what a supervisor must decide.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Todo {
    pub to_accept: Vec<TaskRow>,
    pub reports_due: Vec<DueReport>,
    pub close_requests: Vec<TaskRow>,
    pub waiting: Vec<fu::Waiting>,
}

impl Todo {
    pub fn is_empty(&self) -> bool {
        self.to_accept.is_empty()
            && self.reports_due.is_empty()
            && self.close_requests.is_empty()
            && self.waiting.is_empty()
    }
}

pub async fn todo(st: &AppState, auth: &Auth) -> AppResult<Todo> {
    let vis = auth.principal.visibility(Entity::Task, Action::Read);
    let today = st.cfg.today();
    // Each kind of item is read by its own query, so a busy county's to-do is complete up to
    // a page of each kind: tasks to accept, closing requests, and the tasks the caller's units
    // report on.
    let by_status = |s: TaskStatus| TaskFilter {
        status: Some(s.id().to_string()),
        ..TaskFilter::default()
    };
    // Closing requests are reviewed over the whole scope; tasks to accept and to report on are
    // those of the caller's own units (a supervisor who is also a clerk finds theirs even when
    // the county has more than a page of unaccepted tasks).
    let mut tasks = db::list(
        &st.db,
        &vis,
        &by_status(TaskStatus::CloseRequested),
        Page::largest(),
    )
    .await?
    .0;
    let clerk_vis = auth.principal.visibility_of_role(Role::Clerk, Entity::Task);
    if !clerk_vis.is_empty() {
        for s in [
            TaskStatus::Assigned,
            TaskStatus::Accepted,
            TaskStatus::InProgress,
        ] {
            tasks.extend(
                db::list(&st.db, &clerk_vis, &by_status(s), Page::largest())
                    .await?
                    .0,
            );
        }
    }
    let waiting = fu::waiting(&st.db, &vis).await?;
    let mut ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    ids.extend(waiting.iter().map(|w| w.task_id));
    ids.sort_unstable();
    ids.dedup();
    let units = db::units_of(&st.db, &ids).await?;
    let p = &auth.principal;
    let standing_of = |id: i64, path: &str| standing(p, &db::place_of(id, path, &units));
    let my_units: Vec<&TaskUnit> = units
        .iter()
        .filter(|u| task::clerk_of(p, &(u.unit_id, u.region_path.clone())))
        .collect();
    let mut my_unit_ids: Vec<i64> = my_units.iter().map(|u| u.unit_id).collect();
    my_unit_ids.sort_unstable();
    my_unit_ids.dedup();
    let reported = fu::reported_by(&st.db, &ids, &my_unit_ids).await?;
    let mut out = Todo::default();
    for t in tasks {
        let s = standing_of(t.id, &t.region_path);
        let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Assigned);
        let cadence = TaskCadence::parse(&t.cadence).unwrap_or(TaskCadence::Once);
        match status {
            TaskStatus::Assigned if s.lead_clerk => out.to_accept.push(t.clone()),
            TaskStatus::CloseRequested if s.supervisor => out.close_requests.push(t.clone()),
            _ => {}
        }
        if !matches!(status, TaskStatus::Accepted | TaskStatus::InProgress) {
            continue;
        }
        let Some(current) = task::period_of(cadence, today) else {
            continue;
        };
        let previous = current
            .start
            .pred_opt()
            .and_then(|d| task::period_of(cadence, d))
            .filter(|p| p.end >= t.assigned_on);
        // Reports are owed by lead units; a supporting unit adds its part when it has one.
        for u in my_units
            .iter()
            .filter(|u| u.task_id == t.id && u.role == "lead")
        {
            let has = |end| {
                reported
                    .iter()
                    .any(|(tid, uid, e)| *tid == t.id && *uid == u.unit_id && *e == end)
            };
            let due = match previous {
                Some(prev) if !has(prev.end) => Some((prev.end, true)),
                _ if !has(current.end) => Some((current.end, false)),
                _ => None,
            };
            if let Some((period_end, late)) = due {
                out.reports_due.push(DueReport {
                    task: t.clone(),
                    unit_id: u.unit_id,
                    unit_name: u.name.clone(),
                    period_end,
                    late,
                });
            }
        }
    }
    out.reports_due
        .sort_by_key(|d| (!d.late, d.period_end, d.task.id));
    out.waiting = waiting
        .into_iter()
        .filter(|w| {
            let s = standing_of(w.task_id, &w.region_path);
            if w.kind == "explanation_due" {
                s.lead_clerk
            } else {
                s.supervisor
            }
        })
        .collect();
    Ok(out)
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
    pub explanations: Vec<Explanation>,
    pub deadline_changes: Vec<DeadlineChange>,
    pub attachments: Vec<Attachment>,
    /// Follow-up steps the caller may take (remind, instruct, ask_explanation, explain, review,
    /// request_deadline, decide_deadline).
    pub follow_ups: Vec<String>,
    /// The latest report says "on track" while the computed light is red.
    pub discrepancy: bool,
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
    let (colour, reasons) = light(&facts, st.cfg.today(), st.cfg.light_rules());
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
    let reports = db::reports_of(&st.db, id).await?;
    let discrepancy = task::discrepancy(reports.first().and_then(|r| r.on_track), colour);
    Ok(TaskDetail {
        clause,
        leaders: db::leaders_of(&st.db, &[id]).await?,
        indicators: db::indicators_of(&st.db, id).await?,
        reports,
        explanations: fu::explanations_of(&st.db, id).await?,
        deadline_changes: fu::deadline_changes_of(&st.db, id).await?,
        attachments: fu::attachments_of(&st.db, id).await?,
        follow_ups: FollowUp::ALL
            .iter()
            .filter(|f| may(**f, s) && (status.is_open() || **f == FollowUp::Instruct))
            .map(|f| f.id().to_string())
            .collect(),
        discrepancy,
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
    /// What shows the work is done (to ask for closing: this text, files, or both).
    #[serde(default)]
    pub evidence: String,
    /// Evidence files.
    #[serde(default)]
    pub files: Vec<FileInput>,
}

pub async fn transition(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &TransitionInput,
    files: Vec<Upload>,
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
        !input.evidence.trim().is_empty() || !files.is_empty(),
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
    let mut e = Invalid::default();
    let comment = validation::optional(&mut e, "comment", &input.comment, 2000);
    let evidence = validation::optional(&mut e, "evidence", &input.evidence, 2000);
    e.into_result()?;
    let text = [comment, evidence]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    // Files go with a closing request only.
    let files = if tr == Transition::RequestClose {
        new_files(files)
    } else {
        Vec::new()
    };
    Ok(db::move_to(
        &st.db,
        &ctx.actor(),
        &t,
        tr.id(),
        to,
        (!text.is_empty()).then_some(text.as_str()),
        &files,
        st.cfg.clock(),
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
    /// Attachments (photos, minutes, documents).
    #[serde(default)]
    pub files: Vec<FileInput>,
}

pub async fn report(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &ReportInput,
    files: Vec<Upload>,
) -> AppResult<i64> {
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
    let clock = st.cfg.clock();
    let cadence = TaskCadence::parse(&t.cadence).unwrap_or(TaskCadence::Once);
    let period = task::current_period(cadence, clock.today).unwrap_or(task::Period {
        start: t.assigned_on,
        end: clock.today,
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
    db::submit_report(&st.db, &ctx.actor(), &t, &r, &new_files(files), clock)
        .await
        .map_err(|e| match e {
            zhaoyin_db::Error::Stale => AppError::invalid("progress", "err.report_approved"),
            other => other.into(),
        })
}

/// The task, with the caller allowed to take this follow-up step on it.
async fn load_for(st: &AppState, ctx: &Ctx, id: i64, step: FollowUp) -> AppResult<TaskRow> {
    let (t, _, s) = load(st, ctx.auth()?, id).await?;
    if !may(step, s) {
        return Err(AppError::Forbidden);
    }
    if step != FollowUp::Instruct && t.status == TaskStatus::Closed.id() {
        return Err(AppError::invalid("transition", "err.task_closed"));
    }
    Ok(t)
}

/// A decision on something submitted: approve (通过) or return (退回, with a comment).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    pub approve: bool,
    /// Required to return or reject.
    #[serde(default)]
    pub comment: String,
}

impl ReviewInput {
    fn comment(&self) -> AppResult<Option<String>> {
        let mut e = Invalid::default();
        let c = if self.approve {
            validation::optional(&mut e, "comment", &self.comment, 2000)
        } else {
            Some(validation::required(&mut e, "comment", &self.comment, 2000))
        };
        e.into_result()?;
        Ok(c)
    }
}

/// A stale decision (someone else decided first) reads as a conflict.
fn decided(r: zhaoyin_db::Result<()>) -> AppResult<()> {
    r.map_err(|e| match e {
        zhaoyin_db::Error::Stale => AppError::Stale,
        other => other.into(),
    })
}

pub async fn review_report(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    report_id: i64,
    input: &ReviewInput,
) -> AppResult<()> {
    let t = load_for(st, ctx, id, FollowUp::Review).await?;
    let comment = input.comment()?;
    decided(
        fu::review_report(
            &st.db,
            &ctx.actor(),
            &t,
            report_id,
            input.approve,
            comment.as_deref(),
            st.cfg.clock(),
        )
        .await,
    )
}

/// A reminder (催办) or an instruction (批示).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NoteInput {
    /// remind or instruct.
    pub kind: String,
    pub text: String,
}

pub async fn note(st: &AppState, ctx: &Ctx, id: i64, input: &NoteInput) -> AppResult<i64> {
    let kind = match FollowUp::parse(input.kind.trim()) {
        Some(k @ (FollowUp::Remind | FollowUp::Instruct)) => k,
        _ => return Err(AppError::invalid("kind", "err.choice")),
    };
    let t = load_for(st, ctx, id, kind).await?;
    let mut e = Invalid::default();
    let text = validation::required(&mut e, "text", &input.text, 2000);
    e.into_result()?;
    Ok(fu::note(&st.db, &ctx.actor(), &t, kind, &text, st.cfg.clock()).await?)
}

/// Asking the lead units for a written explanation (书面说明).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AskInput {
    pub reason: String,
    /// Default: in 5 days.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<chrono::NaiveDate>,
}

pub async fn ask_explanation(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &AskInput,
) -> AppResult<i64> {
    let t = load_for(st, ctx, id, FollowUp::AskExplanation).await?;
    let clock = st.cfg.clock();
    let mut e = Invalid::default();
    let reason = validation::required(&mut e, "reason", &input.reason, 2000);
    let due = input
        .due_on
        .unwrap_or(clock.today + chrono::Duration::days(task::EXPLANATION_DAYS));
    if due < clock.today {
        e.push(FieldError::new("due_on", "err.date_past"));
    } else if !validation::date_in_range(due) {
        e.push(FieldError::new("due_on", "err.date_range"));
    }
    e.into_result()?;
    fu::ask_explanation(&st.db, &ctx.actor(), &t, &reason, due, clock)
        .await
        .map_err(|e| match e {
            zhaoyin_db::Error::Duplicate { .. } => {
                AppError::invalid("reason", "err.explanation_open")
            }
            other => other.into(),
        })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ExplainInput {
    pub text: String,
}

pub async fn explain(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    explanation_id: i64,
    input: &ExplainInput,
) -> AppResult<()> {
    let t = load_for(st, ctx, id, FollowUp::Explain).await?;
    let mut e = Invalid::default();
    let text = validation::required(&mut e, "text", &input.text, 4000);
    e.into_result()?;
    decided(
        fu::explain(
            &st.db,
            &ctx.actor(),
            &t,
            explanation_id,
            &text,
            st.cfg.clock(),
        )
        .await,
    )
}

pub async fn review_explanation(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    explanation_id: i64,
    input: &ReviewInput,
) -> AppResult<()> {
    let t = load_for(st, ctx, id, FollowUp::Review).await?;
    let comment = input.comment()?;
    decided(
        fu::review_explanation(
            &st.db,
            &ctx.actor(),
            &t,
            explanation_id,
            input.approve,
            comment.as_deref(),
            st.cfg.clock(),
        )
        .await,
    )
}

/// Asking for a new deadline (调整/延期).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DeadlineInput {
    #[schema(value_type = String, format = Date)]
    pub deadline: chrono::NaiveDate,
    pub reason: String,
}

pub async fn request_deadline(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &DeadlineInput,
) -> AppResult<i64> {
    let t = load_for(st, ctx, id, FollowUp::RequestDeadline).await?;
    let clock = st.cfg.clock();
    let mut e = Invalid::default();
    let reason = validation::required(&mut e, "reason", &input.reason, 2000);
    if input.deadline < clock.today {
        e.push(FieldError::new("deadline", "err.date_past"));
    } else if !validation::date_in_range(input.deadline) {
        e.push(FieldError::new("deadline", "err.date_range"));
    }
    if Some(input.deadline) == t.deadline {
        e.push(FieldError::new("deadline", "err.deadline_same"));
    }
    e.into_result()?;
    fu::request_deadline(&st.db, &ctx.actor(), &t, input.deadline, &reason, clock)
        .await
        .map_err(|e| match e {
            zhaoyin_db::Error::Duplicate { .. } => {
                AppError::invalid("deadline", "err.deadline_pending")
            }
            other => other.into(),
        })
}

pub async fn decide_deadline(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    change_id: i64,
    input: &ReviewInput,
) -> AppResult<()> {
    let t = load_for(st, ctx, id, FollowUp::DecideDeadline).await?;
    let comment = input.comment()?;
    decided(
        fu::decide_deadline(
            &st.db,
            &ctx.actor(),
            &t,
            change_id,
            input.approve,
            comment.as_deref(),
            st.cfg.clock(),
        )
        .await,
    )
}

/// A file of the task, if the caller may see the task.
pub async fn attachment(
    st: &AppState,
    auth: &Auth,
    id: i64,
    file_id: i64,
) -> AppResult<(Attachment, Vec<u8>)> {
    load(st, auth, id).await?;
    let (meta, data) = fu::attachment(&st.db, file_id).await?;
    if meta.task_id != id {
        return Err(AppError::NotFound);
    }
    Ok((meta, data))
}
