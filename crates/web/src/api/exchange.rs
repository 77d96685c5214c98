//! `/api/v1/exchange`: city–county exchange packages — a county's signed package of its
//! projects, and a city taking a county's package by HTTP push.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::exchange::Package;
use zhaoyin_db::exchange::Taken;

use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::exchange as svc;
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exchange/package", get(package))
        .route("/exchange/packages", post(take))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PackageQuery {
    /// The county whose projects the package holds.
    pub region_id: i64,
}

/// The signed package of a county's projects (stages, investment, funds in place and whether
/// each is verified), for the city. Needs this deployment's signing key
/// (`[exchange] signing_key_file`) and a supervisor over the county.
#[utoipa::path(get, path = "/api/v1/exchange/package", tag = "dashboard", params(PackageQuery),
    responses((status = 200, body = Package),
        (status = 404, description = "No such region, or not visible to the caller.")))]
pub async fn package(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PackageQuery>,
) -> AppResult<axum::Json<Package>> {
    Ok(axum::Json(
        svc::export(&st, ctx.auth()?, q.region_id).await?,
    ))
}

/// Takes a county's package (HTTP push): refused unless its signature verifies under the
/// county's trusted key (`[[exchange.trusted]]`); the county's projects then match the package
/// exactly, and the same package taken twice changes nothing.
#[utoipa::path(post, path = "/api/v1/exchange/packages", tag = "dashboard", request_body = Package,
    responses((status = 200, body = Taken)))]
pub async fn take(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(pkg): Json<Package>,
) -> AppResult<axum::Json<Taken>> {
    Ok(axum::Json(svc::take(&st, &ctx, &pkg).await?))
}
