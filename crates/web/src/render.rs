//! Page frame (header, navigation, flash message), rendering helpers, the error page and the
//! problem document.

use askama::Template;
use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;

use crate::assets;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem, ProblemField};
use crate::i18n::Tr;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

pub struct NavSection {
    pub label: String,
    pub items: Vec<NavItem>,
}

/// What every page around its content shows.
pub struct Chrome {
    pub title: String,
    pub user_name: Option<String>,
    pub unit_name: Option<String>,
    pub nav: Vec<NavSection>,
    pub csrf: String,
    pub flash: Option<String>,
    pub lang_code: &'static str,
    pub lang_href: String,
    pub asset_version: &'static str,
}

impl Chrome {
    /// URL of an embedded asset with its content version, so browsers may cache it for good.
    pub fn asset(&self, path: &str) -> String {
        format!("/assets/{path}?v={}", self.asset_version)
    }
}

/// The `ok=` query parameter after a redirect names a flash message; only known keys are shown.
const FLASHES: &[&str] = &[
    "saved",
    "complaint_filed",
    "created",
    "disabled",
    "enabled",
    "password_changed",
    "logged_out_all",
    "token_revoked",
    "granted",
    "revoked",
    "password_reset",
];

fn flash_from_query(ctx: &Ctx) -> Option<String> {
    let query = ctx.path_and_query.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    let key = pairs.into_iter().find(|(k, _)| k == "ok")?.1;
    FLASHES
        .iter()
        .find(|k| **k == key)
        .map(|k| ctx.t.t(&format!("flash.{k}")).to_string())
}

