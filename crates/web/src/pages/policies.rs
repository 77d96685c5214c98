//! Policy screens: the list, a policy's page (its measures with their tasks and lights), and the
//! import — paste or upload a document, check what was read side by side with the source,
//! correct any field, confirm.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;
use zhaoyin_core::policy::Candidate;
use zhaoyin_core::task::TaskCadence;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::org;
use zhaoyin_db::tasks::{self as db, Clause, PolicyRow, TaskFilter};
use zhaoyin_office::text::{Format, extract};

use super::FormErrors;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::form::{Form, MultipartForm, Query};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::policies::{self as svc, ConfirmPolicy, Preview};
use crate::service::tasks::{self as tasks_svc, TaskItem};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list))
        .route("/policies/import", get(import_page).post(preview))
        .route("/policies/import/confirm", post(confirm))
        .route("/policies/{id}", get(detail))
        .route("/policies/{id}/tasks.xlsx", post(import_tasks))
}

// -------------------------------------------------------------------------------------- list

#[derive(Deserialize, Default)]
struct ListQuery {
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "policies/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<PolicyRow>,
    pager: Pager,
    can_import: bool,
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let page = Page::new(q.page, None);
    let (rows, total) = svc::list(&st, auth, page).await?;
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "policies.title"),
        rows,
        pager: Pager::new("/policies", &[], page, total),
        can_import: auth.principal.can_somewhere(Entity::Policy, Action::Write),
    })
}

// ------------------------------------------------------------------------------------ detail

/// A measure of the policy with its tasks.
struct MeasureRow {
    clause: Clause,
    tasks: Vec<TaskItem>,
    /// The chapter heading, on the first measure of each chapter.
    chapter: Option<String>,
}

#[derive(Template)]
#[template(path = "policies/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    policy: PolicyRow,
    measures: Vec<MeasureRow>,
    counts: [usize; 4],
    can_import: bool,
    /// After an import: what it did, or what was wrong.
    done: Option<String>,
    problems: Vec<String>,
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&detail_page(&st, &ctx, id, None, Vec::new()).await?)
}

/// Adds the rows of an uploaded breakdown table to the policy's measures.
async fn import_tasks(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let result = match super::org::uploaded_file(mp).await {
        Ok(bytes) => crate::service::task_sheet::import(&st, &ctx, id, &bytes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => {
            let done = ctx.t.tf2(
                "policies.import_done",
                "created",
                s.created,
                "unchanged",
                s.unchanged,
            );
            render::html(&detail_page(&st, &ctx, id, Some(done), Vec::new()).await?)
        }
        Err(AppError::Invalid(i)) => {
            let problems = i.0.iter().map(|e| ctx.t.field_error_full(e)).collect();
            render::html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &detail_page(&st, &ctx, id, None, problems).await?,
            )
        }
        Err(e) => Err(e),
    }
}

async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    done: Option<String>,
    problems: Vec<String>,
) -> AppResult<DetailPage> {
    let auth = ctx.auth()?;
    let policy = svc::get(st, auth, id).await?;
    let clauses = db::clauses_of(&st.db, id).await?;
    let f = TaskFilter {
        policy_id: Some(id),
        sort: db::TaskSort::Code,
        ..TaskFilter::default()
    };
    let (items, _) = tasks_svc::list(st, auth, &f, Page::largest()).await?;
    let mut counts = [0usize; 4];
    for i in &items {
        let k = match (i.task.status.as_str(), i.task.light.as_str()) {
            ("closed", _) => 3,
            (_, "red") => 0,
            (_, "yellow") => 1,
            _ => 2,
        };
        counts[k] += 1;
    }
    let mut last_chapter = String::new();
    let measures = clauses
        .into_iter()
        .map(|c| {
            let heading = format!("{}、{}", c.chapter_number, c.chapter_title);
            let chapter = (!c.chapter_number.is_empty() && heading != last_chapter).then(|| {
                last_chapter = heading.clone();
                heading
            });
            MeasureRow {
                tasks: items
                    .iter()
                    .filter(|i| i.task.clause_id == Some(c.id))
                    .cloned()
                    .collect(),
                clause: c,
                chapter,
            }
        })
        .collect();
    let mut page = render::chrome(ctx, "policies.title");
    page.title = policy.title.clone();
    let can_import = auth.can(
        Entity::Policy,
        Action::Write,
        &zhaoyin_core::org::Place {
            region_path: policy.region_path.clone(),
            unit_id: None,
        },
    );
    Ok(DetailPage {
        t: ctx.t,
        page,
        policy,
        measures,
        counts,
        can_import,
        done,
        problems,
    })
}

