//! `/api/v1/account`: the caller's own account and personal API tokens.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhaoyin_db::tokens::ApiToken;
use zhaoyin_db::users::{self, GrantRow, User};

use super::created;
use crate::ctx::Ctx;
use crate::form::Json;
use crate::service::account;
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(me))
        .route("/account/tokens", get(list_tokens).post(create_token))
        .route("/account/tokens/{id}", delete(revoke_token))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    user: User,
    grants: Vec<GrantRow>,
}

#[utoipa::path(get, path = "/api/v1/account", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
pub async fn me(State(st): State<AppState>, ctx: Ctx) -> AppResult<axum::Json<Me>> {
    let auth = ctx.auth()?;
    Ok(axum::Json(Me {
        user: auth.user.clone(),
        grants: users::grants_of(&st.db, auth.user.id).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/account/tokens", tag = "account",
    responses((status = 200, body = Vec<ApiToken>)))]
pub async fn list_tokens(
    State(st): State<AppState>,
    ctx: Ctx,
) -> AppResult<axum::Json<Vec<ApiToken>>> {
    Ok(axum::Json(account::tokens(&st, &ctx).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenCreate {
    name: String,
}

/// The new token, shown only in this response.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    token: String,
    record: ApiToken,
}

#[utoipa::path(post, path = "/api/v1/account/tokens", tag = "account", request_body = TokenCreate,
    responses((status = 201, body = TokenCreated), (status = 422, body = crate::error::Problem)))]
pub async fn create_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<TokenCreate>,
) -> AppResult<Response> {
    let (token, record) = account::create_token(&st, &ctx, &b.name).await?;
    Ok(created(TokenCreated { token, record }))
}

#[utoipa::path(delete, path = "/api/v1/account/tokens/{id}", tag = "account",
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn revoke_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    account::revoke_token(&st, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
