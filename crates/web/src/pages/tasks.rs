//! Task screens: the list with its filters, the lights by unit, my to-do, and the task page with
//! every step of its life (lifecycle moves, reports and their review, reminders, instructions,
//! written explanations, deadline changes, evidence files).

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::Invalid;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;
use zhaoyin_core::task::{Light, TaskCadence, TaskStatus};
use zhaoyin_db::tasks::{TaskSort, UnitLights};

use super::{FormErrors, see_other};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::form::{Form, MultipartForm, Query, opt_date, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::tasks::{
    self as svc, AskInput, DeadlineInput, ExplainInput, NoteInput, ReportInput, ReviewInput,
    TaskDetail, TaskItem, TaskQuery, Todo, TransitionInput,
};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list))
        .route("/tasks/export.xlsx", get(export))
        .route("/tasks/lights", get(lights))
        .route("/tasks/todo", get(todo))
        .route("/tasks/{id}", get(detail))
        .route("/tasks/{id}/transition", post(transition))
        .route("/tasks/{id}/report", post(report))
        .route("/tasks/{id}/reports/{rid}/review", post(review_report))
        .route("/tasks/{id}/notes", post(note))
        .route("/tasks/{id}/explanations", post(ask_explanation))
        .route("/tasks/{id}/explanations/{eid}", post(explain))
        .route(
            "/tasks/{id}/explanations/{eid}/review",
            post(review_explanation),
        )
        .route("/tasks/{id}/deadline", post(request_deadline))
        .route("/tasks/{id}/deadline/{cid}", post(decide_deadline))
        .route("/tasks/{id}/files/{fid}", get(file))
}

fn choices<T: Copy>(
    t: &Tr,
    prefix: &str,
    all: &[T],
    id: impl Fn(T) -> &'static str,
    current: &Option<String>,
) -> Vec<Choice> {
    Choice::list(
        all.iter()
            .map(|v| (id(*v).to_string(), t.label(prefix, id(*v)))),
        current.as_deref().unwrap_or(""),
    )
}

/// The query as key/value pairs, for pager links and the export link.
fn query_pairs(q: &TaskQuery) -> Vec<(&'static str, String)> {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    vec![
        ("q", v(&q.q)),
        ("policy_id", v(&q.policy_id)),
        ("region_id", v(&q.region_id)),
        ("unit_id", v(&q.unit_id)),
        ("role", v(&q.role)),
        ("leader_id", v(&q.leader_id)),
        ("status", v(&q.status)),
        ("light", v(&q.light)),
        ("cadence", v(&q.cadence)),
        ("open", v(&q.open)),
        ("overdue", v(&q.overdue)),
        ("as_of", v(&q.as_of)),
        ("sort", v(&q.sort)),
    ]
}

fn href(path: &str, pairs: &[(&'static str, String)]) -> String {
    let q: Vec<_> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    if q.is_empty() {
        path.to_string()
    } else {
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    }
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "tasks/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<TaskItem>,
    pager: Pager,
    q: TaskQuery,
    policies: Vec<Choice>,
    units: Vec<Choice>,
    leaders: Vec<Choice>,
    statuses: Vec<Choice>,
    lights: Vec<Choice>,
    cadences: Vec<Choice>,
    sorts: Vec<Choice>,
    export_href: String,
    lights_href: String,
    problems: Vec<String>,
    /// More rows match than were counted.
    more: bool,
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let t = &ctx.t;
    let vis = auth.principal.visibility(Entity::Task, Action::Read);
    let facets = zhaoyin_db::tasks::facets(&st.db, &vis).await?;
    let page = Page::new(q.page, None);
    // A filter value that is not a choice is shown as a problem above an unfiltered list.
    let (filter, problems) = match q.filter(&st.cfg) {
        Ok(f) => (f, Vec::new()),
        Err(e) => (Default::default(), FormErrors::from(t, &e, &[]).general),
    };
    let (rows, total) = svc::list(&st, auth, &filter, page).await?;
    let pairs = query_pairs(&q);
    let named = |items: &[(i64, String)], current: &Option<String>| {
        Choice::list(
            items.iter().map(|(id, n)| (id.to_string(), n.clone())),
            current.as_deref().unwrap_or(""),
        )
    };
    let sorts = Choice::list(
        TaskSort::ALL
            .iter()
            .map(|(_, id)| (id.to_string(), t.label("task.sort", id))),
        q.sort.as_deref().unwrap_or("deadline"),
    );
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "tasks.title"),
        pager: Pager::new("/tasks", &pairs, page, total),
        policies: named(&facets.policies, &q.policy_id),
        units: named(&facets.units, &q.unit_id),
        leaders: named(&facets.leaders, &q.leader_id),
        statuses: choices(t, "task.status", TaskStatus::ALL, |s| s.id(), &q.status),
        lights: choices(t, "light", Light::ALL, |s| s.id(), &q.light),
        cadences: choices(t, "cadence", TaskCadence::ALL, |s| s.id(), &q.cadence),
        sorts,
        export_href: href("/tasks/export.xlsx", &pairs),
        lights_href: href("/tasks/lights", &pairs),
        rows,
        q,
        problems,
        more: total >= zhaoyin_db::COUNT_BOUND,
    })
}

