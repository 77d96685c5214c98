//! Company library screens: the list with its filters, a company's page (its facts, status of
//! contact, projects it invests in), the form to add or edit one, and the picker suggestions
//! other forms use to name an investor.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::company::{
    CompanyFlag, CompanyInput, CompanyStatus, Contact, INDUSTRY_SECTIONS, MAX_CONTACTS,
};
use zhaoyin_core::paging::Page;
use zhaoyin_db::companies::{Company, CompanySort};
use zhaoyin_db::projects::{ProjectFilter, ProjectRow};

use super::{FormErrors, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, ListForm, Query, opt_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::companies::{self as svc, CompanyQuery, CompanyWrite, StatusInput};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::import_page::routes::<CompaniesBook>())
        .route("/companies", get(list).post(create))
        .route("/companies/new", get(new))
        .route("/companies/export.xlsx", get(export))
        .route("/companies/options", get(options))
        .route("/companies/{id}", get(detail).post(update))
        .route("/companies/{id}/edit", get(edit))
        .route("/companies/{id}/status", post(status))
}

pub(crate) use crate::form::{href_with, query_pairs};

pub(crate) fn pager<T: serde::Serialize>(path: &str, q: &T, page: Page, total: i64) -> Pager {
    let pairs = query_pairs(q);
    let borrowed: Vec<(&str, String)> =
        pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    Pager::new(path, &borrowed, page, total)
}

fn flag_choices(t: &Tr, current: &str) -> Vec<Choice> {
    Choice::list(
        CompanyFlag::ALL
            .iter()
            .map(|f| (f.id().to_string(), t.label("company.flag", f.id()))),
        current,
    )
}

fn status_choices(t: &Tr, current: &str) -> Vec<Choice> {
    Choice::list(
        CompanyStatus::ALL
            .iter()
            .map(|s| (s.id().to_string(), t.label("company.status", s.id()))),
        current,
    )
}

fn section_choices(t: &Tr, current: &str) -> Vec<Choice> {
    Choice::list(
        INDUSTRY_SECTIONS.iter().map(|(s, _, _)| {
            let id = s.to_string();
            let label = format!("{s} {}", t.label("industry", &id));
            (id, label)
        }),
        current,
    )
}

// -------------------------------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "companies/list.html")]
struct ListPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Company>,
    pager: Pager,
    q: CompanyQuery,
    flags: Vec<Choice>,
    statuses: Vec<Choice>,
    sections: Vec<Choice>,
    sorts: Vec<Choice>,
    segments: Vec<super::chains::SegmentGroup>,
    problems: Vec<String>,
    can_create: bool,
    export_href: String,
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompanyQuery>,
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
        page: render::chrome(&ctx, "companies.title"),
        pager: pager("/companies", &q, page, total),
        flags: flag_choices(t, &v(&q.flags)),
        statuses: status_choices(t, &v(&q.status)),
        sections: section_choices(t, &v(&q.industry_section)),
        segments: super::chains::segment_groups(&st, auth, None, &[v(&q.segment_id)]).await?,
        sorts: Choice::list(
            CompanySort::ALL
                .iter()
                .map(|(_, id)| (id.to_string(), t.label("company.sort", id))),
            q.sort.as_deref().unwrap_or("recent"),
        ),
        can_create: auth.principal.can_somewhere(Entity::Company, Action::Write),
        export_href: href_with(
            "/companies/export.xlsx",
            &CompanyQuery {
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

/// `<option>`s for a picker's datalist: companies whose name, code or pinyin contains `name`.
#[derive(Template)]
#[template(
    source = "{% for (_, n) in items %}<option value=\"{{ n }}\"></option>{% endfor %}",
    ext = "html"
)]
struct Options {
    items: Vec<(i64, String)>,
}

#[derive(Deserialize)]
struct OptionsQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    investor: String,
}

async fn options(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OptionsQuery>,
) -> AppResult<Response> {
    let text = if q.name.trim().is_empty() {
        q.investor
    } else {
        q.name
    };
    let items = if text.trim().is_empty() {
        Vec::new()
    } else {
        svc::suggest(&st, ctx.auth()?, text.trim()).await?
    };
    render::html(&Options { items })
}

// ------------------------------------------------------------------------------------ detail

#[derive(Template)]
#[template(path = "companies/detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    c: Company,
    /// (chain id, "chain · segment").
    segments: Vec<(i64, String)>,
    projects: Vec<ProjectRow>,
    projects_total: i64,
    moves: Vec<Choice>,
    can_write: bool,
    can_add_project: bool,
    errors: FormErrors,
}

