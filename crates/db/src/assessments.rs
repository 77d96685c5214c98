//! Assessment (考核, M4, M18): schemes kept version by version, runs of a scheme over a period
//! with what they read and what they gave, publication (晾晒), appeals (申诉) and exemptions.
//! A scheme's versions and a run's inputs are JSON written once and read back whole; the
//! rules that check and score them are in `zhaoyin_core::assessment`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_visibility};
use crate::{Db, Error, Result, Sql, now};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Scheme {
    pub id: i64,
    pub region_id: i64,
    pub region_name: String,
    #[serde(skip)]
    pub region_path: String,
    pub name: String,
    /// `month`, `quarter` or `year`.
    pub period_kind: String,
    /// The latest version's number.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SCHEME: &str = "SELECT s.id, s.region_id, r.name AS region_name, r.path AS region_path, \
     s.name, s.period_kind, s.version, s.created_at, s.updated_at \
     FROM assessment_schemes s JOIN regions r ON r.id = s.region_id WHERE 1 = 1";

/// The schemes of the regions `vis` reads, by region and name.
pub async fn schemes(db: &Db, vis: &Visibility) -> Result<Vec<Scheme>> {
    let mut q = Sql::new(SCHEME);
    push_visibility(&mut q, vis, "r.path", None);
    q.push(" ORDER BY r.path, s.name");
    db.all(q).await
}

pub async fn scheme(db: &Db, id: i64) -> Result<Scheme> {
    db.one(Sql::new(format!("{SCHEME} AND s.id = $1")).bind(id))
        .await
}

/// The body of version `version` of scheme `id`.
pub async fn scheme_version(db: &Db, id: i64, version: i64) -> Result<String> {
    let (body,): (String,) = db
        .one(
            Sql::new(
                "SELECT body FROM assessment_scheme_versions WHERE scheme_id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version),
        )
        .await?;
    Ok(body)
}

/// A scheme's name and period kind, and its body as JSON.
pub struct SchemeFields<'a> {
    pub name: &'a str,
    pub period_kind: &'a str,
    pub body: &'a str,
}

pub async fn create_scheme(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    f: &SchemeFields<'_>,
) -> Result<Scheme> {
    let mut tx = db.begin().await?;
    let at = now();
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO assessment_schemes (region_id, name, period_kind, version, \
                 created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4) RETURNING id",
            )
            .bind(region_id)
            .bind(f.name)
            .bind(f.period_kind)
            .bind(at),
        )
        .await?;
    insert_version(&mut tx, actor, id, 1, f.body, at).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "assessment_scheme", id)
            .place(Some(region_id), None)
            .after(&serde_json::json!({ "name": f.name, "version": 1 })),
    )
    .await?;
    tx.commit().await?;
    scheme(db, id).await
}

/// A new version of scheme `s`, made from version `s.version` (refused as stale otherwise).
/// Runs keep the version they were computed with.
pub async fn revise_scheme(
    db: &Db,
    actor: &Actor,
    s: &Scheme,
    f: &SchemeFields<'_>,
) -> Result<Scheme> {
    let mut tx = db.begin().await?;
    let at = now();
    let n = tx
        .execute(
            Sql::new(
                "UPDATE assessment_schemes SET name = $1, period_kind = $2, \
                 version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
            )
            .bind(f.name)
            .bind(f.period_kind)
            .bind(at)
            .bind(s.id)
            .bind(s.version),
        )
        .await?;
    check_updated(&mut tx, n, "assessment_schemes", s.id).await?;
    let version = s.version + 1;
    insert_version(&mut tx, actor, s.id, version, f.body, at).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("update", "assessment_scheme", s.id)
            .place(Some(s.region_id), None)
            .before(&serde_json::json!({ "name": s.name, "version": s.version }))
            .after(&serde_json::json!({ "name": f.name, "version": version })),
    )
    .await?;
    tx.commit().await?;
    scheme(db, s.id).await
}

