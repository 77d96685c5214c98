//! Incentives (激励, M5, M10, M12): a county's supervisor keeps the rules (the introducer's reward
//! tiers, the innovation-platform subsidies, the days of public notice) and the award ledger.
//! An introducer's award is computed from what the platform holds of the project — its stage,
//! the introducer, its funds in place with their evidence, use and whether they are fiscal — and
//! keeps those figures and the tier table it was computed under. It is proposed, publicly
//! noticed (公示) for the configured days, approved, paid, or rejected with a reason; each step
//! in the audit log. Whenever an award is read, its rule is applied again to today's facts: an
//! unpaid award they no longer support cannot be approved or paid, a paid one is flagged for
//! clawback. Anyone may try the rule on figures of their own (what-if). The year's list of units
//! eligible for the "excellent" grade (M5) is computed from the introductions on record, less
//! the units the supervisor vetoed (一票否决).
//!
//! Rules and awards are a county's: its supervisor keeps them (a city's supervisor reads them).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::incentive::{
    self as core, Claim, Clawback, Fund, FundUse, IntroducerRule, Merit, Notice, PlatformKind,
    PlatformLevel, PlatformRule, Rules, Status, Step,
};
use zhaoyin_core::org::Place;
use zhaoyin_core::project::{MAX_WAN, Stage};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::incentives::{
    self as db, Award, AwardFilter, Config, FundFacts, NewAward, ProjectFacts, RulesRow, Stepped,
    Veto,
};

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// The longest platform name or reason, in characters.
const MAX_TEXT: usize = 200;
/// The most funds a what-if takes.
const MAX_FUNDS: usize = 1_000;

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> AppResult<T> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(format!("stored incentive: {e}")))
}

fn json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(format!("incentive JSON: {e}")))
}

fn place(path: &str, unit_id: Option<i64>) -> Place {
    Place {
        region_path: path.to_string(),
        unit_id,
    }
}

/// The caller's county: the library of its unit when that is a county (a city's or a
/// province's unit has none), and whether the caller is its supervisor.
pub(crate) struct County {
    pub id: i64,
    pub path: String,
    pub keeps: bool,
}

async fn own_county(st: &AppState, auth: &Auth) -> AppResult<Option<County>> {
    if !auth
        .principal
        .can_somewhere(Entity::Incentive, Action::Read)
    {
        return Err(AppError::Forbidden);
    }
    let Some((id, path)) = super::own_county(st, auth).await? else {
        return Ok(None);
    };
    let keeps = auth
        .principal
        .holds_over(Role::Supervisor, Entity::Incentive, &place(&path, None));
    Ok(Some(County { id, path, keeps }))
}

/// The caller's county, or the message that rules are a county's.
pub(crate) async fn county(st: &AppState, auth: &Auth) -> AppResult<County> {
    own_county(st, auth)
        .await?
        .ok_or_else(|| AppError::invalid("rules", "err.incentive.county_only"))
}

/// The county whose supervisor the caller is, if any: where it proposes and takes steps.
pub async fn kept_county(st: &AppState, auth: &Auth) -> AppResult<Option<i64>> {
    Ok(own_county(st, auth)
        .await?
        .filter(|c| c.keeps)
        .map(|c| c.id))
}

// --------------------------------------------------------------------------------------- rules

/// A county's rules as read, and whether the caller may change them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RulesView {
    pub region_id: i64,
    /// None until the supervisor saves them: no award is proposed before.
    pub rules: Option<Rules>,
    /// The version to name when saving (none: not saved yet).
    pub version: Option<i64>,
    pub may_edit: bool,
}

/// Rules as saved, naming the version read (none the first time).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RulesInput {
    pub rules: Rules,
    pub version: Option<i64>,
}

/// A county's configuration of kind `config` as saved, if any, with its row (the version).
pub(crate) async fn stored<T: serde::de::DeserializeOwned>(
    st: &AppState,
    config: Config,
    county: i64,
) -> AppResult<Option<(RulesRow, T)>> {
    match db::rules(&st.db, config, county).await? {
        Some(row) => {
            let rules = parse(&row.body)?;
            Ok(Some((row, rules)))
        }
        None => Ok(None),
    }
}

