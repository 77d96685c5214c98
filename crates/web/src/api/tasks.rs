//! `/api/v1/tasks`: the supervised tasks, their lifecycle and reports.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoyin_core::paging::Page;
use zhaoyin_db::tasks::{Report, TaskFilter, TaskRow};

use super::{ListOf, created};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::tasks::{self as svc, ReportInput, TaskDetail, TaskItem, TransitionInput};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list_tasks))
        .route("/tasks/{id}", get(get_task))
        .route("/tasks/{id}/transitions", post(transition))
        .route("/tasks/{id}/reports", get(list_reports).post(submit_report))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TaskQuery {
    /// Text in code or title.
    q: Option<String>,
    policy_id: Option<i64>,
    /// Tasks with this unit among their lead or supporting units.
    unit_id: Option<i64>,
    /// Tasks with this responsible leader (a person id).
    leader_id: Option<i64>,
    /// assigned, accepted, in_progress, close_requested or closed.
    status: Option<String>,
    /// green, yellow or red (today's light).
    light: Option<String>,
    /// once, weekly, monthly, quarterly or yearly.
    cadence: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskQuery),
    responses((status = 200, body = ListOf<TaskItem>)))]
pub async fn list_tasks(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TaskQuery>,
) -> AppResult<axum::Json<ListOf<TaskItem>>> {
    let page = Page::new(q.page, q.per_page);
    let f = TaskFilter {
        q: q.q,
        policy_id: q.policy_id,
        unit_id: q.unit_id,
        leader_id: q.leader_id,
        status: q.status,
        light: q.light,
        cadence: q.cadence,
    };
    let (items, total) = svc::list(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
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

/// Moves the task: 签收 (accept), 申请办结 (request_close, with evidence), 销号 (close),
/// 退回 (return, with a reason), reopen. An illegal move is refused with 422 and its reason;
/// a move by someone it is not for, with 403; a move decided on an old version, with 409.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/transitions", tag = "tasks", request_body = TransitionInput,
    responses((status = 200, body = TaskRow), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn transition(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<TransitionInput>,
) -> AppResult<axum::Json<TaskRow>> {
    Ok(axum::Json(svc::transition(&st, &ctx, id, &b).await?))
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
pub struct ReportCreated {
    pub report_id: i64,
}

/// The caller's unit reports for the current period (a second report in the same period
/// replaces the first until it is approved).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/reports", tag = "tasks", request_body = ReportInput,
    responses((status = 201, body = ReportCreated), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn submit_report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ReportInput>,
) -> AppResult<Response> {
    let report_id = svc::report(&st, &ctx, id, &b).await?;
    Ok(created(ReportCreated { report_id }))
}
