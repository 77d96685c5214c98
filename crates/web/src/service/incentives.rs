//! Incentives (激励, M10, M12): a county's supervisor keeps the rules (the introducer's reward
//! tiers, the innovation-platform subsidies, the days of public notice) and the award ledger.
//! An introducer's award is computed from what the platform holds of the project — its stage,
//! the introducer, its funds in place with their evidence, use and whether they are fiscal — and
//! keeps those figures and the tier table it was computed under. It is proposed, publicly
//! noticed (公示) for the configured days, approved, paid, or rejected with a reason; each step
//! in the audit log. Whenever an award is read, its rule is applied again to today's facts: an
//! award they no longer support (funds taken back, the project stopped) is flagged for clawback.
//! Anyone may try the rule on figures of their own (what-if) before anything is proposed.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::incentive::{
    self as core, Claim, Clawback, Fund, FundUse, IntroducerRule, Notice, PlatformLevel,
    PlatformRule, Rules, Status, Step,
};
use zhaoyin_core::org::Place;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::incentives::{
    self as db, Award, AwardFilter, FundFacts, NewAward, ProjectFacts, RulesRow, Stepped,
};

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// The longest platform name or reason, in characters.
const MAX_TEXT: usize = 200;

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

/// The county whose rules the caller reads (the library of the caller's unit) and whether the
/// caller keeps them (its supervisor).
async fn county(st: &AppState, auth: &Auth) -> AppResult<(i64, String, bool)> {
    if !auth
        .principal
        .can_somewhere(Entity::Incentive, Action::Read)
    {
        return Err(AppError::Forbidden);
    }
    let (id, path) = zhaoyin_db::companies::library_of_unit(&st.db, auth.user.unit_id).await?;
    let keeps = auth
        .principal
        .holds_over(Role::Supervisor, Entity::Incentive, &place(&path, None));
    Ok((id, path, keeps))
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

async fn stored(st: &AppState, county: i64) -> AppResult<Option<(RulesRow, Rules)>> {
    match db::rules(&st.db, county).await? {
        Some(row) => {
            let rules = parse(&row.body)?;
            Ok(Some((row, rules)))
        }
        None => Ok(None),
    }
}

pub async fn rules(st: &AppState, auth: &Auth) -> AppResult<RulesView> {
    let (id, _, keeps) = county(st, auth).await?;
    let kept = stored(st, id).await?;
    Ok(RulesView {
        region_id: id,
        version: kept.as_ref().map(|(r, _)| r.version),
        rules: kept.map(|(_, r)| r),
        may_edit: keeps,
    })
}

pub async fn save_rules(st: &AppState, ctx: &Ctx, input: &RulesInput) -> AppResult<RulesView> {
    let auth = ctx.auth()?;
    let (id, _, keeps) = county(st, auth).await?;
    if !keeps {
        return Err(AppError::Forbidden);
    }
    input.rules.check()?;
    let kept = db::rules(&st.db, id).await?;
    if kept.as_ref().map(|r| r.version) != input.version {
        return Err(AppError::Stale);
    }
    db::save_rules(
        &st.db,
        &ctx.actor(),
        id,
        kept.as_ref(),
        &json(&input.rules)?,
    )
    .await?;
    rules(st, auth).await
}

/// The county's rules, or the message that the supervisor must save them first.
async fn rules_in_force(st: &AppState, county: i64) -> AppResult<Rules> {
    stored(st, county)
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
    let (id, ..) = county(st, auth).await?;
    let mut errors = Invalid::default();
    for (n, f) in claim.funds.iter().enumerate() {
        if !(0..=zhaoyin_core::project::MAX_WAN).contains(&f.amount) {
            errors.push(
                FieldError::new(format!("funds[{n}].amount"), "err.range")
                    .with("min", 0)
                    .with("max", zhaoyin_core::project::MAX_WAN),
            );
        }
    }
    if claim.funds.len() > 1_000 {
        errors.push(FieldError::new("funds", "err.too_many"));
    }
    errors.into_result()?;
    let rules = rules_in_force(st, id).await?;
    Ok(what_if_of(&rules.introducer, claim))
}

/// A project's claim as the rule reads it: the introducer, the stage, the funds.
pub fn claim_of(p: &ProjectFacts, funds: &[FundFacts]) -> AppResult<Claim> {
    Ok(Claim {
        civil_servant: p.introducer_civil_servant,
        in_production: matches!(p.stage.as_str(), "producing" | "at_capacity"),
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

async fn project_in_county(
    st: &AppState,
    auth: &Auth,
    project_id: i64,
) -> AppResult<(i64, bool, ProjectFacts, Vec<FundFacts>)> {
    let (county, path, keeps) = county(st, auth).await?;
    let mut facts = db::claims(&st.db, &[project_id]).await?;
    let (p, funds) = facts.remove(&project_id).ok_or(AppError::NotFound)?;
    auth.require(
        Entity::Project,
        Action::Read,
        &place(&p.region_path, Some(p.unit_id)),
    )?;
    if !p.region_path.starts_with(&path) {
        return Err(AppError::NotFound);
    }
    Ok((county, keeps, p, funds))
}

pub async fn project_claim(st: &AppState, auth: &Auth, project_id: i64) -> AppResult<ProjectClaim> {
    let (county, keeps, p, funds) = project_in_county(st, auth, project_id).await?;
    let rules = rules_in_force(st, county).await?;
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
        may_propose: keeps
            && live.is_none()
            && what_if.reward > 0
            && p.duplicate_of.is_none()
            && p.introducer.is_some(),
        award_id: live.map(|a| a.id),
        claim,
        what_if,
    })
}

// -------------------------------------------------------------------------------------- ledger

/// What an innovation platform is (M12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformKind {
    /// 院士工作站.
    Academician,
    /// 博士后工作站.
    Postdoctoral,
    /// 研发机构 (工程技术研究中心、企业技术中心、重点实验室 …).
    Research,
}

impl PlatformKind {
    pub const ALL: [PlatformKind; 3] = [
        PlatformKind::Academician,
        PlatformKind::Postdoctoral,
        PlatformKind::Research,
    ];

    pub fn id(self) -> &'static str {
        match self {
            PlatformKind::Academician => "academician",
            PlatformKind::Postdoctoral => "postdoctoral",
            PlatformKind::Research => "research",
        }
    }
}

