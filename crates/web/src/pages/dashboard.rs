//! The dashboard page (督导看板) and the funds list (到位资金) behind its funds figures.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;
use zhaoyin_core::progress::FundsTotals;
use zhaoyin_db::org as org_db;
use zhaoyin_db::progress::FundLine;

use super::chains::SegmentGroup;
use crate::ctx::Ctx;
use crate::form::Query;
use crate::i18n::Tr;
use crate::pages::companies::pager;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::dashboard::{self as svc, Dashboard, DashboardQuery, Figure, OverdueItem};
use crate::service::progress::{self as progress, FundQuery};
use crate::{AppResult, AppState};
use zhaoyin_core::dashboard::OverdueKind;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(page))
        .route("/funds", get(funds))
        .route("/funds/export.xlsx", get(funds_export))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Tr,
    page: Chrome,
    d: Dashboard,
    q: DashboardQuery,
    /// The caller may make display links for the region shown.
    manage_links: bool,
    regions: Vec<Choice>,
    years: Vec<Choice>,
    units: Vec<Choice>,
    segments: Vec<SegmentGroup>,
    /// The last day `as_of` may name (today is "now").
    yesterday: chrono::NaiveDate,
}

impl DashboardPage {
    fn funnel_json(&self) -> String {
        funnel_json(&self.t, &self.d)
    }

    fn trend_json(&self) -> String {
        trend_json(&self.t, &self.d)
    }

    fn lights_json(&self) -> String {
        lights_json(&self.t, &self.d)
    }

    /// The big screen of what this page shows.
    fn screen_href(&self) -> String {
        crate::form::href_with("/screen", &self.q)
    }

    /// 万元 as 亿元 with two decimals, the way the figures are read out in meetings.
    fn yi(&self, f: &Figure) -> String {
        format!("{:.2}", f.value as f64 / 10_000.0)
    }

    /// The share of a quota met, for the bar: a percentage in steps of 5.
    fn quota_pct(&self, listed: &i64, minimum: &i64) -> i64 {
        if *minimum <= 0 {
            100
        } else {
            ((listed * 100 / minimum).min(100) / 5) * 5
        }
    }

    fn kind_id(&self, o: &OverdueItem) -> &'static str {
        match o.item.kind {
            OverdueKind::Task => "task",
            OverdueKind::Problem => "problem",
        }
    }
}

/// The funnel's figures for the chart: [{name, value}] in stage order, paused and terminated
/// projects left out (they are not a step of the funnel; the table lists them).
pub(super) fn funnel_json(t: &Tr, d: &Dashboard) -> String {
    let rows: Vec<serde_json::Value> = d
        .funnel
        .iter()
        .filter(|s| s.stage != "paused" && s.stage != "terminated")
        .map(|s| serde_json::json!({"name": t.label("stage", &s.stage), "value": s.projects.value}))
        .collect();
    json_for_script(&serde_json::Value::Array(rows))
}

/// Signings and starts per month for the chart.
pub(super) fn trend_json(t: &Tr, d: &Dashboard) -> String {
    json_for_script(&serde_json::json!({
        "months": d.trend.iter().map(|m| m.month.clone()).collect::<Vec<_>>(),
        "series": [
            {"name": t.t("dashboard.signed"), "data": d.trend.iter().map(|m| m.signed.value).collect::<Vec<_>>()},
            {"name": t.t("dashboard.started"), "data": d.trend.iter().map(|m| m.started.value).collect::<Vec<_>>()},
        ],
    }))
}

/// Tasks and problems by light for the chart.
pub(super) fn lights_json(t: &Tr, d: &Dashboard) -> String {
    let f = &d.figures;
    let light = |l: &str| t.label("light", l);
    json_for_script(&serde_json::json!({
        "categories": [t.t("dashboard.tasks"), t.t("dashboard.problems")],
        "series": [
            {"name": light("red"), "light": "red", "data": [f.tasks_red.value, f.problems_red.value]},
            {"name": light("yellow"), "light": "yellow", "data": [f.tasks_yellow.value, f.problems_yellow.value]},
            {"name": light("green"), "light": "green", "data": [f.tasks_green.value, f.problems_green.value]},
        ],
    }))
}

