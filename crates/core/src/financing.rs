//! Financing (M7, M13): new loans to enterprises by bank, year and kind (首贷, 供应链金融, 银担合作
//! …) against M7's target of new loans growing at least 10% a year, and projects recommended to
//! banks and funds (推介) with what came of it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::org::string_enum;
use crate::project::MAX_WAN;
use crate::validation::{self, FieldError, Invalid};

/// M7: new loans grow at least this many percent a year.
pub const GROWTH_TARGET_PERCENT: i64 = 10;

string_enum!(
    /// What kind of loan (M7's financial products).
    #[derive(utoipa::ToSchema)]
    LoanKind {
        /// 首贷: an enterprise's first loan.
        FirstLoan = "first_loan",
        /// 供应链金融.
        SupplyChain = "supply_chain",
        /// 银担合作: guaranteed by a guarantee company.
        Guaranteed = "guaranteed",
        /// 银联互动 / 抵押: land, construction in progress or a standard plant pledged.
        Mortgage = "mortgage",
        /// 信用贷款.
        Credit = "credit",
        Other = "other",
    }
);

/// A new loan as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LoanInput {
    /// A company of the county's library.
    pub company_id: i64,
    /// The lending bank.
    pub bank: String,
    /// first_loan, supply_chain, guaranteed, mortgage, credit or other.
    pub kind: String,
    /// The day it was granted (not in the future).
    #[schema(value_type = Option<String>, format = Date)]
    pub granted_on: Option<NaiveDate>,
    /// 万元, more than 0.
    pub amount: Option<i64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanFields {
    pub bank: String,
    pub kind: LoanKind,
    pub granted_on: NaiveDate,
    pub amount: i64,
    pub note: Option<String>,
}

