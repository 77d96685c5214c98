//! Zhaoyin's web layer: server-rendered pages (askama, htmx to enhance), the JSON API under
//! `/api/v1` with its OpenAPI document, sign-in and sessions, CSRF, embedded assets and metrics.
//!
//! Data flows one way: request → [`ctx`] (who, which language, CSRF) → handler (parse) →
//! [`service`] (authorise, call core and db) → render. Pages and API call the same service
//! functions, so a rule is enforced once for both.

pub mod api;
mod assets;
pub mod ctx;
pub mod error;
mod form;
pub mod fuzzing;
pub mod i18n;
mod ops;
mod pages;
mod render;
pub mod service;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use chrono_tz::Tz;
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use zhaoyin_core::password::PasswordPolicy;
use zhaoyin_db::Db;
use zhaoyin_db::sessions::Lifetimes;

pub use error::{AppError, AppResult};

/// Settings the web layer needs (the binary maps its configuration onto this).
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub session_idle: chrono::Duration,
    pub session_absolute: chrono::Duration,
    pub max_failed_logins: i64,
    pub lockout: chrono::Duration,
    pub password: PasswordPolicy,
    /// Largest request body accepted, in bytes (uploads included).
    pub upload_limit: usize,
    /// The address users type, e.g. `https://zhaoyin.example.gov.cn`; makes cookies `Secure`
    /// when https, and is an accepted `Origin`.
    pub public_url: Option<String>,
    /// Believe `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy.
    pub trust_proxy: bool,
    pub tz: Tz,
    pub request_timeout: Duration,
    /// Bearer token that `/metrics` requires; without one, only loopback clients may scrape.
    pub metrics_token: Option<String>,
    /// A deadline this near turns a task yellow; a report late by more turns it red.
    pub light_warn_days: i64,
    /// Which projects are major (重大项目).
    pub major_rule: zhaoyin_core::project::MajorRule,
    /// The talent programs a talent may belong to.
    pub talent_programs: zhaoyin_core::talent::Programs,
    /// Defaults of a new target list.
    pub target_rules: zhaoyin_core::target::TargetRules,
    /// Who approves trips, and the longest activity.
    pub activity_rules: zhaoyin_core::activity::ActivityRules,
    /// Approval stages and how their days are counted.
    pub approval_rules: zhaoyin_core::approval::ApprovalRules,
    /// The key this deployment signs its exchange packages with (a county's), and the counties
    /// whose packages it takes (a city's).
    pub exchange: zhaoyin_core::exchange::Keys,
    /// How often the notice job reads the audit log and scans deadlines.
    pub notice_scan: Duration,
    /// How the delivery job sends notices by email and to the group bots.
    pub outbound: zhaoyin_core::notify::Outbound,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session_idle: chrono::Duration::minutes(30),
            session_absolute: chrono::Duration::hours(12),
            max_failed_logins: 5,
            lockout: chrono::Duration::minutes(15),
            password: PasswordPolicy::default(),
            upload_limit: 10 * 1024 * 1024,
            public_url: None,
            trust_proxy: false,
            tz: chrono_tz::Asia::Shanghai,
            request_timeout: Duration::from_secs(60),
            metrics_token: None,
            light_warn_days: 7,
            major_rule: Default::default(),
            talent_programs: Default::default(),
            target_rules: Default::default(),
            activity_rules: Default::default(),
            approval_rules: Default::default(),
            exchange: Default::default(),
            notice_scan: Duration::from_secs(60),
            outbound: Default::default(),
        }
    }
}

impl WebConfig {
    pub fn light_rules(&self) -> zhaoyin_core::task::LightRules {
        zhaoyin_core::task::LightRules {
            warn_days: self.light_warn_days,
        }
    }

    /// The day instant `t` falls on in the configured time zone.
    pub fn local_date(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// Today in the configured time zone (deadlines and periods are days there).
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz).date_naive()
    }

    /// The real clock, for writes.
    pub fn clock(&self) -> zhaoyin_db::tasks::Clock {
        zhaoyin_db::tasks::Clock {
            today: self.today(),
            now: zhaoyin_db::now(),
            rules: self.light_rules(),
        }
    }

    /// A past day as lists read it: the day, and the first instant after it in the configured
    /// time zone.
    pub fn as_of(&self, day: chrono::NaiveDate) -> zhaoyin_db::tasks::AsOf {
        zhaoyin_db::tasks::AsOf::of(day, self.tz)
    }

    pub fn lifetimes(&self) -> Lifetimes {
        Lifetimes {
            idle: self.session_idle,
            absolute: self.session_absolute,
        }
    }
}

pub struct Inner {
    pub db: Db,
    pub cfg: WebConfig,
    pub metrics: PrometheusHandle,
    /// Dashboards already computed, by reader, query, day and data version.
    pub dashboards: service::dashboard::Cache<service::dashboard::Dashboard>,
    pub reports: service::dashboard::Cache<service::reports::PeriodReport>,
    /// What the dashboard page offers to choose, by reader, region and data version.
    pub(crate) dashboard_choices: service::dashboard::Cache<pages::dashboard::Choices>,
    /// The key of the public complaint form's challenges, read from the database once.
    pub challenge_key: tokio::sync::OnceCell<Vec<u8>>,
}

/// Shared state of every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(db: Db, cfg: WebConfig) -> Self {
        Self(Arc::new(Inner {
            db,
            cfg,
            metrics: ops::metrics_handle(),
            dashboards: Default::default(),
            reports: Default::default(),
            dashboard_choices: Default::default(),
            challenge_key: Default::default(),
        }))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The whole application: pages, API, assets, operations endpoints, and the layers around them.
pub fn app(state: AppState) -> Router {
    let limit = state.cfg.upload_limit;
    let timeout = state.cfg.request_timeout;
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .merge(api::docs_router())
        .merge(assets::router())
        .merge(ops::router())
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), ctx::context))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(ops::track))
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            // One log line per request, at info, carrying the request id of its span.
            TraceLayer::new_for_http()
                .make_span_with(|req: &http::Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(ops::RequestIds::default()))
        // Request ids are ours: one sent by the client must not reach logs and the audit log.
        .layer(middleware::map_request(ops::drop_client_request_id))
        .with_state(state)
}
