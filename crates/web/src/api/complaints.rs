//! `/api/v1/complaints`: investor complaints as the staff handle them — routed to a unit,
//! answered, judged (M5). Complaints are filed on the public form, which asks a challenge; the
//! complainant follows one by its tracking code at `/api/v1/public/complaints/track?code=…` (in
//! the query, which the request log leaves out).

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use zhaoyin_core::complaint::{AnswerInput, RouteInput, VerdictInput};
use zhaoyin_db::complaints::Complaint;

use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::complaints::{self as svc, ComplaintView, ListQuery, ListView, Tracked};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list))
        .route("/complaints/{id}", get(show))
        .route("/complaints/{id}/route", post(route))
        .route("/complaints/{id}/answer", post(answer))
        .route("/complaints/{id}/verdict", post(verdict))
        .route("/complaints/{id}/files/{file}", get(download))
        .route("/public/complaints/track", get(track))
}

/// The complaints the caller reads (the county's for its supervisor and leaders, the unit's for
/// a clerk), the latest first.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", params(ListQuery),
    responses((status = 200, body = ListView)))]
pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<axum::Json<ListView>> {
    Ok(axum::Json(svc::list(&st, ctx.auth()?, &q).await?))
}

/// A complaint with its files and what the caller may do to it.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints",
    responses((status = 200, body = ComplaintView)))]
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<ComplaintView>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// The supervisor sends the complaint to a unit of its county with a day to answer by (again:
/// the answer given is set aside).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/route", tag = "complaints",
    request_body = RouteInput,
    responses((status = 200, body = Complaint), (status = 409, body = crate::error::Problem)))]
pub async fn route(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<RouteInput>,
) -> AppResult<axum::Json<Complaint>> {
    Ok(axum::Json(svc::route(&st, &ctx, id, &input).await?))
}

/// The unit it was sent to answers.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/answer", tag = "complaints",
    request_body = AnswerInput,
    responses((status = 200, body = Complaint), (status = 409, body = crate::error::Problem)))]
pub async fn answer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<AnswerInput>,
) -> AppResult<axum::Json<Complaint>> {
    Ok(axum::Json(svc::answer(&st, &ctx, id, &input).await?))
}

/// The supervisor's verdict (upheld or not), which closes the complaint; an upheld one deducts
/// from its unit in assessment.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/verdict", tag = "complaints",
    request_body = VerdictInput,
    responses((status = 200, body = Complaint), (status = 409, body = crate::error::Problem)))]
pub async fn verdict(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<VerdictInput>,
) -> AppResult<axum::Json<Complaint>> {
    Ok(axum::Json(svc::judge(&st, &ctx, id, &input).await?))
}

/// A file of a complaint the caller reads.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/files/{file}", tag = "complaints",
    responses((status = 200, content_type = "application/octet-stream")))]
pub async fn download(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, file)): Path<(i64, i64)>,
) -> AppResult<axum::response::Response> {
    let (name, data) = svc::file_data(&st, ctx.auth()?, id, file).await?;
    Ok(crate::render::uploaded_file(file, &name, data, None))
}

/// The tracking code.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct CodeQuery {
    /// 16 letters and digits, dashes allowed.
    pub code: String,
}

/// What the complainant reads of a complaint by its tracking code (no account needed). The code
/// goes in the query, which the request log leaves out.
#[utoipa::path(get, path = "/api/v1/public/complaints/track", tag = "complaints",
    params(CodeQuery), responses((status = 200, body = Tracked)))]
pub async fn track(
    State(st): State<AppState>,
    Query(q): Query<CodeQuery>,
) -> AppResult<axum::Json<Tracked>> {
    Ok(axum::Json(svc::track(&st, &q.code).await?))
}
