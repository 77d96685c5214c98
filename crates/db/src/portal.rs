//! The public policy portal (M1): published policies, their measures, and the tasks whose
//! progress the supervisor made public, each with its latest approved report. Nothing here
//! needs an account; nothing here shows what was not published.

use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::tasks::PolicyRow;
use crate::{Db, Result, Sql};

/// A published policy.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PublicPolicy {
    pub id: i64,
    pub region_name: String,
    pub title: String,
    pub issuer: Option<String>,
    pub doc_number: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub issued_on: Option<NaiveDate>,
    /// Tasks with public progress.
    pub public_tasks: i64,
}

const POLICY: &str = "SELECT p.id, r.name AS region_name, p.title, p.issuer, p.doc_number, \
     p.issued_on, (SELECT COUNT(*) FROM tasks t WHERE t.policy_id = p.id AND t.is_public) \
     AS public_tasks FROM policies p JOIN regions r ON r.id = p.region_id \
     WHERE p.is_public AND p.status = 'active'";

/// The published policies, the latest first (at most 500).
pub async fn policies(db: &Db) -> Result<Vec<PublicPolicy>> {
    db.all(Sql::new(format!(
        "{POLICY} ORDER BY p.issued_on DESC, p.id DESC LIMIT 500"
    )))
    .await
}

/// A published policy (not found unless published and in force).
pub async fn policy(db: &Db, id: i64) -> Result<PublicPolicy> {
    db.one(Sql::new(format!("{POLICY} AND p.id = $1")).bind(id))
        .await
}

/// A task with public progress.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PublicTask {
    pub id: i64,
    #[serde(skip)]
    pub clause_id: Option<i64>,
    pub code: String,
    pub title: String,
    /// assigned, accepted, in_progress, close_requested or closed.
    pub status: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
}

pub async fn tasks(db: &Db, policy_id: i64) -> Result<Vec<PublicTask>> {
    db.all(
        Sql::new(
            "SELECT id, clause_id, code, title, status, deadline FROM tasks \
             WHERE policy_id = $1 AND is_public ORDER BY code",
        )
        .bind(policy_id),
    )
    .await
}

/// The latest approved report of each public task of policy `policy_id` (only that one is
/// read): (task, period end, progress, percent).
pub async fn progress(
    db: &Db,
    policy_id: i64,
) -> Result<Vec<(i64, NaiveDate, String, Option<i64>)>> {
    db.all(
        Sql::new(
            "SELECT r.task_id, r.period_end, r.progress, r.percent FROM tasks t \
             JOIN task_reports r ON r.id = (SELECT l.id FROM task_reports l \
             WHERE l.task_id = t.id AND l.status = 'approved' \
             ORDER BY l.period_end DESC, l.id DESC LIMIT 1) \
             WHERE t.policy_id = $1 AND t.is_public",
        )
        .bind(policy_id),
    )
    .await
}

/// Publishes policy `p` or takes it back; `tasks`, when given, makes the progress of all its
/// tasks public or not at once.
pub async fn set_policy(
    db: &Db,
    actor: &Actor,
    p: &PolicyRow,
    public: bool,
    tasks: Option<bool>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        Sql::new("UPDATE policies SET is_public = $1 WHERE id = $2")
            .bind(public)
            .bind(p.id),
    )
    .await?;
    if let Some(all) = tasks {
        tx.execute(
            Sql::new("UPDATE tasks SET is_public = $1 WHERE policy_id = $2")
                .bind(all)
                .bind(p.id),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("publish", "policy", p.id)
            .place(Some(p.region_id), None)
            .after(&serde_json::json!({ "public": public, "tasks": tasks })),
    )
    .await?;
    tx.commit().await
}

/// Whether task `id`'s progress is public.
pub async fn task_is_public(db: &Db, id: i64) -> Result<bool> {
    let (p,): (bool,) = db
        .one(Sql::new("SELECT is_public FROM tasks WHERE id = $1").bind(id))
        .await?;
    Ok(p)
}

/// Makes task `id`'s progress public or not.
pub async fn set_task(db: &Db, actor: &Actor, id: i64, region_id: i64, public: bool) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        Sql::new("UPDATE tasks SET is_public = $1 WHERE id = $2")
            .bind(public)
            .bind(id),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("publish", "task", id)
            .place(Some(region_id), None)
            .after(&serde_json::json!({ "public": public })),
    )
    .await?;
    tx.commit().await
}
