//! Deliveries (投递): notices leaving the platform, by email to the people who asked for it and
//! by the units' group bots.
//!
//! - Planned with their notice, in its transaction ([`plan`]), once per target, kind, subject
//!   and period: a notice made again (by another instance, by a scan run twice) plans nothing
//!   new. The time each may go is set then, from the target's quiet hours or digest time.
//! - Sent by the delivery job, never in a request: an instance leases a batch ([`lease`]; on
//!   PostgreSQL with `SKIP LOCKED`, so instances take different rows), sends each and marks it
//!   sent at once ([`sent`]). A process killed mid-batch leaves the rest leased; they go again
//!   when the lease runs out. Every message carries its delivery ids, so a receiver tells the one
//!   repeat a kill can cause.
//! - A failed one waits ([`zhaoyin_core::notify::backoff`]) and is tried again, then is given up
//!   and shown as failed; an administrator can send it again ([`retry`]).

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::notify::{Channel, Preferences, send_at};
use zhaoyin_core::paging::Page;

use crate::audit::{self, Actor, Change};
use crate::{Db, Error, Kind, Result, Sql, Tx, now};

/// What `last_error` says when the target is gone (the address removed, the bot turned off).
pub const NO_TARGET: &str = "no_target";

/// When a delivery made at `at` may go, for `prefs`, in the time zone `tz`.
fn due(at: DateTime<Utc>, prefs: &Preferences, tz: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).naive_local();
    let when = send_at(local, prefs.quiet, prefs.digest);
    tz.from_local_datetime(&when)
        .earliest()
        .map_or(at, |t| t.with_timezone(&Utc))
}

/// A notice made in this transaction and someone who wants it sent: a person with an address,
/// or an active bot of a recipient's unit (a bot posts what its unit's people are told).
#[derive(sqlx::FromRow)]
struct Wanted {
    user_id: Option<i64>,
    bot_id: Option<i64>,
    channel: String,
    kinds: String,
    quiet_from: Option<String>,
    quiet_until: Option<String>,
    digest_at: Option<String>,
    kind: String,
    subject: String,
    period: String,
    title: String,
    body: Option<String>,
    link: String,
}

/// Plans the deliveries of the notices made at `at` (the instant every notice of a scan's
/// transaction is made at): for each, an email to its recipient if they gave an address and
/// want its kind, and a post by each active bot of the recipients' units that wants it. Once
/// per target, kind, subject and period, however many recipients a bot's unit has and however
/// often this runs.
pub(crate) async fn plan(tx: &mut Tx, at: DateTime<Utc>, tz: Tz) -> Result<u64> {
    const NOTICE: &str = "n.kind, n.subject, n.period, n.title, n.body, n.link";
    let wanted: Vec<Wanted> = tx
        .all(
            Sql::new(format!(
                "SELECT s.user_id, CAST(NULL AS BIGINT) AS bot_id, 'email' AS channel, s.kinds, \
                 s.quiet_from, s.quiet_until, s.digest_at, {NOTICE} \
                 FROM notices n JOIN notice_settings s ON s.user_id = n.user_id \
                 WHERE n.created_at = $1 AND s.email IS NOT NULL \
                 UNION SELECT CAST(NULL AS BIGINT), b.id, b.channel, b.kinds, \
                 b.quiet_from, b.quiet_until, b.digest_at, {NOTICE} \
                 FROM notices n JOIN users u ON u.id = n.user_id \
                 JOIN unit_bots b ON b.unit_id = u.unit_id AND b.active \
                 WHERE n.created_at = $1"
            ))
            .bind(at),
        )
        .await?;
    let mut n = 0;
    for w in &wanted {
        let prefs = Preferences::from_columns(
            &w.kinds,
            w.quiet_from.as_deref(),
            w.quiet_until.as_deref(),
            w.digest_at.as_deref(),
        );
        let wants = if w.bot_id.is_some() {
            prefs.wants_in_a_group(&w.kind)
        } else {
            prefs.wants(&w.kind)
        };
        if !wants {
            continue;
        }
        let target = match (w.user_id, w.bot_id) {
            (Some(u), _) => format!("user:{u}"),
            (None, Some(b)) => format!("bot:{b}"),
            (None, None) => continue,
        };
        n += tx
            .execute(
                Sql::new(
                    "INSERT INTO deliveries (target, user_id, bot_id, channel, kind, subject, \
                     period, title, body, link, due_at, digest, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (target, kind, subject, period) DO NOTHING",
                )
                .bind(target)
                .bind(w.user_id)
                .bind(w.bot_id)
                .bind(w.channel.clone())
                .bind(w.kind.clone())
                .bind(w.subject.clone())
                .bind(w.period.clone())
                .bind(w.title.clone())
                .bind(w.body.clone())
                .bind(w.link.clone())
                .bind(due(at, &prefs, tz))
                .bind(prefs.digest.is_some())
                .bind(at),
            )
            .await?;
    }
    Ok(n)
}