// ------------------------------------------------------------------------------------ import

/// Regions the caller may file policies in.
async fn filing_regions(st: &AppState, ctx: &Ctx, current: i64) -> AppResult<Vec<Choice>> {
    let auth = ctx.auth()?;
    let regions = crate::service::org::writable_regions(st, auth, Entity::Policy).await?;
    // By default the widest region the caller files in (the county, not one of its towns).
    let current = match regions.iter().find(|r| r.id == current) {
        Some(r) => r.id,
        None => regions
            .iter()
            .min_by_key(|r| r.path.len())
            .map(|r| r.id)
            .unwrap_or_default(),
    };
    Ok(Choice::list(
        regions.into_iter().map(|r| (r.id.to_string(), r.name)),
        &current.to_string(),
    ))
}

#[derive(Template)]
#[template(path = "policies/import.html")]
struct ImportPage {
    t: Tr,
    page: Chrome,
    regions: Vec<Choice>,
    text: String,
    problems: Vec<String>,
    limit: String,
}

async fn import_form(
    st: &AppState,
    ctx: &Ctx,
    text: String,
    region_id: i64,
    problems: Vec<String>,
) -> AppResult<ImportPage> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Policy, Action::Write) {
        return Err(AppError::Forbidden);
    }
    Ok(ImportPage {
        t: ctx.t,
        page: render::chrome(ctx, "policies.import_title"),
        regions: filing_regions(st, ctx, region_id).await?,
        text,
        problems,
        limit: render::human_size(ctx.upload_limit),
    })
}

async fn import_page(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&import_form(&st, &ctx, String::new(), 0, Vec::new()).await?)
}

/// One measure of the preview form, with the choices it offers.
struct MeasureForm {
    i: usize,
    chapter: Option<String>,
    number: String,
    /// The measure's text as read, for the side-by-side check.
    text: String,
    title: String,
    cadence: Vec<Choice>,
    deadline: String,
    lead: Vec<Choice>,
    support: Vec<Choice>,
    leaders: Vec<Choice>,
    groups: String,
    indicators: Vec<IndicatorForm>,
}

struct IndicatorForm {
    keep: bool,
    name: String,
    comparator: String,
    value: String,
    unit: String,
}

#[derive(Template)]
#[template(path = "policies/preview.html")]
struct PreviewPage {
    t: Tr,
    page: Chrome,
    region_id: i64,
    source: String,
    title: String,
    statuses: Vec<Choice>,
    issuer: String,
    doc_number: String,
    issued_on: String,
    measures: Vec<MeasureForm>,
    unknown_units: Vec<String>,
    unknown_people: Vec<String>,
    chapters: usize,
    ignored: Vec<String>,
    problems: Vec<String>,
}

fn picks(all: &[Candidate], chosen: &[i64]) -> Vec<Choice> {
    all.iter()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: c.name.clone(),
            selected: chosen.contains(&c.id),
        })
        .collect()
}

