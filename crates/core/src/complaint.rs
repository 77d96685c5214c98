//! Investor complaints (投资者诉求, M5): anyone may file one on the public form, without an
//! account; it gets a tracking code the complainant follows it by. The county's supervisor routes
//! it to a unit with a day to answer by; the unit answers; the complainant says whether they are
//! satisfied; the supervisor gives the verdict (upheld or not), which closes it. An upheld
//! complaint counts against its unit in assessment.
//!
//! The public form asks a small sum (the challenge) whose answer is bound to a keyed MAC, so the
//! server keeps nothing per form shown and any instance checks what another handed out.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::org::string_enum;
use crate::validation::{self, FieldError, Invalid};

/// The longest text of a complaint, an answer or a note, in characters.
pub const MAX_TEXT: usize = 5_000;
/// The latest day an answer may be asked for, in days from today.
pub const MAX_DUE_DAYS: i64 = 180;
/// How long a challenge may be answered.
pub const CHALLENGE_MINUTES: i64 = 60;
/// How many complaints one address (an IPv6 /64) may file in an hour, and all addresses together.
pub const PER_ADDRESS_PER_HOUR: i64 = 5;
pub const PER_HOUR: i64 = 100;

string_enum!(
    /// Where a complaint stands.
    #[derive(utoipa::ToSchema)]
    Status {
        /// Filed, not yet sent to a unit.
        Received = "received",
        /// Sent to a unit, waiting for its answer.
        Routed = "routed",
        /// Answered by the unit.
        Answered = "answered",
        /// The supervisor gave the verdict.
        Closed = "closed",
    }
);

string_enum!(
    /// The complainant's judgement of the answer.
    #[derive(utoipa::ToSchema)]
    Satisfaction {
        Satisfied = "satisfied",
        Unsatisfied = "unsatisfied",
    }
);

string_enum!(
    /// The supervisor's verdict: whether the complaint against the unit holds.
    #[derive(utoipa::ToSchema)]
    Verdict {
        Upheld = "upheld",
        NotUpheld = "not_upheld",
    }
);

/// What the staff do to a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send to a unit (again: an answer that did not do is sent back, or to another unit).
    Route,
    Answer,
    Verdict(Verdict),
}

impl Status {
    /// Whether `step` may be taken now: routed until closed; answered while routed; a verdict
    /// once a unit has it (not upheld at any time before closing: a complaint that is no
    /// complaint at all need not be routed first).
    pub fn allows(self, step: Step) -> bool {
        use Status::*;
        match step {
            Step::Route => matches!(self, Received | Routed | Answered),
            Step::Answer => self == Routed,
            Step::Verdict(Verdict::Upheld) => matches!(self, Routed | Answered),
            Step::Verdict(Verdict::NotUpheld) => matches!(self, Received | Routed | Answered),
        }
    }

    /// The complainant may say whether they are satisfied: once, and only of an answer.
    pub fn may_rate(self, answered: bool, rated: bool) -> bool {
        matches!(self, Status::Answered | Status::Closed) && answered && !rated
    }
}

/// A complaint as filed on the public form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ComplaintInput {
    /// The county it is filed with.
    pub region_id: i64,
    /// The company (or the investor's name).
    pub company: String,
    /// Who to contact.
    pub contact: String,
    pub phone: String,
    pub email: String,
    /// In a line.
    pub subject: String,
    /// What happened and what is asked.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintFields {
    pub company: String,
    pub contact: String,
    pub phone: String,
    pub email: Option<String>,
    pub subject: String,
    pub body: String,
}

impl ComplaintInput {
    pub fn validate(&self) -> Result<ComplaintFields, Invalid> {
        let mut e = Invalid::default();
        let company = validation::required(&mut e, "company", &self.company, 100);
        let contact = validation::required(&mut e, "contact", &self.contact, 50);
        let phone = validation::required(&mut e, "phone", &self.phone, 30);
        if !phone.is_empty() {
            validation::phone(&mut e, "phone", Some(phone.clone()));
        }
        let email = validation::optional(&mut e, "email", &self.email, 254);
        let email = validation::email(&mut e, "email", email);
        let subject = validation::required(&mut e, "subject", &self.subject, 100);
        let body = validation::required(&mut e, "body", &self.body, MAX_TEXT);
        e.into_result()?;
        Ok(ComplaintFields {
            company,
            contact,
            phone,
            email,
            subject,
            body,
        })
    }
}