/// A leased delivery with where it goes (none when the address or the bot is gone).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Leased {
    pub id: i64,
    pub target: String,
    pub channel: String,
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub link: String,
    pub digest: bool,
    pub attempts: i64,
    pub email: Option<String>,
    pub url: Option<String>,
    pub secret: Option<String>,
}

impl Leased {
    pub fn channel(&self) -> Option<Channel> {
        Channel::parse(&self.channel)
    }
}

/// Leases up to `batch` deliveries due by now to `owner` (unique to this lease: an instance's
/// name and a random number) for `secs` seconds, and gives them back with their addresses, the
/// oldest first. Email is leased only when `email` (a relay is configured): without one it
/// waits.
pub async fn lease(
    db: &Db,
    owner: &str,
    batch: i64,
    secs: i64,
    email: bool,
) -> Result<Vec<Leased>> {
    let at = now();
    let until = at + chrono::Duration::seconds(secs);
    let free = format!(
        "state = 'pending' AND due_at <= $3 AND (lease_until IS NULL OR lease_until < $3){}",
        if email { "" } else { " AND channel <> 'email'" }
    );
    let mut q = Sql::new(format!(
        "UPDATE deliveries SET lease_until = $1, leased_by = $2 WHERE {free} AND id IN \
         (SELECT id FROM deliveries WHERE {free} ORDER BY due_at, target, id LIMIT $4"
    ))
    .bind(until)
    .bind(owner)
    .bind(at)
    .bind(batch);
    // Two instances leasing at once take different rows on PostgreSQL; SQLite has one writer.
    if db.kind() == Kind::Postgres {
        q.push(" FOR UPDATE SKIP LOCKED");
    }
    q.push(") RETURNING id");
    let mut tx = db.begin().await?;
    let ids: Vec<(i64,)> = tx.all(q).await?;
    tx.commit().await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    // The bot's channel as it is now (a bot changed since keeps its rows).
    let mut q = Sql::new(
        "SELECT d.id, d.target, COALESCE(b.channel, d.channel) AS channel, d.kind, d.title, \
         d.body, d.link, d.digest, d.attempts, s.email, b.url, b.secret \
         FROM deliveries d LEFT JOIN notice_settings s ON s.user_id = d.user_id \
         LEFT JOIN unit_bots b ON b.id = d.bot_id AND b.active WHERE d.id IN ",
    );
    q.push_list(&ids).push(" ORDER BY d.due_at, d.target, d.id");
    db.all(q).await
}

/// Keeps `owner`'s lease of `ids` for `secs` more seconds, just before they are sent: true if
/// it still holds them all (none was taken over after its lease ran out, nor sent).
pub async fn hold(db: &Db, owner: &str, ids: &[i64], secs: i64) -> Result<bool> {
    let at = now();
    let mut q = Sql::new(
        "UPDATE deliveries SET lease_until = $1 WHERE leased_by = $2 AND state = 'pending' \
         AND lease_until >= $3 AND id IN ",
    )
    .bind(at + chrono::Duration::seconds(secs))
    .bind(owner)
    .bind(at);
    q.push_list(ids);
    Ok(usize::try_from(db.execute(q).await?).unwrap_or(0) == ids.len())
}

