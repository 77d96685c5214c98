//! The upload pages of a library's workbook (companies, talents, projects, activities): its
//! intro, its template, and the outcome of an upload — what was done, or every problem by row and
//! column. A library describes its workbook once ([`Workbook`]) and gets the three routes.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use zhaoyin_core::authz::Entity;
use zhaoyin_db::companies::ImportSummary;

use super::require_writer;
use crate::ctx::Ctx;
use crate::i18n::Tr;
use crate::render::{self, Chrome};
use crate::{AppResult, AppState};

/// A library with an Excel template and import.
pub(crate) trait Workbook: 'static {
    /// The list's path (`/companies`); the pages are `{BASE}/import` and `{BASE}/template.xlsx`.
    const BASE: &'static str;
    /// Its texts in locales/: `{SECTION}.import`, `.import_intro`, `.import_done`, `.title`.
    const SECTION: &'static str;
    /// Who may import: those who may write this somewhere.
    const ENTITY: Entity;
    /// The template's Content-Disposition.
    const TEMPLATE_FILE: &'static str;
    fn template(t: &Tr) -> AppResult<Vec<u8>>;
    fn import(
        st: &AppState,
        ctx: &Ctx,
        bytes: &[u8],
    ) -> impl Future<Output = AppResult<ImportSummary>> + Send;
}

/// The upload page, the upload and the template of a workbook.
pub(crate) fn routes<W: Workbook>() -> Router<AppState> {
    Router::new()
        .route(
            &format!("{}/import", W::BASE),
            get(page::<W>).post(upload::<W>),
        )
        .route(&format!("{}/template.xlsx", W::BASE), get(template::<W>))
}

async fn page<W: Workbook>(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    require_writer(&ctx, W::ENTITY)?;
    render::html(&ImportPage::new(
        &st,
        &ctx,
        W::BASE,
        W::SECTION,
        None,
        Vec::new(),
    ))
}

async fn template<W: Workbook>(ctx: Ctx) -> AppResult<Response> {
    require_writer(&ctx, W::ENTITY)?;
    Ok(render::xlsx(W::template(&ctx.t)?, W::TEMPLATE_FILE))
}

async fn upload<W: Workbook>(
    State(st): State<AppState>,
    ctx: Ctx,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    require_writer(&ctx, W::ENTITY)?;
    let result = match super::org::uploaded_file(mp).await {
        Ok(bytes) => W::import(&st, &ctx, &bytes).await,
        Err(e) => Err(e),
    };
    ImportPage::outcome(&st, &ctx, W::BASE, W::SECTION, result)
}

/// A library's upload page: its intro, its template and the outcome of the last upload.
#[derive(Template)]
#[template(path = "import.html")]
pub(crate) struct ImportPage {
    t: Tr,
    page: Chrome,
    /// The list's path: `/companies`, `/talents`; `section` names its texts in locales/.
    base: &'static str,
    intro_key: String,
    list_key: String,
    done: Option<String>,
    problems: Vec<String>,
    limit: String,
}

impl ImportPage {
    pub(crate) fn new(
        st: &AppState,
        ctx: &Ctx,
        base: &'static str,
        section: &'static str,
        done: Option<String>,
        problems: Vec<String>,
    ) -> Self {
        ImportPage {
            t: ctx.t,
            page: render::chrome(ctx, &format!("{section}.import")),
            base,
            intro_key: format!("{section}.import_intro"),
            list_key: format!("{section}.title"),
            done,
            problems,
            limit: render::human_size(st.cfg.upload_limit),
        }
    }

    /// The page after an upload: what was done, or every problem by row and column (422).
    pub(crate) fn outcome(
        st: &AppState,
        ctx: &Ctx,
        base: &'static str,
        section: &'static str,
        result: AppResult<ImportSummary>,
    ) -> AppResult<Response> {
        match result {
            Ok(s) => {
                let done = ctx.t.tf(
                    &format!("{section}.import_done"),
                    &[
                        ("created", s.created.to_string()),
                        ("updated", s.updated.to_string()),
                        ("unchanged", s.unchanged.to_string()),
                    ],
                );
                render::html(&Self::new(st, ctx, base, section, Some(done), Vec::new()))
            }
            Err(crate::AppError::Invalid(i)) => {
                let problems = i.0.iter().map(|e| ctx.t.field_error_full(e)).collect();
                render::html_status(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    &Self::new(st, ctx, base, section, None, problems),
                )
            }
            Err(e) => Err(e),
        }
    }
}
