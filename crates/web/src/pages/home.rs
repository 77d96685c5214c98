//! The home page: who you are, what you may do, and where.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_db::audit;
use zhaoyin_db::users::{self, GrantRow, OrgCounts};

use crate::ctx::Ctx;
use crate::i18n::Tr;
use crate::render::{self, Chrome};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    t: Tr,
    page: Chrome,
    name: String,
    grants: Vec<GrantRow>,
    counts: OrgCounts,
    previous_login: Option<audit::Entry>,
    /// Open tasks by light and closed tasks the caller sees, when they see tasks.
    lights: Option<(i64, i64, i64, i64)>,
}

async fn home(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let auth = ctx.auth()?.clone();
    let grants = users::grants_of(&st.db, auth.user.id).await?;
    let counts = users::org_counts(&st.db, &auth.principal).await?;
    let previous_login = audit::recent_logins(&st.db, auth.user.id, 2)
        .await?
        .into_iter()
        .nth(1);
    let p = &auth.principal;
    let lights = if p.can_somewhere(Entity::Task, Action::Read) {
        let vis = p.visibility(Entity::Task, Action::Read);
        Some(zhaoyin_db::tasks::light_counts(&st.db, &vis).await?)
    } else {
        None
    };
    render::html(&Home {
        t: ctx.t,
        page: render::chrome(&ctx, "home.title"),
        name: auth.user.display_name.clone(),
        grants,
        counts,
        previous_login,
        lights,
    })
}
