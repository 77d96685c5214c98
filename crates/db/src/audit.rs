//! The audit log: every write appends an entry in the same transaction as the change, chained
//! by hash (see `zhaoyin_core::audit`). Nothing in the application updates or deletes entries,
//! and triggers refuse it at the database too.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhaoyin_core::audit::{AuditFields, Broken, GENESIS, Verifier, chain_hash};
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::paging::Page;

use crate::{Db, Result, Sql, Tx, now};

/// Who is writing, and from where.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// The username; `cli` for the command line, `system` for the platform itself.
    pub name: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn cli() -> Self {
        Self {
            name: "cli".into(),
            ..Default::default()
        }
    }
    pub fn system() -> Self {
        Self {
            name: "system".into(),
            ..Default::default()
        }
    }
}

/// What changed.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<String>,
    pub region_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    pub fn new(action: &'static str, entity: &'static str, id: impl ToString) -> Self {
        Self {
            action,
            entity,
            entity_id: Some(id.to_string()),
            ..Default::default()
        }
    }
    pub fn place(mut self, region_id: Option<i64>, unit_id: Option<i64>) -> Self {
        self.region_id = region_id;
        self.unit_id = unit_id;
        self
    }
    pub fn before<T: Serialize>(mut self, v: &T) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    pub fn after<T: Serialize>(mut self, v: &T) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Appends one entry inside `tx`. Updating the head row first serialises concurrent writers on