async fn insert_version(
    tx: &mut crate::Tx,
    actor: &Actor,
    id: i64,
    version: i64,
    body: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        Sql::new(
            "INSERT INTO assessment_scheme_versions (scheme_id, version, body, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(body)
        .bind(actor.user_id)
        .bind(at),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------- runs

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Run {
    pub id: i64,
    pub scheme_id: i64,
    pub scheme_version: i64,
    /// `2026-Q3`, `2026-09` or `2026`.
    pub period: String,
    /// `computed` (may be computed again) or `published` (frozen).
    pub status: String,
    #[serde(skip)]
    pub inputs: String,
    #[serde(skip)]
    pub results: String,
    pub computed_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Named by an edit (optimistic concurrency).
    pub version: i64,
}

const RUN: &str = "SELECT id, scheme_id, scheme_version, period, status, inputs, results, \
     computed_at, published_at, version FROM assessment_runs WHERE 1 = 1";

/// A scheme's runs, the latest period first.
pub async fn runs(db: &Db, scheme_id: i64) -> Result<Vec<Run>> {
    db.all(Sql::new(format!("{RUN} AND scheme_id = $1 ORDER BY period DESC")).bind(scheme_id))
        .await
}

pub async fn run(db: &Db, id: i64) -> Result<Run> {
    db.one(Sql::new(format!("{RUN} AND id = $1")).bind(id))
        .await
}

/// A run's figures and scores, both JSON, and the scheme version they come from.
pub struct Computed<'a> {
    pub scheme_version: i64,
    pub inputs: &'a str,
    pub results: &'a str,
}

/// Keeps a computation of scheme `s` over `period`: a new run, or the period's run computed
/// again (or given a hand score: the audit's action, with its detail) while it is not published
/// (`expected`: the version it was read at). A published run is never overwritten: that is
/// refused as stale.
pub async fn save_run(
    db: &Db,
    actor: &Actor,
    s: &Scheme,
    period: &str,
    expected: Option<i64>,
    (action, detail): (&'static str, serde_json::Value),
    c: &Computed<'_>,
) -> Result<Run> {
    let mut tx = db.begin().await?;
    let at = now();
    let id = match expected {
        None => {
            let (id,): (i64,) = tx
                .one(
                    Sql::new(
                        "INSERT INTO assessment_runs (scheme_id, scheme_version, period, status, \
                         inputs, results, computed_by, computed_at) \
                         VALUES ($1, $2, $3, 'computed', $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(s.id)
                    .bind(c.scheme_version)
                    .bind(period)
                    .bind(c.inputs)
                    .bind(c.results)
                    .bind(actor.user_id)
                    .bind(at),
                )
                .await?;
            id
        }
        Some(version) => {
            let existing: Option<(i64,)> = tx
                .optional(
                    Sql::new("SELECT id FROM assessment_runs WHERE scheme_id = $1 AND period = $2")
                        .bind(s.id)
                        .bind(period),
                )
                .await?;
            let (id,) = existing.ok_or(Error::NotFound)?;
            let n = tx
                .execute(
                    Sql::new(
                        "UPDATE assessment_runs SET scheme_version = $1, inputs = $2, \
                         results = $3, computed_by = $4, computed_at = $5, version = version + 1 \
                         WHERE id = $6 AND version = $7 AND status = 'computed'",
                    )
                    .bind(c.scheme_version)
                    .bind(c.inputs)
                    .bind(c.results)
                    .bind(actor.user_id)
                    .bind(at)
                    .bind(id)
                    .bind(version),
                )
                .await?;
            check_updated(&mut tx, n, "assessment_runs", id).await?;
            id
        }
    };
    audit::append(
        &mut tx,
        actor,
        Change::new(action, "assessment_run", id)
            .place(Some(s.region_id), None)
            .after(&serde_json::json!({
                "scheme": s.id, "scheme_version": c.scheme_version, "period": period,
                "detail": detail
            })),
    )
    .await?;
    tx.commit().await?;
    run(db, id).await
}

/// Publishes (晾晒) run `r` as read: from then on it is frozen.
pub async fn publish(db: &Db, actor: &Actor, s: &Scheme, r: &Run) -> Result<Run> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE assessment_runs SET status = 'published', published_by = $1, \
                 published_at = $2, version = version + 1 \
                 WHERE id = $3 AND version = $4 AND status = 'computed'",
            )
            .bind(actor.user_id)
            .bind(now())
            .bind(r.id)
            .bind(r.version),
        )
        .await?;
    check_updated(&mut tx, n, "assessment_runs", r.id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("publish", "assessment_run", r.id)
            .place(Some(s.region_id), None)
            .after(&serde_json::json!({ "period": r.period, "scheme_version": r.scheme_version })),
    )
    .await?;
    tx.commit().await?;
    run(db, r.id).await
}

// ------------------------------------------------------------------------------------- appeals

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Appeal {
    pub id: i64,
    pub run_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub indicator: String,
    pub reason: String,
    /// The figure the run held when the unit appealed (empty: none).
    pub figure: String,
    /// The figure the unit asks for.
    pub asked: String,
    /// `pending`, `upheld` or `rejected`.
    pub status: String,
    pub decision: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
}

const APPEAL: &str = "SELECT a.id, a.run_id, a.unit_id, u.name AS unit_name, a.indicator, \
     a.reason, a.figure, a.asked, a.status, a.decision, a.filed_at, a.decided_at, a.version \
     FROM assessment_appeals a JOIN units u ON u.id = a.unit_id WHERE 1 = 1";

