//! Regions, units and people.

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::org::{PersonInput, Place, RegionInput, RegionLevel, UnitInput};
use zhaoyin_core::paging::Page;
use zhaoyin_db::org::{self, Person, PersonFilter, Region, RegionFilter, Unit, UnitFilter};

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

fn place_in(region: &Region, unit_id: Option<i64>) -> Place {
    Place {
        region_path: region.path.clone(),
        unit_id,
    }
}

/// A creation needs write permission where the record will be.
fn require_create(auth: &Auth, entity: Entity, place: &Place) -> AppResult<()> {
    if auth.can(entity, Action::Write, place) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A referenced record the caller chose (a parent region, a unit) that they may not see reads
/// as an invalid choice, not as a missing page.
async fn chosen_region(st: &AppState, auth: &Auth, id: i64, field: &str) -> AppResult<Region> {
    match org::get_region(&st.db, id).await {
        Ok(r) if auth.can(Entity::Region, Action::Read, &r.place()) && r.active => Ok(r),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => Err(AppError::invalid(field, "err.choice")),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn chosen_unit(
    st: &AppState,
    auth: &Auth,
    id: i64,
    field: &str,
) -> AppResult<Unit> {
    match org::get_unit(&st.db, id).await {
        Ok(u) if auth.can(Entity::Unit, Action::Read, &u.place()) && u.active => Ok(u),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => Err(AppError::invalid(field, "err.choice")),
        Err(e) => Err(e.into()),
    }
}

// ----------------------------------------------------------------------------------- regions

pub async fn regions(
    st: &AppState,
    auth: &Auth,
    f: &RegionFilter,
    page: Page,
) -> AppResult<(Vec<Region>, i64)> {
    let vis = auth.principal.visibility(Entity::Region, Action::Read);
    Ok(org::list_regions(&st.db, &vis, f, page).await?)
}

pub async fn region(st: &AppState, auth: &Auth, id: i64) -> AppResult<Region> {
    let r = org::get_region(&st.db, id).await?;
    auth.require(Entity::Region, Action::Read, &r.place())?;
    Ok(r)
}

pub async fn create_region(
    st: &AppState,
    ctx: &Ctx,
    parent_id: Option<i64>,
    input: &RegionInput,
) -> AppResult<Region> {
    let auth = ctx.auth()?;
    let parent = match parent_id {
        Some(id) => Some(chosen_region(st, auth, id, "parent").await?),
        None => None,
    };
    match &parent {
        Some(p) => require_create(auth, Entity::Region, &p.place())?,
        // Top-level regions are made on the server (`zhaoyin demo`, the CLI), never from a page.
        None => return Err(AppError::Forbidden),
    }
    let fields = input.validate(parent.as_ref().and_then(|p| RegionLevel::parse(&p.level)))?;
    Ok(org::create_region(&st.db, &ctx.actor(), parent_id, &fields).await?)
}

pub async fn update_region(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    code: &str,
    name: &str,
) -> AppResult<Region> {
    let auth = ctx.auth()?;
    let r = org::get_region(&st.db, id).await?;
    auth.require(Entity::Region, Action::Write, &r.place())?;
    let parent_level = match r.parent_id {
        Some(pid) => RegionLevel::parse(&org::get_region(&st.db, pid).await?.level),
        None => None,
    };
    let fields = RegionInput {
        code: code.to_string(),
        name: name.to_string(),
        level: r.level.clone(),
    }
    .validate(parent_level)?;
    Ok(org::update_region(
        &st.db,
        &ctx.actor(),
        id,
        version,
        &fields.code,
        &fields.name,
    )
    .await?)
}

pub async fn set_region_active(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<Region> {
    let auth = ctx.auth()?;
    let r = org::get_region(&st.db, id).await?;
    auth.require(Entity::Region, Action::Write, &r.place())?;
    Ok(org::set_region_active(&st.db, &ctx.actor(), id, version, active).await?)
}

// ------------------------------------------------------------------------------------- units

pub async fn units(
    st: &AppState,
    auth: &Auth,
    f: &UnitFilter,
    page: Page,
) -> AppResult<(Vec<Unit>, i64)> {
    let vis = auth.principal.visibility(Entity::Unit, Action::Read);
    Ok(org::list_units(&st.db, &vis, f, page).await?)
}

pub async fn unit(st: &AppState, auth: &Auth, id: i64) -> AppResult<Unit> {
    let u = org::get_unit(&st.db, id).await?;
    auth.require(Entity::Unit, Action::Read, &u.place())?;
    Ok(u)
}

pub async fn create_unit(
    st: &AppState,
    ctx: &Ctx,
    region_id: i64,
    input: &UnitInput,
) -> AppResult<Unit> {
    let auth = ctx.auth()?;
    let region = chosen_region(st, auth, region_id, "region").await?;
    require_create(auth, Entity::Unit, &place_in(&region, None))?;
    let fields = input.validate()?;
    Ok(org::create_unit(&st.db, &ctx.actor(), region.id, &fields).await?)
}

pub async fn update_unit(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    region_id: i64,
    input: &UnitInput,
) -> AppResult<Unit> {
    let auth = ctx.auth()?;
    let u = org::get_unit(&st.db, id).await?;
    auth.require(Entity::Unit, Action::Write, &u.place())?;
    if region_id != u.region_id {
        // Moving a unit needs write permission over the destination region itself; a
        // unit-scoped writer may never move its unit out from under its region's supervisors.
        let region = chosen_region(st, auth, region_id, "region").await?;
        require_create(auth, Entity::Unit, &place_in(&region, None))?;
    }
    let fields = input.validate()?;
    Ok(org::update_unit(&st.db, &ctx.actor(), id, version, region_id, &fields).await?)
}

pub async fn set_unit_active(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<Unit> {
    let auth = ctx.auth()?;
    let u = org::get_unit(&st.db, id).await?;
    auth.require(Entity::Unit, Action::Write, &u.place())?;
    Ok(org::set_unit_active(&st.db, &ctx.actor(), id, version, active).await?)
}

// ------------------------------------------------------------------------------------ people

pub async fn people(
    st: &AppState,
    auth: &Auth,
    f: &PersonFilter,
    page: Page,
) -> AppResult<(Vec<Person>, i64)> {
    let vis = auth.principal.visibility(Entity::Person, Action::Read);
    Ok(org::list_people(&st.db, &vis, f, page).await?)
}

pub async fn person(st: &AppState, auth: &Auth, id: i64) -> AppResult<Person> {
    let p = org::get_person(&st.db, id).await?;
    auth.require(Entity::Person, Action::Read, &p.place())?;
    Ok(p)
}

pub async fn create_person(
    st: &AppState,
    ctx: &Ctx,
    unit_id: i64,
    input: &PersonInput,
) -> AppResult<Person> {
    let auth = ctx.auth()?;
    let unit = chosen_unit(st, auth, unit_id, "unit").await?;
    require_create(auth, Entity::Person, &unit.place())?;
    let fields = input.validate()?;
    Ok(org::create_person(&st.db, &ctx.actor(), unit.id, &fields).await?)
}

pub async fn update_person(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    unit_id: i64,
    input: &PersonInput,
) -> AppResult<Person> {
    let auth = ctx.auth()?;
    let p = org::get_person(&st.db, id).await?;
    auth.require(Entity::Person, Action::Write, &p.place())?;
    if unit_id != p.unit_id {
        let unit = chosen_unit(st, auth, unit_id, "unit").await?;
        require_create(auth, Entity::Person, &unit.place())?;
    }
    let fields = input.validate()?;
    Ok(org::update_person(&st.db, &ctx.actor(), id, version, unit_id, &fields).await?)
}

pub async fn set_person_active(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<Person> {
    let auth = ctx.auth()?;
    let p = org::get_person(&st.db, id).await?;
    auth.require(Entity::Person, Action::Write, &p.place())?;
    Ok(org::set_person_active(&st.db, &ctx.actor(), id, version, active).await?)
}

/// Choices for forms: the regions and units the caller may write into.
pub async fn writable_regions(
    st: &AppState,
    auth: &Auth,
    entity: Entity,
) -> AppResult<Vec<Region>> {
    let vis = auth.principal.visibility(Entity::Region, Action::Read);
    let (all, _) =
        org::list_regions(&st.db, &vis, &RegionFilter::default(), Page::largest()).await?;
    Ok(all
        .into_iter()
        .filter(|r| auth.can(entity, Action::Write, &place_in(r, None)))
        .collect())
}

pub async fn writable_units(st: &AppState, auth: &Auth, entity: Entity) -> AppResult<Vec<Unit>> {
    let vis = auth.principal.visibility(Entity::Unit, Action::Read);
    let (all, _) = org::list_units(&st.db, &vis, &UnitFilter::default(), Page::largest()).await?;
    Ok(all
        .into_iter()
        .filter(|u| auth.can(entity, Action::Write, &u.place()))
        .collect())
}
