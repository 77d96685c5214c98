//! Recruiting activity screens: the list with its filters, an activity's page with the trip
//! approval and completion forms, the form to register a trip or record an activity, and the
//! monthly statistics per unit whose every figure links to the list it counts.
//!
//! Companies, talents and projects met are typed one per line (a name, or a company's credit
//! code), as people paste them from a trip report; a line that names nothing known, or more
//! than one project, is refused with the line.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use zhaoyin_core::activity::{ActivityInput, ActivityKind, ActivityStatus, Month};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;
use zhaoyin_core::project::Stage;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::activities::Activity;

use super::companies::{href_with, pager};
use super::{FormErrors, form_result, require_writer, see_other};
use crate::ctx::{Auth, Ctx};
use crate::form::{Form, ListForm, Query, opt_date, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::activities::{
    self as svc, ActivityQuery, ActivityStatusInput, ActivityWrite, LANDED, MonthlyStats, Rights,
};
use crate::service::projects::ProjectQuery;
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::import_page::routes::<ActivitiesBook>())
        .route("/activities", get(list).post(create))
        .route("/activities/new", get(new))
        .route("/activities/export.xlsx", get(export))
        .route("/activities/stats", get(stats))
        .route("/activities/stats.xlsx", get(stats_export))
        .route("/activities/{id}", get(detail).post(update))
        .route("/activities/{id}/edit", get(edit))
        .route("/activities/{id}/status", post(status))
}

fn kind_choices(t: &Tr, current: &str) -> Vec<Choice> {
    Choice::list(
        ActivityKind::ALL
            .iter()
            .map(|k| (k.id().to_string(), t.label("activity.kind", k.id()))),
        current,
    )
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "activities/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Activity>,
    pager: Pager,
    q: ActivityQuery,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    units: Vec<Choice>,
    problems: Vec<String>,
    can_create: bool,
    /// Registered trips waiting for a decision, for those who decide them.
    pending: Option<i64>,
    export_href: String,
}

impl ListPage {
    /// Filters the form does not show but keeps (set by a link from elsewhere).
    fn hidden_filters(&self) -> Vec<(&'static str, &str)> {
        let q = &self.q;
        [
            ("counted", &q.counted),
            ("abroad", &q.abroad),
            ("late", &q.late),
            ("leader_id", &q.leader_id),
            ("company_id", &q.company_id),
            ("talent_id", &q.talent_id),
            ("project_id", &q.project_id),
            ("region_id", &q.region_id),
            ("period", &q.period),
            ("as_of", &q.as_of),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (name, v)))
        .collect()
    }
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ActivityQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let t = &ctx.t;
    let page = Page::new(q.page, None);
    let (filter, problems) = match q.filter(&st.cfg) {
        Ok(f) => (f, Vec::new()),
        Err(e) => (Default::default(), FormErrors::from(t, &e, &[]).general),
    };
    let (rows, total) = svc::list(&st, auth, &filter, page).await?;
    let approver = st.cfg.activity_rules.approver().ok();
    let pending = match approver.filter(|r| auth.principal.has_role(*r)) {
        Some(_) => {
            let f = zhaoyin_db::activities::ActivityFilter {
                kind: Some(ActivityKind::Trip),
                status: Some(ActivityStatus::Registered),
                ..Default::default()
            };
            Some(svc::list(&st, auth, &f, Page::new(None, Some(1))).await?.1)
        }
        None => None,
    };
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "activities.title"),
        pager: pager("/activities", &q, page, total),
        kinds: kind_choices(t, &v(&q.kind)),
        statuses: Choice::list(
            ActivityStatus::ALL
                .iter()
                .map(|s| (s.id().to_string(), t.label("activity.status", s.id()))),
            &v(&q.status),
        ),
        units: Choice::list(
            crate::service::projects::unit_choices(&st, auth)
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.name)),
            &v(&q.unit_id),
        ),
        can_create: auth
            .principal
            .can_somewhere(Entity::Activity, Action::Write),
        pending,
        export_href: href_with(
            "/activities/export.xlsx",
            &ActivityQuery {
                page: None,
                per_page: None,
                ..q.clone()
            },
        ),
        rows,
        q,
        problems,
    })
}

async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ActivityQuery>,
) -> AppResult<Response> {
    let f = q.filter(&st.cfg)?;
    Ok(render::xlsx(
        crate::service::activity_sheet::export(&st, &ctx, &f).await?,
        "attachment; filename=\"zhaoyin-activities.xlsx\"; filename*=UTF-8''%E6%8B%9B%E5%BC%95%E6%B4%BB%E5%8A%A8.xlsx",
    ))
}

// ------------------------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "activities/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    x: Activity,
    rights: Rights,
    /// The moves offered: approve or return; record the outcome; cancel.
    can_decide: bool,
    can_complete: bool,
    can_cancel: bool,
    errors: FormErrors,
}

fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    x: Activity,
    errors: FormErrors,
) -> DetailPage {
    let rights = svc::rights(st, auth, &x);
    let (kind, status) = (x.kind(), x.status());
    let offered = |to: ActivityStatus| status.mover(kind, to).is_some();
    DetailPage {
        t: ctx.t,
        page: render::chrome(ctx, "activities.detail"),
        can_decide: rights.decide && offered(ActivityStatus::Approved),
        can_complete: rights.keep && offered(ActivityStatus::Done) && x.starts_on <= st.cfg.today(),
        can_cancel: rights.keep && offered(ActivityStatus::Cancelled),
        rights,
        x,
        errors,
    }
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let x = svc::get(&st, auth, id).await?;
    render::html(&detail_page(&st, &ctx, auth, x, FormErrors::default()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusForm {
    status: String,
    reason: String,
    outcome: String,
    version: String,
}

async fn status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let version = Some(crate::form::req_i64(&mut e, "version", &f.version));
    let r = if e.is_empty() {
        svc::set_status(
            &st,
            &ctx,
            id,
            &ActivityStatusInput {
                status: f.status,
                reason: f.reason,
                outcome: f.outcome,
                version,
            },
        )
        .await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, &["reason", "outcome"])? {
        Ok(_) => Ok(see_other(&format!("/activities/{id}"), "saved")),
        Err((code, errors)) => {
            let auth = ctx.auth()?;
            let x = svc::get(&st, auth, id).await?;
            render::html_status(code, &detail_page(&st, &ctx, auth, x, errors))
        }
    }
}

// -------------------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "activities/form.html")]
struct FormPage {
    t: Tr,
    page: Chrome,
    activity: Option<Activity>,
    f: ActivityForm,
    kinds: Vec<Choice>,
    units: Vec<Choice>,
    others: Vec<Choice>,
    leaders: Vec<Choice>,
    errors: FormErrors,
}

impl FormPage {
    /// The lines fields: (input name, text, field of the ids the service checks).
    fn link_fields(&self) -> [(&'static str, &str, &'static str); 3] {
        [
            ("companies", &self.f.companies, "company_ids"),
            ("talents", &self.f.talents, "talent_ids"),
            ("projects", &self.f.projects, "project_ids"),
        ]
    }
}

/// The form as posted: units and leaders are multiple selects; companies, talents and projects
/// are lines of text.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ActivityForm {
    kind: String,
    abroad: String,
    title: String,
    place: String,
    starts_on: String,
    ends_on: String,
    purpose: String,
    outcome: String,
    unit_id: String,
    unit_ids: Vec<String>,
    leader_ids: Vec<String>,
    companies: String,
    talents: String,
    projects: String,
    version: String,
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

impl ActivityForm {
    fn from_activity(x: &Activity) -> Self {
        let i = svc::input_of(x);
        let join = |names: Vec<String>| names.join("\n");
        Self {
            kind: i.kind,
            abroad: if i.abroad { "1".into() } else { String::new() },
            title: i.title,
            place: i.place,
            starts_on: x.starts_on.to_string(),
            ends_on: x.ends_on.to_string(),
            purpose: i.purpose,
            outcome: i.outcome,
            unit_id: x.unit_id.to_string(),
            unit_ids: i.unit_ids.iter().map(i64::to_string).collect(),
            leader_ids: i.leader_ids.iter().map(i64::to_string).collect(),
            companies: join(x.companies.iter().map(|c| c.name.clone()).collect()),
            talents: join(x.talents.iter().map(|c| c.name.clone()).collect()),
            projects: join(
                x.projects
                    .iter()
                    .map(|p| p.name.clone().unwrap_or_else(|| format!("#{}", p.id)))
                    .collect(),
            ),
            version: x.version.to_string(),
        }
    }

    /// The activity as written. A line naming what `current` already links to keeps that link
    /// (a talent's name may be shared, a project may be one the clerk cannot read).
    async fn write(
        &self,
        st: &AppState,
        auth: &Auth,
        current: Option<&Activity>,
        e: &mut Invalid,
    ) -> AppResult<ActivityWrite> {
        let linked = |links: &[zhaoyin_db::activities::Link], line: &str| {
            links.iter().find(|l| l.name == line).map(|l| l.id)
        };
        let linked_project = |line: &str| {
            current.and_then(|a| {
                a.projects
                    .iter()
                    .find(|p| p.name.as_deref() == Some(line) || format!("#{}", p.id) == line)
                    .map(|p| p.id)
            })
        };
        let ids = |e: &mut Invalid, field: &str, v: &[String]| -> Vec<i64> {
            v.iter().filter_map(|s| opt_i64(e, field, s)).collect()
        };
        let mut company_ids = Vec::new();
        for line in lines(&self.companies) {
            if let Some(id) = current.and_then(|a| linked(&a.companies, line)) {
                company_ids.push(id);
                continue;
            }
            match crate::service::projects::resolve_investor(st, auth, line, None).await? {
                Some(id) => company_ids.push(id),
                None => e.push(FieldError::new("companies", "err.line_unknown").with("line", line)),
            }
        }
        let mut talent_ids = Vec::new();
        for line in lines(&self.talents) {
            if let Some(id) = current.and_then(|a| linked(&a.talents, line)) {
                talent_ids.push(id);
                continue;
            }
            match svc::resolve_talent(st, auth, line).await? {
                Ok(id) => talent_ids.push(id),
                Err(code) => e.push(FieldError::new("talents", code).with("line", line)),
            }
        }
        let mut project_ids = Vec::new();
        for line in lines(&self.projects) {
            if let Some(id) = linked_project(line) {
                project_ids.push(id);
                continue;
            }
            match svc::resolve_project(st, auth, line).await? {
                Ok(id) => project_ids.push(id),
                Err(code) => e.push(FieldError::new("projects", code).with("line", line)),
            }
        }
        Ok(ActivityWrite {
            activity: ActivityInput {
                kind: self.kind.clone(),
                abroad: !self.abroad.is_empty(),
                title: self.title.clone(),
                place: self.place.clone(),
                starts_on: opt_date(e, "starts_on", &self.starts_on),
                ends_on: opt_date(e, "ends_on", &self.ends_on),
                purpose: self.purpose.clone(),
                outcome: self.outcome.clone(),
                unit_ids: ids(e, "unit_ids", &self.unit_ids),
                leader_ids: ids(e, "leader_ids", &self.leader_ids),
                company_ids,
                talent_ids,
                project_ids,
            },
            unit_id: opt_i64(e, "unit_id", &self.unit_id),
            version: opt_i64(e, "version", &self.version),
        })
    }
}

const FIELDS: &[&str] = &[
    "kind",
    "abroad",
    "title",
    "place",
    "starts_on",
    "ends_on",
    "purpose",
    "outcome",
    "unit_id",
    "unit_ids",
    "leader_ids",
    "companies",
    "company_ids",
    "talents",
    "talent_ids",
    "projects",
    "project_ids",
];

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    activity: Option<Activity>,
    f: ActivityForm,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let auth = ctx.auth()?;
    let writable = crate::service::org::writable_units(st, auth, Entity::Activity).await?;
    let all_units = crate::service::projects::unit_choices(st, auth).await?;
    let people = crate::service::projects::people_choices(st, auth).await?;
    let mut others = Choice::list(
        all_units.into_iter().map(|u| (u.id.to_string(), u.name)),
        "",
    );
    for c in &mut others {
        c.selected = f.unit_ids.contains(&c.value);
    }
    let mut leaders = Choice::list(
        people
            .into_iter()
            .map(|p| (p.id.to_string(), format!("{}（{}）", p.name, p.unit_name))),
        "",
    );
    for c in &mut leaders {
        c.selected = f.leader_ids.contains(&c.value);
    }
    Ok(FormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            match (&activity, f.kind.as_str()) {
                (Some(_), _) => "activities.edit",
                (None, "trip") => "activities.new_trip",
                (None, _) => "activities.new",
            },
        ),
        kinds: kind_choices(&ctx.t, &f.kind),
        units: Choice::list(
            writable.into_iter().map(|u| (u.id.to_string(), u.name)),
            &f.unit_id,
        ),
        others,
        leaders,
        activity,
        f,
        errors,
    })
}

