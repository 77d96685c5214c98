//! Industry chain screens: the county's chains with their totals and gaps, a chain's page (the
//! tree drawn with ECharts and the same facts as a table, the gaps with the targets to recruit
//! for them), and the form that keeps a chain's team and its segments as an outline.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::chain::ChainInput;
use zhaoyin_core::paging::Page;
use zhaoyin_db::chains::Chain;

use super::companies::pager;
use super::{FormErrors, form_result, require_writer, see_other};
use crate::ctx::{Auth, Ctx};
use crate::form::{ListForm, Query, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::chains::{self as svc, ChainDetail, ChainQuery, ChainSummary, ChainUpdate};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/chains", get(list).post(create))
        .route("/chains/new", get(new))
        .route("/chains/{id}", get(detail).post(update))
        .route("/chains/{id}/edit", get(edit))
}

/// A form's segment picker: one group per chain.
pub struct SegmentGroup {
    pub chain: String,
    pub options: Vec<Choice>,
}

/// The segments of the chains of `county` (default: the caller's), `selected` marked.
pub async fn segment_groups(
    st: &AppState,
    auth: &Auth,
    county: Option<String>,
    selected: &[String],
) -> AppResult<Vec<SegmentGroup>> {
    let county = match county {
        Some(c) => c,
        None => {
            zhaoyin_db::companies::library_of_unit(&st.db, auth.user.unit_id)
                .await?
                .1
        }
    };
    Ok(group_segments(svc::options(st, &county).await?, selected))
}

/// `options` in one group per chain, `selected` marked.
pub fn group_segments(options: Vec<svc::SegmentOption>, selected: &[String]) -> Vec<SegmentGroup> {
    let mut groups: Vec<SegmentGroup> = Vec::new();
    for o in options {
        let choice = Choice {
            selected: selected.contains(&o.id.to_string()),
            value: o.id.to_string(),
            label: o.label,
        };
        match groups.last_mut() {
            Some(g) if g.chain == o.chain => g.options.push(choice),
            _ => groups.push(SegmentGroup {
                chain: o.chain,
                options: vec![choice],
            }),
        }
    }
    groups
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "chains/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<ChainSummary>,
    pager: Pager,
    can_create: bool,
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ChainQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let page = Page::new(q.page, None);
    let (rows, total) = svc::list(&st, auth, page).await?;
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "chains.title"),
        pager: pager("/chains", &q, page, total),
        can_create: auth.principal.can_somewhere(Entity::Chain, Action::Write),
        rows,
    })
}

// ------------------------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "chains/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    d: ChainDetail,
    /// The tree as ECharts reads it (JSON, put in a script element of type application/json).
    tree_json: String,
    can_write: bool,
}

/// One node of the ECharts tree.
#[derive(Serialize)]
struct Node {
    name: String,
    /// Shown in the tooltip.
    value: String,
    /// missing, weak or "" — the script colours the node by it.
    gap: &'static str,
    children: Vec<Node>,
}

fn tree(t: &Tr, d: &ChainDetail) -> Node {
    fn build(t: &Tr, d: &ChainDetail, parent: Option<i64>) -> Vec<Node> {
        d.segment_tree
            .iter()
            .filter(|s| s.parent_id == parent)
            .map(|s| Node {
                name: s.name.clone(),
                value: t.tf(
                    "chains.node_counts",
                    &[
                        ("local", s.local_total.to_string()),
                        ("targets", s.target_total.to_string()),
                        ("projects", s.project_total.to_string()),
                    ],
                ),
                gap: s.gap.map(|g| g.id()).unwrap_or(""),
                children: build(t, d, Some(s.id)),
            })
            .collect()
    }
    Node {
        name: d.summary.chain.name.clone(),
        value: String::new(),
        gap: "",
        children: build(t, d, None),
    }
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let d = svc::detail(&st, auth, id).await?;
    // Inside a script element nothing may look like markup: JSON's \u escapes keep it data.
    let tree_json = serde_json::to_string(&tree(&ctx.t, &d))
        .map_err(|e| crate::AppError::Internal(e.to_string()))?
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    render::html(&DetailPage {
        t: ctx.t,
        page: render::chrome(&ctx, "chains.detail"),
        can_write: auth.can(Entity::Chain, Action::Write, &d.summary.chain.place()),
        tree_json,
        d,
    })
}

