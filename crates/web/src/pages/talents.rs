//! Talent library screens: the list with its filters, a talent's page (facts, programs, status
//! of contact), and the form to add or edit one. The company a talent came with is named by text
//! with suggestions, as a project names its investor.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::company::CompanyStatus;
use zhaoyin_core::paging::Page;
use zhaoyin_core::talent::{ProgramLevel, TalentInput, TalentKind};
use zhaoyin_db::talents::Talent;

use super::companies::{href_with, pager};
use super::{FormErrors, form_result, require_writer, see_other};
use crate::ctx::{Auth, Ctx};
use crate::form::{Form, ListForm, Query, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::companies::StatusInput;
use crate::service::talents::{self as svc, TalentQuery, TalentWrite};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::import_page::routes::<TalentsBook>())
        .route("/talents", get(list).post(create))
        .route("/talents/new", get(new))
        .route("/talents/export.xlsx", get(export))
        .route("/talents/{id}", get(detail).post(update))
        .route("/talents/{id}/edit", get(edit))
        .route("/talents/{id}/status", post(status))
}

fn choices<T: Copy>(
    all: &[T],
    id: impl Fn(T) -> &'static str,
    label: impl Fn(&str) -> String,
    current: &str,
) -> Vec<Choice> {
    Choice::list(
        all.iter().map(|x| (id(*x).to_string(), label(id(*x)))),
        current,
    )
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "talents/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Talent>,
    pager: Pager,
    q: TalentQuery,
    kinds: Vec<Choice>,
    levels: Vec<Choice>,
    statuses: Vec<Choice>,
    problems: Vec<String>,
    can_create: bool,
    export_href: String,
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TalentQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let t = &ctx.t;
    let page = Page::new(q.page, None);
    let (filter, problems) = match q.filter() {
        Ok(f) => (f, Vec::new()),
        Err(e) => (Default::default(), FormErrors::from(t, &e, &[]).general),
    };
    let (rows, total) = svc::list(&st, auth, &filter, page).await?;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    render::html(&ListPage {
        t: ctx.t,
        page: render::chrome(&ctx, "talents.title"),
        pager: pager("/talents", &q, page, total),
        kinds: choices(
            TalentKind::ALL,
            TalentKind::id,
            |k| t.label("talent.kind", k),
            &v(&q.kind),
        ),
        levels: choices(
            ProgramLevel::ALL,
            ProgramLevel::id,
            |k| t.label("talent.level", k),
            &v(&q.level),
        ),
        statuses: choices(
            CompanyStatus::ALL,
            CompanyStatus::id,
            |k| t.label("talent.status", k),
            &v(&q.status),
        ),
        can_create: auth.principal.can_somewhere(Entity::Talent, Action::Write),
        export_href: href_with(
            "/talents/export.xlsx",
            &TalentQuery {
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

// ------------------------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "talents/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    x: Talent,
    moves: Vec<Choice>,
    can_write: bool,
    errors: FormErrors,
}

fn detail_page(ctx: &Ctx, auth: &Auth, x: Talent, errors: FormErrors) -> DetailPage {
    let from = CompanyStatus::parse(&x.status).unwrap_or(CompanyStatus::Potential);
    let moves = Choice::list(
        CompanyStatus::ALL
            .iter()
            .filter(|s| from.can_move(**s))
            .map(|s| (s.id().to_string(), ctx.t.label("talent.status", s.id()))),
        "",
    );
    DetailPage {
        t: ctx.t,
        page: render::chrome(ctx, "talents.detail"),
        can_write: auth.can(Entity::Talent, Action::Write, &x.place()),
        x,
        moves,
        errors,
    }
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let x = svc::get(&st, auth, id).await?;
    render::html(&detail_page(&ctx, auth, x, FormErrors::default()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusForm {
    status: String,
    reason: String,
    version: String,
}

async fn status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let mut e = zhaoyin_core::Invalid::default();
    let version = Some(crate::form::req_i64(&mut e, "version", &f.version));
    let r = if e.is_empty() {
        svc::set_status(
            &st,
            &ctx,
            id,
            &StatusInput {
                status: f.status,
                reason: f.reason,
                version,
            },
        )
        .await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, &["status", "reason"])? {
        Ok(_) => Ok(see_other(&format!("/talents/{id}"), "saved")),
        Err((code, errors)) => {
            let auth = ctx.auth()?;
            let x = svc::get(&st, auth, id).await?;
            render::html_status(code, &detail_page(&ctx, auth, x, errors))
        }
    }
}

// -------------------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "talents/form.html")]
struct FormPage {
    t: Tr,
    page: Chrome,
    talent: Option<Talent>,
    f: TalentForm,
    kinds: Vec<Choice>,
    /// (level label, programs of that level with whether each is chosen).
    programs: Vec<(String, Vec<(String, bool)>)>,
    units: Vec<Choice>,
    /// The project named (read-only on the form), if any.
    project_name: Option<String>,
    errors: FormErrors,
}

/// The form as posted: programs are a group of checkboxes named `programs`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct TalentForm {
    kind: String,
    name: String,
    leader: String,
    team_size: String,
    field: String,
    affiliation: String,
    title: String,
    country: String,
    programs: Vec<String>,
    contact_phone: String,
    email: String,
    /// The company by name or credit code (with suggestions), and the one it was filled with.
    company: String,
    company_id: String,
    project_id: String,
    notes: String,
    unit_id: String,
    version: String,
}

impl TalentForm {
    fn from_talent(x: &Talent) -> Self {
        let i = svc::input_of(x);
        let id = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        Self {
            kind: i.kind,
            name: i.name,
            leader: i.leader,
            team_size: id(i.team_size),
            field: i.field,
            affiliation: i.affiliation,
            title: i.title,
            country: i.country,
            programs: i.programs,
            contact_phone: i.contact_phone,
            email: i.email,
            company: x.company_name.clone().unwrap_or_default(),
            company_id: id(i.company_id),
            project_id: id(i.project_id),
            notes: i.notes,
            unit_id: id(x.unit_id),
            version: x.version.to_string(),
        }
    }

    async fn write(
        &self,
        st: &AppState,
        auth: &Auth,
        e: &mut zhaoyin_core::Invalid,
    ) -> AppResult<TalentWrite> {
        let current = self.company_id.trim().parse().ok();
        let company_id =
            crate::service::projects::resolve_investor(st, auth, &self.company, current).await?;
        if company_id.is_none() && !self.company.trim().is_empty() {
            e.push(zhaoyin_core::FieldError::new(
                "company",
                "err.investor_unknown",
            ));
        }
        Ok(TalentWrite {
            talent: TalentInput {
                kind: self.kind.clone(),
                name: self.name.clone(),
                leader: self.leader.clone(),
                team_size: opt_i64(e, "team_size", &self.team_size),
                field: self.field.clone(),
                affiliation: self.affiliation.clone(),
                title: self.title.clone(),
                country: self.country.clone(),
                programs: self.programs.clone(),
                contact_phone: self.contact_phone.clone(),
                email: self.email.clone(),
                company_id,
                project_id: opt_i64(e, "project_id", &self.project_id),
                notes: self.notes.clone(),
            },
            unit_id: opt_i64(e, "unit_id", &self.unit_id),
            version: opt_i64(e, "version", &self.version),
        })
    }
}

const FIELDS: &[&str] = &[
    "kind",
    "name",
    "leader",
    "team_size",
    "field",
    "affiliation",
    "title",
    "country",
    "programs",
    "contact_phone",
    "email",
    "company",
    "company_id",
    "notes",
    "unit_id",
];

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    talent: Option<Talent>,
    f: TalentForm,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let auth = ctx.auth()?;
    let units = crate::service::org::writable_units(st, auth, Entity::Talent).await?;
    let programs = ProgramLevel::ALL
        .iter()
        .map(|l| {
            (
                ctx.t.label("talent.level", l.id()),
                st.cfg
                    .talent_programs
                    .of_level(*l)
                    .into_iter()
                    .map(|p| {
                        let on = f.programs.contains(&p);
                        (p, on)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, ps)| !ps.is_empty())
        .collect();
    let project_name = match f.project_id.trim().parse::<i64>() {
        Ok(id) => crate::service::projects::get(st, auth, id)
            .await
            .ok()
            .map(|p| p.name),
        Err(_) => None,
    };
    Ok(FormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if talent.is_some() {
                "talents.edit"
            } else {
                "talents.new"
            },
        ),
        kinds: choices(
            TalentKind::ALL,
            TalentKind::id,
            |k| ctx.t.label("talent.kind", k),
            &f.kind,
        ),
        programs,
        units: Choice::list(
            units.into_iter().map(|u| (u.id.to_string(), u.name)),
            &f.unit_id,
        ),
        project_name,
        talent,
        f,
        errors,
    })
}

/// `/talents/new?project_id=…&company=…`: a talent coming with a project or company.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    project_id: String,
    company: String,
}

async fn new(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    require_writer(&ctx, Entity::Talent)?;
    let auth = ctx.auth()?;
    let f = TalentForm {
        unit_id: auth.user.unit_id.to_string(),
        project_id: q.project_id,
        company: q.company,
        ..Default::default()
    };
    render::html(&form_page(&st, &ctx, None, f, FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    ListForm(f): ListForm<TalentForm>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let mut e = zhaoyin_core::Invalid::default();
    let w = f.write(&st, auth, &mut e).await?;
    let r = if e.is_empty() {
        svc::create(&st, &ctx, &w).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(x) => Ok(see_other(&format!("/talents/{}", x.id), "created")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let x = svc::get(&st, auth, id).await?;
    auth.require(Entity::Talent, Action::Write, &x.place())?;
    let f = TalentForm::from_talent(&x);
    render::html(&form_page(&st, &ctx, Some(x), f, FormErrors::default()).await?)
}

async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ListForm(f): ListForm<TalentForm>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let current = svc::get(&st, auth, id).await?;
    let mut e = zhaoyin_core::Invalid::default();
    let w = f.write(&st, auth, &mut e).await?;
    let r = if e.is_empty() {
        svc::update(&st, &ctx, id, &w).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(see_other(&format!("/talents/{id}"), "saved")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, Some(current), f, errors).await?)
        }
    }
}

async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TalentQuery>,
) -> AppResult<Response> {
    let f = q.filter()?;
    Ok(render::xlsx(
        crate::service::talent_sheet::export(&st, &ctx, &f).await?,
        "attachment; filename=\"zhaoyin-talents.xlsx\"; filename*=UTF-8''%E4%BA%BA%E6%89%8D%E5%BA%93.xlsx",
    ))
}

/// The talents workbook.
struct TalentsBook;

impl super::import_page::Workbook for TalentsBook {
    const BASE: &'static str = "/talents";
    const SECTION: &'static str = "talents";
    const ENTITY: Entity = Entity::Talent;
    const TEMPLATE_FILE: &'static str = "attachment; filename=\"zhaoyin-talents-template.xlsx\"; filename*=UTF-8''%E4%BA%BA%E6%89%8D%E5%BA%93%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx";
    fn template(t: &Tr) -> AppResult<Vec<u8>> {
        crate::service::talent_sheet::template(t)
    }
    fn import(
        st: &AppState,
        ctx: &Ctx,
        bytes: &[u8],
    ) -> impl Future<Output = AppResult<zhaoyin_db::companies::ImportSummary>> + Send {
        crate::service::talent_sheet::import(st, ctx, bytes)
    }
}
