//! Sign-in, sign-out and the language switch.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::safe_next;
use crate::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE};
use crate::form::{Form, Query};
use crate::i18n::{Lang, Tr};
use crate::render::{self, Chrome};
use crate::service::account::{self, LoginOutcome};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/logout/all", post(logout_all))
        .route("/lang/{code}", get(lang))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    page: Chrome,
    next: String,
    username: String,
    message: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    out: Option<String>,
}

async fn login_page(ctx: Ctx, Query(q): Query<LoginQuery>) -> AppResult<Response> {
    if ctx.auth.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let notice = if q.expired.is_some() {
        Some(ctx.t.t("login.expired").to_string())
    } else if q.out.is_some() {
        Some(ctx.t.t("login.logged_out").to_string())
    } else {
        None
    };
    render::html(&LoginPage {
        t: ctx.t,
        page: render::chrome(&ctx, "login.title"),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        message: None,
        notice,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let old = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v.to_string()).filter_map(Result::ok))
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string());
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let outcome = account::login(&st, &ctx, &f.username, &f.password, old.as_deref(), ua).await?;
    let message = match outcome {
        LoginOutcome::Ok { token } => {
            let mut r = Redirect::to(&safe_next(f.next.as_deref())).into_response();
            let c = ctx.cookie(SESSION_COOKIE, token);
            if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            return Ok(r);
        }
        LoginOutcome::Failed => ctx.t.t("login.failed").to_string(),
        LoginOutcome::Locked { until } => ctx
            .t
            .tf("login.locked", &[("until", ctx.t.datetime(&until))]),
    };
    render::html_status(
        StatusCode::UNAUTHORIZED,
        &LoginPage {
            t: ctx.t,
            page: render::chrome(&ctx, "login.title"),
            next: safe_next(f.next.as_deref()),
            username: f.username,
            message: Some(message),
            notice: None,
        },
    )
}

fn signed_out(ctx: &Ctx, to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    let mut c = ctx.cookie(SESSION_COOKIE, String::new());
    c.make_removal();
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn logout(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if ctx.auth.is_some() {
        account::logout(&st, &ctx, false).await?;
    }
    Ok(signed_out(&ctx, "/login?out=1"))
}

async fn logout_all(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    account::logout(&st, &ctx, true).await?;
    Ok(signed_out(&ctx, "/login?out=1"))
}

#[derive(Deserialize)]
struct LangQuery {
    next: Option<String>,
}

/// Switches the interface language (a cookie; nothing is stored on the server).
async fn lang(ctx: Ctx, Path(code): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Zh);
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    let mut c = ctx.cookie(LANG_COOKIE, lang.code().to_string());
    c.set_max_age(cookie::time::Duration::days(365));
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