async fn preview_page(
    st: &AppState,
    ctx: &Ctx,
    p: &Preview,
    c: &ConfirmPolicy,
    kept: Option<&Kept>,
    problems: Vec<String>,
) -> AppResult<PreviewPage> {
    let t = &ctx.t;
    let region = org::get_region(&st.db, p.region_id).await?;
    let (units, people) = org::candidates(&st.db, &region.path).await?;
    let mut measures = Vec::new();
    let mut last_chapter = String::new();
    for (i, clause) in c.clauses.iter().enumerate() {
        let Some(task) = clause.tasks.first() else {
            continue;
        };
        let heading = format!("{}、{}", clause.chapter_number, clause.chapter_title);
        let chapter = (!clause.chapter_number.is_empty() && heading != last_chapter).then(|| {
            last_chapter = heading.clone();
            heading
        });
        measures.push(MeasureForm {
            i,
            chapter,
            number: clause.number.clone(),
            text: clause.text.clone(),
            title: task.title.clone(),
            cadence: Choice::list(
                TaskCadence::ALL
                    .iter()
                    .map(|c| (c.id().to_string(), t.label("cadence", c.id()))),
                &task.cadence,
            ),
            deadline: task.deadline.map(|d| d.to_string()).unwrap_or_default(),
            lead: picks(&units, &task.lead_unit_ids),
            support: picks(&units, &task.support_unit_ids),
            leaders: picks(&people, &task.leader_ids),
            groups: task.unit_groups.join("；"),
            indicators: indicator_forms(p, kept, i),
        });
    }
    Ok(PreviewPage {
        t: ctx.t,
        page: render::chrome(ctx, "policies.preview_title"),
        region_id: p.region_id,
        source: c.source_text.clone(),
        title: c.title.clone(),
        statuses: Choice::list(
            ["active", "draft"].map(|s| (s.to_string(), t.label("policy.status", s))),
            &c.status,
        ),
        issuer: c.issuer.clone().unwrap_or_default(),
        doc_number: c.doc_number.clone().unwrap_or_default(),
        issued_on: c.issued_on.map(|d| d.to_string()).unwrap_or_default(),
        measures,
        unknown_units: p.unknown_units.clone(),
        unknown_people: p.unknown_people.clone(),
        chapters: p.parsed.chapters.len(),
        ignored: p.parsed.ignored.clone(),
        problems,
    })
}

/// Each proposed indicator of each measure: kept (with the supervisor's edits) or dropped.
type Kept = Vec<Vec<Option<svc::ConfirmIndicator>>>;

/// The form rows for measure `i`: every indicator the parser proposed, as kept now.
fn indicator_forms(p: &Preview, kept: Option<&Kept>, i: usize) -> Vec<IndicatorForm> {
    let proposed = p
        .proposal
        .clauses
        .get(i)
        .and_then(|c| c.tasks.first())
        .map(|t| t.indicators.clone())
        .unwrap_or_default();
    proposed
        .into_iter()
        .enumerate()
        .map(|(j, ind)| {
            let now = match kept {
                None => Some(ind.clone()),
                Some(k) => k.get(i).and_then(|m| m.get(j)).cloned().flatten(),
            };
            let shown = now.clone().unwrap_or(ind);
            IndicatorForm {
                keep: now.is_some(),
                name: shown.name,
                comparator: shown.comparator,
                value: shown.target_value,
                unit: shown.unit_label.unwrap_or_default(),
            }
        })
        .collect()
}

/// The text of the document: read from the uploaded file, or as pasted.
fn document_text(file: Option<crate::form::Upload>, text: String) -> AppResult<String> {
    if let Some(f) = file {
        let Some(format) = Format::from_name(&f.filename) else {
            return Err(AppError::invalid("file", "err.policy_format"));
        };
        return extract(format, &f.data).map_err(|e| AppError::invalid("file", e.key()));
    }
    if text.trim().is_empty() {
        return Err(AppError::invalid("text", "err.policy_text_missing"));
    }
    Ok(text)
}

async fn preview(State(st): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    // Only someone who may file policies gets their upload read.
    if !ctx
        .auth()?
        .principal
        .can_somewhere(Entity::Policy, Action::Write)
    {
        return Err(AppError::Forbidden);
    }
    let mut form = MultipartForm::read(mp).await?;
    let region_id = form.text("region_id").trim().parse::<i64>().ok();
    let text = form.text("text");
    let file = form.take_files("file").into_iter().next();
    let read = crate::service::blocking(move || document_text(file, text)).await?;
    let result = match read {
        Ok(text) => svc::preview(&st, &ctx, &text, region_id)
            .await
            .map(|p| (text, p)),
        Err(e) => Err(e),
    };
    match result {
        Ok((_, p)) => {
            let c = p.proposal.clone();
            render::html(&preview_page(&st, &ctx, &p, &c, None, Vec::new()).await?)
        }
        Err(e @ AppError::Invalid(_)) => {
            let problems = FormErrors::from(&ctx.t, &e, &[]).general;
            render::html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &import_form(
                    &st,
                    &ctx,
                    form.text("text"),
                    region_id.unwrap_or(0),
                    problems,
                )
                .await?,
            )
        }
        Err(e) => Err(e),
    }
}

