//! Channels in the browser: the caller's notice settings (`/account/notices`), the units' group
//! bots (`/admin/bots`), the delivery log (`/admin/deliveries`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::notify::KINDS;
use zhaoyin_core::paging::Page;
use zhaoyin_db::deliveries::{Bot, Delivery, NO_TARGET, Settings};

use super::{FormErrors, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{ListForm, Query};
use crate::i18n::Tr;
use crate::render::{self, Chrome, Pager};
use crate::service::deliveries::{
    self as svc, BotInput, DeliveryLog, DeliveryQuery, SettingsInput,
};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/notices", get(settings).post(save_settings))
        .route("/admin/bots", get(bots).post(add_bot))
        .route("/admin/bots/{id}", get(bot).post(update_bot))
        .route("/admin/bots/{id}/test", post(test_bot))
        .route("/admin/deliveries", get(log))
        .route("/admin/deliveries/{id}/retry", post(retry))
}

/// A kind as a checkbox: its id, its words, whether it is chosen.
pub struct KindBox {
    id: &'static str,
    label: String,
    checked: bool,
}

fn kind_boxes(t: &Tr, chosen: &str) -> Vec<KindBox> {
    let chosen: Vec<&str> = chosen.split(',').filter(|k| !k.is_empty()).collect();
    KINDS
        .iter()
        .map(|k| KindBox {
            id: k,
            label: t.label("inbox.kind", k),
            checked: chosen.contains(k),
        })
        .collect()
}

/// A delivery as a row: its state and error in words.
pub struct Row {
    d: Delivery,
    channel: String,
    kind: String,
    state: String,
    error: String,
}

fn rows(t: &Tr, items: Vec<Delivery>) -> Vec<Row> {
    items
        .into_iter()
        .map(|d| Row {
            channel: t.label("delivery.channel", &d.channel),
            kind: t.label("inbox.kind", &d.kind),
            state: t.label("delivery.state", &d.state),
            error: match d.last_error.as_deref() {
                Some(NO_TARGET) => t.t("delivery.no_target").to_string(),
                Some(e) => e.to_string(),
                None => String::new(),
            },
            d,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "notice_settings.html")]
struct SettingsPage {
    t: Tr,
    page: Chrome,
    s: Settings,
    kinds: Vec<KindBox>,
    email_enabled: bool,
    recent: Vec<Row>,
    errors: FormErrors,
}

async fn settings_page(
    st: &AppState,
    ctx: &Ctx,
    typed: Option<Settings>,
    errors: FormErrors,
) -> AppResult<SettingsPage> {
    let v = svc::my_settings(st, ctx.auth()?).await?;
    let s = typed.unwrap_or(v.settings);
    Ok(SettingsPage {
        t: ctx.t,
        page: render::chrome(ctx, "delivery.settings"),
        kinds: kind_boxes(&ctx.t, &s.kinds),
        s,
        email_enabled: v.email_enabled,
        recent: rows(&ctx.t, v.recent),
        errors,
    })
}

async fn settings(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&settings_page(&st, &ctx, None, FormErrors::default()).await?)
}

const PREF_FIELDS: [&str; 4] = ["kinds", "quiet_from", "quiet_until", "digest_at"];

async fn save_settings(
    State(st): State<AppState>,
    ctx: Ctx,
    ListForm(f): ListForm<SettingsInput>,
) -> AppResult<Response> {
    let mut fields = vec!["email"];
    fields.extend(PREF_FIELDS);
    match form_result(svc::save_my_settings(&st, &ctx, &f).await, &ctx.t, &fields)? {
        Ok(_) => Ok(see_other("/account/notices", "saved")),
        Err((status, errors)) => {
            let typed = Settings {
                email: f.email.clone(),
                kinds: f.kinds.join(","),
                quiet_from: f.quiet_from.clone(),
                quiet_until: f.quiet_until.clone(),
                digest_at: f.digest_at.clone(),
            };
            render::html_status(
                status,
                &settings_page(&st, &ctx, Some(typed), errors).await?,
            )
        }
    }
}

