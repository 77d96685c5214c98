//! The public policy portal (政策门户, M1): the policies the supervisor published, each measure
//! with the tasks whose progress was made public — status, deadline, lead units and the latest
//! report the supervisor approved. No account is needed; nothing unpublished is shown (404).
//! Publishing is for those who write the policy's region.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::org::Place;
use zhaoyin_db::portal::{self as db, PublicPolicy, PublicTask};
use zhaoyin_db::tasks::Clause;

use crate::ctx::Ctx;
use crate::{AppResult, AppState};

/// A public task with what may be read of its progress.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskProgress {
    pub task: PublicTask,
    /// The lead units' names.
    pub lead_units: Vec<String>,
    /// The latest approved report: its period's last day, its text, its percent.
    #[schema(value_type = Option<String>, format = Date)]
    pub reported_on: Option<chrono::NaiveDate>,
    pub progress: Option<String>,
    pub percent: Option<i64>,
}

/// A measure (clause) with its public tasks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicMeasure {
    #[schema(value_type = Object)]
    pub clause: Clause,
    pub tasks: Vec<TaskProgress>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub policy: PublicPolicy,
    pub measures: Vec<PublicMeasure>,
    /// Public tasks under no measure.
    pub other: Vec<TaskProgress>,
}

pub async fn policies(st: &AppState) -> AppResult<Vec<PublicPolicy>> {
    Ok(db::policies(&st.db).await?)
}

pub async fn policy(st: &AppState, id: i64) -> AppResult<PolicyView> {
    let policy = db::policy(&st.db, id).await?;
    let (clauses, tasks, progress) = tokio::try_join!(
        zhaoyin_db::tasks::clauses_of(&st.db, id),
        db::tasks(&st.db, id),
        db::progress(&st.db, id),
    )?;
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let mut leads: HashMap<i64, Vec<String>> = HashMap::new();
    for u in zhaoyin_db::tasks::units_of(&st.db, &ids).await? {
        if u.role == "lead" {
            leads.entry(u.task_id).or_default().push(u.name);
        }
    }
    let mut latest: HashMap<i64, _> = progress
        .into_iter()
        .map(|(task, on, text, percent)| (task, (on, text, percent)))
        .collect();
    let mut rows: Vec<TaskProgress> = tasks
        .into_iter()
        .map(|task| {
            let report = latest.remove(&task.id);
            TaskProgress {
                lead_units: leads.remove(&task.id).unwrap_or_default(),
                reported_on: report.as_ref().map(|r| r.0),
                percent: report.as_ref().and_then(|r| r.2),
                progress: report.map(|r| r.1),
                task,
            }
        })
        .collect();
    let measures = clauses
        .into_iter()
        .map(|clause| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut rows)
                .into_iter()
                .partition(|t| t.task.clause_id == Some(clause.id));
            rows = rest;
            PublicMeasure {
                clause,
                tasks: mine,
            }
        })
        .collect();
    Ok(PolicyView {
        policy,
        measures,
        other: rows,
    })
}

/// Publishing a policy.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PublishPolicy {
    /// Shown on the portal (only a policy in force is).
    pub public: bool,
    /// When given, the progress of all the policy's tasks is made public (true) or not (false).
    #[serde(default)]
    pub tasks: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PublishTask {
    /// The task's progress is shown on the portal (when its policy is published).
    pub public: bool,
}

fn region(region_path: &str) -> Place {
    Place {
        region_path: region_path.to_string(),
        unit_id: None,
    }
}

/// Whether the caller publishes what is filed in the region at `region_path`.
pub fn publishes(auth: &crate::ctx::Auth, region_path: &str) -> bool {
    auth.can(Entity::Policy, Action::Write, &region(region_path))
}

/// For the task page: whether the task's progress is public, when the caller may change it.
pub async fn task_state(
    st: &AppState,
    auth: &crate::ctx::Auth,
    task: &zhaoyin_db::tasks::TaskRow,
) -> AppResult<Option<bool>> {
    if task.policy_id.is_none() || !publishes(auth, &task.region_path) {
        return Ok(None);
    }
    Ok(Some(db::task_is_public(&st.db, task.id).await?))
}

fn may_publish(ctx: &Ctx, region_path: &str) -> AppResult<()> {
    ctx.auth()?
        .require(Entity::Policy, Action::Write, &region(region_path))
}

pub async fn publish_policy(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &PublishPolicy,
) -> AppResult<()> {
    let p = crate::service::policies::get(st, ctx.auth()?, id).await?;
    may_publish(ctx, &p.region_path)?;
    if input.public && p.status != "active" {
        return Err(crate::AppError::invalid("public", "err.portal.not_active"));
    }
    Ok(db::set_policy(&st.db, &ctx.actor(), &p, input.public, input.tasks).await?)
}

pub async fn publish_task(st: &AppState, ctx: &Ctx, id: i64, input: &PublishTask) -> AppResult<()> {
    let (t, _, _) = crate::service::tasks::load(st, ctx.auth()?, id).await?;
    may_publish(ctx, &t.region_path)?;
    Ok(db::set_task(&st.db, &ctx.actor(), t.id, t.region_id, input.public).await?)
}