fn nav(ctx: &Ctx) -> Vec<NavSection> {
    let t = &ctx.t;
    let path = ctx.path_and_query.split('?').next().unwrap_or("/");
    let item = |href: &'static str, key: &str| NavItem {
        href,
        label: t.t(key).to_string(),
        active: match href {
            "/" => path == "/",
            // The list is not "active" on its sibling screens.
            "/tasks" => {
                path == "/tasks"
                    || (path.starts_with("/tasks/")
                        && !path.starts_with("/tasks/todo")
                        && !path.starts_with("/tasks/lights"))
            }
            "/projects" => {
                path == "/projects"
                    || (path.starts_with("/projects/") && !path.starts_with("/projects/board"))
            }
            "/policies" => {
                path == "/policies"
                    || (path.starts_with("/policies/") && !path.starts_with("/policies/import"))
            }
            _ => path.starts_with(href),
        },
    };
    let Some(auth) = &ctx.auth else {
        return Vec::new();
    };
    let p = &auth.principal;
    let mut first = vec![item("/", "nav.home")];
    let mut inbox = item("/inbox", "nav.inbox");
    if let Some(n) = ctx.unread.filter(|n| *n > 0) {
        inbox.label = t.tf1(
            "nav.inbox_unread",
            "n",
            if n >= 100 {
                "99+".into()
            } else {
                n.to_string()
            },
        );
    }
    first.push(inbox);
    if p.can_somewhere(Entity::Project, Action::Read) {
        first.push(item("/dashboard", "nav.dashboard"));
        first.push(item("/reports", "nav.reports"));
    }
    if p.can_somewhere(Entity::Assessment, Action::Read) {
        first.push(item("/assessments", "nav.assessments"));
    }
    if p.can_somewhere(Entity::Incentive, Action::Read) {
        first.push(item("/incentives", "nav.incentives"));
    }
    if p.reads_a_region(Entity::Incentive) {
        first.push(item("/land", "nav.land"));
    }
    if p.can_somewhere(Entity::Financing, Action::Read) {
        first.push(item("/financing", "nav.financing"));
    }
    if p.can_somewhere(Entity::Complaint, Action::Read) {
        first.push(item("/complaints", "nav.complaints"));
    }
    if p.grants.iter().any(|g| {
        g.role == zhaoyin_core::authz::Role::Supervisor
            && matches!(g.scope, zhaoyin_core::authz::Scope::Region { .. })
    }) {
        first.push(item("/exchange", "nav.exchange"));
    }
    let mut out = vec![NavSection {
        label: String::new(),
        items: first,
    }];
    let mut work = Vec::new();
    if p.can_somewhere(Entity::Task, Action::Read) {
        work.push(item("/tasks/todo", "nav.todo"));
        work.push(item("/tasks/lights", "nav.lights"));
        work.push(item("/tasks", "nav.tasks"));
    }
    if p.can_somewhere(Entity::Policy, Action::Read) {
        work.push(item("/policies", "nav.policies"));
        work.push(item("/public", "nav.portal"));
    }
    if p.can_somewhere(Entity::Policy, Action::Write) {
        work.push(item("/policies/import", "nav.policy_import"));
    }
    if !work.is_empty() {
        out.push(NavSection {
            label: t.t("nav.supervision").to_string(),
            items: work,
        });
    }
    let mut pipeline = Vec::new();
    if p.can_somewhere(Entity::Project, Action::Read) {
        pipeline.push(item("/projects", "nav.projects"));
        pipeline.push(item("/projects/board", "nav.project_board"));
        pipeline.push(item("/problems", "nav.problems"));
        pipeline.push(item("/responsibilities", "nav.responsibilities"));
        pipeline.push(item("/approvals", "nav.approvals"));
        // A county's meetings are read over the county, not from one unit.
        if p.reads_a_region(Entity::Project) {
            pipeline.push(item("/meetings", "nav.meetings"));
        }
        pipeline.push(item("/leader", "nav.leader"));
    }
    if p.can_somewhere(Entity::Company, Action::Read) {
        pipeline.push(item("/companies", "nav.companies"));
    }
    if p.can_somewhere(Entity::Talent, Action::Read) {
        pipeline.push(item("/talents", "nav.talents"));
    }
    if p.can_somewhere(Entity::Chain, Action::Read) {
        pipeline.push(item("/chains", "nav.chains"));
    }
    if p.can_somewhere(Entity::TargetList, Action::Read) {
        pipeline.push(item("/target-lists", "nav.target_lists"));
    }
    if p.can_somewhere(Entity::Activity, Action::Read) {
        pipeline.push(item("/activities", "nav.activities"));
        pipeline.push(item("/activities/stats", "nav.activity_stats"));
    }
    if !pipeline.is_empty() {
        out.push(NavSection {
            label: t.t("nav.pipeline").to_string(),
            items: pipeline,
        });
    }
    let mut org = Vec::new();
    if p.can_somewhere(Entity::Region, Action::Read) {
        org.push(item("/org/regions", "nav.regions"));
    }
    if p.can_somewhere(Entity::Unit, Action::Read) {
        org.push(item("/org/units", "nav.units"));
    }
    if p.can_somewhere(Entity::Person, Action::Read) {
        org.push(item("/org/people", "nav.people"));
    }
    if p.can_somewhere(Entity::Unit, Action::Write) {
        org.push(item("/org/import", "nav.import"));
    }
    if !org.is_empty() {
        out.push(NavSection {
            label: t.t("nav.org").to_string(),
            items: org,
        });
    }
    let mut admin = Vec::new();
    if p.can_somewhere(Entity::User, Action::Read) {
        admin.push(item("/admin/users", "nav.users"));
    }
    if p.can_somewhere(Entity::Unit, Action::Write) {
        admin.push(item("/admin/bots", "nav.bots"));
    }
    if p.has_role(zhaoyin_core::authz::Role::Sysadmin) {
        admin.push(item("/admin/deliveries", "nav.deliveries"));
    }
    if p.can_somewhere(Entity::Audit, Action::Read) {
        admin.push(item("/audit", "nav.audit"));
    }
    if !admin.is_empty() {
        out.push(NavSection {
            label: t.t("nav.admin").to_string(),
            items: admin,
        });
    }
    out.push(NavSection {
        label: String::new(),
        items: vec![
            item("/account", "nav.account"),
            item("/api/docs", "nav.api_docs"),
        ],
    });
    out
}

pub fn chrome(ctx: &Ctx, title_key: &str) -> Chrome {
    let t = &ctx.t;
    let next = crate::ctx::urlencode(&ctx.path_and_query);
    Chrome {
        title: t.t(title_key).to_string(),
        user_name: ctx.auth.as_ref().map(|a| a.user.display_name.clone()),
        unit_name: ctx.auth.as_ref().map(|a| a.user.unit_name.clone()),
        nav: nav(ctx),
        csrf: ctx.csrf.clone(),
        flash: flash_from_query(ctx),
        lang_code: t.lang.code(),
        lang_href: format!("/lang/{}?next={next}", t.lang.other().code()),
        asset_version: assets::version(),
    }
}

/// Renders a template into an HTML response.
/// A workbook to download; `disposition` names the file (ASCII, then UTF-8 for the Chinese name).
pub fn xlsx(bytes: Vec<u8>, disposition: &'static str) -> Response {
    use axum::http::{HeaderValue, header};
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
    );
    r
}

