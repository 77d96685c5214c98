//! `/api/v1/incentives`: the county's incentive rules (激励规则), the what-if calculator, and the
//! award ledger (奖励台账): introducers' rewards (M10) and innovation-platform subsidies (M12),
//! proposed, publicly noticed (公示), approved, paid or rejected, each flagged when today's facts
//! no longer support it.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use zhaoyin_core::incentive::Claim;

use super::created;
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::incentives::{
    self as svc, AwardView, ExcellentQuery, ExcellentView, LedgerQuery, PlatformInput,
    ProjectClaim, RulesInput, RulesView, StepInput, VetoInput, WhatIf,
};
use crate::{AppResult, AppState};
use zhaoyin_db::incentives::Veto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incentives/rules", get(get_rules).put(save_rules))
        .route("/incentives/what-if", post(what_if))
        .route("/incentives/awards", get(ledger))
        .route("/incentives/platform-awards", post(propose_platform))
        .route("/incentives/awards/{id}", get(get_award))
        .route("/incentives/awards/{id}/steps", post(take_step))
        .route("/incentives/excellent", get(excellent))
        .route("/incentives/vetoes", post(add_veto))
        .route("/incentives/vetoes/{id}", delete(remove_veto))
        .route(
            "/projects/{id}/introducer-award",
            get(project_claim).post(propose_introducer),
        )
}

/// The rules of the caller's county (none until its supervisor saves them).
#[utoipa::path(get, path = "/api/v1/incentives/rules", tag = "incentives",
    responses((status = 200, body = RulesView), (status = 422, body = crate::error::Problem)))]
pub async fn get_rules(State(st): State<AppState>, ctx: Ctx) -> AppResult<axum::Json<RulesView>> {
    Ok(axum::Json(svc::rules(&st, ctx.auth()?).await?))
}

/// The county's supervisor saves its rules: the introducer's tier table (20–300万元 each,
/// rising), the platform subsidies by level, the days of public notice. Naming the version read
/// (none the first time); every problem named by its path.
#[utoipa::path(put, path = "/api/v1/incentives/rules", tag = "incentives",
    request_body = RulesInput, responses((status = 200, body = RulesView), (status = 409, body = crate::error::Problem)))]
pub async fn save_rules(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<RulesInput>,
) -> AppResult<axum::Json<RulesView>> {
    Ok(axum::Json(svc::save_rules(&st, &ctx, &input).await?))
}

/// What the county's introducer rule gives figures typed here: nothing is stored.
#[utoipa::path(post, path = "/api/v1/incentives/what-if", tag = "incentives",
    request_body = Claim, responses((status = 200, body = WhatIf)))]
pub async fn what_if(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(claim): Json<Claim>,
) -> AppResult<axum::Json<WhatIf>> {
    Ok(axum::Json(svc::what_if(&st, ctx.auth()?, &claim).await?))
}

/// The awards the caller reads, the latest first, each with what it was computed from and a
/// clawback flag when today's facts give less.
#[utoipa::path(get, path = "/api/v1/incentives/awards", tag = "incentives", params(LedgerQuery),
    responses((status = 200, body = Vec<AwardView>)))]
pub async fn ledger(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LedgerQuery>,
) -> AppResult<axum::Json<Vec<AwardView>>> {
    Ok(axum::Json(svc::ledger(&st, ctx.auth()?, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/incentives/awards/{id}", tag = "incentives",
    responses((status = 200, body = AwardView)))]
pub async fn get_award(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<AwardView>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// The county's supervisor proposes the subsidy of a newly approved innovation platform.
#[utoipa::path(post, path = "/api/v1/incentives/platform-awards", tag = "incentives",
    request_body = PlatformInput, responses((status = 201, body = AwardView)))]
pub async fn propose_platform(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<PlatformInput>,
) -> AppResult<Response> {
    Ok(created(svc::propose_platform(&st, &ctx, &input).await?))
}

/// A step in the ledger: `notice` (公示 from today), `approve` (once the notice is over),
/// `pay`, or `reject` with a reason.
#[utoipa::path(post, path = "/api/v1/incentives/awards/{id}/steps", tag = "incentives",
    request_body = StepInput, responses((status = 200, body = AwardView), (status = 409, body = crate::error::Problem)))]
pub async fn take_step(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<StepInput>,
) -> AppResult<axum::Json<AwardView>> {
    Ok(axum::Json(svc::take_step(&st, &ctx, id, &input).await?))
}

/// A project's introducer claim as the platform holds it today and what the county's rule
/// gives it (the what-if of the real figures), with the live award for it, if any.
#[utoipa::path(get, path = "/api/v1/projects/{id}/introducer-award", tag = "incentives",
    responses((status = 200, body = ProjectClaim), (status = 422, body = crate::error::Problem)))]
pub async fn project_claim(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<ProjectClaim>> {
    Ok(axum::Json(svc::project_claim(&st, ctx.auth()?, id).await?))
}

/// The county's supervisor proposes the project introducer's award as the rule gives it today;
/// refused with every reason when it gives nothing.
#[utoipa::path(post, path = "/api/v1/projects/{id}/introducer-award", tag = "incentives",
    responses((status = 201, body = AwardView), (status = 422, body = crate::error::Problem)))]
pub async fn propose_introducer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(created(svc::propose_introducer(&st, &ctx, id).await?))
}

/// The county's units eligible for the year's "excellent" grade (M5): each unit's introductions
/// that count (a project of a World or China Top 500 company, a major project or a headquarters,
/// signed in the year and credited to its first introducing unit; a national-program talent
/// landed in the year), its veto item if any, and whether it is eligible. For readers of the
/// whole county.
#[utoipa::path(get, path = "/api/v1/incentives/excellent", tag = "incentives",
    params(ExcellentQuery), responses((status = 200, body = ExcellentView)))]
pub async fn excellent(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ExcellentQuery>,
) -> AppResult<axum::Json<ExcellentView>> {
    Ok(axum::Json(svc::excellent(&st, ctx.auth()?, q.year).await?))
}

/// The county's supervisor records a veto item (一票否决) barring a unit from a year's grade;
/// one per unit and year.
#[utoipa::path(post, path = "/api/v1/incentives/vetoes", tag = "incentives",
    request_body = VetoInput, responses((status = 201, body = Veto)))]
pub async fn add_veto(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<VetoInput>,
) -> AppResult<Response> {
    Ok(created(svc::add_veto(&st, &ctx, &input).await?))
}

/// The county's supervisor takes a veto item back (the audit log keeps it).
#[utoipa::path(delete, path = "/api/v1/incentives/vetoes/{id}", tag = "incentives",
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn remove_veto(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    svc::remove_veto(&st, &ctx, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
