//! `/api/v1/regions`, `/units`, `/people`.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use zhaoyin_core::org::{PersonInput, RegionInput, UnitInput};
use zhaoyin_db::org::{Person, PersonFilter, Region, RegionFilter, Unit, UnitFilter};

use super::{ListOf, created};
use crate::ctx::Ctx;
use crate::form::{Json, Query};
use crate::service::org as svc;
use crate::{AppResult, AppState};
use zhaoyin_core::paging::Page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/regions", get(list_regions).post(create_region))
        .route("/regions/{id}", get(get_region).patch(patch_region))
        .route("/units", get(list_units).post(create_unit))
        .route("/units/{id}", get(get_unit).patch(patch_unit))
        .route("/people", get(list_people).post(create_person))
        .route("/people/{id}", get(get_person).patch(patch_person))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RegionQuery {
    /// Text in name or code.
    q: Option<String>,
    /// province, city, county or town.
    level: Option<String>,
    parent_id: Option<i64>,
    #[serde(default)]
    include_inactive: bool,
    /// Page number, from 1.
    page: Option<u32>,
    /// Rows per page, 1–200 (default 50).
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/regions", tag = "organisation", params(RegionQuery),
    responses((status = 200, body = ListOf<Region>), (status = 401, body = crate::error::Problem)))]
pub async fn list_regions(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegionQuery>,
) -> AppResult<axum::Json<ListOf<Region>>> {
    let auth = ctx.auth()?;
    let page = Page::new(q.page, q.per_page);
    let f = RegionFilter {
        q: q.q,
        level: q.level,
        parent_id: q.parent_id,
        include_inactive: q.include_inactive,
    };
    let (items, total) = svc::regions(&st, auth, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegionCreate {
    /// The parent region (required: provinces are created on the server).
    parent_id: Option<i64>,
    #[serde(flatten)]
    region: RegionInput,
}

#[utoipa::path(post, path = "/api/v1/regions", tag = "organisation", request_body = RegionCreate,
    responses((status = 201, body = Region), (status = 422, body = crate::error::Problem)))]
