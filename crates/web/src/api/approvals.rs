//! `/api/v1/projects/{id}/approvals`, `/api/v1/approvals`: "1+N" approvals (审批帮办): a
//! project's items by stage with their days and the predicted start of construction, kept by
//! the project's agent; the departments' days against their commitments; each county's lead
//! department per stage.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Serialize;

use super::{created, merged};
use crate::ctx::Ctx;
use crate::form::Json;
use crate::service::approvals::{
    self as svc, DepartmentRow, ItemView, ItemWrite, LandInput, PlanView, StageLeadInput,
};
use crate::{AppResult, AppState};
use zhaoyin_core::approval::ItemInput;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/approvals", get(get_plan).post(create_item))
        .route("/projects/{id}/land", put(set_land))
        .route("/approvals/departments", get(departments))
        .route("/approvals/stage-leads", post(set_stage_lead))
        .route("/approvals/{id}", get(get_item).patch(patch_item))
}

/// The project's approval items by the configured stages, each with its days used against
/// its committed days and its expected approval; the predicted start of construction; days
/// from land to start (拿地即开工).
#[utoipa::path(get, path = "/api/v1/projects/{id}/approvals", tag = "projects",
    responses((status = 200, body = PlanView)))]
pub async fn get_plan(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<PlanView>> {
    Ok(axum::Json(svc::plan(&st, ctx.auth()?, id).await?))
}

/// Adds an item, by the project's agent or whoever keeps the project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/approvals", tag = "projects",
    request_body = ItemInput, responses((status = 201, body = ItemView)))]
pub async fn create_item(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ItemInput>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, id, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "projects",
    responses((status = 200, body = ItemView)))]
pub async fn get_item(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<ItemView>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// Changes the fields given (a JSON merge patch; `version` required): the agent dates an item
/// (`submitted_on`, `approved_on`) and notes it. Only the project's agent and whoever keeps
/// the project may; another agent is refused.
#[utoipa::path(patch, path = "/api/v1/approvals/{id}", tag = "projects", request_body = ItemWrite,
    responses((status = 200, body = ItemView), (status = 409, body = crate::error::Problem)))]
pub async fn patch_item(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(patch): Json<serde_json::Value>,
) -> AppResult<axum::Json<ItemView>> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let base = ItemWrite {
        item: svc::input_of(&current.item),
        version: None,
    };
    let w: ItemWrite = merged(&base, patch)?;
    Ok(axum::Json(svc::update(&st, &ctx, id, &w).await?))
}

/// The day the project got its land (拿地), from which "拿地即开工" is counted.
#[utoipa::path(put, path = "/api/v1/projects/{id}/land", tag = "projects",
    request_body = LandInput, responses((status = 200, body = PlanView)))]
pub async fn set_land(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<LandInput>,
) -> AppResult<axum::Json<PlanView>> {
    Ok(axum::Json(svc::set_land(&st, &ctx, id, &input).await?))
}

/// Departments' approval work and the open items over their committed days.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Departments {
    pub departments: Vec<DepartmentRow>,
    /// The longest over first.
    pub over_committed: Vec<ItemView>,
}

/// Per department: items applied for, approved, over their committed days, and days used
/// against days committed; with the open items already over their committed days.
#[utoipa::path(get, path = "/api/v1/approvals/departments", tag = "projects",
    responses((status = 200, body = Departments)))]
pub async fn departments(
    State(st): State<AppState>,
    ctx: Ctx,
) -> AppResult<axum::Json<Departments>> {
    let (departments, over_committed) = svc::departments(&st, ctx.auth()?).await?;
    Ok(axum::Json(Departments {
        departments,
        over_committed,
    }))
}

/// The county's supervisor names the department leading a stage (none clears it).
#[utoipa::path(post, path = "/api/v1/approvals/stage-leads", tag = "projects",
    request_body = StageLeadInput, responses((status = 204)))]
pub async fn set_stage_lead(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<StageLeadInput>,
) -> AppResult<Response> {
    svc::set_stage_lead(&st, &ctx, &input).await?;
    Ok(http::StatusCode::NO_CONTENT.into_response())
}
