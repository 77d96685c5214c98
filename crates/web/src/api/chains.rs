//! `/api/v1/chains`: industry chains, their segments and gaps.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use zhaoyin_core::chain::ChainInput;
use zhaoyin_core::paging::Page;
use zhaoyin_db::chains::Chain;

use super::{ListOf, created, merged};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::chains::{self as svc, ChainDetail, ChainQuery, ChainSummary, ChainUpdate};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/chains", get(list_chains).post(create_chain))
        .route("/chains/{id}", get(get_chain).patch(patch_chain))
}

/// The chains of the counties the caller sees, with their totals and the number of gaps.
#[utoipa::path(get, path = "/api/v1/chains", tag = "pipeline", params(ChainQuery),
    responses((status = 200, body = ListOf<ChainSummary>)))]
pub async fn list_chains(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ChainQuery>,
) -> AppResult<axum::Json<ListOf<ChainSummary>>> {
    let page = Page::new(q.page, q.per_page);
    let (items, total) = svc::list(&st, ctx.auth()?, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

/// Adds a chain to the county of its lead unit (supervisors). The segments are an outline: one
/// per line, indented to make a sub-segment; a problem names its line.
#[utoipa::path(post, path = "/api/v1/chains", tag = "pipeline", request_body = ChainInput,
    responses((status = 201, body = Chain)))]
pub async fn create_chain(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ChainInput>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &input).await?))
}

/// A chain with its team and its segments: per segment its own local companies (已落地),
/// targets and projects, the counts over the segment and beneath it, and its gap (missing =
/// 缺链, no local company; weak = 弱链, one) with the targets to recruit for it.
#[utoipa::path(get, path = "/api/v1/chains/{id}", tag = "pipeline",
    responses((status = 200, body = ChainDetail)))]
pub async fn get_chain(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<ChainDetail>> {
    Ok(axum::Json(svc::detail(&st, ctx.auth()?, id).await?))
}

/// Changes the fields given (a JSON merge patch); `version` is required. Segments kept in the
/// outline (by name, or renamed in place) keep their companies and projects; removing a segment
/// that still has some is refused.
#[utoipa::path(patch, path = "/api/v1/chains/{id}", tag = "pipeline", request_body = ChainUpdate,
    responses((status = 200, body = Chain), (status = 409, body = crate::error::Problem)))]
pub async fn patch_chain(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(patch): Json<serde_json::Value>,
) -> AppResult<axum::Json<Chain>> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let base = ChainUpdate {
        chain: svc::input_of(&st, &current).await?,
        version: None,
    };
    let w: ChainUpdate = merged(&base, patch)?;
    Ok(axum::Json(svc::update(&st, &ctx, id, &w).await?))
}