/// Marks deliveries `owner` sent (`leased_by` keeps who sent them).
pub async fn sent(db: &Db, owner: &str, ids: &[i64]) -> Result<u64> {
    let mut q = Sql::new(
        "UPDATE deliveries SET state = 'sent', sent_at = $1, attempts = attempts + 1, \
         lease_until = NULL, last_error = NULL \
         WHERE state = 'pending' AND leased_by = $2 AND id IN ",
    )
    .bind(now())
    .bind(owner);
    q.push_list(ids);
    db.execute(q).await
}

/// Records a failed try of `owner`'s deliveries `ids`: they wait `wait` and are tried again,
/// or with none, they failed.
pub async fn failed(
    db: &Db,
    owner: &str,
    ids: &[i64],
    error: &str,
    wait: Option<chrono::Duration>,
) -> Result<u64> {
    let error: String = error.chars().take(500).collect();
    let mut q = match wait {
        Some(wait) => Sql::new(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = $1, due_at = $2, \
             lease_until = NULL, leased_by = NULL WHERE leased_by = $3 AND state = 'pending' \
             AND id IN ",
        )
        .bind(error)
        .bind(now() + wait)
        .bind(owner),
        None => Sql::new(
            "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, last_error = $1, \
             lease_until = NULL, leased_by = NULL WHERE leased_by = $2 AND state = 'pending' \
             AND id IN ",
        )
        .bind(error)
        .bind(owner),
    };
    q.push_list(ids);
    db.execute(q).await
}

/// A delivery as the administrators' list shows it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: i64,
    /// email, wecom, dingtalk, feishu or generic.
    pub channel: String,
    /// The person (for email) or the bot, by name.
    pub to_name: String,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub due_at: DateTime<Utc>,
    pub digest: bool,
    /// pending, sent or failed.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// pending, sent or failed.
    pub state: Option<String>,
    /// Only the deliveries to this person.
    pub user_id: Option<i64>,
    /// Only those whose person's or bot's unit is within (none: no limit).
    pub within: Option<Visibility>,
}

/// The deliveries `f` selects, with the unit each belongs to (the person's or the bot's).
fn selected(f: &DeliveryFilter) -> Sql {
    let mut w = Sql::new(
        " FROM deliveries d LEFT JOIN users u ON u.id = d.user_id \
         LEFT JOIN unit_bots b ON b.id = d.bot_id \
         JOIN units un ON un.id = COALESCE(u.unit_id, b.unit_id) \
         JOIN regions r ON r.id = un.region_id WHERE 1 = 1",
    );
    if let Some(s) = &f.state {
        w.push(" AND d.state = ").push_bind(s.clone());
    }
    if let Some(u) = f.user_id {
        w.push(" AND d.user_id = ").push_bind(u);
    }
    if let Some(vis) = &f.within {
        crate::org::push_visibility(&mut w, vis, "r.path", Some("un.id"));
    }
    w
}

/// Deliveries, the latest first.
pub async fn list(db: &Db, f: &DeliveryFilter, page: Page) -> Result<(Vec<Delivery>, i64)> {
    let w = selected(f);
    crate::org::page_of(
        db,
        &w,
        "SELECT d.id, d.channel, COALESCE(u.display_name, b.name, '') AS to_name, d.kind, d.title, \
         d.link, d.due_at, d.digest, d.state, d.attempts, d.last_error, d.sent_at, d.created_at",
        "d.id DESC",
        page,
    )
    .await
}

/// How many deliveries of those `within` are in each state.
pub async fn counts(db: &Db, within: &Visibility) -> Result<Vec<(String, i64)>> {
    let f = DeliveryFilter {
        within: Some(within.clone()),
        ..Default::default()
    };
    let mut q = selected(&f).prefixed("SELECT d.state, COUNT(*)");
    q.push(" GROUP BY d.state ORDER BY d.state");
    db.all(q).await
}

