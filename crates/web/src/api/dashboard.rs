//! `/api/v1/dashboard`, `/api/v1/funds` and `/api/v1/reports`: the supervision dashboard of a
//! region, the funds in place across projects (the list behind its funds figures), and a
//! region's report for a month or a quarter.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use zhaoyin_core::paging::Page;
use zhaoyin_db::progress::FundLine;

use crate::ctx::Ctx;
use crate::form::Query;
use crate::service::dashboard::{self as svc, Dashboard, DashboardQuery};
use crate::service::progress::{self as progress, FundQuery};
use crate::service::reports::{PeriodReport, ReportQuery};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/funds", get(list_funds))
        .route("/reports", get(report))
}

/// The report of a region for a month (the monthly publication table) or a quarter (the
/// quarterly notice's figures), read as of the period's last day (today while it runs): each
/// figure with the list that counts it, the region's figures against the period before's, and
/// the tasks overdue that day. A past period gives the same figures every time.
#[utoipa::path(get, path = "/api/v1/reports", tag = "dashboard", params(ReportQuery),
    responses((status = 200, body = PeriodReport),
        (status = 404, description = "No such region, or not visible to the caller.")))]
pub async fn report(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<axum::Json<PeriodReport>> {
    Ok(axum::Json(
        crate::service::reports::report(&st, &ctx.auth()?.principal, &q).await?,
    ))
}

/// The dashboard of a region: each figure with `href` (the page) and `api` (this API's list)
/// of what it counts; the list with that query counts, or totals, exactly the figure.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", params(DashboardQuery),
    responses((status = 200, body = Dashboard),
        (status = 404, description = "No such region, or not visible to the caller.")))]
pub async fn dashboard(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> AppResult<axum::Json<Dashboard>> {
    Ok(axum::Json(
        svc::dashboard(&st, &ctx.auth()?.principal, &q).await?,
    ))
}

/// A page of funds in place, with the totals of every fund the filter admits.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FundList {
    pub items: Vec<FundLine>,
    pub page: u32,
    pub per_page: u32,
    /// Funds matching the filter (counting stops above 10,000).
    pub total: i64,
    /// 万元 with evidence on file, of every fund matching the filter.
    pub verified: i64,
    /// 万元 without evidence yet.
    pub unverified: i64,
}

/// Funds in place of the projects the caller reads, the latest first. Amounts are in 万元.
#[utoipa::path(get, path = "/api/v1/funds", tag = "dashboard", params(FundQuery),
    responses((status = 200, body = FundList)))]
pub async fn list_funds(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FundQuery>,
) -> AppResult<axum::Json<FundList>> {
    let page = Page::new(q.page, q.per_page);
    let f = q.filter(&st.cfg)?;
    let (items, total, sums) = progress::fund_lines(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(FundList {
        items,
        page: page.number,
        per_page: page.per_page,
        total,
        verified: sums.verified,
        unverified: sums.unverified,
    }))
}
