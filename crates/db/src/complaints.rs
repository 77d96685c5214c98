//! Investor complaints (投资者诉求): filed without an account, routed, answered, rated by the
//! complainant, judged. Every step is one guarded update (`version`, and the status it starts
//! from) and lands in the audit log in the same transaction; files are kept beside the
//! complaint. Secrets the instances share are kept in `app_secrets`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::complaint::{ComplaintFields, RouteFields, Satisfaction, Verdict};
use zhaoyin_core::paging::Page;

use crate::audit::{self, Actor, Change};
use crate::follow_up::NewFile;
use crate::org::{check_updated, push_visibility};
use crate::{Db, Result, Sql, now};

/// A complaint as the staff read it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Complaint {
    pub id: i64,
    /// The county it was filed with.
    pub region_id: i64,
    pub region_name: String,
    #[serde(skip)]
    pub region_path: String,
    pub company: String,
    pub contact: String,
    pub phone: String,
    pub email: Option<String>,
    pub subject: String,
    pub body: String,
    /// received, routed, answered or closed.
    pub status: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    pub route_note: Option<String>,
    pub routed_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// satisfied or unsatisfied.
    pub satisfaction: Option<String>,
    pub satisfaction_note: Option<String>,
    pub rated_at: Option<DateTime<Utc>>,
    /// upheld or not_upheld.
    pub verdict: Option<String>,
    pub verdict_reason: Option<String>,
    pub verdict_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

const SELECT: &str = "SELECT c.id, c.region_id, r.name AS region_name, r.path AS region_path, \
     c.company, c.contact, c.phone, c.email, c.subject, c.body, c.status, c.unit_id, \
     u.name AS unit_name, c.due_on, c.route_note, c.routed_at, c.answer, c.answered_at, \
     c.satisfaction, c.satisfaction_note, c.rated_at, c.verdict, c.verdict_reason, \
     c.verdict_at, c.created_at, c.version";
const FROM: &str = " FROM complaints c JOIN regions r ON r.id = c.region_id \
     LEFT JOIN units u ON u.id = c.unit_id WHERE 1 = 1";

pub async fn get(db: &Db, id: i64) -> Result<Complaint> {
    db.one(Sql::new(format!("{SELECT}{FROM} AND c.id = $1")).bind(id))
        .await
}

/// The complaint whose tracking code has SHA-256 `code_hash` (see `complaint::code_hash`).
pub async fn by_code(db: &Db, code_hash: &str) -> Result<Complaint> {
    db.one(Sql::new(format!("{SELECT}{FROM} AND c.code = $1")).bind(code_hash))
        .await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub unit_id: Option<i64>,
    /// Routed and not answered by a day before this one.
    pub overdue_on: Option<NaiveDate>,
}

/// The complaints `vis` reads, the latest first.
pub async fn list(
    db: &Db,
    vis: &Visibility,
    f: &Filter,
    page: Page,
) -> Result<(Vec<Complaint>, i64)> {
    let mut w = Sql::new(FROM);
    push_visibility(&mut w, vis, "r.path", Some("c.unit_id"));
    if let Some(s) = &f.status {
        w.push(" AND c.status = ").push_bind(s.clone());
    }
    if let Some(u) = f.unit_id {
        w.push(" AND c.unit_id = ").push_bind(u);
    }
    if let Some(d) = f.overdue_on {
        w.push(" AND c.status = 'routed' AND c.due_on < ")
            .push_bind(d);
    }
    crate::org::page_of(db, &w, SELECT, "c.created_at DESC, c.id DESC", page).await
}

/// The active counties a complaint may be filed with, in the organisation's order.
pub async fn counties(db: &Db) -> Result<Vec<(i64, String)>> {
    db.all(
        Sql::new(
            "SELECT id, name FROM regions WHERE level = 'county' AND active = $1 ORDER BY path",
        )
        .bind(true),
    )
    .await
}

/// A complaint to file: where, under which code (its hash), for which challenge, from whom.
pub struct Filing<'a> {
    pub region_id: i64,
    pub code_hash: &'a str,
    pub challenge: &'a str,
    pub client_key: &'a str,
    pub fields: &'a ComplaintFields,
    pub files: &'a [NewFile],
}

