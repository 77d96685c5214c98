//! "1+N" approval screens: the item form (add, edit), the agent's dating of an item and the
//! project's land day from the project page, and the departments' overview with the items
//! over their committed days and the county's lead department per stage.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::Invalid;
use zhaoyin_core::approval::{ItemInput, Mechanism};
use zhaoyin_db::projects::ProjectRow;

use super::{FormErrors, Pairs, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, opt_date, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::approvals::{
    self as svc, DepartmentRow, ItemView, ItemWrite, LandInput, StageLeadInput,
};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/approvals", get(overview))
        .route("/approvals/stage-leads", post(set_stage_lead))
        .route("/approvals/{id}", post(save_item))
        .route("/approvals/{id}/edit", get(edit_item))
        .route("/approvals/{id}/dates", post(save_dates))
        .route("/projects/{id}/approvals", post(create_item))
        .route("/projects/{id}/approvals/new", get(new_item))
        .route("/projects/{id}/land", post(save_land))
}

fn to_project(id: i64, flash: &str) -> Response {
    see_other(&format!("/projects/{id}#approvals"), flash)
}

// -------------------------------------------------------------------------------------- form

/// An item's form as typed.
#[derive(Default)]
struct ItemForm {
    stage: String,
    name: String,
    unit_id: String,
    statutory_days: String,
    committed_days: String,
    mechanism: String,
    depends_on: Vec<String>,
    submitted_on: String,
    approved_on: String,
    note: String,
    version: String,
}

impl ItemForm {
    fn read(f: &Pairs) -> Self {
        Self {
            stage: f.get("stage"),
            name: f.get("name"),
            unit_id: f.get("unit_id"),
            statutory_days: f.get("statutory_days"),
            committed_days: f.get("committed_days"),
            mechanism: f.get("mechanism"),
            depends_on: f.all("depends_on"),
            submitted_on: f.get("submitted_on"),
            approved_on: f.get("approved_on"),
            note: f.get("note"),
            version: f.get("version"),
        }
    }

    fn of(v: &ItemView) -> Self {
        let i = &v.item;
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Self {
            stage: i.stage.clone(),
            name: i.name.clone(),
            unit_id: i.unit_id.to_string(),
            statutory_days: i.statutory_days.to_string(),
            committed_days: i.committed_days.to_string(),
            mechanism: i.mechanism.clone().unwrap_or_default(),
            depends_on: i.depends_on.iter().map(i64::to_string).collect(),
            submitted_on: day(i.submitted_on),
            approved_on: day(i.approved_on),
            note: i.note.clone().unwrap_or_default(),
            version: i.version.to_string(),
        }
    }

    fn input(&self, e: &mut Invalid) -> ItemInput {
        ItemInput {
            stage: self.stage.clone(),
            name: self.name.clone(),
            unit_id: opt_i64(e, "unit_id", &self.unit_id),
            statutory_days: opt_i64(e, "statutory_days", &self.statutory_days),
            committed_days: opt_i64(e, "committed_days", &self.committed_days),
            mechanism: self.mechanism.clone(),
            depends_on: self
                .depends_on
                .iter()
                .filter_map(|d| opt_i64(e, "depends_on", d))
                .collect(),
            submitted_on: opt_date(e, "submitted_on", &self.submitted_on),
            approved_on: opt_date(e, "approved_on", &self.approved_on),
            note: self.note.clone(),
        }
    }
}

const FIELDS: &[&str] = &[
    "stage",
    "name",
    "unit_id",
    "statutory_days",
    "committed_days",
    "mechanism",
    "depends_on",
    "submitted_on",
    "approved_on",
    "note",
];

#[derive(Template)]
#[template(path = "approvals/form.html")]
struct FormPage {
    t: Tr,
    page: Chrome,
    project: ProjectRow,
    /// The item edited; none for a new one.
    item_id: Option<i64>,
    stages: Vec<Choice>,
    units: Vec<Choice>,
    mechanisms: Vec<Choice>,
    /// The project's other items, as what this one may wait for.
    others: Vec<Choice>,
    f: ItemForm,
    errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.item_id {
            Some(id) => format!("/approvals/{id}"),
            None => format!("/projects/{}/approvals", self.project.id),
        }
    }
}

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    project: ProjectRow,
    item_id: Option<i64>,
    f: ItemForm,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let auth = ctx.auth()?;
    let t = &ctx.t;
    let plan = svc::plan_of(st, auth, &project).await?;
    let others = plan
        .items()
        .filter(|v| Some(v.item.id) != item_id)
        .map(|v| {
            let value = v.item.id.to_string();
            Choice {
                selected: f.depends_on.contains(&value),
                label: format!("{}（{}）", v.item.name, v.item.unit_name),
                value,
            }
        })
        .collect();
    Ok(FormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if item_id.is_some() {
                "approvals.edit"
            } else {
                "approvals.new"
            },
        ),
        stages: Choice::list(
            st.cfg
                .approval_rules
                .stages
                .iter()
                .map(|s| (s.id.clone(), s.name.clone())),
            &f.stage,
        ),
        units: Choice::list(
            crate::service::projects::unit_choices(st, auth)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.name)),
            &f.unit_id,
        ),
        mechanisms: Choice::list(
            Mechanism::ALL
                .iter()
                .map(|m| (m.id().to_string(), t.label("approval.mechanism", m.id()))),
            &f.mechanism,
        ),
        others,
        project,
        item_id,
        f,
        errors,
    })
}

