//! `/api/v1/problems`: the problem list of projects (问题清单): raise a problem on a project,
//! take it up, solve or return it, verify a solution, and the written explanation owed for a
//! problem overdue while its project is stalled.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::paging::Page;

use super::{ListOf, created, merged};
use crate::ctx::Ctx;
use crate::form::{Json, Query, decode_files};
use crate::render;
use crate::service::problems::{
    self as svc, ProblemExplanation, ProblemMove, ProblemQuery, ProblemView, ProblemWrite,
};
use crate::{AppResult, AppState};
use zhaoyin_core::problem::ProblemInput;
use zhaoyin_db::progress::ProjectFile;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/problems", get(list_problems))
        .route("/projects/{id}/problems", post(create_problem))
        .route("/problems/{id}", get(get_problem).patch(patch_problem))
        .route("/problems/{id}/status", post(set_problem_status))
        .route("/problems/{id}/explanation", post(explain_problem))
        .route("/problems/{id}/files", get(problem_files))
        .route("/problems/{id}/files/{fid}", get(problem_file))
}

/// Problems the caller may see (of the projects they read, and those their unit must solve):
/// open ones first by deadline, then the rest, latest first.
#[utoipa::path(get, path = "/api/v1/problems", tag = "projects", params(ProblemQuery),
    responses((status = 200, body = ListOf<ProblemView>)))]
pub async fn list_problems(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProblemQuery>,
) -> AppResult<axum::Json<ListOf<ProblemView>>> {
    let page = Page::new(q.page, q.per_page);
    let f = q.filter(&st.cfg)?;
    let (items, total) = svc::list(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

/// Raises a problem on a project the caller keeps, assigned to a unit of the project's county
/// with a deadline (not in the past).
#[utoipa::path(post, path = "/api/v1/projects/{id}/problems", tag = "projects",
    request_body = ProblemInput, responses((status = 201, body = ProblemView)))]
pub async fn create_problem(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ProblemInput>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, id, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "projects",
    responses((status = 200, body = ProblemView)))]
pub async fn get_problem(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<ProblemView>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// Changes the fields given (a JSON merge patch); `version` is required. A returned problem
/// assigned again is open again.
#[utoipa::path(patch, path = "/api/v1/problems/{id}", tag = "projects", request_body = ProblemWrite,
    responses((status = 200, body = ProblemView), (status = 409, body = crate::error::Problem)))]
pub async fn patch_problem(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(patch): Json<serde_json::Value>,
) -> AppResult<axum::Json<ProblemView>> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let base = ProblemWrite {
        problem: svc::input_of(&current.problem),
        version: None,
    };
    let w: ProblemWrite = merged(&base, patch)?;
    Ok(axum::Json(svc::update(&st, &ctx, id, &w).await?))
}

/// Moves a problem: the responsible unit takes it up (in_progress), solves it (solved, with the
/// resolution as `text`) or returns it (returned, with the reason); the county's supervisor
/// verifies a solution (closed) or sends it back (in_progress, with the reason). Evidence of a
/// solution goes with the move to solved, as `files`.
#[utoipa::path(post, path = "/api/v1/problems/{id}/status", tag = "projects",
    request_body = ProblemMove,
    responses((status = 200, body = ProblemView), (status = 409, body = crate::error::Problem)))]
pub async fn set_problem_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(m): Json<ProblemMove>,
) -> AppResult<axum::Json<ProblemView>> {
    let files = decode_files("files", &m.files)?;
    Ok(axum::Json(svc::set_status(&st, &ctx, id, &m, files).await?))
}

/// The responsible unit's written explanation (书面说明), owed while the problem is overdue and
/// its project stalled (paused, or held up by this problem).
#[utoipa::path(post, path = "/api/v1/problems/{id}/explanation", tag = "projects",
    request_body = ProblemExplanation,
    responses((status = 200, body = ProblemView), (status = 409, body = crate::error::Problem)))]
pub async fn explain_problem(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(x): Json<ProblemExplanation>,
) -> AppResult<axum::Json<ProblemView>> {
    Ok(axum::Json(svc::explain(&st, &ctx, id, &x).await?))
}

/// The evidence handed in with the problem's solution.
#[utoipa::path(get, path = "/api/v1/problems/{id}/files", tag = "projects",
    responses((status = 200, body = Vec<ProjectFile>)))]
pub async fn problem_files(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Vec<ProjectFile>>> {
    Ok(axum::Json(svc::files(&st, ctx.auth()?, id).await?))
}

/// One file of the evidence, as a download.
#[utoipa::path(get, path = "/api/v1/problems/{id}/files/{fid}", tag = "projects",
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>)))]
pub async fn problem_file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (meta, data) = svc::file(&st, ctx.auth()?, id, fid).await?;
    Ok(render::uploaded_file(meta.id, &meta.filename, data, None))
}