/// Saves county `c`'s configuration of kind `config` (already checked) over `version`, as its
/// supervisor: refused as stale if another save came first.
pub(crate) async fn save_config<T: Serialize>(
    st: &AppState,
    ctx: &Ctx,
    config: Config,
    c: &County,
    version: Option<i64>,
    rules: &T,
) -> AppResult<()> {
    if !c.keeps {
        return Err(AppError::Forbidden);
    }
    let kept = db::rules(&st.db, config, c.id).await?;
    if kept.as_ref().map(|r| r.version) != version {
        return Err(AppError::Stale);
    }
    db::save_rules(
        &st.db,
        &ctx.actor(),
        config,
        c.id,
        kept.as_ref(),
        &json(rules)?,
    )
    .await?;
    Ok(())
}

pub async fn rules(st: &AppState, auth: &Auth) -> AppResult<RulesView> {
    let c = county(st, auth).await?;
    let kept = stored::<Rules>(st, Config::Incentive, c.id).await?;
    Ok(RulesView {
        region_id: c.id,
        version: kept.as_ref().map(|(r, _)| r.version),
        rules: kept.map(|(_, r)| r),
        may_edit: c.keeps,
    })
}

pub async fn save_rules(st: &AppState, ctx: &Ctx, input: &RulesInput) -> AppResult<RulesView> {
    let auth = ctx.auth()?;
    let c = county(st, auth).await?;
    if c.keeps {
        input.rules.check()?;
    }
    save_config(st, ctx, Config::Incentive, &c, input.version, &input.rules).await?;
    rules(st, auth).await
}

/// The county's rules, or the message that the supervisor must save them first.
async fn rules_in_force(st: &AppState, county: i64) -> AppResult<Rules> {
    stored(st, Config::Incentive, county)
        .await?
        .map(|(_, r)| r)
        .ok_or_else(|| AppError::invalid("rules", "err.incentive.no_rules"))
}

// ------------------------------------------------------------------------------------- what-if

/// What the county's introducer rule gives a claim, with the tier table it used.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WhatIf {
    pub rule: IntroducerRule,
    pub award: core::Award,
    /// 万元 due.
    pub reward: i64,
}

fn what_if_of(rule: &IntroducerRule, claim: &Claim) -> WhatIf {
    let award = core::introducer_award(rule, claim);
    WhatIf {
        rule: rule.clone(),
        reward: award.reward(),
        award,
    }
}

/// The county's rule applied to figures the caller types: nothing is stored.
pub async fn what_if(st: &AppState, auth: &Auth, claim: &Claim) -> AppResult<WhatIf> {
    let c = county(st, auth).await?;
    if claim.funds.len() > MAX_FUNDS {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("funds", "err.too_many").with("max", MAX_FUNDS),
        )));
    }
    let mut errors = Invalid::default();
    for (n, f) in claim.funds.iter().enumerate() {
        if !(0..=MAX_WAN).contains(&f.amount) {
            errors.push(
                FieldError::new(format!("funds[{n}].amount"), "err.range")
                    .with("min", 0)
                    .with("max", MAX_WAN),
            );
        }
    }
    errors.into_result()?;
    let rules = rules_in_force(st, c.id).await?;
    Ok(what_if_of(&rules.introducer, claim))
}

/// A project's claim as the rule reads it: the introducer, the stage, the funds.
pub fn claim_of(p: &ProjectFacts, funds: &[FundFacts]) -> AppResult<Claim> {
    Ok(Claim {
        no_introducer: p.introducer.as_deref().is_none_or(|i| i.trim().is_empty()),
        civil_servant: p.introducer_civil_servant,
        in_production: matches!(
            Stage::parse(&p.stage),
            Some(Stage::Producing | Stage::AtCapacity)
        ),
        duplicate: p.duplicate_of.is_some(),
        funds: funds
            .iter()
            .map(|f| {
                Ok(Fund {
                    amount: f.amount,
                    verified: f.verified,
                    used_for: FundUse::parse(&f.used_for).ok_or_else(|| {
                        AppError::Internal(format!("fund use {:?} of project {}", f.used_for, p.id))
                    })?,
                    fiscal: f.fiscal,
                })
            })
            .collect::<AppResult<_>>()?,
    })
}

