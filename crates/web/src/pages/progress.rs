//! The progress list's forms (进度清单): a month's update with photos, funds in place with
//! their evidence, evidence handed in later, funds taken back; and the files, photos shown as
//! images. The list itself is a section of the project's page.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::{FormErrors, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{MultipartForm, opt_date, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::progress::{self as svc};
use crate::{AppResult, AppState};
use zhaoyin_core::Invalid;
use zhaoyin_core::incentive::FundUse;
use zhaoyin_core::progress::{EvidenceType, FundInput, UpdateInput};
use zhaoyin_db::progress::Update;
use zhaoyin_db::projects::ProjectRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/progress", post(create_update))
        .route("/projects/{id}/progress/new", get(new_update))
        .route("/projects/{id}/progress/{uid}", post(save_update))
        .route("/projects/{id}/progress/{uid}/edit", get(edit_update))
        .route("/projects/{id}/funds", post(create_fund))
        .route("/projects/{id}/funds/new", get(new_fund))
        .route("/projects/{id}/funds/{fid}/evidence", post(add_evidence))
        .route("/projects/{id}/funds/{fid}/delete", post(remove_fund))
        .route("/projects/{id}/files/{fid}", get(file))
}

async fn kept(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<ProjectRow> {
    svc::kept(st, ctx.auth()?, id).await
}

fn back(id: i64, flash: &str) -> Response {
    see_other(&format!("/projects/{id}#progress"), flash)
}

// ------------------------------------------------------------------------------------ updates

/// An update's form as typed.
#[derive(Default)]
struct UpdateForm {
    period: String,
    percent: String,
    description: String,
    invested: String,
    version: String,
}

impl UpdateForm {
    fn read(f: &MultipartForm) -> Self {
        Self {
            period: f.text("period"),
            percent: f.text("percent"),
            description: f.text("description"),
            invested: f.text("invested"),
            version: f.text("version"),
        }
    }

    fn of(u: &Update) -> Self {
        Self {
            period: u.period.clone(),
            percent: u.percent.to_string(),
            description: u.description.clone(),
            invested: u.invested.to_string(),
            version: u.version.to_string(),
        }
    }

    fn input(&self, e: &mut Invalid) -> UpdateInput {
        UpdateInput {
            period: self.period.clone(),
            percent: opt_i64(e, "percent", &self.percent),
            description: self.description.clone(),
            invested: opt_i64(e, "invested", &self.invested),
        }
    }
}

const UPDATE_FIELDS: &[&str] = &["period", "percent", "description", "invested", "photos"];

#[derive(Template)]
#[template(path = "progress/update_form.html")]
struct UpdatePage {
    t: Tr,
    page: Chrome,
    project: ProjectRow,
    /// The update edited (none: a new one).
    update_id: Option<i64>,
    f: UpdateForm,
    errors: FormErrors,
}

impl UpdatePage {
    fn action(&self) -> String {
        match self.update_id {
            Some(u) => format!("/projects/{}/progress/{u}", self.project.id),
            None => format!("/projects/{}/progress", self.project.id),
        }
    }
}

fn update_page(
    ctx: &Ctx,
    project: ProjectRow,
    update_id: Option<i64>,
    f: UpdateForm,
    errors: FormErrors,
) -> UpdatePage {
    UpdatePage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if update_id.is_some() {
                "progress.edit_update"
            } else {
                "progress.new_update"
            },
        ),
        project,
        update_id,
        f,
        errors,
    }
}

async fn new_update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let project = kept(&st, &ctx, id).await?;
    let f = UpdateForm {
        period: zhaoyin_core::activity::Month::of(st.cfg.today()).to_string(),
        ..Default::default()
    };
    render::html(&update_page(&ctx, project, None, f, FormErrors::default()))
}

async fn edit_update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, uid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let project = kept(&st, &ctx, id).await?;
    let u = svc::update_of(&st, id, uid).await?;
    render::html(&update_page(
        &ctx,
        project,
        Some(uid),
        UpdateForm::of(&u),
        FormErrors::default(),
    ))
}

