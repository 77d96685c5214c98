//! Accounts and their role grants; the sign-in bookkeeping (failed attempts, lockout, last
//! login); loading a [`Principal`] for permission checks.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use zhaoyin_core::authz::{Grant, Principal, Role, Scope, Visibility};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;

use crate::audit::{self, Actor, Change};
use crate::org::push_visibility;
use crate::{Db, Error, Result, Sql, Tx, escape_like, now};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub region_id: i64,
    pub region_path: String,
    pub person_id: Option<i64>,
    pub must_change_password: bool,
    pub password_changed_at: Option<DateTime<Utc>>,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub last_login_ip: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.unit_id),
        }
    }
}

const USER_SELECT: &str = "SELECT x.id, x.username, x.display_name, x.unit_id, u.name AS unit_name, \
     u.region_id, r.path AS region_path, x.person_id, x.must_change_password, \
     x.password_changed_at, x.failed_logins, x.locked_until, x.last_login_at, x.last_login_ip, \
     x.active, x.version, x.created_at, x.updated_at";
const USER_FROM: &str = " FROM users x JOIN units u ON u.id = x.unit_id \
     JOIN regions r ON r.id = u.region_id WHERE 1 = 1";

/// Usernames are compared case-insensitively: stored lower-case.
pub fn normalize_username(s: &str) -> String {
    s.trim().to_lowercase()
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub role: Option<String>,
    pub include_inactive: bool,
}

pub async fn list(
    db: &Db,
    vis: &Visibility,
    f: &UserFilter,
    page: Page,
) -> Result<(Vec<User>, i64)> {
    let mut w = Sql::new(USER_FROM);
    push_visibility(&mut w, vis, "r.path", Some("u.id"));
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pat = format!("%{}%", escape_like(&q.to_lowercase()));
        w.push(" AND (x.username LIKE ")
            .push_bind(pat.clone())
            .push(" ESCAPE '\\' OR LOWER(x.display_name) LIKE ")
            .push_bind(pat)
            .push(" ESCAPE '\\')");
    }
    if let Some(unit) = f.unit_id {
        w.push(" AND x.unit_id = ").push_bind(unit);
    }
    if let Some(role) = &f.role {
        w.push(" AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = x.id AND g.role = ")
            .push_bind(role)
            .push(")");
    }
    if !f.include_inactive {
        w.push(" AND x.active = ").push_bind(true);
    }
    crate::org::page_of(
        db,
        &w,
        USER_SELECT,
        "r.path, u.sort_order, x.username",
        page,
    )
    .await
}

