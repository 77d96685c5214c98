//! The upload page of a library's workbook (companies, talents): its intro, its template, and
//! the outcome of an upload — what was done, or every problem by row and column.

use askama::Template;
use axum::response::Response;
use zhaoyin_db::companies::ImportSummary;

use crate::ctx::Ctx;
use crate::i18n::Tr;
use crate::render::{self, Chrome};
use crate::{AppResult, AppState};

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
