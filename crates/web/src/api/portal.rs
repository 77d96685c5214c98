//! The public policy portal (M1): published policies and the public progress of their tasks,
//! read without an account; publishing, for those who write the policy's region.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use zhaoyin_db::portal::PublicPolicy;

use crate::ctx::Ctx;
use crate::form::Json;
use crate::service::portal::{self as svc, PolicyView, PublishPolicy, PublishTask};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/policies", get(list))
        .route("/public/policies/{id}", get(show))
        .route("/policies/{id}/public", put(publish_policy))
        .route("/tasks/{id}/public", put(publish_task))
}

/// The published policies, the latest first (no account needed).
#[utoipa::path(get, path = "/api/v1/public/policies", tag = "portal",
    responses((status = 200, body = Vec<PublicPolicy>)))]
pub async fn list(State(st): State<AppState>) -> AppResult<axum::Json<Vec<PublicPolicy>>> {
    Ok(axum::Json(svc::policies(&st).await?))
}

/// A published policy: its measures, each with the tasks whose progress is public, and each
/// task's latest approved report (no account needed).
#[utoipa::path(get, path = "/api/v1/public/policies/{id}", tag = "portal",
    responses((status = 200, body = PolicyView)))]
pub async fn show(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<PolicyView>> {
    Ok(axum::Json(svc::policy(&st, id).await?))
}

/// Publishes a policy on the portal or takes it back; optionally makes all its tasks' progress
/// public or not at once.
#[utoipa::path(put, path = "/api/v1/policies/{id}/public", tag = "portal",
    request_body = PublishPolicy, responses((status = 204), (status = 403, body = crate::error::Problem)))]
pub async fn publish_policy(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<PublishPolicy>,
) -> AppResult<Response> {
    svc::publish_policy(&st, &ctx, id, &input).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// Makes a task's progress public on the portal, or not.
#[utoipa::path(put, path = "/api/v1/tasks/{id}/public", tag = "portal",
    request_body = PublishTask, responses((status = 204), (status = 403, body = crate::error::Problem)))]
pub async fn publish_task(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<PublishTask>,
) -> AppResult<Response> {
    svc::publish_task(&st, &ctx, id, &input).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
