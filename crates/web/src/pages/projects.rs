//! Project screens: the list (filters, sort, pinyin search) with its counts by stage, the board by
//! stage (kanban), a project's page with its timeline and the form to move it on, and the form to
//! add or edit one.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use zhaoyin_core::Invalid;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::company::INDUSTRY_SECTIONS;
use zhaoyin_core::paging::Page;
use zhaoyin_core::project::{ProjectInput, Stage, format_mu, required_for};
use zhaoyin_db::projects::{ProjectFilter, ProjectRow, ProjectSort, StageCount};

use super::companies::{href_with, pager};
use super::{FormErrors, Pairs, form_result, see_other};
use crate::ctx::{Auth, Ctx};
use crate::form::{Form, Query, opt_date, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::projects::{
    self as svc, Named, ProjectCreate, ProjectDetail, ProjectQuery, ProjectUpdate, StageInput,
};
use crate::{AppError, AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::import_page::routes::<ProjectsBook>())
        .route("/projects", get(list).post(create))
        .route("/projects/board", get(board))
        .route("/projects/export.xlsx", get(export))
        .route("/projects/new", get(new))
        .route("/projects/{id}", get(detail).post(update))
        .route("/projects/{id}/edit", get(edit))
        .route("/projects/{id}/stage", post(move_stage))
}

fn stage_choices(t: &Tr, stages: &[Stage], current: &str) -> Vec<Choice> {
    Choice::list(
        stages
            .iter()
            .map(|s| (s.id().to_string(), t.label("stage", s.id()))),
        current,
    )
}

/// One stage with its count and investment (repeated signings counted once).
pub struct StageTotal {
    pub stage: Stage,
    pub projects: i64,
    pub total_investment: i64,
    pub href: String,
}

fn stage_totals(counts: &[StageCount], q: &ProjectQuery, path: &str) -> Vec<StageTotal> {
    Stage::ALL
        .iter()
        .map(|s| {
            let c = counts.iter().find(|c| c.stage == s.id());
            let mut link = q.clone();
            link.stage = Some(s.id().to_string());
            // The counts leave repeated signings out; so does the list behind each.
            link.distinct = Some("1".into());
            link.page = None;
            StageTotal {
                stage: *s,
                projects: c.map_or(0, |c| c.projects),
                total_investment: c.map_or(0, |c| c.total_investment),
                href: href_with(path, &link),
            }
        })
        .collect()
}

/// The filters both the list and the board show.
struct Filters {
    stages: Vec<Choice>,
    majors: Vec<Choice>,
    industries: Vec<Choice>,
    sorts: Vec<Choice>,
    segments: Vec<super::chains::SegmentGroup>,
    problems: Vec<String>,
}

async fn filters(
    ctx: &Ctx,
    st: &AppState,
    q: &ProjectQuery,
    problems: Vec<String>,
) -> AppResult<Filters> {
    let t = &ctx.t;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let segments =
        super::chains::segment_groups(st, ctx.auth()?, None, &[v(&q.segment_id)]).await?;
    Ok(Filters {
        segments,
        stages: Choice::list(
            std::iter::once(("live".to_string(), t.t("projects.live").to_string())).chain(
                Stage::ALL
                    .iter()
                    .map(|s| (s.id().to_string(), t.label("stage", s.id()))),
            ),
            &v(&q.stage),
        ),
        majors: Choice::list(
            [
                ("1".to_string(), t.t("project.major_only").to_string()),
                ("0".to_string(), t.t("project.not_major").to_string()),
            ],
            &v(&q.major),
        ),
        industries: Choice::list(
            st.cfg
                .major_rule
                .key_industries
                .iter()
                .map(|k| (k.clone(), k.clone())),
            &v(&q.key_industry),
        ),
        sorts: Choice::list(
            ProjectSort::ALL
                .iter()
                .map(|(_, id)| (id.to_string(), t.label("project.sort", id))),
            q.sort.as_deref().unwrap_or("recent"),
        ),
        problems,
    })
}

