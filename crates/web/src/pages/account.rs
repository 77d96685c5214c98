//! My account: profile, password, signed-in devices, API tokens.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_db::sessions::{self, Session};
use zhaoyin_db::tokens::ApiToken;
use zhaoyin_db::users::{self, GrantRow};

use super::{FormErrors, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::Form;
use crate::i18n::Tr;
use crate::render::{self, Chrome};
use crate::service::account;
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    page: Chrome,
    username: String,
    display_name: String,
    unit_name: String,
    grants: Vec<GrantRow>,
    sessions: Vec<Session>,
    current_session: String,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    errors: FormErrors,
}

async fn account_page(
    st: &AppState,
    ctx: &Ctx,
    new_token: Option<String>,
    errors: FormErrors,
) -> AppResult<AccountPage> {
    let auth = ctx.auth()?;
    Ok(AccountPage {
        t: ctx.t,
        page: render::chrome(ctx, "account.title"),
        username: auth.user.username.clone(),
        display_name: auth.user.display_name.clone(),
        unit_name: auth.user.unit_name.clone(),
        grants: users::grants_of(&st.db, auth.user.id).await?,
        sessions: sessions::of_user(&st.db, auth.user.id, st.cfg.lifetimes()).await?,
        current_session: auth
            .session
            .as_ref()
            .map(|s| s.id.clone())
            .unwrap_or_default(),
        tokens: account::tokens(st, ctx).await?,
        new_token,
        errors,
    })
}

async fn show(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&account_page(&st, &ctx, None, FormErrors::default()).await?)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    t: Tr,
    page: Chrome,
    must_change: bool,
    rules: String,
    errors: FormErrors,
}

fn password_form(st: &AppState, ctx: &Ctx, errors: FormErrors) -> AppResult<PasswordPage> {
    let auth = ctx.auth()?;
    Ok(PasswordPage {
        t: ctx.t,
        page: render::chrome(ctx, "account.password"),
        must_change: auth.user.must_change_password,
        rules: ctx.t.tf(
            "account.password_rules",
            &[("min", st.cfg.password.min_length.to_string())],
        ),
        errors,
    })
}

async fn password_page(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&password_form(&st, &ctx, FormErrors::default())?)
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    password_confirm: String,
}

async fn change_password(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let r = account::change_password(
        &st,
        &ctx,
        &f.current_password,
        &f.new_password,
        &f.password_confirm,
    )
    .await;
    match form_result(
        r,
        &ctx.t,
        &["current_password", "new_password", "password_confirm"],
    )? {
        Ok(()) => Ok(see_other("/account", "password_changed")),
        Err((status, errors)) => render::html_status(status, &password_form(&st, &ctx, errors)?),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn create_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    match form_result(
        account::create_token(&st, &ctx, &f.name).await,
        &ctx.t,
        &["token_name"],
    )? {
        Ok((token, _)) => {
            render::html(&account_page(&st, &ctx, Some(token), FormErrors::default()).await?)
        }
        Err((status, errors)) => {
            render::html_status(status, &account_page(&st, &ctx, None, errors).await?)
        }
    }
}

async fn revoke_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    account::revoke_token(&st, &ctx, id).await?;
    Ok(see_other("/account", "token_revoked"))
}