// ------------------------------------------------------------------------------------ export

async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let filter = q.filter(&st.cfg)?;
    Ok(render::xlsx(
        crate::service::task_sheet::export(&st, &ctx, &filter).await?,
        "attachment; filename=\"zhaoyin-tasks.xlsx\"; filename*=UTF-8''%E4%BB%BB%E5%8A%A1%E5%88%86%E8%A7%A3%E8%A1%A8.xlsx",
    ))
}

// ------------------------------------------------------------------------------------ lights

#[derive(Template)]
#[template(path = "tasks/lights.html")]
struct LightsPage {
    t: Tr,
    page: Chrome,
    rows: Vec<UnitLights>,
    totals: UnitLights,
    q: TaskQuery,
    policies: Vec<Choice>,
    problems: Vec<String>,
}

impl LightsPage {
    /// Link to the list behind a count: this unit (or all), this light, the same filters.
    fn list_href(&self, unit_id: Option<&i64>, light: &str) -> String {
        let mut q = self.q.clone();
        q.unit_id = unit_id.map(|u| u.to_string());
        // Rows count the tasks a unit leads; the total counts each task once.
        q.role = unit_id.map(|_| "lead".to_string());
        q.page = None;
        if light == "closed" {
            q.status = Some("closed".into());
            q.light = None;
        } else {
            q.light = Some(light.into());
            q.open = Some("1".into());
        }
        href("/tasks", &query_pairs(&q))
    }

    /// All the tasks a unit leads, with the same filters.
    fn unit_href(&self, unit_id: &i64) -> String {
        let mut q = self.q.clone();
        q.unit_id = Some(unit_id.to_string());
        q.role = Some("lead".to_string());
        q.page = None;
        href("/tasks", &query_pairs(&q))
    }

    /// Share of a unit's open tasks of one colour, for the bar: a percentage in steps of 5 (the
    /// stylesheet has a width class for each step; pages carry no inline styles).
    fn pct(&self, r: &UnitLights, n: &i64) -> i64 {
        let n = *n;
        let open = r.red + r.yellow + r.green;
        if open == 0 {
            0
        } else {
            (n * 100 + open * 5 / 2) / open / 5 * 5
        }
    }
}

async fn lights(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TaskQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let (filter, problems) = match q.filter(&st.cfg) {
        Ok(f) => (f, Vec::new()),
        Err(e) => (
            Default::default(),
            FormErrors::from(&ctx.t, &e, &[]).general,
        ),
    };
    let rows = svc::lights_by_unit(&st, auth, &filter).await?;
    // Each task once, though it may have several lead units.
    let mut totals = UnitLights {
        unit_id: 0,
        unit_name: String::new(),
        red: 0,
        yellow: 0,
        green: 0,
        closed: 0,
    };
    for (_, red, yellow, green, closed) in svc::lights_by_region(&st, auth, &filter).await? {
        totals.red += red;
        totals.yellow += yellow;
        totals.green += green;
        totals.closed += closed;
    }
    let vis = auth.principal.visibility(Entity::Task, Action::Read);
    let facets = zhaoyin_db::tasks::facets(&st.db, &vis).await?;
    render::html(&LightsPage {
        t: ctx.t,
        page: render::chrome(&ctx, "tasks.lights_title"),
        policies: Choice::list(
            facets
                .policies
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone())),
            q.policy_id.as_deref().unwrap_or(""),
        ),
        rows,
        totals,
        q,
        problems,
    })
}