/// Sending a complaint to a unit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RouteInput {
    pub unit_id: i64,
    /// The day the unit answers by: from today to 180 days on.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    /// What the supervisor asks of the unit.
    pub note: String,
    /// The complaint's version as read.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFields {
    pub due_on: NaiveDate,
    pub note: Option<String>,
}

impl RouteInput {
    pub fn validate(&self, today: NaiveDate) -> Result<RouteFields, Invalid> {
        let mut e = Invalid::default();
        let due_on = match self.due_on {
            None => {
                e.push(FieldError::new("due_on", "err.required"));
                None
            }
            Some(d) if d < today || d > today + Duration::days(MAX_DUE_DAYS) => {
                e.push(
                    FieldError::new("due_on", "err.complaint.due_range").with("days", MAX_DUE_DAYS),
                );
                None
            }
            d => d,
        };
        let note = validation::optional(&mut e, "note", &self.note, 1_000);
        match due_on {
            Some(due_on) if e.is_empty() => Ok(RouteFields { due_on, note }),
            _ => Err(e),
        }
    }
}

/// The unit's answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswerInput {
    pub answer: String,
    pub version: i64,
}

impl AnswerInput {
    pub fn validate(&self) -> Result<String, Invalid> {
        let mut e = Invalid::default();
        let a = validation::required(&mut e, "answer", &self.answer, MAX_TEXT);
        e.into_result().map(|()| a)
    }
}

/// The supervisor's verdict.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VerdictInput {
    /// upheld or not_upheld.
    pub verdict: String,
    /// Why: the facts found.
    pub reason: String,
    pub version: i64,
}

impl VerdictInput {
    pub fn validate(&self) -> Result<(Verdict, String), Invalid> {
        let mut e = Invalid::default();
        let verdict = Verdict::parse(self.verdict.trim());
        if verdict.is_none() {
            e.push(FieldError::new("verdict", "err.choice"));
        }
        let reason = validation::required(&mut e, "reason", &self.reason, 1_000);
        match verdict {
            Some(v) if e.is_empty() => Ok((v, reason)),
            _ => Err(e),
        }
    }
}

/// The complainant's rating of the answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RatingInput {
    /// satisfied or unsatisfied.
    pub satisfaction: String,
    pub note: String,
}

impl RatingInput {
    pub fn validate(&self) -> Result<(Satisfaction, Option<String>), Invalid> {
        let mut e = Invalid::default();
        let s = Satisfaction::parse(self.satisfaction.trim());
        if s.is_none() {
            e.push(FieldError::new("satisfaction", "err.choice"));
        }
        let note = validation::optional(&mut e, "note", &self.note, 1_000);
        match s {
            Some(s) if e.is_empty() => Ok((s, note)),
            _ => Err(e),
        }
    }
}

// ------------------------------------------------------------------------------ tracking code

/// The symbols of a tracking code: digits and capitals without I, L, O and U, which are misread.
const SYMBOLS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a code: 16 × 5 = 80 bits, not to be guessed.
pub const CODE_LEN: usize = 16;

/// The tracking code of ten random bytes.
pub fn tracking_code(random: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    (0..CODE_LEN)
        .rev()
        .map(|i| char::from(SYMBOLS[((bits >> (i * 5)) & 31) as usize]))
        .collect()
}

/// A code as typed, made what is stored: capitals, without spaces and dashes, the misread
/// letters read as the digits they look like. `None` when it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| SYMBOLS.contains(&b))).then_some(code)
}

/// What is stored of a code: its SHA-256, so that the staff, who read the rows, cannot act as
/// the complainant.
pub fn code_hash(code: &str) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// A code as shown: four groups of four.
pub fn display_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

// -------------------------------------------------------------------------------- challenge

/// A sum shown on the form, and the token that comes back with the answer. The token holds no
/// answer: only a MAC of it, its expiry and a nonce (which a filed complaint keeps, so that one
/// solved challenge files one complaint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub a: u8,
    pub b: u8,
    pub token: String,
}

