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
    /// The deliveries it carries (several in a digest): a receiver that may see a retry after
    /// a crash tells repeats by them.
    pub ids: &'a [i64],
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
        let mut s = format!("**{}**\n\n{}", m.kind_label, plain_in_markdown(m.title));
        if let Some(b) = m.body.filter(|b| !b.trim().is_empty()) {
            s.push_str("\n\n");
            s.push_str(&plain_in_markdown(b));
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
            "ids": m.ids, "kind": m.kind, "kind_label": m.kind_label, "title": m.title,
            "body": m.body, "url": m.url,
        }),
    })
}

/// How email leaves: an SMTP relay (`[smtp]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    /// `starttls` (the usual relay on 587 or 25), `tls` (implicit, 465), or `none` (plain, for
    /// a relay inside the intranet).
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `招引平台 <zhaoyin@example.gov.cn>`.
    pub from: String,
}

impl Default for Smtp {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 25,
            security: SmtpSecurity::Starttls,
            username: None,
            password: None,
            from: String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

/// The delivery job's settings (`[delivery]` and `[smtp]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    /// Email's relay; none: no email is sent (people's addresses wait in their settings).
    pub smtp: Option<Smtp>,
    /// How often each instance looks for deliveries due.
    pub every: std::time::Duration,
    /// How long a leased batch is an instance's before another may take it.
    pub lease_seconds: i64,
    /// How many deliveries one lease takes.
    pub batch: i64,
}

impl Default for Outbound {
    fn default() -> Self {
        Self {
            smtp: None,
            every: std::time::Duration::from_secs(10),
            lease_seconds: 120,
            batch: 50,
        }
    }
}

/// Every kind of notice, as the inbox and the channels name them.
pub const KINDS: &[&str] = &[
    "task_assigned",
    "task_reminded",
    "task_instructed",
    "explanation_asked",
    "report_returned",
    "task_returned",
    "report_due",
    "task_due",
    "task_overdue",
    "problem_assigned",
    "problem_overdue",
    "approval_overdue",
    "complaint_routed",
    "complaint_overdue",
    "award_noticed",
];

/// What a person or a bot asked for: which kinds (every kind when none are named), quiet
/// hours, a daily digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub kinds: Vec<String>,
    pub quiet: Option<Quiet>,
    pub digest: Option<NaiveTime>,
}

/// A local time of day as stored and typed: `HH:MM`.
pub fn parse_hm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

impl Preferences {
    /// From the stored columns (`kinds` comma-separated; times `HH:MM`); what does not read
    /// is left out (the forms refuse it before it is stored).
    pub fn from_columns(
        kinds: &str,
        quiet_from: Option<&str>,
        quiet_until: Option<&str>,
        digest_at: Option<&str>,
    ) -> Self {
        let quiet = match (
            quiet_from.and_then(parse_hm),
            quiet_until.and_then(parse_hm),
        ) {
            (Some(from), Some(until)) if from != until => Some(Quiet { from, until }),
            _ => None,
        };
        Self {
            kinds: kinds
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            quiet,
            digest: digest_at.and_then(parse_hm),
        }
    }

    /// The kinds as stored.
    pub fn kinds_column(&self) -> String {
        self.kinds.join(",")
    }

    pub fn wants(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind)
    }

    /// Whether a group bot posts `kind`: as [`Self::wants`], except that an investor complaint
    /// (told only to those who read it in the unit) goes to a group only when named.
    pub fn wants_in_a_group(&self, kind: &str) -> bool {
        if kind.starts_with("complaint_") {
            self.kinds.iter().any(|k| k == kind)
        } else {
            self.wants(kind)
        }
    }
}

