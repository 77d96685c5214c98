//! City–county exchange packages (市县协同): a county on its own deployment sends the city its
//! projects — stage history, investment, funds in place and whether each is verified — as a
//! signed JSON package, by file (offline intranets) or by HTTP push. The city keeps one public key
//! per county; a package whose signature does not verify under its county's key is refused
//! before anything in it is read.
//!
//! The signature (Ed25519) covers the payload exactly as sent: the envelope carries the payload
//! as JSON text, so no re-encoding can change what was signed.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::project::Stage;
use crate::{FieldError, Invalid};

/// The envelope's format tag.
pub const FORMAT: &str = "zhaoyin-exchange/1";

/// What travels: the payload as JSON text and its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ExchangePackage)]
pub struct Package {
    /// `zhaoyin-exchange/1`.
    pub format: String,
    /// The sending county's region code (selects the key to verify with).
    pub county_code: String,
    /// The payload, JSON text: exactly the bytes signed.
    pub payload: String,
    /// Ed25519 signature of `payload`, hex.
    pub signature: String,
}

/// A county's projects as of `generated_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub county_code: String,
    pub county_name: String,
    pub generated_at: DateTime<Utc>,
    pub projects: Vec<ExProject>,
}

/// A project as the county keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExProject {
    /// The national 24-digit project code where the project has one, else the county's own id
    /// (`id:…`): what the city matches the project on, package after package.
    pub key: String,
    /// The project's id at the county: a project that gets its national code later is still
    /// matched to what earlier packages sent under `id:…`.
    pub source_id: i64,
    pub national_code: Option<String>,
    pub name: String,
    pub stage: String,
    pub stage_on: NaiveDate,
    pub signed_on: Option<NaiveDate>,
    pub is_major: bool,
    pub key_industry: Option<String>,
    /// 万元.
    pub total_investment: i64,
    pub outside_investment: i64,
    /// Every stage entered, with its day, in order.
    pub stages: Vec<(String, NaiveDate)>,
    pub funds: Vec<ExFund>,
}

/// Funds in place at the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExFund {
    pub received_on: NaiveDate,
    /// 万元.
    pub amount: i64,
    pub evidence_type: String,
    /// The county holds evidence for it.
    pub verified: bool,
}

/// Why a package was refused: a message key in `locales/`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("err.exchange_format")]
    Format,
    #[error("err.exchange_untrusted")]
    Untrusted,
    #[error("err.exchange_signature")]
    Signature,
}

impl Refused {
    /// The message key.
    pub fn code(&self) -> &'static str {
        match self {
            Refused::Format => "err.exchange_format",
            Refused::Untrusted => "err.exchange_untrusted",
            Refused::Signature => "err.exchange_signature",
        }
    }
}