/// Saves a new update (`uid` none) or an edit, re-showing the form with its problems.
async fn saved_update(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    uid: Option<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let mut form = MultipartForm::read(mp).await?;
    let photos = form.take_files("photos");
    let f = UpdateForm::read(&form);
    let mut e = Invalid::default();
    let input = f.input(&mut e);
    let version = opt_i64(&mut e, "version", &f.version);
    let r = if !e.is_empty() {
        Err(e.into())
    } else if let Some(uid) = uid {
        svc::edit_update(st, ctx, id, uid, &input, version, photos).await
    } else {
        svc::add_update(st, ctx, id, &input, photos).await
    };
    match form_result(r, &ctx.t, UPDATE_FIELDS)? {
        Ok(_) => Ok(back(id, "saved")),
        Err((code, errors)) => {
            let project = kept(st, ctx, id).await?;
            render::html_status(code, &update_page(ctx, project, uid, f, errors))
        }
    }
}

async fn create_update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    saved_update(&st, &ctx, id, None, mp).await
}

async fn save_update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, uid)): Path<(i64, i64)>,
    mp: Multipart,
) -> AppResult<Response> {
    saved_update(&st, &ctx, id, Some(uid), mp).await
}

// -------------------------------------------------------------------------------------- funds

#[derive(Default)]
struct FundForm {
    received_on: String,
    amount: String,
    source: String,
    evidence_type: String,
    note: String,
    used_for: String,
    fiscal: bool,
}

const FUND_FIELDS: &[&str] = &[
    "received_on",
    "amount",
    "source",
    "evidence_type",
    "used_for",
    "note",
    "files",
];

#[derive(Template)]
#[template(path = "progress/fund_form.html")]
struct FundPage {
    t: Tr,
    page: Chrome,
    project: ProjectRow,
    evidence_types: Vec<Choice>,
    uses: Vec<Choice>,
    f: FundForm,
    errors: FormErrors,
}

fn fund_page(ctx: &Ctx, project: ProjectRow, f: FundForm, errors: FormErrors) -> FundPage {
    FundPage {
        t: ctx.t,
        page: render::chrome(ctx, "progress.new_fund"),
        evidence_types: Choice::list(
            EvidenceType::ALL
                .iter()
                .map(|e| (e.id().to_string(), ctx.t.label("progress.evidence", e.id()))),
            &f.evidence_type,
        ),
        uses: Choice::list(
            FundUse::ALL
                .iter()
                .map(|u| (u.id().to_string(), ctx.t.label("progress.used_for", u.id()))),
            &f.used_for,
        ),
        project,
        f,
        errors,
    }
}

async fn new_fund(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let project = kept(&st, &ctx, id).await?;
    let f = FundForm {
        received_on: st.cfg.today().to_string(),
        used_for: FundUse::Investment.id().to_string(),
        ..Default::default()
    };
    render::html(&fund_page(&ctx, project, f, FormErrors::default()))
}

async fn create_fund(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let mut form = MultipartForm::read(mp).await?;
    let files = form.take_files("files");
    let f = FundForm {
        received_on: form.text("received_on"),
        amount: form.text("amount"),
        source: form.text("source"),
        evidence_type: form.text("evidence_type"),
        note: form.text("note"),
        used_for: form.text("used_for"),
        fiscal: !form.text("fiscal").is_empty(),
    };
    let mut e = Invalid::default();
    let input = FundInput {
        received_on: opt_date(&mut e, "received_on", &f.received_on),
        amount: opt_i64(&mut e, "amount", &f.amount),
        source: f.source.clone(),
        evidence_type: f.evidence_type.clone(),
        note: f.note.clone(),
        used_for: f.used_for.clone(),
        fiscal: f.fiscal,
    };
    let r = if e.is_empty() {
        svc::add_fund(&st, &ctx, id, &input, files).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FUND_FIELDS)? {
        Ok(_) => Ok(back(id, "saved")),
        Err((code, errors)) => {
            let project = kept(&st, &ctx, id).await?;
            render::html_status(code, &fund_page(&ctx, project, f, errors))
        }
    }
}

async fn add_evidence(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
    mp: Multipart,
) -> AppResult<Response> {
    let mut form = MultipartForm::read(mp).await?;
    let files = form.take_files("files");
    svc::add_evidence(&st, &ctx, id, fid, files).await?;
    Ok(back(id, "saved"))
}

async fn remove_fund(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    svc::remove_fund(&st, &ctx, id, fid).await?;
    Ok(back(id, "saved"))
}

/// A photo is shown as an image; evidence only downloads.
async fn file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, fid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (meta, data, image) = svc::file(&st, ctx.auth()?, id, fid).await?;
    Ok(render::uploaded_file(meta.id, &meta.filename, data, image))
}