/// `/activities/new?kind=trip`: register a trip; other kinds are recorded.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    kind: String,
    project_id: String,
}

async fn new(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    require_writer(&ctx, Entity::Activity)?;
    let auth = ctx.auth()?;
    let today = st.cfg.today().to_string();
    let projects = match q.project_id.trim().parse::<i64>() {
        Ok(id) => crate::service::projects::get(&st, auth, id)
            .await
            .map(|p| p.name)
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let f = ActivityForm {
        kind: if ActivityKind::parse(&q.kind).is_some() {
            q.kind
        } else {
            ActivityKind::Visit.id().into()
        },
        unit_id: auth.user.unit_id.to_string(),
        starts_on: today.clone(),
        ends_on: today,
        projects,
        ..Default::default()
    };
    render::html(&form_page(&st, &ctx, None, f, FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    ListForm(f): ListForm<ActivityForm>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let mut e = Invalid::default();
    let w = f.write(&st, auth, None, &mut e).await?;
    let r = if e.is_empty() {
        svc::create(&st, &ctx, &w).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(x) => Ok(see_other(&format!("/activities/{}", x.id), "created")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let x = svc::get(&st, auth, id).await?;
    if !svc::rights(&st, auth, &x).keep {
        return Err(crate::AppError::Forbidden);
    }
    let f = ActivityForm::from_activity(&x);
    render::html(&form_page(&st, &ctx, Some(x), f, FormErrors::default()).await?)
}

async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ListForm(f): ListForm<ActivityForm>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let current = svc::get(&st, auth, id).await?;
    let mut e = Invalid::default();
    let w = f.write(&st, auth, Some(&current), &mut e).await?;
    let r = if e.is_empty() {
        svc::update(&st, &ctx, id, &w).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(see_other(&format!("/activities/{id}"), "saved")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, Some(current), f, errors).await?)
        }
    }
}

// -------------------------------------------------------------------------------- statistics

/// One figure of the statistics and the list that produced it.
struct Cell {
    n: i64,
    href: String,
}

struct StatsLine {
    unit_name: String,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "activities/stats.html")]
struct StatsPage {
    t: Tr,
    page: Chrome,
    month: String,
    previous: String,
    next: String,
    headers: Vec<String>,
    lines: Vec<StatsLine>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct StatsQuery {
    month: String,
}

fn stats_lines(s: &MonthlyStats) -> Vec<StatsLine> {
    let activity_href = |unit: i64, kind: ActivityKind, abroad: bool| {
        href_with(
            "/activities",
            &ActivityQuery {
                unit_id: Some(unit.to_string()),
                month: Some(s.month.clone()),
                counted: Some("1".into()),
                kind: Some(kind.id().to_string()),
                abroad: abroad.then(|| "1".to_string()),
                ..Default::default()
            },
        )
    };
    let project_href = |unit: i64, stage: Stage| {
        href_with(
            "/projects",
            &ProjectQuery {
                entered: Some(stage.id().to_string()),
                month: Some(s.month.clone()),
                credit_unit_id: Some(unit.to_string()),
                ..Default::default()
            },
        )
    };
    s.rows
        .iter()
        .map(|r| {
            let u = r.unit_id;
            // In the order of STATS_COLUMNS.
            let hrefs = [
                activity_href(u, ActivityKind::Trip, false),
                activity_href(u, ActivityKind::Trip, true),
                activity_href(u, ActivityKind::Visit, false),
                activity_href(u, ActivityKind::Talks, false),
                activity_href(u, ActivityKind::Promotion, false),
                activity_href(u, ActivityKind::Signing, false),
                project_href(u, Stage::Signed),
                project_href(u, LANDED),
            ];
            StatsLine {
                unit_name: r.unit_name.clone(),
                cells: r
                    .figures()
                    .into_iter()
                    .zip(hrefs)
                    .map(|(n, href)| Cell { n, href })
                    .collect(),
            }
        })
        .collect()
}

async fn stats(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StatsQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let month = svc::month_or_this(&st, Some(&q.month))?;
    let s = svc::monthly_stats(&st, auth, month).await?;
    render::html(&StatsPage {
        t: ctx.t,
        page: render::chrome(&ctx, "activities.stats"),
        previous: month.previous().to_string(),
        next: Month {
            first: month.next(),
        }
        .to_string(),
        headers: svc::STATS_COLUMNS
            .iter()
            .map(|c| ctx.t.label("activity_stats", c))
            .collect(),
        lines: stats_lines(&s),
        month: s.month,
    })
}

async fn stats_export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StatsQuery>,
) -> AppResult<Response> {
    let month = svc::month_or_this(&st, Some(&q.month))?;
    Ok(render::xlsx(
        crate::service::activity_sheet::stats(&st, &ctx, month).await?,
        "attachment; filename=\"zhaoyin-activity-stats.xlsx\"; filename*=UTF-8''%E6%8B%9B%E5%BC%95%E6%B4%BB%E5%8A%A8%E6%9C%88%E5%BA%A6%E7%BB%9F%E8%AE%A1.xlsx",
    ))
}

/// The activities workbook.
struct ActivitiesBook;

impl super::import_page::Workbook for ActivitiesBook {
    const BASE: &'static str = "/activities";
    const SECTION: &'static str = "activities";
    const ENTITY: Entity = Entity::Activity;
    const TEMPLATE_FILE: &'static str = "attachment; filename=\"zhaoyin-activities-template.xlsx\"; filename*=UTF-8''%E6%8B%9B%E5%BC%95%E6%B4%BB%E5%8A%A8%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx";
    fn template(t: &Tr) -> AppResult<Vec<u8>> {
        crate::service::activity_sheet::template(t)
    }
    fn import(
        st: &AppState,
        ctx: &Ctx,
        bytes: &[u8],
    ) -> impl Future<Output = AppResult<zhaoyin_db::companies::ImportSummary>> + Send {
        crate::service::activity_sheet::import(st, ctx, bytes)
    }
}