/// The introducer's award a project's figures give under a county's rule, ready to propose.
pub struct Proposal {
    pub basis: Basis,
    pub reward: i64,
    pub payee: String,
    pub subject: String,
}

/// What `rule` gives project `p` today; refused with every reason when it gives nothing.
pub fn introducer_proposal(
    rule: &IntroducerRule,
    p: &ProjectFacts,
    funds: &[FundFacts],
) -> AppResult<Proposal> {
    let claim = claim_of(p, funds)?;
    let award = core::introducer_award(rule, &claim);
    if !award.bars.is_empty() {
        let first = rule.tiers.first().map_or(0, |t| t.from);
        return Err(AppError::Invalid(Invalid(
            award
                .bars
                .iter()
                .map(|b| {
                    FieldError::new("project", b.code())
                        .with("counted", award.counted)
                        .with("first", first)
                })
                .collect(),
        )));
    }
    Ok(Proposal {
        reward: award.reward(),
        payee: p
            .introducer
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_string(),
        subject: format!("project:{}", p.id),
        basis: Basis::Introducer {
            rule: rule.clone(),
            claim,
            award,
        },
    })
}

/// Proposes `proposal` for project `p` in the ledger of county `county`.
pub async fn propose_for(
    db: &zhaoyin_db::Db,
    actor: &zhaoyin_db::audit::Actor,
    county: i64,
    p: &ProjectFacts,
    proposal: &Proposal,
) -> AppResult<Award> {
    Ok(db::propose(
        db,
        actor,
        &NewAward {
            region_id: county,
            place_region_id: p.region_id,
            kind: "introducer",
            unit_id: Some(p.unit_id),
            project_id: Some(p.id),
            company_id: None,
            payee: &proposal.payee,
            subject: &proposal.subject,
            amount: proposal.reward,
            basis: &json(&proposal.basis)?,
        },
    )
    .await?)
}

/// A project's claim as the platform holds it today, what the rule gives it, and the award
/// already in the ledger for it, if any.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectClaim {
    pub project_id: i64,
    pub project_name: String,
    pub introducer: Option<String>,
    pub claim: Claim,
    pub what_if: WhatIf,
    /// The live award for it (not rejected), if one was proposed.
    pub award_id: Option<i64>,
    /// The caller may propose it (the county's supervisor, no live award, something due).
    pub may_propose: bool,
}

/// A project of the caller's county that the caller reads, with its facts.
async fn project_in_county(
    st: &AppState,
    auth: &Auth,
    project_id: i64,
) -> AppResult<(County, ProjectFacts, Vec<FundFacts>)> {
    let c = county(st, auth).await?;
    let mut facts = db::claims(&st.db, &[project_id]).await?;
    let (p, funds) = facts.remove(&project_id).ok_or(AppError::NotFound)?;
    auth.require(
        Entity::Project,
        Action::Read,
        &place(&p.region_path, Some(p.unit_id)),
    )?;
    if !p.region_path.starts_with(&c.path) {
        return Err(AppError::NotFound);
    }
    Ok((c, p, funds))
}

