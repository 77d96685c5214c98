//! Channels: the caller's notice settings (`/api/v1/account/notice-settings`), the units' group
//! bots (`/api/v1/bots`), and the delivery log (`/api/v1/deliveries`). Messages are sent by the
//! delivery job, never by these requests.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use zhaoyin_db::deliveries::{Bot, Settings};

use super::created;
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::deliveries::{
    self as svc, BotInput, DeliveryLog, DeliveryQuery, SettingsInput, SettingsView,
};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/notice-settings", get(settings).put(save_settings))
        .route("/bots", get(bots).post(add_bot))
        .route("/bots/{id}", get(bot).put(update_bot))
        .route("/bots/{id}/test", post(test_bot))
        .route("/deliveries", get(log))
        .route("/deliveries/{id}/retry", post(retry))
}

/// Where the caller's notices go besides the inbox, and their latest deliveries.
#[utoipa::path(get, path = "/api/v1/account/notice-settings", tag = "notices",
    responses((status = 200, body = SettingsView)))]
pub async fn settings(State(st): State<AppState>, ctx: Ctx) -> AppResult<axum::Json<SettingsView>> {
    Ok(axum::Json(svc::my_settings(&st, ctx.auth()?).await?))
}

/// Sets where the caller's notices go: an email address, which kinds, quiet hours, a daily
/// digest.
#[utoipa::path(put, path = "/api/v1/account/notice-settings", tag = "notices",
    request_body = SettingsInput,
    responses((status = 200, body = Settings), (status = 422, body = crate::error::Problem)))]
pub async fn save_settings(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<SettingsInput>,
) -> AppResult<axum::Json<Settings>> {
    Ok(axum::Json(svc::save_my_settings(&st, &ctx, &input).await?))
}

/// The group bots of the units the caller administers (secrets are never shown).
#[utoipa::path(get, path = "/api/v1/bots", tag = "notices",
    responses((status = 200, body = Vec<Bot>)))]
pub async fn bots(State(st): State<AppState>, ctx: Ctx) -> AppResult<axum::Json<Vec<Bot>>> {
    Ok(axum::Json(svc::bots(&st, ctx.auth()?).await?))
}

#[utoipa::path(get, path = "/api/v1/bots/{id}", tag = "notices",
    responses((status = 200, body = Bot)))]
pub async fn bot(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Bot>> {
    Ok(axum::Json(svc::bot(&st, ctx.auth()?, id).await?))
}

/// Adds a group bot (WeCom, DingTalk, Feishu or generic JSON) to a unit.
#[utoipa::path(post, path = "/api/v1/bots", tag = "notices", request_body = BotInput,
    responses((status = 201, body = Bot), (status = 422, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem)))]
pub async fn add_bot(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<BotInput>,
) -> AppResult<Response> {
    Ok(created(svc::add_bot(&st, &ctx, &input).await?))
}

/// Changes a bot read at `version` (an empty secret keeps the one kept).
#[utoipa::path(put, path = "/api/v1/bots/{id}", tag = "notices", request_body = BotInput,
    responses((status = 200, body = Bot), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn update_bot(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<BotInput>,
) -> AppResult<axum::Json<Bot>> {
    Ok(axum::Json(svc::update_bot(&st, &ctx, id, &input).await?))
}

/// Queues a test message to the bot; the delivery job sends it (see the delivery log).
#[utoipa::path(post, path = "/api/v1/bots/{id}/test", tag = "notices",
    responses((status = 202), (status = 422, body = crate::error::Problem)))]
pub async fn test_bot(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    svc::test_bot(&st, &ctx, id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// The deliveries, the latest first, with their state (the system administrators').
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "notices", params(DeliveryQuery),
    responses((status = 200, body = DeliveryLog), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn log(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DeliveryQuery>,
) -> AppResult<axum::Json<DeliveryLog>> {
    Ok(axum::Json(svc::log(&st, ctx.auth()?, &q).await?))
}

/// Sends a failed delivery again, from its first try.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", tag = "notices",
    responses((status = 204), (status = 409, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem)))]
pub async fn retry(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    svc::retry(&st, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
