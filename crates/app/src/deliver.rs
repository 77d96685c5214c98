//! The delivery job: sends the deliveries due (planned with their notices, see
//! `zhaoyin_db::deliveries`) by email over SMTP and to the group bots' webhooks, never inside a
//! request. Each instance leases a batch, sends one message at a time and marks it sent at once;
//! a failure waits by `notify::backoff`. Every message carries its delivery ids (the email's
//! `Message-ID`, the webhook's `X-Zhaoyin-Delivery` header), so a receiver tells a repeat after
//! a crash.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use zhaoyin_core::notify::{self, Channel, Message, Smtp, SmtpSecurity};
use zhaoyin_db::Db;
use zhaoyin_db::deliveries::{self as store, Leased};
use zhaoyin_web::WebConfig;
use zhaoyin_web::i18n::{Lang, Tr};

/// The header every webhook post carries: the delivery ids it holds, comma-separated.
pub const DELIVERY_HEADER: &str = "X-Zhaoyin-Delivery";

/// An HTTP client builder with TLS ready (rustls with the ring provider, installed once for
/// the process): every client of the application and its tests starts here.
#[allow(clippy::disallowed_methods)]
pub fn http_client() -> reqwest::ClientBuilder {
    static PROVIDER: std::sync::Once = std::sync::Once::new();
    PROVIDER.call_once(|| {
        // Fails only when a provider is installed already, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
}

/// What one run of the job did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub sent: u64,
    /// Failed and waiting to be tried again.
    pub retried: u64,
    /// Failed for good (or with nowhere to go).
    pub failed: u64,
}

pub struct Sender {
    http: reqwest::Client,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    /// Where links point: the public address, or none (links stay relative).
    base: String,
    tr: Tr,
    owner: String,
    leases: AtomicU64,
    lease_seconds: i64,
    batch: i64,
}

fn transport(s: &Smtp) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    type T = AsyncSmtpTransport<Tokio1Executor>;
    let b = match s.security {
        SmtpSecurity::None => T::builder_dangerous(&s.host),
        SmtpSecurity::Starttls => T::starttls_relay(&s.host)?,
        SmtpSecurity::Tls => T::relay(&s.host)?,
    };
    let b = b.port(s.port).timeout(Some(Duration::from_secs(30)));
    Ok(match (&s.username, &s.password) {
        (Some(u), Some(p)) => b.credentials(Credentials::new(u.clone(), p.clone())),
        _ => b,
    }
    .build())
}

impl Sender {
    /// The sender of instance `instance` with the configured relay and clients.
    pub fn new(cfg: &WebConfig, instance: &str) -> anyhow::Result<Self> {
        let smtp = match &cfg.outbound.smtp {
            Some(s) => Some((transport(s)?, s.from.parse::<Mailbox>()?)),
            None => None,
        };
        Ok(Self {
            http: http_client()
                .timeout(Duration::from_secs(15))
                .connect_timeout(Duration::from_secs(5))
                .build()?,
            smtp,
            base: cfg
                .public_url
                .as_deref()
                .unwrap_or("")
                .trim_end_matches('/')
                .to_string(),
            tr: Tr::new(Lang::Zh, cfg.tz),
            owner: instance.to_string(),
            leases: AtomicU64::new(0),
            lease_seconds: cfg.outbound.lease_seconds,
            batch: cfg.outbound.batch,
        })
    }

    fn kind_label(&self, kind: &str) -> String {
        self.tr.t(&format!("inbox.kind.{kind}")).to_string()
    }

    /// Leases one batch and sends it; returns what happened and whether the batch was full
    /// (more may be due).
    pub async fn tick(&self, db: &Db) -> zhaoyin_db::Result<(Tally, bool)> {
        let n = self.leases.fetch_add(1, Ordering::Relaxed);
        let owner = format!("{}#{n}", self.owner);
        let leased = store::lease(db, &owner, self.batch, self.lease_seconds).await?;
        let full = i64::try_from(leased.len()).unwrap_or(i64::MAX) >= self.batch;
        let mut tally = Tally::default();
        for group in groups(leased) {
            let ids: Vec<i64> = group.iter().map(|d| d.id).collect();
            match self.send(&group, &ids).await {
                Ok(()) => {
                    store::sent(db, &ids).await?;
                    tally.sent += ids.len() as u64;
                    metrics::counter!("deliveries_sent_total").increment(ids.len() as u64);
                }
                Err(Failure::NoTarget) => {
                    for d in &group {
                        store::failed(db, d, store::NO_TARGET, None).await?;
                        tally.failed += 1;
                    }
                }
                Err(Failure::Error(e)) => {
                    tracing::warn!("delivery {ids:?} failed: {e}");
                    for d in &group {
                        let attempts = u32::try_from(d.attempts + 1).unwrap_or(u32::MAX);
                        let wait = notify::backoff(attempts);
                        if wait.is_some() {
                            tally.retried += 1;
                        } else {
                            tally.failed += 1;
                        }
                        store::failed(db, d, &e, wait).await?;
                    }
                    metrics::counter!("deliveries_failed_total").increment(ids.len() as u64);
                }
            }
        }
        Ok((tally, full))
    }