/// Checks preferences as typed (kinds known, times `HH:MM`, quiet hours both or neither and
/// not the same) and gives the stored columns: kinds, quiet from, quiet until, digest.
pub fn check_preferences(
    e: &mut crate::Invalid,
    kinds_typed: &[String],
    quiet_from: Option<&str>,
    quiet_until: Option<&str>,
    digest_at: Option<&str>,
) -> (String, Option<String>, Option<String>, Option<String>) {
    use crate::FieldError;
    let mut kinds: Vec<String> = Vec::new();
    for k in kinds_typed
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
    {
        if !KINDS.contains(&k) {
            e.push(FieldError::new("kinds", "err.choice"));
        } else if !kinds.iter().any(|x| x == k) {
            kinds.push(k.to_string());
        }
    }
    let mut time = |field: &str, v: Option<&str>| -> Option<String> {
        let v = v.map(str::trim).filter(|v| !v.is_empty())?;
        match parse_hm(v) {
            Some(t) => Some(t.format("%H:%M").to_string()),
            None => {
                e.push(FieldError::new(field, "err.notify.time_format"));
                None
            }
        }
    };
    let from = time("quiet_from", quiet_from);
    let until = time("quiet_until", quiet_until);
    let digest = time("digest_at", digest_at);
    match (&from, &until) {
        (Some(a), Some(b)) if a == b => {
            e.push(FieldError::new("quiet_until", "err.notify.quiet_pair"))
        }
        (Some(_), None) => e.push(FieldError::new("quiet_until", "err.notify.quiet_pair")),
        (None, Some(_)) => e.push(FieldError::new("quiet_from", "err.notify.quiet_pair")),
        _ => {}
    }
    (kinds.join(","), from, until, digest)
}

/// A bot's webhook address: http or https, with a host, at most 500 characters.
pub fn check_webhook_url(e: &mut crate::Invalid, field: &str, url: &str) -> String {
    let v = url.trim();
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let ok = v.chars().count() <= 500
        && !v.contains(char::is_whitespace)
        && rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
    if !ok {
        e.push(crate::FieldError::new(field, "err.notify.url"));
    }
    v.to_string()
}

/// Whether a bot took the message: a 2xx answer, and for WeCom and DingTalk an `errcode` of 0,
/// for Feishu a `code` of 0 (they answer 200 with the error in the body). The error, if not.
///
/// The error keeps the status and the bot's own code and message, never the rest of an answer:
/// what a misdirected address answers is not shown back.
pub fn accepted(channel: Channel, status: u16, body: &str) -> Result<(), String> {
    if !(200..300).contains(&status) {
        return Err(format!("HTTP {status}"));
    }
    let (key, message) = match channel {
        Channel::Wecom | Channel::Dingtalk => ("errcode", "errmsg"),
        Channel::Feishu => ("code", "msg"),
        Channel::Email | Channel::Generic => return Ok(()),
    };
    let v: Value = serde_json::from_str(body)
        .map_err(|_| format!("HTTP {status}: not a {} answer", channel.id()))?;
    match v.get(key) {
        Some(code) if code.as_i64() != Some(0) => {
            let said: String = v
                .get(message)
                .and_then(Value::as_str)
                .unwrap_or("")
                .chars()
                .take(100)
                .collect();
            Err(format!("{key} {code}: {said}"))
        }
        _ => Ok(()),
    }
}

/// A webhook's address as shown after it is saved: its scheme and host only. The rest (the
/// bot's access token is in it) is never shown again.
pub fn mask_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let more = rest.len() > authority.len();
    format!("{scheme}://{host}{}", if more { "/…" } else { "" })
}

