//! The auditor's screen: search the audit log; entries are read-only everywhere.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;
use zhaoyin_core::paging::Page;
use zhaoyin_db::COUNT_BOUND;
use zhaoyin_db::audit::{Entry, Filter};

use crate::ctx::Ctx;
use crate::form::{Query, nonempty};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::audit as svc;
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(search))
}

pub const ACTIONS: &[&str] = &[
    "create",
    "update",
    "enable",
    "disable",
    "login",
    "login_failed",
    "lock",
    "logout",
    "logout_all",
    "password_change",
    "password_reset",
    "grant",
    "revoke",
    "token_create",
    "token_revoke",
];
pub const ENTITIES: &[&str] = &["region", "unit", "person", "user"];

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
    pub text: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl AuditQuery {
    /// Dates are days in the configured time zone; `until` includes its whole day.
    pub fn filter(&self, t: &Tr) -> Filter {
        let day = |s: &Option<String>, plus: i64| {
            nonempty(s)
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                .and_then(|d| d.checked_add_days(chrono::Days::new(plus.unsigned_abs())))
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|d| t.tz.from_local_datetime(&d).earliest())
                .map(|d| d.with_timezone(&chrono::Utc))
        };
        Filter {
            actor: nonempty(&self.actor),
            action: nonempty(&self.action),
            entity: nonempty(&self.entity),
            entity_id: nonempty(&self.entity_id),
            from: day(&self.from, 0),
            until: day(&self.until, 1),
            text: nonempty(&self.text),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    page: Chrome,
    entries: Vec<Entry>,
    pager: Pager,
    more: bool,
    q: AuditQuery,
    actions: Vec<Choice>,
    entities: Vec<Choice>,
}

impl AuditPage {
    fn actor(&self, e: &Entry) -> String {
        match (e.actor_user_id, e.actor_name.as_str()) {
            (None, "cli") => self.t.t("audit.actor_cli").to_string(),
            (None, "system") => self.t.t("audit.actor_system").to_string(),
            (_, name) => name.to_string(),
        }
    }
}

async fn search(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let filter = q.filter(&ctx.t);
    let page = Page::new(q.page, q.per_page);
    let (entries, total) = svc::search(&st, auth, &filter, page).await?;
    let query = [
        ("actor", q.actor.clone().unwrap_or_default()),
        ("action", q.action.clone().unwrap_or_default()),
        ("entity", q.entity.clone().unwrap_or_default()),
        ("entity_id", q.entity_id.clone().unwrap_or_default()),
        ("from", q.from.clone().unwrap_or_default()),
        ("until", q.until.clone().unwrap_or_default()),
        ("text", q.text.clone().unwrap_or_default()),
    ];
    render::html(&AuditPage {
        t: ctx.t,
        page: render::chrome(&ctx, "audit.title"),
        entries,
        pager: Pager::new("/audit", &query, page, total),
        more: total >= COUNT_BOUND,
        actions: Choice::list(
            ACTIONS
                .iter()
                .map(|a| (a.to_string(), ctx.t.label("audit_action", a))),
            q.action.as_deref().unwrap_or(""),
        ),
        entities: Choice::list(
            ENTITIES
                .iter()
                .map(|e| (e.to_string(), ctx.t.label("audit_entity", e))),
            q.entity.as_deref().unwrap_or(""),
        ),
        q,
    })
}