async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    c: Company,
    errors: FormErrors,
) -> AppResult<DetailPage> {
    let auth = ctx.auth()?;
    let from = CompanyStatus::parse(&c.status).unwrap_or(CompanyStatus::Potential);
    let moves = Choice::list(
        CompanyStatus::ALL
            .iter()
            .filter(|s| from.can_move(**s))
            .map(|s| (s.id().to_string(), ctx.t.label("company.status", s.id()))),
        "",
    );
    let (projects, projects_total) = crate::service::projects::list(
        st,
        auth,
        &ProjectFilter {
            investor_id: Some(c.id),
            ..Default::default()
        },
        Page::new(None, Some(50)),
    )
    .await?;
    Ok(DetailPage {
        t: ctx.t,
        page: render::chrome(ctx, "companies.detail"),
        can_write: auth.can(Entity::Company, Action::Write, &c.place()),
        can_add_project: auth.principal.can_somewhere(Entity::Project, Action::Write),
        segments: zhaoyin_db::chains::of_company(&st.db, c.id).await?,
        c,
        projects,
        projects_total,
        moves,
        errors,
    })
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let c = svc::get(&st, ctx.auth()?, id).await?;
    render::html(&detail_page(&st, &ctx, c, FormErrors::default()).await?)
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
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
        Ok(_) => Ok(see_other(&format!("/companies/{id}"), "saved")),
        Err((code, errors)) => {
            let c = svc::get(&st, ctx.auth()?, id).await?;
            render::html_status(code, &detail_page(&st, &ctx, c, errors).await?)
        }
    }
}

// -------------------------------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "companies/form.html")]
struct FormPage {
    t: Tr,
    page: Chrome,
    company: Option<Company>,
    f: CompanyForm,
    flags: Vec<(Choice, bool)>,
    sections: Vec<Choice>,
    units: Vec<Choice>,
    segment_groups: Vec<super::chains::SegmentGroup>,
    segment_field: &'static str,
    segment_multiple: bool,
    errors: FormErrors,
}

/// The form as posted: flags are checkboxes named `flag_<id>`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CompanyForm {
    name: String,
    credit_code: String,
    country: String,
    hq_city: String,
    industry_section: String,
    industry_division: String,
    flag_global500: Option<String>,
    flag_china500: Option<String>,
    flag_private500: Option<String>,
    flag_headquarters: Option<String>,
    flag_listed: Option<String>,
    /// The contact rows, one value per row in each.
    contact_name: Vec<String>,
    contact_title: Vec<String>,
    contact_phone: Vec<String>,
    contact_email: Vec<String>,
    source: String,
    notes: String,
    unit_id: String,
    segment_ids: Vec<String>,
    version: String,
}

impl CompanyForm {
    fn flag(&self, f: CompanyFlag) -> bool {
        match f {
            CompanyFlag::Global500 => self.flag_global500.is_some(),
            CompanyFlag::China500 => self.flag_china500.is_some(),
            CompanyFlag::Private500 => self.flag_private500.is_some(),
            CompanyFlag::Headquarters => self.flag_headquarters.is_some(),
            CompanyFlag::Listed => self.flag_listed.is_some(),
        }
    }

    /// The contact rows as posted (a row left empty is dropped by the check).
    fn contacts(&self) -> Vec<Contact> {
        let rows = [
            &self.contact_name,
            &self.contact_title,
            &self.contact_phone,
            &self.contact_email,
        ]
        .iter()
        .map(|v| v.len())
        .max()
        .unwrap_or(0);
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        (0..rows)
            .map(|i| Contact {
                name: at(&self.contact_name, i),
                title: at(&self.contact_title, i),
                phone: at(&self.contact_phone, i),
                email: at(&self.contact_email, i),
            })
            .collect()
    }

    /// The rows the form shows: the contacts entered and two empty ones to add more.
    fn contact_rows(&self) -> Vec<Contact> {
        let mut rows = self.contacts();
        rows.retain(|c| c != &Contact::default());
        let shown = (rows.len() + 2).min(MAX_CONTACTS).max(rows.len());
        rows.resize(shown, Contact::default());
        rows
    }

    fn from_company(c: &Company) -> Self {
        let i = svc::input_of(c);
        let on = |f: CompanyFlag| c.flags().contains(&f).then(|| "1".to_string());
        Self {
            name: i.name,
            credit_code: i.credit_code,
            country: i.country,
            hq_city: i.hq_city,
            industry_section: i.industry_section,
            industry_division: i.industry_division,
            flag_global500: on(CompanyFlag::Global500),
            flag_china500: on(CompanyFlag::China500),
            flag_private500: on(CompanyFlag::Private500),
            flag_headquarters: on(CompanyFlag::Headquarters),
            flag_listed: on(CompanyFlag::Listed),
            contact_name: i.contacts.iter().map(|c| c.name.clone()).collect(),
            contact_title: i.contacts.iter().map(|c| c.title.clone()).collect(),
            contact_phone: i.contacts.iter().map(|c| c.phone.clone()).collect(),
            contact_email: i.contacts.iter().map(|c| c.email.clone()).collect(),
            source: i.source,
            notes: i.notes,
            unit_id: c.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            segment_ids: c.segment_ids.iter().map(|s| s.to_string()).collect(),
            version: c.version.to_string(),
        }
    }