pub fn level_id(l: PlatformLevel) -> &'static str {
    match l {
        PlatformLevel::National => "national",
        PlatformLevel::Provincial => "provincial",
        PlatformLevel::Municipal => "municipal",
    }
}

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
    /// Set when today's facts give less than the award (introducer awards not rejected).
    pub clawback: Option<Clawback>,
    /// The notice is over: approval is open.
    pub notice_over: bool,
}

fn views(
    st: &AppState,
    auth: &Auth,
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
            let clawback = match (&basis, award.project_id) {
                (Basis::Introducer { rule, .. }, Some(p)) if status != Status::Rejected => {
                    match facts.get(&p) {
                        Some((p, funds)) => core::clawback(
                            award.amount,
                            &core::introducer_award(rule, &claim_of(p, funds)?),
                        ),
                        None => None,
                    }
                }
                _ => None,
            };
            let keeps = auth.principal.holds_over(
                Role::Supervisor,
                Entity::Incentive,
                &place(&award.region_path, None),
            );
            let notice_over = award.notice_until.is_some_and(|u| today > u);
            Ok(AwardView {
                steps: if keeps {
                    status.steps().to_vec()
                } else {
                    Vec::new()
                },
                notice_over,
                award,
                basis,
                clawback,
            })
        })
        .collect()
}

