//! `/api/v1/activities`: recruiting activities, trip registration and approval, and the monthly
//! statistics per unit.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::paging::Page;
use zhaoyin_db::activities::Activity;

use super::{ListOf, created, merged};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::activities::{
    self as svc, ActivityQuery, ActivityStatusInput, ActivityWrite, MonthlyStats,
};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list_activities).post(create_activity))
        .route("/activities/stats", get(activity_stats))
        .route("/activities/{id}", get(get_activity).patch(patch_activity))
        .route("/activities/{id}/status", post(set_activity_status))
}

/// Activities the caller may see, filtered, latest first.
#[utoipa::path(get, path = "/api/v1/activities", tag = "pipeline", params(ActivityQuery),
    responses((status = 200, body = ListOf<Activity>)))]
pub async fn list_activities(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ActivityQuery>,
) -> AppResult<axum::Json<ListOf<Activity>>> {
    let page = Page::new(q.page, q.per_page);
    let f = q.filter(&st.cfg)?;
    let (items, total) = svc::list(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

/// Records an activity of `unit_id` (default: the caller's unit). A trip is registered for
/// approval (status registered; registered_late when its first day has passed); the other kinds
/// are recorded after they happened (status done).
#[utoipa::path(post, path = "/api/v1/activities", tag = "pipeline", request_body = ActivityWrite,
    responses((status = 201, body = Activity)))]
pub async fn create_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(w): Json<ActivityWrite>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &w).await?))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "pipeline",
    responses((status = 200, body = Activity)))]
pub async fn get_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Activity>> {
    Ok(axum::Json(svc::get(&st, ctx.auth()?, id).await?))
}

/// Changes the fields given (a JSON merge patch); `version` is required. An approved or returned
/// trip, once edited, is registered again for approval.
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "pipeline", request_body = ActivityWrite,
    responses((status = 200, body = Activity), (status = 409, body = crate::error::Problem)))]
pub async fn patch_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(patch): Json<serde_json::Value>,
) -> AppResult<axum::Json<Activity>> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let base = ActivityWrite {
        activity: svc::input_of(&current),
        unit_id: Some(current.unit_id),
        version: None,
    };
    let w: ActivityWrite = merged(&base, patch)?;
    Ok(axum::Json(svc::update(&st, &ctx, id, &w).await?))
}

/// Moves an activity: the approver approves a registered trip or returns it with a reason; who
/// keeps it records a trip's outcome once it started (done) or cancels with a reason.
#[utoipa::path(post, path = "/api/v1/activities/{id}/status", tag = "pipeline",
    request_body = ActivityStatusInput,
    responses((status = 200, body = Activity), (status = 409, body = crate::error::Problem)))]
pub async fn set_activity_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ActivityStatusInput>,
) -> AppResult<axum::Json<Activity>> {
    Ok(axum::Json(svc::set_status(&st, &ctx, id, &b).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StatsQuery {
    /// YYYY-MM (default: this month).
    pub month: Option<String>,
}

/// The monthly statistics per unit: counted activities by kind for every unit taking part,
/// projects signed and landed (registered) credited to the unit. Each figure equals the count
/// of the activity or project list with the same filter.
#[utoipa::path(get, path = "/api/v1/activities/stats", tag = "pipeline", params(StatsQuery),
    responses((status = 200, body = MonthlyStats)))]
pub async fn activity_stats(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StatsQuery>,
) -> AppResult<axum::Json<MonthlyStats>> {
    let month = svc::month_or_this(&st, q.month.as_deref())?;
    Ok(axum::Json(
        svc::monthly_stats(&st, ctx.auth()?, month).await?,
    ))
}
