//! Target list screens: the lists by year, a list's page (quota progress, duty units short of
//! their projects, the entries and a form to add one), and the form that sets a list's year,
//! quotas and duty units.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::company::CompanyFlag;
use zhaoyin_core::paging::Page;
use zhaoyin_core::target::{TargetEntryInput, TargetListInput};
use zhaoyin_db::targets::TargetList;

use super::companies::pager;
use super::{FormErrors, form_result, require_writer, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, ListForm, Query, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::targets::{self as svc, TargetListDetail, TargetListQuery, TargetListUpdate};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/target-lists", get(list).post(create))
        .route("/target-lists/new", get(new))
        .route("/target-lists/{id}", get(detail).post(update))
        .route("/target-lists/{id}/edit", get(edit))
        .route("/target-lists/{id}/entries", post(add_entry))
        .route(
            "/target-lists/{id}/entries/{entry}/delete",
            post(remove_entry),
        )
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "targets/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<TargetList>,
    pager: Pager,
    can_create: bool,
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TargetListQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let page = Page::new(q.page, None);
    let (rows, total) = svc::list(&st, auth, page).await?;
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "targets.title"),
        pager: pager("/target-lists", &q, page, total),
        can_create: auth
            .principal
            .can_somewhere(Entity::TargetList, Action::Write),
        rows,
    })
}

// ------------------------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "targets/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    d: TargetListDetail,
    can_write: bool,
    entry: EntryForm,
    units: Vec<Choice>,
    leaders: Vec<Choice>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EntryForm {
    company: String,
    unit_id: String,
    leader_id: String,
    actions: String,
}

async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    entry: EntryForm,
    errors: FormErrors,
) -> AppResult<DetailPage> {
    let auth = ctx.auth()?;
    let d = svc::detail(st, auth, id).await?;
    let can_write = auth.can(Entity::TargetList, Action::Write, &d.list.place());
    let (units, leaders) = if can_write {
        let units = crate::service::projects::unit_choices(st, auth).await?;
        let people = crate::service::projects::people_choices(st, auth).await?;
        (
            Choice::list(
                units.into_iter().map(|u| (u.id.to_string(), u.name)),
                &entry.unit_id,
            ),
            Choice::list(
                people
                    .into_iter()
                    .map(|p| (p.id.to_string(), format!("{}（{}）", p.name, p.unit_name))),
                &entry.leader_id,
            ),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(DetailPage {
        t: ctx.t,
        page: render::chrome(ctx, "targets.detail"),
        d,
        can_write,
        entry,
        units,
        leaders,
        errors,
    })
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&detail_page(&st, &ctx, id, EntryForm::default(), FormErrors::default()).await?)
}

async fn add_entry(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<EntryForm>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let mut e = zhaoyin_core::Invalid::default();
    let company_id =
        crate::service::projects::resolve_investor(&st, auth, &f.company, None).await?;
    if company_id.is_none() && !f.company.trim().is_empty() {
        e.push(zhaoyin_core::FieldError::new(
            "company",
            "err.investor_unknown",
        ));
    }
    let input = TargetEntryInput {
        company_id,
        unit_id: opt_i64(&mut e, "unit_id", &f.unit_id),
        leader_id: opt_i64(&mut e, "leader_id", &f.leader_id),
        actions: f.actions.clone(),
    };
    let r = if e.is_empty() {
        svc::add_entry(&st, &ctx, id, &input).await
    } else {
        Err(e.into())
    };
    let fields = &["company", "company_id", "unit_id", "leader_id", "actions"];
    match form_result(r, &ctx.t, fields)? {
        Ok(_) => Ok(see_other(&format!("/target-lists/{id}#entries"), "saved")),
        Err((code, errors)) => {
            render::html_status(code, &detail_page(&st, &ctx, id, f, errors).await?)
        }
    }
}

async fn remove_entry(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, entry)): Path<(i64, i64)>,
) -> AppResult<Response> {
    svc::remove_entry(&st, &ctx, id, entry).await?;
    Ok(see_other(&format!("/target-lists/{id}#entries"), "saved"))
}

// -------------------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "targets/form.html")]
struct FormPage {
    t: Tr,
    page: Chrome,
    list: Option<TargetList>,
    f: ListFormValues,
    /// (mark, label, minimum as typed).
    quotas: Vec<(String, String, String)>,
    units: Vec<Choice>,
    errors: FormErrors,
}

/// The form as posted: one `quota_<mark>` field per company mark; duty units a multiple select.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ListFormValues {
    year: String,
    name: String,
    quota_global500: String,
    quota_china500: String,
    quota_private500: String,
    quota_headquarters: String,
    quota_listed: String,
    min_projects_per_unit: String,
    duty_unit_ids: Vec<String>,
    notes: String,
    version: String,
}

