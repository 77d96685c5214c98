//! `/api/v1/target-lists`: 精准对接招引清单 with their quotas' progress and duty units.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use zhaoyin_core::paging::Page;
use zhaoyin_core::target::{TargetEntryInput, TargetListInput};
use zhaoyin_db::targets::TargetList;

use super::{ListOf, created, merged};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::targets::{self as svc, TargetListDetail, TargetListQuery, TargetListUpdate};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/target-lists",
            get(list_target_lists).post(create_target_list),
        )
        .route(
            "/target-lists/{id}",
            get(get_target_list).patch(patch_target_list),
        )
        .route("/target-lists/{id}/entries", post(add_target_entry))
        .route(
            "/target-lists/{id}/entries/{entry}",
            delete(remove_target_entry),
        )
}

/// The target lists of the counties the caller sees, latest year first.
#[utoipa::path(get, path = "/api/v1/target-lists", tag = "pipeline", params(TargetListQuery),
    responses((status = 200, body = ListOf<TargetList>)))]
pub async fn list_target_lists(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TargetListQuery>,
) -> AppResult<axum::Json<ListOf<TargetList>>> {
    let page = Page::new(q.page, q.per_page);
    let (items, total) = svc::list(&st, ctx.auth()?, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

/// Opens the caller's county's list for a year (one per year), with its quotas per company
/// mark and the units with a recruiting duty.
#[utoipa::path(post, path = "/api/v1/target-lists", tag = "pipeline", request_body = TargetListInput,
    responses((status = 201, body = TargetList)))]
pub async fn create_target_list(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<TargetListInput>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &input).await?))
}

/// A list with each quota's progress (entries whose company has the mark, and how many of those
/// are in contact, signed or landed), each duty unit's projects first heard of in the year, the
/// units short of `min_projects_per_unit`, and the entries.
#[utoipa::path(get, path = "/api/v1/target-lists/{id}", tag = "pipeline",
    responses((status = 200, body = TargetListDetail)))]
pub async fn get_target_list(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<TargetListDetail>> {
    Ok(axum::Json(svc::detail(&st, ctx.auth()?, id).await?))
}

/// Changes the fields given (a JSON merge patch); `version` is required.
#[utoipa::path(patch, path = "/api/v1/target-lists/{id}", tag = "pipeline", request_body = TargetListUpdate,
    responses((status = 200, body = TargetList), (status = 409, body = crate::error::Problem)))]
pub async fn patch_target_list(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(patch): Json<serde_json::Value>,
) -> AppResult<axum::Json<TargetList>> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let base = TargetListUpdate {
        list: svc::input_of(&st, &current).await?,
        version: None,
    };
    let w: TargetListUpdate = merged(&base, patch)?;
    Ok(axum::Json(svc::update(&st, &ctx, id, &w).await?))
}

/// Puts a company of the county's library on the list with its responsible unit and leader and
/// the planned actions; a company already on it is refused. Answers the list as it now stands.
#[utoipa::path(post, path = "/api/v1/target-lists/{id}/entries", tag = "pipeline",
    request_body = TargetEntryInput, responses((status = 201, body = TargetListDetail)))]
pub async fn add_target_entry(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<TargetEntryInput>,
) -> AppResult<Response> {
    svc::add_entry(&st, &ctx, id, &input).await?;
    Ok(created(svc::detail(&st, ctx.auth()?, id).await?))
}

#[utoipa::path(delete, path = "/api/v1/target-lists/{id}/entries/{entry}", tag = "pipeline",
    responses((status = 204)))]
pub async fn remove_target_entry(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, entry)): Path<(i64, i64)>,
) -> AppResult<Response> {
    svc::remove_entry(&st, &ctx, id, entry).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
