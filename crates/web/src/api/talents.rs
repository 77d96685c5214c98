//! `/api/v1/talents`: the talent library.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::paging::Page;
use zhaoyin_db::talents::Talent;

use super::{ListOf, created, merged};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::companies::StatusInput;
use crate::service::talents::{self as svc, TalentQuery, TalentWrite};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/talents", get(list_talents).post(create_talent))
        .route("/talents/{id}", get(get_talent).patch(patch_talent))
        .route("/talents/{id}/status", post(set_talent_status))
}

/// Talents of the libraries the caller may see, filtered, last changed first.
#[utoipa::path(get, path = "/api/v1/talents", tag = "pipeline", params(TalentQuery),
    responses((status = 200, body = ListOf<Talent>)))]
pub async fn list_talents(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TalentQuery>,
) -> AppResult<axum::Json<ListOf<Talent>>> {
    let page = Page::new(q.page, q.per_page);
    let f = q.filter()?;
    let (items, total) = svc::list(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

/// Adds an expert or a team to the library of the county of `unit_id` (default: the caller's
/// unit). Programs must be among the configured talent programs; the same name with the same
/// affiliation is refused as already there.
#[utoipa::path(post, path = "/api/v1/talents", tag = "pipeline", request_body = TalentWrite,
    responses((status = 201, body = Talent)))]
pub async fn create_talent(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(w): Json<TalentWrite>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &w).await?))
}

#[utoipa::path(get, path = "/api/v1/talents/{id}", tag = "pipeline",
    responses((status = 200, body = Talent)))]
pub async fn get_talent(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Talent>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// Changes the fields given (a JSON merge patch); `version` is required.
#[utoipa::path(patch, path = "/api/v1/talents/{id}", tag = "pipeline", request_body = TalentWrite,
    responses((status = 200, body = Talent), (status = 409, body = crate::error::Problem)))]
pub async fn patch_talent(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(patch): Json<serde_json::Value>,
) -> AppResult<axum::Json<Talent>> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let base = TalentWrite {
        talent: svc::input_of(&current),
        unit_id: current.unit_id,
        version: None,
    };
    let w: TalentWrite = merged(&base, patch)?;
    Ok(axum::Json(svc::update(&st, &ctx, id, &w).await?))
}

/// Moves the status of contact: potential → contacting → signed → landed (introduced, 已引进),
/// steps may be skipped; or abandoned (with a reason) and taken up again.
#[utoipa::path(post, path = "/api/v1/talents/{id}/status", tag = "pipeline", request_body = StatusInput,
    responses((status = 200, body = Talent), (status = 409, body = crate::error::Problem)))]
pub async fn set_talent_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<StatusInput>,
) -> AppResult<axum::Json<Talent>> {
    Ok(axum::Json(svc::set_status(&st, &ctx, id, &b).await?))
}
