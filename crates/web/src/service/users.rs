//! Accounts (the system administrator's job) and their roles (the security administrator's).

use serde::Deserialize;
use zhaoyin_core::authz::{Action, Entity, Grant, Role, Scope, check_grant, check_revoke};
use zhaoyin_core::paging::Page;
use zhaoyin_core::validation;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::org;
use zhaoyin_db::users::{self, GrantRow, NewGrant, NewUser, User, UserFilter};

use super::hash_password;
use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

pub async fn list(
    st: &AppState,
    auth: &Auth,
    f: &UserFilter,
    page: Page,
) -> AppResult<(Vec<User>, i64)> {
    let vis = auth.principal.visibility(Entity::User, Action::Read);
    Ok(users::list(&st.db, &vis, f, page).await?)
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<(User, Vec<GrantRow>)> {
    let u = users::get(&st.db, id).await?;
    auth.require(Entity::User, Action::Read, &u.place())?;
    let g = users::grants_of(&st.db, id).await?;
    Ok((u, g))
}

/// A new account as entered on the form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    #[serde(default)]
    pub person_id: Option<i64>,
    /// Initial password; the user must change it at first sign-in.
    pub password: String,
}

async fn check_person(
    st: &AppState,
    person_id: Option<i64>,
    unit_id: i64,
    e: &mut Invalid,
) -> AppResult<()> {
    if let Some(pid) = person_id {
        match org::get_person(&st.db, pid).await {
            Ok(p) if p.unit_id == unit_id => {}
            Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
                e.push(FieldError::new("person_id", "err.unknown_person"))
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}

pub async fn create(st: &AppState, ctx: &Ctx, input: &UserInput) -> AppResult<User> {
    let auth = ctx.auth()?;
    let unit = match org::get_unit(&st.db, input.unit_id).await {
        Ok(u) if u.active && auth.can(Entity::Unit, Action::Read, &u.place()) => u,
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
            return Err(AppError::invalid("unit_id", "err.choice"));
        }
        Err(e) => return Err(e.into()),
    };
    if !auth.can(Entity::User, Action::Write, &unit.place()) {
        return Err(AppError::Forbidden);
    }
    let mut e = Invalid::default();
    let username = validation::username(&mut e, "username", &input.username);
    let display_name = validation::required(&mut e, "display_name", &input.display_name, 30);
    check_person(st, input.person_id, unit.id, &mut e).await?;
    if let Err(p) = st
        .cfg
        .password
        .check("password", &username, &input.password)
    {
        e.0.extend(p.0);
    }
    e.into_result()?;
    let hash = hash_password(input.password.clone()).await?;
    Ok(users::create(
        &st.db,
        &ctx.actor(),
        &NewUser {
            username,
            display_name,
            unit_id: unit.id,
            person_id: input.person_id,
            password_hash: hash,
            must_change_password: true,
        },
        &[],
    )
    .await?)
}

/// The three administrators' accounts are managed only from the command line, so that one
/// administrator cannot take over another's account from the pages (三员分立).
async fn refuse_admin_account(st: &AppState, user_id: i64) -> AppResult<()> {
    let grants = users::grants_of(&st.db, user_id).await?;
    if grants
        .iter()
        .any(|g| Role::parse(&g.role).is_some_and(Role::is_admin))
    {
        return Err(AppError::invalid("user", "err.admin_account_cli"));
    }
    Ok(())
}

pub async fn update(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    display_name: &str,
    unit_id: i64,
    person_id: Option<i64>,
) -> AppResult<User> {
    let auth = ctx.auth()?;
    let u = users::get(&st.db, id).await?;
    auth.require(Entity::User, Action::Write, &u.place())?;
    refuse_admin_account(st, u.id).await?;
    if unit_id != u.unit_id {
        match org::get_unit(&st.db, unit_id).await {
            Ok(unit) if unit.active && auth.can(Entity::User, Action::Write, &unit.place()) => {}
            Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
                return Err(AppError::invalid("unit_id", "err.choice"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut e = Invalid::default();
    let display_name = validation::required(&mut e, "display_name", display_name, 30);
    check_person(st, person_id, unit_id, &mut e).await?;
    e.into_result()?;
    Ok(users::update(
        &st.db,
        &ctx.actor(),
        id,
        version,
        &display_name,
        unit_id,
        person_id,
    )
    .await?)
}

pub async fn set_active(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<User> {
    let auth = ctx.auth()?;
    let u = users::get(&st.db, id).await?;
    auth.require(Entity::User, Action::Write, &u.place())?;
    if !active && u.id == auth.user.id {
        return Err(AppError::invalid("active", "err.self_disable"));
    }
    refuse_admin_account(st, u.id).await?;
    Ok(users::set_active(&st.db, &ctx.actor(), id, version, active).await?)
}

/// An administrator sets a temporary password; the user must change it at next sign-in.
pub async fn reset_password(st: &AppState, ctx: &Ctx, id: i64, password: &str) -> AppResult<()> {
    let auth = ctx.auth()?;
    let u = users::get(&st.db, id).await?;
    auth.require(Entity::User, Action::Write, &u.place())?;
    if u.id == auth.user.id {
        return Err(AppError::Forbidden);
    }
    refuse_admin_account(st, u.id).await?;
    st.cfg.password.check("password", &u.username, password)?;
    let hash = hash_password(password.to_string()).await?;
    Ok(users::set_password(&st.db, &ctx.actor(), id, &hash, true, None).await?)
}

/// A role to grant, over a unit or a region.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct GrantInput {
    pub role: String,
    /// `unit` or `region`.
    pub scope_kind: String,
    pub scope_id: i64,
}

async fn to_grant(st: &AppState, input: &GrantInput) -> AppResult<(Grant, NewGrant)> {
    let Some(role) = Role::parse(input.role.trim()) else {
        return Err(AppError::invalid("role", "err.choice"));
    };
    match input.scope_kind.as_str() {
        "unit" => {
            let u = org::get_unit(&st.db, input.scope_id)
                .await
                .map_err(|_| AppError::invalid("scope_id", "err.choice"))?;
            Ok((
                Grant {
                    role,
                    scope: Scope::Unit {
                        id: u.id,
                        region_path: u.region_path.clone(),
                    },
                },
                NewGrant {
                    role,
                    scope_unit_id: Some(u.id),
                    scope_region_id: None,
                },
            ))
        }
        "region" => {
            let r = org::get_region(&st.db, input.scope_id)
                .await
                .map_err(|_| AppError::invalid("scope_id", "err.choice"))?;
            Ok((
                Grant {
                    role,
                    scope: Scope::Region {
                        id: r.id,
                        path: r.path.clone(),
                    },
                },
                NewGrant {
                    role,
                    scope_unit_id: None,
                    scope_region_id: Some(r.id),
                },
            ))
        }
        _ => Err(AppError::invalid("scope_kind", "err.choice")),
    }
}

pub async fn grant(st: &AppState, ctx: &Ctx, user_id: i64, input: &GrantInput) -> AppResult<i64> {
    let auth = ctx.auth()?;
    let u = users::get(&st.db, user_id).await?;
    auth.require(Entity::User, Action::AssignRoles, &u.place())?;
    let (grant, new) = to_grant(st, input).await?;
    let existing: Vec<Grant> = users::grants_of(&st.db, u.id)
        .await?
        .iter()
        .filter_map(GrantRow::to_grant)
        .collect();
    check_grant(&auth.principal, u.id, &u.place(), &existing, &grant)
        .map_err(|r| AppError::invalid("role", r.key()))?;
    Ok(users::grant(&st.db, &ctx.actor(), &u, &new).await?)
}

pub async fn revoke(st: &AppState, ctx: &Ctx, user_id: i64, grant_id: i64) -> AppResult<()> {
    let auth = ctx.auth()?;
    let u = users::get(&st.db, user_id).await?;
    auth.require(Entity::User, Action::AssignRoles, &u.place())?;
    let row = users::grant_by_id(&st.db, grant_id).await?;
    if row.user_id != u.id {
        return Err(AppError::NotFound);
    }
    let grant = row
        .to_grant()
        .ok_or_else(|| AppError::Internal("grant without scope".into()))?;
    check_revoke(&auth.principal, u.id, &u.place(), &grant)
        .map_err(|r| AppError::invalid("role", r.key()))?;
    Ok(users::revoke(&st.db, &ctx.actor(), &u, grant_id).await?)
}
