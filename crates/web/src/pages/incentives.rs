//! Incentive screens (激励): the award ledger with its filters and its workbook, an award's page
//! (what it was computed from, its notice, the steps the supervisor may take, the clawback
//! flag), the county's rules, the what-if calculator, a project's introducer claim, and the form
//! for a platform's subsidy.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::Invalid;
use zhaoyin_core::incentive::{
    Claim, Fund, FundUse, IntroducerRule, PlatformKind, PlatformLevel, PlatformRule, Rules, Status,
    Step, Tier,
};

use super::{FormErrors, Pairs, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, Query, opt_date, opt_i64, req_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::incentives::{
    self as svc, AwardView, Basis, LedgerQuery, PlatformInput, ProjectClaim, RulesInput, RulesView,
    StepInput, WhatIf,
};
use crate::{AppError, AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incentives", get(ledger))
        .route("/incentives/awards.xlsx", get(workbook))
        .route("/incentives/awards/{id}", get(award))
        .route("/incentives/awards/{id}/steps", post(step))
        .route("/incentives/rules", get(rules).post(save_rules))
        .route("/incentives/what-if", get(what_if).post(what_if_posted))
        .route("/incentives/platforms", get(platform).post(platform_posted))
        .route("/incentives/excellent", get(excellent))
        .route("/incentives/excellent.xlsx", get(excellent_workbook))
        .route("/incentives/vetoes", post(veto))
        .route("/incentives/vetoes/{id}/delete", post(remove_veto))
        .route("/projects/{id}/introducer-award", get(claim).post(propose))
}

/// The download name of the ledger.
const FILE: &str = "attachment; filename=\"zhaoyin-awards.xlsx\"; \
     filename*=UTF-8''%E5%A5%96%E5%8A%B1%E5%8F%B0%E8%B4%A6.xlsx";

/// What an award is for, in words.
fn subject_text(t: &Tr, v: &AwardView) -> String {
    match &v.basis {
        Basis::Introducer { .. } => v.award.project_name.clone().unwrap_or_default(),
        Basis::Platform { platform, .. } => format!(
            "{}（{} · {}）",
            platform.name,
            t.label("incentive.platform_kind", platform.kind.id()),
            t.label("incentive.level", platform.level.id()),
        ),
    }
}

/// Why today's facts no longer support an award: the amount to claw back (paid) or no longer
/// due (not paid yet), and the reasons.
fn clawback_text(t: &Tr, v: &AwardView) -> String {
    let (key, c) = match (&v.clawback, &v.shortfall) {
        (Some(c), _) => ("incentive.clawback_of", c),
        (None, Some(c)) => ("incentive.shortfall_of", c),
        (None, None) => return String::new(),
    };
    let why: Vec<String> = c
        .bars
        .iter()
        .map(|b| t.label("incentive.bar", b.id()))
        .collect();
    let why = if why.is_empty() {
        t.t("incentive.lower_tier").to_string()
    } else {
        why.join("；")
    };
    t.tf(key, &[("amount", c.amount.to_string()), ("why", why)])
}

/// What an introducer's award counted and left out, and the tier it reached.
fn counted_text(t: &Tr, a: &zhaoyin_core::incentive::Award) -> String {
    let mut out = t.tf(
        "incentive.counted_text",
        &[
            ("counted", a.counted.to_string()),
            ("left_out", a.left_out.to_string()),
        ],
    );
    if let Some(x) = a.tier {
        out.push(' ');
        out.push_str(&t.tf(
            "incentive.tier_of",
            &[
                ("from", x.from.to_string()),
                ("reward", x.reward.to_string()),
            ],
        ));
    }
    out
}

fn notice_text(a: &zhaoyin_db::incentives::Award) -> String {
    match (a.notice_from, a.notice_until) {
        (Some(f), Some(u)) => format!("{f} — {u}"),
        _ => String::new(),
    }
}

// ------------------------------------------------------------------------------------ ledger

struct Line {
    v: AwardView,
    subject: String,
    clawback: String,
    notice: String,
}

#[derive(Template)]
#[template(path = "incentives/ledger.html")]
struct LedgerPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Line>,
    total: i64,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    year: String,
    flagged: bool,
    export: String,
    may_edit: bool,
}

