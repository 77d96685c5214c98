//! `/api/v1/tasks`: the supervised tasks, their lifecycle, reports and follow-up.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;
use zhaoyin_core::paging::Page;
use zhaoyin_db::follow_up::{DeadlineChange, Explanation};
use zhaoyin_db::tasks::{Report, TaskRow, UnitLights};

use super::{ListOf, created};
use crate::ctx::Ctx;
use crate::form::{Json, Query, decode_files};
use crate::service::tasks::{
    self as svc, AskInput, DeadlineInput, ExplainInput, NoteInput, ReportInput, ReviewInput,
    TaskDetail, TaskItem, TaskQuery, TransitionInput,
};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list_tasks))
        .route("/tasks/lights-by-unit", get(lights_by_unit))
        .route("/tasks/{id}", get(get_task))
        .route("/tasks/{id}/transitions", post(transition))
        .route("/tasks/{id}/reports", get(list_reports).post(submit_report))
        .route(
            "/tasks/{id}/reports/{report_id}/review",
            post(review_report),
        )
        .route("/tasks/{id}/notes", post(add_note))
        .route(
            "/tasks/{id}/explanations",
            get(list_explanations).post(ask_explanation),
        )
        .route("/tasks/{id}/explanations/{eid}", post(explain))
        .route(
            "/tasks/{id}/explanations/{eid}/review",
            post(review_explanation),
        )
        .route(
            "/tasks/{id}/deadline-changes",
            get(list_deadline_changes).post(request_deadline),
        )
        .route(
            "/tasks/{id}/deadline-changes/{cid}/decision",
            post(decide_deadline),
        )
}

/// Tasks the caller may see, filtered and sorted; `as_of` gives the list as it was at the end
/// of a past day (statuses, deadlines and lights then).
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskQuery),
    responses((status = 200, body = ListOf<TaskItem>), (status = 422, body = crate::error::Problem)))]
pub async fn list_tasks(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TaskQuery>,
) -> AppResult<axum::Json<ListOf<TaskItem>>> {
    let page = Page::new(q.page, q.per_page);
    let f = q.filter(&st.cfg)?;
    let (items, total) = svc::list(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

/// Tasks by lead unit and light (the same filters as the list), worst unit first.
#[utoipa::path(get, path = "/api/v1/tasks/lights-by-unit", tag = "tasks", params(TaskQuery),
    responses((status = 200, body = Vec<UnitLights>)))]
