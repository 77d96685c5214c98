//! Financing screens (融资): the year's new loans against the year before's and the growth
//! target, by kind and by bank, with the form that records one and the list as Excel; projects
//! recommended to banks and funds, recommended from a project's page, with their outcomes.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::Invalid;
use zhaoyin_core::financing::{Institution, LoanInput, LoanKind, OutcomeInput, ReferralInput};

use super::{FormErrors, Pairs, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, Query, opt_date, opt_i64, req_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::financing::{self as svc, LoansView, ReferralsView};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/financing", get(loans).post(add_loan))
        .route("/financing/loans.xlsx", get(workbook))
        .route("/financing/loans/{id}/delete", post(remove_loan))
        .route("/financing/referrals", get(referrals).post(add_referral))
        .route("/financing/referrals/{id}/outcome", post(decide))
}

const LOANS_FILE: &str = "attachment; filename=\"zhaoyin-loans.xlsx\"; \
     filename*=UTF-8''%E6%96%B0%E5%A2%9E%E8%B4%B7%E6%AC%BE.xlsx";

fn year_of(pairs: Vec<(String, String)>) -> AppResult<Option<i64>> {
    let mut e = Invalid::default();
    let year = opt_i64(&mut e, "year", &Pairs(pairs).get("year"));
    e.into_result()?;
    Ok(year)
}

// ------------------------------------------------------------------------------------- loans

#[derive(Default)]
struct LoanForm {
    investor: String,
    bank: String,
    kind: String,
    granted_on: String,
    amount: String,
    note: String,
}

const LOAN_FIELDS: &[&str] = &["company_id", "bank", "kind", "granted_on", "amount", "note"];

#[derive(Template)]
#[template(path = "financing/loans.html")]
struct LoansPage {
    t: Tr,
    page: Chrome,
    v: LoansView,
    growth: String,
    kinds: Vec<Choice>,
    f: LoanForm,
    errors: FormErrors,
}

fn growth_text(t: &Tr, v: &LoansView) -> String {
    match (v.growth.percent, v.growth.met) {
        (Some(p), Some(met)) => t.tf(
            if met {
                "financing.growth_met"
            } else {
                "financing.growth_missed"
            },
            &[
                ("percent", p.normalize().to_string()),
                ("target", v.target_percent.to_string()),
            ],
        ),
        _ => t.t("financing.growth_none").to_string(),
    }
}

async fn loans_page(
    st: &AppState,
    ctx: &Ctx,
    year: Option<i64>,
    f: LoanForm,
    errors: FormErrors,
) -> AppResult<LoansPage> {
    let t = &ctx.t;
    let v = svc::loans(st, ctx.auth()?, year).await?;
    Ok(LoansPage {
        t: ctx.t,
        page: render::chrome(ctx, "financing.title"),
        growth: growth_text(t, &v),
        kinds: Choice::list(
            LoanKind::ALL
                .iter()
                .map(|k| (k.id().to_string(), t.label("financing.kind", k.id()))),
            &f.kind,
        ),
        v,
        f,
        errors,
    })
}

async fn loans(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let year = year_of(pairs)?;
    let f = LoanForm {
        granted_on: st.cfg.today().to_string(),
        ..Default::default()
    };
    render::html(&loans_page(&st, &ctx, year, f, FormErrors::default()).await?)
}

