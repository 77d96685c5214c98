//! Land-efficiency screens (亩产效益评价): a year's class list with the year before's classes and
//! the import of a year's figures from Excel, the rules, and an enterprise's trend.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::get;
use rust_decimal::Decimal;
use zhaoyin_core::Invalid;
use zhaoyin_core::land::{Class, Metric, Rules};

use super::{FormErrors, Pairs, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, MultipartForm, Query, opt_i64, req_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::land::{self as svc, Line, RulesInput, Trend, YearView};
use crate::{AppError, AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/land", get(list).post(import))
        .route("/land/template.xlsx", get(template))
        .route("/land/classes.xlsx", get(workbook))
        .route("/land/rules", get(rules).post(save_rules))
        .route("/land/companies/{id}", get(company))
}

fn metric_names(t: &Tr, lines: &[Line]) -> Vec<String> {
    lines
        .first()
        .map(|l| {
            l.metrics
                .iter()
                .map(|m| t.label("land.metric", m.metric.key()))
                .collect()
        })
        .unwrap_or_default()
}

// -------------------------------------------------------------------------------------- list

struct ClassCount {
    class: String,
    count: usize,
    policy: String,
}

/// A line of the list as shown.
struct Row {
    l: Line,
    class: String,
    last: Option<String>,
    values: Vec<String>,
}

#[derive(Template)]
#[template(path = "land/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    v: YearView,
    years: Vec<Choice>,
    metrics: Vec<String>,
    rows: Vec<Row>,
    classes: Vec<ClassCount>,
    import_year: String,
    errors: FormErrors,
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    year: Option<i64>,
    errors: FormErrors,
) -> AppResult<ListPage> {
    let t = &ctx.t;
    let v = svc::evaluation(st, ctx.auth()?, year).await?;
    let classes = Class::ALL
        .iter()
        .map(|c| ClassCount {
            class: c.id().to_string(),
            count: v.counts.get(c).copied().unwrap_or(0),
            policy: v.policies.get(c).cloned().unwrap_or_default(),
        })
        .collect();
    let last_year = i64::from(chrono::Datelike::year(&st.cfg.today())) - 1;
    Ok(ListPage {
        t: ctx.t,
        page: render::chrome(ctx, "land.title"),
        metrics: metric_names(t, &v.lines),
        years: Choice::list(
            v.years.iter().map(|y| (y.to_string(), y.to_string())),
            &v.year.map(|y| y.to_string()).unwrap_or_default(),
        ),
        rows: v
            .lines
            .iter()
            .map(|l| Row {
                class: l.class.id().to_string(),
                last: l.last_class.map(|c| c.id().to_string()),
                values: svc::metric_values(&l.metrics),
                l: l.clone(),
            })
            .collect(),
        classes,
        import_year: last_year.to_string(),
        v,
        errors,
    })
}

fn year_of(pairs: Vec<(String, String)>) -> AppResult<Option<i64>> {
    let mut e = Invalid::default();
    let year = opt_i64(&mut e, "year", &Pairs(pairs).get("year"));
    e.into_result()?;
    Ok(year)
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let year = year_of(pairs)?;
    render::html(&list_page(&st, &ctx, year, FormErrors::default()).await?)
}

async fn import(State(st): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    let mut form = MultipartForm::read(mp).await?;
    let mut e = Invalid::default();
    let year = req_i64(&mut e, "year", &form.text("year"));
    let file = form.take_files("file").into_iter().next();
    let r = match (e.is_empty(), file) {
        (true, Some(file)) => svc::import(&st, &ctx, year, &file.data).await,
        (true, None) => Err(AppError::invalid("file", "err.required")),
        (false, _) => Err(e.into()),
    };
    match form_result(r, &ctx.t, &["year", "file"])? {
        Ok(done) => Ok(see_other(&format!("/land?year={}", done.year), "saved")),
        Err((code, errors)) => {
            render::html_status(code, &list_page(&st, &ctx, None, errors).await?)
        }
    }
}

async fn template(ctx: Ctx) -> AppResult<Response> {
    ctx.auth()?;
    Ok(render::xlsx(svc::template(&ctx.t)?, TEMPLATE_FILE))
}

const TEMPLATE_FILE: &str = "attachment; filename=\"zhaoyin-land.xlsx\"; \
     filename*=UTF-8''%E4%BA%A9%E4%BA%A7%E6%95%88%E7%9B%8A%E6%95%B0%E6%8D%AE.xlsx";
const CLASSES_FILE: &str = "attachment; filename=\"zhaoyin-land-classes.xlsx\"; \
     filename*=UTF-8''%E4%BA%A9%E4%BA%A7%E6%95%88%E7%9B%8A%E5%88%86%E7%B1%BB.xlsx";

async fn workbook(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let t = &ctx.t;
    let v = svc::evaluation(&st, ctx.auth()?, year_of(pairs)?).await?;
    let mut header: Vec<String> = [
        "land.rank",
        "land.enterprise",
        "land.score",
        "land.class_label",
        "land.last_class",
    ]
    .iter()
    .map(|k| t.t(k).to_string())
    .collect();
    header.extend(metric_names(t, &v.lines));
    let year = v.year.map(|y| y.to_string()).unwrap_or_default();
    let sheets = vec![zhaoyin_office::xlsx::Tabled {
        name: v
            .year
            .map(|y| y.to_string())
            .unwrap_or_else(|| t.t("land.sheet").to_string()),
        title: t.tf("land.classes_of", &[("year", year)]),
        note: t.t("land.intro").to_string(),
        header,
        rows: v.lines.iter().map(|l| svc::line_cells(t, l)).collect(),
    }];
    render::tabled(sheets, CLASSES_FILE).await
}