pub async fn appeals(db: &Db, run_id: i64) -> Result<Vec<Appeal>> {
    db.all(Sql::new(format!("{APPEAL} AND a.run_id = $1 ORDER BY a.id")).bind(run_id))
        .await
}

pub async fn appeal(db: &Db, id: i64) -> Result<Appeal> {
    db.one(Sql::new(format!("{APPEAL} AND a.id = $1")).bind(id))
        .await
}

pub struct AppealFields<'a> {
    pub unit_id: i64,
    pub indicator: &'a str,
    pub reason: &'a str,
    pub figure: &'a str,
    pub asked: &'a str,
}

pub async fn file_appeal(
    db: &Db,
    actor: &Actor,
    s: &Scheme,
    r: &Run,
    f: &AppealFields<'_>,
) -> Result<Appeal> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO assessment_appeals (run_id, unit_id, indicator, reason, figure, \
                 asked, status, filed_by, filed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) RETURNING id",
            )
            .bind(r.id)
            .bind(f.unit_id)
            .bind(f.indicator)
            .bind(f.reason)
            .bind(f.figure)
            .bind(f.asked)
            .bind(actor.user_id)
            .bind(now()),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("appeal", "assessment_run", r.id)
            .place(Some(s.region_id), Some(f.unit_id))
            .after(&serde_json::json!({
                "appeal": id, "indicator": f.indicator, "asked": f.asked, "reason": f.reason
            })),
    )
    .await?;
    tx.commit().await?;
    appeal(db, id).await
}

/// The supervisor's decision on appeal `a` (read at `a.version`): upheld with the run's amended
/// figures and scores (`amended`, computed from run `r` as read), or rejected. Both are in the
/// audit log with the scores before and after.
pub async fn decide_appeal(
    db: &Db,
    actor: &Actor,
    s: &Scheme,
    r: &Run,
    a: &Appeal,
    decision: &str,
    amended: Option<&Computed<'_>>,
) -> Result<Appeal> {
    let mut tx = db.begin().await?;
    let status = if amended.is_some() {
        "upheld"
    } else {
        "rejected"
    };
    let n = tx
        .execute(
            Sql::new(
                "UPDATE assessment_appeals SET status = $1, decision = $2, decided_by = $3, \
                 decided_at = $4, version = version + 1 \
                 WHERE id = $5 AND version = $6 AND status = 'pending'",
            )
            .bind(status)
            .bind(decision)
            .bind(actor.user_id)
            .bind(now())
            .bind(a.id)
            .bind(a.version),
        )
        .await?;
    check_updated(&mut tx, n, "assessment_appeals", a.id).await?;
    if let Some(c) = amended {
        let n = tx
            .execute(
                Sql::new(
                    "UPDATE assessment_runs SET inputs = $1, results = $2, \
                     version = version + 1 WHERE id = $3 AND version = $4",
                )
                .bind(c.inputs)
                .bind(c.results)
                .bind(r.id)
                .bind(r.version),
            )
            .await?;
        check_updated(&mut tx, n, "assessment_runs", r.id).await?;
    }
    let scores = |results: &str| serde_json::from_str::<serde_json::Value>(results).ok();
    audit::append(
        &mut tx,
        actor,
        Change::new("decide_appeal", "assessment_run", r.id)
            .place(Some(s.region_id), Some(a.unit_id))
            .before(&serde_json::json!({ "appeal": a.id, "scores": scores(&r.results) }))
            .after(&serde_json::json!({
                "appeal": a.id,
                "status": status,
                "decision": decision,
                "scores": amended.and_then(|c| scores(c.results)),
            })),
    )
    .await?;
    tx.commit().await?;
    appeal(db, a.id).await
}

// ---------------------------------------------------------------------------------- exemptions

/// Exempts an item from deductions (force majeure, approved by the supervisor): it is still
/// shown, never deducted. Exempting it again is refused as a duplicate.
pub async fn exempt(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    cause: &str,
    item_id: i64,
    reason: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        Sql::new(
            "INSERT INTO assessment_exemptions (cause, item_id, reason, approved_by, approved_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(cause)
        .bind(item_id)
        .bind(reason)
        .bind(actor.user_id)
        .bind(now()),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("exempt", "assessment_item", format!("{cause}:{item_id}"))
            .place(Some(region_id), None)
            .after(&serde_json::json!({ "reason": reason })),
    )
    .await?;
    tx.commit().await
}

/// The items of `cause` exempted from deductions.
pub async fn exempted(db: &Db, cause: &str) -> Result<std::collections::BTreeSet<i64>> {
    let rows: Vec<(i64,)> = db
        .all(Sql::new("SELECT item_id FROM assessment_exemptions WHERE cause = $1").bind(cause))
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

// ------------------------------------------------------------------------------------ measures

/// A row a computed figure counts: the unit credited, the row, when it happened and the day it
/// was due: the caller decides "in time" in the configured time zone.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Counted {
    pub unit_id: i64,
    pub id: i64,
    pub at: Option<DateTime<Utc>>,
    pub due: Option<NaiveDate>,
}

