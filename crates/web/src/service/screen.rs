//! The big screen (大屏) and its display links: a supervisor over a region makes a read-only link
//! that opens the region's screen without signing in (for the command room's screen), and
//! revokes it. The screen behind a link reads as a viewer over that region, nothing else.

use zhaoyin_core::authz::{Action, Entity, Grant, Principal, Role, Scope};
use zhaoyin_core::{FieldError, Invalid, validation};
use zhaoyin_db::display::{self as db, DisplayLink};
use zhaoyin_db::org::Region;

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// A region whose links the caller may manage: a supervisor's over it.
async fn managed(st: &AppState, auth: &Auth, region_id: i64) -> AppResult<Region> {
    let region = zhaoyin_db::org::get_region(&st.db, region_id).await?;
    auth.require(Entity::Region, Action::Read, &region.place())?;
    if !auth
        .principal
        .holds_over(Role::Supervisor, Entity::Project, &region.place())
    {
        return Err(AppError::Forbidden);
    }
    Ok(region)
}

/// Whether the caller may make display links for `region`.
pub fn may_manage(auth: &Auth, region: &Region) -> bool {
    auth.principal
        .holds_over(Role::Supervisor, Entity::Project, &region.place())
}

pub async fn links(
    st: &AppState,
    auth: &Auth,
    region_id: i64,
) -> AppResult<(Region, Vec<DisplayLink>)> {
    let region = managed(st, auth, region_id).await?;
    let links = db::of_region(&st.db, region.id).await?;
    Ok((region, links))
}

/// How long a new link lasts unless its maker says otherwise (days), and at most (years).
pub const LINK_DAYS: i64 = 365;
pub const LINK_MAX_YEARS: u32 = 3;

/// A new link to `region_id`'s screen, opening it through `expires_on` (after today, within
/// [`LINK_MAX_YEARS`]): the token (shown once) and the link.
pub async fn create_link(
    st: &AppState,
    ctx: &Ctx,
    region_id: i64,
    name: &str,
    expires_on: &str,
) -> AppResult<(String, DisplayLink)> {
    let region = managed(st, ctx.auth()?, region_id).await?;
    let mut e = Invalid::default();
    let name = validation::required(&mut e, "name", name, 100);
    let today = st.cfg.today();
    let last = today
        .checked_add_months(chrono::Months::new(12 * LINK_MAX_YEARS))
        .unwrap_or(chrono::NaiveDate::MAX);
    let day = crate::form::opt_date(&mut e, "expires_on", expires_on);
    match day {
        None if expires_on.trim().is_empty() => {
            e.push(FieldError::new("expires_on", "err.required"));
        }
        Some(d) if d <= today || d > last => {
            e.push(FieldError::new("expires_on", "err.link_expiry").with("years", LINK_MAX_YEARS));
        }
        _ => {}
    }
    e.into_result()?;
    let Some(day) = day else {
        return Err(AppError::invalid("expires_on", "err.date"));
    };
    Ok(db::create(&st.db, &ctx.actor(), &region, &name, day).await?)
}

pub async fn revoke_link(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<DisplayLink> {
    let link = db::get(&st.db, id).await?;
    managed(st, ctx.auth()?, link.region_id).await?;
    db::revoke(&st.db, &ctx.actor(), &link).await?;
    Ok(link)
}

/// The link a token opens, and what its screen may read: a viewer's reach over its region. An
/// unknown, revoked or expired token opens nothing.
pub async fn open(st: &AppState, token: &str) -> AppResult<(DisplayLink, Principal)> {
    let link = db::lookup(&st.db, token, st.cfg.today())
        .await?
        .ok_or(AppError::NotFound)?;
    let principal = Principal {
        user_id: 0,
        unit_id: 0,
        grants: vec![Grant {
            role: Role::Viewer,
            scope: Scope::Region {
                id: link.region_id,
                path: link.region_path.clone(),
            },
        }],
    };
    Ok((link, principal))
}
