//! `/api/v1/users`: accounts and their role grants.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoyin_db::users::{GrantRow, User, UserFilter};

use super::{ListOf, created};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::users::{self as svc, GrantInput, UserInput};
use crate::{AppResult, AppState};
use zhaoyin_core::paging::Page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(patch_user))
        .route("/users/{id}/password", post(reset_password))
        .route("/users/{id}/grants", post(grant))
        .route("/users/{id}/grants/{grant_id}", delete(revoke))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UserQuery {
    /// Text in username or name.
    q: Option<String>,
    unit_id: Option<i64>,
    /// Accounts holding this role.
    role: Option<String>,
    #[serde(default)]
    include_inactive: bool,
    /// Page number, from 1.
    page: Option<u32>,
    /// Rows per page, 1–200 (default 50).
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(UserQuery),
    responses((status = 200, body = ListOf<User>)))]
pub async fn list_users(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UserQuery>,
) -> AppResult<axum::Json<ListOf<User>>> {
    let page = Page::new(q.page, q.per_page);
    let f = UserFilter {
        q: q.q,
        unit_id: q.unit_id,
        role: q.role,
        include_inactive: q.include_inactive,
    };
    let (items, total) = svc::list(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = UserInput,
    responses((status = 201, body = User), (status = 422, body = crate::error::Problem)))]
pub async fn create_user(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<UserInput>,
) -> AppResult<Response> {
    Ok(created(svc::create(&st, &ctx, &b).await?))
}

/// An account with its grants.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetail {
    user: User,
    grants: Vec<GrantRow>,
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts",
    responses((status = 200, body = UserDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_user(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<UserDetail>> {
    let (user, grants) = svc::get(&st, ctx.auth()?, id).await?;
    Ok(axum::Json(UserDetail { user, grants }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UserPatch {
    version: i64,
    display_name: Option<String>,
    unit_id: Option<i64>,
    person_id: Option<i64>,
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "accounts", request_body = UserPatch,
    responses((status = 200, body = User), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn patch_user(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(p): Json<UserPatch>,
) -> AppResult<axum::Json<User>> {
    let (c, _) = svc::get(&st, ctx.auth()?, id).await?;
    let mut out = c.clone();
    let mut version = p.version;
    if p.display_name.is_some() || p.unit_id.is_some() || p.person_id.is_some() {
        out = svc::update(
            &st,
            &ctx,
            id,
            version,
            p.display_name.as_deref().unwrap_or(&c.display_name),
            p.unit_id.unwrap_or(c.unit_id),
            p.person_id.or(c.person_id),
        )
        .await?;
        version = out.version;
    }
    if let Some(active) = p.active {
        out = svc::set_active(&st, &ctx, id, version, active).await?;
    }
    Ok(axum::Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordReset {
    /// A temporary password the user must change at next sign-in.
    password: String,
}

#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "accounts", request_body = PasswordReset,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn reset_password(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<PasswordReset>,
) -> AppResult<Response> {
    svc::reset_password(&st, &ctx, id, &b.password).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "accounts", request_body = GrantInput,
    responses((status = 201, body = GrantRow), (status = 422, body = crate::error::Problem)))]
pub async fn grant(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<GrantInput>,
) -> AppResult<Response> {
    let gid = svc::grant(&st, &ctx, id, &b).await?;
    Ok(created(zhaoyin_db::users::grant_by_id(&st.db, gid).await?))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/grants/{grant_id}", tag = "accounts",
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn revoke(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, grant_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    svc::revoke(&st, &ctx, id, grant_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
