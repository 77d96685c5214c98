//! One error type for every handler. A handler returns `Err(AppError)`; the response carries
//! the error as an extension and the request-context middleware renders it for the client — a
//! Chinese (or English) HTML page, or RFC 9457 `application/problem+json` under `/api/`.
//! Internal and database details go to the log, never to the user.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhaoyin_core::{FieldError, Invalid};

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("stale edit")]
    Stale,
    #[error("invalid input")]
    Invalid(Invalid),
    #[error("csrf check failed")]
    Csrf,
    #[error("request body too large")]
    TooLarge,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Too many requests from one address (the public complaint form).
    #[error("too many requests")]
    TooMany,
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf | AppError::PasswordChangeRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Stale => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Message key of the error's title.
    pub fn key(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "err.unauthenticated",
            AppError::Forbidden => "err.forbidden",
            AppError::NotFound => "err.not_found",
            AppError::Stale => "err.stale",
            AppError::Invalid(_) => "err.invalid",
            AppError::Csrf => "err.csrf",
            AppError::TooLarge => "err.too_large",
            AppError::TooMany => "err.too_many_requests",
            AppError::BadRequest(_) => "err.bad_request",
            AppError::PasswordChangeRequired => "err.password_change_required",
            AppError::Unavailable(_) => "err.unavailable",
            AppError::Internal(_) => "err.internal",
        }
    }

    /// Machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        self.key().trim_start_matches("err.")
    }

    pub fn invalid(field: &str, code: &'static str) -> Self {
        AppError::Invalid(Invalid::one(FieldError::new(field, code)))
    }

    /// The error an extractor rejection or a bare status turns into.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
            StatusCode::FORBIDDEN => AppError::Forbidden,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => AppError::NotFound,
            StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
            StatusCode::SERVICE_UNAVAILABLE => AppError::Unavailable(status.to_string()),
            s if s.is_client_error() => AppError::BadRequest(s.to_string()),
            s => AppError::Internal(s.to_string()),
        }
    }
}

/// Carried on the response so the middleware can render the error in the request's language.
#[derive(Debug, Clone)]
pub struct ErrorInfo(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(msg) | AppError::Unavailable(msg) = &self {
            tracing::error!(error = %msg, "request failed");
        }
        let mut r = self.status().into_response();
        r.extensions_mut().insert(ErrorInfo(Arc::new(self)));
        r
    }
}

impl From<zhaoyin_db::Error> for AppError {
    fn from(e: zhaoyin_db::Error) -> Self {
        use zhaoyin_db::Error as E;
        match e {
            E::NotFound => AppError::NotFound,
            // A record the write names was changed or removed meanwhile (checked before the
            // write's transaction): as for a stale version, reload and try again.
            E::Stale | E::ForeignKey => AppError::Stale,
            E::Duplicate { field } => {
                AppError::Invalid(Invalid::one(FieldError::new(field, "err.duplicate")))
            }
            E::Invalid(i) => AppError::Invalid(i),
            E::Connect(m) => AppError::Unavailable(m),
            E::Sqlx(sqlx_err) if is_unavailable(&sqlx_err) => {
                AppError::Unavailable(sqlx_err.to_string())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

fn is_unavailable(e: &zhaoyin_db::SqlxError) -> bool {
    matches!(
        e,
        zhaoyin_db::SqlxError::PoolTimedOut
            | zhaoyin_db::SqlxError::PoolClosed
            | zhaoyin_db::SqlxError::Io(_)
    )
}

impl From<Invalid> for AppError {
    fn from(i: Invalid) -> Self {
        AppError::Invalid(i)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// One validation problem in a problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    pub code: String,
    pub message: String,
}

/// RFC 9457 problem details; `title` is in Chinese unless the client asked for English.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

pub type AppResult<T> = Result<T, AppError>;
