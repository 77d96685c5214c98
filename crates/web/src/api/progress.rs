//! `/api/v1/projects/{id}/progress`, `/funds` and `/files`: a project's progress list
//! (进度清单): monthly updates with photos, funds in place with their evidence, and the files.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use super::created;
use crate::ctx::Ctx;
use crate::form::{FileInput, Json, decode_files};
use crate::render;
use crate::service::progress::{self as svc, FundView, FundWrite, ProgressView, UpdateWrite};
use crate::{AppResult, AppState};
use zhaoyin_db::progress::{Fund, Update};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/projects/{id}/progress",
            get(get_progress).post(add_update),
        )
        .route("/projects/{id}/progress/{uid}", put(edit_update))
        .route("/projects/{id}/funds", post(add_fund))
        .route(
            "/projects/{id}/funds/{fid}",
            axum::routing::delete(remove_fund),
        )
        .route("/projects/{id}/funds/{fid}/evidence", post(add_evidence))
        .route("/projects/{id}/files/{fid}", get(project_file))
}

/// The project's progress list: updates (latest month first) with the investment completed to
/// date and their photos, funds with their evidence, and the totals against the plan (funds
/// without evidence are unverified and left out of the verified total).
#[utoipa::path(get, path = "/api/v1/projects/{id}/progress", tag = "projects",
    responses((status = 200, body = ProgressView)))]
pub async fn get_progress(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<ProgressView>> {
    Ok(axum::Json(svc::of_project(&st, ctx.auth()?, id).await?))
}

/// A month's update (one a month) with photos of the site, by who keeps the project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/progress", tag = "projects",
    request_body = UpdateWrite, responses((status = 201, body = Update)))]
pub async fn add_update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(w): Json<UpdateWrite>,
) -> AppResult<Response> {
    let photos = decode_files("photos", &w.photos)?;
    Ok(created(
        svc::add_update(&st, &ctx, id, &w.update, photos).await?,
    ))
}

/// An edit of an update (`version` required); photos sent are added.
#[utoipa::path(put, path = "/api/v1/projects/{id}/progress/{uid}", tag = "projects",
    request_body = UpdateWrite,
    responses((status = 200, body = Update), (status = 409, body = crate::error::Problem)))]
pub async fn edit_update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, uid)): Path<(i64, i64)>,
    Json(w): Json<UpdateWrite>,
) -> AppResult<axum::Json<Update>> {
    let photos = decode_files("photos", &w.photos)?;
    Ok(axum::Json(
        svc::edit_update(&st, &ctx, id, uid, &w.update, w.version, photos).await?,
    ))
}

/// Funds in place with their evidence type and, when at hand, the evidence itself; without
/// it the funds are unverified until evidence is added.
#[utoipa::path(post, path = "/api/v1/projects/{id}/funds", tag = "projects",
    request_body = FundWrite, responses((status = 201, body = Fund)))]
pub async fn add_fund(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(w): Json<FundWrite>,
) -> AppResult<Response> {
    let files = decode_files("files", &w.files)?;
    Ok(created(svc::add_fund(&st, &ctx, id, &w.fund, files).await?))
}

/// Evidence handed in later: the funds count as verified from then on.
#[utoipa::path(post, path = "/api/v1/projects/{id}/funds/{fid}/evidence", tag = "projects",
    request_body = Vec<FileInput>, responses((status = 200, body = FundView)))]
pub async fn add_evidence(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
    Json(files): Json<Vec<FileInput>>,
) -> AppResult<axum::Json<FundView>> {
    let files = decode_files("files", &files)?;
    svc::add_evidence(&st, &ctx, id, fid, files).await?;
    let progress = svc::of_project(&st, ctx.auth()?, id).await?;
    progress
        .funds
        .into_iter()
        .find(|f| f.fund.id == fid)
        .map(axum::Json)
        .ok_or(crate::AppError::NotFound)
}

/// Takes back funds recorded in error: from now on no list or total counts them, while a report
/// or dashboard as of an earlier day still does (they are kept, with their evidence, as taken
/// back; the audit log has the entry). Funds already taken back are 404.
#[utoipa::path(delete, path = "/api/v1/projects/{id}/funds/{fid}", tag = "projects",
    responses((status = 204)))]
pub async fn remove_fund(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    svc::remove_fund(&st, &ctx, id, fid).await?;
    Ok(http::StatusCode::NO_CONTENT.into_response())
}

/// A photo (as an image) or a piece of evidence (as a download) of the progress list.
#[utoipa::path(get, path = "/api/v1/projects/{id}/files/{fid}", tag = "projects",
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>)))]
pub async fn project_file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (meta, data, image) = svc::file(&st, ctx.auth()?, id, fid).await?;
    Ok(render::uploaded_file(meta.id, &meta.filename, data, image))
}