// -------------------------------------------------------------------------------------- to-do

#[derive(Template)]
#[template(path = "tasks/todo.html")]
struct TodoPage {
    t: Tr,
    page: Chrome,
    todo: Todo,
}

async fn todo(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let todo = svc::todo(&st, ctx.auth()?).await?;
    render::html(&TodoPage {
        t: ctx.t,
        page: render::chrome(&ctx, "todo.title"),
        todo,
    })
}

// ------------------------------------------------------------------------------------- detail

#[derive(Template)]
#[template(path = "tasks/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    d: TaskDetail,
    problems: Vec<String>,
    today: chrono::NaiveDate,
    /// The caller's units among the task's, for the report form.
    my_units: Vec<Choice>,
    /// Whether the task's progress is on the public portal, for those who may change it.
    public: Option<bool>,
}

impl DetailPage {
    fn may(&self, step: &str) -> bool {
        self.d.follow_ups.iter().any(|f| f == step)
    }
    fn can(&self, transition: &str) -> bool {
        self.d.available.iter().any(|f| f == transition)
    }
    fn files_of_event(&self, event_id: &i64) -> Vec<&zhaoyin_db::follow_up::Attachment> {
        self.d
            .attachments
            .iter()
            .filter(|a| a.event_id == Some(*event_id))
            .collect()
    }
    fn files_of_report(&self, report_id: &i64) -> Vec<&zhaoyin_db::follow_up::Attachment> {
        self.d
            .attachments
            .iter()
            .filter(|a| a.report_id == Some(*report_id))
            .collect()
    }
    fn units_of(&self, role: &str) -> String {
        self.d
            .units
            .iter()
            .filter(|u| u.role == role)
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
    fn leaders(&self) -> String {
        self.d
            .leaders
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
    fn reason(&self, r: &svc::LightReason) -> String {
        let period = r.period_end.map(|d| d.to_string()).unwrap_or_default();
        self.t.tf2(&r.key, "days", r.days, "period", period)
    }
    /// The reporting unit's own judgement, as words.
    fn on_track(&self, r: &zhaoyin_db::tasks::Report) -> Option<&'static str> {
        r.on_track.map(|b| self.t.yes_no(b))
    }
    fn pending_change(&self) -> bool {
        self.d
            .deadline_changes
            .iter()
            .any(|c| c.status == "pending")
    }
    fn open_explanation(&self) -> bool {
        self.d.explanations.iter().any(|e| e.status != "accepted")
    }
}

async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    problems: Vec<String>,
) -> AppResult<DetailPage> {
    let auth = ctx.auth()?;
    let d = svc::detail(st, auth, id).await?;
    let my_units = d
        .units
        .iter()
        .filter(|u| {
            zhaoyin_core::task::clerk_of(&auth.principal, &(u.unit_id, u.region_path.clone()))
        })
        .map(|u| (u.unit_id.to_string(), u.name.clone()))
        .collect::<Vec<_>>();
    let mut page = render::chrome(ctx, "tasks.title");
    page.title = format!("{} {}", d.task.code, d.task.title);
    let public = crate::service::portal::task_state(st, auth, &d.task).await?;
    Ok(DetailPage {
        t: ctx.t,
        page,
        d,
        problems,
        today: st.cfg.today(),
        my_units: Choice::list(my_units, ""),
        public,
    })
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&detail_page(&st, &ctx, id, Vec::new()).await?)
}

/// After a step on the task page: back to it, or the page again with what was wrong.
async fn done<T>(st: &AppState, ctx: &Ctx, id: i64, r: AppResult<T>) -> AppResult<Response> {
    match r {
        Ok(_) => Ok(see_other(&format!("/tasks/{id}"), "saved")),
        Err(e @ (AppError::Invalid(_) | AppError::Stale)) => {
            let problems = FormErrors::from(&ctx.t, &e, &[]).general;
            render::html_status(e.status(), &detail_page(st, ctx, id, problems).await?)
        }
        Err(e) => Err(e),
    }
}

