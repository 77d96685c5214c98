//! The company library: a company sits in the library of the county of the unit following it;
//! everyone in and beneath that county reads it, the supervisor and the following unit's clerks
//! write it.

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::company::{CompanyFlag, CompanyInput, CompanyStatus};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::companies::{self as db, Company, CompanyFilter, CompanySort};

use crate::ctx::{Auth, Ctx};
use crate::service::chains::check_segments;
use crate::service::org::chosen_unit;
use crate::{AppError, AppResult, AppState};

/// A company list's query, as the API and the pages take it (empty values are "any").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct CompanyQuery {
    /// Text in the name or credit code; pinyin (full or initials) matches too.
    pub name: Option<String>,
    /// The exact 统一社会信用代码.
    pub credit_code: Option<String>,
    /// global500, china500, private500, headquarters or listed.
    pub flags: Option<String>,
    /// potential, contacting, signed, landed or abandoned.
    pub status: Option<String>,
    /// Companies this unit follows.
    pub unit_id: Option<String>,
    /// GB/T 4754 section letter.
    pub industry_section: Option<String>,
    /// Companies in this industry-chain segment or one beneath it.
    pub segment_id: Option<String>,
    /// recent (default) or name.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl CompanyQuery {
    pub fn filter(&self) -> AppResult<CompanyFilter> {
        use crate::form::{nonempty, opt_i64};
        let mut e = Invalid::default();
        let mut choice = |field: &str, v: &Option<String>, ok: &dyn Fn(&str) -> bool| {
            nonempty(v).filter(|s| {
                let good = ok(s);
                if !good {
                    e.push(FieldError::new(field, "err.choice"));
                }
                good
            })
        };
        let flag = choice("flags", &self.flags, &|s| CompanyFlag::parse(s).is_some());
        let status = choice("status", &self.status, &|s| {
            CompanyStatus::parse(s).is_some()
        });
        let sort = choice("sort", &self.sort, &|s| CompanySort::parse(s).is_some());
        let unit_id = opt_i64(&mut e, "unit_id", &self.unit_id.clone().unwrap_or_default());
        let segment_id = opt_i64(
            &mut e,
            "segment_id",
            &self.segment_id.clone().unwrap_or_default(),
        );
        e.into_result()?;
        // A credit code is searched as typed, canonical (upper case).
        let q = nonempty(&self.credit_code)
            .map(|c| c.to_uppercase())
            .or_else(|| nonempty(&self.name));
        Ok(CompanyFilter {
            q,
            flag: flag.as_deref().and_then(CompanyFlag::parse),
            status: status.as_deref().and_then(CompanyStatus::parse),
            unit_id,
            industry_section: nonempty(&self.industry_section).map(|s| s.to_uppercase()),
            segment_id,
            sort: sort
                .as_deref()
                .and_then(CompanySort::parse)
                .unwrap_or_default(),
        })
    }
}

pub async fn list(
    st: &AppState,
    auth: &Auth,
    f: &CompanyFilter,
    page: Page,
) -> AppResult<(Vec<Company>, i64)> {
    let vis = auth.principal.visibility(Entity::Company, Action::Read);
    Ok(db::list(&st.db, &vis, f, page).await?)
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<Company> {
    let c = db::get(&st.db, id).await?;
    auth.require(Entity::Company, Action::Read, &c.place())?;
    Ok(c)
}

/// Companies the caller may see whose name, code or pinyin contains `q` (a picker's list).
pub async fn suggest(st: &AppState, auth: &Auth, q: &str) -> AppResult<Vec<(i64, String)>> {
    let vis = auth.principal.visibility(Entity::Company, Action::Read);
    Ok(db::suggest(&st.db, &vis, q, 20).await?)
}

/// A company as created or edited: its fields and the unit that follows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CompanyWrite {
    #[serde(flatten)]
    pub company: CompanyInput,
    /// The unit following the company (default: the caller's own unit).
    pub unit_id: Option<i64>,
    /// The industry-chain segments it belongs to (of its county's chains).
    pub segment_ids: Vec<i64>,
    /// The version the edit was made from (required to update).
    pub version: Option<i64>,
}

