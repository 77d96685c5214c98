//! The public policy portal (政策门户): published policies and the public progress of their
//! tasks, for anyone, on a phone too; and the supervisor's buttons that publish.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::{Pairs, see_other};
use crate::ctx::Ctx;
use crate::form::Form;
use crate::i18n::Tr;
use crate::render::{self, Chrome};
use crate::service::portal::{self as svc, PolicyView, PublishPolicy, PublishTask};
use crate::{AppResult, AppState};
use zhaoyin_db::portal::PublicPolicy;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public", get(index))
        .route("/public/policies/{id}", get(policy))
        .route("/policies/{id}/public", post(publish_policy))
        .route("/tasks/{id}/public", post(publish_task))
}

#[derive(Template)]
#[template(path = "portal/index.html")]
struct IndexPage {
    t: Tr,
    page: Chrome,
    policies: Vec<PublicPolicy>,
}

async fn index(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&IndexPage {
        t: ctx.t,
        page: render::chrome(&ctx, "portal.title"),
        policies: svc::policies(&st).await?,
    })
}

#[derive(Template)]
#[template(path = "portal/policy.html")]
struct PolicyPage {
    t: Tr,
    page: Chrome,
    v: PolicyView,
}

async fn policy(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let v = svc::policy(&st, id).await?;
    let mut page = render::chrome(&ctx, "portal.title");
    page.title = v.policy.title.clone();
    render::html(&PolicyPage { t: ctx.t, page, v })
}

async fn publish_policy(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let input = PublishPolicy {
        public: p.get("public") == "1",
        tasks: (p.get("tasks") == "1").then_some(true),
    };
    svc::publish_policy(&st, &ctx, id, &input).await?;
    Ok(see_other(&format!("/policies/{id}"), "saved"))
}

async fn publish_task(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let input = PublishTask {
        public: Pairs(pairs).get("public") == "1",
    };
    svc::publish_task(&st, &ctx, id, &input).await?;
    Ok(see_other(&format!("/tasks/{id}"), "saved"))
}