fn query_string(q: &LedgerQuery) -> String {
    let mut pairs = Vec::new();
    if let Some(k) = &q.kind {
        pairs.push(("kind", k.clone()));
    }
    if let Some(s) = &q.status {
        pairs.push(("status", s.clone()));
    }
    if let Some(y) = q.year {
        pairs.push(("year", y.to_string()));
    }
    if q.flagged == Some(true) {
        pairs.push(("flagged", "true".into()));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The filter form's query: empty fields mean none.
fn ledger_query(pairs: Vec<(String, String)>) -> AppResult<LedgerQuery> {
    let p = Pairs(pairs);
    let text = |k: &str| Some(p.get(k).trim().to_string()).filter(|v| !v.is_empty());
    let mut e = Invalid::default();
    let year = opt_i64(&mut e, "year", &p.get("year"));
    e.into_result()?;
    Ok(LedgerQuery {
        kind: text("kind"),
        status: text("status"),
        year: year.map(|y| i32::try_from(y).unwrap_or(i32::MAX)),
        flagged: text("flagged").map(|_| true),
    })
}

async fn lines(st: &AppState, ctx: &Ctx, q: &LedgerQuery) -> AppResult<Vec<Line>> {
    let t = &ctx.t;
    Ok(svc::ledger(st, ctx.auth()?, q)
        .await?
        .into_iter()
        .map(|v| Line {
            subject: subject_text(t, &v),
            clawback: clawback_text(t, &v),
            notice: notice_text(&v.award),
            v,
        })
        .collect())
}

async fn ledger(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let q = ledger_query(pairs)?;
    let t = &ctx.t;
    let rows = lines(&st, &ctx, &q).await?;
    let may_edit = svc::kept_county(&st, ctx.auth()?).await?.is_some();
    let page = LedgerPage {
        t: ctx.t,
        page: render::chrome(&ctx, "incentive.title"),
        total: rows
            .iter()
            .filter(|l| l.v.award.status != Status::Rejected.id())
            .map(|l| l.v.award.amount)
            .sum(),
        rows,
        kinds: Choice::list(
            ["introducer", "platform"]
                .iter()
                .map(|k| (k.to_string(), t.label("incentive.kind", k))),
            q.kind.as_deref().unwrap_or(""),
        ),
        statuses: Choice::list(
            Status::ALL
                .iter()
                .map(|s| (s.id().to_string(), t.label("incentive.status", s.id()))),
            q.status.as_deref().unwrap_or(""),
        ),
        year: q.year.map(|y| y.to_string()).unwrap_or_default(),
        flagged: q.flagged == Some(true),
        export: query_string(&q),
        may_edit,
    };
    render::html(&page)
}

async fn workbook(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let q = ledger_query(pairs)?;
    let t = &ctx.t;
    let rows = lines(&st, &ctx, &q)
        .await?
        .into_iter()
        .map(|l| {
            let a = &l.v.award;
            vec![
                a.id.to_string(),
                t.label("incentive.kind", &a.kind),
                a.payee.clone(),
                l.subject,
                a.unit_name.clone().unwrap_or_default(),
                a.amount.to_string(),
                t.label("incentive.status", &a.status),
                l.notice.clone(),
                a.paid_on.map(|d| d.to_string()).unwrap_or_default(),
                a.reason.clone().unwrap_or_default(),
                l.clawback,
                t.datetime(&a.created_at),
            ]
        })
        .collect();
    let header = [
        "incentive.number",
        "incentive.kind_label",
        "incentive.payee",
        "incentive.subject",
        "incentive.unit",
        "incentive.amount",
        "incentive.status_label",
        "incentive.notice",
        "incentive.paid_on",
        "incentive.reason",
        "incentive.clawback",
        "incentive.proposed_at",
    ]
    .iter()
    .map(|k| t.t(k).to_string())
    .collect();
    let sheets = vec![zhaoyin_office::xlsx::Tabled {
        name: t.t("incentive.title").to_string(),
        title: t.t("incentive.title").to_string(),
        note: t.tf("incentive.as_of", &[("day", st.cfg.today().to_string())]),
        header,
        rows,
    }];
    render::tabled(sheets, FILE).await
}

// ------------------------------------------------------------------------------------- award

struct FundRow {
    amount: i64,
    verified: bool,
    used_for: String,
    fiscal: bool,
}

fn fund_rows(t: &Tr, claim: &Claim) -> Vec<FundRow> {
    claim
        .funds
        .iter()
        .map(|f| FundRow {
            amount: f.amount,
            verified: f.verified,
            used_for: t.label("progress.used_for", f.used_for.id()),
            fiscal: f.fiscal,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "incentives/award.html")]
struct AwardPage {
    t: Tr,
    page: Chrome,
    v: AwardView,
    subject: String,
    clawback: String,
    notice: String,
    /// Introducer: counted, left out and the tier reached, the claim's flags and funds, the
    /// table.
    counted: String,
    civil_servant: bool,
    in_production: bool,
    funds: Vec<FundRow>,
    tiers: Vec<Tier>,
    /// Platform: when it was approved.
    platform: String,
    steps: Vec<(String, String)>,
    errors: FormErrors,
}

async fn award_page(st: &AppState, ctx: &Ctx, id: i64, errors: FormErrors) -> AppResult<AwardPage> {
    let t = &ctx.t;
    let v = svc::get(st, ctx.auth()?, id).await?;
    let mut page = AwardPage {
        t: ctx.t,
        page: render::chrome(ctx, "incentive.award"),
        subject: subject_text(t, &v),
        clawback: clawback_text(t, &v),
        notice: notice_text(&v.award),
        counted: String::new(),
        civil_servant: false,
        in_production: false,
        funds: Vec::new(),
        tiers: Vec::new(),
        platform: String::new(),
        steps: v
            .steps
            .iter()
            .map(|s| (s.id().to_string(), t.label("incentive.step", s.id())))
            .collect(),
        errors,
        v: v.clone(),
    };
    match &v.basis {
        Basis::Introducer { rule, claim, award } => {
            page.counted = counted_text(t, award);
            page.civil_servant = claim.civil_servant;
            page.in_production = claim.in_production;
            page.funds = fund_rows(t, claim);
            page.tiers = rule.tiers.clone();
        }
        Basis::Platform { platform, .. } => {
            page.platform = t.tf(
                "incentive.platform_text",
                &[("approved_on", platform.approved_on.to_string())],
            );
        }
    }
    Ok(page)
}

async fn award(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&award_page(&st, &ctx, id, FormErrors::default()).await?)
}

async fn step(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let version = req_i64(&mut e, "version", &p.get("version"));
    let step = Step::parse(&p.get("step"));
    let r = match step {
        Some(step) if e.is_empty() => {
            svc::take_step(
                &st,
                &ctx,
                id,
                &StepInput {
                    step,
                    version,
                    reason: p.get("reason"),
                },
            )
            .await
        }
        _ if !e.is_empty() => Err(e.into()),
        _ => Err(AppError::invalid("step", "err.choice")),
    };
    match form_result(r, &ctx.t, &["reason"])? {
        Ok(_) => Ok(see_other(&format!("/incentives/awards/{id}"), "saved")),
        Err((code, errors)) => render::html_status(code, &award_page(&st, &ctx, id, errors).await?),
    }
}

// ------------------------------------------------------------------------------------- rules

struct TierRow {
    from: String,
    reward: String,
}

#[derive(Template)]
#[template(path = "incentives/rules.html")]
struct RulesPage {
    t: Tr,
    page: Chrome,
    /// The rules are the example, not yet saved.
    example: bool,
    may_edit: bool,
    version: String,
    tiers: Vec<TierRow>,
    national: String,
    provincial: String,
    municipal: String,
    notice_days: String,
    errors: FormErrors,
}

/// Rows for the tier table: those given and four empty ones for more.
fn tier_rows(tiers: &[(String, String)]) -> Vec<TierRow> {
    let mut rows: Vec<TierRow> = tiers
        .iter()
        .map(|(from, reward)| TierRow {
            from: from.clone(),
            reward: reward.clone(),
        })
        .collect();
    rows.extend((0..4).map(|_| TierRow {
        from: String::new(),
        reward: String::new(),
    }));
    rows
}

fn rules_page(ctx: &Ctx, v: &RulesView, shown: &Rules, errors: FormErrors) -> RulesPage {
    RulesPage {
        t: ctx.t,
        page: render::chrome(ctx, "incentive.rules"),
        example: v.rules.is_none(),
        may_edit: v.may_edit,
        version: v.version.map(|n| n.to_string()).unwrap_or_default(),
        tiers: tier_rows(
            &shown
                .introducer
                .tiers
                .iter()
                .map(|t| (t.from.to_string(), t.reward.to_string()))
                .collect::<Vec<_>>(),
        ),
        national: shown.platform.national.to_string(),
        provincial: shown.platform.provincial.to_string(),
        municipal: shown.platform.municipal.to_string(),
        notice_days: shown.notice_days.to_string(),
        errors,
    }
}

async fn rules(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let v = svc::rules(&st, ctx.auth()?).await?;
    let shown = v.rules.clone().unwrap_or_else(Rules::example);
    render::html(&rules_page(&ctx, &v, &shown, FormErrors::default()))
}

async fn save_rules(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    // Only the supervisor's form is read: anyone else is refused before its fields are.
    if svc::kept_county(&st, ctx.auth()?).await?.is_none() {
        return Err(AppError::Forbidden);
    }
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    // Rows left empty are not tiers.
    let froms = p.0.iter().filter(|(k, _)| k == "from").map(|(_, v)| v);
    let rewards = p.0.iter().filter(|(k, _)| k == "reward").map(|(_, v)| v);
    let typed: Vec<(String, String)> = froms
        .zip(rewards)
        .filter(|(f, r)| !(f.trim().is_empty() && r.trim().is_empty()))
        .map(|(f, r)| (f.trim().to_string(), r.trim().to_string()))
        .collect();
    let tiers: Vec<Tier> = typed
        .iter()
        .enumerate()
        .map(|(n, (f, r))| {
            let from = req_i64(&mut e, &format!("introducer.tiers[{n}].from"), f);
            let reward = req_i64(&mut e, &format!("introducer.tiers[{n}].reward"), r);
            Tier { from, reward }
        })
        .collect();
    let platform = PlatformRule {
        national: req_i64(&mut e, "platform.national", &p.get("national")),
        provincial: req_i64(&mut e, "platform.provincial", &p.get("provincial")),
        municipal: req_i64(&mut e, "platform.municipal", &p.get("municipal")),
    };
    let notice_days = req_i64(&mut e, "notice_days", &p.get("notice_days"));
    let version = p.get("version").trim().parse().ok();
    let input = RulesInput {
        rules: Rules {
            introducer: IntroducerRule { tiers },
            platform,
            notice_days,
        },
        version,
    };
    let r = if e.is_empty() {
        svc::save_rules(&st, &ctx, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, &[])? {
        Ok(_) => Ok(see_other("/incentives/rules", "saved")),
        Err((code, errors)) => {
            let v = svc::rules(&st, ctx.auth()?).await?;
            let mut page = rules_page(&ctx, &v, &input.rules, errors);
            page.tiers = tier_rows(&typed);
            page.national = p.get("national");
            page.provincial = p.get("provincial");
            page.municipal = p.get("municipal");
            page.notice_days = p.get("notice_days");
            render::html_status(code, &page)
        }
    }
}

// ----------------------------------------------------------------------------------- what-if

/// A fund row of the calculator, as typed.
#[derive(Default, Clone)]
struct FundForm {
    amount: String,
    verified: bool,
    used_for: String,
    fiscal: bool,
}

#[derive(Template)]
#[template(path = "incentives/what_if.html")]
struct WhatIfPage {
    t: Tr,
    page: Chrome,
    funds: Vec<FundForm>,
    uses: Vec<(String, String)>,
    civil_servant: bool,
    in_production: bool,
    result: Option<WhatIf>,
    heading: String,
    counted: String,
    bars: Vec<String>,
    errors: FormErrors,
}

const WHAT_IF_ROWS: usize = 5;

fn what_if_page(ctx: &Ctx, funds: Vec<FundForm>, claim: Option<&Claim>) -> WhatIfPage {
    let t = &ctx.t;
    WhatIfPage {
        t: ctx.t,
        page: render::chrome(ctx, "incentive.what_if"),
        funds,
        uses: FundUse::ALL
            .iter()
            .map(|u| (u.id().to_string(), t.label("progress.used_for", u.id())))
            .collect(),
        civil_servant: claim.is_some_and(|c| c.civil_servant),
        in_production: claim.is_none_or(|c| c.in_production),
        result: None,
        heading: String::new(),
        counted: String::new(),
        bars: Vec::new(),
        errors: FormErrors::default(),
    }
}

async fn what_if(ctx: Ctx) -> AppResult<Response> {
    ctx.auth()?;
    let rows = vec![
        FundForm {
            verified: true,
            used_for: FundUse::Investment.id().to_string(),
            ..Default::default()
        };
        WHAT_IF_ROWS
    ];
    render::html(&what_if_page(&ctx, rows, None))
}

async fn what_if_posted(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let rows: Vec<FundForm> = (0..WHAT_IF_ROWS)
        .map(|n| FundForm {
            amount: p.get(&format!("amount_{n}")),
            verified: p.has(&format!("verified_{n}")),
            used_for: p.get(&format!("used_for_{n}")),
            fiscal: p.has(&format!("fiscal_{n}")),
        })
        .collect();
    let mut funds = Vec::new();
    for (n, r) in rows.iter().enumerate() {
        if r.amount.trim().is_empty() {
            continue;
        }
        let amount = req_i64(&mut e, &format!("funds[{n}].amount"), &r.amount);
        let used_for = FundUse::parse(&r.used_for);
        if used_for.is_none() {
            e.push(zhaoyin_core::FieldError::new(
                format!("funds[{n}].used_for"),
                "err.choice",
            ));
        }
        if let Some(used_for) = used_for {
            funds.push(Fund {
                amount,
                verified: r.verified,
                used_for,
                fiscal: r.fiscal,
            });
        }
    }
    let claim = Claim {
        no_introducer: false,
        civil_servant: p.has("civil_servant"),
        in_production: p.has("in_production"),
        duplicate: false,
        funds,
    };
    let r = if e.is_empty() {
        svc::what_if(&st, ctx.auth()?, &claim).await
    } else {
        Err(e.into())
    };
    let mut page = what_if_page(&ctx, rows, Some(&claim));
    match form_result(r, &ctx.t, &[])? {
        Ok(w) => {
            page.bars = w
                .award
                .bars
                .iter()
                .map(|b| ctx.t.label("incentive.bar", b.id()))
                .collect();
            page.heading = ctx.t.tf(
                "incentive.what_if_reward",
                &[("reward", w.reward.to_string())],
            );
            page.counted = counted_text(&ctx.t, &w.award);
            page.result = Some(w);
            render::html(&page)
        }
        Err((code, errors)) => {
            page.errors = errors;
            render::html_status(code, &page)
        }
    }
}

// ------------------------------------------------------------------------- a project's claim

#[derive(Template)]
#[template(path = "incentives/claim.html")]
struct ClaimPage {
    t: Tr,
    page: Chrome,
    c: ProjectClaim,
    funds: Vec<FundRow>,
    bars: Vec<String>,
    counted: String,
    propose: String,
    errors: FormErrors,
}

async fn claim_page(st: &AppState, ctx: &Ctx, id: i64, errors: FormErrors) -> AppResult<ClaimPage> {
    let t = &ctx.t;
    let c = svc::project_claim(st, ctx.auth()?, id).await?;
    Ok(ClaimPage {
        t: ctx.t,
        page: render::chrome(ctx, "incentive.claim"),
        funds: fund_rows(t, &c.claim),
        bars: c
            .what_if
            .award
            .bars
            .iter()
            .map(|b| t.label("incentive.bar", b.id()))
            .collect(),
        counted: counted_text(t, &c.what_if.award),
        propose: t.tf(
            "incentive.propose",
            &[("reward", c.what_if.reward.to_string())],
        ),
        c,
        errors,
    })
}

async fn claim(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&claim_page(&st, &ctx, id, FormErrors::default()).await?)
}

async fn propose(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let r = svc::propose_introducer(&st, &ctx, id).await;
    match form_result(r, &ctx.t, &[])? {
        Ok(v) => Ok(see_other(
            &format!("/incentives/awards/{}", v.award.id),
            "created",
        )),
        Err((code, errors)) => render::html_status(code, &claim_page(&st, &ctx, id, errors).await?),
    }
}

// ---------------------------------------------------------------------------------- platform

#[derive(Default)]
struct PlatformForm {
    investor: String,
    name: String,
    kind: String,
    level: String,
    approved_on: String,
}

const PLATFORM_FIELDS: &[&str] = &["company_id", "name", "kind", "level", "approved_on"];

#[derive(Template)]
#[template(path = "incentives/platform.html")]
struct PlatformPage {
    t: Tr,
    page: Chrome,
    f: PlatformForm,
    kinds: Vec<Choice>,
    levels: Vec<Choice>,
    errors: FormErrors,
}

fn platform_page(ctx: &Ctx, f: PlatformForm, errors: FormErrors) -> PlatformPage {
    let t = &ctx.t;
    PlatformPage {
        t: ctx.t,
        page: render::chrome(ctx, "incentive.new_platform"),
        kinds: Choice::list(
            PlatformKind::ALL.iter().map(|k| {
                (
                    k.id().to_string(),
                    t.label("incentive.platform_kind", k.id()),
                )
            }),
            &f.kind,
        ),
        levels: Choice::list(
            PlatformLevel::ALL
                .iter()
                .map(|l| (l.id().to_string(), t.label("incentive.level", l.id()))),
            &f.level,
        ),
        f,
        errors,
    }
}

async fn platform(ctx: Ctx) -> AppResult<Response> {
    ctx.auth()?;
    render::html(&platform_page(
        &ctx,
        PlatformForm::default(),
        FormErrors::default(),
    ))
}

async fn platform_posted(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let f = PlatformForm {
        investor: p.get("investor"),
        name: p.get("name"),
        kind: p.get("kind"),
        level: p.get("level"),
        approved_on: p.get("approved_on"),
    };
    let auth = ctx.auth()?;
    let mut e = Invalid::default();
    let company_id = super::company_named(&st, auth, &f.investor, &mut e).await?;
    let kind = PlatformKind::parse(&f.kind);
    if kind.is_none() {
        e.push(zhaoyin_core::FieldError::new("kind", "err.choice"));
    }
    let level = PlatformLevel::parse(&f.level);
    if level.is_none() {
        e.push(zhaoyin_core::FieldError::new("level", "err.choice"));
    }
    let approved_on = opt_date(&mut e, "approved_on", &f.approved_on);
    if approved_on.is_none() && f.approved_on.trim().is_empty() {
        e.push(zhaoyin_core::FieldError::new("approved_on", "err.required"));
    }
    let r = match (company_id, kind, level, approved_on) {
        (Some(company_id), Some(kind), Some(level), Some(approved_on)) if e.is_empty() => {
            svc::propose_platform(
                &st,
                &ctx,
                &PlatformInput {
                    company_id,
                    name: f.name.clone(),
                    kind,
                    level,
                    approved_on,
                },
            )
            .await
        }
        _ => Err(e.into()),
    };
    match form_result(r, &ctx.t, PLATFORM_FIELDS)? {
        Ok(v) => Ok(see_other(
            &format!("/incentives/awards/{}", v.award.id),
            "created",
        )),
        Err((code, errors)) => render::html_status(code, &platform_page(&ctx, f, errors)),
    }
}

// --------------------------------------------------------------------- the "excellent" grade

struct EligibleRow {
    e: svc::Eligibility,
    /// Each piece of evidence: its link and its text.
    evidence: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "incentives/excellent.html")]
struct ExcellentPage {
    t: Tr,
    page: Chrome,
    year: i64,
    rows: Vec<EligibleRow>,
    may_edit: bool,
    units: Vec<Choice>,
    reason: String,
    errors: FormErrors,
}

/// The year asked for, else this year.
fn year_of(st: &AppState, pairs: Vec<(String, String)>) -> AppResult<i64> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let year = opt_i64(&mut e, "year", &p.get("year"));
    e.into_result()?;
    Ok(year.unwrap_or_else(|| i64::from(chrono::Datelike::year(&st.cfg.today()))))
}