// -------------------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "chains/form.html")]
struct FormPage {
    t: Tr,
    page: Chrome,
    chain: Option<Chain>,
    f: ChainForm,
    lead_units: Vec<Choice>,
    units: Vec<Choice>,
    leaders: Vec<Choice>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChainForm {
    name: String,
    lead_unit_id: String,
    leader_id: String,
    unit_ids: Vec<String>,
    outline: String,
    notes: String,
    version: String,
}

impl ChainForm {
    fn of(i: ChainInput, version: Option<i64>) -> Self {
        let id = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        Self {
            name: i.name,
            lead_unit_id: id(i.lead_unit_id),
            leader_id: id(i.leader_id),
            unit_ids: i.unit_ids.iter().map(|u| u.to_string()).collect(),
            outline: i.outline,
            notes: i.notes,
            version: id(version),
        }
    }

    fn input(&self, e: &mut zhaoyin_core::Invalid) -> ChainInput {
        ChainInput {
            name: self.name.clone(),
            lead_unit_id: opt_i64(e, "lead_unit_id", &self.lead_unit_id),
            leader_id: opt_i64(e, "leader_id", &self.leader_id),
            unit_ids: self
                .unit_ids
                .iter()
                .filter_map(|u| opt_i64(e, "unit_ids", u))
                .collect(),
            outline: self.outline.clone(),
            notes: self.notes.clone(),
        }
    }
}

const FIELDS: &[&str] = &[
    "name",
    "lead_unit_id",
    "leader_id",
    "unit_ids",
    "outline",
    "notes",
];

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    chain: Option<Chain>,
    f: ChainForm,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let auth = ctx.auth()?;
    let units = crate::service::projects::unit_choices(st, auth).await?;
    let people = crate::service::projects::people_choices(st, auth).await?;
    let pairs: Vec<(String, String)> = units
        .iter()
        .map(|u| (u.id.to_string(), u.name.clone()))
        .collect();
    let mut members = Choice::list(pairs.clone(), "");
    for c in &mut members {
        c.selected = f.unit_ids.contains(&c.value);
    }
    Ok(FormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if chain.is_some() {
                "chains.edit"
            } else {
                "chains.new"
            },
        ),
        lead_units: Choice::list(pairs, &f.lead_unit_id),
        units: members,
        leaders: Choice::list(
            people
                .iter()
                .map(|p| (p.id.to_string(), format!("{}（{}）", p.name, p.unit_name))),
            &f.leader_id,
        ),
        chain,
        f,
        errors,
    })
}

async fn new(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    require_writer(&ctx, Entity::Chain)?;
    let f = ChainForm {
        lead_unit_id: ctx.auth()?.user.unit_id.to_string(),
        outline: ctx.t.t("chains.outline_example").to_string(),
        ..Default::default()
    };
    render::html(&form_page(&st, &ctx, None, f, FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    ListForm(f): ListForm<ChainForm>,
) -> AppResult<Response> {
    require_writer(&ctx, Entity::Chain)?;
    let mut e = zhaoyin_core::Invalid::default();
    let input = f.input(&mut e);
    let r = if e.is_empty() {
        svc::create(&st, &ctx, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(c) => Ok(see_other(&format!("/chains/{}", c.id), "created")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let c = svc::get(&st, auth, id).await?;
    auth.require(Entity::Chain, Action::Write, &c.place())?;
    let f = ChainForm::of(svc::input_of(&st, &c).await?, Some(c.version));
    render::html(&form_page(&st, &ctx, Some(c), f, FormErrors::default()).await?)
}

async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ListForm(f): ListForm<ChainForm>,
) -> AppResult<Response> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let mut e = zhaoyin_core::Invalid::default();
    let input = ChainUpdate {
        chain: f.input(&mut e),
        version: opt_i64(&mut e, "version", &f.version),
    };
    let r = if e.is_empty() {
        svc::update(&st, &ctx, id, &input).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(see_other(&format!("/chains/{id}"), "saved")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, Some(current), f, errors).await?)
        }
    }
}