/// The preview form's corrections laid over the proposal. Every field is named `m{i}.…`.
fn corrected(p: &Preview, pairs: &[(String, String)]) -> (ConfirmPolicy, Kept, Invalid) {
    let mut e = Invalid::default();
    let mut one: HashMap<&str, &str> = HashMap::new();
    let mut many: HashMap<&str, Vec<i64>> = HashMap::new();
    for (k, v) in pairs {
        one.insert(k, v);
        if let Ok(id) = v.parse::<i64>() {
            many.entry(k).or_default().push(id);
        }
    }
    let text = |k: &str| one.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut c = p.proposal.clone();
    let mut kept = Kept::new();
    c.title = text("title");
    // A form without the field files the policy as in force.
    let status = text("status");
    if !status.is_empty() {
        c.status = status;
    }
    c.issuer = Some(text("issuer")).filter(|s| !s.is_empty());
    c.doc_number = Some(text("doc_number")).filter(|s| !s.is_empty());
    c.issued_on = crate::form::opt_date(&mut e, "issued_on", &text("issued_on"));
    for (i, clause) in c.clauses.iter_mut().enumerate() {
        let Some(task) = clause.tasks.first_mut() else {
            kept.push(Vec::new());
            continue;
        };
        let f = |name: &str| format!("m{i}.{name}");
        task.title = text(&f("title"));
        task.cadence = text(&f("cadence"));
        task.deadline = crate::form::opt_date(
            &mut e,
            &format!("clauses[{i}].tasks[0].deadline"),
            &text(&f("deadline")),
        );
        task.lead_unit_ids = many.get(f("lead").as_str()).cloned().unwrap_or_default();
        task.support_unit_ids = many.get(f("support").as_str()).cloned().unwrap_or_default();
        task.leader_ids = many.get(f("leader").as_str()).cloned().unwrap_or_default();
        let proposed = std::mem::take(&mut task.indicators);
        let these: Vec<Option<svc::ConfirmIndicator>> = proposed
            .into_iter()
            .enumerate()
            .map(|(j, mut ind)| {
                one.contains_key(f(&format!("ind{j}.keep")).as_str())
                    .then(|| {
                        ind.name = text(&f(&format!("ind{j}.name")));
                        ind.target_value = text(&f(&format!("ind{j}.value")));
                        ind.unit_label =
                            Some(text(&f(&format!("ind{j}.unit")))).filter(|s| !s.is_empty());
                        ind
                    })
            })
            .collect();
        task.indicators = these.iter().flatten().cloned().collect();
        kept.push(these);
    }
    (c, kept, e)
}

/// A problem in the confirmed structure, named by the measure it is in.
fn measure_problem(t: &Tr, c: &ConfirmPolicy, fe: &FieldError) -> String {
    let Some(rest) = fe.field.strip_prefix("clauses[") else {
        if fe.field == "title" {
            return format!("{}：{}", t.t("policies.title_field"), t.field_error(fe));
        }
        return t.field_error_full(fe);
    };
    let (n, tail) = rest.split_once(']').unwrap_or(("", ""));
    let number = n
        .parse::<usize>()
        .ok()
        .and_then(|i| c.clauses.get(i))
        .map(|cl| cl.number.clone())
        .unwrap_or_default();
    let field = tail
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .split('[')
        .next()
        .unwrap_or_default();
    t.tf(
        "policies.measure_problem",
        &[
            ("number", number),
            ("field", t.label("policies.field", field)),
            ("message", t.field_error(fe)),
        ],
    )
}

async fn confirm(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let region_id = get("region_id").trim().parse::<i64>().ok();
    // The document is read again; the form carries only the corrections.
    let p = svc::preview(&st, &ctx, &get("source_text"), region_id).await?;
    let (c, kept, parse_errors) = corrected(&p, &pairs);
    let result = match parse_errors.into_result() {
        Ok(()) => svc::confirm(&st, &ctx, &c).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok((policy_id, _)) => {
            Ok(Redirect::to(&format!("/policies/{policy_id}?ok=created")).into_response())
        }
        Err(AppError::Invalid(i)) => {
            let problems =
                i.0.iter()
                    .map(|fe| measure_problem(&ctx.t, &c, fe))
                    .collect();
            render::html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &preview_page(&st, &ctx, &p, &c, Some(&kept), problems).await?,
            )
        }
        Err(e) => Err(e),
    }
}
