//! City–county exchange: a county's supervisor exports the county's signed package (when this
//! deployment has a signing key); a city's supervisor takes a county's package (when this
//! deployment trusts that county's key), by file or by HTTP push. See `zhaoyin_db::exchange`.

use zhaoyin_core::authz::{Entity, Role};
use zhaoyin_core::exchange::{self as core, Package, Payload};
use zhaoyin_db::exchange::{self as db, Taken};
use zhaoyin_db::org::Region;

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// Refuses unless the caller is a supervisor over `region`.
fn supervises(auth: &Auth, region: &Region) -> AppResult<()> {
    if auth
        .principal
        .holds_over(Role::Supervisor, Entity::Project, &region.place())
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether this deployment signs packages (a county's).
pub fn can_export(st: &AppState) -> bool {
    st.cfg.exchange.signing.is_some()
}

/// The signed package of `region_id`'s projects, as of now.
pub async fn export(st: &AppState, auth: &Auth, region_id: i64) -> AppResult<Package> {
    let region = zhaoyin_db::org::get_region(&st.db, region_id).await?;
    auth.require(
        Entity::Region,
        zhaoyin_core::authz::Action::Read,
        &region.place(),
    )?;
    supervises(auth, &region)?;
    let key = st
        .cfg
        .exchange
        .signing
        .as_ref()
        .ok_or_else(|| AppError::invalid("region_id", "err.exchange_no_key"))?;
    let payload = Payload {
        county_code: region.code.clone(),
        county_name: region.name.clone(),
        generated_at: chrono::Utc::now(),
        projects: db::snapshot(&st.db, &region).await?,
    };
    core::seal(&payload, key).map_err(|e| AppError::Internal(e.to_string()))
}

/// Takes a county's package: verified under the county's trusted key, checked project by
/// project, and written in one transaction by a supervisor over that county.
pub async fn take(st: &AppState, ctx: &Ctx, pkg: &Package) -> AppResult<Taken> {
    let auth = ctx.auth()?;
    let payload =
        core::open(pkg, &st.cfg.exchange).map_err(|r| AppError::invalid("signature", r.code()))?;
    core::check(&payload)?;
    let region = zhaoyin_db::org::region_by_code(&st.db, &payload.county_code)
        .await?
        .ok_or_else(|| AppError::invalid("county_code", "err.exchange_county"))?;
    supervises(auth, &region)?;
    Ok(db::take(&st.db, &ctx.actor(), &region, &payload).await?)
}

/// What taking a package did, in a sentence.
pub fn describe(t: &crate::i18n::Tr, k: &Taken) -> String {
    t.tf(
        "exchange.taken",
        &[
            ("created", k.created.to_string()),
            ("updated", k.updated.to_string()),
            ("withdrawn", k.withdrawn.to_string()),
            ("unchanged", k.unchanged.to_string()),
        ],
    )
}

/// A package from the bytes of an uploaded file.
pub fn parse(bytes: &[u8]) -> AppResult<Package> {
    serde_json::from_slice(bytes).map_err(|_| AppError::invalid("file", "err.exchange_format"))
}
