//! Channels (PRODUCT §6): where a person's notices go besides the inbox (email, which kinds,
//! quiet hours, a daily digest), the units' group bots, and the deliveries with their state.
//! Each person keeps their own settings; a unit's bots are kept by whoever administers the unit
//! (the system administrator over its region); the delivery log is the system
//! administrators'. The sending is the delivery job's (`zhaoyin::deliver`), never a request's.

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::notify::{self, Channel};
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid, validation};
use zhaoyin_db::deliveries::{self as db, Bot, BotFields, Delivery, DeliveryFilter, Settings};

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// A person's settings as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SettingsInput {
    /// Where to send; none: the inbox only.
    pub email: Option<String>,
    /// The kinds to send (see `InboxNotice.kind`); none: every kind.
    pub kinds: Vec<String>,
    /// Quiet hours, local `HH:MM`: both or neither.
    pub quiet_from: Option<String>,
    pub quiet_until: Option<String>,
    /// A daily digest at this local `HH:MM` instead of one message per notice.
    pub digest_at: Option<String>,
}

/// The caller's settings, whether this server sends email at all, and their latest deliveries.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingsView {
    pub settings: Settings,
    /// Whether an SMTP relay is configured; without one, addresses wait.
    pub email_enabled: bool,
    pub recent: Vec<Delivery>,
}

pub async fn my_settings(st: &AppState, auth: &Auth) -> AppResult<SettingsView> {
    let f = DeliveryFilter {
        user_id: Some(auth.user.id),
        ..Default::default()
    };
    Ok(SettingsView {
        settings: db::settings(&st.db, auth.user.id).await?,
        email_enabled: st.cfg.outbound.smtp.is_some(),
        recent: db::list(&st.db, &f, Page::new(Some(1), Some(20))).await?.0,
    })
}

pub async fn save_my_settings(st: &AppState, ctx: &Ctx, i: &SettingsInput) -> AppResult<Settings> {
    let auth = ctx.auth()?;
    let mut e = Invalid::default();
    let email = validation::email(&mut e, "email", crate::form::nonempty(&i.email));
    let (kinds, quiet_from, quiet_until, digest_at) = notify::check_preferences(
        &mut e,
        &i.kinds,
        i.quiet_from.as_deref(),
        i.quiet_until.as_deref(),
        i.digest_at.as_deref(),
    );
    e.into_result()?;
    let s = Settings {
        email,
        kinds,
        quiet_from,
        quiet_until,
        digest_at,
    };
    db::save_settings(&st.db, &ctx.actor(), auth.user.id, &s).await?;
    Ok(s)
}

/// A bot as typed. A secret left empty keeps the one kept (and none is shown).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BotInput {
    pub unit_id: i64,
    pub name: String,
    /// wecom, dingtalk, feishu or generic.
    pub channel: String,
    /// The webhook's whole address (it holds the bot's token); empty when changing a bot keeps
    /// the one kept, which is never shown again.
    pub url: String,
    /// DingTalk's 加签 secret (SEC…) or Feishu's signing secret.
    pub secret: Option<String>,
    /// The kinds to send (see `InboxNotice.kind`); none: every kind.
    pub kinds: Vec<String>,
    /// Quiet hours, local `HH:MM`: both or neither.
    pub quiet_from: Option<String>,
    pub quiet_until: Option<String>,
    /// A daily digest at this local `HH:MM` instead of one message per notice.
    pub digest_at: Option<String>,
    /// Off: nothing is posted. Left out: on for a new bot, unchanged for a bot changed.
    pub active: Option<bool>,
    /// The version read, to change a bot.
    pub version: Option<i64>,
}

fn may_keep(auth: &Auth, unit_place: &zhaoyin_core::org::Place) -> AppResult<()> {
    auth.require(Entity::Unit, Action::Write, unit_place)
}

/// The units the caller may give a bot, by name.
pub async fn unit_choices(st: &AppState, auth: &Auth) -> AppResult<Vec<(i64, String)>> {
    let vis = auth.principal.visibility(Entity::Unit, Action::Write);
    let (units, _) = zhaoyin_db::org::list_units(
        &st.db,
        &vis,
        &zhaoyin_db::org::UnitFilter::default(),
        Page::largest(),
    )
    .await?;
    Ok(units.into_iter().map(|u| (u.id, u.name)).collect())
}

/// The bots the caller may keep (those of the units they administer).
pub async fn bots(st: &AppState, auth: &Auth) -> AppResult<Vec<Bot>> {
    Ok(db::bots(&st.db)
        .await?
        .into_iter()
        .filter(|b| auth.can(Entity::Unit, Action::Write, &b.place()))
        .collect())
}

