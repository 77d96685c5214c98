//! Server-rendered pages. Every form is a plain HTML form that works without JavaScript; list
//! filters are GET forms that htmx turns into live updates of the results.

mod account;
mod activities;
mod approvals;
mod assessments;
pub(crate) mod audit;
mod auth;
pub(crate) mod chains;
mod companies;
mod complaints;
pub(crate) mod dashboard;
mod deliveries;
mod exchange;
mod financing;
mod home;
mod import_page;
mod inbox;
mod incentives;
mod land;
mod leader;
mod meetings;
mod org;
mod policies;
mod portal;
mod problems;
mod progress;
mod projects;
mod reports;
mod responsibilities;
mod screen;
mod talents;
mod targets;
mod tasks;
mod users;

pub use audit::AuditQuery;

use std::collections::HashMap;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;
use crate::i18n::Tr;
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(home::router())
        .merge(account::router())
        .merge(org::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(policies::router())
        .merge(tasks::router())
        .merge(chains::router())
        .merge(talents::router())
        .merge(targets::router())
        .merge(companies::router())
        .merge(projects::router())
        .merge(problems::router())
        .merge(progress::router())
        .merge(approvals::router())
        .merge(meetings::router())
        .merge(assessments::router())
        .merge(incentives::router())
        .merge(land::router())
        .merge(financing::router())
        .merge(complaints::router())
        .merge(inbox::router())
        .merge(deliveries::router())
        .merge(portal::router())
        .merge(leader::router())
        .merge(dashboard::router())
        .merge(reports::router())
        .merge(screen::router())
        .merge(exchange::router())
        .merge(responsibilities::router())
        .merge(activities::router())
}

/// Refuses a page meant for those who may write `entity` somewhere (a form to add one).
pub(crate) fn require_writer(
    ctx: &crate::ctx::Ctx,
    entity: zhaoyin_core::authz::Entity,
) -> AppResult<()> {
    if ctx
        .auth()?
        .principal
        .can_somewhere(entity, zhaoyin_core::authz::Action::Write)
    {
        Ok(())
    } else {
        Err(crate::AppError::Forbidden)
    }
}

/// Problems with a submitted form: by field, plus those that belong to no field.
#[derive(Debug, Default)]
pub struct FormErrors {
    pub fields: HashMap<String, String>,
    pub general: Vec<String>,
}

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&String> {
        self.fields.get(field)
    }
    pub fn any(&self) -> bool {
        !self.fields.is_empty() || !self.general.is_empty()
    }
    /// `fields` names the inputs the form shows; problems with any other field are listed above it.
    pub fn from(t: &Tr, e: &AppError, fields: &[&str]) -> Self {
        let mut out = FormErrors::default();
        match e {
            AppError::Invalid(i) => {
                for fe in &i.0 {
                    if fields.contains(&fe.field.as_str()) && fe.row.is_none() {
                        out.fields
                            .entry(fe.field.clone())
                            .and_modify(|m| {
                                m.push(' ');
                                m.push_str(&t.field_error(fe));
                            })
                            .or_insert_with(|| t.field_error(fe));
                    } else {
                        out.general.push(t.field_error_full(fe));
                    }
                }
            }
            other => out.general.push(t.t(other.key()).to_string()),
        }
        out
    }
}

/// Splits a service result for a form: problems the user can fix are shown on the form (with
/// 422, or 409 for a stale edit); anything else is a real error.
pub fn form_result<T>(
    r: AppResult<T>,
    t: &Tr,
    fields: &[&str],
) -> AppResult<Result<T, (StatusCode, FormErrors)>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(e @ (AppError::Invalid(_) | AppError::Stale)) => {
            Ok(Err((e.status(), FormErrors::from(t, &e, fields))))
        }
        Err(e) => Err(e),
    }
}

/// A posted form as its pairs (a multiple select sends one pair per choice).
pub(super) struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// The company a form names (by name or credit code, as the company inputs' suggestions offer
/// it) in the caller's reach, or a problem on `company_id`: none typed, or none known.
pub(super) async fn company_named(
    st: &crate::AppState,
    auth: &crate::ctx::Auth,
    text: &str,
    e: &mut zhaoyin_core::Invalid,
) -> crate::AppResult<Option<i64>> {
    let id = crate::service::projects::resolve_investor(st, auth, text, None).await?;
    if id.is_none() {
        e.push(zhaoyin_core::FieldError::new(
            "company_id",
            if text.trim().is_empty() {
                "err.required"
            } else {
                "err.investor_unknown"
            },
        ));
    }
    Ok(id)
}

/// After a successful POST: back to a page, with a flash message key.
pub fn see_other(path: &str, flash: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={flash}")).into_response()
}

/// A `next=` target is only ever a path on this site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"), so any
        // whitespace or control character disqualifies the target.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/org/units?page=2")), "/org/units?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