fn parse_query(st: &AppState, t: &Tr, q: &ProjectQuery) -> (ProjectFilter, Vec<String>) {
    match q.filter(&st.cfg) {
        Ok(f) => (f, Vec::new()),
        Err(e) => (Default::default(), FormErrors::from(t, &e, &[]).general),
    }
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "projects/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<ProjectRow>,
    pager: Pager,
    q: ProjectQuery,
    f: Filters,
    totals: Vec<StageTotal>,
    board_href: String,
    export_href: String,
    can_create: bool,
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProjectQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let page = Page::new(q.page, None);
    let (filter, problems) = parse_query(&st, &ctx.t, &q);
    let (rows, total) = svc::list(&st, auth, &filter, page).await?;
    let counts = svc::stage_counts(&st, auth, &filter).await?;
    let mut board = q.clone();
    board.stage = None;
    board.page = None;
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "projects.title"),
        pager: pager("/projects", &q, page, total),
        f: filters(&ctx, &st, &q, problems).await?,
        totals: stage_totals(&counts, &q, "/projects"),
        board_href: href_with("/projects/board", &board),
        export_href: href_with(
            "/projects/export.xlsx",
            &ProjectQuery {
                page: None,
                per_page: None,
                ..q.clone()
            },
        ),
        can_create: auth.principal.can_somewhere(Entity::Project, Action::Write),
        rows,
        q,
    })
}

// ------------------------------------------------------------------------------------- board

pub struct Column {
    pub total: StageTotal,
    pub cards: Vec<ProjectRow>,
}

#[derive(Template)]
#[template(path = "projects/board.html")]
struct BoardPage {
    t: Tr,
    page: Chrome,
    q: ProjectQuery,
    f: Filters,
    columns: Vec<Column>,
    list_href: String,
}

/// Cards shown per column; the column's count links to the full list.
const CARDS: u32 = 20;

async fn board(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProjectQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let (filter, problems) = parse_query(&st, &ctx.t, &q);
    let counts = svc::stage_counts(&st, auth, &filter).await?;
    let mut columns = Vec::new();
    for total in stage_totals(&counts, &q, "/projects") {
        // Repeated signings are left out of the cards as of the counts above them.
        let f = ProjectFilter {
            stage: Some(total.stage),
            distinct: true,
            ..filter.clone()
        };
        let (cards, _) = svc::list(&st, auth, &f, Page::new(None, Some(CARDS))).await?;
        columns.push(Column { total, cards });
    }
    let mut list = q.clone();
    list.stage = None;
    render::html(&BoardPage {
        t: ctx.t,
        page: render::chrome(&ctx, "projects.board"),
        f: filters(&ctx, &st, &q, problems).await?,
        list_href: href_with("/projects", &list),
        columns,
        q,
    })
}

// ------------------------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "projects/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    d: ProjectDetail,
    moves: Vec<Choice>,
    /// Fields the move form must offer: those some next stage requires and the project lacks.
    needs_amount: bool,
    needs_code: bool,
    locations: Vec<Choice>,
    can_write: bool,
    /// The caller reads the incentive ledger: the introducer's claim is linked.
    reads_incentives: bool,
    errors: FormErrors,
    today: String,
    /// The move form's values: as posted after a refused move, else empty (the day today).
    posted: StageInput,
    on: String,
    posted_amount: String,
    /// The project's problem list (问题清单).
    problems: Vec<crate::service::problems::ProblemView>,
    progress: crate::service::progress::ProgressView,
    approvals: crate::service::approvals::PlanView,
}

impl DetailPage {
    /// The name of an approval item of the project (what another waits for).
    fn item_name(&self, id: &i64) -> &str {
        self.approvals
            .items()
            .find(|v| v.item.id == *id)
            .map_or("", |v| v.item.name.as_str())
    }

    /// The units with open problems on the project (id, name), each once.
    fn problem_units(&self) -> Vec<(i64, &str)> {
        let mut out: Vec<(i64, &str)> = Vec::new();
        for r in self
            .problems
            .iter()
            .filter(|r| r.problem.status().is_open())
        {
            if !out.iter().any(|(id, _)| *id == r.problem.unit_id) {
                out.push((r.problem.unit_id, &r.problem.unit_name));
            }
        }
        out
    }