/// The place of a delivery: its person's or its bot's unit.
pub async fn place(db: &Db, id: i64) -> Result<zhaoyin_core::org::Place> {
    let mut q = selected(&DeliveryFilter::default()).prefixed("SELECT r.path, un.id");
    q.push(" AND d.id = ").push_bind(id);
    let (region_path, unit_id): (String, i64) = db.optional(q).await?.ok_or(Error::NotFound)?;
    Ok(zhaoyin_core::org::Place {
        region_path,
        unit_id: Some(unit_id),
    })
}

/// Sends a failed delivery again, from the first try; audited.
pub async fn retry(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE deliveries SET state = 'pending', attempts = 0, due_at = $1, \
                 last_error = NULL, lease_until = NULL WHERE id = $2 AND state = 'failed'",
            )
            .bind(now())
            .bind(id),
        )
        .await?;
    if n == 0 {
        let exists: Option<(i64,)> = tx
            .optional(Sql::new("SELECT id FROM deliveries WHERE id = $1").bind(id))
            .await?;
        return Err(if exists.is_some() {
            Error::Stale
        } else {
            Error::NotFound
        });
    }
    audit::append(&mut tx, actor, Change::new("retry", "delivery", id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Where a person's notices go besides the inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Settings {
    pub email: Option<String>,
    /// The kinds sent, comma-separated; empty: every kind.
    pub kinds: String,
    /// Quiet hours, local `HH:MM`.
    pub quiet_from: Option<String>,
    pub quiet_until: Option<String>,
    /// A daily digest at this local `HH:MM` instead of one message per notice.
    pub digest_at: Option<String>,
}

/// A person's settings (none yet: nothing but the inbox).
pub async fn settings(db: &Db, user_id: i64) -> Result<Settings> {
    Ok(db
        .optional(
            Sql::new(
                "SELECT email, kinds, quiet_from, quiet_until, digest_at FROM notice_settings \
                 WHERE user_id = $1",
            )
            .bind(user_id),
        )
        .await?
        .unwrap_or_default())
}

/// Saves a person's settings (checked by the caller); audited.
pub async fn save_settings(db: &Db, actor: &Actor, user_id: i64, s: &Settings) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        Sql::new(
            "INSERT INTO notice_settings (user_id, email, kinds, quiet_from, quiet_until, \
             digest_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, kinds = excluded.kinds, \
             quiet_from = excluded.quiet_from, quiet_until = excluded.quiet_until, \
             digest_at = excluded.digest_at, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(s.email.clone())
        .bind(s.kinds.clone())
        .bind(s.quiet_from.clone())
        .bind(s.quiet_until.clone())
        .bind(s.digest_at.clone())
        .bind(now()),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("update", "notice_settings", user_id).after(s),
    )
    .await?;
    tx.commit().await
}

/// A unit's group bot (its secret never leaves the server).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Bot {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    /// wecom, dingtalk, feishu or generic.
    pub channel: String,
    /// The webhook's scheme and host: the rest holds the bot's token and is never shown.
    pub url: String,
    /// Whether a signing secret is kept.
    pub signed: bool,
    pub kinds: String,
    pub quiet_from: Option<String>,
    pub quiet_until: Option<String>,
    pub digest_at: Option<String>,
    pub active: bool,
    pub version: i64,
    /// The unit's region, for who may keep it.
    #[serde(skip)]
    pub region_path: String,
}

impl Bot {
    pub fn place(&self) -> zhaoyin_core::org::Place {
        zhaoyin_core::org::Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.unit_id),
        }
    }
}

/// A bot as written (checked by the caller). An address or a secret of none keeps the one
/// kept. As audited: neither (the address holds the bot's token), only the address's host.
#[derive(Debug, Clone, Serialize)]
pub struct BotFields {
    pub unit_id: i64,
    pub name: String,
    pub channel: String,
    #[serde(skip)]
    pub url: Option<String>,
    /// The address as shown ([`zhaoyin_core::notify::mask_url`]), for the audit log.
    pub url_shown: Option<String>,
    #[serde(skip)]
    pub secret: Option<String>,
    pub kinds: String,
    pub quiet_from: Option<String>,
    pub quiet_until: Option<String>,
    pub digest_at: Option<String>,
    pub active: bool,
}