fn evidence_lines(t: &Tr, e: &svc::Eligibility) -> Vec<(String, String)> {
    e.evidence
        .iter()
        .map(|x| {
            let href = match (x.project_id, x.talent_id) {
                (Some(p), _) => format!("/projects/{p}"),
                (None, Some(id)) => format!("/talents/{id}"),
                (None, None) => String::new(),
            };
            let merits: Vec<String> = x
                .merits
                .iter()
                .map(|m| t.label("incentive.merit", m.id()))
                .collect();
            (href, format!("{}（{}）", x.name, merits.join("、")))
        })
        .collect()
}

async fn excellent_page(
    st: &AppState,
    ctx: &Ctx,
    year: i64,
    reason: String,
    errors: FormErrors,
) -> AppResult<ExcellentPage> {
    let auth = ctx.auth()?;
    let t = &ctx.t;
    let v = svc::excellent(st, auth, year).await?;
    let units = match (v.may_edit, svc::kept_county(st, auth).await?) {
        (true, Some(county)) => {
            let ids: Vec<i64> = zhaoyin_db::assessments::units_of(&st.db, county)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let names = zhaoyin_db::org::unit_names(&st.db, &ids).await?;
            Choice::list(
                ids.iter()
                    .map(|id| (id.to_string(), names.get(id).cloned().unwrap_or_default())),
                "",
            )
        }
        _ => Vec::new(),
    };
    Ok(ExcellentPage {
        t: ctx.t,
        page: render::chrome(ctx, "incentive.excellent"),
        year: v.year,
        rows: v
            .units
            .into_iter()
            .map(|e| EligibleRow {
                evidence: evidence_lines(t, &e),
                e,
            })
            .collect(),
        may_edit: v.may_edit,
        units,
        reason,
        errors,
    })
}

