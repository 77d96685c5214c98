//! Display links (大屏链接): read-only addresses that open a region's big screen without signing
//! in. Only a hash of the token is stored; the token is shown once, when the link is made.
//! Making and revoking a link are audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::audit::{self, Actor, Change};
use crate::org::Region;
use crate::sessions::{prefixed_token, token_hash};
use crate::{Db, Error, Result, Sql, now};

pub const PREFIX: &str = "zd_";

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct DisplayLink {
    pub id: i64,
    pub region_id: i64,
    pub region_name: String,
    pub region_path: String,
    pub name: String,
    /// The first characters of the token, so links can be told apart.
    pub prefix: String,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The last day the link opens its screen.
    pub expires_on: Option<NaiveDate>,
}

const SELECT: &str = "SELECT l.id, l.region_id, r.name AS region_name, r.path AS region_path, \
     l.name, l.prefix, us.display_name AS created_by_name, l.created_at, l.last_used_at, \
     l.revoked_at, l.expires_on FROM display_links l JOIN regions r ON r.id = l.region_id \
     LEFT JOIN users us ON us.id = l.created_by";

/// Makes a link to `region`'s screen; returns the token in full (the only time it is known).
pub async fn create(
    db: &Db,
    actor: &Actor,
    region: &Region,
    name: &str,
    expires_on: NaiveDate,
) -> Result<(String, DisplayLink)> {
    let (token, prefix) = prefixed_token(PREFIX);
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO display_links (region_id, name, token_hash, prefix, created_by, \
                 created_at, expires_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(region.id)
            .bind(name)
            .bind(token_hash(&token))
            .bind(&prefix)
            .bind(actor.user_id)
            .bind(now())
            .bind(expires_on),
        )
        .await?;
    let row: DisplayLink = tx
        .one(Sql::new(format!("{SELECT} WHERE l.id = $1")).bind(id))
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("display_link_create", "display_link", id)
            .place(Some(region.id), None)
            .after(&row),
    )
    .await?;
    tx.commit().await?;
    Ok((token, row))
}

/// The links to `region_id`'s screen, the newest first.
pub async fn of_region(db: &Db, region_id: i64) -> Result<Vec<DisplayLink>> {
    db.all(
        Sql::new(format!(
            "{SELECT} WHERE l.region_id = $1 ORDER BY l.id DESC"
        ))
        .bind(region_id),
    )
    .await
}

pub async fn get(db: &Db, id: i64) -> Result<DisplayLink> {
    db.one(Sql::new(format!("{SELECT} WHERE l.id = $1")).bind(id))
        .await
}

pub async fn revoke(db: &Db, actor: &Actor, link: &DisplayLink) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE display_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(now())
            .bind(link.id),
        )
        .await?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("display_link_revoke", "display_link", link.id)
            .place(Some(link.region_id), None)
            .before(link),
    )
    .await?;
    tx.commit().await
}

/// The live link a token opens on `today` (not revoked, not expired), and records its use (at
/// most once a minute).
pub async fn lookup(db: &Db, token: &str, today: NaiveDate) -> Result<Option<DisplayLink>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let link: Option<DisplayLink> = db
        .optional(
            Sql::new(format!(
                "{SELECT} WHERE l.token_hash = $1 AND l.revoked_at IS NULL AND l.expires_on >= $2"
            ))
            .bind(token_hash(token))
            .bind(today),
        )
        .await?;
    if let Some(l) = &link {
        let t = now();
        if l.last_used_at
            .is_none_or(|last| t - last >= chrono::Duration::seconds(60))
        {
            db.execute(
                Sql::new("UPDATE display_links SET last_used_at = $1 WHERE id = $2")
                    .bind(t)
                    .bind(l.id),
            )
            .await?;
        }
    }
    Ok(link)
}
