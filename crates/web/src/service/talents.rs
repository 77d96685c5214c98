//! The talent library: a talent sits in the library of the county of the unit following them;
//! everyone in and beneath that county reads it, the supervisor and the following unit's clerks
//! write it. The company or project a talent came with must be one of the same county.

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::company::CompanyStatus;
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::talent::{ProgramLevel, TalentFields, TalentInput, TalentKind};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::talents::{self as db, Talent, TalentFilter};

use crate::ctx::{Auth, Ctx};
use crate::service::companies::StatusInput;
use crate::service::org::chosen_unit;
use crate::{AppError, AppResult, AppState};

/// A talent list's query, as the API and the pages take it (empty values are "any").
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct TalentQuery {
    /// Text in the name, field or affiliation; pinyin of the name (full or initials) too.
    pub name: Option<String>,
    /// person or team.
    pub kind: Option<String>,
    /// national, provincial or municipal (the talent's highest program).
    pub level: Option<String>,
    /// One configured talent program.
    pub program: Option<String>,
    /// potential, contacting, signed, landed (introduced) or abandoned.
    pub status: Option<String>,
    pub unit_id: Option<String>,
    pub company_id: Option<String>,
    pub project_id: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl TalentQuery {
    pub fn filter(&self) -> AppResult<TalentFilter> {
        use crate::form::{nonempty, opt_i64};
        let mut e = Invalid::default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut parsed = |field: &str, v: &Option<String>, ok: &dyn Fn(&str) -> bool| {
            nonempty(v).filter(|s| {
                let good = ok(s);
                if !good {
                    e.push(FieldError::new(field, "err.choice"));
                }
                good
            })
        };
        let kind = parsed("kind", &self.kind, &|s| TalentKind::parse(s).is_some());
        let level = parsed("level", &self.level, &|s| ProgramLevel::parse(s).is_some());
        let status = parsed("status", &self.status, &|s| {
            CompanyStatus::parse(s).is_some()
        });
        let unit_id = opt_i64(&mut e, "unit_id", &text(&self.unit_id));
        let company_id = opt_i64(&mut e, "company_id", &text(&self.company_id));
        let project_id = opt_i64(&mut e, "project_id", &text(&self.project_id));
        e.into_result()?;
        Ok(TalentFilter {
            q: nonempty(&self.name),
            kind: kind.as_deref().and_then(TalentKind::parse),
            level: level.as_deref().and_then(ProgramLevel::parse),
            program: nonempty(&self.program),
            status: status.as_deref().and_then(CompanyStatus::parse),
            unit_id,
            company_id,
            project_id,
        })
    }
}

/// Hides the name of a linked project the reader may not read (another unit's, for a clerk).
pub fn shown(st: &AppState, auth: &Auth, mut t: Talent) -> Talent {
    // The programs in the configuration's order, as the form and the workbook list them.
    st.cfg.talent_programs.order(&mut t.programs);
    if t.project_place()
        .is_some_and(|p| !auth.can(Entity::Project, Action::Read, &p))
    {
        t.project_name = None;
    }
    t
}

pub async fn list(
    st: &AppState,
    auth: &Auth,
    f: &TalentFilter,
    page: Page,
) -> AppResult<(Vec<Talent>, i64)> {
    let vis = auth.principal.visibility(Entity::Talent, Action::Read);
    let (rows, total) = db::list(&st.db, &vis, f, page).await?;
    Ok((
        rows.into_iter().map(|t| shown(st, auth, t)).collect(),
        total,
    ))
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<Talent> {
    let t = db::get(&st.db, id).await?;
    auth.require(Entity::Talent, Action::Read, &t.place())?;
    Ok(shown(st, auth, t))
}

/// A talent as created or edited: the fields and the unit that follows them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TalentWrite {
    #[serde(flatten)]
    pub talent: TalentInput,
    /// The unit following the talent (default: the caller's own unit).
    pub unit_id: Option<i64>,
    /// The version the edit was made from (required to update).
    pub version: Option<i64>,
}

/// Validates, and checks that the company and project named are of the library at `county`.
async fn checked(
    st: &AppState,
    auth: &Auth,
    input: &TalentInput,
    county: &str,
) -> AppResult<TalentFields> {
    let fields = input.validate(&st.cfg.talent_programs)?;
    let mut e = Invalid::default();
    if let Some(id) = fields.company_id {
        match crate::service::companies::chosen(st, auth, id, "company_id").await {
            Ok(c) if c.region_path == county => {}
            Ok(_) => e.push(FieldError::new("company_id", "err.choice")),
            Err(AppError::Invalid(i)) => e.0.extend(i.0),
            Err(other) => return Err(other),
        }
    }
    if let Some(id) = fields.project_id {
        match crate::service::projects::get(st, auth, id).await {
            Ok(p) if crate::service::projects::county_of(st, &p).await? == county => {}
            Ok(_) | Err(AppError::NotFound | AppError::Forbidden) => {
                e.push(FieldError::new("project_id", "err.choice"))
            }
            Err(other) => return Err(other),
        }
    }
    e.into_result()?;
    Ok(fields)
}

/// The library (county) of a following unit, after checking the unit may be chosen.
async fn library(st: &AppState, auth: &Auth, unit_id: i64) -> AppResult<(i64, Place)> {
    chosen_unit(st, auth, unit_id, "unit_id").await?;
    let (region_id, region_path) = zhaoyin_db::companies::library_of_unit(&st.db, unit_id).await?;
    Ok((
        region_id,
        Place {
            region_path,
            unit_id: Some(unit_id),
        },
    ))
}

pub async fn create(st: &AppState, ctx: &Ctx, w: &TalentWrite) -> AppResult<Talent> {
    let auth = ctx.auth()?;
    let unit_id = w.unit_id.unwrap_or(auth.user.unit_id);
    let (region_id, place) = library(st, auth, unit_id).await?;
    if !auth.can(Entity::Talent, Action::Write, &place) {
        return Err(AppError::Forbidden);
    }
    let fields = checked(st, auth, &w.talent, &place.region_path).await?;
    Ok(shown(
        st,
        auth,
        db::create(&st.db, &ctx.actor(), region_id, Some(unit_id), &fields).await?,
    ))
}

pub async fn update(st: &AppState, ctx: &Ctx, id: i64, w: &TalentWrite) -> AppResult<Talent> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    auth.require(Entity::Talent, Action::Write, &current.place())?;
    let fields = checked(st, auth, &w.talent, &current.region_path).await?;
    let version = w
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let unit_id = w.unit_id.or(current.unit_id);
    if let Some(u) = unit_id
        && Some(u) != current.unit_id
    {
        // Handing the talent to another unit needs write permission there too.
        let (region_id, place) = library(st, auth, u).await?;
        if region_id != current.region_id {
            return Err(AppError::invalid("unit_id", "err.company_other_library"));
        }
        if !auth.can(Entity::Talent, Action::Write, &place) {
            return Err(AppError::Forbidden);
        }
    }
    Ok(shown(
        st,
        auth,
        db::update(&st.db, &ctx.actor(), id, version, unit_id, &fields).await?,
    ))
}

pub async fn set_status(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &StatusInput,
) -> AppResult<Talent> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    auth.require(Entity::Talent, Action::Write, &current.place())?;
    let (to, version) = input.parsed()?;
    Ok(shown(
        st,
        auth,
        db::set_status(&st.db, &ctx.actor(), id, version, to, &input.reason).await?,
    ))
}

/// The input that would save `t` unchanged.
pub fn input_of(t: &Talent) -> TalentInput {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    TalentInput {
        kind: t.kind.clone(),
        name: t.name.clone(),
        leader: text(&t.leader),
        team_size: t.team_size,
        field: text(&t.field),
        affiliation: text(&t.affiliation),
        title: text(&t.title),
        country: t.country.clone(),
        programs: t.programs.clone(),
        contact_phone: text(&t.contact_phone),
        email: text(&t.email),
        company_id: t.company_id,
        project_id: t.project_id,
        notes: text(&t.notes),
    }
}
