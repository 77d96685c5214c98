//! `/api/v1/financing`: new loans to the county's enterprises against M7's growth target, and
//! projects recommended to banks and funds (M7, M13).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use zhaoyin_core::financing::{LoanInput, OutcomeInput, ReferralInput};
use zhaoyin_db::financing::{Loan, Referral};

use super::created;
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::financing::{self as svc, LoansView, ReferralsView, YearQuery};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/financing/loans", get(list_loans).post(add_loan))
        .route("/financing/loans/{id}", delete(remove_loan))
        .route(
            "/financing/referrals",
            get(list_referrals).post(add_referral),
        )
        .route("/financing/referrals/{id}/outcome", post(decide))
}

/// The year's new loans the caller reads, with their total against the year before's and M7's
/// 10% growth target, by kind and by bank.
#[utoipa::path(get, path = "/api/v1/financing/loans", tag = "incentives", params(YearQuery),
    responses((status = 200, body = LoansView)))]
pub async fn list_loans(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<axum::Json<LoansView>> {
    Ok(axum::Json(svc::loans(&st, ctx.auth()?, q.year).await?))
}

/// Records a new loan for the caller's unit, to a company of its county's library.
#[utoipa::path(post, path = "/api/v1/financing/loans", tag = "incentives",
    request_body = LoanInput, responses((status = 201, body = Loan)))]
pub async fn add_loan(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<LoanInput>,
) -> AppResult<Response> {
    Ok(created(svc::add_loan(&st, &ctx, &input).await?))
}

/// Takes a loan recorded in error back (the audit log keeps it).
#[utoipa::path(delete, path = "/api/v1/financing/loans/{id}", tag = "incentives",
    responses((status = 204)))]
pub async fn remove_loan(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    svc::remove_loan(&st, &ctx, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The year's recommendations of projects to banks and funds, and what they brought.
#[utoipa::path(get, path = "/api/v1/financing/referrals", tag = "incentives", params(YearQuery),
    responses((status = 200, body = ReferralsView)))]
pub async fn list_referrals(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<axum::Json<ReferralsView>> {
    Ok(axum::Json(svc::referrals(&st, ctx.auth()?, q.year).await?))
}

/// Records a project of the caller's county recommended to a bank or a fund.
#[utoipa::path(post, path = "/api/v1/financing/referrals", tag = "incentives",
    request_body = ReferralInput, responses((status = 201, body = Referral)))]
pub async fn add_referral(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ReferralInput>,
) -> AppResult<Response> {
    Ok(created(svc::add_referral(&st, &ctx, &input).await?))
}

/// What came of a recommendation: financed with the amount, or declined with the reason; once.
#[utoipa::path(post, path = "/api/v1/financing/referrals/{id}/outcome", tag = "incentives",
    request_body = OutcomeInput, responses((status = 200, body = Referral), (status = 409, body = crate::error::Problem)))]
pub async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<OutcomeInput>,
) -> AppResult<axum::Json<Referral>> {
    Ok(axum::Json(svc::decide(&st, &ctx, id, &input).await?))
}
