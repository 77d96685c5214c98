//! How a notice leaves the platform (the channels of PRODUCT §6), as pure rules: the message of
//! each group bot (WeCom 企业微信, DingTalk 钉钉 with its signed secret, Feishu 飞书) and of the
//! generic JSON webhook; when a delivery may go (quiet hours, the daily digest); how long a
//! failed one waits before it is tried again. The sending itself is the notice job's.

use base64::Engine;
use chrono::{Duration, NaiveDateTime, NaiveTime};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::org::string_enum;

string_enum!(
    /// Where a notice is delivered besides the inbox.
    #[derive(utoipa::ToSchema)]
    Channel {
        Email = "email",
        /// 企业微信 group bot.
        Wecom = "wecom",
        /// 钉钉 group bot (加签: signed with the bot's secret).
        Dingtalk = "dingtalk",
        /// 飞书 group bot (signed when it has a secret).
        Feishu = "feishu",
        /// Any receiver that takes JSON.
        Generic = "generic",
    }
);

/// A notice as it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// The delivery's id: a receiver that may see a retry after a crash tells repeats by it.
    pub id: i64,
    pub kind: &'a str,
    /// The kind in words (任务已逾期 …).
    pub kind_label: &'a str,
    pub title: &'a str,
    pub body: Option<&'a str>,
    /// The page it is about, as the reader opens it (absolute when a public address is set).
    pub url: &'a str,
}

impl Message<'_> {
    /// The message as plain text: what an email's body and a bot's text say.
    pub fn text(&self) -> String {
        let mut s = format!("【{}】{}", self.kind_label, self.title);
        if let Some(b) = self.body.filter(|b| !b.trim().is_empty()) {
            s.push('\n');
            s.push_str(b);
        }
        s.push('\n');
        s.push_str(self.url);
        s
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // An HMAC takes a key of any length.
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    m.update(message);
    m.finalize().into_bytes().to_vec()
}

/// DingTalk's 加签: the HMAC-SHA256, keyed by the secret, of `timestamp + "\n" + secret`, in
/// Base64, URL-encoded; `timestamp_ms` in milliseconds (DingTalk refuses it an hour off).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let mac = hmac_sha256(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    );
    base64::engine::general_purpose::STANDARD
        .encode(mac)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// Feishu's signature: the HMAC-SHA256 keyed by `timestamp + "\n" + secret` of nothing, in
/// Base64; `timestamp_s` in seconds.
pub fn feishu_sign(secret: &str, timestamp_s: i64) -> String {
    let mac = hmac_sha256(format!("{timestamp_s}\n{secret}").as_bytes(), b"");
    base64::engine::general_purpose::STANDARD.encode(mac)
}

/// The address a bot's message is posted to: DingTalk's with its timestamp and signature.
pub fn webhook_url(channel: Channel, url: &str, secret: Option<&str>, now_ms: i64) -> String {
    match (channel, secret.filter(|s| !s.is_empty())) {
        (Channel::Dingtalk, Some(secret)) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!(
                "{url}{sep}timestamp={now_ms}&sign={}",
                dingtalk_sign(secret, now_ms)
            )
        }
        _ => url.to_string(),
    }
}

/// The JSON a webhook of `channel` takes (none for email).
pub fn webhook_body(
    channel: Channel,
    m: &Message<'_>,
    secret: Option<&str>,
    now_ms: i64,
) -> Option<Value> {
    let markdown = {
        let mut s = format!("**{}**\n\n{}", m.kind_label, m.title);
        if let Some(b) = m.body.filter(|b| !b.trim().is_empty()) {
            s.push_str("\n\n");
            s.push_str(b);
        }
        s.push_str(&format!("\n\n[{}]({})", m.url, m.url));
        s
    };
    Some(match channel {
        Channel::Email => return None,
        Channel::Wecom => json!({"msgtype": "markdown", "markdown": {"content": markdown}}),
        Channel::Dingtalk => json!({
            "msgtype": "markdown",
            "markdown": {"title": format!("{}：{}", m.kind_label, m.title), "text": markdown},
        }),
        Channel::Feishu => {
            let mut v = json!({"msg_type": "text", "content": {"text": m.text()}});
            if let Some(secret) = secret.filter(|s| !s.is_empty()) {
                let ts = now_ms.div_euclid(1000);
                v["timestamp"] = json!(ts.to_string());
                v["sign"] = json!(feishu_sign(secret, ts));
            }
            v
        }
        Channel::Generic => json!({
            "id": m.id, "kind": m.kind, "kind_label": m.kind_label, "title": m.title,
            "body": m.body, "url": m.url,
        }),
    })
}

/// How long a delivery that failed for the `attempts`th time waits before the next try: a
/// minute, five, half an hour, two hours, twelve; after the sixth failure, none (it failed).
pub fn backoff(attempts: u32) -> Option<Duration> {
    match attempts {
        0 | 1 => Some(Duration::minutes(1)),
        2 => Some(Duration::minutes(5)),
        3 => Some(Duration::minutes(30)),
        4 => Some(Duration::hours(2)),
        5 => Some(Duration::hours(12)),
        _ => None,
    }
}

/// A person's quiet hours, local time: nothing is sent from `from` until `until` (over midnight
/// when `from` is later than `until`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quiet {
    pub from: NaiveTime,
    pub until: NaiveTime,
}

impl Quiet {
    fn contains(&self, t: NaiveTime) -> bool {
        if self.from <= self.until {
            self.from <= t && t < self.until
        } else {
            t >= self.from || t < self.until
        }
    }
}