/// Where a company followed by `unit_id` sits, after checking the unit may be chosen.
async fn place_for(st: &AppState, auth: &Auth, unit_id: i64) -> AppResult<(i64, Place)> {
    chosen_unit(st, auth, unit_id, "unit_id").await?;
    let (region_id, region_path) = db::library_of_unit(&st.db, unit_id).await?;
    Ok((
        region_id,
        Place {
            region_path,
            unit_id: Some(unit_id),
        },
    ))
}

pub async fn create(st: &AppState, ctx: &Ctx, w: &CompanyWrite) -> AppResult<Company> {
    let auth = ctx.auth()?;
    let fields = w.company.validate()?;
    let unit_id = w.unit_id.unwrap_or(auth.user.unit_id);
    let (region_id, place) = place_for(st, auth, unit_id).await?;
    if !auth.can(Entity::Company, Action::Write, &place) {
        return Err(AppError::Forbidden);
    }
    let segments = check_segments(st, &place.region_path, &w.segment_ids, "segment_ids").await?;
    Ok(db::create(
        &st.db,
        &ctx.actor(),
        region_id,
        Some(unit_id),
        &fields,
        &segments,
    )
    .await?)
}

pub async fn update(st: &AppState, ctx: &Ctx, id: i64, w: &CompanyWrite) -> AppResult<Company> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    auth.require(Entity::Company, Action::Write, &current.place())?;
    let fields = w.company.validate()?;
    let version = w
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let unit_id = w.unit_id.or(current.unit_id);
    if let Some(u) = unit_id
        && Some(u) != current.unit_id
    {
        // Handing the company to another unit needs write permission there too.
        let (region_id, place) = place_for(st, auth, u).await?;
        if region_id != current.region_id {
            return Err(AppError::invalid("unit_id", "err.company_other_library"));
        }
        if !auth.can(Entity::Company, Action::Write, &place) {
            return Err(AppError::Forbidden);
        }
    }
    let segments = check_segments(st, &current.region_path, &w.segment_ids, "segment_ids").await?;
    Ok(db::update(
        &st.db,
        &ctx.actor(),
        id,
        version,
        unit_id,
        &fields,
        &segments,
    )
    .await?)
}

/// A move of the status of contact.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StatusInput {
    /// potential, contacting, signed, landed or abandoned.
    pub status: String,
    /// Required to abandon.
    pub reason: String,
    /// The version the move was decided on (required).
    pub version: Option<i64>,
}

impl StatusInput {
    /// The status moved to and the version moved from.
    pub fn parsed(&self) -> AppResult<(CompanyStatus, i64)> {
        let to = CompanyStatus::parse(self.status.trim())
            .ok_or_else(|| AppError::invalid("status", "err.choice"))?;
        let version = self
            .version
            .ok_or_else(|| AppError::invalid("version", "err.required"))?;
        Ok((to, version))
    }
}

pub async fn set_status(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &StatusInput,
) -> AppResult<Company> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    auth.require(Entity::Company, Action::Write, &current.place())?;
    let (to, version) = input.parsed()?;
    Ok(db::set_status(&st.db, &ctx.actor(), id, version, to, &input.reason).await?)
}

/// The company a project names as its investor: one the caller may see.
pub async fn chosen(st: &AppState, auth: &Auth, id: i64, field: &str) -> AppResult<Company> {
    match db::get(&st.db, id).await {
        Ok(c) if auth.can(Entity::Company, Action::Read, &c.place()) => Ok(c),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => Err(AppError::invalid(field, "err.choice")),
        Err(e) => Err(e.into()),
    }
}

/// The input that would save `c` unchanged (to fill an edit form, or to apply a partial edit).
pub fn input_of(c: &Company) -> CompanyInput {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    CompanyInput {
        name: c.name.clone(),
        credit_code: text(&c.credit_code),
        country: c.country.clone(),
        hq_city: text(&c.hq_city),
        industry_section: text(&c.industry_section),
        industry_division: text(&c.industry_division),
        flags: c.flags().iter().map(|f| f.id().to_string()).collect(),
        contacts: c.contacts.0.clone(),
        source: text(&c.source),
        notes: text(&c.notes),
    }
}
