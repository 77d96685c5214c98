//! Problem screens (问题清单): the list of problems with their lights and filters (a unit's
//! clerks see first what their unit must solve), a problem's page with the forms of the moves
//! the caller may make and of the explanation owed, and the form to raise or edit a problem
//! from its project.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::Invalid;
use zhaoyin_core::paging::Page;
use zhaoyin_core::problem::{ProblemCategory, ProblemInput, ProblemStatus};
use zhaoyin_db::progress::ProjectFile;
use zhaoyin_db::projects::ProjectRow;

use super::companies::{href_with, pager};
use super::{FormErrors, form_result, see_other};
use crate::ctx::{Auth, Ctx};
use crate::form::{Form, MultipartForm, Query, opt_date, opt_i64, req_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::problems::{
    self as svc, ProblemExplanation, ProblemMove, ProblemQuery, ProblemView, ProblemWrite, Rights,
};
use crate::{AppError, AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/problems", get(list))
        .route("/problems/export.xlsx", get(export))
        .route("/problems/sorting", get(sorting))
        .route("/problems/sorting.xlsx", get(sorting_export))
        .route("/problems/{id}", get(detail).post(update))
        .route("/problems/{id}/edit", get(edit))
        .route("/problems/{id}/status", post(status))
        .route("/problems/{id}/explanation", post(explain))
        .route("/problems/{id}/files/{fid}", get(file))
        .route("/projects/{id}/problems", post(create))
        .route("/projects/{id}/problems/new", get(new))
}

pub fn category_choices(t: &Tr, current: &str) -> Vec<Choice> {
    Choice::list(
        ProblemCategory::ALL
            .iter()
            .map(|c| (c.id().to_string(), t.label("problem.category", c.id()))),
        current,
    )
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "problems/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<ProblemView>,
    pager: Pager,
    q: ProblemQuery,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    units: Vec<Choice>,
    problems: Vec<String>,
    /// The caller's unit, for "what my unit must solve".
    own_unit: i64,
    export_href: String,
}

impl ListPage {
    fn checked(&self, v: &Option<String>) -> bool {
        v.as_deref() == Some("1")
    }
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProblemQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let t = &ctx.t;
    let page = Page::new(q.page, None);
    let (filter, problems) = match q.filter(&st.cfg) {
        Ok(f) => (f, Vec::new()),
        Err(e) => (Default::default(), FormErrors::from(t, &e, &[]).general),
    };
    let (rows, total) = svc::list(&st, auth, &filter, page).await?;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut statuses = vec![
        ("pending".to_string(), t.t("problems.pending").to_string()),
        ("todo".to_string(), t.t("problems.todo").to_string()),
    ];
    statuses.extend(
        ProblemStatus::ALL
            .iter()
            .map(|s| (s.id().to_string(), t.label("problem.status", s.id()))),
    );
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "problems.title"),
        pager: pager("/problems", &q, page, total),
        categories: category_choices(t, &v(&q.category)),
        statuses: Choice::list(statuses, &v(&q.status)),
        units: Choice::list(
            crate::service::projects::unit_choices(&st, auth)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.name)),
            &v(&q.unit_id),
        ),
        own_unit: auth.user.unit_id,
        export_href: href_with(
            "/problems/export.xlsx",
            &ProblemQuery {
                page: None,
                per_page: None,
                ..q.clone()
            },
        ),
        rows,
        q,
        problems,
    })
}

async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProblemQuery>,
) -> AppResult<Response> {
    let f = q.filter(&st.cfg)?;
    Ok(render::xlsx(
        svc::export(&st, &ctx, &f).await?,
        "attachment; filename=\"zhaoyin-problems.xlsx\"; filename*=UTF-8''%E9%97%AE%E9%A2%98%E6%B8%85%E5%8D%95.xlsx",
    ))
}

/// 每季度梳理: each major project with who answers for it, its progress and its unsolved
/// problems.
#[derive(Template)]
#[template(path = "problems/sorting.html")]
struct SortingPage {
    t: Tr,
    page: Chrome,
    items: Vec<svc::SortingItem>,
}

async fn sorting(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let items = svc::quarterly(&st, ctx.auth()?).await?;
    render::html(&SortingPage {
        t: ctx.t,
        page: render::chrome(&ctx, "problems.sorting"),
        items,
    })
}

async fn sorting_export(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(render::xlsx(
        svc::quarterly_export(&st, &ctx).await?,
        "attachment; filename=\"zhaoyin-quarterly-sorting.xlsx\"; filename*=UTF-8''%E9%87%8D%E5%A4%A7%E9%A1%B9%E7%9B%AE%E5%AD%A3%E5%BA%A6%E6%A2%B3%E7%90%86.xlsx",
    ))
}

// ------------------------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "problems/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    x: ProblemView,
    rights: Rights,
    moves: Vec<ProblemStatus>,
    /// The explanation form is shown (owed, or written and still open to correction).
    can_explain: bool,
    /// The evidence handed in with the solution.
    evidence: Vec<ProjectFile>,
    errors: FormErrors,
}

impl DetailPage {
    fn offers(&self, to: &str) -> bool {
        self.moves.iter().any(|m| m.id() == to)
    }
}