/// How many complaints an hour: from one address, and in all.
pub struct Limits {
    pub per_client: i64,
    pub all: i64,
}

/// Files a complaint with its files, unless the hour's limits are reached (`None`). Filings take
/// turns, so that the limits hold however many arrive at once. A challenge already used is
/// [`crate::Error::Duplicate`].
pub async fn file(
    db: &Db,
    actor: &Actor,
    f: &Filing<'_>,
    limits: &Limits,
) -> Result<Option<Complaint>> {
    let mut tx = db.begin().await?;
    let at = now();
    tx.execute(Sql::new(
        "UPDATE app_secrets SET value = value WHERE name = 'complaint_challenge'",
    ))
    .await?;
    let (mine, all): (i64, i64) = tx
        .one(
            Sql::new(
                "SELECT COALESCE(SUM(CASE WHEN client_key = $1 THEN 1 ELSE 0 END), 0), COUNT(*) \
                 FROM complaints WHERE created_at >= $2",
            )
            .bind(f.client_key)
            .bind(at - chrono::Duration::hours(1)),
        )
        .await?;
    if mine >= limits.per_client || all >= limits.all {
        return Ok(None);
    }
    let c = f.fields;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO complaints (region_id, code, challenge, client_key, company, \
                 contact, phone, email, subject, body, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(f.region_id)
            .bind(f.code_hash)
            .bind(f.challenge)
            .bind(f.client_key)
            .bind(c.company.as_str())
            .bind(c.contact.as_str())
            .bind(c.phone.as_str())
            .bind(c.email.clone())
            .bind(c.subject.as_str())
            .bind(c.body.as_str())
            .bind(at),
        )
        .await?;
    for file in f.files {
        tx.execute(
            file.bind(
                Sql::new(
                    "INSERT INTO complaint_files (complaint_id, filename, content_type, size, \
                     sha256, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id),
            )
            .bind(at),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "complaint", id)
            .place(Some(f.region_id), None)
            .after(&serde_json::json!({
                "company": c.company, "subject": c.subject, "files": f.files.len(),
            })),
    )
    .await?;
    tx.commit().await?;
    get(db, id).await.map(Some)
}

/// A step of a complaint's handling, from the audit log: who did what, when, with what.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
#[schema(as = ComplaintStep)]
pub struct Step {
    pub at: DateTime<Utc>,
    /// None for the complainant (the public form and the rating).
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    /// create, route, answer, rate or judge.
    pub action: String,
    /// What the step recorded (the unit and day, the answer, the verdict …), as JSON.
    pub after_json: Option<String>,
}

/// Complaint `id`'s steps, in order: an answer set aside by routing again is still here.
pub async fn history(db: &Db, id: i64) -> Result<Vec<Step>> {
    db.all(
        Sql::new(
            "SELECT at, actor_user_id, actor_name, action, after_json FROM audit_log \
             WHERE entity = 'complaint' AND entity_id = $1 ORDER BY seq",
        )
        .bind(id.to_string()),
    )
    .await
}

/// A stored file's description.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct FileMeta {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

pub async fn files(db: &Db, complaint_id: i64) -> Result<Vec<FileMeta>> {
    db.all(
        Sql::new(
            "SELECT id, filename, content_type, size, sha256 FROM complaint_files \
             WHERE complaint_id = $1 ORDER BY id",
        )
        .bind(complaint_id),
    )
    .await
}

/// A file of complaint `complaint_id`: its name and bytes.
pub async fn file_data(db: &Db, complaint_id: i64, id: i64) -> Result<(String, Vec<u8>)> {
    db.one(
        Sql::new("SELECT filename, data FROM complaint_files WHERE complaint_id = $1 AND id = $2")
            .bind(complaint_id)
            .bind(id),
    )
    .await
}

/// Runs one guarded step: `set` (with its binds) applied to `c` when its version is still
/// `c.version`, audited as `action` with `after`.
async fn step(
    db: &Db,
    actor: &Actor,
    c: &Complaint,
    action: &'static str,
    set: Sql,
    after: serde_json::Value,
) -> Result<Complaint> {
    let mut tx = db.begin().await?;
    let mut q = set;
    q.push(", updated_at = ")
        .push_bind(now())
        .push(", version = version + 1 WHERE id = ")
        .push_bind(c.id)
        .push(" AND version = ")
        .push_bind(c.version);
    let n = tx.execute(q).await?;
    check_updated(&mut tx, n, "complaints", c.id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new(action, "complaint", c.id)
            .place(Some(c.region_id), c.unit_id)
            .before(&serde_json::json!({ "status": c.status, "unit_id": c.unit_id }))
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    get(db, c.id).await
}

/// Sends `c` to `unit_id` to answer by `f.due_on`; an answer it had (and its rating) goes.
pub async fn route(
    db: &Db,
    actor: &Actor,
    c: &Complaint,
    unit_id: i64,
    f: &RouteFields,
) -> Result<Complaint> {
    let mut q = Sql::new("UPDATE complaints SET status = 'routed', unit_id = ");
    q.push_bind(unit_id)
        .push(", due_on = ")
        .push_bind(f.due_on)
        .push(", route_note = ")
        .push_bind(f.note.clone())
        .push(", routed_at = ")
        .push_bind(now())
        .push(
            ", answer = NULL, answered_at = NULL, answered_by = NULL, satisfaction = NULL, \
             satisfaction_note = NULL, rated_at = NULL",
        );
    let after = serde_json::json!({
        "status": "routed", "unit_id": unit_id, "due_on": f.due_on, "note": f.note,
    });
    step(db, actor, c, "route", q, after).await
}

pub async fn answer(db: &Db, actor: &Actor, c: &Complaint, text: &str) -> Result<Complaint> {
    let mut q = Sql::new("UPDATE complaints SET status = 'answered', answer = ");
    q.push_bind(text.to_string())
        .push(", answered_at = ")
        .push_bind(now())
        .push(", answered_by = ")
        .push_bind(actor.user_id);
    let after = serde_json::json!({ "status": "answered", "answer": text });
    step(db, actor, c, "answer", q, after).await
}

/// The complainant's rating (once per answer).
pub async fn rate(
    db: &Db,
    actor: &Actor,
    c: &Complaint,
    s: Satisfaction,
    note: Option<&str>,
) -> Result<Complaint> {
    let mut q = Sql::new("UPDATE complaints SET satisfaction = ");
    q.push_bind(s.id())
        .push(", satisfaction_note = ")
        .push_bind(note.map(str::to_string))
        .push(", rated_at = ")
        .push_bind(now());
    let after = serde_json::json!({ "satisfaction": s.id(), "note": note });
    step(db, actor, c, "rate", q, after).await
}

pub async fn judge(
    db: &Db,
    actor: &Actor,
    c: &Complaint,
    v: Verdict,
    reason: &str,
) -> Result<Complaint> {
    let mut q = Sql::new("UPDATE complaints SET status = 'closed', verdict = ");
    q.push_bind(v.id())
        .push(", verdict_reason = ")
        .push_bind(reason.to_string())
        .push(", verdict_at = ")
        .push_bind(now())
        .push(", verdict_by = ")
        .push_bind(actor.user_id);
    let after = serde_json::json!({ "status": "closed", "verdict": v.id(), "reason": reason });
    step(db, actor, c, "judge", q, after).await
}

/// The complaints of region `region_id` and beneath judged upheld in `[from, until)`: the unit
/// each counts against, and its id.
pub async fn upheld(
    db: &Db,
    region_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>> {
    let mut q = Sql::new(
        "SELECT c.unit_id, c.id FROM complaints c WHERE c.verdict = 'upheld' \
         AND c.unit_id IS NOT NULL AND c.verdict_at >= $1 AND c.verdict_at < $2",
    )
    .bind(from)
    .bind(until);
    crate::org::push_within(&mut q, "c.region_id", Some(region_id));
    q.push(" ORDER BY c.id");
    db.all(q).await
}

/// The secret `name`, made (32 random bytes) by the first instance to ask for it.
pub async fn secret(db: &Db, name: &str) -> Result<Vec<u8>> {
    db.execute(
        Sql::new(
            "INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(crate::sessions::random_token())
        .bind(now()),
    )
    .await?;
    let (value,): (String,) = db
        .one(Sql::new("SELECT value FROM app_secrets WHERE name = $1").bind(name))
        .await?;
    hex::decode(&value).map_err(|e| crate::Error::Bind(format!("secret {name}: {e}")))
}