pub async fn project_claim(st: &AppState, auth: &Auth, project_id: i64) -> AppResult<ProjectClaim> {
    let (c, p, funds) = project_in_county(st, auth, project_id).await?;
    let rules = rules_in_force(st, c.id).await?;
    let claim = claim_of(&p, &funds)?;
    let what_if = what_if_of(&rules.introducer, &claim);
    let vis = auth.principal.visibility(Entity::Incentive, Action::Read);
    let live = db::awards(
        &st.db,
        &vis,
        &AwardFilter {
            project_id: Some(project_id),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .find(|a| a.status != Status::Rejected.id());
    Ok(ProjectClaim {
        project_id: p.id,
        project_name: p.name.clone(),
        introducer: p.introducer.clone(),
        may_propose: c.keeps && live.is_none() && what_if.award.bars.is_empty(),
        award_id: live.map(|a| a.id),
        claim,
        what_if,
    })
}

// -------------------------------------------------------------------------------------- ledger

/// A newly approved innovation platform, for its subsidy.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlatformInput {
    /// The company in the county's library that set it up.
    pub company_id: i64,
    pub name: String,
    pub kind: PlatformKind,
    pub level: PlatformLevel,
    /// The day it was approved (not in the future).
    #[schema(value_type = String, format = Date)]
    pub approved_on: NaiveDate,
}

/// What an award was computed from, kept with it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    /// M10: the project's claim as it stood, the tier table and what it gave.
    Introducer {
        rule: IntroducerRule,
        claim: Claim,
        award: core::Award,
    },
    /// M12: the platform and the amounts by level.
    Platform {
        rule: PlatformRule,
        platform: PlatformInput,
    },
}

/// An award with what it was computed from, where it may go next, and whether today's facts
/// still support it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AwardView {
    pub award: Award,
    pub basis: Basis,
    /// The steps the caller may take now.
    pub steps: Vec<Step>,
    /// A paid introducer's award today's facts give less: the amount to claw back, and why.
    pub clawback: Option<Clawback>,
    /// An unpaid one they give less: what is no longer due, and why. It is neither approved nor
    /// paid while so.
    pub shortfall: Option<Clawback>,
    /// The notice is over: approval is open.
    pub notice_over: bool,
}

fn views(
    st: &AppState,
    kept: Option<i64>,
    awards: Vec<Award>,
    facts: &HashMap<i64, (ProjectFacts, Vec<FundFacts>)>,
) -> AppResult<Vec<AwardView>> {
    let today = st.cfg.today();
    awards
        .into_iter()
        .map(|award| {
            let basis: Basis = parse(&award.basis)?;
            let status = Status::parse(&award.status)
                .ok_or_else(|| AppError::Internal(format!("award status {}", award.status)))?;
            let short = match (&basis, award.project_id.and_then(|p| facts.get(&p))) {
                (Basis::Introducer { rule, .. }, Some((p, funds)))
                    if status != Status::Rejected =>
                {
                    let now = core::introducer_award(rule, &claim_of(p, funds)?);
                    core::clawback(award.amount, &now)
                }
                _ => None,
            };
            let (clawback, shortfall) = if status == Status::Paid {
                (short, None)
            } else {
                (None, short)
            };
            Ok(AwardView {
                steps: if kept == Some(award.region_id) {
                    status.steps().to_vec()
                } else {
                    Vec::new()
                },
                notice_over: award.notice_until.is_some_and(|u| today > u),
                award,
                basis,
                clawback,
                shortfall,
            })
        })
        .collect()
}

async fn with_facts(st: &AppState, auth: &Auth, awards: Vec<Award>) -> AppResult<Vec<AwardView>> {
    let ids: Vec<i64> = awards.iter().filter_map(|a| a.project_id).collect();
    let facts = db::claims(&st.db, &ids).await?;
    views(st, kept_county(st, auth).await?, awards, &facts)
}

/// Which awards the ledger shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct LedgerQuery {
    /// `introducer` or `platform`.
    pub kind: Option<String>,
    /// `proposed`, `notice`, `approved`, `paid` or `rejected`.
    pub status: Option<String>,
    /// Proposed in this year.
    pub year: Option<i32>,
    /// Only those today's facts no longer support (to claw back, or no longer due).
    pub flagged: Option<bool>,
}