impl ListFormValues {
    fn quota(&self, f: CompanyFlag) -> &str {
        match f {
            CompanyFlag::Global500 => &self.quota_global500,
            CompanyFlag::China500 => &self.quota_china500,
            CompanyFlag::Private500 => &self.quota_private500,
            CompanyFlag::Headquarters => &self.quota_headquarters,
            CompanyFlag::Listed => &self.quota_listed,
        }
    }

    fn of(i: &TargetListInput, version: Option<i64>) -> Self {
        let q = |f: CompanyFlag| {
            i.quotas
                .get(f.id())
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        let text = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        Self {
            year: text(i.year),
            name: i.name.clone(),
            quota_global500: q(CompanyFlag::Global500),
            quota_china500: q(CompanyFlag::China500),
            quota_private500: q(CompanyFlag::Private500),
            quota_headquarters: q(CompanyFlag::Headquarters),
            quota_listed: q(CompanyFlag::Listed),
            min_projects_per_unit: text(i.min_projects_per_unit),
            duty_unit_ids: i.duty_unit_ids.iter().map(|u| u.to_string()).collect(),
            notes: i.notes.clone(),
            version: text(version),
        }
    }

    fn input(&self, e: &mut zhaoyin_core::Invalid) -> TargetListInput {
        let mut quotas = std::collections::BTreeMap::new();
        for f in CompanyFlag::ALL {
            if let Some(v) = opt_i64(e, &format!("quota_{}", f.id()), self.quota(*f)) {
                quotas.insert(f.id().to_string(), v);
            }
        }
        TargetListInput {
            year: opt_i64(e, "year", &self.year),
            name: self.name.clone(),
            quotas,
            duty_unit_ids: self
                .duty_unit_ids
                .iter()
                .filter_map(|u| opt_i64(e, "duty_unit_ids", u))
                .collect(),
            min_projects_per_unit: opt_i64(e, "min_projects_per_unit", &self.min_projects_per_unit),
            notes: self.notes.clone(),
        }
    }
}

const FIELDS: &[&str] = &[
    "year",
    "name",
    "quota_global500",
    "quota_china500",
    "quota_private500",
    "quota_headquarters",
    "quota_listed",
    "min_projects_per_unit",
    "duty_unit_ids",
    "notes",
];

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    list: Option<TargetList>,
    f: ListFormValues,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let auth = ctx.auth()?;
    let units = crate::service::projects::unit_choices(st, auth).await?;
    let mut duty = Choice::list(units.into_iter().map(|u| (u.id.to_string(), u.name)), "");
    for c in &mut duty {
        c.selected = f.duty_unit_ids.contains(&c.value);
    }
    Ok(FormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if list.is_some() {
                "targets.edit"
            } else {
                "targets.new"
            },
        ),
        quotas: CompanyFlag::ALL
            .iter()
            .map(|fl| {
                (
                    fl.id().to_string(),
                    ctx.t.label("company.flag", fl.id()),
                    f.quota(*fl).to_string(),
                )
            })
            .collect(),
        units: duty,
        list,
        f,
        errors,
    })
}

async fn new(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    require_writer(&ctx, Entity::TargetList)?;
    let rules = &st.cfg.target_rules;
    let input = TargetListInput {
        year: Some(i64::from(chrono::Datelike::year(&st.cfg.today()))),
        quotas: rules.quotas.clone(),
        min_projects_per_unit: Some(rules.min_projects_per_unit),
        ..Default::default()
    };
    let f = ListFormValues::of(&input, None);
    render::html(&form_page(&st, &ctx, None, f, FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    ListForm(f): ListForm<ListFormValues>,
) -> AppResult<Response> {
    require_writer(&ctx, Entity::TargetList)?;
    let mut e = zhaoyin_core::Invalid::default();
    let input = f.input(&mut e);
    let r = if e.is_empty() {
        svc::create(&st, &ctx, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(l) => Ok(see_other(&format!("/target-lists/{}", l.id), "created")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let l = svc::get(&st, auth, id).await?;
    auth.require(Entity::TargetList, Action::Write, &l.place())?;
    let f = ListFormValues::of(&svc::input_of(&st, &l).await?, Some(l.version));
    render::html(&form_page(&st, &ctx, Some(l), f, FormErrors::default()).await?)
}

async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ListForm(f): ListForm<ListFormValues>,
) -> AppResult<Response> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let mut e = zhaoyin_core::Invalid::default();
    let input = TargetListUpdate {
        list: f.input(&mut e),
        version: opt_i64(&mut e, "version", &f.version),
    };
    let r = if e.is_empty() {
        svc::update(&st, &ctx, id, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(see_other(&format!("/target-lists/{id}"), "saved")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, Some(current), f, errors).await?)
        }
    }
}
