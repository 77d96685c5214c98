//! `/api/v1/policies`: import a policy (preview, then confirm) and read policies.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoyin_core::paging::Page;
use zhaoyin_db::tasks::{Clause, PolicyRow};

use super::{ListOf, created};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::policies::{self as svc, ConfirmPolicy, Preview};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list_policies).post(preview))
        .route("/policies/confirm", post(confirm))
        .route("/policies/{id}", get(get_policy))
}

/// A document to read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PreviewInput {
    /// The document's text, as pasted.
    pub text: String,
    /// The region the policy is filed in (default: the caller's).
    #[serde(default)]
    pub region_id: Option<i64>,
}

/// Reads the document and returns what would be created, names matched to the organisation.
/// Nothing is written; send `proposal` (corrected as needed) to `/api/v1/policies/confirm`.
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = PreviewInput,
    responses((status = 200, body = Preview), (status = 422, body = crate::error::Problem)))]
pub async fn preview(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<PreviewInput>,
) -> AppResult<axum::Json<Preview>> {
    Ok(axum::Json(
        svc::preview(&st, &ctx, &b.text, b.region_id).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Confirmed {
    pub policy_id: i64,
    pub task_ids: Vec<i64>,
}

/// Creates the policy and its tasks in one transaction.
#[utoipa::path(post, path = "/api/v1/policies/confirm", tag = "policies", request_body = ConfirmPolicy,
    responses((status = 201, body = Confirmed), (status = 422, body = crate::error::Problem)))]
pub async fn confirm(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ConfirmPolicy>,
) -> AppResult<Response> {
    let (policy_id, task_ids) = svc::confirm(&st, &ctx, &b).await?;
    Ok(created(Confirmed {
        policy_id,
        task_ids,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PolicyQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(PolicyQuery),
    responses((status = 200, body = ListOf<PolicyRow>)))]
pub async fn list_policies(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PolicyQuery>,
) -> AppResult<axum::Json<ListOf<PolicyRow>>> {
    let page = Page::new(q.page, q.per_page);
    let (items, total) = svc::list(&st, ctx.auth()?, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDetail {
    pub policy: PolicyRow,
    pub clauses: Vec<Clause>,
}

#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies",
    responses((status = 200, body = PolicyDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_policy(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<PolicyDetail>> {
    let policy = svc::get(&st, ctx.auth()?, id).await?;
    let clauses = zhaoyin_db::tasks::clauses_of(&st.db, id).await?;
    Ok(axum::Json(PolicyDetail { policy, clauses }))
}
