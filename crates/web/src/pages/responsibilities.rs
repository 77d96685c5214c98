//! The responsibility list (责任清单) seen from a unit or a person: "what am I responsible for".
//! For a unit, the projects it is responsible for, the open problems it must solve, and the
//! projects its people own (包挂) or serve as agents (帮办); for a person, the projects they own
//! or serve. Each part shows the first rows and links to the full list it comes from.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use zhaoyin_core::Invalid;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;
use zhaoyin_db::problems::ProblemFilter;
use zhaoyin_db::projects::{ProjectFilter, ProjectRow};

use crate::ctx::Ctx;
use crate::form::{Query, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::problems::ProblemView;
use crate::{AppError, AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/responsibilities", get(page))
}

/// Rows each part shows before its link to the full list.
const SHOWN: u32 = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
struct RespQuery {
    /// The unit (default: the caller's).
    unit_id: String,
}

/// One part: its rows, how many there are in all, and the list they come from.
struct Part<T> {
    rows: Vec<T>,
    total: i64,
    href: String,
}

#[derive(Template)]
#[template(path = "responsibilities.html")]
struct RespPage {
    t: Tr,
    page: Chrome,
    units: Vec<Choice>,
    unit_name: String,
    projects: Part<ProjectRow>,
    people_projects: Part<ProjectRow>,
    problems: Part<ProblemView>,
    /// The caller's own projects, when the account is linked to a person.
    mine: Option<Part<ProjectRow>>,
}

async fn projects(
    st: &AppState,
    ctx: &Ctx,
    f: ProjectFilter,
    href: String,
) -> AppResult<Part<ProjectRow>> {
    let (rows, total) =
        crate::service::projects::list(st, ctx.auth()?, &f, Page::new(None, Some(SHOWN))).await?;
    Ok(Part { rows, total, href })
}

async fn page(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RespQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Project, Action::Read) {
        return Err(AppError::Forbidden);
    }
    let mut e = Invalid::default();
    let unit_id = opt_i64(&mut e, "unit_id", &q.unit_id).unwrap_or(auth.user.unit_id);
    e.into_result()?;
    let units = crate::service::projects::unit_choices(&st, auth).await?;
    let unit_name = units
        .iter()
        .find(|u| u.id == unit_id)
        .map(|u| u.name.clone())
        .ok_or(AppError::NotFound)?;
    let own = projects(
        &st,
        &ctx,
        ProjectFilter {
            unit_id: Some(unit_id),
            ..Default::default()
        },
        format!("/projects?unit_id={unit_id}"),
    )
    .await?;
    let people_projects = projects(
        &st,
        &ctx,
        ProjectFilter {
            people_unit_id: Some(unit_id),
            ..Default::default()
        },
        format!("/projects?people_unit_id={unit_id}"),
    )
    .await?;
    let (rows, total) = crate::service::problems::list(
        &st,
        auth,
        &ProblemFilter {
            unit_id: Some(unit_id),
            statuses: zhaoyin_core::problem::ProblemStatus::WITH_UNIT.to_vec(),
            ..Default::default()
        },
        Page::new(None, Some(SHOWN)),
    )
    .await?;
    let problems = Part {
        rows,
        total,
        href: format!("/problems?unit_id={unit_id}&status=todo"),
    };
    let mine = match auth.user.person_id {
        Some(person) => Some(
            projects(
                &st,
                &ctx,
                ProjectFilter {
                    person_id: Some(person),
                    ..Default::default()
                },
                format!("/projects?person_id={person}"),
            )
            .await?,
        ),
        None => None,
    };
    render::html(&RespPage {
        t: ctx.t,
        page: render::chrome(&ctx, "responsibilities.title"),
        units: Choice::list(
            units.into_iter().map(|u| (u.id.to_string(), u.name)),
            &unit_id.to_string(),
        ),
        unit_name,
        projects: own,
        people_projects,
        problems,
        mine,
    })
}
