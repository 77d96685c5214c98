//! Form and query extractors whose failures become our own clear errors, and helpers for the
//! values HTML forms send as text.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use zhaoyin_core::{FieldError, Invalid};

use crate::AppError;

/// `application/x-www-form-urlencoded` body.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| Form(f.0))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

/// JSON body; a malformed document names what is wrong.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|f| Json(f.0))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

/// Query string.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }
}

/// An optional whole number typed into a form ("" is none).
pub fn opt_i64(errors: &mut Invalid, field: &str, s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(field, "err.number"));
            None
        }
    }
}

/// A required choice (an id from a select).
pub fn req_i64(errors: &mut Invalid, field: &str, s: &str) -> i64 {
    match opt_i64(errors, field, s) {
        Some(n) => n,
        None => {
            if s.trim().is_empty() {
                errors.push(FieldError::new(field, "err.required"));
            }
            0
        }
    }
}

/// Query values that may be empty strings (an unselected filter).
pub fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A filter id from a query value; anything that is not a number means "no filter".
pub fn id_filter(s: &Option<String>) -> Option<i64> {
    nonempty(s).and_then(|s| s.parse().ok())
}
