//! `/api/v1/assessments`: assessment schemes (考核方案) kept by version, runs over a period with
//! the figures behind every score, hand scores, publication (晾晒), recomputation of a published
//! ranking, appeals (申诉) and exemptions of overdue tasks.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use super::created;
use crate::ctx::Ctx;
use crate::form::Json;
use crate::service::assessments::{
    self as svc, AppealDecision, AppealInput, ComputeInput, ExemptionInput, HandScoreInput,
    Recomputed, RunEdit, RunView, SchemeInput, SchemeView,
};
use crate::{AppResult, AppState};
use zhaoyin_db::assessments::{Appeal, Scheme};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(list_schemes).post(create_scheme))
        .route("/assessments/{id}", get(get_scheme).put(revise_scheme))
        .route("/assessments/{id}/runs", post(compute))
        .route("/assessment-runs/{id}", get(get_run))
        .route("/assessment-runs/{id}/recompute", get(recompute))
        .route("/assessment-runs/{id}/publish", post(publish))
        .route("/assessment-runs/{id}/hand-scores", put(hand_score))
        .route("/assessment-runs/{id}/appeals", post(file_appeal))
        .route("/assessment-appeals/{id}/decision", post(decide_appeal))
        .route("/assessment-exemptions", post(exempt))
}

/// The schemes of the regions the caller reads.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessment",
    responses((status = 200, body = Vec<Scheme>)))]
pub async fn list_schemes(
    State(st): State<AppState>,
    ctx: Ctx,
) -> AppResult<axum::Json<Vec<Scheme>>> {
    Ok(axum::Json(svc::list(&st, ctx.auth()?).await?))
}

/// The county's supervisor creates a scheme: groups of units, each with its indicators,
/// weights, scoring methods and multiplier; deductions. It is version 1.
#[utoipa::path(post, path = "/api/v1/assessments", tag = "assessment",
    request_body = SchemeInput, responses((status = 201, body = SchemeView)))]
pub async fn create_scheme(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<SchemeInput>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &input).await?))
}

/// A scheme, its latest version and its runs (drafts only for its supervisor).
#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "assessment",
    responses((status = 200, body = SchemeView)))]
pub async fn get_scheme(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<SchemeView>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// A new version of the scheme, made from `version`; runs keep the version they used.
#[utoipa::path(put, path = "/api/v1/assessments/{id}", tag = "assessment",
    request_body = SchemeInput, responses((status = 200, body = SchemeView)))]
pub async fn revise_scheme(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<SchemeInput>,
) -> AppResult<axum::Json<SchemeView>> {
    Ok(axum::Json(svc::revise(&st, &ctx, id, &input).await?))
}

/// Computes the scheme over a period, as of its last day: a new run or the period's draft again.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/runs", tag = "assessment",
    request_body = ComputeInput, responses((status = 201, body = RunView)))]
pub async fn compute(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<ComputeInput>,
) -> AppResult<Response> {
    Ok(created(svc::compute(&st, &ctx, id, &input).await?))
}

/// A run: every unit's figures with what is behind each, its scores group by group, its appeals.
#[utoipa::path(get, path = "/api/v1/assessment-runs/{id}", tag = "assessment",
    responses((status = 200, body = RunView)))]
pub async fn get_run(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<RunView>> {
    Ok(axum::Json(svc::get_run(&st, ctx.auth()?, id).await?))
}

/// The run's scores recomputed from the scheme version and the figures it keeps, and whether
/// they are exactly the scores it holds.
#[utoipa::path(get, path = "/api/v1/assessment-runs/{id}/recompute", tag = "assessment",
    responses((status = 200, body = Recomputed)))]
pub async fn recompute(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Recomputed>> {
    Ok(axum::Json(svc::recompute(&st, ctx.auth()?, id).await?))
}

/// Publishes (晾晒) the run: frozen from then on.
#[utoipa::path(post, path = "/api/v1/assessment-runs/{id}/publish", tag = "assessment",
    request_body = RunEdit, responses((status = 200, body = RunView)))]
pub async fn publish(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<RunEdit>,
) -> AppResult<axum::Json<RunView>> {
    Ok(axum::Json(svc::publish(&st, &ctx, id, &input).await?))
}

/// A hand score, with its reason, of a manual indicator on a draft run.
#[utoipa::path(put, path = "/api/v1/assessment-runs/{id}/hand-scores", tag = "assessment",
    request_body = HandScoreInput, responses((status = 200, body = RunView)))]
pub async fn hand_score(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<HandScoreInput>,
) -> AppResult<axum::Json<RunView>> {
    Ok(axum::Json(svc::hand_score(&st, &ctx, id, &input).await?))
}

/// A unit's clerk appeals against the unit's figure in a published run.
#[utoipa::path(post, path = "/api/v1/assessment-runs/{id}/appeals", tag = "assessment",
    request_body = AppealInput, responses((status = 201, body = Appeal)))]
pub async fn file_appeal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<AppealInput>,
) -> AppResult<Response> {
    Ok(created(svc::file_appeal(&st, &ctx, id, &input).await?))
}

/// The supervisor upholds an appeal (the figure amended, the scores recomputed) or rejects it.
#[utoipa::path(post, path = "/api/v1/assessment-appeals/{id}/decision", tag = "assessment",
    request_body = AppealDecision, responses((status = 200, body = Appeal)))]
pub async fn decide_appeal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<AppealDecision>,
) -> AppResult<axum::Json<Appeal>> {
    Ok(axum::Json(svc::decide_appeal(&st, &ctx, id, &input).await?))
}

/// The supervisor exempts an overdue task from deductions (force majeure).
#[utoipa::path(post, path = "/api/v1/assessment-exemptions", tag = "assessment",
    request_body = ExemptionInput, responses((status = 204)))]
pub async fn exempt(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ExemptionInput>,
) -> AppResult<Response> {
    svc::exempt(&st, &ctx, &input).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