/// Tables as a workbook, a sheet each ([`zhaoyin_office::xlsx::tabled`], written off the async
/// executor), as a download named by `disposition`.
pub async fn tabled(
    sheets: Vec<zhaoyin_office::xlsx::Tabled>,
    disposition: &'static str,
) -> Result<Response, AppError> {
    let bytes = crate::service::blocking(move || zhaoyin_office::xlsx::tabled(&sheets))
        .await?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(xlsx(bytes, disposition))
}

pub fn docx(bytes: Vec<u8>, disposition: &'static str) -> Response {
    use axum::http::{HeaderValue, header};
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
    );
    r
}

/// An uploaded file: a photo whose bytes are an image (`image` is its type, from
/// `service::progress::image_type`) is shown in the page; anything else only downloads, never
/// as what its name says (an uploaded .js or .html must not run on our origin).
pub fn uploaded_file(
    id: i64,
    filename: &str,
    data: Vec<u8>,
    image: Option<&'static str>,
) -> Response {
    use axum::http::{HeaderValue, header};
    let mut r = data.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(image.unwrap_or("application/octet-stream")),
    );
    let encoded = crate::ctx::urlencode(filename).replace('+', "%20");
    let how = if image.is_some() {
        "inline"
    } else {
        "attachment"
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{how}; filename=\"file-{id}\"; filename*=UTF-8''{encoded}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub fn html<T: Template>(tpl: &T) -> Result<Response, AppError> {
    Ok(Html(tpl.render()?).into_response())
}

/// Renders with a status (422 for a form with problems).
pub fn html_status<T: Template>(status: http::StatusCode, tpl: &T) -> Result<Response, AppError> {
    let mut r = html(tpl)?;
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    page: Chrome,
    message: String,
    problems: Vec<String>,
    request_id: String,
    status: u16,
}

pub fn error_page(ctx: &Ctx, err: &AppError) -> Response {
    let t = &ctx.t;
    let message = message(ctx, err);
    let problems = match err {
        AppError::Invalid(i) => i.0.iter().map(|e| t.field_error_full(e)).collect(),
        _ => Vec::new(),
    };
    let page = ErrorPage {
        t: ctx.t,
        page: chrome(ctx, "err.title"),
        message,
        problems,
        request_id: ctx.request_id.clone(),
        status: err.status().as_u16(),
    };
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!("error page: {e}");
            err.status().into_response()
        }
    }
}

fn message(ctx: &Ctx, err: &AppError) -> String {
    let t = &ctx.t;
    match err {
        AppError::Internal(_) => t.tf("err.internal", &[("id", ctx.request_id.clone())]),
        AppError::TooLarge => t.tf("err.too_large", &[("max", human_size(ctx.upload_limit))]),
        other => t.t(other.key()).to_string(),
    }
}

/// Sizes as people read them.
pub fn human_size(bytes: usize) -> String {
    if bytes == 0 {
        return String::from("-");
    }
    if bytes >= 1024 * 1024 {
        format!("{:.0} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", bytes as f64 / 1024.0)
    }
}

pub fn problem(ctx: &Ctx, err: &AppError) -> Response {
    let t = &ctx.t;
    let errors = match err {
        AppError::Invalid(i) => {
            i.0.iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    sheet: e.sheet.clone(),
                    row: e.row,
                    code: e.code.trim_start_matches("err.").to_string(),
                    message: t.field_error(e),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let detail = match err {
        AppError::BadRequest(d) => Some(d.clone()),
        _ => None,
    };
    let body = Problem {
        kind: format!("/api/problems/{}", err.code()),
        title: message(ctx, err),
        status: err.status().as_u16(),
        detail,
        code: err.code().to_string(),
        request_id: Some(ctx.request_id.clone()),
        errors,
    };
    let mut r = Json(body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

/// Links between pages of a list, keeping its filters.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `query` is the list's filter as key/value pairs (without the page number).
    pub fn new(path: &str, query: &[(&str, String)], page: Page, total: i64) -> Self {
        let pages = page.pages(total);
        let link = |n: u32| {
            let mut q: Vec<(&str, String)> = query
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .cloned()
                .collect();
            q.push(("page", n.to_string()));
            format!(
                "{path}?{}",
                serde_urlencoded::to_string(&q).unwrap_or_default()
            )
        };
        Self {
            page: page.number,
            pages,
            total,
            prev: (page.number > 1).then(|| link(page.number - 1)),
            next: (page.number < pages).then(|| link(page.number + 1)),
        }
    }
}

/// An option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    /// Options from (value, label) pairs, `current` selected.
    pub fn list(items: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
        items
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == current,
                value,
                label,
            })
            .collect()
    }
}
