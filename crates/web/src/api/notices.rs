//! `/api/v1/notices`: the caller's inbox.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use zhaoyin_db::notices::Notice;

use crate::ctx::Ctx;
use crate::form::Query;
use crate::service::notices::{self as svc, InboxQuery, InboxView};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list))
        .route("/notices/read-all", post(read_all))
        .route("/notices/{id}/read", post(read))
}

/// The caller's notices, the latest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", params(InboxQuery),
    responses((status = 200, body = InboxView)))]
pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InboxQuery>,
) -> AppResult<axum::Json<InboxView>> {
    Ok(axum::Json(svc::inbox(&st, ctx.auth()?, &q).await?))
}

/// Marks one of the caller's notices read.
#[utoipa::path(post, path = "/api/v1/notices/{id}/read", tag = "notices",
    responses((status = 200, body = Notice)))]
pub async fn read(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Notice>> {
    Ok(axum::Json(svc::read(&st, ctx.auth()?, id).await?))
}

/// Marks all the caller's notices read.
#[utoipa::path(post, path = "/api/v1/notices/read-all", tag = "notices",
    responses((status = 204)))]
pub async fn read_all(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    svc::read_all(&st, ctx.auth()?).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
