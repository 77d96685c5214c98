//! The leader's view (领导视图): the projects a leader owns on one page, the worst first, with
//! their lights, unsolved problems and blockers, and progress.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use zhaoyin_core::Invalid;

use crate::ctx::Ctx;
use crate::form::{Query, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::leader::{self as svc, LeaderProject};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/leader", get(page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LeaderQuery {
    person_id: String,
}

#[derive(Template)]
#[template(path = "leader.html")]
struct LeaderPage {
    t: Tr,
    page: Chrome,
    leaders: Vec<Choice>,
    name: String,
    rows: Vec<LeaderProject>,
}

impl LeaderPage {
    fn summary(&self) -> String {
        let count = |light: &str| self.rows.iter().filter(|r| r.light == light).count();
        self.t.tf(
            "leader.summary",
            &[
                ("n", self.rows.len().to_string()),
                ("red", count("red").to_string()),
                ("yellow", count("yellow").to_string()),
            ],
        )
    }
}

async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LeaderQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let mut e = Invalid::default();
    let asked = opt_i64(&mut e, "person_id", &q.person_id);
    e.into_result()?;
    let owners = svc::owners(&st, auth).await?;
    // The asked leader; else the caller when they own projects; else the first owner.
    let person = asked
        .or(auth
            .user
            .person_id
            .filter(|me| owners.iter().any(|(o, _)| o == me)))
        .or(owners.first().map(|(o, _)| *o));
    let rows = match person {
        Some(p) => svc::projects_of(&st, auth, p).await?,
        None => Vec::new(),
    };
    let current = person.map(|p| p.to_string()).unwrap_or_default();
    let name = owners
        .iter()
        .find(|(o, _)| Some(*o) == person)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    render::html(&LeaderPage {
        t: ctx.t,
        page: render::chrome(&ctx, "leader.title"),
        leaders: Choice::list(
            owners.into_iter().map(|(id, n)| (id.to_string(), n)),
            &current,
        ),
        name,
        rows,
    })
}