fn mac(key: &[u8], expires: i64, nonce: &str, answer: i64) -> Option<Hmac<Sha256>> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    m.update(format!("{expires}.{nonce}.{answer}").as_bytes());
    Some(m)
}

/// A challenge of `a + b` (each at most 20), good for [`CHALLENGE_MINUTES`] from `now`.
pub fn challenge(key: &[u8], nonce: [u8; 16], a: u8, b: u8, now: DateTime<Utc>) -> Challenge {
    let (a, b) = (a % 20 + 1, b % 20 + 1);
    let expires = (now + Duration::minutes(CHALLENGE_MINUTES)).timestamp();
    let nonce = hex::encode(nonce);
    let sig = mac(key, expires, &nonce, i64::from(a) + i64::from(b))
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    Challenge {
        a,
        b,
        token: format!("{expires}.{nonce}.{sig}"),
    }
}

/// The key rate limits count an address under: a MAC of it (an IPv6 address by its /64, which
/// one subscriber holds whole), so that the address itself is not kept with the complaint.
pub fn client_key(key: &[u8], address: &str) -> String {
    let address = match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let bits = u128::from(v6) & !u128::from(u64::MAX);
            std::net::Ipv6Addr::from(bits).to_string()
        }
        _ => address.to_string(),
    };
    mac(key, 0, "client", 0)
        .map(|mut m| {
            m.update(address.as_bytes());
            hex::encode(&m.finalize().into_bytes()[..16])
        })
        .unwrap_or_default()
}

/// Why an answer to a challenge is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeError {
    /// Not a token we handed out, or the wrong sum.
    Wrong,
    Expired,
}

