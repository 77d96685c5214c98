//! Organisation screens: regions, units, people, and the spreadsheet import.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::org::{PersonInput, RegionInput, RegionLevel, UnitInput, UnitKind};
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::org::{
    ImportSummary, Person, PersonFilter, Region, RegionFilter, Unit, UnitFilter,
};

use super::{FormErrors, form_result, see_other};
use crate::ctx::{Auth, Ctx};
use crate::error::AppError;
use crate::form::{Form, Query, id_filter, nonempty, opt_i64, req_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::{self, org as svc};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org/regions", get(regions).post(create_region))
        .route("/org/regions/new", get(new_region))
        .route("/org/regions/{id}", post(update_region))
        .route("/org/regions/{id}/edit", get(edit_region))
        .route("/org/regions/{id}/active", post(region_active))
        .route("/org/units", get(units).post(create_unit))
        .route("/org/units/new", get(new_unit))
        .route("/org/units/{id}", post(update_unit))
        .route("/org/units/{id}/edit", get(edit_unit))
        .route("/org/units/{id}/active", post(unit_active))
        .route("/org/people", get(people).post(create_person))
        .route("/org/people/new", get(new_person))
        .route("/org/people/{id}", post(update_person))
        .route("/org/people/{id}/edit", get(edit_person))
        .route("/org/people/{id}/active", post(person_active))
        .route("/org/import", get(import_page).post(import))
        .route("/org/import/template.xlsx", get(template))
}

/// A list row with what the caller may do to it.
pub struct Row<T> {
    pub item: T,
    pub can_write: bool,
}

#[derive(Deserialize)]
struct ActiveForm {
    active: String,
    version: String,
}

impl ActiveForm {
    fn parse(&self) -> AppResult<(bool, i64)> {
        let active = self.active == "true";
        let version = self
            .version
            .trim()
            .parse()
            .map_err(|_| AppError::BadRequest("version".into()))?;
        Ok((active, version))
    }
}

/// A form whose numbers did not parse is not sent on, but its other fields are still checked so
/// that the user sees every problem at once.
fn with_field_checks(mut parse: Invalid, more: Option<Invalid>) -> AppError {
    if let Some(more) = more {
        parse.0.extend(more.0);
    }
    AppError::Invalid(parse)
}

fn flash_for(active: bool) -> &'static str {
    if active { "enabled" } else { "disabled" }
}

/// A toggle that fails for a reason the user can act on shows that reason on an error page.
fn toggled<T>(r: AppResult<T>, back: &str, active: bool) -> AppResult<Response> {
    r.map(|_| see_other(back, flash_for(active)))
}

// ----------------------------------------------------------------------------------- regions

#[derive(Deserialize, Default)]
struct RegionQuery {
    q: Option<String>,
    level: Option<String>,
    inactive: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "org/regions.html")]
struct RegionsPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Row<Region>>,
    pager: Pager,
    q: String,
    inactive: bool,
    levels: Vec<Choice>,
    can_create: bool,
}

async fn regions(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegionQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let filter = RegionFilter {
        q: nonempty(&q.q),
        level: nonempty(&q.level),
        parent_id: None,
        include_inactive: q.inactive.is_some(),
    };
    let page = Page::new(q.page, None);
    let (items, total) = svc::regions(&st, auth, &filter, page).await?;
    let rows = items
        .into_iter()
        .map(|r| Row {
            can_write: auth.can(Entity::Region, Action::Write, &r.place()),
            item: r,
        })
        .collect();
    let query = [
        ("q", filter.q.clone().unwrap_or_default()),
        ("level", filter.level.clone().unwrap_or_default()),
        (
            "inactive",
            if filter.include_inactive {
                "1".into()
            } else {
                String::new()
            },
        ),
    ];
    render::html(&RegionsPage {
        t: ctx.t,
        page: render::chrome(&ctx, "regions.title"),
        rows,
        pager: Pager::new("/org/regions", &query, page, total),
        q: filter.q.unwrap_or_default(),
        levels: levels(&ctx.t, filter.level.as_deref().unwrap_or("")),
        inactive: filter.include_inactive,
        can_create: auth.principal.can_somewhere(Entity::Region, Action::Write),
    })
}