    fn land(&self) -> String {
        self.d
            .project
            .land_mu_x100
            .map(format_mu)
            .unwrap_or_else(|| "—".into())
    }
}

/// Towns and parks of the project's county, for its location.
async fn location_choices(st: &AppState, auth: &Auth, current: &str) -> AppResult<Vec<Choice>> {
    let units = svc::unit_choices(st, auth).await?;
    Ok(Choice::list(
        units
            .into_iter()
            .filter(|u| matches!(u.kind.as_str(), "town" | "park"))
            .map(|u| (u.id.to_string(), u.name)),
        current,
    ))
}

/// The project's page; after a refused move, `posted` fills the move form again as it was sent.
async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    posted: Option<StageInput>,
) -> AppResult<DetailPage> {
    let auth = ctx.auth()?;
    let d = svc::detail(st, auth, id).await?;
    let p = &d.project;
    let next: Vec<Stage> = d
        .next_stages
        .iter()
        .filter_map(|s| Stage::parse(s))
        .collect();
    let needs = |field: &str| next.iter().any(|s| required_for(*s).contains(&field));
    let posted = posted.unwrap_or_default();
    let svc::Sections {
        problems,
        progress,
        approvals,
    } = svc::sections(st, auth, p).await?;
    let location = posted
        .location_unit_id
        .map(|l| l.to_string())
        .unwrap_or_default();
    Ok(DetailPage {
        t: ctx.t,
        page: render::chrome(ctx, "projects.detail"),
        moves: stage_choices(&ctx.t, &next, &posted.stage),
        needs_amount: needs("contract_amount") && p.contract_amount.is_none(),
        needs_code: needs("project_credit_code") && p.project_credit_code.is_none(),
        locations: if needs("location_unit_id") && p.location_unit_id.is_none() {
            location_choices(st, auth, &location).await?
        } else {
            Vec::new()
        },
        can_write: svc::may_write(auth, p),
        reads_incentives: auth.principal.can_somewhere(
            zhaoyin_core::authz::Entity::Incentive,
            zhaoyin_core::authz::Action::Read,
        ),
        problems,
        progress,
        approvals,
        today: st.cfg.today().to_string(),
        on: posted
            .on
            .map(|d| d.to_string())
            .unwrap_or_else(|| st.cfg.today().to_string()),
        posted_amount: posted
            .contract_amount
            .map(|a| a.to_string())
            .unwrap_or_default(),
        posted,
        d,
        errors,
    })
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&detail_page(&st, &ctx, id, FormErrors::default(), None).await?)
}

async fn move_stage(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Pairs(f);
    let mut e = Invalid::default();
    let input = StageInput {
        stage: f.get("stage"),
        on: opt_date(&mut e, "on", &f.get("on")),
        reason: f.get("reason"),
        contract_amount: opt_i64(&mut e, "contract_amount", &f.get("contract_amount")),
        project_credit_code: f.get("project_credit_code"),
        location_unit_id: opt_i64(&mut e, "location_unit_id", &f.get("location_unit_id")),
        version: Some(crate::form::req_i64(&mut e, "version", &f.get("version"))),
    };
    let r = if e.is_empty() {
        svc::move_stage(&st, &ctx, id, &input).await
    } else {
        Err(e.into())
    };
    let fields = [
        "stage",
        "on",
        "reason",
        "contract_amount",
        "project_credit_code",
        "location_unit_id",
        "investor_id",
        "total_investment",
    ];
    match form_result(r, &ctx.t, &fields)? {
        Ok(_) => Ok(see_other(&format!("/projects/{id}"), "saved")),
        Err((code, errors)) => render::html_status(
            code,
            &detail_page(&st, &ctx, id, errors, Some(input)).await?,
        ),
    }
}