pub async fn create_region(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<RegionCreate>,
) -> AppResult<Response> {
    Ok(created(
        svc::create_region(&st, &ctx, b.parent_id, &b.region).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/regions/{id}", tag = "organisation",
    responses((status = 200, body = Region), (status = 404, body = crate::error::Problem)))]
pub async fn get_region(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Region>> {
    Ok(axum::Json(svc::region(&st, ctx.auth()?, id).await?))
}

/// Fields to change; `version` is the version the change was made from.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegionPatch {
    version: i64,
    code: Option<String>,
    name: Option<String>,
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/regions/{id}", tag = "organisation", request_body = RegionPatch,
    responses((status = 200, body = Region), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn patch_region(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(p): Json<RegionPatch>,
) -> AppResult<axum::Json<Region>> {
    let current = svc::region(&st, ctx.auth()?, id).await?;
    let mut r = current.clone();
    let mut version = p.version;
    if p.code.is_some() || p.name.is_some() {
        r = svc::update_region(
            &st,
            &ctx,
            id,
            version,
            p.code.as_deref().unwrap_or(&current.code),
            p.name.as_deref().unwrap_or(&current.name),
        )
        .await?;
        version = r.version;
    }
    if let Some(active) = p.active {
        r = svc::set_region_active(&st, &ctx, id, version, active).await?;
    }
    Ok(axum::Json(r))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UnitQuery {
    /// Text in name, short name or code.
    q: Option<String>,
    /// Units in this region and beneath it.
    region_id: Option<i64>,
    /// department, park, town or office.
    kind: Option<String>,
    #[serde(default)]
    include_inactive: bool,
    /// Page number, from 1.
    page: Option<u32>,
    /// Rows per page, 1–200 (default 50).
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/units", tag = "organisation", params(UnitQuery),
    responses((status = 200, body = ListOf<Unit>)))]
pub async fn list_units(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UnitQuery>,
) -> AppResult<axum::Json<ListOf<Unit>>> {
    let page = Page::new(q.page, q.per_page);
    let f = UnitFilter {
        q: q.q,
        region_id: q.region_id,
        kind: q.kind,
        include_inactive: q.include_inactive,
    };
    let (items, total) = svc::units(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitCreate {
    region_id: i64,
    #[serde(flatten)]
    unit: UnitInput,
}

#[utoipa::path(post, path = "/api/v1/units", tag = "organisation", request_body = UnitCreate,
    responses((status = 201, body = Unit), (status = 422, body = crate::error::Problem)))]
pub async fn create_unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<UnitCreate>,
) -> AppResult<Response> {
    Ok(created(
        svc::create_unit(&st, &ctx, b.region_id, &b.unit).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "organisation",
    responses((status = 200, body = Unit), (status = 404, body = crate::error::Problem)))]
pub async fn get_unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Unit>> {
    Ok(axum::Json(svc::unit(&st, ctx.auth()?, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitPatch {
    version: i64,
    region_id: Option<i64>,
    code: Option<String>,
    name: Option<String>,
    short_name: Option<String>,
    kind: Option<String>,
    phone: Option<String>,
    sort_order: Option<i64>,
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "organisation", request_body = UnitPatch,
    responses((status = 200, body = Unit), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn patch_unit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(p): Json<UnitPatch>,
) -> AppResult<axum::Json<Unit>> {
    let c = svc::unit(&st, ctx.auth()?, id).await?;
    let mut u = c.clone();
    let mut version = p.version;
    let edits = p.region_id.is_some()
        || p.code.is_some()
        || p.name.is_some()
        || p.short_name.is_some()
        || p.kind.is_some()
        || p.phone.is_some()
        || p.sort_order.is_some();
    if edits {
        let input = UnitInput {
            code: p.code.unwrap_or(c.code),
            name: p.name.unwrap_or(c.name),
            short_name: p.short_name.or(c.short_name).unwrap_or_default(),
            kind: p.kind.unwrap_or(c.kind),
            phone: p.phone.or(c.phone).unwrap_or_default(),
            sort_order: Some(p.sort_order.unwrap_or(c.sort_order)),
        };
        u = svc::update_unit(
            &st,
            &ctx,
            id,
            version,
            p.region_id.unwrap_or(c.region_id),
            &input,
        )
        .await?;
        version = u.version;
    }
    if let Some(active) = p.active {
        u = svc::set_unit_active(&st, &ctx, id, version, active).await?;
    }
    Ok(axum::Json(u))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PersonQuery {
    /// Text in name or title.
    q: Option<String>,
    unit_id: Option<i64>,
    /// People of units in this region and beneath it.
    region_id: Option<i64>,
    #[serde(default)]
    include_inactive: bool,
    /// Page number, from 1.
    page: Option<u32>,
    /// Rows per page, 1–200 (default 50).
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/people", tag = "organisation", params(PersonQuery),
    responses((status = 200, body = ListOf<Person>)))]
pub async fn list_people(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PersonQuery>,
) -> AppResult<axum::Json<ListOf<Person>>> {
    let page = Page::new(q.page, q.per_page);
    let f = PersonFilter {
        q: q.q,
        unit_id: q.unit_id,
        region_id: q.region_id,
        include_inactive: q.include_inactive,
    };
    let (items, total) = svc::people(&st, ctx.auth()?, &f, page).await?;
    Ok(axum::Json(ListOf::new(items, page, total)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonCreate {
    unit_id: i64,
    #[serde(flatten)]
    person: PersonInput,
}

#[utoipa::path(post, path = "/api/v1/people", tag = "organisation", request_body = PersonCreate,
    responses((status = 201, body = Person), (status = 422, body = crate::error::Problem)))]
pub async fn create_person(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(b): Json<PersonCreate>,
) -> AppResult<Response> {
    Ok(created(
        svc::create_person(&st, &ctx, b.unit_id, &b.person).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "organisation",
    responses((status = 200, body = Person), (status = 404, body = crate::error::Problem)))]
pub async fn get_person(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<axum::Json<Person>> {
    Ok(axum::Json(svc::person(&st, ctx.auth()?, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonPatch {
    version: i64,
    unit_id: Option<i64>,
    name: Option<String>,
    title: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    active: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "organisation", request_body = PersonPatch,
    responses((status = 200, body = Person), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn patch_person(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(p): Json<PersonPatch>,
) -> AppResult<axum::Json<Person>> {
    let c = svc::person(&st, ctx.auth()?, id).await?;
    let mut out = c.clone();
    let mut version = p.version;
    if p.unit_id.is_some()
        || p.name.is_some()
        || p.title.is_some()
        || p.phone.is_some()
        || p.email.is_some()
    {
        let input = PersonInput {
            name: p.name.unwrap_or(c.name),
            title: p.title.or(c.title).unwrap_or_default(),
            phone: p.phone.or(c.phone).unwrap_or_default(),
            email: p.email.or(c.email).unwrap_or_default(),
        };
        out = svc::update_person(
            &st,
            &ctx,
            id,
            version,
            p.unit_id.unwrap_or(c.unit_id),
            &input,
        )
        .await?;
        version = out.version;
    }
    if let Some(active) = p.active {
        out = svc::set_person_active(&st, &ctx, id, version, active).await?;
    }
    Ok(axum::Json(out))
}
