//! `/api/v1/projects`: investment projects and their stages.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::paging::Page;
use zhaoyin_db::projects::{ProjectRow, StageCount};

use super::{ListOf, created, merged};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::projects::{
    self as svc, ProjectCreate, ProjectDetail, ProjectQuery, ProjectUpdate, StageInput,
};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list_projects).post(create_project))
        .route("/projects/stages", get(stage_counts))
        .route("/projects/{id}", get(get_project).patch(patch_project))
        .route("/projects/{id}/stage", post(move_stage))
}

/// Projects the caller may see, filtered and sorted. Amounts are in 万元.
#[utoipa::path(get, path = "/api/v1/projects", tag = "pipeline", params(ProjectQuery),
    responses((status = 200, body = ListOf<ProjectRow>)))]
pub async fn list_projects(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProjectQuery>,
) -> AppResult<axum::Json<ListOf<ProjectRow>>> {
    let page = Page::new(q.page, q.per_page);
    let f = q.filter(&st.cfg)?;
    let (items, total) = svc::list(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

/// Projects per stage with their investment (the same filters as the list, the stage aside);
/// a repeated signing of the same investment is counted once.
#[utoipa::path(get, path = "/api/v1/projects/stages", tag = "pipeline", params(ProjectQuery),
    responses((status = 200, body = Vec<StageCount>)))]
pub async fn stage_counts(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProjectQuery>,
) -> AppResult<axum::Json<Vec<StageCount>>> {
    let f = q.filter(&st.cfg)?;
    Ok(axum::Json(svc::stage_counts(&st, ctx.auth()?, &f).await?))
}

/// A new project at the lead stage (线索), responsible unit `unit_id`. A leader who already
/// owns a major project gets a second only with `owner_override` (M17).
#[utoipa::path(post, path = "/api/v1/projects", tag = "pipeline", request_body = ProjectCreate,
    responses((status = 201, body = ProjectRow)))]
pub async fn create_project(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ProjectCreate>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &b).await?))
}

/// A project with its other responsible units, its timeline and the stages it may move to.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "pipeline",
    responses((status = 200, body = ProjectDetail)))]
pub async fn get_project(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<ProjectDetail>> {
    Ok(axum::Json(svc::detail(&st, ctx.auth()?, id).await?))
}

/// Changes the fields given (a JSON merge patch: fields left out keep their value, `null`
/// clears one); `version` is required. The stage moves only through `/stage`.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "pipeline", request_body = ProjectUpdate,
    responses((status = 200, body = ProjectRow), (status = 409, body = crate::error::Problem)))]
pub async fn patch_project(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(patch): Json<serde_json::Value>,
) -> AppResult<axum::Json<ProjectRow>> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let others = svc::other_units(&st, id).await?;
    let base = ProjectUpdate {
        project: svc::input_of(&current, &others),
        version: None,
    };
    let b: ProjectUpdate = merged(&base, patch)?;
    Ok(axum::Json(svc::update(&st, &ctx, id, &b).await?))
}

/// Moves the project to another stage on a day: forward (stages may be skipped, but each one
/// passed needs what it requires: 在谈 an investor, 签约 the contract amount and total
/// investment, 注册 the project company's credit code, 开工 a town or park), 暂停 or 终止 with a
/// reason, or back from 暂停 to where it stopped. An illegal move gets 422 with its reason.
#[utoipa::path(post, path = "/api/v1/projects/{id}/stage", tag = "pipeline", request_body = StageInput,
    responses((status = 200, body = ProjectRow), (status = 409, body = crate::error::Problem)))]
pub async fn move_stage(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<StageInput>,
) -> AppResult<axum::Json<ProjectRow>> {
    Ok(axum::Json(svc::move_stage(&st, &ctx, id, &b).await?))
}