async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    x: ProblemView,
    errors: FormErrors,
) -> AppResult<DetailPage> {
    let rights = svc::rights(auth, &x.problem);
    let status = x.problem.status();
    Ok(DetailPage {
        evidence: zhaoyin_db::progress::problem_files(&st.db, x.problem.id).await?,
        t: ctx.t,
        page: render::chrome(ctx, "problems.detail"),
        moves: rights.moves(status),
        can_explain: rights.handle && x.takes_explanation(),
        rights,
        x,
        errors,
    })
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let x = svc::get(&st, auth, id).await?;
    render::html(&detail_page(&st, &ctx, auth, x, FormErrors::default()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    status: String,
    text: String,
    version: String,
}

/// Re-shows the problem's page with the problems of a refused form, or goes back to it.
async fn after(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    r: AppResult<ProblemView>,
) -> AppResult<Response> {
    match form_result(r, &ctx.t, &["text"])? {
        Ok(_) => Ok(see_other(&format!("/problems/{id}"), "saved")),
        Err((code, errors)) => {
            let auth = ctx.auth()?;
            let x = svc::get(st, auth, id).await?;
            render::html_status(code, &detail_page(st, ctx, auth, x, errors).await?)
        }
    }
}

async fn status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let mut form = MultipartForm::read(mp).await?;
    let files = form.take_files("files");
    let mut e = Invalid::default();
    let version = Some(req_i64(&mut e, "version", &form.text("version")));
    let r = if e.is_empty() {
        let m = ProblemMove {
            status: form.text("status"),
            text: form.text("text"),
            files: Vec::new(),
            version,
        };
        svc::set_status(&st, &ctx, id, &m, files).await
    } else {
        Err(e.into())
    };
    after(&st, &ctx, id, r).await
}

/// A file of a solution's evidence, as a download.
async fn file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (meta, data) = svc::file(&st, ctx.auth()?, id, fid).await?;
    Ok(render::uploaded_file(meta.id, &meta.filename, data, None))
}

async fn explain(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let version = Some(req_i64(&mut e, "version", &f.version));
    let r = if e.is_empty() {
        let x = ProblemExplanation {
            text: f.text,
            version,
        };
        svc::explain(&st, &ctx, id, &x).await
    } else {
        Err(e.into())
    };
    after(&st, &ctx, id, r).await
}

// -------------------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "problems/form.html")]
struct FormPage {
    t: Tr,
    page: Chrome,
    project: ProjectRow,
    /// The problem edited; `None` for a new one.
    problem: Option<ProblemView>,
    f: ProblemForm,
    categories: Vec<Choice>,
    units: Vec<Choice>,
    errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.problem {
            Some(x) => format!("/problems/{}", x.problem.id),
            None => format!("/projects/{}/problems", self.project.id),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProblemForm {
    category: String,
    description: String,
    unit_id: String,
    deadline: String,
    blocking: String,
    version: String,
}

impl ProblemForm {
    fn input(&self, e: &mut Invalid) -> ProblemInput {
        ProblemInput {
            category: self.category.clone(),
            description: self.description.clone(),
            unit_id: opt_i64(e, "unit_id", &self.unit_id),
            deadline: opt_date(e, "deadline", &self.deadline),
            blocking: !self.blocking.is_empty(),
        }
    }
}

const FIELDS: &[&str] = &["category", "description", "unit_id", "deadline", "blocking"];

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    project: ProjectRow,
    problem: Option<ProblemView>,
    f: ProblemForm,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let auth = ctx.auth()?;
    Ok(FormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if problem.is_some() {
                "problems.edit"
            } else {
                "problems.new"
            },
        ),
        categories: category_choices(&ctx.t, &f.category),
        units: Choice::list(
            crate::service::projects::unit_choices(st, auth)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.name)),
            &f.unit_id,
        ),
        project,
        problem,
        f,
        errors,
    })
}

/// The project whose problems the caller keeps.
async fn kept_project(st: &AppState, auth: &Auth, id: i64) -> AppResult<ProjectRow> {
    let p = crate::service::projects::get(st, auth, id).await?;
    crate::service::projects::require_write(auth, &p)?;
    Ok(p)
}

async fn new(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let project = kept_project(&st, ctx.auth()?, id).await?;
    let f = ProblemForm {
        unit_id: project.unit_id.to_string(),
        ..Default::default()
    };
    render::html(&form_page(&st, &ctx, project, None, f, FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ProblemForm>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let input = f.input(&mut e);
    let r = if e.is_empty() {
        svc::create(&st, &ctx, id, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(x) => Ok(see_other(&format!("/problems/{}", x.problem.id), "created")),
        Err((code, errors)) => {
            let project = kept_project(&st, ctx.auth()?, id).await?;
            render::html_status(code, &form_page(&st, &ctx, project, None, f, errors).await?)
        }
    }
}

async fn edit(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let x = svc::get(&st, auth, id).await?;
    if !svc::rights(auth, &x.problem).edit {
        return Err(AppError::Forbidden);
    }
    let project = zhaoyin_db::projects::get(&st.db, x.problem.project_id).await?;
    let i = svc::input_of(&x.problem);
    let f = ProblemForm {
        category: i.category,
        description: i.description,
        unit_id: x.problem.unit_id.to_string(),
        deadline: x.problem.deadline.to_string(),
        blocking: if i.blocking {
            "1".into()
        } else {
            String::new()
        },
        version: x.problem.version.to_string(),
    };
    render::html(&form_page(&st, &ctx, project, Some(x), f, FormErrors::default()).await?)
}

async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ProblemForm>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let x = svc::get(&st, auth, id).await?;
    let mut e = Invalid::default();
    let w = ProblemWrite {
        problem: f.input(&mut e),
        version: opt_i64(&mut e, "version", &f.version),
    };
    let r = if e.is_empty() {
        svc::update(&st, &ctx, id, &w).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(see_other(&format!("/problems/{id}"), "saved")),
        Err((code, errors)) => {
            let project = zhaoyin_db::projects::get(&st.db, x.problem.project_id).await?;
            render::html_status(
                code,
                &form_page(&st, &ctx, project, Some(x), f, errors).await?,
            )
        }
    }
}
