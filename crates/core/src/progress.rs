//! The progress list of a project (进度清单): one update a month of its physical progress
//! (形象进度, in words and percent) and of the investment completed in the month, and the funds
//! in place (到位资金), each with the kind of its evidence. Funds count as verified only once
//! their evidence is on file; the totals keep the two apart, and set both against the plan.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::activity::Month;
use crate::incentive::FundUse;
use crate::project::MAX_WAN;
use crate::{FieldError, Invalid, validation};

/// What shows that money is in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceType {
    /// 验资报告
    CapitalVerification,
    /// 银行进账单
    BankReceipt,
    /// 设备发票
    EquipmentInvoice,
    /// 其他
    Other,
}

impl EvidenceType {
    pub const ALL: [EvidenceType; 4] = [
        EvidenceType::CapitalVerification,
        EvidenceType::BankReceipt,
        EvidenceType::EquipmentInvoice,
        EvidenceType::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            EvidenceType::CapitalVerification => "capital_verification",
            EvidenceType::BankReceipt => "bank_receipt",
            EvidenceType::EquipmentInvoice => "equipment_invoice",
            EvidenceType::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.id() == s)
    }
}

/// A monthly update as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UpdateInput {
    /// The month reported on, YYYY-MM (not after the current month).
    pub period: String,
    /// Physical progress, 0–100.
    pub percent: Option<i64>,
    /// The progress in words (形象进度).
    pub description: String,
    /// Investment completed in the month, 万元.
    pub invested: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateFields {
    pub period: Month,
    pub percent: i64,
    pub description: String,
    pub invested: i64,
}

impl UpdateInput {
    pub fn validate(&self, today: NaiveDate) -> Result<UpdateFields, Invalid> {
        let mut e = Invalid::default();
        let period = if self.period.trim().is_empty() {
            e.push(FieldError::new("period", "err.required"));
            None
        } else {
            match Month::parse(&self.period) {
                Some(m) if m.first > today => {
                    e.push(FieldError::new("period", "err.period_future"));
                    None
                }
                Some(m) => Some(m),
                None => {
                    e.push(FieldError::new("period", "err.month_format"));
                    None
                }
            }
        };
        let percent = match self.percent {
            None => {
                e.push(FieldError::new("percent", "err.required"));
                None
            }
            Some(p) if !(0..=100).contains(&p) => {
                e.push(
                    FieldError::new("percent", "err.range")
                        .with("min", 0)
                        .with("max", 100),
                );
                None
            }
            p => p,
        };
        let description = validation::required(&mut e, "description", &self.description, 2000);
        let invested = self.invested.unwrap_or(0);
        if !(0..=MAX_WAN).contains(&invested) {
            e.push(
                FieldError::new("invested", "err.range")
                    .with("min", 0)
                    .with("max", MAX_WAN),
            );
        }
        match (period, percent) {
            (Some(period), Some(percent)) if e.is_empty() => Ok(UpdateFields {
                period,
                percent,
                description,
                invested,
            }),
            _ => Err(e),
        }
    }
}

/// Funds in place as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FundInput {
    /// The day the money arrived (not in the future).
    #[schema(value_type = Option<String>, format = Date)]
    pub received_on: Option<NaiveDate>,
    /// 万元, more than 0.
    pub amount: Option<i64>,
    /// Who paid it in (the investor's own money, a bank loan …).
    pub source: String,
    /// capital_verification (验资报告), bank_receipt (银行进账单), equipment_invoice (设备发票)
    /// or other.
    pub evidence_type: String,
    pub note: String,
    /// What it paid for: investment (the project itself; the default), land or
    /// government_plant (a plant the government built). Only investment counts toward an
    /// introducer's reward (M10).
    pub used_for: String,
    /// Fiscal direct investment (财政性资金): never counted toward an introducer's reward.
    pub fiscal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundFields {
    pub received_on: NaiveDate,
    pub amount: i64,
    pub source: Option<String>,
    pub evidence_type: EvidenceType,
    pub note: Option<String>,
    pub used_for: FundUse,
    pub fiscal: bool,
}

impl FundInput {
    pub fn validate(&self, today: NaiveDate) -> Result<FundFields, Invalid> {
        let mut e = Invalid::default();
        let received_on = match self.received_on {
            None => {
                e.push(FieldError::new("received_on", "err.required"));
                None
            }
            Some(d) if !validation::date_in_range(d) => {
                e.push(FieldError::new("received_on", "err.date_range"));
                None
            }
            Some(d) if d > today => {
                e.push(FieldError::new("received_on", "err.date_future"));
                None
            }
            d => d,
        };
        let amount = match self.amount {
            None => {
                e.push(FieldError::new("amount", "err.required"));
                None
            }
            Some(a) if !(1..=MAX_WAN).contains(&a) => {
                e.push(
                    FieldError::new("amount", "err.range")
                        .with("min", 1)
                        .with("max", MAX_WAN),
                );
                None
            }
            a => a,
        };
        let evidence_type = EvidenceType::parse(self.evidence_type.trim());
        if evidence_type.is_none() {
            e.push(FieldError::new(
                "evidence_type",
                if self.evidence_type.trim().is_empty() {
                    "err.required"
                } else {
                    "err.choice"
                },
            ));
        }
        let source = validation::optional(&mut e, "source", &self.source, 100);
        let note = validation::optional(&mut e, "note", &self.note, 500);
        let used_for = match self.used_for.trim() {
            "" => Some(FundUse::Investment),
            u => FundUse::parse(u),
        };
        if used_for.is_none() {
            e.push(FieldError::new("used_for", "err.choice"));
        }
        match (received_on, amount, evidence_type, used_for) {
            (Some(received_on), Some(amount), Some(evidence_type), Some(used_for))
                if e.is_empty() =>
            {
                Ok(FundFields {
                    received_on,
                    amount,
                    source,
                    evidence_type,
                    note,
                    used_for,
                    fiscal: self.fiscal,
                })
            }
            _ => Err(e),
        }
    }
}

