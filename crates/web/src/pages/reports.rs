//! The reports page (晾晒与通报): a region's table for a month or a quarter, every figure a link
//! to its list, the facts against the period before and the overdue tasks; the table as Excel
//! and the quarterly dispatch notice as Word.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::ctx::Ctx;
use crate::form::{Query, href_with};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::reports::{self as svc, PeriodReport, ReportQuery};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(page))
        .route("/reports/table.xlsx", get(table_xlsx))
        .route("/reports/notice.docx", get(notice_docx))
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    t: Tr,
    page: Chrome,
    r: PeriodReport,
    regions: Vec<Choice>,
    narrative: Vec<String>,
}

impl ReportPage {
    fn query(&self) -> ReportQuery {
        ReportQuery {
            region_id: Some(self.r.region_id.to_string()),
            period: Some(self.r.period.clone()),
        }
    }

    fn table_href(&self) -> String {
        href_with("/reports/table.xlsx", &self.query())
    }

    fn notice_href(&self) -> String {
        href_with("/reports/notice.docx", &self.query())
    }

    fn column(&self, id: &str) -> String {
        self.t.label("report.column", id)
    }

    /// The column groups of the table's first header row: (label, columns spanned).
    fn groups(&self) -> Vec<(String, usize)> {
        [
            ("report.group_activities", 6),
            ("report.group_projects", 3),
            ("report.group_funds", 2),
            ("report.group_tasks", 2),
        ]
        .iter()
        .map(|(k, n)| (self.t.t(k).to_string(), *n))
        .collect()
    }

    fn fact_line(&self, f: &zhaoyin_core::report::Fact) -> (String, String, String) {
        (
            self.column(&f.id),
            svc::amount(&self.t, &f.id, f.value),
            svc::amount(&self.t, &f.id, f.previous),
        )
    }
}

async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let r = svc::report(&st, &auth.principal, &q).await?;
    let regions = super::dashboard::region_choices(&st, auth, r.region_id).await?;
    let narrative = svc::narrative(&ctx.t, &r);
    let mut page = render::chrome(&ctx, "report.title");
    page.title = svc::title(&ctx.t, &r);
    render::html(&ReportPage {
        t: ctx.t,
        page,
        r,
        regions,
        narrative,
    })
}

async fn table_xlsx(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let r = svc::report(&st, &ctx.auth()?.principal, &q).await?;
    Ok(render::xlsx(
        svc::workbook(&ctx.t, &r).await?,
        "attachment; filename=\"zhaoyin-publication.xlsx\"; filename*=UTF-8''%E6%99%BE%E6%99%92%E8%A1%A8.xlsx",
    ))
}

async fn notice_docx(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let r = svc::report(&st, &ctx.auth()?.principal, &q).await?;
    Ok(render::docx(
        svc::notice(&ctx.t, &r).await?,
        "attachment; filename=\"zhaoyin-notice.docx\"; filename*=UTF-8''%E8%B0%83%E5%BA%A6%E9%80%9A%E6%8A%A5.docx",
    ))
}
