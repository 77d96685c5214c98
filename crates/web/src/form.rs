//! Form and query extractors whose failures become our own clear errors, and helpers for the
//! values HTML forms send as text.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use zhaoyin_core::{FieldError, Invalid};

use crate::{AppError, AppResult};

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

/// A form body whose multiple selects and checkbox groups send one pair per choice: those
/// fields are `Vec`s.
pub struct ListForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ListForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        serde_html_form::from_bytes(&body)
            .map(ListForm)
            .map_err(|e| AppError::BadRequest(e.to_string()))
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

/// A decimal typed into a form: points, amounts. Empty or malformed, a problem on `field` (and
/// zero).
pub fn req_decimal(errors: &mut Invalid, field: &str, s: &str) -> rust_decimal::Decimal {
    let s = s.trim();
    match s.parse() {
        Ok(n) => n,
        Err(_) => {
            let code = if s.is_empty() {
                "err.required"
            } else {
                "err.number"
            };
            errors.push(FieldError::new(field, code));
            rust_decimal::Decimal::ZERO
        }
    }
}

/// An optional date typed into a form or a query ("" is none), as YYYY-MM-DD.
pub fn opt_date(errors: &mut Invalid, field: &str, s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "err.date"));
            None
        }
    }
}

/// An optional period typed into a query, as its days `[first, next)`: a field named `month`
/// takes YYYY-MM, `year` YYYY, any other YYYY-MM, YYYY-Qn or YYYY; `err` names what was expected.
pub fn opt_period(
    errors: &mut Invalid,
    field: &str,
    s: &str,
    err: &'static str,
) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    use zhaoyin_core::report::Period;
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let bounds = Period::parse(s)
        .filter(|p| match field {
            "month" => matches!(p, Period::Month { .. }),
            "year" => matches!(p, Period::Year(_)),
            _ => true,
        })
        .and_then(|p| p.bounds());
    if bounds.is_none() {
        errors.push(FieldError::new(field, err));
    }
    bounds
}

/// An optional "as of" day (YYYY-MM-DD): a past day reads a list as it stood at that day's end
/// in the configured time zone; today or later is now (`None`).
pub fn opt_as_of(
    errors: &mut Invalid,
    cfg: &crate::WebConfig,
    s: &str,
) -> Option<zhaoyin_db::tasks::AsOf> {
    match opt_date(errors, "as_of", s) {
        Some(d) if !zhaoyin_core::validation::date_in_range(d) => {
            errors.push(FieldError::new("as_of", "err.date_range"));
            None
        }
        Some(d) if d < cfg.today() => Some(cfg.as_of(d)),
        _ => None,
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

/// A file sent with a form or an API call.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub data: Vec<u8>,
}

impl Upload {
    /// The name without any directory a browser may send, at most 120 characters.
    pub fn new(filename: &str, data: Vec<u8>) -> Upload {
        let base = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim();
        let name: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
        Upload {
            filename: if name.is_empty() { "file".into() } else { name },
            data,
        }
    }

    pub fn into_new_file(self) -> zhaoyin_db::follow_up::NewFile {
        let content_type = mime_guess::from_path(&self.filename)
            .first_or_octet_stream()
            .essence_str()
            .to_string();
        zhaoyin_db::follow_up::NewFile {
            filename: self.filename,
            content_type,
            data: self.data,
        }
    }
}

/// A file sent inside a JSON body.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct FileInput {
    pub filename: String,
    /// The file's bytes, base64 (standard alphabet, padded).
    pub content_base64: String,
}

/// Files from JSON, decoded; a bad one is named by its place.
pub fn decode_files(field: &str, files: &[FileInput]) -> AppResult<Vec<Upload>> {
    use base64::Engine;
    let mut e = Invalid::default();
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match base64::engine::general_purpose::STANDARD.decode(f.content_base64.trim()) {
            Ok(data) if !data.is_empty() => out.push(Upload::new(&f.filename, data)),
            _ => e.push(FieldError::new(format!("{field}[{i}]"), "err.file_bad")),
        }
    }
    e.into_result()?;
    Ok(out)
}

/// Uploads as files to store.
pub fn new_files(files: Vec<Upload>) -> Vec<zhaoyin_db::follow_up::NewFile> {
    files.into_iter().map(Upload::into_new_file).collect()
}

/// A `multipart/form-data` body: its text fields and its files (empty file inputs left out).
/// The CSRF field was already checked by the middleware.
#[derive(Debug, Default)]
pub struct MultipartForm {
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<(String, Upload)>,
}

impl MultipartForm {
    pub async fn read(mut mp: axum::extract::Multipart) -> Result<MultipartForm, AppError> {
        fn err(e: axum::extract::multipart::MultipartError) -> AppError {
            if e.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest(e.body_text())
            }
        }
        let mut out = MultipartForm::default();
        while let Some(field) = mp.next_field().await.map_err(err)? {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(filename) => {
                    let bytes = field.bytes().await.map_err(err)?;
                    if !bytes.is_empty() {
                        out.files
                            .push((name, Upload::new(&filename, bytes.to_vec())));
                    }
                }
                None => {
                    let text = field.text().await.map_err(err)?;
                    out.fields.insert(name, text);
                }
            }
        }
        Ok(out)
    }

    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// The files sent under `name`.
    pub fn take_files(&mut self, name: &str) -> Vec<Upload> {
        let (mine, rest) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|(n, _)| n == name);
        self.files = rest;
        mine.into_iter().map(|(_, u)| u).collect()
    }
}

/// `path?query` with the empty values left out.
pub(crate) fn href_with<T: serde::Serialize>(path: &str, q: &T) -> String {
    let pairs = query_pairs(q);
    if pairs.is_empty() {
        path.to_string()
    } else {
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

/// A query as its non-empty key/value pairs, without the page number (for pager links).
pub(crate) fn query_pairs<T: serde::Serialize>(q: &T) -> Vec<(String, String)> {
    let text = serde_urlencoded::to_string(q).unwrap_or_default();
    serde_urlencoded::from_str::<Vec<(String, String)>>(&text)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && k != "page")
        .collect()
}

#[cfg(test)]
mod period_tests {
    use super::*;

    #[test]
    fn a_month_or_a_year_field_takes_only_its_kind() {
        let mut e = Invalid::default();
        assert!(opt_period(&mut e, "month", "2026-10", "err.month_format").is_some());
        assert!(opt_period(&mut e, "period", "2026-Q3", "err.period").is_some());
        assert!(e.into_result().is_ok());
        let mut e = Invalid::default();
        assert!(opt_period(&mut e, "month", "2026-Q3", "err.month_format").is_none());
        assert!(opt_period(&mut e, "year", "2026-10", "err.year").is_none());
        assert!(e.into_result().is_err());
    }
}