async fn new_item(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let project = svc::worked(&st, ctx.auth()?, id).await?;
    let f = ItemForm::default();
    render::html(&form_page(&st, &ctx, project, None, f, FormErrors::default()).await?)
}

async fn create_item(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = ItemForm::read(&Pairs(pairs));
    let mut e = Invalid::default();
    let input = f.input(&mut e);
    let r = if e.is_empty() {
        svc::create(&st, &ctx, id, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(to_project(id, "created")),
        Err((code, errors)) => {
            let project = svc::worked(&st, ctx.auth()?, id).await?;
            render::html_status(code, &form_page(&st, &ctx, project, None, f, errors).await?)
        }
    }
}

async fn edit_item(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let v = svc::get(&st, auth, id).await?;
    let project = svc::worked(&st, auth, v.item.project_id).await?;
    let f = ItemForm::of(&v);
    render::html(&form_page(&st, &ctx, project, Some(id), f, FormErrors::default()).await?)
}

async fn save_item(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = svc::get(&st, ctx.auth()?, id).await?;
    saved(&st, &ctx, v, ItemForm::read(&Pairs(pairs))).await
}

/// The agent's dating of an item from the project page: acceptance, approval and a note.
async fn save_dates(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = svc::get(&st, ctx.auth()?, id).await?;
    let posted = Pairs(pairs);
    let f = ItemForm {
        submitted_on: posted.get("submitted_on"),
        approved_on: posted.get("approved_on"),
        note: posted.get("note"),
        version: posted.get("version"),
        ..ItemForm::of(&v)
    };
    saved(&st, &ctx, v, f).await
}

/// Saves an edit of `v` and goes back to its project; refused, the item's full form shows the
/// problems.
async fn saved(st: &AppState, ctx: &Ctx, v: ItemView, f: ItemForm) -> AppResult<Response> {
    let id = v.item.id;
    let mut e = Invalid::default();
    let w = ItemWrite {
        item: f.input(&mut e),
        version: opt_i64(&mut e, "version", &f.version),
    };
    let r = if e.is_empty() {
        svc::update(st, ctx, id, &w).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(to_project(v.item.project_id, "saved")),
        Err((code, errors)) => {
            let project = svc::worked(st, ctx.auth()?, v.item.project_id).await?;
            render::html_status(
                code,
                &form_page(st, ctx, project, Some(id), f, errors).await?,
            )
        }
    }
}

async fn save_land(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let land_on = opt_date(&mut e, "land_on", &Pairs(pairs).get("land_on"));
    e.into_result()?;
    svc::set_land(&st, &ctx, id, &LandInput { land_on }).await?;
    Ok(to_project(id, "saved"))
}

// ---------------------------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "approvals/overview.html")]
struct OverviewPage {
    t: Tr,
    page: Chrome,
    departments: Vec<DepartmentRow>,
    late: Vec<ItemView>,
    /// For a county's supervisor: each stage with its lead department's choices.
    leads: Vec<(String, String, Vec<Choice>)>,
}

impl OverviewPage {
    /// Average days used per item against average days committed, as "used / committed".
    fn ratio(&self, r: &DepartmentRow) -> String {
        if r.items == 0 {
            return "—".into();
        }
        format!(
            "{:.1} / {:.1}",
            r.used_days as f64 / r.items as f64,
            r.committed_days as f64 / r.items as f64
        )
    }
}

async fn overview(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let (departments, late) = svc::departments(&st, auth).await?;
    let leads = match svc::supervised_county(&st, auth).await? {
        None => Vec::new(),
        Some((region, _)) => {
            let current = svc::stage_leads(&st, region).await?;
            let units = crate::service::projects::unit_choices(&st, auth).await?;
            st.cfg
                .approval_rules
                .stages
                .iter()
                .map(|s| {
                    let lead = current
                        .iter()
                        .find(|(stage, _, _)| *stage == s.id)
                        .map(|l| l.1.to_string())
                        .unwrap_or_default();
                    let choices = Choice::list(
                        units.iter().map(|u| (u.id.to_string(), u.name.clone())),
                        &lead,
                    );
                    (s.id.clone(), s.name.clone(), choices)
                })
                .collect()
        }
    };
    render::html(&OverviewPage {
        t: ctx.t,
        page: render::chrome(&ctx, "approvals.title"),
        departments,
        late,
        leads,
    })
}

async fn set_stage_lead(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let input = StageLeadInput {
        stage: f.get("stage"),
        unit_id: opt_i64(&mut e, "unit_id", &f.get("unit_id")),
    };
    e.into_result()?;
    svc::set_stage_lead(&st, &ctx, &input).await?;
    Ok(see_other("/approvals", "saved"))
}