/// PostgreSQL (the row lock is held until commit); SQLite has one writer anyway.
pub async fn append(tx: &mut Tx, actor: &Actor, change: Change) -> Result<i64> {
    let (seq, prev_hash): (i64, String) = tx
        .one(Sql::new(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        ))
        .await?;
    let fields = AuditFields {
        seq,
        at: now(),
        actor_user_id: actor.user_id,
        actor_name: actor.name.clone(),
        ip: actor.ip.clone(),
        request_id: actor.request_id.clone(),
        action: change.action.to_string(),
        entity: change.entity.to_string(),
        entity_id: change.entity_id,
        region_id: change.region_id,
        unit_id: change.unit_id,
        before_json: change.before.map(|v| v.to_string()),
        after_json: change.after.map(|v| v.to_string()),
    };
    let hash = chain_hash(&prev_hash, &fields);
    tx.execute(
        Sql::new(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor_name, ip, request_id, action, \
             entity, entity_id, region_id, unit_id, before_json, after_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(fields.seq)
        .bind(fields.at)
        .bind(fields.actor_user_id)
        .bind(fields.actor_name)
        .bind(fields.ip)
        .bind(fields.request_id)
        .bind(fields.action)
        .bind(fields.entity)
        .bind(fields.entity_id)
        .bind(fields.region_id)
        .bind(fields.unit_id)
        .bind(fields.before_json)
        .bind(fields.after_json)
        .bind(prev_hash)
        .bind(hash.clone()),
    )
    .await?;
    tx.execute(Sql::new("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(hash))
        .await?;
    Ok(seq)
}

/// Appends many entries inside `tx` at once (a bulk import): the head moves once, the chain is
/// computed in order in memory, and the rows go in with multi-row inserts. The chain is the same
/// as that many [`append`]s would make. (A caller with 100,000 entries passes them a thousand
/// at a time, so that they never all sit in memory.)
pub async fn append_many(tx: &mut Tx, actor: &Actor, changes: Vec<Change>) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(changes.len()).unwrap_or(i64::MAX);
    let (last, mut prev_hash): (i64, String) = tx
        .one(
            Sql::new("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
                .bind(n),
        )
        .await?;
    let at = now();
    const COLUMNS: usize = 15;
    let per = 4_000 / COLUMNS;
    let mut seq = last - n;
    let mut changes = changes.into_iter().peekable();
    while changes.peek().is_some() {
        let mut q = Sql::new(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor_name, ip, request_id, action, \
             entity, entity_id, region_id, unit_id, before_json, after_json, prev_hash, hash) VALUES ",
        );
        for (i, change) in changes.by_ref().take(per).enumerate() {
            seq += 1;
            let fields = AuditFields {
                seq,
                at,
                actor_user_id: actor.user_id,
                actor_name: actor.name.clone(),
                ip: actor.ip.clone(),
                request_id: actor.request_id.clone(),
                action: change.action.to_string(),
                entity: change.entity.to_string(),
                entity_id: change.entity_id,
                region_id: change.region_id,
                unit_id: change.unit_id,
                before_json: change.before.map(|v| v.to_string()),
                after_json: change.after.map(|v| v.to_string()),
            };
            let hash = chain_hash(&prev_hash, &fields);
            q.push(if i == 0 { "(" } else { ", (" });
            let values: [crate::Value; COLUMNS] = [
                fields.seq.into(),
                fields.at.into(),
                fields.actor_user_id.into(),
                fields.actor_name.into(),
                fields.ip.into(),
                fields.request_id.into(),
                fields.action.into(),
                fields.entity.into(),
                fields.entity_id.into(),
                fields.region_id.into(),
                fields.unit_id.into(),
                fields.before_json.into(),
                fields.after_json.into(),
                prev_hash.clone().into(),
                hash.clone().into(),
            ];
            for (j, v) in values.into_iter().enumerate() {
                if j > 0 {
                    q.push(", ");
                }
                q.push_bind(v);
            }
            q.push(")");
            prev_hash = hash;
        }
        tx.execute(q).await?;
    }
    tx.execute(Sql::new("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(prev_hash))
        .await?;
    Ok(())
}

/// Records an event that changes nothing else (a failed login, a logout) in its own transaction.
pub async fn record(db: &Db, actor: &Actor, change: Change) -> Result<i64> {
    let mut tx = db.begin().await?;
    let seq = append(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(seq)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub region_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    fn fields(&self) -> AuditFields {
        AuditFields {
            seq: self.seq,
            at: self.at,
            actor_user_id: self.actor_user_id,
            actor_name: self.actor_name.clone(),
            ip: self.ip.clone(),
            request_id: self.request_id.clone(),
            action: self.action.clone(),
            entity: self.entity.clone(),
            entity_id: self.entity_id.clone(),
            region_id: self.region_id,
            unit_id: self.unit_id,
            before_json: self.before_json.clone(),
            after_json: self.after_json.clone(),
        }
    }
}

const ENTRY_COLUMNS: &str = "a.seq, a.at, a.actor_user_id, a.actor_name, a.ip, a.request_id, \
    a.action, a.entity, a.entity_id, a.region_id, a.unit_id, a.before_json, a.after_json, \
    a.prev_hash, a.hash";

/// Outcome of `zhaoyin audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact {
        entries: u64,
    },
    Broken {
        checked: u64,
        at: Broken,
    },
    /// The head says more (or other) entries exist than the table holds: the tail was removed.
    HeadMismatch {
        head_seq: i64,
        last_seq: i64,
    },
}

/// Walks the whole chain in `seq` order, in batches.
pub async fn verify(db: &Db) -> Result<Verification> {
    let mut v = Verifier::new(GENESIS, Some(1));
    let mut after = 0i64;
    let mut last_seq = 0i64;
    loop {
        let batch: Vec<Entry> = db
            .all(
                Sql::new(format!(
                    "SELECT {ENTRY_COLUMNS} FROM audit_log a WHERE a.seq > $1 ORDER BY a.seq LIMIT 2000"
                ))
                .bind(after),
            )
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        for e in &batch {
            if let Err(at) = v.feed(&e.fields(), &e.prev_hash, &e.hash) {
                return Ok(Verification::Broken {
                    checked: v.checked,
                    at,
                });
            }
            last_seq = e.seq;
        }
    }
    let (head_seq, head_hash): (i64, String) = db
        .one(Sql::new("SELECT seq, hash FROM audit_head WHERE id = 1"))
        .await?;
    if head_seq != last_seq || head_hash != v.last_hash() {
        return Ok(Verification::HeadMismatch { head_seq, last_seq });
    }
    Ok(Verification::Intact { entries: v.checked })
}

use crate::COUNT_BOUND;

/// Search filters of the auditor's screen.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Free text matched against the before/after values.
    pub text: Option<String>,
}

/// Entries visible to the caller, newest first. Entries with no place (a failed login with an
/// unknown username) are visible to auditors with a region scope.
pub async fn search(
    db: &Db,
    vis: &Visibility,
    f: &Filter,
    page: Page,
) -> Result<(Vec<Entry>, i64)> {
    let mut w =
        Sql::new(" FROM audit_log a LEFT JOIN regions r ON r.id = a.region_id WHERE (1 = 1");
    crate::org::push_visibility(&mut w, vis, "r.path", Some("a.unit_id"));
    if !vis.subtrees.is_empty() {
        w.push(" OR a.region_id IS NULL AND a.unit_id IS NULL");
    }
    w.push(")");
    if let Some(actor) = &f.actor {
        w.push(" AND a.actor_name = ")
            .push_bind(actor.to_lowercase());
    }
    if let Some(action) = &f.action {
        w.push(" AND a.action = ").push_bind(action);
    }
    if let Some(entity) = &f.entity {
        w.push(" AND a.entity = ").push_bind(entity);
    }
    if let Some(id) = &f.entity_id {
        w.push(" AND a.entity_id = ").push_bind(id);
    }
    if let Some(from) = f.from {
        w.push(" AND a.at >= ").push_bind(from);
    }
    if let Some(until) = f.until {
        w.push(" AND a.at < ").push_bind(until);
    }
    if let Some(text) = &f.text {
        let pat = format!("%{}%", crate::query::escape_like(text));
        w.push(" AND (a.after_json LIKE ")
            .push_bind(pat.clone())
            .push(" ESCAPE '\\' OR a.before_json LIKE ")
            .push_bind(pat)
            .push(" ESCAPE '\\')");
    }
    let (total,): (i64,) = db.one(w.bounded_count(COUNT_BOUND)).await?;
    let list = w.page(&format!("SELECT {ENTRY_COLUMNS}"), "a.seq DESC", page);
    Ok((db.all(list).await?, total))
}

/// The account's most recent sign-ins, newest first (the home page shows the one before this).
pub async fn recent_logins(db: &Db, user_id: i64, limit: i64) -> Result<Vec<Entry>> {
    db.all(
        Sql::new(format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log a WHERE a.actor_user_id = $1 AND a.action = 'login' \
             ORDER BY a.seq DESC LIMIT $2"
        ))
        .bind(user_id)
        .bind(limit),
    )
    .await
}

/// A token that changes whenever data may have changed: every audited write moves the head of
/// the audit chain, and every run of a periodic job (which recomputes lights without an audit
/// entry of its own) is recorded. Anything computed from the data under one token stays true
/// until the token changes.
pub async fn data_version(db: &Db) -> Result<String> {
    let (seq, job): (i64, Option<String>) = db
        .one(Sql::new(
            "SELECT (SELECT seq FROM audit_head WHERE id = 1), \
             (SELECT CAST(MAX(COALESCE(finished_at, started_at)) AS TEXT) FROM job_runs)",
        ))
        .await?;
    Ok(format!("{seq}/{}", job.unwrap_or_default()))
}