/// Funds in place, verified (evidence on file) and not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FundsTotals {
    /// 万元 with evidence on file: the only money any total or reward counts.
    pub verified: i64,
    /// 万元 recorded without evidence yet.
    pub unverified: i64,
}

impl FundsTotals {
    /// The totals of entries given as (amount, has evidence on file).
    pub fn of(entries: impl IntoIterator<Item = (i64, bool)>) -> Self {
        entries
            .into_iter()
            .fold(Self::default(), |mut t, (amount, evidenced)| {
                if evidenced {
                    t.verified = t.verified.saturating_add(amount);
                } else {
                    t.unverified = t.unverified.saturating_add(amount);
                }
                t
            })
    }

    pub fn recorded(self) -> i64 {
        self.verified.saturating_add(self.unverified)
    }
}

/// `part` as a whole percentage of `whole` (rounded down), none when there is no whole.
pub fn percent_of(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| i64::try_from(i128::from(part) * 100 / i128::from(whole)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn codes(e: Invalid) -> Vec<(String, String)> {
        e.0.into_iter()
            .map(|f| (f.field, f.code.to_string()))
            .collect()
    }

    #[test]
    fn verified_totals_leave_out_funds_without_evidence() {
        let t = FundsTotals::of([(500, true), (300, false), (1200, true), (40, false)]);
        assert_eq!(t.verified, 1700);
        assert_eq!(t.unverified, 340);
        assert_eq!(t.recorded(), 2040);
        assert_eq!(FundsTotals::of([]), FundsTotals::default());
        assert_eq!(
            FundsTotals::of([(i64::MAX, true), (1, true)]).verified,
            i64::MAX
        );
    }

    #[test]
    fn share_of_the_plan() {
        assert_eq!(percent_of(1700, 5000), Some(34));
        assert_eq!(percent_of(5001, 5000), Some(100));
        assert_eq!(percent_of(7500, 5000), Some(150));
        assert_eq!(percent_of(10, 0), None);
    }

    #[test]
    fn an_update_is_checked() {
        let today = d("2026-11-30");
        let ok = UpdateInput {
            period: "2026-11".into(),
            percent: Some(45),
            description: "主体结构封顶".into(),
            invested: Some(1200),
        };
        let f = ok.validate(today).expect("valid");
        assert_eq!(f.period.to_string(), "2026-11");
        assert_eq!((f.percent, f.invested), (45, 1200));
        let no_money = UpdateInput {
            invested: None,
            ..ok.clone()
        };
        assert_eq!(no_money.validate(today).map(|f| f.invested), Ok(0));
        let bad = UpdateInput {
            period: "2026-12".into(),
            percent: Some(101),
            description: " ".into(),
            invested: Some(-1),
        };
        assert_eq!(
            codes(bad.validate(today).expect_err("invalid")),
            [
                ("period".into(), "err.period_future".into()),
                ("percent".into(), "err.range".into()),
                ("description".into(), "err.required".into()),
                ("invested".into(), "err.range".into()),
            ]
        );
        let garbled = UpdateInput {
            period: "2026-13".into(),
            percent: None,
            ..ok
        };
        assert_eq!(
            codes(garbled.validate(today).expect_err("invalid")),
            [
                ("period".into(), "err.month_format".into()),
                ("percent".into(), "err.required".into()),
            ]
        );
    }

    #[test]
    fn funds_are_checked() {
        let today = d("2026-11-30");
        let ok = FundInput {
            received_on: Some(today),
            amount: Some(3000),
            source: "企业自有资金".into(),
            evidence_type: "bank_receipt".into(),
            note: String::new(),
            used_for: String::new(),
            fiscal: false,
        };
        let f = ok.validate(today).expect("valid");
        assert_eq!(f.evidence_type, EvidenceType::BankReceipt);
        assert_eq!((f.used_for, f.fiscal), (FundUse::Investment, false));
        let land = FundInput {
            used_for: "land".into(),
            ..ok.clone()
        };
        assert_eq!(land.validate(today).map(|f| f.used_for), Ok(FundUse::Land));
        assert_eq!(f.source.as_deref(), Some("企业自有资金"));
        assert_eq!(f.note, None);
        let bad = FundInput {
            received_on: Some(d("2026-12-01")),
            amount: Some(0),
            evidence_type: "receipt".into(),
            used_for: "plant".into(),
            ..ok.clone()
        };
        assert_eq!(
            codes(bad.validate(today).expect_err("invalid")),
            [
                ("received_on".into(), "err.date_future".into()),
                ("amount".into(), "err.range".into()),
                ("evidence_type".into(), "err.choice".into()),
                ("used_for".into(), "err.choice".into()),
            ]
        );
        let empty = FundInput::default();
        assert_eq!(
            codes(empty.validate(today).expect_err("invalid")),
            [
                ("received_on".into(), "err.required".into()),
                ("amount".into(), "err.required".into()),
                ("evidence_type".into(), "err.required".into()),
            ]
        );
    }
}