/// Text from people (a complaint's subject, a reminder) put into a bot's Markdown: the
/// characters that would make a link, an image or markup are given as their full-width forms.
fn plain_in_markdown(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            '(' => '（',
            ')' => '）',
            '<' => '＜',
            '>' => '＞',
            '*' => '＊',
            '`' => '｀',
            '!' => '！',
            '#' => '＃',
            '_' => '＿',
            c => c,
        })
        .collect()
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
        let injected = Message {
            title: "[点此](http://evil.example) <b>",
            ..Message {
                ids: &[1],
                kind: "complaint_routed",
                kind_label: "诉求",
                title: "",
                body: None,
                url: "http://zhaoyin.local/complaints/1",
            }
        };
        let md = webhook_body(Channel::Dingtalk, &injected, None, 0).expect("dingtalk");
        let text = md["markdown"]["text"].as_str().expect("text");
        assert!(
            text.contains("［点此］（http://evil.example） ＜b＞"),
            "{text}"
        );
        let m = Message {
            ids: &[7],
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
        assert_eq!(
            (&g["ids"], &g["kind"]),
            (&json!([7]), &json!("task_overdue"))
        );
        assert_eq!(webhook_body(Channel::Email, &m, None, 0), None);
    }

    #[test]
    fn preferences_read_from_their_columns() {
        let p = Preferences::from_columns(
            "task_due, task_overdue,",
            Some("22:00"),
            Some("07:30"),
            None,
        );
        assert_eq!(p.kinds, ["task_due", "task_overdue"]);
        assert!(p.wants("task_due") && !p.wants("report_returned"));
        assert_eq!(p.quiet.map(|q| q.until), Some(hm("07:30")));
        assert_eq!(p.kinds_column(), "task_due,task_overdue");
        // No kinds named: every kind; half a quiet period or a bad time: none.
        let all = Preferences::from_columns("", Some("22:00"), None, Some("8点"));
        assert!(all.wants("award_noticed"));
        // A group is told of a complaint only when it asked for complaints by name.
        assert!(all.wants("complaint_routed") && !all.wants_in_a_group("complaint_routed"));
        assert!(all.wants_in_a_group("task_due"));
        let named = Preferences::from_columns("complaint_routed", None, None, None);
        assert!(named.wants_in_a_group("complaint_routed"));
        assert_eq!((all.quiet, all.digest), (None, None));
        assert!(KINDS.iter().all(|k| all.wants(k)));
    }

    #[test]
    fn typed_preferences_are_checked_field_by_field() {
        let mut e = crate::Invalid::default();
        let cols = check_preferences(
            &mut e,
            &[
                "task_due".into(),
                "task_due".into(),
                " report_returned ".into(),
            ],
            Some("22:00"),
            Some("7:30"),
            Some(""),
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            cols,
            (
                "task_due,report_returned".to_string(),
                Some("22:00".to_string()),
                Some("07:30".to_string()),
                None
            )
        );
        let mut e = crate::Invalid::default();
        check_preferences(
            &mut e,
            &["everything".into()],
            Some("22:00"),
            None,
            Some("25:00"),
        );
        assert_eq!(
            e.fields().collect::<Vec<_>>(),
            ["kinds", "digest_at", "quiet_until"]
        );
        let mut e = crate::Invalid::default();
        check_webhook_url(
            &mut e,
            "url",
            " https://oapi.dingtalk.com/robot/send?access_token=x ",
        );
        check_webhook_url(&mut e, "url", "ftp://x");
        check_webhook_url(&mut e, "url", "https:///nohost");
        assert_eq!(e.fields().collect::<Vec<_>>(), ["url", "url"]);
    }

    #[test]
    fn a_bot_answering_200_with_an_error_did_not_take_it() {
        assert_eq!(
            accepted(Channel::Dingtalk, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Ok(())
        );
        assert!(
            accepted(
                Channel::Dingtalk,
                200,
                r#"{"errcode":310000,"errmsg":"sign not match"}"#
            )
            .is_err_and(|e| e.contains("sign not match"))
        );
        assert!(
            accepted(
                Channel::Feishu,
                200,
                r#"{"code":19021,"msg":"sign match fail"}"#
            )
            .is_err()
        );
        assert_eq!(accepted(Channel::Feishu, 200, r#"{"code":0}"#), Ok(()));
        assert!(accepted(Channel::Wecom, 200, "<html>").is_err());
        assert!(
            accepted(Channel::Generic, 502, "bad gateway")
                .is_err_and(|e| e.starts_with("HTTP 502"))
        );
        assert_eq!(accepted(Channel::Generic, 204, ""), Ok(()));
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