async fn with_facts(st: &AppState, auth: &Auth, awards: Vec<Award>) -> AppResult<Vec<AwardView>> {
    let ids: Vec<i64> = awards.iter().filter_map(|a| a.project_id).collect();
    let facts = db::claims(&st.db, &ids).await?;
    views(st, auth, awards, &facts)
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
    /// Only those today's facts no longer support.
    pub flagged: Option<bool>,
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
    // The year in the configured time zone: from the end of the year before to its own end.
    let created = match q.year {
        Some(y) => match (
            NaiveDate::from_ymd_opt(y - 1, 12, 31),
            NaiveDate::from_ymd_opt(y, 12, 31),
        ) {
            (Some(a), Some(b)) if (2000..=2100).contains(&y) => {
                Some((st.cfg.as_of(a).end, st.cfg.as_of(b).end))
            }
            _ => {
                errors.push(
                    FieldError::new("year", "err.range")
                        .with("min", 2000)
                        .with("max", 2100),
                );
                None
            }
        },
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
        out.retain(|v| v.clawback.is_some());
    }
    Ok(out)
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<AwardView> {
    let a = db::award(&st.db, id).await?;
    auth.require(
        Entity::Incentive,
        Action::Read,
        &place(&a.region_path, a.unit_id),
    )?;
    with_facts(st, auth, vec![a])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Proposes the introducer's award of a project as the county's rule gives it today. Refused,
/// with every reason, when it gives nothing.
pub async fn propose_introducer(st: &AppState, ctx: &Ctx, project_id: i64) -> AppResult<AwardView> {
    let auth = ctx.auth()?;
    let (county, keeps, p, funds) = project_in_county(st, auth, project_id).await?;
    if !keeps {
        return Err(AppError::Forbidden);
    }
    let rules = rules_in_force(st, county).await?;
    let mut errors = Invalid::default();
    let payee = p.introducer.clone().unwrap_or_default();
    if payee.trim().is_empty() {
        errors.push(FieldError::new("introducer", "err.incentive.no_introducer"));
    }
    if p.duplicate_of.is_some() {
        errors.push(FieldError::new(
            "project",
            "err.incentive.duplicate_project",
        ));
    }
    let claim = claim_of(&p, &funds)?;
    let award = core::introducer_award(&rules.introducer, &claim);
    for bar in &award.bars {
        let code = match bar {
            core::Bar::CivilServant => "err.incentive.civil_servant",
            core::Bar::NotInProduction => "err.incentive.not_in_production",
            core::Bar::BelowFirstTier => "err.incentive.below_first_tier",
        };
        errors.push(
            FieldError::new("project", code)
                .with("counted", award.counted)
                .with(
                    "first",
                    rules.introducer.tiers.first().map_or(0, |t| t.from),
                ),
        );
    }
    errors.into_result()?;
    let basis = Basis::Introducer {
        rule: rules.introducer.clone(),
        claim,
        award: award.clone(),
    };
    let a = db::propose(
        &st.db,
        &ctx.actor(),
        &NewAward {
            region_id: county,
            kind: "introducer",
            unit_id: Some(p.unit_id),
            project_id: Some(p.id),
            company_id: None,
            payee: payee.trim(),
            subject: &format!("project:{}", p.id),
            amount: award.reward(),
            basis: &json(&basis)?,
        },
    )
    .await?;
    get(st, auth, a.id).await
}

/// Proposes the subsidy of a newly approved innovation platform (M12).
pub async fn propose_platform(
    st: &AppState,
    ctx: &Ctx,
    input: &PlatformInput,
) -> AppResult<AwardView> {
    let auth = ctx.auth()?;
    let (county, path, keeps) = county(st, auth).await?;
    if !keeps {
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
        Ok(c) if c.region_path.starts_with(&path) => Some(c),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
            errors.push(FieldError::new("company_id", "err.choice"));
            None
        }
        Err(e) => return Err(e.into()),
    };
    errors.into_result()?;
    let Some(company) = company else {
        return Err(AppError::invalid("company_id", "err.choice"));
    };
    let rules = rules_in_force(st, county).await?;
    let platform = PlatformInput {
        name: name.to_string(),
        ..input.clone()
    };
    let a = db::propose(
        &st.db,
        &ctx.actor(),
        &NewAward {
            region_id: county,
            kind: "platform",
            unit_id: company.unit_id,
            project_id: None,
            company_id: Some(company.id),
            payee: &company.name,
            subject: &format!("platform:{}:{}", company.id, name),
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
    let a = db::award(&st.db, id).await?;
    auth.require(
        Entity::Incentive,
        Action::Read,
        &place(&a.region_path, a.unit_id),
    )?;
    if !auth.principal.holds_over(
        Role::Supervisor,
        Entity::Incentive,
        &place(&a.region_path, None),
    ) {
        return Err(AppError::Forbidden);
    }
    if a.version != input.version {
        return Err(AppError::Stale);
    }
    let reason = input.reason.trim();
    if reason.chars().count() > MAX_TEXT {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("reason", "err.too_long").with("max", MAX_TEXT),
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
    let (action, paid_on, reason) = match input.step {
        Step::Notice => ("notice", None, None),
        Step::Approve => ("approve", None, None),
        Step::Pay => ("pay", Some(today), None),
        Step::Reject => ("reject", None, Some(reason)),
    };
    db::step(
        &st.db,
        &ctx.actor(),
        &a,
        &Stepped {
            action,
            status: next.id(),
            notice: fresh,
            paid_on,
            reason,
        },
    )
    .await?;
    get(st, auth, id).await
}