/// A bot form as the browser sends it: an unticked box sends nothing.
#[derive(Deserialize)]
struct BotForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    url: String,
    secret: Option<String>,
    #[serde(default)]
    kinds: Vec<String>,
    quiet_from: Option<String>,
    quiet_until: Option<String>,
    digest_at: Option<String>,
    active: Option<String>,
    version: Option<i64>,
}

impl BotForm {
    fn input(&self) -> BotInput {
        BotInput {
            unit_id: self.unit_id.trim().parse().unwrap_or(0),
            name: self.name.clone(),
            channel: self.channel.clone(),
            url: self.url.clone(),
            secret: self.secret.clone(),
            kinds: self.kinds.clone(),
            quiet_from: self.quiet_from.clone(),
            quiet_until: self.quiet_until.clone(),
            digest_at: self.digest_at.clone(),
            active: Some(self.active.is_some()),
            version: self.version,
        }
    }
}

const BOT_FIELDS: [&str; 9] = [
    "unit_id",
    "name",
    "channel",
    "url",
    "secret",
    "kinds",
    "quiet_from",
    "quiet_until",
    "digest_at",
];

/// What a bot form shows: the bot (or what was typed), the choices.
struct BotDraft {
    id: Option<i64>,
    unit_id: i64,
    name: String,
    channel: String,
    /// The address as typed (empty on a kept bot: it is never shown again).
    url: String,
    /// The kept address as shown: scheme and host.
    url_shown: String,
    signed: bool,
    quiet_from: String,
    quiet_until: String,
    digest_at: String,
    active: bool,
    version: i64,
}

impl BotDraft {
    fn of(b: &Bot) -> Self {
        Self {
            id: Some(b.id),
            unit_id: b.unit_id,
            name: b.name.clone(),
            channel: b.channel.clone(),
            url: String::new(),
            url_shown: b.url.clone(),
            signed: b.signed,
            quiet_from: b.quiet_from.clone().unwrap_or_default(),
            quiet_until: b.quiet_until.clone().unwrap_or_default(),
            digest_at: b.digest_at.clone().unwrap_or_default(),
            active: b.active,
            version: b.version,
        }
    }

    fn typed(f: &BotForm, kept: Option<&Bot>) -> Self {
        Self {
            id: kept.map(|b| b.id),
            unit_id: f.unit_id.trim().parse().unwrap_or(0),
            name: f.name.clone(),
            channel: f.channel.clone(),
            url: f.url.clone(),
            url_shown: kept.map(|b| b.url.clone()).unwrap_or_default(),
            signed: kept.is_some_and(|b| b.signed),
            quiet_from: f.quiet_from.clone().unwrap_or_default(),
            quiet_until: f.quiet_until.clone().unwrap_or_default(),
            digest_at: f.digest_at.clone().unwrap_or_default(),
            active: f.active.is_some(),
            version: f.version.unwrap_or(0),
        }
    }