/// A year as its days `[first, next)` and its instants `[from, until)` in the configured time
/// zone.
type YearSpan = (
    (NaiveDate, NaiveDate),
    (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
);

/// `year`'s span; refused outside 2000–2100.
fn year_span(st: &AppState, field: &str, year: i64) -> Result<YearSpan, FieldError> {
    let bad = || {
        FieldError::new(field, "err.range")
            .with("min", 2000)
            .with("max", 2100)
    };
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    let y = i32::try_from(year).map_err(|_| bad())?;
    let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad);
    let (first, next) = (day(y, 1, 1)?, day(y + 1, 1, 1)?);
    // From the end of the year before to the end of the year's last day.
    let (before, last) = (day(y - 1, 12, 31)?, day(y, 12, 31)?);
    Ok((
        (first, next),
        (st.cfg.as_of(before).end, st.cfg.as_of(last).end),
    ))
}

pub async fn ledger(st: &AppState, auth: &Auth, q: &LedgerQuery) -> AppResult<Vec<AwardView>> {
    if !auth
        .principal
        .can_somewhere(Entity::Incentive, Action::Read)
    {
        return Err(AppError::Forbidden);
    }
    let mut errors = Invalid::default();
    if let Some(k) = &q.kind
        && !matches!(k.as_str(), "introducer" | "platform")
    {
        errors.push(FieldError::new("kind", "err.choice"));
    }
    if let Some(s) = &q.status
        && Status::parse(s).is_none()
    {
        errors.push(FieldError::new("status", "err.choice"));
    }
    let created = match q.year.map(|y| year_span(st, "year", i64::from(y))) {
        Some(Ok((_, instants))) => Some(instants),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => None,
    };
    errors.into_result()?;
    let vis = auth.principal.visibility(Entity::Incentive, Action::Read);
    let f = AwardFilter {
        kind: q.kind.clone(),
        status: q.status.clone(),
        created,
        project_id: None,
    };
    let mut out = with_facts(st, auth, db::awards(&st.db, &vis, &f).await?).await?;
    if q.flagged == Some(true) {
        out.retain(|v| v.clawback.is_some() || v.shortfall.is_some());
    }
    Ok(out)
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<AwardView> {
    let a = db::award(&st.db, id).await?;
    auth.require(
        Entity::Incentive,
        Action::Read,
        &place(&a.place_path, a.unit_id),
    )?;
    with_facts(st, auth, vec![a])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Proposes the introducer's award of a project of the caller's county as its rule gives it
/// today; refused, with every reason, when it gives nothing.
pub async fn propose_introducer(st: &AppState, ctx: &Ctx, project_id: i64) -> AppResult<AwardView> {
    let auth = ctx.auth()?;
    let (c, p, funds) = project_in_county(st, auth, project_id).await?;
    if !c.keeps {
        return Err(AppError::Forbidden);
    }
    let rules = rules_in_force(st, c.id).await?;
    let proposal = introducer_proposal(&rules.introducer, &p, &funds)?;
    let a = propose_for(&st.db, &ctx.actor(), c.id, &p, &proposal).await?;
    get(st, auth, a.id).await
}

/// Proposes the subsidy of a newly approved innovation platform (M12) of a company in the
/// caller's county's library.
pub async fn propose_platform(
    st: &AppState,
    ctx: &Ctx,
    input: &PlatformInput,
) -> AppResult<AwardView> {
    let auth = ctx.auth()?;
    let c = county(st, auth).await?;
    if !c.keeps {
        return Err(AppError::Forbidden);
    }
    let mut errors = Invalid::default();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "err.required"));
    } else if name.chars().count() > MAX_TEXT {
        errors.push(FieldError::new("name", "err.too_long").with("max", MAX_TEXT));
    }
    if input.approved_on > st.cfg.today() {
        errors.push(FieldError::new("approved_on", "err.date_future"));
    } else if !zhaoyin_core::validation::date_in_range(input.approved_on) {
        errors.push(FieldError::new("approved_on", "err.date_range"));
    }
    let company = match db::company_facts(&st.db, input.company_id).await {
        Ok(company) if company.region_id == c.id => Some(company),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
            errors.push(FieldError::new("company_id", "err.choice"));
            None
        }
        Err(e) => return Err(e.into()),
    };
    errors.into_result()?;
    let company = company.ok_or_else(|| AppError::invalid("company_id", "err.choice"))?;
    let rules = rules_in_force(st, c.id).await?;
    let platform = PlatformInput {
        name: name.to_string(),
        ..input.clone()
    };
    // One live subsidy per platform, however its name is spaced or bracketed.
    let subject = format!(
        "platform:{}:{}",
        company.id,
        zhaoyin_core::company::name_key(name)
    );
    let a = db::propose(
        &st.db,
        &ctx.actor(),
        &NewAward {
            region_id: c.id,
            place_region_id: company.region_id,
            kind: "platform",
            unit_id: company.unit_id,
            project_id: None,
            company_id: Some(company.id),
            payee: &company.name,
            subject: &subject,
            amount: rules.platform.subsidy(input.level),
            basis: &json(&Basis::Platform {
                rule: rules.platform,
                platform,
            })?,
        },
    )
    .await?;
    get(st, auth, a.id).await
}