async fn add_loan(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let f = LoanForm {
        investor: p.get("investor"),
        bank: p.get("bank"),
        kind: p.get("kind"),
        granted_on: p.get("granted_on"),
        amount: p.get("amount"),
        note: p.get("note"),
    };
    let auth = ctx.auth()?;
    let mut e = Invalid::default();
    let company = super::company_named(&st, auth, &f.investor, &mut e).await?;
    let input = LoanInput {
        company_id: company.unwrap_or(0),
        bank: f.bank.clone(),
        kind: f.kind.clone(),
        granted_on: opt_date(&mut e, "granted_on", &f.granted_on),
        amount: opt_i64(&mut e, "amount", &f.amount),
        note: f.note.clone(),
    };
    let r = if e.is_empty() {
        svc::add_loan(&st, &ctx, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, LOAN_FIELDS)? {
        Ok(l) => Ok(see_other(
            &format!("/financing?year={}", chrono::Datelike::year(&l.granted_on)),
            "saved",
        )),
        Err((code, errors)) => {
            render::html_status(code, &loans_page(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn remove_loan(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    svc::remove_loan(&st, &ctx, id).await?;
    Ok(see_other("/financing", "saved"))
}

async fn workbook(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let t = &ctx.t;
    let v = svc::loans(&st, ctx.auth()?, year_of(pairs)?).await?;
    let header = [
        "financing.granted_on",
        "financing.company",
        "financing.bank",
        "financing.kind_label",
        "financing.amount",
        "financing.unit",
        "financing.note",
    ]
    .iter()
    .map(|k| t.t(k).to_string())
    .collect();
    let rows = v
        .loans
        .iter()
        .map(|l| {
            vec![
                l.granted_on.to_string(),
                l.company_name.clone(),
                l.bank.clone(),
                t.label("financing.kind", &l.kind),
                l.amount.to_string(),
                l.unit_name.clone(),
                l.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let sheets = vec![zhaoyin_office::xlsx::Tabled {
        name: v.year.to_string(),
        title: t.tf("financing.loans_of", &[("year", v.year.to_string())]),
        note: growth_text(t, &v),
        header,
        rows,
    }];
    render::tabled(sheets, LOANS_FILE).await
}

// --------------------------------------------------------------------------------- referrals

#[derive(Template)]
#[template(path = "financing/referrals.html")]
struct ReferralsPage {
    t: Tr,
    page: Chrome,
    v: ReferralsView,
    /// The project a new recommendation is for (from its page), with its name.
    project: Option<(i64, String)>,
    institutions: Vec<Choice>,
    today: String,
    errors: FormErrors,
}

async fn referrals_page(
    st: &AppState,
    ctx: &Ctx,
    year: Option<i64>,
    project: Option<i64>,
    errors: FormErrors,
) -> AppResult<ReferralsPage> {
    let t = &ctx.t;
    let auth = ctx.auth()?;
    let project = match project {
        Some(id) => {
            let p = crate::service::projects::get(st, auth, id).await?;
            Some((id, p.name))
        }
        None => None,
    };
    Ok(ReferralsPage {
        t: ctx.t,
        page: render::chrome(ctx, "financing.referrals"),
        v: svc::referrals(st, auth, year).await?,
        project,
        institutions: Choice::list(
            Institution::ALL
                .iter()
                .map(|k| (k.id().to_string(), t.label("financing.institution", k.id()))),
            "",
        ),
        today: st.cfg.today().to_string(),
        errors,
    })
}

async fn referrals(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let project = opt_i64(
        &mut e,
        "project_id",
        &Pairs(pairs.clone()).get("project_id"),
    );
    e.into_result()?;
    let year = year_of(pairs)?;
    render::html(&referrals_page(&st, &ctx, year, project, FormErrors::default()).await?)
}

async fn add_referral(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let project_id = req_i64(&mut e, "project_id", &p.get("project_id"));
    let input = ReferralInput {
        project_id,
        institution: p.get("institution"),
        institution_kind: p.get("institution_kind"),
        referred_on: opt_date(&mut e, "referred_on", &p.get("referred_on")),
        sought: opt_i64(&mut e, "sought", &p.get("sought")),
        note: p.get("note"),
    };
    let r = if e.is_empty() {
        svc::add_referral(&st, &ctx, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, &[])? {
        Ok(_) => Ok(see_other("/financing/referrals", "saved")),
        Err((code, errors)) => render::html_status(
            code,
            &referrals_page(&st, &ctx, None, Some(project_id), errors).await?,
        ),
    }
}

async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let input = OutcomeInput {
        outcome: p.get("outcome"),
        financed: opt_i64(&mut e, "financed", &p.get("financed")),
        decided_on: opt_date(&mut e, "decided_on", &p.get("decided_on")),
        reason: p.get("reason"),
        version: req_i64(&mut e, "version", &p.get("version")),
    };
    let r = if e.is_empty() {
        svc::decide(&st, &ctx, id, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, &[])? {
        Ok(_) => Ok(see_other("/financing/referrals", "saved")),
        Err((code, errors)) => {
            render::html_status(code, &referrals_page(&st, &ctx, None, None, errors).await?)
        }
    }
}