    fn new_bot() -> Self {
        Self {
            id: None,
            unit_id: 0,
            name: String::new(),
            channel: "dingtalk".into(),
            url: String::new(),
            url_shown: String::new(),
            signed: false,
            quiet_from: String::new(),
            quiet_until: String::new(),
            digest_at: String::new(),
            active: true,
            version: 0,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/bots.html")]
struct BotsPage {
    t: Tr,
    page: Chrome,
    bots: Vec<Bot>,
    /// The bot being added or changed.
    draft: BotDraft,
    kinds: Vec<KindBox>,
    units: Vec<(i64, String)>,
    channels: Vec<(&'static str, String)>,
    errors: FormErrors,
}

async fn bots_page(
    st: &AppState,
    ctx: &Ctx,
    draft: BotDraft,
    kinds: &str,
    errors: FormErrors,
) -> AppResult<BotsPage> {
    let auth = ctx.auth()?;
    let title = if draft.id.is_some() {
        "delivery.bot_edit"
    } else {
        "delivery.bots"
    };
    Ok(BotsPage {
        t: ctx.t,
        page: render::chrome(ctx, title),
        bots: if draft.id.is_some() {
            Vec::new()
        } else {
            svc::bots(st, auth).await?
        },
        draft,
        kinds: kind_boxes(&ctx.t, kinds),
        units: svc::unit_choices(st, auth).await?,
        channels: ["wecom", "dingtalk", "feishu", "generic"]
            .into_iter()
            .map(|c| (c, ctx.t.label("delivery.channel", c)))
            .collect(),
        errors,
    })
}

async fn bots(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render::html(&bots_page(&st, &ctx, BotDraft::new_bot(), "", FormErrors::default()).await?)
}

async fn bot(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let b = svc::bot(&st, ctx.auth()?, id).await?;
    render::html(&bots_page(&st, &ctx, BotDraft::of(&b), &b.kinds, FormErrors::default()).await?)
}

async fn add_bot(
    State(st): State<AppState>,
    ctx: Ctx,
    ListForm(f): ListForm<BotForm>,
) -> AppResult<Response> {
    match form_result(
        svc::add_bot(&st, &ctx, &f.input()).await,
        &ctx.t,
        &BOT_FIELDS,
    )? {
        Ok(b) => Ok(see_other(&format!("/admin/bots/{}", b.id), "created")),
        Err((status, errors)) => {
            let draft = BotDraft::typed(&f, None);
            let page = bots_page(&st, &ctx, draft, &f.kinds.join(","), errors).await?;
            render::html_status(status, &page)
        }
    }
}

async fn update_bot(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ListForm(f): ListForm<BotForm>,
) -> AppResult<Response> {
    let kept = svc::bot(&st, ctx.auth()?, id).await?;
    match form_result(
        svc::update_bot(&st, &ctx, id, &f.input()).await,
        &ctx.t,
        &BOT_FIELDS,
    )? {
        Ok(_) => Ok(see_other(&format!("/admin/bots/{id}"), "saved")),
        Err((status, errors)) => {
            let draft = BotDraft::typed(&f, Some(&kept));
            let page = bots_page(&st, &ctx, draft, &f.kinds.join(","), errors).await?;
            render::html_status(status, &page)
        }
    }
}

async fn test_bot(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    svc::test_bot(&st, &ctx, id).await?;
    Ok(see_other(&format!("/admin/bots/{id}"), "test_queued"))
}

#[derive(Template)]
#[template(path = "admin/deliveries.html")]
struct LogPage {
    t: Tr,
    page: Chrome,
    v: DeliveryLog,
    rows: Vec<Row>,
    /// The states to filter by: id, words, chosen.
    states: Vec<(&'static str, String, bool)>,
    pager: Pager,
}

async fn log(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DeliveryQuery>,
) -> AppResult<Response> {
    let mut v = svc::log(&st, ctx.auth()?, &q).await?;
    let state = q.state.clone().unwrap_or_default();
    let filter = [("state", state.clone())];
    let pager = Pager::new(
        "/admin/deliveries",
        &filter,
        Page::new(q.page, q.per_page),
        v.total,
    );
    let rows = rows(&ctx.t, std::mem::take(&mut v.items));
    let states = ["pending", "sent", "failed"]
        .into_iter()
        .map(|s| (s, ctx.t.label("delivery.state", s), s == state))
        .collect();
    render::html(&LogPage {
        t: ctx.t,
        page: render::chrome(&ctx, "delivery.log"),
        v,
        rows,
        states,
        pager,
    })
}

async fn retry(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    svc::retry(&st, &ctx, id).await?;
    Ok(see_other("/admin/deliveries?state=pending", "retry_queued"))
}
