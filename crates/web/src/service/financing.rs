//! Financing (融资, M7, M13): a county unit's clerks (the financial service centre's, say) record
//! new loans to the county's enterprises — bank, kind, day, amount — and the year's new loans
//! are set against the year before's and M7's target of at least 10% growth, by kind and by
//! bank; projects recommended to banks and funds (推介) are recorded with what came of them.
//! Readers over the county read everything; a clerk reads and keeps what its unit recorded.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::financing::{
    self as core, GROWTH_TARGET_PERCENT, Growth, LoanInput, Outcome, OutcomeInput, ReferralInput,
};
use zhaoyin_core::org::Place;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::financing::{self as db, Loan, Referral};

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// Which year (default: this year).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct YearQuery {
    pub year: Option<i64>,
}

/// The year asked for (default this year, in the configured time zone), as its days.
fn year_of(st: &AppState, year: Option<i64>) -> AppResult<(i64, NaiveDate, NaiveDate)> {
    let year = year.unwrap_or_else(|| i64::from(st.cfg.today().year()));
    let bad = || {
        AppError::Invalid(Invalid::one(
            FieldError::new("year", "err.range")
                .with("min", 2000)
                .with("max", 2100),
        ))
    };
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    let y = i32::try_from(year).map_err(|_| bad())?;
    let first = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad);
    Ok((year, first(y)?, first(y + 1)?))
}