/// A step on an award, naming the version read.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    pub step: Step,
    pub version: i64,
    /// Why it is rejected (required then).
    #[serde(default)]
    pub reason: String,
}

pub async fn take_step(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &StepInput,
) -> AppResult<AwardView> {
    let auth = ctx.auth()?;
    let v = get(st, auth, id).await?;
    if kept_county(st, auth).await? != Some(v.award.region_id) {
        return Err(AppError::Forbidden);
    }
    let a = &v.award;
    if a.version != input.version {
        return Err(AppError::Stale);
    }
    let reason = input.reason.trim();
    if reason.chars().count() > MAX_TEXT {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("reason", "err.too_long").with("max", MAX_TEXT),
        )));
    }
    // What today's facts no longer give is neither approved nor paid.
    if let (Some(s), Step::Approve | Step::Pay) = (&v.shortfall, input.step) {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("step", "err.incentive.no_longer_due").with("amount", s.amount),
        )));
    }
    let status = Status::parse(&a.status)
        .ok_or_else(|| AppError::Internal(format!("award status {}", a.status)))?;
    let today = st.cfg.today();
    let notice = a
        .notice_from
        .zip(a.notice_until)
        .map(|(from, until)| Notice { from, until });
    let next = core::take(status, input.step, today, notice, reason)
        .map_err(|e| AppError::Invalid(Invalid::one(e)))?;
    let fresh = match input.step {
        Step::Notice => {
            let rules = rules_in_force(st, a.region_id).await?;
            let n = Notice::starting(today, rules.notice_days);
            Some((n.from, n.until))
        }
        _ => None,
    };
    db::step(
        &st.db,
        &ctx.actor(),
        a,
        &Stepped {
            action: input.step.id(),
            status: next.id(),
            notice: fresh,
            paid_on: (input.step == Step::Pay).then_some(today),
            reason: (input.step == Step::Reject).then_some(reason),
        },
    )
    .await?;
    get(st, auth, id).await
}

// ------------------------------------------------------------------- the "excellent" grade (M5)

/// An introduction behind a unit's merit: a project or a talent, with what makes it count.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub project_id: Option<i64>,
    pub talent_id: Option<i64>,
    pub name: String,
    pub merits: Vec<Merit>,
}

/// A unit of the year's list: its evidence, its veto if any, and whether it is eligible.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Eligibility {
    pub unit_id: i64,
    pub unit_name: String,
    pub evidence: Vec<Evidence>,
    pub veto: Option<Veto>,
    pub eligible: bool,
}

/// The year's list of the county: every unit with an introduction that counts or a veto.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExcellentView {
    pub year: i64,
    pub units: Vec<Eligibility>,
    /// The caller records and takes back vetoes (the county's supervisor).
    pub may_edit: bool,
}