// -------------------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "projects/form.html")]
struct FormPage {
    t: Tr,
    page: Chrome,
    project: Option<ProjectRow>,
    f: ProjectForm,
    units: Vec<Choice>,
    others: Vec<Choice>,
    locations: Vec<Choice>,
    first_units: Vec<Choice>,
    leaders: Vec<Choice>,
    agents: Vec<Choice>,
    sections: Vec<Choice>,
    industries: Vec<Choice>,
    segment_groups: Vec<super::chains::SegmentGroup>,
    segment_field: &'static str,
    segment_multiple: bool,
    errors: FormErrors,
}

impl FormPage {
    /// The amounts in 万元, as (field, value typed).
    fn money_fields(&self) -> [(&'static str, &str); 4] {
        [
            ("total_investment", &self.f.total_investment),
            ("outside_investment", &self.f.outside_investment),
            ("first_phase_investment", &self.f.first_phase_investment),
            ("contract_amount", &self.f.contract_amount),
        ]
    }
}

/// The form's values as text, as typed.
#[derive(Default, Clone)]
struct ProjectForm {
    name: String,
    investor: String,
    /// The investor the form was filled with (kept while `investor` still names it).
    investor_id: String,
    industry_section: String,
    industry_division: String,
    key_industry: String,
    unit_id: String,
    other_unit_ids: Vec<String>,
    location_unit_id: String,
    first_unit_id: String,
    introducer: String,
    introducer_civil_servant: bool,
    owner_leader_id: String,
    owner_override: String,
    agent_id: String,
    team: String,
    total_investment: String,
    outside_investment: String,
    first_phase_investment: String,
    land_mu: String,
    contract_amount: String,
    project_credit_code: String,
    national_code: String,
    segment_id: String,
    on: String,
    version: String,
}

impl ProjectForm {
    fn from_pairs(f: &Pairs) -> Self {
        Self {
            name: f.get("name"),
            investor: f.get("investor"),
            investor_id: f.get("investor_id"),
            industry_section: f.get("industry_section"),
            industry_division: f.get("industry_division"),
            key_industry: f.get("key_industry"),
            unit_id: f.get("unit_id"),
            other_unit_ids: f.all("other_unit_ids"),
            location_unit_id: f.get("location_unit_id"),
            first_unit_id: f.get("first_unit_id"),
            introducer: f.get("introducer"),
            introducer_civil_servant: f.has("introducer_civil_servant"),
            owner_leader_id: f.get("owner_leader_id"),
            owner_override: f.get("owner_override"),
            agent_id: f.get("agent_id"),
            team: f.get("team"),
            total_investment: f.get("total_investment"),
            outside_investment: f.get("outside_investment"),
            first_phase_investment: f.get("first_phase_investment"),
            land_mu: f.get("land_mu"),
            contract_amount: f.get("contract_amount"),
            project_credit_code: f.get("project_credit_code"),
            national_code: f.get("national_code"),
            segment_id: f.get("segment_id"),
            on: f.get("on"),
            version: f.get("version"),
        }
    }

    fn from_project(p: &ProjectRow, others: &[Named]) -> Self {
        let i = svc::input_of(p, others);
        let id = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        Self {
            name: i.name,
            investor: p.investor_name.clone().unwrap_or_default(),
            investor_id: p.investor_id.map(|i| i.to_string()).unwrap_or_default(),
            industry_section: i.industry_section,
            industry_division: i.industry_division,
            key_industry: i.key_industry,
            unit_id: p.unit_id.to_string(),
            other_unit_ids: i.other_unit_ids.iter().map(|u| u.to_string()).collect(),
            location_unit_id: id(i.location_unit_id),
            first_unit_id: id(i.first_unit_id),
            introducer: i.introducer,
            introducer_civil_servant: i.introducer_civil_servant,
            owner_leader_id: id(i.owner_leader_id),
            owner_override: i.owner_override,
            agent_id: id(i.agent_id),
            team: i.team,
            total_investment: id(i.total_investment),
            outside_investment: id(i.outside_investment),
            first_phase_investment: id(i.first_phase_investment),
            land_mu: i.land_mu,
            contract_amount: id(i.contract_amount),
            project_credit_code: i.project_credit_code,
            national_code: i.national_code,
            segment_id: id(i.segment_id),
            on: String::new(),
            version: p.version.to_string(),
        }
    }