pub async fn bot(st: &AppState, auth: &Auth, id: i64) -> AppResult<Bot> {
    let b = db::bot(&st.db, id).await?;
    may_keep(auth, &b.place())?;
    Ok(b)
}

/// Checks a bot as typed; `kept` is the bot it changes (whose address and secret an empty field
/// keeps, and whose state a missing `active` keeps).
async fn fields(
    st: &AppState,
    auth: &Auth,
    i: &BotInput,
    kept: Option<&Bot>,
) -> AppResult<BotFields> {
    let mut e = Invalid::default();
    let name = validation::required(&mut e, "name", &i.name, 60);
    let channel = match Channel::parse(i.channel.trim()) {
        Some(Channel::Email) | None => {
            e.push(FieldError::new("channel", "err.choice"));
            String::new()
        }
        Some(c) => c.id().to_string(),
    };
    let url = if kept.is_some() && i.url.trim().is_empty() {
        None
    } else {
        Some(notify::check_webhook_url(&mut e, "url", &i.url))
    };
    let secret = validation::optional(&mut e, "secret", i.secret.as_deref().unwrap_or(""), 200);
    let (kinds, quiet_from, quiet_until, digest_at) = notify::check_preferences(
        &mut e,
        &i.kinds,
        i.quiet_from.as_deref(),
        i.quiet_until.as_deref(),
        i.digest_at.as_deref(),
    );
    match zhaoyin_db::org::get_unit(&st.db, i.unit_id).await {
        Ok(u) if auth.can(Entity::Unit, Action::Write, &u.place()) => {}
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
            e.push(FieldError::new("unit_id", "err.choice"))
        }
        Err(other) => return Err(other.into()),
    }
    e.into_result()?;
    Ok(BotFields {
        unit_id: i.unit_id,
        name,
        channel,
        url_shown: url.as_deref().map(notify::mask_url),
        url,
        secret,
        kinds,
        quiet_from,
        quiet_until,
        digest_at,
        active: i.active.or(kept.map(|b| b.active)).unwrap_or(true),
    })
}

pub async fn add_bot(st: &AppState, ctx: &Ctx, i: &BotInput) -> AppResult<Bot> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Unit, Action::Write) {
        return Err(AppError::Forbidden);
    }
    let f = fields(st, auth, i, None).await?;
    Ok(db::add_bot(&st.db, &ctx.actor(), &f).await?)
}

pub async fn update_bot(st: &AppState, ctx: &Ctx, id: i64, i: &BotInput) -> AppResult<Bot> {
    let auth = ctx.auth()?;
    let kept = bot(st, auth, id).await?;
    let version = i
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let f = fields(st, auth, i, Some(&kept)).await?;
    Ok(db::update_bot(&st.db, &ctx.actor(), id, version, &f).await?)
}

/// Queues a test message to a bot; the delivery job sends it like any other.
pub async fn test_bot(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let auth = ctx.auth()?;
    let b = bot(st, auth, id).await?;
    if !b.active {
        return Err(AppError::invalid("active", "err.notify.bot_off"));
    }
    let title = ctx.t.tf1("delivery.test_title", "name", &b.name);
    Ok(db::test_bot(&st.db, &ctx.actor(), &b, &title).await?)
}

/// The delivery log is the system administrators', each over the units they administer.
fn log_scope(auth: &Auth) -> AppResult<zhaoyin_core::authz::Visibility> {
    if auth.principal.has_role(Role::Sysadmin) {
        Ok(auth.principal.visibility(Entity::Unit, Action::Write))
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct DeliveryQuery {
    /// pending, sent or failed.
    pub state: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryLog {
    pub items: Vec<Delivery>,
    pub total: i64,
    /// How many are pending, sent and failed, in all.
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn log(st: &AppState, auth: &Auth, q: &DeliveryQuery) -> AppResult<DeliveryLog> {
    let within = log_scope(auth)?;
    let state = crate::form::nonempty(&q.state);
    if state
        .as_deref()
        .is_some_and(|s| !["pending", "sent", "failed"].contains(&s))
    {
        return Err(AppError::invalid("state", "err.choice"));
    }
    let counts = db::counts(&st.db, &within).await?;
    let f = DeliveryFilter {
        state,
        user_id: None,
        within: Some(within),
    };
    let (items, total) = db::list(&st.db, &f, Page::new(q.page, q.per_page)).await?;
    let count = |s: &str| counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok(DeliveryLog {
        items,
        total,
        pending: count("pending"),
        sent: count("sent"),
        failed: count("failed"),
    })
}

/// Sends a failed delivery again.
pub async fn retry(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let auth = ctx.auth()?;
    log_scope(auth)?;
    auth.require(Entity::Unit, Action::Write, &db::place(&st.db, id).await?)?;
    Ok(db::retry(&st.db, &ctx.actor(), id).await?)
}
