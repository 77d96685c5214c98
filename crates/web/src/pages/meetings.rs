//! Weekly scheduling meeting screens: the list with the form of a new meeting (its agenda is
//! generated when it is created), a meeting's page with its agenda, attendance and decisions
//! (each becoming a task or a problem), and the minutes as DOCX.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::Invalid;
use zhaoyin_core::meeting::{DecisionInput, MeetingInput};
use zhaoyin_db::meetings::{AgendaRow, Meeting};

use super::{FormErrors, Pairs, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, opt_date, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::meetings::{self as svc, AttendanceInput, MeetingView};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/{id}", get(detail))
        .route("/meetings/{id}/attendance", post(attendance))
        .route("/meetings/{id}/decisions", post(decide))
        .route("/meetings/{id}/minutes.docx", get(minutes))
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Meeting>,
    /// The form of a new meeting, for a county's supervisor.
    can_create: bool,
    f: MeetingInput,
    held_on: String,
    errors: FormErrors,
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    f: MeetingInput,
    errors: FormErrors,
) -> AppResult<ListPage> {
    let auth = ctx.auth()?;
    let today = st.cfg.today();
    let f = if f.title.is_empty() && errors.fields.is_empty() {
        MeetingInput {
            title: svc::default_title(&ctx.t, today),
            held_on: Some(today),
            ..f
        }
    } else {
        f
    };
    Ok(ListPage {
        t: ctx.t,
        page: render::chrome(ctx, "meetings.title"),
        rows: svc::list(st, auth).await?,
        can_create: crate::service::approvals::supervised_county(st, auth)
            .await?
            .is_some(),
        held_on: f.held_on.map(|d| d.to_string()).unwrap_or_default(),
        f,
        errors,
    })
}

async fn list(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&list_page(&st, &ctx, MeetingInput::default(), FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let input = MeetingInput {
        held_on: opt_date(&mut e, "held_on", &f.get("held_on")),
        title: f.get("title"),
        place: f.get("place"),
        chair: f.get("chair"),
    };
    let r = if e.is_empty() {
        svc::create(&st, &ctx, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, &["held_on", "title", "place", "chair"])? {
        Ok(m) => Ok(see_other(&format!("/meetings/{}", m.meeting.id), "created")),
        Err((code, errors)) => {
            render::html_status(code, &list_page(&st, &ctx, input, errors).await?)
        }
    }
}

// ------------------------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "meetings/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    m: MeetingView,
    /// The county's people for the attendance form: (id, "name（unit）", present, on leave).
    people: Vec<(i64, String, bool, bool)>,
    units: Vec<Choice>,
    /// The agenda's projects and the county's other major projects.
    projects: Vec<Choice>,
    categories: Vec<Choice>,
    today: String,
    errors: FormErrors,
}

impl DetailPage {
    fn line(&self, a: &AgendaRow) -> String {
        svc::agenda_line(&self.t, a)
    }

    fn present(&self) -> usize {
        self.m
            .attendees
            .iter()
            .filter(|a| a.status == "present")
            .count()
    }
}

async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> AppResult<DetailPage> {
    let auth = ctx.auth()?;
    let m = svc::get(st, auth, id).await?;
    let (people, units, projects) = if m.may_edit {
        let vis = auth.principal.visibility(
            zhaoyin_core::authz::Entity::Person,
            zhaoyin_core::authz::Action::Read,
        );
        let people = zhaoyin_db::org::all_people(&st.db, &vis)
            .await?
            .into_iter()
            .filter(|p| p.active && p.region_path.starts_with(&m.meeting.region_path))
            .map(|p| {
                let status = m
                    .attendees
                    .iter()
                    .find(|a| a.person_id == p.id)
                    .map(|a| a.status.as_str());
                (
                    p.id,
                    format!("{}（{}）", p.name, p.unit_name),
                    status == Some("present"),
                    status == Some("leave"),
                )
            })
            .collect();
        let units = Choice::list(
            crate::service::projects::unit_choices(st, auth)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.name)),
            "",
        );
        let mut projects: Vec<(String, String)> = Vec::new();
        for a in &m.agenda {
            if !projects
                .iter()
                .any(|(id, _)| *id == a.project_id.to_string())
            {
                projects.push((a.project_id.to_string(), a.project_name.clone()));
            }
        }
        let majors = crate::service::projects::list(
            st,
            auth,
            &zhaoyin_db::projects::ProjectFilter {
                major: Some(true),
                ..Default::default()
            },
            zhaoyin_core::paging::Page::new(Some(1), Some(200)),
        )
        .await?
        .0;
        for p in majors {
            if !projects.iter().any(|(id, _)| *id == p.id.to_string()) {
                projects.push((p.id.to_string(), p.name));
            }
        }
        (people, units, Choice::list(projects, ""))
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    Ok(DetailPage {
        t: ctx.t,
        page: render::chrome(ctx, "meetings.detail"),
        people,
        units,
        projects,
        categories: super::problems::category_choices(&ctx.t, ""),
        today: st.cfg.today().to_string(),
        m,
        errors,
    })
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&detail_page(&st, &ctx, id, FormErrors::default()).await?)
}

async fn attendance(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let mut people = Vec::new();
    for (status, field) in [("present", "present"), ("leave", "leave")] {
        for v in f.all(field) {
            if let Some(person_id) = opt_i64(&mut e, field, &v) {
                people.push(AttendanceInput {
                    person_id,
                    status: status.into(),
                });
            }
        }
    }
    let r = if e.is_empty() {
        svc::set_attendance(&st, &ctx, id, &people)
            .await
            .map(|_| ())
    } else {
        Err(e.into())
    };
    done(&st, &ctx, id, r).await
}

async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let input = DecisionInput {
        text: f.get("text"),
        kind: f.get("kind"),
        unit_id: opt_i64(&mut e, "unit_id", &f.get("unit_id")),
        deadline: opt_date(&mut e, "deadline", &f.get("deadline")),
        project_id: opt_i64(&mut e, "project_id", &f.get("project_id")),
        category: f.get("category"),
    };
    let r = if e.is_empty() {
        svc::decide(&st, &ctx, id, &input).await.map(|_| ())
    } else {
        Err(e.into())
    };
    done(&st, &ctx, id, r).await
}

/// Back to the meeting, or the meeting with the problems of a refused form.
async fn done(st: &AppState, ctx: &Ctx, id: i64, r: AppResult<()>) -> AppResult<Response> {
    let fields = [
        "text",
        "kind",
        "unit_id",
        "deadline",
        "project_id",
        "category",
    ];
    match form_result(r, &ctx.t, &fields)? {
        Ok(()) => Ok(see_other(&format!("/meetings/{id}"), "saved")),
        Err((code, errors)) => render::html_status(code, &detail_page(st, ctx, id, errors).await?),
    }
}

async fn minutes(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    Ok(render::docx(
        svc::minutes(&st, &ctx, id).await?,
        svc::MINUTES_FILE,
    ))
}
