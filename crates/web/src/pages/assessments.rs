//! Assessment screens (考核): the county's schemes (a new one starts from the example with the
//! county's units in their groups); a scheme's rules, its runs and the form that computes a
//! period; a run's ranking group by group — each figure linked to the list or the rows behind
//! it, red and black lists, hand scores, publication, the recomputation check, appeals and
//! their decisions — and the ranking as a workbook.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use rust_decimal::Decimal;
use serde::Serialize;
use zhaoyin_core::Invalid;
use zhaoyin_core::assessment::{Cause, Deducted, Indicator, Method, Score, Version};
use zhaoyin_core::authz::Entity;
use zhaoyin_db::assessments::Scheme;

use super::{FormErrors, Pairs, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, req_decimal, req_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome};
use crate::service::assessments::{
    self as svc, AppealDecision, AppealInput, Behind, ComputeInput, HandScoreInput, RunEdit,
    RunView, SchemeView,
};
use crate::service::scheme_sheet;
use crate::{AppError, AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(list).post(create))
        .route("/assessments/{id}", get(scheme))
        .route("/assessments/{id}/runs", post(compute))
        .route(
            "/assessments/{id}/scheme.xlsx",
            get(scheme_workbook).post(scheme_upload),
        )
        .route("/assessment-runs/{id}", get(run))
        .route("/assessment-runs/{id}/ranking.xlsx", get(workbook))
        .route("/assessment-runs/{id}/publish", post(publish))
        .route("/assessment-runs/{id}/hand-scores", post(hand_score))
        .route("/assessment-runs/{id}/appeals", post(appeal))
        .route("/assessment-runs/{id}/exemptions", post(exempt))
        .route("/assessment-appeals/{id}/decision", post(decide))
}

/// A value's serde name (`trips_out`, `quarter`): the key of its label in `locales/`.
fn id_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A decimal as people write it: no trailing zeros.
fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "assessments/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Scheme>,
    can_create: bool,
    name: String,
    errors: FormErrors,
}

async fn list_page(
    st: &AppState,
    ctx: &Ctx,
    name: String,
    errors: FormErrors,
) -> AppResult<ListPage> {
    let auth = ctx.auth()?;
    Ok(ListPage {
        t: ctx.t,
        page: render::chrome(ctx, "assessment.title"),
        rows: svc::list(st, auth).await?,
        can_create: svc::supervised_county(st, auth).await?.is_some(),
        name,
        errors,
    })
}