async fn transition(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let mut form = MultipartForm::read(mp).await?;
    let files = form.take_files("files");
    let mut e = Invalid::default();
    let version = opt_i64(&mut e, "version", &form.text("version")).unwrap_or_default();
    let r = match e.into_result() {
        Err(e) => Err(e.into()),
        Ok(()) => {
            let input = TransitionInput {
                transition: form.text("transition"),
                version,
                comment: form.text("comment"),
                evidence: form.text("evidence"),
                files: Vec::new(),
            };
            svc::transition(&st, &ctx, id, &input, files).await
        }
    };
    done(&st, &ctx, id, r).await
}

async fn report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let mut form = MultipartForm::read(mp).await?;
    let files = form.take_files("files");
    let mut e = Invalid::default();
    let unit_id = opt_i64(&mut e, "unit_id", &form.text("unit_id"));
    let percent = opt_i64(&mut e, "percent", &form.text("percent"));
    let on_track = match form.text("on_track").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let r = match e.into_result() {
        Err(e) => Err(e.into()),
        Ok(()) => {
            let input = ReportInput {
                unit_id,
                progress: form.text("progress"),
                percent,
                problems: form.text("problems"),
                support_needed: form.text("support_needed"),
                on_track,
                files: Vec::new(),
            };
            svc::report(&st, &ctx, id, &input, files).await
        }
    };
    done(&st, &ctx, id, r).await
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    approve: String,
    #[serde(default)]
    comment: String,
}

impl ReviewForm {
    fn input(&self) -> ReviewInput {
        ReviewInput {
            approve: self.approve == "1",
            comment: self.comment.clone(),
        }
    }
}

async fn review_report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, rid)): Path<(i64, i64)>,
    Form(f): Form<ReviewForm>,
) -> AppResult<Response> {
    let r = svc::review_report(&st, &ctx, id, rid, &f.input()).await;
    done(&st, &ctx, id, r).await
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
}

async fn note(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> AppResult<Response> {
    let r = svc::note(
        &st,
        &ctx,
        id,
        &NoteInput {
            kind: f.kind,
            text: f.text,
        },
    )
    .await;
    done(&st, &ctx, id, r).await
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    due_on: String,
}

async fn ask_explanation(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AskForm>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let due_on = opt_date(&mut e, "due_on", &f.due_on);
    let r = match e.into_result() {
        Err(e) => Err(e.into()),
        Ok(()) => {
            svc::ask_explanation(
                &st,
                &ctx,
                id,
                &AskInput {
                    reason: f.reason,
                    due_on,
                },
            )
            .await
        }
    };
    done(&st, &ctx, id, r).await
}

#[derive(Deserialize)]
struct ExplainForm {
    #[serde(default)]
    text: String,
}

async fn explain(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, eid)): Path<(i64, i64)>,
    Form(f): Form<ExplainForm>,
) -> AppResult<Response> {
    let r = svc::explain(&st, &ctx, id, eid, &ExplainInput { text: f.text }).await;
    done(&st, &ctx, id, r).await
}

async fn review_explanation(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, eid)): Path<(i64, i64)>,
    Form(f): Form<ReviewForm>,
) -> AppResult<Response> {
    let r = svc::review_explanation(&st, &ctx, id, eid, &f.input()).await;
    done(&st, &ctx, id, r).await
}

#[derive(Deserialize)]
struct DeadlineForm {
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    reason: String,
}

async fn request_deadline(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DeadlineForm>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let deadline = opt_date(&mut e, "deadline", &f.deadline);
    let r = match (e.into_result(), deadline) {
        (Err(e), _) => Err(e.into()),
        (Ok(()), None) => Err(AppError::invalid("deadline", "err.required")),
        (Ok(()), Some(deadline)) => {
            svc::request_deadline(
                &st,
                &ctx,
                id,
                &DeadlineInput {
                    deadline,
                    reason: f.reason,
                },
            )
            .await
        }
    };
    done(&st, &ctx, id, r).await
}

async fn decide_deadline(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, cid)): Path<(i64, i64)>,
    Form(f): Form<ReviewForm>,
) -> AppResult<Response> {
    let r = svc::decide_deadline(&st, &ctx, id, cid, &f.input()).await;
    done(&st, &ctx, id, r).await
}

/// An evidence file, always as a download (never rendered in the page's origin).
async fn file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (meta, data) = svc::attachment(&st, ctx.auth()?, id, fid).await?;
    Ok(render::uploaded_file(meta.id, &meta.filename, data, None))
}
