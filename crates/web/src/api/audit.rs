//! `/api/v1/audit`: the audit log, for auditors.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use utoipa::IntoParams;
use zhaoyin_db::audit::Entry;

use super::ListOf;
use crate::ctx::Ctx;
use crate::form::Query;
use crate::pages::AuditQuery;
use crate::service::audit as svc;
use crate::{AppResult, AppState};
use zhaoyin_core::paging::Page;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(search))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Username of who acted (`cli` for the command line).
    actor: Option<String>,
    /// e.g. create, update, login, grant.
    action: Option<String>,
    /// region, unit, person or user.
    entity: Option<String>,
    entity_id: Option<String>,
    /// First day, YYYY-MM-DD (configured time zone).
    from: Option<String>,
    /// Last day, YYYY-MM-DD, included.
    until: Option<String>,
    /// Text in the recorded values.
    text: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Rows per page, 1–200 (default 50).
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = ListOf<Entry>), (status = 403, body = crate::error::Problem)))]
pub async fn search(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditParams>,
) -> AppResult<axum::Json<ListOf<Entry>>> {
    let page = Page::new(q.page, q.per_page);
    let filter = AuditQuery {
        actor: q.actor,
        action: q.action,
        entity: q.entity,
        entity_id: q.entity_id,
        from: q.from,
        until: q.until,
        text: q.text,
        page: None,
        per_page: None,
    }
    .filter(&ctx.t);
    let (items, total) = svc::search(&st, ctx.auth()?, &filter, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}