/// The instants a period runs between, in the configured time zone: `[from, until)`.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// `select` (whose region column is `region`) limited to region `region_id` and beneath.
fn within(select: &str, region: &str, region_id: i64) -> Sql {
    let mut q = Sql::new(select);
    crate::org::push_within(&mut q, region, Some(region_id));
    q
}

/// Tasks of region `region_id` (and beneath) closed within `span`, each with every unit leading
/// it and its deadline.
pub async fn tasks_closed(db: &Db, region_id: i64, span: Span) -> Result<Vec<Counted>> {
    let select = "SELECT tu.unit_id, t.id, t.closed_at AS at, t.deadline AS due \
         FROM tasks t JOIN task_units tu ON tu.task_id = t.id AND tu.role = 'lead' \
         WHERE t.status = 'closed'";
    let mut q = within(select, "t.region_id", region_id);
    q.push(" AND t.closed_at >= ").push_bind(span.from);
    q.push(" AND t.closed_at < ").push_bind(span.until);
    q.push(" ORDER BY t.id, tu.unit_id");
    db.all(q).await
}

/// Problems of the region's projects solved within `span`, with the unit responsible and the
/// deadline.
pub async fn problems_solved(db: &Db, region_id: i64, span: Span) -> Result<Vec<Counted>> {
    // Solved and not sent back (a solution the supervisor did not accept keeps its date).
    let select = "SELECT pp.unit_id, pp.id, pp.solved_at AS at, pp.deadline AS due \
         FROM project_problems pp JOIN projects p ON p.id = pp.project_id \
         WHERE pp.status IN ('solved', 'closed')";
    let mut q = within(select, "p.region_id", region_id);
    q.push(" AND pp.solved_at >= ").push_bind(span.from);
    q.push(" AND pp.solved_at < ").push_bind(span.until);
    q.push(" ORDER BY pp.id");
    db.all(q).await
}

/// Reports on the region's tasks for reporting periods ending within `[first, next)`, not
/// returned, with the unit reporting, when it was submitted and the period's last day (when it
/// was due). A report is filed for the period it is submitted in, so each row is a period
/// reported in time; a period reported late has no row (its report counts for the next).
pub async fn reports_due(
    db: &Db,
    region_id: i64,
    first: NaiveDate,
    next: NaiveDate,
) -> Result<Vec<Counted>> {
    let select = "SELECT tr.unit_id, tr.id, tr.submitted_at AS at, tr.period_end AS due \
         FROM task_reports tr JOIN tasks t ON t.id = tr.task_id WHERE tr.status <> 'returned'";
    let mut q = within(select, "t.region_id", region_id);
    q.push(" AND tr.period_end >= ").push_bind(first);
    q.push(" AND tr.period_end < ").push_bind(next);
    q.push(" ORDER BY tr.id");
    db.all(q).await
}

/// What a run's rows are called, by id, with the id of the page each is read on: a task's code
/// and title (its page), a problem's description (its page), a report's task and period (its
/// task's page). `kind` is `tasks`, `problems` or `reports`.
pub async fn labels(db: &Db, kind: &str, ids: &[i64]) -> Result<Vec<(i64, String, i64)>> {
    let select = match kind {
        "tasks" => "SELECT id, code || ' ' || title, id FROM tasks WHERE id IN ",
        "problems" => "SELECT id, description, id FROM project_problems WHERE id IN ",
        "reports" => {
            "SELECT tr.id, t.code || ' ' || t.title || ' · ' || CAST(tr.period_end AS TEXT), t.id \
             FROM task_reports tr JOIN tasks t ON t.id = tr.task_id WHERE tr.id IN "
        }
        _ => return Ok(Vec::new()),
    };
    let mut labels = Vec::new();
    for chunk in ids.chunks(500) {
        let mut q = Sql::new(select);
        q.push_list(chunk);
        labels.extend(db.all::<(i64, String, i64)>(q).await?);
    }
    Ok(labels)
}

/// The active units of region `region_id` and beneath, with their kind, in the order the
/// organisation lists them: who a county's scheme may rank.
pub async fn units_of(db: &Db, region_id: i64) -> Result<Vec<(i64, String)>> {
    let mut q = Sql::new("SELECT u.id, u.kind FROM units u WHERE u.active");
    crate::org::push_within(&mut q, "u.region_id", Some(region_id));
    q.push(" ORDER BY u.sort_order, u.code");
    db.all(q).await
}