fn readable(auth: &Auth) -> AppResult<()> {
    if auth
        .principal
        .can_somewhere(Entity::Financing, Action::Read)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The caller's county, where what it records belongs.
async fn county(st: &AppState, auth: &Auth) -> AppResult<(i64, String)> {
    super::own_county(st, auth)
        .await?
        .ok_or_else(|| AppError::invalid("unit", "err.financing.county_only"))
}

/// The caller records for its own unit of the county at `path` (nothing is hidden: 403).
fn may_record(auth: &Auth, path: String) -> AppResult<()> {
    let place = Place {
        region_path: path,
        unit_id: Some(auth.user.unit_id),
    };
    if auth.can(Entity::Financing, Action::Write, &place) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A year's loans and how they stand against the year before's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoansView {
    pub year: i64,
    pub loans: Vec<Loan>,
    /// The year's new loans against the year before's.
    pub growth: Growth,
    /// M7's target, percent.
    pub target_percent: i64,
    /// 万元 by kind, and by bank, this year.
    pub by_kind: BTreeMap<String, i64>,
    pub by_bank: BTreeMap<String, i64>,
    /// The caller records loans (a clerk or supervisor of a county unit).
    pub may_write: bool,
}

pub async fn loans(st: &AppState, auth: &Auth, year: Option<i64>) -> AppResult<LoansView> {
    readable(auth)?;
    let (year, first, next) = year_of(st, year)?;
    let before = NaiveDate::from_ymd_opt(first.year() - 1, 1, 1).unwrap_or(first);
    let vis = auth.principal.visibility(Entity::Financing, Action::Read);
    let loans = db::loans(&st.db, &vis, first, next).await?;
    let previous: i64 = db::loans(&st.db, &vis, before, first)
        .await?
        .iter()
        .map(|l| l.amount)
        .sum();
    let mut by_kind = BTreeMap::new();
    let mut by_bank = BTreeMap::new();
    for l in &loans {
        *by_kind.entry(l.kind.clone()).or_insert(0) += l.amount;
        *by_bank.entry(l.bank.clone()).or_insert(0) += l.amount;
    }
    let amount = loans.iter().map(|l| l.amount).sum();
    Ok(LoansView {
        year,
        growth: core::growth(amount, previous),
        target_percent: GROWTH_TARGET_PERCENT,
        loans,
        by_kind,
        by_bank,
        may_write: auth
            .principal
            .can_somewhere(Entity::Financing, Action::Write),
    })
}

/// Records a new loan for the caller's unit, to a company of its county's library.
pub async fn add_loan(st: &AppState, ctx: &Ctx, input: &LoanInput) -> AppResult<Loan> {
    let auth = ctx.auth()?;
    let (county, path) = county(st, auth).await?;
    may_record(auth, path)?;
    let mut errors = Invalid::default();
    let company = match zhaoyin_db::incentives::company_facts(&st.db, input.company_id).await {
        Ok(c) if c.region_id == county => Some(c.id),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
            errors.push(FieldError::new("company_id", "err.choice"));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let fields = input.validate(st.cfg.today());
    if let Err(e) = &fields {
        errors.0.extend(e.0.iter().cloned());
    }
    errors.into_result()?;
    let (Some(company), Ok(fields)) = (company, fields) else {
        return Err(AppError::invalid("company_id", "err.choice"));
    };
    Ok(db::add_loan(
        &st.db,
        &ctx.actor(),
        (county, auth.user.unit_id, company),
        &fields,
    )
    .await?)
}

/// Takes a loan recorded in error back.
pub async fn remove_loan(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let auth = ctx.auth()?;
    let l = db::loan(&st.db, id).await?;
    auth.require(
        Entity::Financing,
        Action::Write,
        &Place {
            region_path: l.region_path.clone(),
            unit_id: Some(l.unit_id),
        },
    )?;
    Ok(db::remove_loan(&st.db, &ctx.actor(), &l).await?)
}

/// A year's recommendations and what came of them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReferralsView {
    pub year: i64,
    pub referrals: Vec<Referral>,
    /// 万元 lent or invested on the year's recommendations.
    pub financed: i64,
    pub may_write: bool,
}

pub async fn referrals(st: &AppState, auth: &Auth, year: Option<i64>) -> AppResult<ReferralsView> {
    readable(auth)?;
    let (year, first, next) = year_of(st, year)?;
    let vis = auth.principal.visibility(Entity::Financing, Action::Read);
    let referrals = db::referrals(&st.db, &vis, first, next).await?;
    Ok(ReferralsView {
        year,
        financed: referrals.iter().filter_map(|r| r.financed).sum(),
        referrals,
        may_write: auth
            .principal
            .can_somewhere(Entity::Financing, Action::Write),
    })
}

/// Records a project of the caller's county recommended to a bank or a fund.
pub async fn add_referral(st: &AppState, ctx: &Ctx, input: &ReferralInput) -> AppResult<Referral> {
    let auth = ctx.auth()?;
    let (county, path) = county(st, auth).await?;
    may_record(auth, path.clone())?;
    let mut errors = Invalid::default();
    let project = zhaoyin_db::incentives::claims(&st.db, &[input.project_id])
        .await?
        .remove(&input.project_id)
        .map(|(p, _)| p)
        .filter(|p| {
            p.region_path.starts_with(&path)
                && auth.can(
                    Entity::Project,
                    Action::Read,
                    &Place {
                        region_path: p.region_path.clone(),
                        unit_id: Some(p.unit_id),
                    },
                )
        });
    if project.is_none() {
        errors.push(FieldError::new("project_id", "err.choice"));
    }
    let fields = input.validate(st.cfg.today());
    if let Err(e) = &fields {
        errors.0.extend(e.0.iter().cloned());
    }
    errors.into_result()?;
    let (Some(project), Ok(fields)) = (project, fields) else {
        return Err(AppError::invalid("project_id", "err.choice"));
    };
    Ok(db::add_referral(
        &st.db,
        &ctx.actor(),
        (county, auth.user.unit_id, project.id),
        &fields,
    )
    .await?)
}

/// Records what came of a recommendation (once).
pub async fn decide(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &OutcomeInput,
) -> AppResult<Referral> {
    let auth = ctx.auth()?;
    let r = db::referral(&st.db, id).await?;
    auth.require(
        Entity::Financing,
        Action::Write,
        &Place {
            region_path: r.region_path.clone(),
            unit_id: Some(r.unit_id),
        },
    )?;
    if r.version != input.version {
        return Err(AppError::Stale);
    }
    let from = Outcome::parse(&r.outcome)
        .ok_or_else(|| AppError::Internal(format!("referral outcome {}", r.outcome)))?;
    let fields = input.validate(from, r.referred_on, st.cfg.today())?;
    Ok(db::decide(&st.db, &ctx.actor(), &r, &fields).await?)
}
