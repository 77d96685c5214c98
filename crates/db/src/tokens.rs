//! Personal API tokens for scripts: `Authorization: Bearer zy_…`. Only a hash is stored; the
//! token is shown once, when it is made.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::sessions::{prefixed_token, token_hash};
use crate::users::User;
use crate::{Db, Error, Result, Sql, now};

pub const PREFIX: &str = "zy_";

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the token, so a user can tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const TOKEN_SELECT: &str =
    "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens";

/// Makes a token; returns it in full (the only time it is known) with its record.
pub async fn create(db: &Db, actor: &Actor, user: &User, name: &str) -> Result<(String, ApiToken)> {
    let (token, prefix) = prefixed_token(PREFIX);
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(user.id)
            .bind(name)
            .bind(token_hash(&token))
            .bind(&prefix)
            .bind(now()),
        )
        .await?;
    let row: ApiToken = tx
        .one(Sql::new(format!("{TOKEN_SELECT} WHERE id = $1")).bind(id))
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("token_create", "user", user.id)
            .place(Some(user.region_id), Some(user.unit_id))
            .after(&row),
    )
    .await?;
    tx.commit().await?;
    Ok((token, row))
}

pub async fn of_user(db: &Db, user_id: i64) -> Result<Vec<ApiToken>> {
    db.all(
        Sql::new(format!(
            "{TOKEN_SELECT} WHERE user_id = $1 ORDER BY id DESC"
        ))
        .bind(user_id),
    )
    .await
}

pub async fn revoke(db: &Db, actor: &Actor, user: &User, token_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(now())
            .bind(token_id)
            .bind(user.id),
        )
        .await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("token_revoke", "user", user.id)
            .place(Some(user.region_id), Some(user.unit_id))
            .after(&serde_json::json!({ "token_id": token_id })),
    )
    .await?;
    tx.commit().await
}

/// The account behind a bearer token, if the token is live.
pub async fn lookup(db: &Db, token: &str) -> Result<Option<ApiToken>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    db.optional(
        Sql::new(format!(
            "{TOKEN_SELECT} WHERE token_hash = $1 AND revoked_at IS NULL"
        ))
        .bind(token_hash(token)),
    )
    .await
}

/// Records use, at most once a minute per token (see `sessions::touch`).
pub async fn touch(db: &Db, token: &ApiToken) -> Result<()> {
    let t = now();
    if token
        .last_used_at
        .is_some_and(|last| t - last < chrono::Duration::seconds(60))
    {
        return Ok(());
    }
    db.execute(
        Sql::new("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(t)
            .bind(token.id),
    )
    .await
    .map(|_| ())
}