/// The nonce of `token` when `answer` is its sum and it has not expired.
pub fn check_challenge(
    key: &[u8],
    token: &str,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<String, ChallengeError> {
    let mut parts = token.trim().split('.');
    let (Some(expires), Some(nonce), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ChallengeError::Wrong);
    };
    let expires: i64 = expires.parse().map_err(|_| ChallengeError::Wrong)?;
    let answer: i64 = answer.trim().parse().map_err(|_| ChallengeError::Wrong)?;
    let sig = hex::decode(sig).map_err(|_| ChallengeError::Wrong)?;
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ChallengeError::Wrong);
    }
    let m = mac(key, expires, nonce, answer).ok_or(ChallengeError::Wrong)?;
    m.verify_slice(&sig).map_err(|_| ChallengeError::Wrong)?;
    if now.timestamp() > expires {
        return Err(ChallengeError::Expired);
    }
    Ok(nonce.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    #[test]
    fn steps_follow_the_status() {
        use Status::*;
        assert!(Received.allows(Step::Route));
        assert!(!Received.allows(Step::Answer));
        assert!(!Received.allows(Step::Verdict(Verdict::Upheld)));
        assert!(Received.allows(Step::Verdict(Verdict::NotUpheld)));
        assert!(Routed.allows(Step::Answer));
        assert!(Routed.allows(Step::Verdict(Verdict::Upheld)));
        assert!(Answered.allows(Step::Route));
        assert!(!Answered.allows(Step::Answer));
        for step in [
            Step::Route,
            Step::Answer,
            Step::Verdict(Verdict::Upheld),
            Step::Verdict(Verdict::NotUpheld),
        ] {
            assert!(!Closed.allows(step), "{step:?}");
        }
        assert!(!Routed.may_rate(false, false));
        assert!(Answered.may_rate(true, false) && Closed.may_rate(true, false));
        // Closed without an answer (not upheld at once), or rated already: nothing to rate.
        assert!(!Closed.may_rate(false, false));
        assert!(!Answered.may_rate(true, true));
    }

    #[test]
    fn a_complaint_names_what_is_missing() {
        let e = ComplaintInput {
            phone: "abc".into(),
            email: "x@".into(),
            ..Default::default()
        }
        .validate()
        .expect_err("empty");
        let fields: Vec<&str> = e.fields().collect();
        for f in ["company", "contact", "phone", "email", "subject", "body"] {
            assert!(fields.contains(&f), "{f}: {fields:?}");
        }
        let ok = ComplaintInput {
            region_id: 1,
            company: " 某某机械有限公司 ".into(),
            contact: "王经理".into(),
            phone: "0533-1234567".into(),
            email: String::new(),
            subject: "施工许可办理慢".into(),
            body: "材料已齐，超过承诺时限未办结。".into(),
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.company, "某某机械有限公司");
        assert_eq!(ok.email, None);
    }

    #[test]
    fn a_due_day_is_from_today_to_the_limit() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).expect("day");
        let route = |d: NaiveDate| RouteInput {
            unit_id: 1,
            due_on: Some(d),
            ..Default::default()
        };
        assert!(route(today).validate(today).is_ok());
        assert!(
            route(today + Duration::days(MAX_DUE_DAYS))
                .validate(today)
                .is_ok()
        );
        assert!(
            route(today + Duration::days(MAX_DUE_DAYS + 1))
                .validate(today)
                .is_err()
        );
        assert!(route(today - Duration::days(1)).validate(today).is_err());
    }

    #[test]
    fn codes_are_read_as_typed() {
        let code = tracking_code([0xff; 10]);
        assert_eq!(code, "ZZZZZZZZZZZZZZZZ");
        let code = tracking_code([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(code.len(), CODE_LEN);
        let shown = display_code(&code);
        assert_eq!(shown.len(), CODE_LEN + 3);
        assert_eq!(
            normalize_code(&shown.to_lowercase()).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(
            normalize_code("oooo iiii llll 0000").as_deref(),
            Some("0000111111110000")
        );
        assert_eq!(normalize_code("ABC"), None);
        assert_eq!(normalize_code("UUUUUUUUUUUUUUUU"), None);
        assert_eq!(normalize_code("是是是是是是是是是是是是是是是是"), None);
    }

    #[test]
    fn an_ipv6_subscriber_counts_once() {
        let k = b"k";
        assert_eq!(
            client_key(k, "2001:db8:1:2:aaaa::1"),
            client_key(k, "2001:db8:1:2:bbbb::9")
        );
        assert_ne!(
            client_key(k, "2001:db8:1:2::1"),
            client_key(k, "2001:db8:1:3::1")
        );
        assert_ne!(client_key(k, "10.0.0.1"), client_key(k, "10.0.0.2"));
        assert_eq!(code_hash("ABCD").len(), 64);
    }

    #[test]
    fn a_challenge_takes_its_sum_once_and_in_time() {
        let key = b"the server's key";
        let now = at("2026-03-02T01:00:00Z");
        let c = challenge(key, [7; 16], 4, 9, now);
        let sum = (u16::from(c.a) + u16::from(c.b)).to_string();
        let nonce = check_challenge(key, &c.token, &sum, now).expect("right sum");
        assert_eq!(nonce, hex::encode([7u8; 16]));
        assert_eq!(
            check_challenge(key, &c.token, "0", now),
            Err(ChallengeError::Wrong)
        );
        assert_eq!(
            check_challenge(b"another key", &c.token, &sum, now),
            Err(ChallengeError::Wrong)
        );
        let late = now + Duration::minutes(CHALLENGE_MINUTES) + Duration::seconds(1);
        assert_eq!(
            check_challenge(key, &c.token, &sum, late),
            Err(ChallengeError::Expired)
        );
        // The expiry cannot be moved: it is under the MAC.
        let (_, rest) = c.token.split_once('.').expect("token");
        let moved = format!("{}.{rest}", late.timestamp() + 3600);
        assert_eq!(
            check_challenge(key, &moved, &sum, late),
            Err(ChallengeError::Wrong)
        );
    }

    proptest! {
        #[test]
        fn any_code_reads_back(bytes in proptest::array::uniform10(any::<u8>())) {
            let code = tracking_code(bytes);
            prop_assert_eq!(normalize_code(&display_code(&code)), Some(code));
        }

        #[test]
        fn no_token_text_panics(token in ".{0,80}", answer in ".{0,8}") {
            let _ = check_challenge(b"k", &token, &answer, Utc::now());
        }
    }
}
