//! `/api/v1/land`: land-efficiency evaluation (亩产效益评价, M6): the county's rules, a year's
//! enterprise figures, the class list computed from them and an enterprise's trend.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::land::{
    self as svc, FiguresInput, Imported, RulesInput, RulesView, Trend, YearView,
};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/land", get(evaluation))
        .route("/land/rules", get(get_rules).put(save_rules))
        .route("/land/years/{year}", put(import))
        .route("/land/companies/{id}", get(trend))
}

/// Which year (default: the latest with figures).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct YearQuery {
    pub year: Option<i64>,
}

/// A year's class list: every enterprise's score, class, rank and indicators by the county's
/// current rules, with its class the year before by the same rules; the count and policies of
/// each class. For readers of the whole county.
#[utoipa::path(get, path = "/api/v1/land", tag = "incentives", params(YearQuery),
    responses((status = 200, body = YearView)))]
pub async fn evaluation(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<axum::Json<YearView>> {
    Ok(axum::Json(svc::evaluation(&st, ctx.auth()?, q.year).await?))
}

#[utoipa::path(get, path = "/api/v1/land/rules", tag = "incentives",
    responses((status = 200, body = RulesView), (status = 422, body = crate::error::Problem)))]
pub async fn get_rules(State(st): State<AppState>, ctx: Ctx) -> AppResult<axum::Json<RulesView>> {
    Ok(axum::Json(svc::rules(&st, ctx.auth()?).await?))
}

/// The county's supervisor saves the rules: weights, benchmarks (none: the county's figure of
/// the year), the cap, the class thresholds, each class's policies.
#[utoipa::path(put, path = "/api/v1/land/rules", tag = "incentives",
    request_body = RulesInput, responses((status = 200, body = RulesView), (status = 409, body = crate::error::Problem)))]
pub async fn save_rules(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(input): Json<RulesInput>,
) -> AppResult<axum::Json<RulesView>> {
    Ok(axum::Json(svc::save_rules(&st, &ctx, &input).await?))
}

/// The county's supervisor replaces a finished year's figures, all or nothing.
#[utoipa::path(put, path = "/api/v1/land/years/{year}", tag = "incentives",
    request_body = Vec<FiguresInput>, responses((status = 200, body = Imported)))]
pub async fn import(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(year): Path<i64>,
    Json(rows): Json<Vec<FiguresInput>>,
) -> AppResult<axum::Json<Imported>> {
    Ok(axum::Json(
        svc::import_figures(&st, &ctx, year, &rows).await?,
    ))
}

/// An enterprise's figures, score, class and rank in each year it was evaluated.
#[utoipa::path(get, path = "/api/v1/land/companies/{id}", tag = "incentives",
    responses((status = 200, body = Trend), (status = 422, body = crate::error::Problem)))]
pub async fn trend(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Trend>> {
    Ok(axum::Json(svc::trend(&st, ctx.auth()?, id).await?))
}
