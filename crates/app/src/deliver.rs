//! The delivery job: sends the deliveries due (planned with their notices, see
//! `zhaoyin_db::deliveries`) by email over SMTP and to the group bots' webhooks, never inside a
//! request. Each instance leases a batch, sends one message at a time and marks it sent at once;
//! a failure waits by `notify::backoff`. Every message carries its delivery ids (the email's
//! `Message-ID`, the webhook's `X-Zhaoyin-Delivery` header), so a receiver tells a repeat after
//! a crash.

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
    instance: String,
    lease_seconds: i64,
    batch: i64,
}

/// The most deliveries one digest message carries (its ids go in a header line).
const DIGEST_MAX: usize = 50;

/// How long one message may take: half a lease, so that a lease kept just before sending
/// outlasts the send and no other instance takes the message meanwhile.
fn send_timeout(lease_seconds: i64) -> Duration {
    Duration::from_secs(u64::try_from(lease_seconds / 2).unwrap_or(1).clamp(1, 30))
}

fn transport(s: &Smtp, timeout: Duration) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    type T = AsyncSmtpTransport<Tokio1Executor>;
    let b = match s.security {
        SmtpSecurity::None => T::builder_dangerous(&s.host),
        SmtpSecurity::Starttls => T::starttls_relay(&s.host)?,
        SmtpSecurity::Tls => T::relay(&s.host)?,
    };
    let b = b.port(s.port).timeout(Some(timeout));
    Ok(match (&s.username, &s.password) {
        (Some(u), Some(p)) => b.credentials(Credentials::new(u.clone(), p.clone())),
        _ => b,
    }
    .build())
}

impl Sender {
    /// The sender of instance `instance` with the configured relay and clients.
    pub fn new(cfg: &WebConfig, instance: &str) -> anyhow::Result<Self> {
        let timeout = send_timeout(cfg.outbound.lease_seconds);
        let smtp = match &cfg.outbound.smtp {
            Some(s) => Some((transport(s, timeout)?, s.from.parse::<Mailbox>()?)),
            None => None,
        };
        Ok(Self {
            // A webhook's answer is never followed elsewhere: a bot answers where it is.
            http: http_client()
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(5)))
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            smtp,
            base: cfg
                .public_url
                .as_deref()
                .unwrap_or("")
                .trim_end_matches('/')
                .to_string(),
            tr: Tr::new(Lang::Zh, cfg.tz),
            instance: instance.to_string(),
            lease_seconds: cfg.outbound.lease_seconds,
            batch: cfg.outbound.batch,
        })
    }

    fn kind_label(&self, kind: &str) -> String {
        self.tr.label("inbox.kind", kind)
    }

    /// Leases one batch and sends it; returns what happened and whether the batch was full
    /// (more may be due).
    pub async fn tick(&self, db: &Db) -> zhaoyin_db::Result<(Tally, bool)> {
        // Unique to this lease: another process that happens to get the same name (a
        // container's address and pid) never reads it as its own.
        let owner = format!("{}#{:016x}", self.instance, rand::random::<u64>());
        let email = self.smtp.is_some();
        let leased = store::lease(db, &owner, self.batch, self.lease_seconds, email).await?;
        let full = i64::try_from(leased.len()).unwrap_or(i64::MAX) >= self.batch;
        let mut tally = Tally::default();
        for group in groups(leased) {
            let ids: Vec<i64> = group.iter().map(|d| d.id).collect();
            let n = ids.len() as u64;
            // Still ours, for one more send's time: else another instance has it.
            if !store::hold(db, &owner, &ids, self.lease_seconds).await? {
                continue;
            }
            match self.send(&group, &ids).await {
                Ok(()) => {
                    store::sent(db, &owner, &ids).await?;
                    tally.sent += n;
                    metrics::counter!("deliveries_sent_total").increment(n);
                }
                Err(Failure::NoTarget) => {
                    store::failed(db, &owner, &ids, store::NO_TARGET, None).await?;
                    tally.failed += n;
                }
                Err(Failure::Error(e)) => {
                    tracing::warn!("delivery {ids:?} failed: {e}");
                    // The group waits as one: a digest stays one message.
                    let attempts = group.iter().map(|d| d.attempts).max().unwrap_or(0) + 1;
                    let wait = notify::backoff(u32::try_from(attempts).unwrap_or(u32::MAX));
                    if wait.is_some() {
                        tally.retried += n;
                    } else {
                        tally.failed += n;
                    }
                    store::failed(db, &owner, &ids, &e, wait).await?;
                    metrics::counter!("deliveries_failed_total").increment(n);
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
            // The address holds the bot's token: errors never repeat it.
            .map_err(|e| Failure::Error(e.without_url().to_string()))?;
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

/// The messages of a leased batch: a digest delivery goes with the others of its target and
/// channel leased with it (up to [`DIGEST_MAX`]), every other one alone; in the order leased.
fn groups(leased: Vec<Leased>) -> Vec<Vec<Leased>> {
    let mut out: Vec<Vec<Leased>> = Vec::new();
    let mut digest_of: std::collections::HashMap<(String, String), usize> = Default::default();
    for d in leased {
        if d.digest {
            let key = (d.target.clone(), d.channel.clone());
            if let Some(group) = digest_of
                .get(&key)
                .and_then(|&i| out.get_mut(i))
                .filter(|g| g.len() < DIGEST_MAX)
            {
                group.push(d);
                continue;
            }
            digest_of.insert(key, out.len());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, target: &str, digest: bool) -> Leased {
        Leased {
            id,
            target: target.into(),
            channel: "email".into(),
            kind: "task_due".into(),
            title: format!("任务 {id}"),
            body: None,
            link: format!("/tasks/{id}"),
            digest,
            attempts: 0,
            email: Some("a@example.gov.cn".into()),
            url: None,
            secret: None,
        }
    }

    #[test]
    fn a_digest_gathers_its_targets_rows_and_the_rest_go_alone() {
        let mut leased = vec![
            row(1, "user:1", true),
            row(2, "user:2", false),
            row(3, "user:1", true),
            row(4, "user:2", false),
            row(5, "user:3", true),
        ];
        leased.extend((10..10 + DIGEST_MAX as i64).map(|id| row(id, "user:4", true)));
        let ids: Vec<Vec<i64>> = groups(leased)
            .iter()
            .map(|g| g.iter().map(|d| d.id).collect())
            .collect();
        assert_eq!(ids[..4], [vec![1, 3], vec![2], vec![4], vec![5]]);
        // A digest carries at most DIGEST_MAX; the rest start another.
        assert_eq!(ids[4].len(), DIGEST_MAX);
        assert_eq!(ids.len(), 5);
        let mut more = vec![row(1, "user:4", true); DIGEST_MAX + 1];
        for (i, r) in more.iter_mut().enumerate() {
            r.id = i as i64;
        }
        assert_eq!(
            groups(more).iter().map(Vec::len).collect::<Vec<_>>(),
            [DIGEST_MAX, 1]
        );
    }
}