// ------------------------------------------------------------------------------------- rules

struct MetricRow {
    key: String,
    name: String,
    weight: String,
    benchmark: String,
}

#[derive(Template)]
#[template(path = "land/rules.html")]
struct RulesPage {
    t: Tr,
    page: Chrome,
    example: bool,
    may_edit: bool,
    version: String,
    metrics: Vec<MetricRow>,
    cap: String,
    a: String,
    b: String,
    c: String,
    policies: Vec<(String, String)>,
    errors: FormErrors,
}

fn num(d: Option<&Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

fn rules_page(ctx: &Ctx, v: &svc::RulesView, shown: &Rules, errors: FormErrors) -> RulesPage {
    RulesPage {
        t: ctx.t,
        page: render::chrome(ctx, "land.rules"),
        example: v.rules.is_none(),
        may_edit: v.may_edit,
        version: v.version.map(|n| n.to_string()).unwrap_or_default(),
        metrics: Metric::ALL
            .iter()
            .map(|m| MetricRow {
                key: m.key().to_string(),
                name: ctx.t.label("land.metric", m.key()),
                weight: num(shown.weights.get(m)),
                benchmark: num(shown.benchmarks.get(m)),
            })
            .collect(),
        cap: num(Some(&shown.cap)),
        a: num(Some(&shown.a)),
        b: num(Some(&shown.b)),
        c: num(Some(&shown.c)),
        policies: Class::ALL
            .iter()
            .map(|c| {
                (
                    c.id().to_string(),
                    shown.policies.get(c).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        errors,
    }
}

async fn rules(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let v = svc::rules(&st, ctx.auth()?).await?;
    let shown = v.rules.clone().unwrap_or_default();
    render::html(&rules_page(&ctx, &v, &shown, FormErrors::default()))
}

async fn save_rules(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = svc::rules(&st, ctx.auth()?).await?;
    if !v.may_edit {
        return Err(AppError::Forbidden);
    }
    let p = Pairs(pairs);
    let mut e = Invalid::default();
    let decimal = |e: &mut Invalid, field: String, text: &str| -> Option<Decimal> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let d = text.parse().ok();
        if d.is_none() {
            e.push(zhaoyin_core::FieldError::new(field, "err.decimal"));
        }
        d
    };
    let mut rules = Rules {
        weights: Default::default(),
        benchmarks: Default::default(),
        ..Rules::default()
    };
    for m in Metric::ALL {
        let k = m.key();
        // An indicator without a weight is not scored.
        if let Some(w) = decimal(
            &mut e,
            format!("weights.{k}"),
            &p.get(&format!("weight_{k}")),
        ) {
            rules.weights.insert(m, w);
        }
        if let Some(b) = decimal(
            &mut e,
            format!("benchmarks.{k}"),
            &p.get(&format!("benchmark_{k}")),
        ) {
            rules.benchmarks.insert(m, b);
        }
    }
    for (field, slot) in [
        ("cap", &mut rules.cap),
        ("a", &mut rules.a),
        ("b", &mut rules.b),
        ("c", &mut rules.c),
    ] {
        match decimal(&mut e, field.to_string(), &p.get(field)) {
            Some(d) => *slot = d,
            None => e.push(zhaoyin_core::FieldError::new(field, "err.required")),
        }
    }
    for c in Class::ALL {
        let text = p.get(&format!("policy_{}", c.id()));
        rules.policies.insert(c, text.trim().to_string());
    }
    let input = RulesInput {
        rules,
        version: p.get("version").trim().parse().ok(),
    };
    let r = if e.is_empty() {
        svc::save_rules(&st, &ctx, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, &[])? {
        Ok(_) => Ok(see_other("/land/rules", "saved")),
        Err((code, errors)) => {
            render::html_status(code, &rules_page(&ctx, &v, &input.rules, errors))
        }
    }
}

// ----------------------------------------------------------------------------------- company

#[derive(Template)]
#[template(path = "land/company.html")]
struct CompanyPage {
    t: Tr,
    page: Chrome,
    trend: Trend,
    metrics: Vec<String>,
    /// Per year: the class's id, and the metric values.
    rows: Vec<(String, Vec<String>)>,
}

async fn company(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let t = &ctx.t;
    let trend = svc::trend(&st, ctx.auth()?, id).await?;
    let metrics = trend
        .points
        .first()
        .map(|p| {
            p.metrics
                .iter()
                .map(|m| t.label("land.metric", m.metric.key()))
                .collect()
        })
        .unwrap_or_default();
    let rows = trend
        .points
        .iter()
        .map(|p| (p.class.id().to_string(), svc::metric_values(&p.metrics)))
        .collect();
    render::html(&CompanyPage {
        t: ctx.t,
        page: render::chrome(&ctx, "land.trend"),
        trend,
        metrics,
        rows,
    })
}