    /// The input, with the investor named by text resolved to a company of the library.
    async fn input(&self, st: &AppState, auth: &Auth, e: &mut Invalid) -> AppResult<ProjectInput> {
        let current = self.investor_id.trim().parse().ok();
        let investor_id = svc::resolve_investor(st, auth, &self.investor, current).await?;
        if investor_id.is_none() && !self.investor.trim().is_empty() {
            e.push(zhaoyin_core::FieldError::new(
                "investor",
                "err.investor_unknown",
            ));
        }
        let mut others = Vec::new();
        for o in &self.other_unit_ids {
            others.extend(opt_i64(e, "other_unit_ids", o));
        }
        Ok(ProjectInput {
            name: self.name.clone(),
            investor_id,
            industry_section: self.industry_section.clone(),
            industry_division: self.industry_division.clone(),
            key_industry: self.key_industry.clone(),
            unit_id: opt_i64(e, "unit_id", &self.unit_id),
            other_unit_ids: others,
            location_unit_id: opt_i64(e, "location_unit_id", &self.location_unit_id),
            first_unit_id: opt_i64(e, "first_unit_id", &self.first_unit_id),
            introducer: self.introducer.clone(),
            introducer_civil_servant: self.introducer_civil_servant,
            owner_leader_id: opt_i64(e, "owner_leader_id", &self.owner_leader_id),
            owner_override: self.owner_override.clone(),
            agent_id: opt_i64(e, "agent_id", &self.agent_id),
            team: self.team.clone(),
            total_investment: opt_i64(e, "total_investment", &self.total_investment),
            outside_investment: opt_i64(e, "outside_investment", &self.outside_investment),
            first_phase_investment: opt_i64(
                e,
                "first_phase_investment",
                &self.first_phase_investment,
            ),
            land_mu: self.land_mu.clone(),
            contract_amount: opt_i64(e, "contract_amount", &self.contract_amount),
            project_credit_code: self.project_credit_code.clone(),
            national_code: self.national_code.clone(),
            segment_id: opt_i64(e, "segment_id", &self.segment_id),
        })
    }
}

const FIELDS: &[&str] = &[
    "name",
    "investor",
    "investor_id",
    "industry_section",
    "industry_division",
    "key_industry",
    "unit_id",
    "other_unit_ids",
    "location_unit_id",
    "first_unit_id",
    "introducer",
    "owner_leader_id",
    "owner_override",
    "agent_id",
    "team",
    "total_investment",
    "outside_investment",
    "first_phase_investment",
    "land_mu",
    "contract_amount",
    "project_credit_code",
    "national_code",
    "segment_id",
    "on",
];

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    project: Option<ProjectRow>,
    f: ProjectForm,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let auth = ctx.auth()?;
    let writable = crate::service::org::writable_units(st, auth, Entity::Project).await?;
    let all_units = svc::unit_choices(st, auth).await?;
    let people = svc::people_choices(st, auth).await?;
    let pick = |items: Vec<(String, String)>, current: &str| Choice::list(items, current);
    let unit_pairs = |kinds: &[&str]| -> Vec<(String, String)> {
        all_units
            .iter()
            .filter(|u| kinds.is_empty() || kinds.contains(&u.kind.as_str()))
            .map(|u| (u.id.to_string(), u.name.clone()))
            .collect()
    };
    let person_pairs: Vec<(String, String)> = people
        .iter()
        .map(|p| (p.id.to_string(), format!("{}（{}）", p.name, p.unit_name)))
        .collect();
    let mut others = pick(unit_pairs(&[]), "");
    for c in &mut others {
        c.selected = f.other_unit_ids.contains(&c.value);
    }
    Ok(FormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if project.is_some() {
                "projects.edit"
            } else {
                "projects.new"
            },
        ),
        units: pick(
            writable
                .into_iter()
                .map(|u| (u.id.to_string(), u.name))
                .collect(),
            &f.unit_id,
        ),
        others,
        locations: pick(unit_pairs(&["town", "park"]), &f.location_unit_id),
        first_units: pick(unit_pairs(&[]), &f.first_unit_id),
        leaders: pick(person_pairs.clone(), &f.owner_leader_id),
        agents: pick(person_pairs, &f.agent_id),
        sections: Choice::list(
            INDUSTRY_SECTIONS.iter().map(|(s, _, _)| {
                let id = s.to_string();
                let label = format!("{s} {}", ctx.t.label("industry", &id));
                (id, label)
            }),
            &f.industry_section,
        ),
        industries: Choice::list(
            st.cfg
                .major_rule
                .key_industries
                .iter()
                .map(|k| (k.clone(), k.clone())),
            &f.key_industry,
        ),
        segment_groups: super::chains::segment_groups(
            st,
            auth,
            match &project {
                Some(p) => Some(crate::service::projects::county_of(st, p).await?),
                None => None,
            },
            std::slice::from_ref(&f.segment_id),
        )
        .await?,
        segment_field: "segment_id",
        segment_multiple: false,
        project,
        f,
        errors,
    })
}

