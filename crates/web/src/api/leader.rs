//! `/api/v1/leaders`: the leader's view (领导视图): who owns projects, and a leader's projects
//! with their lights, unsolved problems and progress.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Serialize;

use crate::ctx::Ctx;
use crate::service::leader::{self as svc, LeaderProject};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leaders", get(list_leaders))
        .route("/leaders/{id}/projects", get(leader_projects))
}

/// A leader owning projects (包挂领导).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Leader {
    pub person_id: i64,
    pub name: String,
}

/// The leaders owning projects the caller reads, by name.
#[utoipa::path(get, path = "/api/v1/leaders", tag = "projects",
    responses((status = 200, body = Vec<Leader>)))]
pub async fn list_leaders(
    State(st): State<AppState>,
    ctx: Ctx,
) -> AppResult<axum::Json<Vec<Leader>>> {
    Ok(axum::Json(
        svc::owners(&st, ctx.auth()?)
            .await?
            .into_iter()
            .map(|(person_id, name)| Leader { person_id, name })
            .collect(),
    ))
}

/// The projects a leader owns that the caller reads (terminated ones left out), red first:
/// each with the worst light of its unsolved problems, those problems (blockers first), and
/// its progress.
#[utoipa::path(get, path = "/api/v1/leaders/{id}/projects", tag = "projects",
    responses((status = 200, body = Vec<LeaderProject>)))]
pub async fn leader_projects(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Vec<LeaderProject>>> {
    Ok(axum::Json(svc::projects_of(&st, ctx.auth()?, id).await?))
}
