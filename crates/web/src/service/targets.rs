//! Target lists: a list sits in a county (the caller's, or the county of the unit named); everyone
//! in and beneath it reads it, the supervisor keeps it. Its view gives each quota's progress from
//! the entries' companies, and each duty unit's projects planned in the year, short ones marked.

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::target::{self, QuotaProgress, TargetEntryInput, TargetListInput};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::targets::{self as db, DutyUnit, TargetEntry, TargetList};

use crate::ctx::{Auth, Ctx};
use crate::service::projects::{named_person, named_unit};
use crate::{AppError, AppResult, AppState};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct TargetListQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A list with its quotas' progress, its duty units and its entries.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetListDetail {
    #[serde(flatten)]
    pub list: TargetList,
    pub quotas: Vec<QuotaProgress>,
    pub duty_units: Vec<DutyUnit>,
    /// Duty units with fewer projects planned in the year than `min_projects_per_unit`.
    pub short_units: Vec<DutyUnit>,
    pub entries: Vec<TargetEntry>,
}

pub async fn list(st: &AppState, auth: &Auth, page: Page) -> AppResult<(Vec<TargetList>, i64)> {
    let vis = auth.principal.visibility(Entity::TargetList, Action::Read);
    Ok(db::list(&st.db, &vis, page).await?)
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<TargetList> {
    let l = db::get(&st.db, id).await?;
    auth.require(Entity::TargetList, Action::Read, &l.place())?;
    Ok(l)
}

pub async fn detail(st: &AppState, auth: &Auth, id: i64) -> AppResult<TargetListDetail> {
    let list = get(st, auth, id).await?;
    let entries = db::entries(&st.db, id).await?;
    let duty_units = db::duty_units(&st.db, id, list.year).await?;
    Ok(TargetListDetail {
        quotas: quotas_of(st, id, &entries).await?,
        short_units: duty_units
            .iter()
            .filter(|u| u.projects < list.min_projects_per_unit)
            .cloned()
            .collect(),
        duty_units,
        entries,
        list,
    })
}

/// How each quota of a list stands, from its entries (`entries` of that list).
pub async fn quotas_of(
    st: &AppState,
    id: i64,
    entries: &[db::TargetEntry],
) -> AppResult<Vec<target::QuotaProgress>> {
    let quotas = db::quotas(&st.db, id).await?;
    let marks: Vec<_> = entries.iter().map(|e| (e.flags(), e.status())).collect();
    Ok(target::progress(&quotas, &marks))
}

/// The county a new list goes into: the caller's.
async fn county(st: &AppState, auth: &Auth) -> AppResult<(i64, String)> {
    Ok(zhaoyin_db::companies::library_of_unit(&st.db, auth.user.unit_id).await?)
}

/// Checks the duty units lie in `county`.
async fn checked(
    st: &AppState,
    input: &TargetListInput,
    county: &str,
) -> AppResult<target::TargetListFields> {
    let fields = input.validate()?;
    let mut e = Invalid::default();
    for id in &fields.duty_unit_ids {
        if let Err(AppError::Invalid(i)) = named_unit(st, *id, county, "duty_unit_ids").await {
            e.0.extend(i.0);
        }
    }
    e.into_result()?;
    Ok(fields)
}

pub async fn create(st: &AppState, ctx: &Ctx, input: &TargetListInput) -> AppResult<TargetList> {
    let auth = ctx.auth()?;
    let (region_id, path) = county(st, auth).await?;
    let place = Place {
        region_path: path.clone(),
        unit_id: None,
    };
    if !auth.can(Entity::TargetList, Action::Write, &place) {
        return Err(AppError::Forbidden);
    }
    let fields = checked(st, input, &path).await?;
    Ok(db::create(&st.db, &ctx.actor(), region_id, &fields).await?)
}

/// An edit of a list, made from `version`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TargetListUpdate {
    #[serde(flatten)]
    pub list: TargetListInput,
    /// The version the edit was made from (required).
    pub version: Option<i64>,
}

pub async fn update(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &TargetListUpdate,
) -> AppResult<TargetList> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    auth.require(Entity::TargetList, Action::Write, &current.place())?;
    let fields = checked(st, &input.list, &current.region_path).await?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    Ok(db::update(&st.db, &ctx.actor(), id, version, &fields).await?)
}

/// The input that would save a list unchanged.
pub async fn input_of(st: &AppState, l: &TargetList) -> AppResult<TargetListInput> {
    let duty = db::duty_units(&st.db, l.id, l.year).await?;
    Ok(TargetListInput {
        year: Some(l.year),
        name: l.name.clone(),
        quotas: db::quotas(&st.db, l.id)
            .await?
            .into_iter()
            .map(|(f, m)| (f.id().to_string(), m))
            .collect(),
        duty_unit_ids: duty.into_iter().map(|u| u.unit_id).collect(),
        min_projects_per_unit: Some(l.min_projects_per_unit),
        notes: l.notes.clone().unwrap_or_default(),
    })
}

/// Adds a company of the list's county to it, with its responsible leader and unit.
pub async fn add_entry(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &TargetEntryInput,
) -> AppResult<i64> {
    let auth = ctx.auth()?;
    let list = get(st, auth, id).await?;
    auth.require(Entity::TargetList, Action::Write, &list.place())?;
    let f = input.validate()?;
    let county = list.region_path.as_str();
    let mut e = Invalid::default();
    match crate::service::companies::chosen(st, auth, f.company_id, "company_id").await {
        Ok(c) if c.region_path == county => {}
        Ok(_) => e.push(FieldError::new("company_id", "err.choice")),
        Err(AppError::Invalid(i)) => e.0.extend(i.0),
        Err(other) => return Err(other),
    }
    if let Err(AppError::Invalid(i)) = named_unit(st, f.unit_id, county, "unit_id").await {
        e.0.extend(i.0);
    }
    if let Some(p) = f.leader_id
        && let Err(AppError::Invalid(i)) = named_person(st, p, county, "leader_id").await
    {
        e.0.extend(i.0);
    }
    e.into_result()?;
    match db::add_entry(&st.db, &ctx.actor(), &list, &f).await {
        Err(zhaoyin_db::Error::Duplicate { .. }) => Err(AppError::invalid(
            "company_id",
            "err.target_entry_duplicate",
        )),
        other => Ok(other?),
    }
}

pub async fn remove_entry(st: &AppState, ctx: &Ctx, id: i64, entry: i64) -> AppResult<()> {
    let auth = ctx.auth()?;
    let list = get(st, auth, id).await?;
    auth.require(Entity::TargetList, Action::Write, &list.place())?;
    Ok(db::remove_entry(&st.db, &ctx.actor(), &list, entry).await?)
}
