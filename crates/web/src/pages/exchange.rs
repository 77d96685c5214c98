//! The exchange page (市县数据交换): a county's supervisor downloads the county's signed package
//! (when this deployment signs), a city's supervisor uploads a county's package (when this
//! deployment trusts that county) and sees what each county last sent.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use zhaoyin_core::authz::{Role, Scope};
use zhaoyin_db::exchange::{Imported, Taken};
use zhaoyin_db::org::Region;

use crate::ctx::{Auth, Ctx};
use crate::form::Query;
use crate::i18n::Tr;
use crate::render::{self, Chrome};
use crate::service::exchange as svc;
use crate::{AppError, AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exchange", get(page).post(upload))
        .route("/exchange/package", get(download))
}

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangePage {
    t: Tr,
    page: Chrome,
    /// The regions the caller supervises (what a package may be made of).
    regions: Vec<Region>,
    can_export: bool,
    imports: Vec<Imported>,
    taken: Option<Taken>,
    problems: Vec<String>,
}

impl ExchangePage {
    fn taken_line(&self, k: &Taken) -> String {
        svc::describe(&self.t, k)
    }
}

/// The regions the caller holds a supervisor's grant over; none refuses the page.
async fn supervised(st: &AppState, auth: &Auth) -> AppResult<Vec<Region>> {
    let mut out = Vec::new();
    for g in &auth.principal.grants {
        if let (Role::Supervisor, Scope::Region { id, .. }) = (g.role, &g.scope) {
            out.push(zhaoyin_db::org::get_region(&st.db, *id).await?);
        }
    }
    if out.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(out)
}

async fn exchange_page(
    st: &AppState,
    ctx: &Ctx,
    taken: Option<Taken>,
    problems: Vec<String>,
) -> AppResult<ExchangePage> {
    let regions = supervised(st, ctx.auth()?).await?;
    let mut imports = Vec::new();
    for r in &regions {
        imports.extend(zhaoyin_db::exchange::imports(&st.db, &r.path).await?);
    }
    Ok(ExchangePage {
        t: ctx.t,
        page: render::chrome(ctx, "exchange.title"),
        can_export: svc::can_export(st),
        regions,
        imports,
        taken,
        problems,
    })
}

async fn page(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&exchange_page(&st, &ctx, None, Vec::new()).await?)
}

async fn upload(State(st): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    supervised(&st, ctx.auth()?).await?;
    let result = async {
        let pkg = svc::parse(&super::org::uploaded_file(mp).await?)?;
        svc::take(&st, &ctx, &pkg).await
    }
    .await;
    match result {
        Ok(taken) => render::html(&exchange_page(&st, &ctx, Some(taken), Vec::new()).await?),
        Err(AppError::Invalid(i)) => {
            let problems = i.0.iter().map(|e| ctx.t.field_error_full(e)).collect();
            render::html_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &exchange_page(&st, &ctx, None, problems).await?,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct DownloadQuery {
    region_id: i64,
}

async fn download(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DownloadQuery>,
) -> AppResult<Response> {
    let pkg = svc::export(&st, ctx.auth()?, q.region_id).await?;
    let body = serde_json::to_vec_pretty(&pkg).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"exchange-{}-{}.json\"",
        pkg.county_code,
        st.cfg.today()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