/// JSON placed inside `<script type="application/json">`: `<` escaped so no text can close the
/// element.
fn json_for_script(v: &serde_json::Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

/// Regions to choose: the provinces, cities and counties the caller reads, indented by level.
pub(super) async fn region_choices(
    st: &AppState,
    auth: &crate::ctx::Auth,
    selected: i64,
) -> AppResult<Vec<Choice>> {
    Ok(Choice::list(
        region_options(st, &auth.principal).await?,
        &selected.to_string(),
    ))
}

/// The regions of [`region_choices`] as (id, indented name).
async fn region_options(
    st: &AppState,
    p: &zhaoyin_core::authz::Principal,
) -> AppResult<Vec<(String, String)>> {
    let regions =
        org_db::region_choices(&st.db, &p.visibility(Entity::Region, Action::Read)).await?;
    Ok(regions
        .into_iter()
        .map(|r| {
            let depth = r.path.matches('/').count().saturating_sub(2);
            (
                r.id.to_string(),
                format!("{}{}", "　".repeat(depth), r.name),
            )
        })
        .collect())
}

/// What the page offers to choose beside a region's dashboard, as a reader reads it: kept like
/// the dashboard while the data has not changed (read on every request, these statements were
/// most of a kept page's time at province scale: the county's units alone 1.5 ms).
#[derive(Clone)]
pub struct Choices {
    regions: Vec<(String, String)>,
    shown: org_db::Region,
    /// A county's units and chain segments (none for a wider region).
    units: Vec<(String, String)>,
    segments: Vec<crate::service::chains::SegmentOption>,
}

async fn choices(st: &AppState, auth: &crate::ctx::Auth, d: &Dashboard) -> AppResult<Choices> {
    let p = auth.principal.clone();
    let region_id = d.region_id;
    // Units and chain segments are a county's: offered when a county is shown.
    let county = matches!(d.region_level.as_str(), "county" | "town");
    svc::single_flight(
        st,
        |st| &st.dashboard_choices,
        &auth.principal,
        &region_id,
        move |st| async move {
            let regions = region_options(&st, &p).await?;
            let shown = org_db::get_region(&st.db, region_id).await?;
            let (units, segments) = if county {
                let (rows, _) = org_db::list_units(
                    &st.db,
                    &p.visibility(Entity::Unit, Action::Read),
                    &org_db::UnitFilter {
                        region_id: Some(region_id),
                        ..Default::default()
                    },
                    Page::largest(),
                )
                .await?;
                (
                    rows.into_iter()
                        .map(|u| (u.id.to_string(), u.name))
                        .collect(),
                    crate::service::chains::options(&st, &shown.path).await?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            Ok(Choices {
                regions,
                shown,
                units,
                segments,
            })
        },
    )
    .await
}

async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let d = svc::dashboard(&st, &auth.principal, &q).await?;
    let t = &ctx.t;
    let c = choices(&st, auth, &d).await?;
    let regions = Choice::list(c.regions, &d.region_id.to_string());
    let this_year = d.today.year();
    let years = Choice::list(
        (this_year - 4..=this_year)
            .rev()
            .map(|y| (y.to_string(), y.to_string())),
        &d.year.to_string(),
    );
    let manage_links = crate::service::screen::may_manage(auth, &c.shown);
    let units = Choice::list(
        c.units,
        &d.unit_id.map(|u| u.to_string()).unwrap_or_default(),
    );
    let segments = super::chains::group_segments(
        c.segments,
        &[d.segment_id.map(|s| s.to_string()).unwrap_or_default()],
    );
    let mut page = render::chrome(&ctx, "dashboard.title");
    page.title = t.tf2(
        "dashboard.title_of",
        "region",
        &d.region_name,
        "year",
        d.year.to_string(),
    );
    render::html(&DashboardPage {
        t: ctx.t,
        page,
        q,
        manage_links,
        regions,
        years,
        units,
        segments,
        yesterday: st.cfg.today().pred_opt().unwrap_or(d.today),
        d,
    })
}

// -------------------------------------------------------------------------------------- funds

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    t: Tr,
    page: Chrome,
    rows: Vec<FundLine>,
    total: i64,
    sums: FundsTotals,
    q: FundQuery,
    pager: Pager,
    problems: Vec<String>,
}

impl FundsPage {
    fn export_href(&self) -> String {
        crate::form::href_with("/funds/export.xlsx", &self.q)
    }

    fn totals_line(&self) -> String {
        self.t.tf(
            "funds.totals",
            &[
                ("n", self.total.to_string()),
                ("verified", self.sums.verified.to_string()),
                ("unverified", self.sums.unverified.to_string()),
            ],
        )
    }
}

async fn funds(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FundQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let page = Page::new(q.page, q.per_page);
    let (filter, problems) = match q.filter(&st.cfg) {
        Ok(f) => (f, Vec::new()),
        Err(e) => (
            Default::default(),
            super::FormErrors::from(&ctx.t, &e, &[]).general,
        ),
    };
    let (rows, total, sums) = progress::fund_lines(&st, auth, &filter, page).await?;
    render::html(&FundsPage {
        t: ctx.t,
        page: render::chrome(&ctx, "funds.title"),
        pager: pager("/funds", &q, page, total),
        rows,
        total,
        sums,
        q,
        problems,
    })
}

async fn funds_export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FundQuery>,
) -> AppResult<Response> {
    let f = q.filter(&st.cfg)?;
    Ok(render::xlsx(
        progress::export_funds(&st, &ctx, &f).await?,
        "attachment; filename=\"zhaoyin-funds.xlsx\"; filename*=UTF-8''%E5%88%B0%E4%BD%8D%E8%B5%84%E9%87%91%E6%B8%85%E5%8D%95.xlsx",
    ))
}