/// Readers over the whole county only: the list names every unit's projects.
pub(crate) async fn county_reader(st: &AppState, auth: &Auth) -> AppResult<County> {
    let c = county(st, auth).await?;
    if !auth
        .principal
        .can(Entity::Incentive, Action::Read, &place(&c.path, None))
    {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

pub async fn excellent(st: &AppState, auth: &Auth, year: i64) -> AppResult<ExcellentView> {
    let c = county_reader(st, auth).await?;
    let (days, instants) =
        year_span(st, "year", year).map_err(|e| AppError::Invalid(Invalid::one(e)))?;
    let found = db::introductions(&st.db, &c.path, days, instants).await?;
    let vetoes = db::vetoes(&st.db, &c.path, year).await?;
    let mut units: BTreeMap<i64, Eligibility> = BTreeMap::new();
    fn unit<'a>(
        units: &'a mut BTreeMap<i64, Eligibility>,
        id: i64,
        name: &str,
    ) -> &'a mut Eligibility {
        units.entry(id).or_insert_with(|| Eligibility {
            unit_id: id,
            unit_name: name.to_string(),
            evidence: Vec::new(),
            veto: None,
            eligible: false,
        })
    }
    for i in found {
        let mut merits = Merit::of_project(i.major, i.global500, i.china500, i.headquarters);
        if i.national_talent {
            merits.push(Merit::NationalTalent);
        }
        unit(&mut units, i.unit_id, &i.unit_name)
            .evidence
            .push(Evidence {
                project_id: i.project_id,
                talent_id: i.talent_id,
                name: i.name,
                merits,
            });
    }
    for v in vetoes {
        let (id, name) = (v.unit_id, v.unit_name.clone());
        unit(&mut units, id, &name).veto = Some(v);
    }
    let mut units: Vec<Eligibility> = units
        .into_values()
        .map(|mut u| {
            let merits: Vec<Merit> = u.evidence.iter().flat_map(|e| e.merits.clone()).collect();
            u.eligible = core::excellent(&merits, u.veto.is_some());
            u
        })
        .collect();
    units.sort_by(|a, b| {
        b.eligible
            .cmp(&a.eligible)
            .then(a.unit_name.cmp(&b.unit_name))
    });
    Ok(ExcellentView {
        year,
        units,
        may_edit: c.keeps,
    })
}

/// The year of the "excellent" list.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct ExcellentQuery {
    pub year: i64,
}

/// A veto item of a unit of the county for a year.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct VetoInput {
    pub unit_id: i64,
    pub year: i64,
    pub reason: String,
}

pub async fn add_veto(st: &AppState, ctx: &Ctx, input: &VetoInput) -> AppResult<Veto> {
    let auth = ctx.auth()?;
    let c = county(st, auth).await?;
    if !c.keeps {
        return Err(AppError::Forbidden);
    }
    let mut errors = Invalid::default();
    let units = zhaoyin_db::assessments::units_of(&st.db, c.id).await?;
    if !units.iter().any(|(id, _)| *id == input.unit_id) {
        errors.push(FieldError::new("unit_id", "err.choice"));
    }
    if let Err(e) = year_span(st, "year", input.year) {
        errors.push(e);
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        errors.push(FieldError::new("reason", "err.required"));
    } else if reason.chars().count() > MAX_TEXT {
        errors.push(FieldError::new("reason", "err.too_long").with("max", MAX_TEXT));
    }
    errors.into_result()?;
    Ok(db::add_veto(
        &st.db,
        &ctx.actor(),
        c.id,
        input.unit_id,
        input.year,
        reason,
    )
    .await?)
}

/// Takes a veto back; what it was is returned (and kept in the audit log).
pub async fn remove_veto(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<Veto> {
    let auth = ctx.auth()?;
    let c = county(st, auth).await?;
    let v = db::veto(&st.db, id).await?;
    if !v.region_path.starts_with(&c.path) {
        return Err(AppError::NotFound);
    }
    if !c.keeps {
        return Err(AppError::Forbidden);
    }
    db::remove_veto(&st.db, &ctx.actor(), c.id, &v).await?;
    Ok(v)
}