    async fn send(&self, group: &[Leased], ids: &[i64]) -> Result<(), Failure> {
        let first = group.first().ok_or(Failure::NoTarget)?;
        let channel = first.channel().ok_or(Failure::NoTarget)?;
        // One notice, or a digest of several.
        let (kind, kind_label, title, body, link);
        if let [d] = group {
            kind = d.kind.clone();
            kind_label = self.kind_label(&d.kind);
            title = d.title.clone();
            body = d.body.clone();
            link = d.link.clone();
        } else {
            kind = "digest".to_string();
            kind_label = self.tr.t("delivery.digest").to_string();
            title = self.tr.tf1("delivery.digest_title", "n", group.len());
            body = Some(
                group
                    .iter()
                    .map(|d| {
                        format!(
                            "【{}】{} {}{}",
                            self.kind_label(&d.kind),
                            d.title,
                            self.base,
                            d.link
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            link = "/inbox".to_string();
        }
        let url = format!("{}{}", self.base, link);
        let m = Message {
            ids,
            kind: &kind,
            kind_label: &kind_label,
            title: &title,
            body: body.as_deref(),
            url: &url,
        };
        let id_list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        if channel == Channel::Email {
            let to = first.email.as_deref().ok_or(Failure::NoTarget)?;
            return self.email(to, &m, &id_list).await;
        }
        let hook = first.url.as_deref().ok_or(Failure::NoTarget)?;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let secret = first.secret.as_deref();
        let body = notify::webhook_body(channel, &m, secret, now_ms).ok_or(Failure::NoTarget)?;
        let res = self
            .http
            .post(notify::webhook_url(channel, hook, secret, now_ms))
            .header(DELIVERY_HEADER, &id_list)
            .json(&body)
            .send()
            .await
            .map_err(|e| Failure::Error(e.to_string()))?;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        notify::accepted(channel, status, &text).map_err(Failure::Error)
    }

    async fn email(&self, to: &str, m: &Message<'_>, id_list: &str) -> Result<(), Failure> {
        let Some((transport, from)) = &self.smtp else {
            return Err(Failure::Error(self.tr.t("delivery.no_smtp").to_string()));
        };
        let to: Mailbox = to.parse().map_err(|_| Failure::NoTarget)?;
        let domain = from.email.domain().to_string();
        let mail = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(format!("【{}】{}", m.kind_label, m.title))
            .message_id(Some(format!(
                "<zhaoyin.delivery.{}@{domain}>",
                id_list.replace(',', ".")
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(m.text())
            .map_err(|e| Failure::Error(e.to_string()))?;
        transport
            .send(mail)
            .await
            .map(|_| ())
            .map_err(|e| Failure::Error(e.to_string()))
    }
}

enum Failure {
    /// Nowhere to send it: the address removed, the bot turned off or gone.
    NoTarget,
    Error(String),
}

/// The messages of a leased batch: a digest delivery goes with the others of its target leased
/// with it, every other one alone; in the order leased.
fn groups(leased: Vec<Leased>) -> Vec<Vec<Leased>> {
    let mut out: Vec<Vec<Leased>> = Vec::new();
    let mut digest_of: std::collections::HashMap<String, usize> = Default::default();
    for d in leased {
        if d.digest {
            if let Some(&i) = digest_of.get(&d.target) {
                out[i].push(d);
                continue;
            }
            digest_of.insert(d.target.clone(), out.len());
        }
        out.push(vec![d]);
    }
    out
}

/// Runs the job until no full batch is left (at most `rounds` batches).
pub async fn deliver_tick(db: &Db, sender: &Sender, rounds: usize) -> zhaoyin_db::Result<Tally> {
    let mut all = Tally::default();
    for _ in 0..rounds {
        let (t, full) = sender.tick(db).await?;
        all.sent += t.sent;
        all.retried += t.retried;
        all.failed += t.failed;
        if !full {
            break;
        }
    }
    Ok(all)
}