pub async fn lights_by_unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TaskQuery>,
) -> AppResult<axum::Json<Vec<UnitLights>>> {
    let f = q.filter(&st.cfg)?;
    Ok(axum::Json(svc::lights_by_unit(&st, ctx.auth()?, &f).await?))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks",
    responses((status = 200, body = TaskDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_task(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<TaskDetail>> {
    Ok(axum::Json(svc::detail(&st, ctx.auth()?, id).await?))
}

/// Moves the task: 签收 (accept), 申请办结 (request_close, with evidence text or files),
/// 销号 (close), 退回 (return, with a reason), reopen. An illegal move is refused with 422 and
/// its reason; a move by someone it is not for, with 403; a move decided on an old version, 409.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/transitions", tag = "tasks", request_body = TransitionInput,
    responses((status = 200, body = TaskRow), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn transition(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<TransitionInput>,
) -> AppResult<axum::Json<TaskRow>> {
    let files = decode_files("files", &b.files)?;
    Ok(axum::Json(svc::transition(&st, &ctx, id, &b, files).await?))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/reports", tag = "tasks",
    responses((status = 200, body = Vec<Report>)))]
pub async fn list_reports(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Vec<Report>>> {
    svc::load(&st, ctx.auth()?, id).await?;
    Ok(axum::Json(zhaoyin_db::tasks::reports_of(&st.db, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// The caller's unit reports for the current period (a second report in the same period
/// replaces the first until it is approved).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reports", tag = "tasks", request_body = ReportInput,
    responses((status = 201, body = Created), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn submit_report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ReportInput>,
) -> AppResult<Response> {
    let files = decode_files("files", &b.files)?;
    let id = svc::report(&st, &ctx, id, &b, files).await?;
    Ok(created(Created { id }))
}

/// The supervisor approves (通过) or returns (退回, with a comment) a submitted report; 409 if
/// it was already decided.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reports/{report_id}/review", tag = "tasks", request_body = ReviewInput,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn review_report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, report_id)): Path<(i64, i64)>,
    Json(b): Json<ReviewInput>,
) -> AppResult<http::StatusCode> {
    svc::review_report(&st, &ctx, id, report_id, &b).await?;
    Ok(http::StatusCode::NO_CONTENT)
}

/// A reminder (催办, by a supervisor) or an instruction (批示, by a leader), on the timeline.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/notes", tag = "tasks", request_body = NoteInput,
    responses((status = 201, body = Created), (status = 403, body = crate::error::Problem)))]
pub async fn add_note(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<NoteInput>,
) -> AppResult<Response> {
    let id = svc::note(&st, &ctx, id, &b).await?;
    Ok(created(Created { id }))
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/explanations", tag = "tasks",
    responses((status = 200, body = Vec<Explanation>)))]
pub async fn list_explanations(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Vec<Explanation>>> {
    svc::load(&st, ctx.auth()?, id).await?;
    Ok(axum::Json(
        zhaoyin_db::follow_up::explanations_of(&st.db, id).await?,
    ))
}

/// The supervisor asks the lead units for a written explanation (书面说明). A task that turns
/// red is asked automatically. One may be open at a time.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/explanations", tag = "tasks", request_body = AskInput,
    responses((status = 201, body = Created), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn ask_explanation(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<AskInput>,
) -> AppResult<Response> {
    let id = svc::ask_explanation(&st, &ctx, id, &b).await?;
    Ok(created(Created { id }))
}

/// A lead unit hands in its explanation (again, after a return).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/explanations/{eid}", tag = "tasks", request_body = ExplainInput,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn explain(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, eid)): Path<(i64, i64)>,
    Json(b): Json<ExplainInput>,
) -> AppResult<http::StatusCode> {
    svc::explain(&st, &ctx, id, eid, &b).await?;
    Ok(http::StatusCode::NO_CONTENT)
}

/// The supervisor accepts an explanation or returns it with a comment.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/explanations/{eid}/review", tag = "tasks", request_body = ReviewInput,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn review_explanation(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, eid)): Path<(i64, i64)>,
    Json(b): Json<ReviewInput>,
) -> AppResult<http::StatusCode> {
    svc::review_explanation(&st, &ctx, id, eid, &b).await?;
    Ok(http::StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/tasks/{id}/deadline-changes", tag = "tasks",
    responses((status = 200, body = Vec<DeadlineChange>)))]
pub async fn list_deadline_changes(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Vec<DeadlineChange>>> {
    svc::load(&st, ctx.auth()?, id).await?;
    Ok(axum::Json(
        zhaoyin_db::follow_up::deadline_changes_of(&st.db, id).await?,
    ))
}

/// Asks for a new deadline (调整/延期) with its reason; it applies once the supervisor approves.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/deadline-changes", tag = "tasks", request_body = DeadlineInput,
    responses((status = 201, body = Created), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn request_deadline(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<DeadlineInput>,
) -> AppResult<Response> {
    let id = svc::request_deadline(&st, &ctx, id, &b).await?;
    Ok(created(Created { id }))
}

/// The supervisor approves (`approve: true`) or rejects a waiting deadline change.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/deadline-changes/{cid}/decision", tag = "tasks", request_body = ReviewInput,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn decide_deadline(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    Json(b): Json<ReviewInput>,
) -> AppResult<http::StatusCode> {
    svc::decide_deadline(&st, &ctx, id, cid, &b).await?;
    Ok(http::StatusCode::NO_CONTENT)
}
