//! Configuration: defaults, then a TOML file (`--config`), then `ZHAOYIN_*` environment variables
//! (nested keys with `__`, e.g. `ZHAOYIN_SESSION__IDLE_MINUTES=20`), then command-line flags.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use zhaoyin_core::password::PasswordPolicy;
use zhaoyin_web::WebConfig;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// The address users open (https makes cookies Secure); optional.
    pub public_url: Option<String>,
    /// Trust `X-Forwarded-For`/`-Proto` from a reverse proxy in front.
    pub trust_proxy: bool,
    /// IANA time zone dates are shown in.
    pub timezone: String,
    /// Largest upload, in megabytes.
    pub upload_limit_mb: usize,
    /// `text` or `json`.
    pub log_format: String,
    /// Log filter, e.g. `info` or `zhaoyin=debug,info`; RUST_LOG overrides.
    pub log_level: String,
    /// Bearer token for `/metrics`; without one, only loopback clients may scrape.
    pub metrics_token: Option<String>,
    pub session: SessionConfig,
    pub login: LoginConfig,
    pub password: PasswordConfig,
    pub database: DatabaseConfig,
    /// Which projects are major: `min_outside_investment` (万元) in one of `key_industries`.
    pub major_project: zhaoyin_core::project::MajorRule,
    /// The talent programs (`[[talent.programs]]`: `name`, `level` national/provincial/municipal).
    pub talent: zhaoyin_core::talent::Programs,
    /// Defaults of a new target list: `quotas` per company mark, `min_projects_per_unit`.
    pub target_list: zhaoyin_core::target::TargetRules,
    /// Recruiting activities: `trip_approver` (the role approving registered trips over the
    /// trip's unit: leader by default), `max_days`.
    pub activity: zhaoyin_core::activity::ActivityRules,
    /// "1+N" approvals: `count` (working or calendar days), `holidays` and `workdays` (make-up
    /// working days), `[[approvals.stages]]` (`id`, `name`, `before_start`).
    pub approvals: zhaoyin_core::approval::ApprovalRules,
    /// City–county exchange: `signing_key_file` (a county's key, made by `zhaoyin exchange
    /// keygen`), `[[exchange.trusted]]` (`region_code`, `public_key`: the counties whose
    /// packages a city takes).
    pub exchange: ExchangeConfig,
    /// Notices: `scan_seconds` (how often the audit log and deadlines are read for new ones).
    pub notices: NoticeConfig,
    /// Sending notices out: `send_seconds` (how often), `lease_seconds` (how long a batch is an
    /// instance's), `batch`.
    pub delivery: DeliveryConfig,
    /// Email's SMTP relay: `host`, `port`, `security` (starttls, tls or none), `username`,
    /// `password`, `from`. Without it no email is sent.
    pub smtp: Option<zhaoyin_core::notify::Smtp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliveryConfig {
    pub send_seconds: u64,
    pub lease_seconds: u64,
    pub batch: u32,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        let d = zhaoyin_core::notify::Outbound::default();
        Self {
            send_seconds: d.every.as_secs(),
            lease_seconds: d.lease_seconds.unsigned_abs(),
            batch: u32::try_from(d.batch).unwrap_or(50),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeConfig {
    pub scan_seconds: u64,
}

impl Default for NoticeConfig {
    fn default() -> Self {
        Self { scan_seconds: 60 }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExchangeConfig {
    pub signing_key_file: Option<String>,
    pub trusted: Vec<TrustedCounty>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrustedCounty {
    pub region_code: String,
    pub public_key: String,
}

impl ExchangeConfig {
    /// The keys, each checked: a key file that cannot be read or does not hold a key, or a
    /// public key that is not one, stops the start with its name.
    pub fn keys(&self) -> anyhow::Result<zhaoyin_core::exchange::Keys> {
        use zhaoyin_core::exchange::{signing_key, verifying_key};
        let mut keys = zhaoyin_core::exchange::Keys::default();
        if let Some(file) = self
            .signing_key_file
            .as_deref()
            .filter(|f| !f.trim().is_empty())
        {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("[exchange] signing_key_file {file}: {e}"))?;
            keys.signing = Some(signing_key(&text).ok_or_else(|| {
                anyhow::anyhow!("[exchange] signing_key_file {file}: not a key (64 hex digits)")
            })?);
        }
        for t in &self.trusted {
            let key = verifying_key(&t.public_key).ok_or_else(|| {
                anyhow::anyhow!(
                    "[exchange] trusted {}: public_key is not a key (64 hex digits)",
                    t.region_code
                )
            })?;
            keys.trusted.insert(t.region_code.trim().to_string(), key);
        }
        Ok(keys)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionConfig {
    pub idle_minutes: i64,
    pub absolute_hours: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginConfig {
    /// Failed attempts before the account is locked.
    pub max_failed: i64,
    pub lockout_minutes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordConfig {
    pub min_length: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseConfig {
    pub max_connections: u32,
    pub acquire_timeout_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://zhaoyin.db".into(),
            public_url: None,
            trust_proxy: false,
            timezone: "Asia/Shanghai".into(),
            upload_limit_mb: 10,
            log_format: "text".into(),
            log_level: "info".into(),
            metrics_token: None,
            session: SessionConfig::default(),
            login: LoginConfig::default(),
            password: PasswordConfig::default(),
            database: DatabaseConfig::default(),
            major_project: Default::default(),
            talent: Default::default(),
            target_list: Default::default(),
            activity: Default::default(),
            approvals: Default::default(),
            exchange: Default::default(),
            notices: Default::default(),
            delivery: Default::default(),
            smtp: None,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_minutes: 30,
            absolute_hours: 12,
        }
    }
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            max_failed: 5,
            lockout_minutes: 15,
        }
    }
}

impl Default for PasswordConfig {
    fn default() -> Self {
        Self { min_length: 10 }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout_seconds: 10,
        }
    }
}

impl Config {
    /// The SMTP relay, if one is configured (a host given), with its sender checked.
    fn smtp(&self) -> anyhow::Result<Option<zhaoyin_core::notify::Smtp>> {
        let Some(smtp) = self.smtp.clone().filter(|s| !s.host.trim().is_empty()) else {
            return Ok(None);
        };
        if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            anyhow::bail!("{}", crate::tr().tf1("cli.smtp_from", "from", &smtp.from));
        }
        Ok(Some(smtp))
    }

    /// Defaults ← file ← environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut f = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                anyhow::bail!(
                    "{}",
                    crate::tr().tf1("cli.config_missing", "file", path.display())
                );
            }
            f = f.merge(Toml::file(path));
        }
        f = f.merge(Env::prefixed("ZHAOYIN_").split("__"));
        f.extract()
            .map_err(|e| anyhow::anyhow!("{}", crate::tr().tf1("cli.config_invalid", "detail", e)))
    }

    pub fn web(&self) -> anyhow::Result<WebConfig> {
        let tz: chrono_tz::Tz = self.timezone.parse().map_err(|_| {
            anyhow::anyhow!(
                "{}",
                crate::tr().tf1("cli.unknown_timezone", "tz", &self.timezone)
            )
        })?;
        if self.session.idle_minutes < 1 || self.session.absolute_hours < 1 {
            anyhow::bail!("{}", crate::tr().t("cli.session_bounds"));
        }
        self.talent
            .check()
            .map_err(|e| anyhow::anyhow!("[talent] {e}"))?;
        self.activity
            .approver()
            .map_err(|e| anyhow::anyhow!("[activity] {e}"))?;
        self.approvals.check().map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(WebConfig {
            session_idle: chrono::Duration::minutes(self.session.idle_minutes),
            session_absolute: chrono::Duration::hours(self.session.absolute_hours),
            max_failed_logins: self.login.max_failed.max(1),
            lockout: chrono::Duration::minutes(self.login.lockout_minutes.max(1)),
            password: PasswordPolicy {
                min_length: self.password.min_length.max(8),
            },
            upload_limit: self.upload_limit_mb.max(1) * 1024 * 1024,
            public_url: self.public_url.clone().filter(|u| !u.trim().is_empty()),
            trust_proxy: self.trust_proxy,
            tz,
            metrics_token: self.metrics_token.clone().filter(|t| !t.trim().is_empty()),
            major_rule: self.major_project.clone(),
            talent_programs: self.talent.clone(),
            target_rules: self.target_list.clone(),
            activity_rules: self.activity.clone(),
            approval_rules: self.approvals.clone(),
            exchange: self.exchange.keys()?,
            notice_scan: std::time::Duration::from_secs(self.notices.scan_seconds.clamp(5, 86_400)),
            outbound: zhaoyin_core::notify::Outbound {
                smtp: self.smtp()?,
                every: std::time::Duration::from_secs(self.delivery.send_seconds.clamp(1, 3_600)),
                lease_seconds: i64::try_from(self.delivery.lease_seconds.clamp(5, 86_400))
                    .unwrap_or(120),
                batch: i64::from(self.delivery.batch.clamp(1, 1_000)),
            },
            ..WebConfig::default()
        })
    }

    pub fn pool(&self) -> zhaoyin_db::PoolConfig {
        zhaoyin_db::PoolConfig {
            max_connections: self.database.max_connections.max(1),
            acquire_timeout: std::time::Duration::from_secs(
                self.database.acquire_timeout_seconds.max(1),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(toml: &str) -> Config {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(toml))
            .extract()
            .expect("config")
    }

    #[test]
    fn approval_days_and_stages_come_from_the_file() {
        let c = parsed(
            r#"
[approvals]
count = "calendar"
holidays = ["2026-10-01", "2026-10-02"]
workdays = ["2026-10-10"]
[[approvals.stages]]
id = "permit"
name = "施工许可"
before_start = true
"#,
        );
        let web = c.web().expect("usable");
        let rules = &web.approval_rules;
        assert_eq!(rules.count, zhaoyin_core::approval::DayCount::Calendar);
        assert_eq!(rules.holidays.len(), 2);
        assert_eq!(rules.stages.len(), 1);
        assert!(rules.stages[0].before_start);
        // A day both off and worked stops the start.
        let bad = parsed("[approvals]\nholidays = [\"2026-10-10\"]\nworkdays = [\"2026-10-10\"]\n");
        assert!(bad.web().is_err());
        // Without the section, the four stages of construction-project approval.
        assert_eq!(
            parsed("")
                .web()
                .expect("usable")
                .approval_rules
                .stages
                .len(),
            4
        );
    }
}