    fn write(&self, e: &mut zhaoyin_core::Invalid) -> CompanyWrite {
        CompanyWrite {
            company: CompanyInput {
                name: self.name.clone(),
                credit_code: self.credit_code.clone(),
                country: self.country.clone(),
                hq_city: self.hq_city.clone(),
                industry_section: self.industry_section.clone(),
                industry_division: self.industry_division.clone(),
                flags: CompanyFlag::ALL
                    .iter()
                    .filter(|f| self.flag(**f))
                    .map(|f| f.id().to_string())
                    .collect(),
                contacts: self.contacts(),
                source: self.source.clone(),
                notes: self.notes.clone(),
            },
            unit_id: opt_i64(e, "unit_id", &self.unit_id),
            segment_ids: self
                .segment_ids
                .iter()
                .filter_map(|s| opt_i64(e, "segment_ids", s))
                .collect(),
            version: opt_i64(e, "version", &self.version),
        }
    }
}

const FIELDS: &[&str] = &[
    "name",
    "credit_code",
    "country",
    "hq_city",
    "industry_section",
    "industry_division",
    "flags",
    "source",
    "notes",
    "unit_id",
    "segment_ids",
];

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    company: Option<Company>,
    f: CompanyForm,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let auth = ctx.auth()?;
    let units = crate::service::org::writable_units(st, auth, Entity::Company).await?;
    let county = company.as_ref().map(|c| c.region_path.clone());
    let segment_groups = super::chains::segment_groups(st, auth, county, &f.segment_ids).await?;
    Ok(FormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if company.is_some() {
                "companies.edit"
            } else {
                "companies.new"
            },
        ),
        flags: CompanyFlag::ALL
            .iter()
            .map(|fl| {
                (
                    Choice {
                        value: fl.id().to_string(),
                        label: ctx.t.label("company.flag", fl.id()),
                        selected: false,
                    },
                    f.flag(*fl),
                )
            })
            .collect(),
        sections: section_choices(&ctx.t, &f.industry_section),
        units: Choice::list(
            units.into_iter().map(|u| (u.id.to_string(), u.name)),
            &f.unit_id,
        ),
        segment_groups,
        segment_field: "segment_ids",
        segment_multiple: true,
        company,
        f,
        errors,
    })
}

async fn new(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Company, Action::Write) {
        return Err(crate::AppError::Forbidden);
    }
    let f = CompanyForm {
        unit_id: auth.user.unit_id.to_string(),
        ..Default::default()
    };
    render::html(&form_page(&st, &ctx, None, f, FormErrors::default()).await?)
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    ListForm(f): ListForm<CompanyForm>,
) -> AppResult<Response> {
    let mut e = zhaoyin_core::Invalid::default();
    let w = f.write(&mut e);
    let r = if e.is_empty() {
        svc::create(&st, &ctx, &w).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(c) => Ok(see_other(&format!("/companies/{}", c.id), "created")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let c = svc::get(&st, auth, id).await?;
    auth.require(Entity::Company, Action::Write, &c.place())?;
    let f = CompanyForm::from_company(&c);
    render::html(&form_page(&st, &ctx, Some(c), f, FormErrors::default()).await?)
}

async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ListForm(f): ListForm<CompanyForm>,
) -> AppResult<Response> {
    let current = svc::get(&st, ctx.auth()?, id).await?;
    let mut e = zhaoyin_core::Invalid::default();
    let w = f.write(&mut e);
    let r = if e.is_empty() {
        svc::update(&st, &ctx, id, &w).await
    } else {
        Err(e.into())
    };
    match form_result(r, &ctx.t, FIELDS)? {
        Ok(_) => Ok(see_other(&format!("/companies/{id}"), "saved")),
        Err((code, errors)) => {
            render::html_status(code, &form_page(&st, &ctx, Some(current), f, errors).await?)
        }
    }
}

// ------------------------------------------------------------------------------------ Excel

async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompanyQuery>,
) -> AppResult<Response> {
    let f = q.filter()?;
    Ok(render::xlsx(
        crate::service::company_sheet::export(&st, &ctx, &f).await?,
        "attachment; filename=\"zhaoyin-companies.xlsx\"; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%BA%93.xlsx",
    ))
}

/// The companies workbook.
struct CompaniesBook;

impl super::import_page::Workbook for CompaniesBook {
    const BASE: &'static str = "/companies";
    const SECTION: &'static str = "companies";
    const ENTITY: Entity = Entity::Company;
    const TEMPLATE_FILE: &'static str = "attachment; filename=\"zhaoyin-companies-template.xlsx\"; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%BA%93%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx";
    fn template(t: &Tr) -> AppResult<Vec<u8>> {
        crate::service::company_sheet::template(t)
    }
    fn import(
        st: &AppState,
        ctx: &Ctx,
        bytes: &[u8],
    ) -> impl Future<Output = AppResult<zhaoyin_db::companies::ImportSummary>> + Send {
        crate::service::company_sheet::import(st, ctx, bytes)
    }
}
