//! `/api/v1/meetings`: weekly scheduling meetings (每周调度会): created with an agenda generated
//! from the county's major project supervision; attendance; decisions that become tasks or
//! problems; the minutes as DOCX.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post, put};

use super::created;
use crate::ctx::Ctx;
use crate::form::Json;
use crate::render;
use crate::service::meetings::{self as svc, AttendanceInput, MeetingView};
use crate::{AppResult, AppState};
use zhaoyin_core::meeting::{DecisionInput, MeetingInput};
use zhaoyin_db::meetings::{Decision, Meeting};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list_meetings).post(create_meeting))
        .route("/meetings/{id}", get(get_meeting))
        .route("/meetings/{id}/attendance", put(set_attendance))
        .route("/meetings/{id}/decisions", post(decide))
        .route("/meetings/{id}/minutes.docx", get(minutes))
}

/// The meetings of the counties the caller reads, the latest first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "projects",
    responses((status = 200, body = Vec<Meeting>)))]
pub async fn list_meetings(
    State(st): State<AppState>,
    ctx: Ctx,
) -> AppResult<axum::Json<Vec<Meeting>>> {
    Ok(axum::Json(svc::list(&st, ctx.auth()?).await?))
}

/// The county's supervisor creates a meeting; its agenda is generated from what happened since
/// the county's last meeting: stalled projects, overdue problems, approval items over their
/// committed days, new problems.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "projects", request_body = MeetingInput,
    responses((status = 201, body = MeetingView)))]
pub async fn create_meeting(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<MeetingInput>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &input).await?))
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "projects",
    responses((status = 200, body = MeetingView)))]
pub async fn get_meeting(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<MeetingView>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// Replaces the attendance: people of the county, each present or on leave.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/attendance", tag = "projects",
    request_body = Vec<AttendanceInput>, responses((status = 200, body = MeetingView)))]
pub async fn set_attendance(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(people): Json<Vec<AttendanceInput>>,
) -> AppResult<axum::Json<MeetingView>> {
    Ok(axum::Json(
        svc::set_attendance(&st, &ctx, id, &people).await?,
    ))
}

/// Records a decision (议定事项); it becomes a task for the unit (kind task) or a problem on
/// the project's list (kind problem), with the unit and deadline given.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/decisions", tag = "projects",
    request_body = DecisionInput, responses((status = 201, body = Decision)))]
pub async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<DecisionInput>,
) -> AppResult<Response> {
    Ok(created(svc::decide(&st, &ctx, id, &input).await?))
}

/// The minutes (会议纪要) as a Word document.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/minutes.docx", tag = "projects",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>)))]
pub async fn minutes(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(render::docx(
        svc::minutes(&st, &ctx, id).await?,
        svc::MINUTES_FILE,
    ))
}
