//! The big screen (大屏): the dashboard's key figures and charts on one dark 1920×1080 page that
//! reloads itself, for a command room. Opened by a signed-in reader, or without signing in by a
//! display link (`/screen/open?token=zd_…`, read-only, revocable) that a supervisor makes for a
//! region on `/screen/links`. The token travels in the query, which the request log leaves out.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_db::display::DisplayLink;
use zhaoyin_db::org::Region;

use super::{FormErrors, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, Query, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Chrome};
use crate::service::dashboard::{self as dash, Dashboard, DashboardQuery};
use crate::service::screen as svc;
use crate::{AppResult, AppState};

/// How often the screen reloads itself, in seconds.
pub const REFRESH_SECONDS: u32 = 120;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/screen", get(screen))
        .route("/screen/open", get(open))
        .route("/screen/links", get(links).post(create_link))
        .route("/screen/links/{id}/revoke", post(revoke_link))
}

#[derive(Template)]
#[template(path = "screen.html")]
struct ScreenPage {
    t: Tr,
    page: Chrome,
    d: Dashboard,
    refresh: u32,
}

impl ScreenPage {
    /// 万元 as 亿元 with two decimals.
    fn yi(&self, n: &i64) -> String {
        format!("{:.2}", *n as f64 / 10_000.0)
    }

    fn funnel_json(&self) -> String {
        super::dashboard::funnel_json(&self.t, &self.d)
    }

    fn trend_json(&self) -> String {
        super::dashboard::trend_json(&self.t, &self.d)
    }

    fn lights_json(&self) -> String {
        super::dashboard::lights_json(&self.t, &self.d)
    }
}

fn screen_page(ctx: &Ctx, d: Dashboard) -> AppResult<Response> {
    let mut page = render::chrome(ctx, "screen.title");
    page.title = ctx.t.tf1("screen.title_of", "region", &d.region_name);
    render::html(&ScreenPage {
        t: ctx.t,
        page,
        d,
        refresh: REFRESH_SECONDS,
    })
}

async fn screen(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> AppResult<Response> {
    let d = dash::dashboard(&st, &ctx.auth()?.principal, &q).await?;
    screen_page(&ctx, d)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OpenQuery {
    token: String,
}

async fn open(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OpenQuery>,
) -> AppResult<Response> {
    let (link, principal) = svc::open(&st, q.token.trim()).await?;
    let d = dash::dashboard(
        &st,
        &principal,
        &DashboardQuery {
            region_id: Some(link.region_id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    screen_page(&ctx, d)
}

// -------------------------------------------------------------------------------- links

#[derive(Template)]
#[template(path = "screen_links.html")]
struct LinksPage {
    t: Tr,
    page: Chrome,
    region: Region,
    links: Vec<DisplayLink>,
    /// The address of a link just made (shown once).
    created: Option<String>,
    /// The last day a new link opens its screen unless its maker says otherwise.
    expires_on: String,
    today: chrono::NaiveDate,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegionQuery {
    region_id: String,
}

impl LinksPage {
    /// Whether `k`'s last day has passed.
    fn expired(&self, k: &DisplayLink) -> bool {
        k.expires_on.is_none_or(|d| d < self.today)
    }
}

async fn links_page(
    st: &AppState,
    ctx: &Ctx,
    region_id: i64,
    created: Option<String>,
    form: Option<&LinkForm>,
    errors: FormErrors,
) -> AppResult<LinksPage> {
    let (region, links) = svc::links(st, ctx.auth()?, region_id).await?;
    let today = st.cfg.today();
    Ok(LinksPage {
        t: ctx.t,
        page: render::chrome(ctx, "screen.links_title"),
        region,
        links,
        created,
        expires_on: match form {
            Some(f) => f.expires_on.clone(),
            None => (today + chrono::Days::new(svc::LINK_DAYS.unsigned_abs())).to_string(),
        },
        today,
        errors,
    })
}

fn region_id(raw: &str) -> AppResult<i64> {
    let mut e = zhaoyin_core::Invalid::default();
    let id = opt_i64(&mut e, "region_id", raw);
    e.into_result()?;
    id.ok_or(crate::AppError::NotFound)
}

async fn links(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegionQuery>,
) -> AppResult<Response> {
    let id = region_id(&q.region_id)?;
    render::html(&links_page(&st, &ctx, id, None, None, FormErrors::default()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkForm {
    region_id: String,
    name: String,
    expires_on: String,
}

async fn create_link(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LinkForm>,
) -> AppResult<Response> {
    let id = region_id(&f.region_id)?;
    match form_result(
        svc::create_link(&st, &ctx, id, &f.name, &f.expires_on).await,
        &ctx.t,
        &["name", "expires_on"],
    )? {
        Ok((token, _)) => {
            let address = format!("/screen/open?token={token}");
            let page = links_page(&st, &ctx, id, Some(address), None, FormErrors::default());
            render::html(&page.await?)
        }
        Err((status, errors)) => {
            let page = links_page(&st, &ctx, id, None, Some(&f), errors);
            render::html_status(status, &page.await?)
        }
    }
}

async fn revoke_link(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let link = svc::revoke_link(&st, &ctx, id).await?;
    Ok(see_other(
        &format!("/screen/links?region_id={}", link.region_id),
        "revoked",
    ))
}
