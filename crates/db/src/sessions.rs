//! Sign-in sessions, stored in the database so that any app instance can serve any user.
//! The cookie carries a random token; the table holds only its SHA-256, so a copy of the
//! database does not let anyone sign in.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor, Change};
use crate::users::User;
use crate::{Db, Result, Sql, now};

/// A random 256-bit token, URL-safe hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// A new secret with its kind's prefix (`zy_`, `zd_` …), and the first characters of it that a
/// list may show to tell secrets apart.
pub fn prefixed_token(prefix: &str) -> (String, String) {
    let token = format!("{prefix}{}", random_token());
    let shown = token.chars().take(prefix.len() + 6).collect();
    (token, shown)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    /// SHA-256 of the cookie token.
    pub id: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// Ends after this long without a request.
    pub idle: Duration,
    /// Ends this long after sign-in, whatever happens.
    pub absolute: Duration,
}

impl Session {
    pub fn expired(&self, at: DateTime<Utc>, l: Lifetimes) -> bool {
        at >= self.last_seen_at + l.idle || at >= self.created_at + l.absolute
    }
}

/// A successful sign-in: resets the failure count, records the login, replaces the session the
/// browser had (if any) with a new one, and audits — in one transaction. Returns the cookie
/// token, or `None` when the account was locked meanwhile (by attempts running in parallel).
pub async fn login(
    db: &Db,
    actor: &Actor,
    user: &User,
    replaced: Option<&str>,
    user_agent: Option<&str>,
) -> Result<Option<(String, Session)>> {
    let token = random_token();
    let t = now();
    let session = Session {
        id: token_hash(&token),
        user_id: user.id,
        csrf_token: random_token(),
        created_at: t,
        last_seen_at: t,
        ip: actor.ip.clone(),
        user_agent: user_agent.map(|s| s.chars().take(300).collect()),
    };
    let mut tx = db.begin().await?;
    if let Some(old) = replaced {
        tx.execute(Sql::new("DELETE FROM sessions WHERE id = $1").bind(token_hash(old)))
            .await?;
    }
    tx.execute(
        Sql::new(
            "INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(&session.id)
        .bind(user.id)
        .bind(&session.csrf_token)
        .bind(t)
        .bind(session.ip.clone())
        .bind(session.user_agent.clone()),
    )
    .await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1, \
                 last_login_ip = $2 WHERE id = $3 AND (locked_until IS NULL OR locked_until <= $1)",
            )
            .bind(t)
            .bind(actor.ip.clone())
            .bind(user.id),
        )
        .await?;
    if n == 0 {
        return Ok(None);
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("login", "user", user.id).place(Some(user.region_id), Some(user.unit_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(Some((token, session)))
}

/// The live session for a cookie token, or `None` (unknown or expired; an expired one is removed).
pub async fn lookup(db: &Db, token: &str, l: Lifetimes) -> Result<Option<Session>> {
    let s: Option<Session> = db
        .optional(
            Sql::new(
                "SELECT id, user_id, csrf_token, created_at, last_seen_at, ip, user_agent \
                 FROM sessions WHERE id = $1",
            )
            .bind(token_hash(token)),
        )
        .await?;
    match s {
        Some(s) if s.expired(now(), l) => {
            db.execute(Sql::new("DELETE FROM sessions WHERE id = $1").bind(&s.id))
                .await?;
            Ok(None)
        }
        other => Ok(other),
    }
}

/// Marks the session as used. Called at most once a minute per session, so that reading pages
/// does not turn into a stream of writes.
pub async fn touch(db: &Db, id: &str) -> Result<()> {
    db.execute(
        Sql::new("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now())
            .bind(id),
    )
    .await
    .map(|_| ())
}

pub async fn logout(
    db: &Db,
    actor: &Actor,
    user: &User,
    session_id: &str,
    everywhere: bool,
) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = if everywhere {
        tx.execute(Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(user.id))
            .await?
    } else {
        tx.execute(Sql::new("DELETE FROM sessions WHERE id = $1").bind(session_id))
            .await?
    };
    audit::append(
        &mut tx,
        actor,
        Change::new(
            if everywhere { "logout_all" } else { "logout" },
            "user",
            user.id,
        )
        .place(Some(user.region_id), Some(user.unit_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// The account's live sessions, newest first (shown on the account page).
pub async fn of_user(db: &Db, user_id: i64, l: Lifetimes) -> Result<Vec<Session>> {
    let all: Vec<Session> = db
        .all(
            Sql::new(
                "SELECT id, user_id, csrf_token, created_at, last_seen_at, ip, user_agent \
                 FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC",
            )
            .bind(user_id),
        )
        .await?;
    let t = now();
    Ok(all.into_iter().filter(|s| !s.expired(t, l)).collect())
}

/// Deletes expired sessions. Safe to run from every instance at once.
pub async fn purge_expired(db: &Db, l: Lifetimes) -> Result<u64> {
    let t = now();
    db.execute(
        Sql::new("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2")
            .bind(t - l.idle)
            .bind(t - l.absolute),
    )
    .await
}
