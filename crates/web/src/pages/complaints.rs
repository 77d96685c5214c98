//! Investor complaints (投资者诉求): the public form and the tracking page (no account), and the
//! staff's list and complaint page, where the supervisor routes and judges and the unit answers.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::Invalid;
use zhaoyin_core::complaint::{
    AnswerInput, ComplaintInput, RatingInput, RouteInput, Satisfaction, Status, Verdict,
    VerdictInput,
};
use zhaoyin_core::paging::Page;

use super::{FormErrors, Pairs, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, MultipartForm, Query, opt_date, req_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::complaints::{self as svc, ComplaintView, FormView, ListQuery, Tracked};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/complaints/new", get(new_form))
        .route("/public/complaints", post(submit))
        .route("/public/complaints/track", get(track))
        .route("/public/complaints/rate", post(rate))
        .route("/complaints", get(list))
        .route("/complaints/{id}", get(show))
        .route("/complaints/{id}/files/{file}", get(file))
        .route("/complaints/{id}/route", post(route))
        .route("/complaints/{id}/answer", post(answer))
        .route("/complaints/{id}/verdict", post(verdict))
}

// ------------------------------------------------------------------------------ public form

const FIELDS: &[&str] = &[
    "region_id",
    "company",
    "contact",
    "phone",
    "email",
    "subject",
    "body",
    "answer",
    "files",
];

#[derive(Default)]
struct Typed {
    region_id: String,
    company: String,
    contact: String,
    phone: String,
    email: String,
    subject: String,
    body: String,
}

#[derive(Template)]
#[template(path = "complaints/new.html")]
struct NewPage {
    t: Tr,
    page: Chrome,
    counties: Vec<Choice>,
    question: String,
    token: String,
    f: Typed,
    max_files: usize,
    errors: FormErrors,
}

async fn new_page(st: &AppState, ctx: &Ctx, f: Typed, errors: FormErrors) -> AppResult<NewPage> {
    let FormView {
        counties,
        challenge,
    } = svc::form(st).await?;
    let selected = if f.region_id.is_empty() && counties.len() == 1 {
        counties[0].0.to_string()
    } else {
        f.region_id.clone()
    };
    Ok(NewPage {
        t: ctx.t,
        page: render::chrome(ctx, "complaint.new_title"),
        counties: Choice::list(
            counties.into_iter().map(|(id, n)| (id.to_string(), n)),
            &selected,
        ),
        question: ctx.t.tf(
            "complaint.question",
            &[
                ("a", challenge.a.to_string()),
                ("b", challenge.b.to_string()),
            ],
        ),
        token: challenge.token,
        f,
        max_files: svc::MAX_FILES,
        errors,
    })
}

async fn new_form(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&new_page(&st, &ctx, Typed::default(), FormErrors::default()).await?)
}

async fn submit(State(st): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    let mut form = MultipartForm::read(mp).await?;
    let f = Typed {
        region_id: form.text("region_id"),
        company: form.text("company"),
        contact: form.text("contact"),
        phone: form.text("phone"),
        email: form.text("email"),
        subject: form.text("subject"),
        body: form.text("body"),
    };
    let mut e = Invalid::default();
    let region_id = req_i64(&mut e, "region_id", &f.region_id);
    let submission = svc::Submission {
        input: ComplaintInput {
            region_id,
            company: f.company.clone(),
            contact: f.contact.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
            subject: f.subject.clone(),
            body: f.body.clone(),
        },
        token: form.text("token"),
        answer: form.text("answer"),
        trap: form.text("website"),
        files: form.take_files("files"),
    };
    let r = if e.is_empty() {
        svc::file(&st, &ctx, submission).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok((_, code)) => Ok(see_other(
            &format!("/public/complaints/track?code={code}&filed=1"),
            "complaint_filed",
        )),
        Err((code, errors)) => render::html_status(code, &new_page(&st, &ctx, f, errors).await?),
    }
}

// --------------------------------------------------------------------------------- tracking

#[derive(Template)]
#[template(path = "complaints/track.html")]
struct TrackPage {
    t: Tr,
    page: Chrome,
    code: String,
    filed: bool,
    tracked: Option<Tracked>,
    satisfactions: Vec<Choice>,
    errors: FormErrors,
}

async fn track_page(
    st: &AppState,
    ctx: &Ctx,
    code: String,
    filed: bool,
    errors: FormErrors,
) -> AppResult<(axum::http::StatusCode, TrackPage)> {
    let (status, tracked, errors) = if code.trim().is_empty() {
        (axum::http::StatusCode::OK, None, errors)
    } else {
        match svc::track(st, &code).await {
            Ok(t) => (axum::http::StatusCode::OK, Some(t), errors),
            Err(crate::AppError::NotFound) => {
                let mut e = FormErrors::default();
                e.general
                    .push(ctx.t.t("complaint.no_such_code").to_string());
                (axum::http::StatusCode::NOT_FOUND, None, e)
            }
            Err(err) => match form_result::<()>(Err(err), &ctx.t, &["code"])? {
                Ok(()) => (axum::http::StatusCode::OK, None, errors),
                Err((s, e)) => (s, None, e),
            },
        }
    };
    Ok((
        status,
        TrackPage {
            t: ctx.t,
            page: render::chrome(ctx, "complaint.track_title"),
            code,
            filed,
            tracked,
            satisfactions: Choice::list(
                Satisfaction::ALL.iter().map(|s| {
                    (
                        s.id().to_string(),
                        ctx.t.label("complaint.satisfaction", s.id()),
                    )
                }),
                "",
            ),
            errors,
        },
    ))
}