const BOT: &str = "SELECT b.id, b.unit_id, un.name AS unit_name, b.name, b.channel, b.url, \
     b.secret IS NOT NULL AS signed, b.kinds, b.quiet_from, b.quiet_until, b.digest_at, \
     b.active, b.version, r.path AS region_path FROM unit_bots b \
     JOIN units un ON un.id = b.unit_id JOIN regions r ON r.id = un.region_id";

fn masked(mut b: Bot) -> Bot {
    b.url = zhaoyin_core::notify::mask_url(&b.url);
    b
}

pub async fn bots(db: &Db) -> Result<Vec<Bot>> {
    let all: Vec<Bot> = db
        .all(Sql::new(format!("{BOT} ORDER BY un.name, b.name, b.id")))
        .await?;
    Ok(all.into_iter().map(masked).collect())
}

pub async fn bot(db: &Db, id: i64) -> Result<Bot> {
    db.optional(Sql::new(format!("{BOT} WHERE b.id = $1")).bind(id))
        .await?
        .map(masked)
        .ok_or(Error::NotFound)
}

/// `q` with a bot's fields bound as `$1`–`$10`, in the order of [`BotFields`].
fn bound(q: Sql, f: &BotFields) -> Sql {
    q.bind(f.unit_id)
        .bind(f.name.clone())
        .bind(f.channel.clone())
        .bind(f.url.clone())
        .bind(f.secret.clone())
        .bind(f.kinds.clone())
        .bind(f.quiet_from.clone())
        .bind(f.quiet_until.clone())
        .bind(f.digest_at.clone())
        .bind(f.active)
}

/// Adds a bot; audited (without its secret).
pub async fn add_bot(db: &Db, actor: &Actor, f: &BotFields) -> Result<Bot> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            bound(
                Sql::new(
                    "INSERT INTO unit_bots (unit_id, name, channel, url, secret, kinds, \
                     quiet_from, quiet_until, digest_at, active, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                ),
                f,
            )
            .bind(now()),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "unit_bot", id)
            .place(None, Some(f.unit_id))
            .after(f),
    )
    .await?;
    tx.commit().await?;
    bot(db, id).await
}

/// Changes a bot read at `version`; audited (without its secret).
pub async fn update_bot(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    f: &BotFields,
) -> Result<Bot> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            bound(
                Sql::new(
                    "UPDATE unit_bots SET unit_id = $1, name = $2, channel = $3, \
                     url = COALESCE($4, url), secret = COALESCE($5, secret), kinds = $6, \
                     quiet_from = $7, quiet_until = $8, digest_at = $9, active = $10, \
                     version = version + 1 WHERE id = $11 AND version = $12",
                ),
                f,
            )
            .bind(id)
            .bind(version),
        )
        .await?;
    if n == 0 {
        bot(db, id).await?;
        return Err(Error::Stale);
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("update", "unit_bot", id)
            .place(None, Some(f.unit_id))
            .after(f),
    )
    .await?;
    tx.commit().await?;
    bot(db, id).await
}

/// Queues a test message to a bot, sent by the delivery job like any other; audited.
pub async fn test_bot(db: &Db, actor: &Actor, b: &Bot, title: &str) -> Result<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let seq = audit::append(
        &mut tx,
        actor,
        Change::new("test", "unit_bot", b.id).place(None, Some(b.unit_id)),
    )
    .await?;
    tx.execute(
        Sql::new(
            "INSERT INTO deliveries (target, bot_id, channel, kind, subject, period, title, link, \
             due_at, created_at) VALUES ($1, $2, $3, 'test', $4, $5, $6, '/inbox', $7, $7)",
        )
        .bind(format!("bot:{}", b.id))
        .bind(b.id)
        .bind(b.channel.clone())
        .bind(format!("bot:{}", b.id))
        .bind(seq.to_string())
        .bind(title)
        .bind(at),
    )
    .await?;
    tx.commit().await
}
