//! `/api/v1/companies`: the company library.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::paging::Page;
use zhaoyin_db::companies::Company;

use super::{ListOf, created, merged};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::companies::{self as svc, CompanyQuery, CompanyWrite, StatusInput};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/companies", get(list_companies).post(create_company))
        .route("/companies/{id}", get(get_company).patch(patch_company))
        .route("/companies/{id}/status", post(set_status))
}

/// Companies of the libraries the caller may see, filtered.
#[utoipa::path(get, path = "/api/v1/companies", tag = "pipeline", params(CompanyQuery),
    responses((status = 200, body = ListOf<Company>)))]
pub async fn list_companies(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompanyQuery>,
) -> AppResult<axum::Json<ListOf<Company>>> {
    let page = Page::new(q.page, q.per_page);
    let f = q.filter()?;
    let (items, total) = svc::list(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

/// Adds a company to the library of the county of `unit_id` (default: the caller's unit). A
/// credit code whose check character is wrong, or a company already there (same code, or the
/// same name once width, brackets and 有限责任公司/有限公司 are set aside), is refused with 422.
#[utoipa::path(post, path = "/api/v1/companies", tag = "pipeline", request_body = CompanyWrite,
    responses((status = 201, body = Company)))]
pub async fn create_company(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(w): Json<CompanyWrite>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &w).await?))
}

#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "pipeline",
    responses((status = 200, body = Company)))]
pub async fn get_company(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Company>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// Changes the fields given (a JSON merge patch: fields left out keep their value, `null`
/// clears one); `version` is required.
#[utoipa::path(patch, path = "/api/v1/companies/{id}", tag = "pipeline", request_body = CompanyWrite,
    responses((status = 200, body = Company), (status = 409, body = crate::error::Problem)))]
pub async fn patch_company(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(patch): Json<serde_json::Value>,
) -> AppResult<axum::Json<Company>> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let base = CompanyWrite {
        company: svc::input_of(&current),
        unit_id: current.unit_id,
        segment_ids: current.segment_ids.clone(),
        version: None,
    };
    let w: CompanyWrite = merged(&base, patch)?;
    Ok(axum::Json(svc::update(&st, &ctx, id, &w).await?))
}

/// Moves the status of contact: potential → contacting → signed → landed, or abandoned (with
/// a reason) and taken up again.
#[utoipa::path(post, path = "/api/v1/companies/{id}/status", tag = "pipeline", request_body = StatusInput,
    responses((status = 200, body = Company), (status = 409, body = crate::error::Problem)))]
pub async fn set_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<StatusInput>,
) -> AppResult<axum::Json<Company>> {
    Ok(axum::Json(svc::set_status(&st, &ctx, id, &b).await?))
}
