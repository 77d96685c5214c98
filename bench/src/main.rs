//! `zhaoyin-ceiling`: for each endpoint `bench/run.py` measures, the same database work done by
//! the product's own service functions, served by bare axum as JSON — no session lookup, no
//! CSRF or origin check, no middleware, no template. The accounts are loaded once at start.
//! The benchmark reports every endpoint as a ratio to its ceiling measured in the same run, so
//! what the ratio shows is the cost of everything around the database work.

use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use clap::Parser;
use serde::Deserialize;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;
use zhaoyin_db::Db;
use zhaoyin_web::api::ListOf;
use zhaoyin_web::ctx::{Auth, Ctx};
use zhaoyin_web::i18n::{Lang, Tr};
use zhaoyin_web::service::{account, activities, companies, dashboard, projects, tasks};
use zhaoyin_web::{AppError, AppState, WebConfig};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// The account lists and pages are read as.
    #[arg(long, default_value = "supervisor")]
    reader: String,
    /// The account reports are written as.
    #[arg(long, default_value = "clerk")]
    writer: String,
    /// The account province-wide lists are read as.
    #[arg(long, default_value = "province")]
    wide_reader: String,
}

#[derive(Clone)]
struct Ceiling {
    st: AppState,
    reader: Arc<Ctx>,
    writer: Arc<Ctx>,
    wide: Arc<Ctx>,
}

/// A request context as the product's middleware would build it for `username`, built once.
async fn ctx_for(db: &Db, username: &str) -> anyhow::Result<Arc<Ctx>> {
    let user = zhaoyin_db::users::by_username(db, username)
        .await?
        .with_context(|| format!("no account {username}"))?;
    let principal = zhaoyin_db::users::principal(db, &user).await?;
    Ok(Arc::new(Ctx {
        t: Tr::new(Lang::Zh, chrono_tz::Asia::Shanghai),
        request_id: "ceiling".into(),
        ip: Some("127.0.0.1".into()),
        path_and_query: "/".into(),
        auth: Some(Arc::new(Auth {
            user,
            principal,
            session: None,
        })),
        csrf: String::new(),
        htmx: false,
        api: true,
        secure: false,
        upload_limit: 10 << 20,
        unread: None,
    }))
}

type Answer = Result<Response, AppError>;

/// The static route: the same bytes the product serves for its stylesheet.
async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css")],
        include_str!("../../assets/css/app.css"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

/// Sign-in: the account's lookup, lockout bookkeeping, password check and new session.
async fn login(State(c): State<Ceiling>, Form(f): Form<LoginForm>) -> Answer {
    let ctx = Ctx {
        auth: None,
        ..(*c.reader).clone()
    };
    let out = account::login(&c.st, &ctx, &f.username, &f.password, None, None).await?;
    let ok = matches!(out, account::LoginOutcome::Ok { .. });
    Ok((
        if ok {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        },
        Json(ok),
    )
        .into_response())
}

/// The task list as the API reads it.
async fn task_list(State(c): State<Ceiling>, Query(q): Query<tasks::TaskQuery>) -> Answer {
    let auth = c.reader.auth()?;
    let f = q.filter(&c.st.cfg)?;
    let page = Page::new(q.page, q.per_page);
    let (items, total) = tasks::list(&c.st, auth, &f, page).await?;
    Ok(Json(ListOf::new(items, page, total)).into_response())
}

/// The task list as the HTML page reads it: the filter's choices, then the list.
async fn task_list_page(State(c): State<Ceiling>, Query(q): Query<tasks::TaskQuery>) -> Answer {
    let auth = c.reader.auth()?;
    let vis = auth.principal.visibility(Entity::Task, Action::Read);
    let facets = zhaoyin_db::tasks::facets(&c.st.db, &vis).await?;
    let f = q.filter(&c.st.cfg)?;
    let page = Page::new(q.page, None);
    let (items, total) = tasks::list(&c.st, auth, &f, page).await?;
    let choices = (facets.policies, facets.units, facets.leaders);
    Ok(Json((choices, ListOf::new(items, page, total))).into_response())
}

/// A task's page (and its API document): the task with everything shown on it.
async fn task(State(c): State<Ceiling>, Path(id): Path<i64>) -> Answer {
    let auth = c.reader.auth()?;
    Ok(Json(tasks::detail(&c.st, auth, id).await?).into_response())
}

/// A report submitted by the lead unit's clerk.
async fn report(
    State(c): State<Ceiling>,
    Path(id): Path<i64>,
    Json(input): Json<tasks::ReportInput>,
) -> Answer {
    let id = tasks::report(&c.st, &c.writer, id, &input, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(id)).into_response())
}

async fn project_list_as(c: &Ceiling, ctx: &Ctx, q: projects::ProjectQuery) -> Answer {
    let f = q.filter(&c.st.cfg)?;
    let page = Page::new(q.page, q.per_page);
    let (items, total) = projects::list(&c.st, ctx.auth()?, &f, page).await?;
    Ok(Json(ListOf::new(items, page, total)).into_response())
}

/// The project list as the API reads it, for the county's supervisor.
async fn project_list(State(c): State<Ceiling>, Query(q): Query<projects::ProjectQuery>) -> Answer {
    project_list_as(&c, &c.reader, q).await
}