#[derive(Template)]
#[template(path = "org/region_form.html")]
struct RegionForm {
    t: Tr,
    page: Chrome,
    /// `None` when creating.
    region: Option<Region>,
    code: String,
    name: String,
    version: i64,
    parents: Vec<Choice>,
    levels: Vec<Choice>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct RegionFormData {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    version: String,
}

async fn region_form(
    st: &AppState,
    ctx: &Ctx,
    region: Option<Region>,
    data: RegionFormData,
    errors: FormErrors,
) -> AppResult<RegionForm> {
    let auth = ctx.auth()?;
    let parents = if region.is_none() {
        region_choices(
            svc::writable_regions(st, auth, Entity::Region).await?,
            &data.parent_id,
        )
    } else {
        Vec::new()
    };
    let levels = levels(&ctx.t, &data.level);
    Ok(RegionForm {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if region.is_some() {
                "regions.edit"
            } else {
                "regions.new"
            },
        ),
        version: region.as_ref().map(|r| r.version).unwrap_or(0),
        region,
        code: data.code,
        name: data.name,
        parents,
        levels,
        errors,
    })
}

const REGION_FIELDS: &[&str] = &["code", "name", "level", "parent"];

async fn new_region(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(
        &region_form(
            &st,
            &ctx,
            None,
            RegionFormData::default(),
            FormErrors::default(),
        )
        .await?,
    )
}