async fn excellent(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let year = year_of(&st, pairs)?;
    render::html(&excellent_page(&st, &ctx, year, String::new(), FormErrors::default()).await?)
}

async fn excellent_workbook(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let year = year_of(&st, pairs)?;
    let t = &ctx.t;
    let v = svc::excellent(&st, ctx.auth()?, year).await?;
    let rows = v
        .units
        .iter()
        .map(|e| {
            vec![
                e.unit_name.clone(),
                evidence_lines(t, e)
                    .into_iter()
                    .map(|(_, text)| text)
                    .collect::<Vec<_>>()
                    .join("；"),
                e.veto
                    .as_ref()
                    .map(|x| x.reason.clone())
                    .unwrap_or_default(),
                t.t(if e.eligible {
                    "common.yes"
                } else {
                    "common.no"
                })
                .to_string(),
            ]
        })
        .collect();
    let header = [
        "incentive.unit",
        "incentive.evidence",
        "incentive.veto",
        "incentive.eligible",
    ]
    .iter()
    .map(|k| t.t(k).to_string())
    .collect();
    let title = t.tf("incentive.excellent_of", &[("year", year.to_string())]);
    let sheets = vec![zhaoyin_office::xlsx::Tabled {
        name: year.to_string(),
        title,
        note: t.t("incentive.excellent_intro").to_string(),
        header,
        rows,
    }];
    render::tabled(sheets, EXCELLENT_FILE).await
}

/// The download name of the year's list.
const EXCELLENT_FILE: &str = "attachment; filename=\"zhaoyin-excellent.xlsx\"; \
     filename*=UTF-8''%E4%BC%98%E7%A7%80%E7%AD%89%E6%AC%A1.xlsx";

async fn veto(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let unit_id = req_i64(&mut e, "unit_id", &p.get("unit_id"));
    let year = req_i64(&mut e, "year", &p.get("year"));
    let reason = p.get("reason");
    let r = if e.is_empty() {
        svc::add_veto(
            &st,
            &ctx,
            &svc::VetoInput {
                unit_id,
                year,
                reason: reason.clone(),
            },
        )
        .await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, &["unit_id", "reason"])? {
        Ok(_) => Ok(see_other(
            &format!("/incentives/excellent?year={year}"),
            "saved",
        )),
        Err((code, errors)) => render::html_status(
            code,
            &excellent_page(&st, &ctx, year, reason, errors).await?,
        ),
    }
}

async fn remove_veto(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let v = svc::remove_veto(&st, &ctx, id).await?;
    Ok(see_other(
        &format!("/incentives/excellent?year={}", v.year),
        "saved",
    ))
}