/// The same for the province's supervisor (every county's projects).
async fn project_list_wide(
    State(c): State<Ceiling>,
    Query(q): Query<projects::ProjectQuery>,
) -> Answer {
    project_list_as(&c, &c.wide, q).await
}

/// The project list as the HTML page reads it: the counts by stage, then the list.
async fn project_list_page(
    State(c): State<Ceiling>,
    Query(q): Query<projects::ProjectQuery>,
) -> Answer {
    let auth = c.reader.auth()?;
    let f = q.filter(&c.st.cfg)?;
    let page = Page::new(q.page, None);
    let counts = projects::stage_counts(&c.st, auth, &f).await?;
    let (items, total) = projects::list(&c.st, auth, &f, page).await?;
    Ok(Json((counts, ListOf::new(items, page, total))).into_response())
}

/// A project's API document.
async fn project(State(c): State<Ceiling>, Path(id): Path<i64>) -> Answer {
    Ok(Json(projects::detail(&c.st, c.reader.auth()?, id).await?).into_response())
}

/// A project's page: the project, then its problems, progress and approvals.
async fn project_page(State(c): State<Ceiling>, Path(id): Path<i64>) -> Answer {
    let auth = c.reader.auth()?;
    let d = projects::detail(&c.st, auth, id).await?;
    let s = projects::sections(&c.st, auth, &d.project).await?;
    Ok(Json((d, s)).into_response())
}

/// The company list as the API reads it.
async fn company_list(
    State(c): State<Ceiling>,
    Query(q): Query<companies::CompanyQuery>,
) -> Answer {
    let f = q.filter()?;
    let page = Page::new(q.page, q.per_page);
    let (items, total) = companies::list(&c.st, c.reader.auth()?, &f, page).await?;
    Ok(Json(ListOf::new(items, page, total)).into_response())
}

/// The activity list as the API reads it.
async fn activity_list(
    State(c): State<Ceiling>,
    Query(q): Query<activities::ActivityQuery>,
) -> Answer {
    let f = q.filter(&c.st.cfg)?;
    let page = Page::new(q.page, q.per_page);
    let (items, total) = activities::list(&c.st, c.reader.auth()?, &f, page).await?;
    Ok(Json(ListOf::new(items, page, total)).into_response())
}

/// The activity list as the HTML page reads it: the county's units for the filter, then the list.
async fn activity_list_page(
    State(c): State<Ceiling>,
    Query(q): Query<activities::ActivityQuery>,
) -> Answer {
    let auth = c.reader.auth()?;
    let f = q.filter(&c.st.cfg)?;
    let page = Page::new(q.page, None);
    let units = projects::unit_choices(&c.st, auth).await?;
    let (items, total) = activities::list(&c.st, auth, &f, page).await?;
    let names: Vec<String> = units.into_iter().map(|u| u.name).collect();
    Ok(Json((names, ListOf::new(items, page, total))).into_response())
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

/// The monthly statistics per unit (the API's and the page's work).
async fn activity_stats(State(c): State<Ceiling>, Query(q): Query<MonthQuery>) -> Answer {
    let month = activities::month_or_this(&c.st, q.month.as_deref())?;
    Ok(Json(activities::monthly_stats(&c.st, c.reader.auth()?, month).await?).into_response())
}

/// The dashboard of the reader's region (the API's and the page's work).
async fn dashboard(State(c): State<Ceiling>, Query(q): Query<dashboard::DashboardQuery>) -> Answer {
    let p = &c.reader.auth()?.principal;
    Ok(Json(dashboard::dashboard(&c.st, p, &q).await?).into_response())
}

/// The dashboard of the province (every county summed, each city side by side).
async fn dashboard_wide(
    State(c): State<Ceiling>,
    Query(q): Query<dashboard::DashboardQuery>,
) -> Answer {
    let p = &c.wide.auth()?.principal;
    Ok(Json(dashboard::dashboard(&c.st, p, &q).await?).into_response())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url, &zhaoyin_db::PoolConfig::default()).await?;
    let ceiling = Ceiling {
        reader: ctx_for(&db, &args.reader).await?,
        writer: ctx_for(&db, &args.writer).await?,
        wide: ctx_for(&db, &args.wide_reader).await?,
        st: AppState::new(db, WebConfig::default()),
    };
    let app = Router::new()
        .route("/static", get(stylesheet))
        .route("/login", post(login))
        .route("/api/tasks", get(task_list))
        .route("/tasks", get(task_list_page))
        .route("/tasks/{id}", get(task))
        .route("/tasks/{id}/reports", post(report))
        .route("/api/projects", get(project_list))
        .route("/api/projects/province", get(project_list_wide))
        .route("/projects", get(project_list_page))
        .route("/projects/{id}", get(project))
        .route("/projects/{id}/page", get(project_page))
        .route("/api/companies", get(company_list))
        .route("/api/activities", get(activity_list))
        .route("/activities", get(activity_list_page))
        .route("/api/activities/stats", get(activity_stats))
        .route("/api/dashboard", get(dashboard))
        .route("/api/dashboard/province", get(dashboard_wide))
        .with_state(ceiling);
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    println!("ceiling: http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