impl LoanInput {
    pub fn validate(&self, today: NaiveDate) -> Result<LoanFields, Invalid> {
        let mut e = Invalid::default();
        let bank = validation::required(&mut e, "bank", &self.bank, 100);
        let kind = LoanKind::parse(self.kind.trim());
        if kind.is_none() {
            e.push(FieldError::new("kind", "err.choice"));
        }
        let granted_on = day(&mut e, "granted_on", self.granted_on, today);
        let amount = amount(&mut e, "amount", self.amount);
        let note = validation::optional(&mut e, "note", &self.note, 500);
        match (kind, granted_on, amount) {
            (Some(kind), Some(granted_on), Some(amount)) if e.is_empty() => Ok(LoanFields {
                bank,
                kind,
                granted_on,
                amount,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// A day that is given, in range and not after `today`.
fn day(e: &mut Invalid, field: &str, d: Option<NaiveDate>, today: NaiveDate) -> Option<NaiveDate> {
    match d {
        None => {
            e.push(FieldError::new(field, "err.required"));
            None
        }
        Some(d) if !validation::date_in_range(d) => {
            e.push(FieldError::new(field, "err.date_range"));
            None
        }
        Some(d) if d > today => {
            e.push(FieldError::new(field, "err.date_future"));
            None
        }
        d => d,
    }
}

/// 万元, from 1 to the largest amount.
fn amount(e: &mut Invalid, field: &str, a: Option<i64>) -> Option<i64> {
    match a {
        Some(a) if (1..=MAX_WAN).contains(&a) => Some(a),
        Some(_) => {
            e.push(
                FieldError::new(field, "err.range")
                    .with("min", 1)
                    .with("max", MAX_WAN),
            );
            None
        }
        None => {
            e.push(FieldError::new(field, "err.required"));
            None
        }
    }
}

/// A year's new loans against the year before's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Growth {
    /// 万元 of new loans in the year.
    pub amount: i64,
    /// 万元 the year before.
    pub previous: i64,
    /// Percent, to hundredths; none when the year before had none.
    #[schema(value_type = Option<String>)]
    pub percent: Option<Decimal>,
    /// The target reached (at least `GROWTH_TARGET_PERCENT`); none when there is nothing to
    /// compare with.
    pub met: Option<bool>,
}

/// `amount` against `previous`: met when it grew by at least the target, exactly at it too.
pub fn growth(amount: i64, previous: i64) -> Growth {
    let (percent, met) = if previous > 0 {
        let (a, p) = (i128::from(amount), i128::from(previous));
        let percent = Decimal::from_i128_with_scale((a - p) * 10_000 / p, 2);
        (
            Some(percent),
            Some(a * 100 >= p * (100 + i128::from(GROWTH_TARGET_PERCENT))),
        )
    } else {
        (None, None)
    };
    Growth {
        amount,
        previous,
        percent,
        met,
    }
}

string_enum!(
    /// Who a project is recommended to (M7: banks; M13: funds).
    #[derive(utoipa::ToSchema)]
    Institution { Bank = "bank", Fund = "fund" }
);

string_enum!(
    /// What came of a recommendation.
    #[derive(utoipa::ToSchema)]
    Outcome {
        Pending = "pending",
        /// The institution lent or invested: the amount is recorded.
        Financed = "financed",
        /// It declined: the reason is recorded.
        Declined = "declined",
    }
);

/// A project recommended to a bank or fund, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReferralInput {
    /// A project of the county.
    pub project_id: i64,
    /// The bank or fund.
    pub institution: String,
    /// bank or fund.
    pub institution_kind: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub referred_on: Option<NaiveDate>,
    /// 万元 the project seeks, if said.
    pub sought: Option<i64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFields {
    pub institution: String,
    pub institution_kind: Institution,
    pub referred_on: NaiveDate,
    pub sought: Option<i64>,
    pub note: Option<String>,
}

impl ReferralInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ReferralFields, Invalid> {
        let mut e = Invalid::default();
        let institution = validation::required(&mut e, "institution", &self.institution, 100);
        let institution_kind = Institution::parse(self.institution_kind.trim());
        if institution_kind.is_none() {
            e.push(FieldError::new("institution_kind", "err.choice"));
        }
        let referred_on = day(&mut e, "referred_on", self.referred_on, today);
        let sought = match self.sought {
            None => None,
            s => amount(&mut e, "sought", s),
        };
        let note = validation::optional(&mut e, "note", &self.note, 500);
        match (institution_kind, referred_on) {
            (Some(institution_kind), Some(referred_on)) if e.is_empty() => Ok(ReferralFields {
                institution,
                institution_kind,
                referred_on,
                sought,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// What came of a recommendation, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutcomeInput {
    /// financed or declined.
    pub outcome: String,
    /// 万元 lent or invested (financed).
    pub financed: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<NaiveDate>,
    /// Why it was declined (declined).
    pub reason: String,
    /// The version read.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeFields {
    pub outcome: Outcome,
    pub financed: Option<i64>,
    pub decided_on: NaiveDate,
    pub reason: Option<String>,
}

impl OutcomeInput {
    /// An outcome of a pending recommendation: financed with its amount, or declined with its
    /// reason, on a day not before it was made.
    pub fn validate(
        &self,
        from: Outcome,
        referred_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<OutcomeFields, Invalid> {
        let mut e = Invalid::default();
        if from != Outcome::Pending {
            e.push(FieldError::new("outcome", "err.financing.decided"));
            return Err(e);
        }
        let outcome = Outcome::parse(self.outcome.trim()).filter(|o| *o != Outcome::Pending);
        if outcome.is_none() {
            e.push(FieldError::new("outcome", "err.choice"));
        }
        let decided_on = day(&mut e, "decided_on", self.decided_on, today);
        if decided_on.is_some_and(|d| d < referred_on) {
            e.push(FieldError::new(
                "decided_on",
                "err.financing.before_referral",
            ));
        }
        let financed = match outcome {
            Some(Outcome::Financed) => amount(&mut e, "financed", self.financed),
            _ => None,
        };
        let reason = validation::optional(&mut e, "reason", &self.reason, 500);
        if outcome == Some(Outcome::Declined) && reason.is_none() {
            e.push(FieldError::new("reason", "err.required"));
        }
        match (outcome, decided_on) {
            (Some(outcome), Some(decided_on)) if e.is_empty() => Ok(OutcomeFields {
                outcome,
                financed,
                decided_on,
                reason,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn growth_meets_the_target_exactly_at_ten_percent() {
        assert_eq!(growth(1_100, 1_000).met, Some(true));
        assert_eq!(growth(1_100, 1_000).percent, Some(Decimal::from(10)));
        assert_eq!(growth(1_099, 1_000).met, Some(false));
        assert_eq!(
            growth(1_099, 1_000).percent,
            Some("9.90".parse().expect("decimal"))
        );
        assert_eq!(growth(500, 1_000).percent, Some(Decimal::from(-50)));
        assert_eq!(
            growth(500, 0),
            Growth {
                amount: 500,
                previous: 0,
                percent: None,
                met: None
            }
        );
        // The largest amounts do not overflow.
        assert_eq!(growth(MAX_WAN, MAX_WAN).met, Some(false));
    }

    #[test]
    fn a_loan_and_an_outcome_are_checked() {
        let today = d("2026-12-01");
        let ok = LoanInput {
            company_id: 1,
            bank: "县农商银行".into(),
            kind: "first_loan".into(),
            granted_on: Some(today),
            amount: Some(500),
            note: String::new(),
        };
        assert_eq!(ok.validate(today).map(|f| f.kind), Ok(LoanKind::FirstLoan));
        let bad = LoanInput {
            bank: " ".into(),
            kind: "gift".into(),
            granted_on: Some(d("2026-12-02")),
            amount: Some(0),
            ..ok
        };
        assert_eq!(
            bad.validate(today)
                .expect_err("refused")
                .fields()
                .collect::<Vec<_>>(),
            ["bank", "kind", "granted_on", "amount"]
        );
        let referred = d("2026-11-01");
        let financed = OutcomeInput {
            outcome: "financed".into(),
            financed: Some(3_000),
            decided_on: Some(d("2026-11-20")),
            ..Default::default()
        };
        assert_eq!(
            financed
                .validate(Outcome::Pending, referred, today)
                .map(|f| f.financed),
            Ok(Some(3_000))
        );
        // Decided once is decided; declining needs a reason; not before the referral.
        assert!(
            financed
                .validate(Outcome::Financed, referred, today)
                .is_err()
        );
        let declined = OutcomeInput {
            outcome: "declined".into(),
            decided_on: Some(d("2026-10-01")),
            ..Default::default()
        };
        assert_eq!(
            declined
                .validate(Outcome::Pending, referred, today)
                .expect_err("refused")
                .fields()
                .collect::<Vec<_>>(),
            ["decided_on", "reason"]
        );
    }
}