async fn list(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let name = ctx.t.t("assessment.example_name").to_string();
    render::html(&list_page(&st, &ctx, name, FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let name = Pairs(pairs).get("name");
    let r = svc::create_example(&st, &ctx, &name).await;
    match form_result(r, &ctx.t, &["name"])? {
        Ok(v) => Ok(see_other(
            &format!("/assessments/{}", v.scheme.id),
            "created",
        )),
        Err((code, errors)) => {
            render::html_status(code, &list_page(&st, &ctx, name, errors).await?)
        }
    }
}

// ------------------------------------------------------------------------------------ scheme

/// An indicator as the rules table shows it.
struct IndicatorRule {
    name: String,
    source: String,
    weight: String,
    method: String,
}

struct GroupRules {
    name: String,
    multiplier: String,
    members: String,
    indicators: Vec<IndicatorRule>,
}

/// How an indicator scores, in words.
fn method_text(t: &Tr, i: &Indicator) -> String {
    let better = t.label("assessment.direction", &id_of(&i.direction));
    match &i.method {
        Method::Linear { target, zero } => t.tf(
            "assessment.method_linear",
            &[("target", num(*target)), ("zero", num(*zero))],
        ),
        Method::Rank { step, floor } => t.tf(
            "assessment.method_rank",
            &[
                ("step", num(*step * Decimal::ONE_HUNDRED)),
                ("floor", num(*floor * Decimal::ONE_HUNDRED)),
            ],
        ),
        Method::Threshold { bands } => {
            let bands: Vec<String> = bands
                .iter()
                .map(|b| {
                    t.tf(
                        "assessment.band",
                        &[
                            ("at", num(b.at)),
                            ("share", num(b.share * Decimal::ONE_HUNDRED)),
                        ],
                    )
                })
                .collect();
            t.tf(
                "assessment.method_threshold",
                &[("bands", bands.join("；")), ("better", better)],
            )
        }
        Method::Points { per } => t.tf("assessment.method_points", &[("per", num(*per))]),
        Method::Manual => t.t("assessment.method_manual").to_string(),
    }
}

fn rules(t: &Tr, v: &Version, names: &HashMap<i64, String>) -> Vec<GroupRules> {
    v.scheme
        .groups
        .iter()
        .map(|g| GroupRules {
            name: g.name.clone(),
            multiplier: num(g.multiplier),
            members: v
                .members
                .get(&g.key)
                .into_iter()
                .flatten()
                .map(|u| names.get(u).cloned().unwrap_or_else(|| u.to_string()))
                .collect::<Vec<_>>()
                .join("、"),
            indicators: g
                .indicators
                .iter()
                .map(|i| IndicatorRule {
                    name: i.name.clone(),
                    source: match i.measure {
                        Some(m) => t.label("assessment.measure", &id_of(&m)),
                        None => t.t("assessment.by_hand").to_string(),
                    },
                    weight: num(i.weight),
                    method: method_text(t, i),
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "assessments/scheme.html")]
struct SchemePage {
    t: Tr,
    page: Chrome,
    v: SchemeView,
    groups: Vec<GroupRules>,
    deductions: Vec<String>,
    period_kind: String,
    period: String,
    /// The period kinds, for the edit form.
    period_choices: Vec<(String, String)>,
    errors: FormErrors,
}

async fn scheme_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    period: Option<String>,
    errors: FormErrors,
) -> AppResult<SchemePage> {
    let auth = ctx.auth()?;
    let v = svc::get(st, auth, id).await?;
    let t = &ctx.t;
    let ids: Vec<i64> = v.body.members.values().flatten().copied().collect();
    let names = zhaoyin_db::org::unit_names(&st.db, &ids).await?;
    let deductions = v
        .body
        .scheme
        .deductions
        .iter()
        .map(|d| {
            let cap = d
                .cap
                .map(|c| t.tf("assessment.cap", &[("cap", num(c))]))
                .unwrap_or_default();
            t.tf(
                "assessment.deduction",
                &[
                    ("cause", t.label("assessment.cause", &id_of(&d.cause))),
                    ("points", num(d.points)),
                    ("cap", cap),
                ],
            )
        })
        .collect();
    let today = st.cfg.today();
    let period = period.unwrap_or_else(|| svc::last_complete(v.body.scheme.period, today));
    Ok(SchemePage {
        t: ctx.t,
        page: render::chrome(ctx, "assessment.scheme"),
        groups: rules(t, &v.body, &names),
        deductions,
        period_kind: t.label("assessment.period", &id_of(&v.body.scheme.period)),
        period_choices: ["month", "quarter", "year"]
            .iter()
            .map(|k| (k.to_string(), t.label("assessment.period", k)))
            .collect(),
        period,
        v,
        errors,
    })
}

async fn scheme(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&scheme_page(&st, &ctx, id, None, FormErrors::default()).await?)
}

async fn compute(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let period = Pairs(pairs).get("period");
    let r = svc::compute(
        &st,
        &ctx,
        id,
        &ComputeInput {
            period: period.clone(),
        },
    )
    .await;
    match form_result(r, &ctx.t, &["period"])? {
        Ok(v) => Ok(see_other(
            &format!("/assessment-runs/{}", v.run.id),
            "saved",
        )),
        Err((code, errors)) => render::html_status(
            code,
            &scheme_page(&st, &ctx, id, Some(period), errors).await?,
        ),
    }
}

async fn scheme_workbook(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    Ok(render::xlsx(
        scheme_sheet::workbook(&st, &ctx, id).await?,
        scheme_sheet::FILE,
    ))
}

/// An edited workbook (with the name, period and lists of the form) becomes the next version;
/// refused, the scheme's page lists every problem by sheet, row and column.
async fn scheme_upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let mut form = crate::form::MultipartForm::read(mp).await?;
    let mut e = Invalid::default();
    let upload = scheme_sheet::Upload {
        version: req_i64(&mut e, "version", &form.text("version")),
        name: form.text("name"),
        period: form.text("period"),
        listed: form.text("listed"),
    };
    let file = form.take_files("file").into_iter().next();
    let r = match (e.is_empty(), file) {
        (true, Some(file)) => scheme_sheet::upload(&st, &ctx, id, &upload, &file.data)
            .await
            .map(|_| ()),
        (true, None) => Err(AppError::invalid("file", "err.file_missing")),
        (false, _) => Err(e.into()),
    };
    match r {
        Ok(()) => Ok(see_other(&format!("/assessments/{id}"), "saved")),
        Err(AppError::Invalid(i)) => {
            let errors = FormErrors {
                general: i.0.iter().map(|e| ctx.t.field_error_full(e)).collect(),
                ..Default::default()
            };
            render::html_status(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &scheme_page(&st, &ctx, id, None, errors).await?,
            )
        }
        Err(e) => Err(e),
    }
}

// --------------------------------------------------------------------------------------- run

/// A row behind a figure: its id, its page and what it is called.
struct Item {
    id: i64,
    href: String,
    label: String,
    /// An overdue task, which the supervisor may exempt (force majeure).
    task: bool,
}

struct Cell {
    value: String,
    points: String,
    /// Changed by an upheld appeal.
    amended: bool,
    /// The list behind the figure, or none when its rows are listed.
    href: Option<String>,
    rows: Vec<Item>,
}

struct RankRow {
    rank: usize,
    unit: String,
    cells: Vec<Cell>,
    earned: String,
    weighted: String,
    deducted: String,
    deducted_items: Vec<Item>,
    exempted: Vec<Item>,
    total: String,
    /// `red`, `black` or empty.
    list: &'static str,
}

struct RankTable {
    name: String,
    multiplier: String,
    heads: Vec<(String, String)>,
    rows: Vec<RankRow>,
    red: Vec<String>,
    black: Vec<String>,
}

#[derive(Template)]
#[template(path = "assessments/run.html")]
struct RunPage {
    t: Tr,
    page: Chrome,
    v: RunView,
    period: String,
    tables: Vec<RankTable>,
    identical: bool,
    /// A draft's hand-score form: units and manual indicators.
    hand_units: Vec<Choice>,
    hand_indicators: Vec<Choice>,
    /// A published run's appeal form, for the units the caller speaks for.
    appeal_units: Vec<Choice>,
    appeal_indicators: Vec<Choice>,
    errors: FormErrors,
}

/// By kind and id, each row's label and the id of the page it is read on.
type Labels = HashMap<(&'static str, i64), (String, i64)>;

/// The labels of every row behind a run's figures and deductions.
async fn labels(st: &AppState, v: &RunView) -> AppResult<Labels> {
    let mut ids: HashMap<&'static str, Vec<i64>> = HashMap::new();
    for by_key in v.inputs.behind.values() {
        for b in by_key.values() {
            if let Some((kind, rows)) = rows_of(b) {
                ids.entry(kind).or_default().extend(rows);
            }
        }
    }
    for scores in v.results.values() {
        for s in scores {
            for d in &s.deductions {
                let rows = ids.entry(deducted_kind(d.cause)).or_default();
                rows.extend(&d.items);
                rows.extend(&d.exempted);
            }
        }
    }
    let mut out = HashMap::new();
    for (kind, mut list) in ids {
        list.sort_unstable();
        list.dedup();
        for (id, label, page) in zhaoyin_db::assessments::labels(&st.db, kind, &list).await? {
            out.insert((kind, id), (label, page));
        }
    }
    Ok(out)
}

fn rows_of(b: &Behind) -> Option<(&'static str, &[i64])> {
    match b {
        Behind::List { .. } => None,
        Behind::Tasks { ids } => Some(("tasks", ids)),
        Behind::Problems { ids } => Some(("problems", ids)),
        Behind::Reports { ids } => Some(("reports", ids)),
    }
}

/// The rows a deduction's cause stands for.
fn deducted_kind(cause: Cause) -> &'static str {
    match cause {
        Cause::OverdueTask => "tasks",
        Cause::UpheldComplaint => "complaints",
    }
}

fn item(labels: &Labels, kind: &'static str, id: i64) -> Item {
    let (label, page) = labels
        .get(&(kind, id))
        .cloned()
        .unwrap_or_else(|| (format!("#{id}"), id));
    Item {
        id,
        // A report is read on its task's page.
        href: match kind {
            "problems" => format!("/problems/{page}"),
            "complaints" => format!("/complaints/{page}"),
            _ => format!("/tasks/{page}"),
        },
        label,
        task: kind == "tasks",
    }
}

fn tables(v: &RunView, labels: &Labels) -> Vec<RankTable> {
    let name_of = |id: i64| {
        v.unit_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    v.body
        .scheme
        .groups
        .iter()
        .map(|g| {
            let scores: &[Score] = v.results.get(&g.key).map_or(&[], Vec::as_slice);
            let lists = v.lists.get(&g.key).cloned().unwrap_or_default();
            let (red, black) = (lists.red, lists.black);
            let rows = scores
                .iter()
                .map(|s| {
                    let behind = v.inputs.behind.get(&s.subject_id);
                    let cells = s
                        .lines
                        .iter()
                        .map(|l| {
                            let b = behind.and_then(|b| b.get(&l.key));
                            let href = match b {
                                Some(Behind::List { href, .. }) => Some(href.clone()),
                                _ => None,
                            };
                            let rows = b
                                .and_then(rows_of)
                                .map(|(kind, ids)| {
                                    ids.iter().map(|id| item(labels, kind, *id)).collect()
                                })
                                .unwrap_or_default();
                            Cell {
                                value: l.value.map(num).unwrap_or_else(|| "—".into()),
                                points: num(l.points),
                                amended: v
                                    .inputs
                                    .amended
                                    .get(&s.subject_id)
                                    .is_some_and(|m| m.contains_key(&l.key)),
                                href,
                                rows,
                            }
                        })
                        .collect();
                    let deducted: Decimal = s.deductions.iter().map(|d| d.points).sum();
                    let rows = |of: &dyn Fn(&Deducted) -> &[i64]| -> Vec<Item> {
                        s.deductions
                            .iter()
                            .flat_map(|d| {
                                of(d)
                                    .iter()
                                    .map(|id| item(labels, deducted_kind(d.cause), *id))
                            })
                            .collect()
                    };
                    RankRow {
                        rank: s.rank,
                        unit: name_of(s.subject_id),
                        cells,
                        earned: num(s.earned),
                        weighted: num(s.weighted),
                        deducted: num(deducted),
                        deducted_items: rows(&|d| &d.items),
                        exempted: rows(&|d| &d.exempted),
                        total: num(s.total),
                        list: if red.contains(&s.subject_id) {
                            "red"
                        } else if black.contains(&s.subject_id) {
                            "black"
                        } else {
                            ""
                        },
                    }
                })
                .collect();
            RankTable {
                name: g.name.clone(),
                multiplier: num(g.multiplier),
                heads: g
                    .indicators
                    .iter()
                    .map(|i| (i.name.clone(), num(i.weight)))
                    .collect(),
                rows,
                red: red.into_iter().map(name_of).collect(),
                black: black.into_iter().map(name_of).collect(),
            }
        })
        .collect()
}

async fn run_page(st: &AppState, ctx: &Ctx, id: i64, errors: FormErrors) -> AppResult<RunPage> {
    let auth = ctx.auth()?;
    let v = svc::get_run(st, auth, id).await?;
    let t = &ctx.t;
    // What the rows are called is the supervisor's to read: a unit's clerk does not read other
    // units' tasks and problems (the links still lead to pages that check).
    let labels = if v.may_edit {
        labels(st, &v).await?
    } else {
        Labels::new()
    };
    let name_of = |id: i64| {
        v.unit_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let units_of = |keep: &dyn Fn(i64) -> bool| -> Vec<Choice> {
        Choice::list(
            v.inputs
                .groups
                .values()
                .flatten()
                .filter(|s| keep(s.id))
                .map(|s| (s.id.to_string(), name_of(s.id))),
            "",
        )
    };
    let indicators = |manual_only: bool| -> Vec<Choice> {
        let mut seen = Vec::new();
        for g in &v.body.scheme.groups {
            for i in &g.indicators {
                if (!manual_only || i.method == Method::Manual)
                    && !seen.iter().any(|(k, _): &(String, String)| *k == i.key)
                {
                    seen.push((i.key.clone(), i.name.clone()));
                }
            }
        }
        Choice::list(seen, "")
    };
    let draft = v.run.status != "published";
    let (hand_units, hand_indicators) = if draft && v.may_edit {
        (units_of(&|_| true), indicators(true))
    } else {
        (Vec::new(), Vec::new())
    };
    let (appeal_units, appeal_indicators) = if draft {
        (Vec::new(), Vec::new())
    } else {
        let speaks = |u: i64| auth.principal.acts_for_unit(Entity::Assessment, u);
        let units = units_of(&speaks);
        let ind = if units.is_empty() {
            Vec::new()
        } else {
            indicators(false)
        };
        (units, ind)
    };
    let recomputed = svc::recompute(st, auth, id).await?;
    Ok(RunPage {
        t: ctx.t,
        page: render::chrome(ctx, "assessment.run"),
        period: crate::service::reports::period_words(t, &v.run.period),
        tables: tables(&v, &labels),
        identical: recomputed.identical,
        hand_units,
        hand_indicators,
        appeal_units,
        appeal_indicators,
        v,
        errors,
    })
}

impl RunPage {
    fn indicator_name(&self, key: &str) -> String {
        self.v
            .body
            .scheme
            .groups
            .iter()
            .flat_map(|g| &g.indicators)
            .find(|i| i.key == key)
            .map_or_else(|| key.to_string(), |i| i.name.clone())
    }
}

async fn run(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&run_page(&st, &ctx, id, FormErrors::default()).await?)
}

/// Back to the run, or the run with the problems of a refused form.
async fn done(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    r: AppResult<()>,
    fields: &[&str],
) -> AppResult<Response> {
    match form_result(r, &ctx.t, fields)? {
        Ok(()) => Ok(see_other(&format!("/assessment-runs/{id}"), "saved")),
        Err((code, errors)) => render::html_status(code, &run_page(st, ctx, id, errors).await?),
    }
}

async fn publish(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let version = req_i64(&mut e, "version", &f.get("version"));
    let r = if e.is_empty() {
        svc::publish(&st, &ctx, id, &RunEdit { version })
            .await
            .map(|_| ())
    } else {
        Err(e.into())
    };
    done(&st, &ctx, id, r, &[]).await
}

async fn hand_score(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let input = HandScoreInput {
        version: req_i64(&mut e, "version", &f.get("version")),
        unit_id: req_i64(&mut e, "unit_id", &f.get("unit_id")),
        indicator: f.get("indicator"),
        points: req_decimal(&mut e, "points", &f.get("points")),
        reason: f.get("reason"),
    };
    let r = if e.is_empty() {
        svc::hand_score(&st, &ctx, id, &input).await.map(|_| ())
    } else {
        Err(e.into())
    };
    done(
        &st,
        &ctx,
        id,
        r,
        &["unit_id", "indicator", "points", "reason"],
    )
    .await
}

async fn appeal(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let input = AppealInput {
        unit_id: req_i64(&mut e, "unit_id", &f.get("unit_id")),
        indicator: f.get("indicator"),
        reason: f.get("reason"),
        asked: req_decimal(&mut e, "asked", &f.get("asked")),
    };
    let r = if e.is_empty() {
        svc::file_appeal(&st, &ctx, id, &input).await.map(|_| ())
    } else {
        Err(e.into())
    };
    done(
        &st,
        &ctx,
        id,
        r,
        &["unit_id", "indicator", "asked", "reason"],
    )
    .await
}

/// The supervisor exempts an overdue task from a draft's deductions (force majeure); the draft
/// is computed again at once, so the page shows it exempted.
async fn exempt(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let input = svc::ExemptionInput {
        task_id: req_i64(&mut e, "task_id", &f.get("task_id")),
        reason: f.get("reason"),
    };
    let r = if e.is_empty() {
        svc::exempt_in_run(&st, &ctx, id, &input).await
    } else {
        Err(e.into())
    };
    done(&st, &ctx, id, r, &[]).await
}

async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(pairs);
    let mut e = Invalid::default();
    let input = AppealDecision {
        version: req_i64(&mut e, "version", &f.get("version")),
        run_version: req_i64(&mut e, "run_version", &f.get("run_version")),
        upheld: f.get("upheld") == "1",
        decision: f.get("decision"),
    };
    let run = req_i64(&mut e, "run_id", &f.get("run_id"));
    let r = if e.is_empty() {
        svc::decide_appeal(&st, &ctx, id, &input).await.map(|_| ())
    } else {
        Err(e.into())
    };
    done(&st, &ctx, run, r, &["decision"]).await
}

/// A group's name as a sheet's: Excel refuses `[]:*?/\\`, more than 31 characters and two sheets
/// of one name, so the group's number goes first.
fn sheet_name(name: &str, n: usize) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(27)
        .collect();
    format!("{} {clean}", n + 1)
}

async fn workbook(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let page = run_page(&st, &ctx, id, FormErrors::default()).await?;
    let t = &ctx.t;
    let sheets: Vec<zhaoyin_office::xlsx::Tabled> = page
        .tables
        .iter()
        .enumerate()
        .map(|(n, g)| {
            let mut header = vec![
                t.t("assessment.rank").to_string(),
                t.t("assessment.unit").to_string(),
            ];
            for (name, weight) in &g.heads {
                header.push(format!("{name}（{weight}）"));
                header.push(t.t("assessment.points").to_string());
            }
            for k in [
                "assessment.earned",
                "assessment.weighted",
                "assessment.deducted",
                "assessment.total",
                "assessment.listed",
            ] {
                header.push(t.t(k).to_string());
            }
            let rows = g
                .rows
                .iter()
                .map(|r| {
                    let mut cells = vec![r.rank.to_string(), r.unit.clone()];
                    for c in &r.cells {
                        cells.push(c.value.clone());
                        cells.push(c.points.clone());
                    }
                    cells.extend([
                        r.earned.clone(),
                        r.weighted.clone(),
                        r.deducted.clone(),
                        r.total.clone(),
                        match r.list {
                            "red" => t.t("assessment.red_list").to_string(),
                            "black" => t.t("assessment.black_list").to_string(),
                            _ => String::new(),
                        },
                    ]);
                    cells
                })
                .collect();
            zhaoyin_office::xlsx::Tabled {
                name: sheet_name(&g.name, n),
                title: format!("{} {} {}", page.v.scheme_name, page.period, g.name),
                note: t.tf(
                    "assessment.as_of_note",
                    &[
                        ("day", page.v.inputs.as_of.to_string()),
                        ("multiplier", g.multiplier.clone()),
                    ],
                ),
                header,
                rows,
            }
        })
        .collect();
    render::tabled(sheets, svc::RANKING_FILE).await
}