pub async fn get(db: &Db, id: i64) -> Result<User> {
    db.one(Sql::new(format!("{USER_SELECT}{USER_FROM} AND x.id = $1")).bind(id))
        .await
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>> {
    db.optional(
        Sql::new(format!("{USER_SELECT}{USER_FROM} AND x.username = $1"))
            .bind(normalize_username(username)),
    )
    .await
}

async fn user_in(tx: &mut Tx, id: i64) -> Result<User> {
    tx.one(Sql::new(format!("{USER_SELECT}{USER_FROM} AND x.id = $1")).bind(id))
        .await
}

/// The password hash of an account, for sign-in.
pub async fn password_hash(db: &Db, id: i64) -> Result<String> {
    let (h,): (String,) = db
        .one(Sql::new("SELECT password_hash FROM users WHERE id = $1").bind(id))
        .await?;
    Ok(h)
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub person_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// Creates an account, optionally with its first grants, in one audited transaction.
pub async fn create(db: &Db, actor: &Actor, n: &NewUser, grants: &[NewGrant]) -> Result<User> {
    let mut tx = db.begin().await?;
    let t = now();
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO users (username, display_name, unit_id, person_id, password_hash, \
                 must_change_password, password_changed_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7) RETURNING id",
            )
            .bind(normalize_username(&n.username))
            .bind(&n.display_name)
            .bind(n.unit_id)
            .bind(n.person_id)
            .bind(&n.password_hash)
            .bind(n.must_change_password)
            .bind(t),
        )
        .await?;
    let after = user_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "user", id)
            .place(Some(after.region_id), Some(after.unit_id))
            .after(&after),
    )
    .await?;
    for g in grants {
        grant_in(&mut tx, actor, &after, g).await?;
    }
    tx.commit().await?;
    Ok(after)
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    display_name: &str,
    unit_id: i64,
    person_id: Option<i64>,
) -> Result<User> {
    let mut tx = db.begin().await?;
    let before = user_in(&mut tx, id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE users SET display_name = $1, unit_id = $2, person_id = $3, \
                 version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .bind(display_name)
            .bind(unit_id)
            .bind(person_id)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    if n != 1 {
        return Err(Error::Stale);
    }
    let after = user_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("update", "user", id)
            .place(Some(after.region_id), Some(after.unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Disabling an account also ends its sessions and revokes its API tokens.
pub async fn set_active(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    active: bool,
) -> Result<User> {
    let mut tx = db.begin().await?;
    let before = user_in(&mut tx, id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE users SET active = $1, failed_logins = 0, locked_until = NULL, \
                 version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
            )
            .bind(active)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    if n != 1 {
        return Err(Error::Stale);
    }
    if !active {
        tx.execute(Sql::new("DELETE FROM sessions WHERE user_id = $1").bind(id))
            .await?;
        tx.execute(
            Sql::new(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now())
            .bind(id),
        )
        .await?;
    }
    let after = user_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new(if active { "enable" } else { "disable" }, "user", id)
            .place(Some(after.region_id), Some(after.unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets a new password hash. `must_change` is true when an administrator resets it, which also
/// revokes the account's API tokens. Ends every session of the account except `keep_session`
/// (the one that made the change, if any).
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    hash: &str,
    must_change: bool,
    keep_session: Option<&str>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let user = user_in(&mut tx, id).await?;
    tx.execute(
        Sql::new(
            "UPDATE users SET password_hash = $1, must_change_password = $2, \
             password_changed_at = $3, failed_logins = 0, locked_until = NULL, \
             version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(hash)
        .bind(must_change)
        .bind(now())
        .bind(id),
    )
    .await?;
    tx.execute(
        Sql::new("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(id)
            .bind(keep_session.unwrap_or("")),
    )
    .await?;
    if must_change {
        // A reset means the account may be in other hands: its tokens go too.
        tx.execute(
            Sql::new(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now())
            .bind(id),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new(
            if must_change {
                "password_reset"
            } else {
                "password_change"
            },
            "user",
            id,
        )
        .place(Some(user.region_id), Some(user.unit_id)),
    )
    .await?;
    tx.commit().await
}

/// The outcome of reserving a sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The password may be checked; this is the account's `n`th attempt in a row.
    Allowed(i64),
    Locked(DateTime<Utc>),
}

async fn lock(
    tx: &mut Tx,
    actor: &Actor,
    user: &User,
    failed: i64,
    lock_for: Duration,
) -> Result<DateTime<Utc>> {
    let until = now() + lock_for;
    tx.execute(
        Sql::new("UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2")
            .bind(until)
            .bind(user.id),
    )
    .await?;
    let mut change =
        Change::new("lock", "user", user.id).place(Some(user.region_id), Some(user.unit_id));
    change.after = Some(serde_json::json!({ "failed_logins": failed, "locked_until": until }));
    audit::append(tx, actor, change).await?;
    Ok(until)
}

/// Counts an attempt before its password is checked, atomically, so that many attempts sent at
/// once cannot all slip past the lockout: beyond `max_attempts` the account locks at once and
/// the password is not even looked at.
pub async fn reserve_login_attempt(
    db: &Db,
    actor: &Actor,
    user: &User,
    max_attempts: i64,
    lock_for: Duration,
) -> Result<Attempt> {
    let mut tx = db.begin().await?;
    let t = now();
    let counted: Option<(i64,)> = tx
        .optional(
            Sql::new(
                "UPDATE users SET failed_logins = failed_logins + 1                  WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING failed_logins",
            )
            .bind(user.id)
            .bind(t),
        )
        .await?;
    let attempt = match counted {
        None => {
            let (until,): (Option<DateTime<Utc>>,) = tx
                .one(Sql::new("SELECT locked_until FROM users WHERE id = $1").bind(user.id))
                .await?;
            Attempt::Locked(until.unwrap_or(t))
        }
        Some((n,)) if n > max_attempts => {
            Attempt::Locked(lock(&mut tx, actor, user, n, lock_for).await?)
        }
        Some((n,)) => Attempt::Allowed(n),
    };
    tx.commit().await?;
    Ok(attempt)
}

/// A reserved attempt whose password was wrong: audited, and at the `max_attempts`th in a row
/// the account is locked for `lock_for`. Returns the lock's end if this attempt locked it.
pub async fn record_failed_login(
    db: &Db,
    actor: &Actor,
    user: &User,
    attempt: i64,
    max_attempts: i64,
    lock_for: Duration,
) -> Result<Option<DateTime<Utc>>> {
    let mut tx = db.begin().await?;
    let locked = if attempt >= max_attempts {
        Some(lock(&mut tx, actor, user, attempt, lock_for).await?)
    } else {
        let mut change = Change::new("login_failed", "user", user.id)
            .place(Some(user.region_id), Some(user.unit_id));
        change.after = Some(serde_json::json!({ "failed_logins": attempt }));
        audit::append(&mut tx, actor, change).await?;
        None
    };
    tx.commit().await?;
    Ok(locked)
}

// ------------------------------------------------------------------------------------ grants

/// A grant as stored, with what the screens show about its scope.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub scope_unit_id: Option<i64>,
    pub scope_region_id: Option<i64>,
    pub scope_name: String,
    pub scope_path: String,
    pub created_at: DateTime<Utc>,
}

impl GrantRow {
    pub fn to_grant(&self) -> Option<Grant> {
        stored_grant(
            &self.role,
            self.scope_unit_id,
            self.scope_region_id,
            &self.scope_path,
        )
    }
}

/// A grant as stored: a role over a unit (in the region at `path`) or over the region at `path`.
fn stored_grant(role: &str, unit: Option<i64>, region: Option<i64>, path: &str) -> Option<Grant> {
    let role = Role::parse(role)?;
    let scope = match (unit, region) {
        (Some(id), _) => Scope::Unit {
            id,
            region_path: path.to_owned(),
        },
        (None, Some(id)) => Scope::Region {
            id,
            path: path.to_owned(),
        },
        (None, None) => return None,
    };
    Some(Grant { role, scope })
}

/// A grant to make: role over a unit or a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    pub role: Role,
    pub scope_unit_id: Option<i64>,
    pub scope_region_id: Option<i64>,
}

const GRANT_SELECT: &str = "SELECT g.id, g.user_id, g.role, g.scope_unit_id, g.scope_region_id, \
     COALESCE(su.name, sr.name) AS scope_name, COALESCE(sur.path, sr.path) AS scope_path, g.created_at \
     FROM role_grants g \
     LEFT JOIN units su ON su.id = g.scope_unit_id \
     LEFT JOIN regions sur ON sur.id = su.region_id \
     LEFT JOIN regions sr ON sr.id = g.scope_region_id";

pub async fn grants_of(db: &Db, user_id: i64) -> Result<Vec<GrantRow>> {
    db.all(Sql::new(format!("{GRANT_SELECT} WHERE g.user_id = $1 ORDER BY g.id")).bind(user_id))
        .await
}

pub async fn grant_by_id(db: &Db, grant_id: i64) -> Result<GrantRow> {
    db.one(Sql::new(format!("{GRANT_SELECT} WHERE g.id = $1")).bind(grant_id))
        .await
}

/// The account's permissions. Grants whose scope is disabled still count: disabling a unit
/// with active accounts is refused, so this only matters for regions, which keep their path.
pub async fn principal(db: &Db, user: &User) -> Result<Principal> {
    Ok(signed_in(db, user.id).await?.1)
}

/// An account with one of its grants (none: the grant's columns are null).
#[derive(sqlx::FromRow)]
struct UserGrant {
    #[sqlx(flatten)]
    user: User,
    grant_role: Option<String>,
    grant_unit_id: Option<i64>,
    grant_region_id: Option<i64>,
    grant_path: Option<String>,
}

/// The account and its permissions in one statement, as every signed-in request needs them
/// (its grants are those [`grants_of`] lists).
pub async fn signed_in(db: &Db, id: i64) -> Result<(User, Principal)> {
    let rows: Vec<UserGrant> = db
        .all(
            Sql::new(format!(
                "{USER_SELECT}, g.role AS grant_role, g.scope_unit_id AS grant_unit_id, \
                 g.scope_region_id AS grant_region_id, COALESCE(sur.path, sr.path) AS grant_path\
                 {} LEFT JOIN role_grants g ON g.user_id = x.id \
                 LEFT JOIN units su ON su.id = g.scope_unit_id \
                 LEFT JOIN regions sur ON sur.id = su.region_id \
                 LEFT JOIN regions sr ON sr.id = g.scope_region_id \
                 WHERE x.id = $1 ORDER BY g.id",
                USER_FROM.trim_end_matches(" WHERE 1 = 1")
            ))
            .bind(id),
        )
        .await?;
    let mut grants = Vec::with_capacity(rows.len());
    let mut user = None;
    for r in rows {
        // A grant without its scope's path grants nothing (an empty path would cover every
        // region).
        if let (Some(role), Some(path)) = (&r.grant_role, &r.grant_path) {
            grants.extend(stored_grant(role, r.grant_unit_id, r.grant_region_id, path));
        }
        user.get_or_insert(r.user);
    }
    let user = user.ok_or(Error::NotFound)?;
    let principal = Principal {
        user_id: user.id,
        unit_id: user.unit_id,
        grants,
    };
    Ok((user, principal))
}

async fn grant_in(tx: &mut Tx, actor: &Actor, user: &User, g: &NewGrant) -> Result<i64> {
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO role_grants (user_id, role, scope_unit_id, scope_region_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(user.id)
            .bind(g.role.id())
            .bind(g.scope_unit_id)
            .bind(g.scope_region_id)
            .bind(now()),
        )
        .await?;
    let row: GrantRow = tx
        .one(Sql::new(format!("{GRANT_SELECT} WHERE g.id = $1")).bind(id))
        .await?;
    audit::append(
        tx,
        actor,
        Change::new("grant", "user", user.id)
            .place(Some(user.region_id), Some(user.unit_id))
            .after(&row),
    )
    .await?;
    Ok(id)
}

pub async fn grant(db: &Db, actor: &Actor, user: &User, g: &NewGrant) -> Result<i64> {
    let mut tx = db.begin().await?;
    let id = grant_in(&mut tx, actor, user, g).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn revoke(db: &Db, actor: &Actor, user: &User, grant_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let row: GrantRow = tx
        .one(
            Sql::new(format!("{GRANT_SELECT} WHERE g.id = $1 AND g.user_id = $2"))
                .bind(grant_id)
                .bind(user.id),
        )
        .await?;
    tx.execute(Sql::new("DELETE FROM role_grants WHERE id = $1").bind(grant_id))
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("revoke", "user", user.id)
            .place(Some(user.region_id), Some(user.unit_id))
            .before(&row),
    )
    .await?;
    tx.commit().await
}

/// Counts for the home page: accounts, units and people the caller may see.
#[derive(Debug, Clone, Copy, Default, Serialize, sqlx::FromRow)]
pub struct OrgCounts {
    pub regions: i64,
    pub units: i64,
    pub people: i64,
}

pub async fn org_counts(db: &Db, p: &Principal) -> Result<OrgCounts> {
    use zhaoyin_core::authz::{Action, Entity};
    let mut q = Sql::new("SELECT (SELECT COUNT(*) FROM regions r WHERE r.active = $1");
    q = q.bind(true);
    push_visibility(
        &mut q,
        &p.visibility(Entity::Region, Action::Read),
        "r.path",
        None,
    );
    q.push(") AS regions, (SELECT COUNT(*) FROM units u JOIN regions r ON r.id = u.region_id WHERE u.active = $1");
    push_visibility(
        &mut q,
        &p.visibility(Entity::Unit, Action::Read),
        "r.path",
        Some("u.id"),
    );
    q.push(") AS units, (SELECT COUNT(*) FROM people pp JOIN units u ON u.id = pp.unit_id JOIN regions r ON r.id = u.region_id WHERE pp.active = $1");
    push_visibility(
        &mut q,
        &p.visibility(Entity::Person, Action::Read),
        "r.path",
        Some("u.id"),
    );
    q.push(") AS people");
    db.one(q).await
}
