//! The inbox (消息): the caller's notices, the latest first; opening one marks it read.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use zhaoyin_core::paging::Page;

use super::see_other;
use crate::ctx::Ctx;
use crate::form::Query;
use crate::i18n::Tr;
use crate::render::{self, Chrome, Pager};
use crate::service::notices::{self as svc, InboxQuery, InboxView};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/inbox/read-all", post(read_all))
        .route("/inbox/{id}", get(open))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    t: Tr,
    page: Chrome,
    v: InboxView,
    unread_only: bool,
    pager: Pager,
}

async fn inbox(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InboxQuery>,
) -> AppResult<Response> {
    let v = svc::inbox(&st, ctx.auth()?, &q).await?;
    let unread_only = q.unread == Some(true);
    let filter = [("unread", if unread_only { "true" } else { "" }.to_string())];
    let pager = Pager::new("/inbox", &filter, Page::new(q.page, q.per_page), v.total);
    render::html(&InboxPage {
        t: ctx.t,
        page: render::chrome(&ctx, "inbox.title"),
        v,
        unread_only,
        pager,
    })
}

/// Opens a notice: marked read, then its page.
async fn open(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let n = svc::read(&st, ctx.auth()?, id).await?;
    Ok(Redirect::to(&super::safe_next(Some(&n.link))).into_response())
}

async fn read_all(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    svc::read_all(&st, ctx.auth()?).await?;
    Ok(see_other("/inbox", "saved"))
}
