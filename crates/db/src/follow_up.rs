//! Following a task up beside its lifecycle: reviewing reports (通过/退回), reminders (催办) and
//! instructions (批示), written explanations (书面说明) asked of a red task's lead units, deadline
//! changes (调整/延期) that wait for approval, and evidence files. Each write lands in the task's
//! timeline and the audit log in the same transaction; who may do what is decided by
//! `zhaoyin_core::task::may` before anything here is called.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zhaoyin_core::task::{EXPLANATION_DAYS, FollowUp};

use crate::audit::{self, Actor, Change};
use crate::tasks::{Clock, Ev, History, TaskRow, catch_up, event, relight};
use crate::{Db, Error, Result, Sql, Tx};

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A stored file's SHA-256, as its `sha256` column holds it (hex).
pub fn digest(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

impl NewFile {
    /// Binds the columns every stored file has: filename, content type, size, SHA-256, bytes.
    pub(crate) fn bind(&self, q: Sql) -> Sql {
        q.bind(&self.filename)
            .bind(&self.content_type)
            .bind(i64::try_from(self.data.len()).unwrap_or(i64::MAX))
            .bind(digest(&self.data))
            .bind(self.data.clone())
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub task_id: i64,
    pub report_id: Option<i64>,
    pub event_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

pub(crate) async fn attach(
    tx: &mut Tx,
    actor: &Actor,
    task_id: i64,
    report_id: Option<i64>,
    event_id: Option<i64>,
    f: &NewFile,
    at: DateTime<Utc>,
) -> Result<i64> {
    let (id,): (i64,) = tx
        .one(
            f.bind(
                Sql::new(
                    "INSERT INTO attachments (task_id, report_id, event_id, filename, content_type, \
                     size, sha256, data, uploaded_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(task_id)
                .bind(report_id)
                .bind(event_id),
            )
            .bind(actor.user_id)
            .bind(at),
        )
        .await?;
    Ok(id)
}

const ATTACHMENT_SELECT: &str = "SELECT id, task_id, report_id, event_id, filename, content_type, size, \
     sha256, created_at FROM attachments";

pub async fn attachments_of(db: &Db, task_id: i64) -> Result<Vec<Attachment>> {
    db.all(
        Sql::new(format!(
            "{ATTACHMENT_SELECT} WHERE task_id = $1 ORDER BY id"
        ))
        .bind(task_id),
    )
    .await
}

/// One file with its bytes, for download.
pub async fn attachment(db: &Db, id: i64) -> Result<(Attachment, Vec<u8>)> {
    let meta: Attachment = db
        .one(Sql::new(format!("{ATTACHMENT_SELECT} WHERE id = $1")).bind(id))
        .await?;
    let (data,): (Vec<u8>,) = db
        .one(Sql::new("SELECT data FROM attachments WHERE id = $1").bind(id))
        .await?;
    Ok((meta, data))
}

/// Refuses (`Stale`) a step on a task that was closed since the caller read it: checked inside
/// the step's own transaction.
pub(crate) async fn ensure_open(tx: &mut Tx, task_id: i64) -> Result<String> {
    let (status,): (String,) = tx
        .one(Sql::new("SELECT status FROM tasks WHERE id = $1").bind(task_id))
        .await?;
    if status == zhaoyin_core::task::TaskStatus::Closed.id() {
        return Err(Error::Stale);
    }
    Ok(status)
}

// ------------------------------------------------------------------------------------ reports

/// The supervisor approves (通过) or returns (退回, with a comment) a submitted report. A
/// returned report no longer counts as handed in, so the light may change.
pub async fn review_report(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    report_id: i64,
    approve: bool,
    comment: Option<&str>,
    clock: Clock,
) -> Result<()> {
    let mut tx = db.begin().await?;
    catch_up(&mut tx, task.id, clock).await?;
    let (status, kind) = if approve {
        ("approved", "report_approved")
    } else {
        ("returned", "report_returned")
    };
    let reviewed = Reviewed {
        table: "task_reports",
        id_key: "report_id",
        id: report_id,
        status,
        kind,
        comment,
    };
    review(&mut tx, actor, task, reviewed, clock).await?;
    // A returned report no longer counts as handed in.
    relight(&mut tx, task.id, clock.today, clock).await?;
    tx.commit().await
}

/// A decision on something a unit submitted (a report or an explanation).
struct Reviewed<'a> {
    /// `task_reports` or `task_explanations`: both keep status, reviewer, time and comment.
    table: &'static str,
    /// How the audit record names the item (`report_id`, `explanation_id`).
    id_key: &'static str,
    id: i64,
    status: &'static str,
    /// The timeline and audit action.
    kind: &'static str,
    comment: Option<&'a str>,
}

/// Records a decision on a submitted item, with its timeline entry and audit record; refused
/// (`Stale`) when the item was decided already or is not the task's.
async fn review(
    tx: &mut Tx,
    actor: &Actor,
    task: &TaskRow,
    r: Reviewed<'_>,
    clock: Clock,
) -> Result<()> {
    let n = tx
        .execute(
            Sql::new(format!(
                "UPDATE {} SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4, \
                 version = version + 1 WHERE id = $5 AND task_id = $6 AND status = 'submitted'",
                r.table
            ))
            .bind(r.status)
            .bind(actor.user_id)
            .bind(clock.now)
            .bind(r.comment)
            .bind(r.id)
            .bind(task.id),
        )
        .await?;
    if n != 1 {
        return Err(Error::Stale);
    }
    event(tx, actor, task.id, clock.now, Ev::note(r.kind, r.comment)).await?;
    audit::append(
        tx,
        actor,
        Change::new(r.kind, "task", task.id)
            .place(Some(task.region_id), None)
            .after(&serde_json::json!({ (r.id_key): r.id, "comment": r.comment })),
    )
    .await?;
    Ok(())
}

// ------------------------------------------------------------------------ reminders, instructions

/// A reminder (催办) or an instruction (批示) on the task's timeline.
pub async fn note(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    kind: FollowUp,
    text: &str,
    clock: Clock,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    if kind != FollowUp::Instruct {
        ensure_open(&mut tx, task.id).await?;
    }
    let id = event(
        &mut tx,
        actor,
        task.id,
        clock.now,
        Ev::note(kind.id(), Some(text)),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new(
            if kind == FollowUp::Instruct {
                "task_instruct"
            } else {
                "task_remind"
            },
            "task",
            task.id,
        )
        .place(Some(task.region_id), None)
        .after(&serde_json::json!({ "text": text })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ------------------------------------------------------------------------------- explanations

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    pub id: i64,
    pub task_id: i64,
    /// Empty when the platform asked because the task turned red.
    pub reason: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    pub requested_by_name: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub text: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// requested, submitted, accepted or returned.
    pub status: String,
    pub review_comment: Option<String>,
    pub version: i64,
}

pub async fn explanations_of(db: &Db, task_id: i64) -> Result<Vec<Explanation>> {
    db.all(
        Sql::new(
            "SELECT e.id, e.task_id, e.reason, e.due_on, u.display_name AS requested_by_name, e.requested_at, \
             e.text, e.submitted_at, e.status, e.review_comment, e.version FROM task_explanations e \
             LEFT JOIN users u ON u.id = e.requested_by WHERE e.task_id = $1 ORDER BY e.id DESC",
        )
        .bind(task_id),
    )
    .await
}

async fn open_explanation(tx: &mut Tx, task_id: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = tx
        .optional(
            Sql::new(
                "SELECT id FROM task_explanations WHERE task_id = $1 \
                 AND status IN ('requested', 'submitted', 'returned') LIMIT 1",
            )
            .bind(task_id),
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

async fn insert_explanation(
    tx: &mut Tx,
    actor: &Actor,
    task_id: i64,
    reason: &str,
    due_on: NaiveDate,
    at: DateTime<Utc>,
) -> Result<i64> {
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO task_explanations (task_id, reason, due_on, requested_by, requested_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(task_id)
            .bind(reason)
            .bind(due_on)
            .bind(actor.user_id)
            .bind(at),
        )
        .await?;
    event(
        tx,
        actor,
        task_id,
        at,
        Ev::note(
            FollowUp::AskExplanation.id(),
            Some(reason).filter(|r| !r.is_empty()),
        ),
    )
    .await?;
    Ok(id)
}

/// Called when a task turns red on `day`: its lead units owe an explanation within
/// [`EXPLANATION_DAYS`], unless one is already open.
pub(crate) async fn ask_automatically(
    tx: &mut Tx,
    task_id: i64,
    day: NaiveDate,
    at: DateTime<Utc>,
) -> Result<()> {
    if open_explanation(tx, task_id).await?.is_some() {
        return Ok(());
    }
    let due = day + Duration::days(EXPLANATION_DAYS);
    insert_explanation(tx, &Actor::system(), task_id, "", due, at).await?;
    Ok(())
}

/// The supervisor asks for a written explanation. Refused (`Duplicate`) while one is open.
pub async fn ask_explanation(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    reason: &str,
    due_on: NaiveDate,
    clock: Clock,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    ensure_open(&mut tx, task.id).await?;
    if open_explanation(&mut tx, task.id).await?.is_some() {
        return Err(Error::Duplicate {
            field: "explanation".into(),
        });
    }
    let id = insert_explanation(&mut tx, actor, task.id, reason, due_on, clock.now).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("task_ask_explanation", "task", task.id)
            .place(Some(task.region_id), None)
            .after(
                &serde_json::json!({ "explanation_id": id, "reason": reason, "due_on": due_on }),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A lead unit hands in (or, after a return, hands in again) its explanation.
pub async fn explain(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    explanation_id: i64,
    text: &str,
    clock: Clock,
) -> Result<()> {
    let mut tx = db.begin().await?;
    ensure_open(&mut tx, task.id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE task_explanations SET text = $1, submitted_by = $2, submitted_at = $3, status = 'submitted', \
                 version = version + 1 WHERE id = $4 AND task_id = $5 AND status IN ('requested', 'returned')",
            )
            .bind(text)
            .bind(actor.user_id)
            .bind(clock.now)
            .bind(explanation_id)
            .bind(task.id),
        )
        .await?;
    if n != 1 {
        return Err(Error::Stale);
    }
    event(
        &mut tx,
        actor,
        task.id,
        clock.now,
        Ev::note(FollowUp::Explain.id(), Some(text)),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("task_explain", "task", task.id)
            .place(Some(task.region_id), None)
            .after(&serde_json::json!({ "explanation_id": explanation_id })),
    )
    .await?;
    tx.commit().await
}

/// The supervisor accepts an explanation, or returns it with a comment for a better one.
pub async fn review_explanation(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    explanation_id: i64,
    accept: bool,
    comment: Option<&str>,
    clock: Clock,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let (status, kind) = if accept {
        ("accepted", "explanation_accepted")
    } else {
        ("returned", "explanation_returned")
    };
    let reviewed = Reviewed {
        table: "task_explanations",
        id_key: "explanation_id",
        id: explanation_id,
        status,
        kind,
        comment,
    };
    review(&mut tx, actor, task, reviewed, clock).await?;
    tx.commit().await
}

// --------------------------------------------------------------------------- deadline changes

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct DeadlineChange {
    pub id: i64,
    pub task_id: i64,
    #[schema(value_type = Option<String>, format = Date)]
    pub old_deadline: Option<NaiveDate>,
    #[schema(value_type = String, format = Date)]
    pub new_deadline: NaiveDate,
    pub reason: String,
    pub requested_by_name: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// pending, approved or rejected.
    pub status: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
}

pub async fn deadline_changes_of(db: &Db, task_id: i64) -> Result<Vec<DeadlineChange>> {
    db.all(
        Sql::new(
            "SELECT c.id, c.task_id, c.old_deadline, c.new_deadline, c.reason, r.display_name AS requested_by_name, \
             c.requested_at, c.status, d.display_name AS decided_by_name, c.decided_at, c.decision_comment \
             FROM task_deadline_changes c LEFT JOIN users r ON r.id = c.requested_by \
             LEFT JOIN users d ON d.id = c.decided_by WHERE c.task_id = $1 ORDER BY c.id DESC",
        )
        .bind(task_id),
    )
    .await
}

/// Asks for a new deadline, with its reason. Refused (`Duplicate`) while another request waits.
pub async fn request_deadline(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    new_deadline: NaiveDate,
    reason: &str,
    clock: Clock,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    ensure_open(&mut tx, task.id).await?;
    let pending: Option<(i64,)> = tx
        .optional(
            Sql::new(
                "SELECT id FROM task_deadline_changes WHERE task_id = $1 AND status = 'pending'",
            )
            .bind(task.id),
        )
        .await?;
    if pending.is_some() {
        return Err(Error::Duplicate {
            field: "deadline_change".into(),
        });
    }
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO task_deadline_changes (task_id, old_deadline, new_deadline, reason, requested_by, \
                 requested_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(task.id)
            .bind(task.deadline)
            .bind(new_deadline)
            .bind(reason)
            .bind(actor.user_id)
            .bind(clock.now),
        )
        .await?;
    let text = format!("{} → {new_deadline}: {reason}", fmt_day(task.deadline));
    event(
        &mut tx,
        actor,
        task.id,
        clock.now,
        Ev::note(FollowUp::RequestDeadline.id(), Some(&text)),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("task_request_deadline", "task", task.id)
            .place(Some(task.region_id), None)
            .after(&serde_json::json!({ "change_id": id, "new_deadline": new_deadline, "reason": reason })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn fmt_day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

/// Approves (the task's deadline becomes the new one; the original stays on record) or rejects
/// a waiting request. The light follows the approved deadline at once.
pub async fn decide_deadline(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    change_id: i64,
    approve: bool,
    comment: Option<&str>,
    clock: Clock,
) -> Result<()> {
    let mut tx = db.begin().await?;
    ensure_open(&mut tx, task.id).await?;
    catch_up(&mut tx, task.id, clock).await?;
    let row: Option<(NaiveDate,)> = tx
        .optional(
            Sql::new(
                "SELECT new_deadline FROM task_deadline_changes WHERE id = $1 AND task_id = $2 AND status = 'pending'",
            )
            .bind(change_id)
            .bind(task.id),
        )
        .await?;
    let Some((new_deadline,)) = row else {
        return Err(Error::Stale);
    };
    tx.execute(
        Sql::new(
            "UPDATE task_deadline_changes SET status = $1, decided_by = $2, decided_at = $3, decision_comment = $4 \
             WHERE id = $5",
        )
        .bind(if approve { "approved" } else { "rejected" })
        .bind(actor.user_id)
        .bind(clock.now)
        .bind(comment)
        .bind(change_id),
    )
    .await?;
    let kind = if approve {
        "deadline_approved"
    } else {
        "deadline_rejected"
    };
    let text = if approve {
        format!("{} → {new_deadline}", fmt_day(task.deadline))
    } else {
        String::new()
    };
    let text = [text.as_str(), comment.unwrap_or_default()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("；");
    event(
        &mut tx,
        actor,
        task.id,
        clock.now,
        Ev::note(kind, Some(text.as_str()).filter(|t| !t.is_empty())),
    )
    .await?;
    if approve {
        tx.execute(
            Sql::new(
                "UPDATE tasks SET deadline = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(new_deadline)
            .bind(clock.now)
            .bind(task.id),
        )
        .await?;
        History::Deadline.span(&mut tx, task.id..=task.id).await?;
        relight(&mut tx, task.id, clock.today, clock).await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new(kind, "task", task.id)
            .place(Some(task.region_id), None)
            .before(&serde_json::json!({ "deadline": task.deadline }))
            .after(&serde_json::json!({ "change_id": change_id, "new_deadline": new_deadline, "comment": comment })),
    )
    .await?;
    tx.commit().await
}

// ------------------------------------------------------------------------------------- to-do

/// Something waiting on someone: a report to review, an explanation to write or to review, a
/// deadline change to decide. Who it waits on follows from the task's units and the caller's
/// standing; this lists every such item the caller can see.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Waiting {
    /// report_review, explanation_due, explanation_review or deadline_change.
    pub kind: String,
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub light: String,
    pub region_path: String,
    pub item_id: i64,
    pub since: DateTime<Utc>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    /// The unit that reported, for a report.
    pub unit_name: Option<String>,
}

pub async fn waiting(db: &Db, vis: &zhaoyin_core::authz::Visibility) -> Result<Vec<Waiting>> {
    let parts = [
        "SELECT 'report_review' AS kind, t.id AS task_id, t.code, t.title, t.light, r.path AS region_path, x.id AS item_id, \
         x.submitted_at AS since, x.period_end AS due_on, u.name AS unit_name \
         FROM task_reports x JOIN tasks t ON t.id = x.task_id JOIN regions r ON r.id = t.region_id \
         JOIN units u ON u.id = x.unit_id WHERE x.status = 'submitted'",
        "SELECT CASE WHEN x.status = 'submitted' THEN 'explanation_review' ELSE 'explanation_due' END AS kind, \
         t.id AS task_id, t.code, t.title, t.light, r.path AS region_path, x.id AS item_id, COALESCE(x.submitted_at, x.requested_at) AS since, \
         x.due_on, NULL AS unit_name FROM task_explanations x JOIN tasks t ON t.id = x.task_id \
         JOIN regions r ON r.id = t.region_id WHERE x.status IN ('requested', 'returned', 'submitted')",
        "SELECT 'deadline_change' AS kind, t.id AS task_id, t.code, t.title, t.light, r.path AS region_path, x.id AS item_id, \
         x.requested_at AS since, x.new_deadline AS due_on, NULL AS unit_name FROM task_deadline_changes x \
         JOIN tasks t ON t.id = x.task_id JOIN regions r ON r.id = t.region_id WHERE x.status = 'pending'",
    ];
    let mut q = Sql::new("SELECT * FROM (");
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        q.push(p).push(" AND t.status <> 'closed'");
        crate::tasks::push_task_visibility(&mut q, vis);
    }
    q.push(") w ORDER BY since LIMIT 1000");
    db.all(q).await
}

/// Period ends each of `units` has reported (not returned) for each of `task_ids`.
pub async fn reported_by(
    db: &Db,
    task_ids: &[i64],
    units: &[i64],
) -> Result<Vec<(i64, i64, NaiveDate)>> {
    if task_ids.is_empty() || units.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT task_id, unit_id, period_end FROM task_reports WHERE status <> 'returned' AND task_id IN ",
    );
    q.push_list(task_ids)
        .push(" AND unit_id IN ")
        .push_list(units);
    db.all(q).await
}