/// A signing key from its hex seed (32 bytes).
pub fn signing_key(hex_seed: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = hex::decode(hex_seed.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

/// A public key from hex (32 bytes).
pub fn verifying_key(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

pub fn public_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}

/// The keys of a deployment: its own signing key (a county's), and the public keys of the
/// counties whose packages it accepts (a city's), by region code.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    pub signing: Option<SigningKey>,
    pub trusted: BTreeMap<String, VerifyingKey>,
}

/// Signs `payload` into a package.
pub fn seal(payload: &Payload, key: &SigningKey) -> Result<Package, serde_json::Error> {
    let text = serde_json::to_string(payload)?;
    let signature = key.sign(text.as_bytes());
    Ok(Package {
        format: FORMAT.into(),
        county_code: payload.county_code.clone(),
        payload: text,
        signature: hex::encode(signature.to_bytes()),
    })
}

/// The payload of a package, once its signature verifies under its county's trusted key and
/// it names the same county inside as outside.
pub fn open(pkg: &Package, keys: &Keys) -> Result<Payload, Refused> {
    if pkg.format != FORMAT {
        return Err(Refused::Format);
    }
    let key = keys
        .trusted
        .get(&pkg.county_code)
        .ok_or(Refused::Untrusted)?;
    let bytes: [u8; 64] = hex::decode(&pkg.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(Refused::Signature)?;
    key.verify_strict(pkg.payload.as_bytes(), &Signature::from_bytes(&bytes))
        .map_err(|_| Refused::Signature)?;
    let payload: Payload = serde_json::from_str(&pkg.payload).map_err(|_| Refused::Format)?;
    if payload.county_code != pkg.county_code {
        return Err(Refused::Signature);
    }
    Ok(payload)
}

/// The most a package may hold: projects, and stages and funds per project.
pub const MAX_PROJECTS: usize = 100_000;
pub const MAX_ENTRIES: usize = 1_000;
/// The largest amount, 万元 (a trillion yuan): keeps every sum far from overflowing.
pub const MAX_AMOUNT: i64 = 100_000_000;
/// The longest text of a project (name, key, industry, evidence type), in characters.
const MAX_TEXT: usize = 200;

/// Checks a verified payload's projects: each error names the project (`projects[i]`) and field.
pub fn check(p: &Payload) -> Result<(), Invalid> {
    let mut e = Invalid::default();
    if p.projects.len() > MAX_PROJECTS {
        e.push(FieldError::new("projects", "err.too_many").with("max", MAX_PROJECTS));
        return e.into_result();
    }
    let mut keys = std::collections::HashSet::new();
    let text_ok = |s: &str| s.chars().count() <= MAX_TEXT && !s.chars().any(char::is_control);
    for (i, x) in p.projects.iter().enumerate() {
        let field = |f: &str| format!("projects[{i}].{f}");
        if x.key.trim().is_empty() || !text_ok(&x.key) || !keys.insert(x.key.as_str()) {
            e.push(FieldError::new(field("key"), "err.exchange_key"));
        }
        if x.name.trim().is_empty()
            || !text_ok(&x.name)
            || !x.key_industry.as_deref().is_none_or(text_ok)
            || !x.funds.iter().all(|f| text_ok(&f.evidence_type))
        {
            e.push(FieldError::new(field("name"), "err.exchange_text"));
        }
        if x.stages.len() > MAX_ENTRIES || x.funds.len() > MAX_ENTRIES {
            e.push(FieldError::new(field("stages"), "err.too_many").with("max", MAX_ENTRIES));
        }
        if Stage::parse(&x.stage).is_none()
            || x.stages.iter().any(|(s, _)| Stage::parse(s).is_none())
        {
            e.push(FieldError::new(field("stage"), "err.choice"));
        }
        let amount = |a: i64| (0..=MAX_AMOUNT).contains(&a);
        if !amount(x.total_investment)
            || !amount(x.outside_investment)
            || x.funds.iter().any(|f| f.amount <= 0 || !amount(f.amount))
        {
            e.push(FieldError::new(
                field("total_investment"),
                "err.exchange_amount",
            ));
        }
        if let Some(code) = &x.national_code {
            crate::project::national_code(&mut e, &field("national_code"), code);
        }
    }
    e.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        Payload {
            county_code: "370322".into(),
            county_name: "高青县".into(),
            generated_at: DateTime::parse_from_rfc3339("2026-11-30T08:00:00Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or_default(),
            projects: vec![ExProject {
                key: "2026-370322-26-03-000001".into(),
                source_id: 1,
                national_code: Some("2026-370322-26-03-000001".into()),
                name: "新材料项目".into(),
                stage: "signed".into(),
                stage_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default(),
                signed_on: NaiveDate::from_ymd_opt(2026, 3, 1),
                is_major: true,
                key_industry: None,
                total_investment: 150000,
                outside_investment: 120000,
                stages: vec![],
                funds: vec![ExFund {
                    received_on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap_or_default(),
                    amount: 2000,
                    evidence_type: "bank_receipt".into(),
                    verified: true,
                }],
            }],
        }
    }

    fn keys(seed: u8) -> (SigningKey, Keys) {
        let sk = SigningKey::from_bytes(&[seed; 32]);
        let mut k = Keys::default();
        k.trusted.insert("370322".into(), sk.verifying_key());
        (sk, k)
    }

    #[test]
    fn a_sealed_package_opens_under_its_county_key_only() {
        let (sk, trusted) = keys(7);
        let pkg = seal(&payload(), &sk).expect("seal");
        assert_eq!(open(&pkg, &trusted), Ok(payload()));
        // Another county's key, or none.
        let (_, other) = keys(8);
        assert_eq!(open(&pkg, &other), Err(Refused::Signature));
        assert_eq!(open(&pkg, &Keys::default()), Err(Refused::Untrusted));
        // Keys survive their hex form.
        let again = signing_key(&hex::encode(sk.to_bytes())).expect("seed");
        assert_eq!(public_hex(&again), public_hex(&sk));
        assert!(verifying_key(&public_hex(&sk)).is_some());
        assert!(signing_key("zz").is_none());
    }

    #[test]
    fn a_tampered_package_is_refused() {
        let (sk, trusted) = keys(7);
        let pkg = seal(&payload(), &sk).expect("seal");
        let more = Package {
            payload: pkg.payload.replace("150000", "950000"),
            ..pkg.clone()
        };
        assert_eq!(open(&more, &trusted), Err(Refused::Signature));
        let mut bad_sig = pkg.clone();
        bad_sig.signature = "00".repeat(64);
        assert_eq!(open(&bad_sig, &trusted), Err(Refused::Signature));
        // Claiming another county outside than inside.
        let mut moved = payload();
        moved.county_code = "370300".into();
        let mut k2 = trusted.clone();
        k2.trusted.insert("370300".into(), sk.verifying_key());
        let forged = Package {
            county_code: "370322".into(),
            ..seal(&moved, &sk).expect("seal")
        };
        assert_eq!(open(&forged, &k2), Err(Refused::Signature));
        let wrong = Package {
            format: "x".into(),
            ..pkg
        };
        assert_eq!(open(&wrong, &trusted), Err(Refused::Format));
    }

    #[test]
    fn a_payload_names_the_project_and_field_it_cannot_take() {
        let mut p = payload();
        p.projects.push(p.projects[0].clone());
        p.projects[1].stage = "done".into();
        p.projects[1].funds[0].amount = 0;
        p.projects[1].national_code = Some("123".into());
        let e = check(&p).expect_err("refused");
        let fields: Vec<&str> = e.fields().collect();
        assert_eq!(
            fields,
            vec![
                "projects[1].key",
                "projects[1].stage",
                "projects[1].total_investment",
                "projects[1].national_code"
            ]
        );
        assert!(check(&payload()).is_ok());
    }
}