async fn create_region(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RegionFormData>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let parent = opt_i64(&mut e, "parent", &f.parent_id);
    let input = RegionInput {
        code: f.code.clone(),
        name: f.name.clone(),
        level: f.level.clone(),
    };
    let r = match e.into_result() {
        Ok(()) => svc::create_region(&st, &ctx, parent, &input).await,
        Err(e) => Err(e.into()),
    };
    match form_result(r, &ctx.t, REGION_FIELDS)? {
        Ok(_) => Ok(see_other("/org/regions", "created")),
        Err((status, errors)) => {
            render::html_status(status, &region_form(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit_region(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let r = svc::region(&st, auth, id).await?;
    auth.require(Entity::Region, Action::Write, &r.place())?;
    let data = RegionFormData {
        code: r.code.clone(),
        name: r.name.clone(),
        level: r.level.clone(),
        parent_id: r.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        version: r.version.to_string(),
    };
    render::html(&region_form(&st, &ctx, Some(r), data, FormErrors::default()).await?)
}

async fn update_region(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RegionFormData>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let current = svc::region(&st, auth, id).await?;
    let mut e = Invalid::default();
    let version = req_i64(&mut e, "version", &f.version);
    let r = match e.into_result() {
        Ok(()) => svc::update_region(&st, &ctx, id, version, &f.code, &f.name).await,
        Err(e) => Err(e.into()),
    };
    match form_result(r, &ctx.t, REGION_FIELDS)? {
        Ok(_) => Ok(see_other("/org/regions", "saved")),
        Err((status, errors)) => render::html_status(
            status,
            &region_form(&st, &ctx, Some(current), f, errors).await?,
        ),
    }
}

async fn region_active(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    let (active, version) = f.parse()?;
    toggled(
        svc::set_region_active(&st, &ctx, id, version, active).await,
        "/org/regions",
        active,
    )
}

// ------------------------------------------------------------------------------------- units

#[derive(Deserialize, Default)]
struct UnitQuery {
    q: Option<String>,
    region: Option<String>,
    kind: Option<String>,
    inactive: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "org/units.html")]
struct UnitsPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Row<Unit>>,
    pager: Pager,
    q: String,
    inactive: bool,
    regions: Vec<Choice>,
    kinds: Vec<Choice>,
    can_create: bool,
}

fn kinds(t: &Tr, current: &str) -> Vec<Choice> {
    Choice::list(
        UnitKind::ALL
            .iter()
            .map(|k| (k.id().to_string(), t.label("unit.kind", k.id()))),
        current,
    )
}

fn levels(t: &Tr, current: &str) -> Vec<Choice> {
    Choice::list(
        RegionLevel::ALL
            .iter()
            .map(|l| (l.id().to_string(), t.label("region.level", l.id()))),
        current,
    )
}

/// Regions as options, indented by level so the tree shows.
fn region_choices(regions: Vec<Region>, current: &str) -> Vec<Choice> {
    Choice::list(
        regions.into_iter().map(|r| {
            let depth = r.path.matches('/').count().saturating_sub(2);
            (
                r.id.to_string(),
                format!("{}{}", "\u{3000}".repeat(depth), r.name),
            )
        }),
        current,
    )
}

/// Units as options, with their region.
pub fn unit_choices(units: Vec<Unit>, current: &str) -> Vec<Choice> {
    Choice::list(
        units
            .into_iter()
            .map(|u| (u.id.to_string(), format!("{}（{}）", u.name, u.region_name))),
        current,
    )
}

async fn visible_regions(st: &AppState, auth: &Auth) -> AppResult<Vec<Region>> {
    Ok(
        svc::regions(st, auth, &RegionFilter::default(), Page::largest())
            .await?
            .0,
    )
}

async fn units(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let filter = UnitFilter {
        q: nonempty(&q.q),
        region_id: id_filter(&q.region),
        kind: nonempty(&q.kind),
        include_inactive: q.inactive.is_some(),
    };
    let page = Page::new(q.page, None);
    let (items, total) = svc::units(&st, auth, &filter, page).await?;
    let rows = items
        .into_iter()
        .map(|u| Row {
            can_write: auth.can(Entity::Unit, Action::Write, &u.place()),
            item: u,
        })
        .collect();
    let query = [
        ("q", filter.q.clone().unwrap_or_default()),
        (
            "region",
            filter.region_id.map(|r| r.to_string()).unwrap_or_default(),
        ),
        ("kind", filter.kind.clone().unwrap_or_default()),
        (
            "inactive",
            if filter.include_inactive {
                "1".into()
            } else {
                String::new()
            },
        ),
    ];
    render::html(&UnitsPage {
        t: ctx.t,
        page: render::chrome(&ctx, "units.title"),
        rows,
        pager: Pager::new("/org/units", &query, page, total),
        regions: region_choices(
            visible_regions(&st, auth).await?,
            &filter.region_id.map(|r| r.to_string()).unwrap_or_default(),
        ),
        kinds: kinds(&ctx.t, filter.kind.as_deref().unwrap_or("")),
        q: filter.q.unwrap_or_default(),
        inactive: filter.include_inactive,
        can_create: auth.principal.can_somewhere(Entity::Unit, Action::Write),
    })
}

#[derive(Template)]
#[template(path = "org/unit_form.html")]
struct UnitFormPage {
    t: Tr,
    page: Chrome,
    unit: Option<Unit>,
    f: UnitFormData,
    regions: Vec<Choice>,
    kinds: Vec<Choice>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct UnitFormData {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    region_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    sort_order: String,
    #[serde(default)]
    version: String,
}

impl UnitFormData {
    fn input(&self, e: &mut Invalid) -> (UnitInput, i64) {
        let sort_order = opt_i64(e, "sort_order", &self.sort_order);
        let region = req_i64(e, "region", &self.region_id);
        (
            UnitInput {
                code: self.code.clone(),
                name: self.name.clone(),
                short_name: self.short_name.clone(),
                kind: self.kind.clone(),
                phone: self.phone.clone(),
                sort_order,
            },
            region,
        )
    }
}

const UNIT_FIELDS: &[&str] = &[
    "code",
    "name",
    "short_name",
    "kind",
    "region",
    "phone",
    "sort_order",
];

async fn unit_form(
    st: &AppState,
    ctx: &Ctx,
    unit: Option<Unit>,
    f: UnitFormData,
    errors: FormErrors,
) -> AppResult<UnitFormPage> {
    let auth = ctx.auth()?;
    Ok(UnitFormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if unit.is_some() {
                "units.edit"
            } else {
                "units.new"
            },
        ),
        regions: region_choices(
            svc::writable_regions(st, auth, Entity::Unit).await?,
            &f.region_id,
        ),
        kinds: kinds(&ctx.t, &f.kind),
        unit,
        f,
        errors,
    })
}

async fn new_unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let f = UnitFormData {
        region_id: q.region.unwrap_or_default(),
        ..Default::default()
    };
    render::html(&unit_form(&st, &ctx, None, f, FormErrors::default()).await?)
}

async fn create_unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<UnitFormData>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let (input, region) = f.input(&mut e);
    let r = if e.is_empty() {
        svc::create_unit(&st, &ctx, region, &input).await
    } else {
        Err(with_field_checks(e, input.validate().err()))
    };
    match form_result(r, &ctx.t, UNIT_FIELDS)? {
        Ok(_) => Ok(see_other("/org/units", "created")),
        Err((status, errors)) => {
            render::html_status(status, &unit_form(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit_unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let u = svc::unit(&st, auth, id).await?;
    auth.require(Entity::Unit, Action::Write, &u.place())?;
    let f = UnitFormData {
        code: u.code.clone(),
        name: u.name.clone(),
        short_name: u.short_name.clone().unwrap_or_default(),
        kind: u.kind.clone(),
        region_id: u.region_id.to_string(),
        phone: u.phone.clone().unwrap_or_default(),
        sort_order: u.sort_order.to_string(),
        version: u.version.to_string(),
    };
    render::html(&unit_form(&st, &ctx, Some(u), f, FormErrors::default()).await?)
}

async fn update_unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<UnitFormData>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let current = svc::unit(&st, auth, id).await?;
    let mut e = Invalid::default();
    let (input, region) = f.input(&mut e);
    let version = req_i64(&mut e, "version", &f.version);
    let r = if e.is_empty() {
        svc::update_unit(&st, &ctx, id, version, region, &input).await
    } else {
        Err(with_field_checks(e, input.validate().err()))
    };
    match form_result(r, &ctx.t, UNIT_FIELDS)? {
        Ok(_) => Ok(see_other("/org/units", "saved")),
        Err((status, errors)) => render::html_status(
            status,
            &unit_form(&st, &ctx, Some(current), f, errors).await?,
        ),
    }
}

async fn unit_active(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    let (active, version) = f.parse()?;
    toggled(
        svc::set_unit_active(&st, &ctx, id, version, active).await,
        "/org/units",
        active,
    )
}

// ------------------------------------------------------------------------------------ people

#[derive(Deserialize, Default)]
struct PersonQuery {
    q: Option<String>,
    unit: Option<String>,
    inactive: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "org/people.html")]
struct PeoplePage {
    t: Tr,
    page: Chrome,
    rows: Vec<Row<Person>>,
    pager: Pager,
    q: String,
    unit: Option<i64>,
    inactive: bool,
    units: Vec<Choice>,
    can_create: bool,
}

async fn visible_units(st: &AppState, auth: &Auth) -> AppResult<Vec<Unit>> {
    Ok(
        svc::units(st, auth, &UnitFilter::default(), Page::largest())
            .await?
            .0,
    )
}

async fn people(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PersonQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let filter = PersonFilter {
        q: nonempty(&q.q),
        unit_id: id_filter(&q.unit),
        region_id: None,
        include_inactive: q.inactive.is_some(),
    };
    let page = Page::new(q.page, None);
    let (items, total) = svc::people(&st, auth, &filter, page).await?;
    let rows = items
        .into_iter()
        .map(|p| Row {
            can_write: auth.can(Entity::Person, Action::Write, &p.place()),
            item: p,
        })
        .collect();
    let query = [
        ("q", filter.q.clone().unwrap_or_default()),
        (
            "unit",
            filter.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        ),
        (
            "inactive",
            if filter.include_inactive {
                "1".into()
            } else {
                String::new()
            },
        ),
    ];
    render::html(&PeoplePage {
        t: ctx.t,
        page: render::chrome(&ctx, "people.title"),
        rows,
        pager: Pager::new("/org/people", &query, page, total),
        q: filter.q.unwrap_or_default(),
        unit: filter.unit_id,
        inactive: filter.include_inactive,
        units: unit_choices(
            visible_units(&st, auth).await?,
            &filter.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        ),
        can_create: auth.principal.can_somewhere(Entity::Person, Action::Write),
    })
}

#[derive(Template)]
#[template(path = "org/person_form.html")]
struct PersonFormPage {
    t: Tr,
    page: Chrome,
    person: Option<Person>,
    f: PersonFormData,
    units: Vec<Choice>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct PersonFormData {
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    version: String,
}

impl PersonFormData {
    fn input(&self) -> PersonInput {
        PersonInput {
            name: self.name.clone(),
            title: self.title.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

const PERSON_FIELDS: &[&str] = &["name", "title", "unit", "phone", "email"];

async fn person_form(
    st: &AppState,
    ctx: &Ctx,
    person: Option<Person>,
    f: PersonFormData,
    errors: FormErrors,
) -> AppResult<PersonFormPage> {
    let auth = ctx.auth()?;
    Ok(PersonFormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if person.is_some() {
                "people.edit"
            } else {
                "people.new"
            },
        ),
        units: unit_choices(
            svc::writable_units(st, auth, Entity::Person).await?,
            &f.unit_id,
        ),
        person,
        f,
        errors,
    })
}

async fn new_person(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PersonQuery>,
) -> AppResult<Response> {
    let f = PersonFormData {
        unit_id: q.unit.unwrap_or_default(),
        ..Default::default()
    };
    render::html(&person_form(&st, &ctx, None, f, FormErrors::default()).await?)
}

async fn create_person(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PersonFormData>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let unit = req_i64(&mut e, "unit", &f.unit_id);
    let r = if e.is_empty() {
        svc::create_person(&st, &ctx, unit, &f.input()).await
    } else {
        Err(with_field_checks(e, f.input().validate().err()))
    };
    match form_result(r, &ctx.t, PERSON_FIELDS)? {
        Ok(_) => Ok(see_other("/org/people", "created")),
        Err((status, errors)) => {
            render::html_status(status, &person_form(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit_person(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let p = svc::person(&st, auth, id).await?;
    auth.require(Entity::Person, Action::Write, &p.place())?;
    let f = PersonFormData {
        name: p.name.clone(),
        title: p.title.clone().unwrap_or_default(),
        unit_id: p.unit_id.to_string(),
        phone: p.phone.clone().unwrap_or_default(),
        email: p.email.clone().unwrap_or_default(),
        version: p.version.to_string(),
    };
    render::html(&person_form(&st, &ctx, Some(p), f, FormErrors::default()).await?)
}

async fn update_person(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PersonFormData>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let current = svc::person(&st, auth, id).await?;
    let mut e = Invalid::default();
    let unit = req_i64(&mut e, "unit", &f.unit_id);
    let version = req_i64(&mut e, "version", &f.version);
    let r = if e.is_empty() {
        svc::update_person(&st, &ctx, id, version, unit, &f.input()).await
    } else {
        Err(with_field_checks(e, f.input().validate().err()))
    };
    match form_result(r, &ctx.t, PERSON_FIELDS)? {
        Ok(_) => Ok(see_other("/org/people", "saved")),
        Err((status, errors)) => render::html_status(
            status,
            &person_form(&st, &ctx, Some(current), f, errors).await?,
        ),
    }
}

async fn person_active(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    let (active, version) = f.parse()?;
    toggled(
        svc::set_person_active(&st, &ctx, id, version, active).await,
        "/org/people",
        active,
    )
}

// ------------------------------------------------------------------------------------ import

#[derive(Template)]
#[template(path = "org/import.html")]
struct ImportPage {
    t: Tr,
    page: Chrome,
    done: Option<String>,
    problems: Vec<String>,
    limit: String,
}

fn require_importer(ctx: &Ctx) -> AppResult<()> {
    if ctx
        .auth()?
        .principal
        .can_somewhere(Entity::Unit, Action::Write)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn import_page_with(
    st: &AppState,
    ctx: &Ctx,
    done: Option<String>,
    problems: Vec<String>,
) -> ImportPage {
    ImportPage {
        t: ctx.t,
        page: render::chrome(ctx, "import.title"),
        done,
        problems,
        limit: render::human_size(st.cfg.upload_limit),
    }
}

async fn import_page(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    require_importer(&ctx)?;
    render::html(&import_page_with(&st, &ctx, None, Vec::new()))
}

async fn template(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    require_importer(&ctx)?;
    Ok(render::xlsx(
        service::import::template(&st, &ctx).await?,
        "attachment; filename=\"zhaoyin-org-template.xlsx\"; filename*=UTF-8''%E7%BB%84%E7%BB%87%E6%9C%BA%E6%9E%84%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
    ))
}

/// Reads the uploaded file out of the form (the CSRF field was checked by the middleware).
pub async fn uploaded_file(mp: Multipart) -> AppResult<Vec<u8>> {
    let mut form = crate::form::MultipartForm::read(mp).await?;
    form.take_files("file")
        .into_iter()
        .next()
        .map(|u| u.data)
        .ok_or_else(|| AppError::Invalid(Invalid::one(FieldError::new("file", "err.file_missing"))))
}

async fn import(State(st): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    require_importer(&ctx)?;
    let result = match uploaded_file(mp).await {
        Ok(bytes) => service::import::import(&st, &ctx, &bytes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => render::html(&import_page_with(
            &st,
            &ctx,
            Some(summary(&ctx.t, &s)),
            Vec::new(),
        )),
        Err(AppError::Invalid(i)) => {
            let problems = i.0.iter().map(|e| ctx.t.field_error_full(e)).collect();
            render::html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &import_page_with(&st, &ctx, None, problems),
            )
        }
        Err(e) => Err(e),
    }
}

fn summary(t: &Tr, s: &ImportSummary) -> String {
    t.tf(
        "import.done",
        &[
            ("uc", s.units_created.to_string()),
            ("uu", s.units_updated.to_string()),
            ("un", s.units_unchanged.to_string()),
            ("pc", s.people_created.to_string()),
            ("pu", s.people_updated.to_string()),
            ("pn", s.people_unchanged.to_string()),
        ],
    )
}