async fn track(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let (status, page) = track_page(
        &st,
        &ctx,
        p.get("code"),
        p.get("filed") == "1",
        FormErrors::default(),
    )
    .await?;
    render::html_status(status, &page)
}

async fn rate(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let code = p.get("code");
    let input = RatingInput {
        satisfaction: p.get("satisfaction"),
        note: p.get("note"),
    };
    match form_result(
        svc::rate(&st, &ctx, &code, &input).await,
        &ctx.t,
        &["satisfaction", "note"],
    )? {
        Ok(t) => Ok(see_other(
            &format!("/public/complaints/track?code={}", t.code),
            "saved",
        )),
        Err((status, errors)) => {
            let (_, page) = track_page(&st, &ctx, code, false, errors).await?;
            render::html_status(status, &page)
        }
    }
}

// ------------------------------------------------------------------------------------ staff

#[derive(Template)]
#[template(path = "complaints/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    v: svc::ListView,
    statuses: Vec<Choice>,
    overdue: bool,
    today: chrono::NaiveDate,
    pager: render::Pager,
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let t = &ctx.t;
    let v = svc::list(&st, ctx.auth()?, &q).await?;
    let status = q.status.clone().unwrap_or_default();
    let query = [
        ("status", status.clone()),
        (
            "unit_id",
            q.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        ),
        (
            "overdue",
            if q.overdue == Some(true) { "true" } else { "" }.to_string(),
        ),
    ];
    let pager = render::Pager::new(
        "/complaints",
        &query,
        Page::new(q.page, q.per_page),
        v.total,
    );
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "complaint.title"),
        statuses: Choice::list(
            Status::ALL
                .iter()
                .map(|s| (s.id().to_string(), t.label("complaint.status", s.id()))),
            &status,
        ),
        overdue: q.overdue.unwrap_or(false),
        today: st.cfg.today(),
        pager,
        v,
    })
}

#[derive(Template)]
#[template(path = "complaints/show.html")]
struct ShowPage {
    t: Tr,
    page: Chrome,
    v: ComplaintView,
    history: Vec<(String, String, String)>,
    units: Vec<Choice>,
    verdicts: Vec<Choice>,
    due: String,
    errors: FormErrors,
}

async fn show_page(st: &AppState, ctx: &Ctx, id: i64, errors: FormErrors) -> AppResult<ShowPage> {
    let t = &ctx.t;
    let v = svc::get(st, ctx.auth()?, id).await?;
    let unit = v
        .complaint
        .unit_id
        .map(|u| u.to_string())
        .unwrap_or_default();
    Ok(ShowPage {
        t: ctx.t,
        page: render::chrome(ctx, "complaint.title"),
        history: v
            .history
            .iter()
            .map(|h| {
                (
                    t.datetime(&h.at),
                    // Filed on the public form: the complainant, not an account.
                    if h.actor_user_id.is_none() {
                        t.t("complaint.complainant").to_string()
                    } else {
                        h.actor_name.clone()
                    },
                    t.label("complaint.step", &h.action),
                )
            })
            .collect(),
        units: Choice::list(
            v.units.iter().map(|(id, n)| (id.to_string(), n.clone())),
            &unit,
        ),
        // Upheld only against a unit it was sent to.
        verdicts: Choice::list(
            Verdict::ALL
                .iter()
                .filter(|s| {
                    Status::parse(&v.complaint.status)
                        .is_some_and(|st| st.allows(zhaoyin_core::complaint::Step::Verdict(**s)))
                })
                .map(|s| (s.id().to_string(), t.label("complaint.verdict", s.id()))),
            "",
        ),
        due: (st.cfg.today() + chrono::Duration::days(svc::ANSWER_DAYS)).to_string(),
        v,
        errors,
    })
}

async fn show(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&show_page(&st, &ctx, id, FormErrors::default()).await?)
}

async fn file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, file)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (name, data) = svc::file_data(&st, ctx.auth()?, id, file).await?;
    Ok(render::uploaded_file(file, &name, data, None))
}

/// Runs a step whose form read without problems (`parsed` empty), then back to the complaint,
/// or the complaint with the step's problems.
async fn after_step<T>(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    parsed: Invalid,
    step: impl std::future::Future<Output = AppResult<T>>,
    fields: &[&str],
) -> AppResult<Response> {
    let r = if parsed.is_empty() {
        step.await
    } else {
        Err(parsed.into())
    };
    match form_result(r, &ctx.t, fields)? {
        Ok(_) => Ok(see_other(&format!("/complaints/{id}"), "saved")),
        Err((code, errors)) => render::html_status(code, &show_page(st, ctx, id, errors).await?),
    }
}

async fn route(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let input = RouteInput {
        unit_id: req_i64(&mut e, "unit_id", &p.get("unit_id")),
        due_on: opt_date(&mut e, "due_on", &p.get("due_on")),
        note: p.get("note"),
        version: req_i64(&mut e, "version", &p.get("version")),
    };
    after_step(
        &st,
        &ctx,
        id,
        e,
        svc::route(&st, &ctx, id, &input),
        &["unit_id", "due_on", "note"],
    )
    .await
}

async fn answer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let input = AnswerInput {
        answer: p.get("answer"),
        version: req_i64(&mut e, "version", &p.get("version")),
    };
    after_step(
        &st,
        &ctx,
        id,
        e,
        svc::answer(&st, &ctx, id, &input),
        &["answer"],
    )
    .await
}

async fn verdict(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let input = VerdictInput {
        verdict: p.get("verdict"),
        reason: p.get("reason"),
        version: req_i64(&mut e, "version", &p.get("version")),
    };
    after_step(
        &st,
        &ctx,
        id,
        e,
        svc::judge(&st, &ctx, id, &input),
        &["verdict", "reason"],
    )
    .await
}