#[derive(serde::Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    investor: String,
}

async fn new(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Project, Action::Write) {
        return Err(AppError::Forbidden);
    }
    let f = ProjectForm {
        investor: q.investor,
        unit_id: auth.user.unit_id.to_string(),
        on: st.cfg.today().to_string(),
        ..Default::default()
    };
    render::html(&form_page(&st, &ctx, None, f, FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = ProjectForm::from_pairs(&Pairs(pairs));
    let auth = ctx.auth()?;
    let mut e = Invalid::default();
    let project = f.input(&st, auth, &mut e).await?;
    let on = opt_date(&mut e, "on", &f.on);
    let r = if e.is_empty() {
        svc::create(&st, &ctx, &ProjectCreate { project, on }).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(p) => Ok(see_other(&format!("/projects/{}", p.id), "created")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let d = svc::detail(&st, auth, id).await?;
    svc::require_write(auth, &d.project)?;
    let f = ProjectForm::from_project(&d.project, &d.other_units);
    render::html(&form_page(&st, &ctx, Some(d.project), f, FormErrors::default()).await?)
}

async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = ProjectForm::from_pairs(&Pairs(pairs));
    let auth = ctx.auth()?;
    let current = svc::get(&st, auth, id).await?;
    let mut e = Invalid::default();
    let project = f.input(&st, auth, &mut e).await?;
    let version = opt_i64(&mut e, "version", &f.version);
    let r = if e.is_empty() {
        svc::update(&st, &ctx, id, &ProjectUpdate { project, version }).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(see_other(&format!("/projects/{id}"), "saved")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, Some(current), f, errors).await?)
        }
    }
}

async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProjectQuery>,
) -> AppResult<Response> {
    let f = q.filter(&st.cfg)?;
    Ok(render::xlsx(
        crate::service::project_sheet::export(&st, &ctx, &f).await?,
        "attachment; filename=\"zhaoyin-projects.xlsx\"; filename*=UTF-8''%E6%8B%9B%E5%95%86%E9%A1%B9%E7%9B%AE.xlsx",
    ))
}

/// The projects workbook.
struct ProjectsBook;

impl super::import_page::Workbook for ProjectsBook {
    const BASE: &'static str = "/projects";
    const SECTION: &'static str = "projects";
    const ENTITY: Entity = Entity::Project;
    const TEMPLATE_FILE: &'static str = "attachment; filename=\"zhaoyin-projects-template.xlsx\"; filename*=UTF-8''%E6%8B%9B%E5%95%86%E9%A1%B9%E7%9B%AE%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx";
    fn template(t: &Tr) -> AppResult<Vec<u8>> {
        crate::service::project_sheet::template(t)
    }
    fn import(
        st: &AppState,
        ctx: &Ctx,
        bytes: &[u8],
    ) -> impl Future<Output = AppResult<zhaoyin_db::companies::ImportSummary>> + Send {
        crate::service::project_sheet::import(st, ctx, bytes)
    }
}