/// When a delivery made at `local` may go: at once, or when the quiet hours end; with a daily
/// digest, at the next digest time (today's if it is still to come).
pub fn send_at(
    local: NaiveDateTime,
    quiet: Option<Quiet>,
    digest: Option<NaiveTime>,
) -> NaiveDateTime {
    if let Some(at) = digest {
        let today = local.date().and_time(at);
        return if today >= local {
            today
        } else {
            today + Duration::days(1)
        };
    }
    match quiet {
        Some(q) if q.contains(local.time()) => {
            let end = local.date().and_time(q.until);
            if end > local {
                end
            } else {
                end + Duration::days(1)
            }
        }
        _ => local,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }
    fn hm(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").expect("time")
    }

    #[test]
    fn signatures_match_the_bots_published_algorithms() {
        // Computed independently with Python's hmac, as DingTalk's and Feishu's documents do.
        assert_eq!(
            dingtalk_sign("SECtest-secret", 1_700_000_000_000),
            "LC7hxZ4wslL%2BP7j7gu1hoQ%2BwzByekL%2ByWgiUMekZs0g%3D"
        );
        assert_eq!(
            feishu_sign("SECtest-secret", 1_700_000_000),
            "w45RjJ/JLSmtVNrVDMFrFhYJls6HgrtlxG/UFs43++0="
        );
        let url = webhook_url(
            Channel::Dingtalk,
            "https://oapi.dingtalk.com/robot/send?access_token=abc",
            Some("SECtest-secret"),
            1_700_000_000_000,
        );
        assert_eq!(
            url,
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000\
             &sign=LC7hxZ4wslL%2BP7j7gu1hoQ%2BwzByekL%2ByWgiUMekZs0g%3D"
        );
        assert_eq!(
            webhook_url(Channel::Wecom, "http://x/y", Some("s"), 1),
            "http://x/y"
        );
    }

    #[test]
    fn each_bot_gets_its_own_message() {
        let m = Message {
            id: 7,
            kind: "task_overdue",
            kind_label: "任务已逾期",
            title: "GQ19-04 突出领导干部带头招引",
            body: Some("请说明原因"),
            url: "http://zhaoyin.local/tasks/4",
        };
        assert_eq!(
            m.text(),
            "【任务已逾期】GQ19-04 突出领导干部带头招引\n请说明原因\nhttp://zhaoyin.local/tasks/4"
        );
        let w = webhook_body(Channel::Wecom, &m, None, 0).expect("wecom");
        assert_eq!(w["msgtype"], "markdown");
        assert!(
            w["markdown"]["content"]
                .as_str()
                .expect("content")
                .contains("请说明原因")
        );
        let d = webhook_body(Channel::Dingtalk, &m, None, 0).expect("dingtalk");
        assert_eq!(
            d["markdown"]["title"],
            "任务已逾期：GQ19-04 突出领导干部带头招引"
        );
        let f = webhook_body(
            Channel::Feishu,
            &m,
            Some("SECtest-secret"),
            1_700_000_000_123,
        )
        .expect("feishu");
        assert_eq!(f["content"]["text"], m.text());
        assert_eq!(f["timestamp"], "1700000000");
        assert_eq!(f["sign"], "w45RjJ/JLSmtVNrVDMFrFhYJls6HgrtlxG/UFs43++0=");
        let unsigned = webhook_body(Channel::Feishu, &m, None, 0).expect("feishu");
        assert!(unsigned.get("sign").is_none());
        let g = webhook_body(Channel::Generic, &m, None, 0).expect("generic");
        assert_eq!((&g["id"], &g["kind"]), (&json!(7), &json!("task_overdue")));
        assert_eq!(webhook_body(Channel::Email, &m, None, 0), None);
    }

    #[test]
    fn failures_wait_longer_then_give_up() {
        let waits: Vec<_> = (1..=6).map(backoff).collect();
        assert_eq!(waits[0], Some(Duration::minutes(1)));
        assert!(waits.windows(2).take(4).all(|w| w[0] < w[1]));
        assert_eq!(waits[5], None);
    }

    #[test]
    fn quiet_hours_and_the_digest_decide_when() {
        let night = Quiet {
            from: hm("22:00"),
            until: hm("07:30"),
        };
        // Outside: at once; inside before midnight: the next morning; after midnight: this one.
        assert_eq!(
            send_at(at("2026-03-02 09:00"), Some(night), None),
            at("2026-03-02 09:00")
        );
        assert_eq!(
            send_at(at("2026-03-02 23:10"), Some(night), None),
            at("2026-03-03 07:30")
        );
        assert_eq!(
            send_at(at("2026-03-03 06:59"), Some(night), None),
            at("2026-03-03 07:30")
        );
        // Exactly at the end it goes.
        assert_eq!(
            send_at(at("2026-03-03 07:30"), Some(night), None),
            at("2026-03-03 07:30")
        );
        let lunch = Quiet {
            from: hm("12:00"),
            until: hm("13:30"),
        };
        assert_eq!(
            send_at(at("2026-03-02 12:45"), Some(lunch), None),
            at("2026-03-02 13:30")
        );
        // A digest goes at its time: today's if still to come, else tomorrow's.
        let eight = Some(hm("08:00"));
        assert_eq!(
            send_at(at("2026-03-02 07:00"), Some(night), eight),
            at("2026-03-02 08:00")
        );
        assert_eq!(
            send_at(at("2026-03-02 08:01"), None, eight),
            at("2026-03-03 08:00")
        );
    }
}
