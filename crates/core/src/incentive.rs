//! Incentive rules as data: the introducer's reward by investment actually in place (M10), the
//! subsidy for a newly approved innovation platform (M12), and the clawback of an award whose
//! conditions no longer hold. Amounts are 万元; tables are configuration, checked before use.

use serde::{Deserialize, Serialize};

use crate::project::MAX_WAN;
use crate::validation::{FieldError, Invalid};

/// An introducer's reward, 万元 (M10).
const REWARD_LEAST: i64 = 20;
const REWARD_MOST: i64 = 300;

/// Investment in place from `from` 万元 earns `reward` 万元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub from: i64,
    pub reward: i64,
}

/// The introducer's reward table (M10: 20–300万元 by investment in place; the county's own
/// document sets the tiers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntroducerRule {
    /// From the lowest investment to the highest.
    pub tiers: Vec<Tier>,
}

impl Default for IntroducerRule {
    /// The demo's example table: 1亿元 earns 20万元, rising to 300万元 from 50亿元.
    fn default() -> Self {
        let tiers = [
            (10_000, 20),
            (30_000, 50),
            (50_000, 80),
            (100_000, 120),
            (200_000, 200),
            (500_000, 300),
        ];
        Self {
            tiers: tiers
                .into_iter()
                .map(|(from, reward)| Tier { from, reward })
                .collect(),
        }
    }
}

impl IntroducerRule {
    /// The tiers go up in investment, each earning more than the one before, and every reward
    /// is within M10's 20 to 300万元.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::default();
        if self.tiers.is_empty() {
            errors.push(FieldError::new("tiers", "err.required"));
        }
        for (n, t) in self.tiers.iter().enumerate() {
            if !(0 < t.from && t.from <= MAX_WAN) {
                errors.push(FieldError::new(
                    format!("tiers[{n}].from"),
                    "err.incentive.positive",
                ));
            }
            if !(REWARD_LEAST..=REWARD_MOST).contains(&t.reward) {
                errors.push(
                    FieldError::new(format!("tiers[{n}].reward"), "err.incentive.reward")
                        .with("least", REWARD_LEAST)
                        .with("most", REWARD_MOST),
                );
            }
            if n > 0 && (t.from <= self.tiers[n - 1].from || t.reward <= self.tiers[n - 1].reward) {
                errors.push(FieldError::new(
                    format!("tiers[{n}]"),
                    "err.incentive.tiers",
                ));
            }
        }
        errors.into_result()
    }

    /// The highest tier `counted` reaches.
    pub fn tier(&self, counted: i64) -> Option<Tier> {
        self.tiers.iter().rev().find(|t| counted >= t.from).copied()
    }
}

/// What a project's funds in place went into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundUse {
    /// Plant, equipment and the rest of the project itself.
    Investment,
    /// The project's land: never counted (M10).
    Land,
    /// A plant the government built for the project: never counted (M10).
    GovernmentPlant,
}

/// One entry of a project's funds in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fund {
    pub amount: i64,
    /// Evidence on file: unverified money counts for nothing.
    pub verified: bool,
    pub used_for: FundUse,
}

/// Why an introducer gets no reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bar {
    /// The introducer works for a state organ or public institution.
    CivilServant,
    /// The project has not been completed and put into production.
    NotInProduction,
    /// The project's money is fiscal (财政性直接投资): the reward is for outside money only.
    FiscalMoney,
    /// The money counted is below the first tier.
    BelowFirstTier,
}

/// An introducer's claim, as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub civil_servant: bool,
    pub in_production: bool,
    /// The project's money is fiscal direct investment.
    pub fiscal: bool,
    pub funds: Vec<Fund>,
}

/// What the rule gives a claim, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Award {
    /// Verified outside money invested in the project itself, 万元.
    pub counted: i64,
    /// Money in place left out: unverified, land or a government-built plant.
    pub left_out: i64,
    /// The tier reached, if any.
    pub tier: Option<Tier>,
    /// Every reason there is no reward; none, the tier's reward is due.
    pub bars: Vec<Bar>,
}

impl Award {
    /// 万元 due: the tier's reward when nothing bars it.
    pub fn reward(&self) -> i64 {
        match self.tier {
            Some(t) if self.bars.is_empty() => t.reward,
            _ => 0,
        }
    }
}

/// What `rule` gives `claim` (M10).
pub fn introducer_award(rule: &IntroducerRule, claim: &Claim) -> Award {
    let (counted, left_out) = claim.funds.iter().fold((0i64, 0i64), |(c, l), f| {
        if f.verified && f.used_for == FundUse::Investment {
            (c.saturating_add(f.amount), l)
        } else {
            (c, l.saturating_add(f.amount))
        }
    });
    let tier = rule.tier(counted);
    let mut bars = Vec::new();
    if claim.civil_servant {
        bars.push(Bar::CivilServant);
    }
    if !claim.in_production {
        bars.push(Bar::NotInProduction);
    }
    if claim.fiscal {
        bars.push(Bar::FiscalMoney);
    }
    if tier.is_none() {
        bars.push(Bar::BelowFirstTier);
    }
    Award {
        counted,
        left_out,
        tier,
        bars,
    }
}

/// An award whose conditions no longer hold, flagged for the supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Clawback {
    /// 万元 paid beyond what the facts now give.
    pub amount: i64,
    /// Why the facts now give less: what bars the award now, or none when only the money in
    /// place fell to a lower tier.
    pub bars: Vec<Bar>,
}

/// The flag on an award of `paid` when `now` — the rule it was paid under, applied to today's
/// facts — gives less (funds withdrawn, the project stopped): none while it still gives as much.
pub fn clawback(paid: i64, now: &Award) -> Option<Clawback> {
    let due = now.reward();
    (due < paid).then(|| Clawback {
        amount: paid - due,
        bars: now.bars.clone(),
    })
}

/// An innovation platform's level of approval (M12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformLevel {
    National,
    Provincial,
    Municipal,
}

/// Subsidy per newly approved platform (院士工作站, 博士后工作站, 研发机构) by level, 万元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformRule {
    pub national: i64,
    pub provincial: i64,
    pub municipal: i64,
}

impl Default for PlatformRule {
    fn default() -> Self {
        Self {
            national: 25,
            provincial: 15,
            municipal: 10,
        }
    }
}

impl PlatformRule {
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::default();
        for (name, v) in [
            ("national", self.national),
            ("provincial", self.provincial),
            ("municipal", self.municipal),
        ] {
            if !(0 < v && v <= MAX_WAN) {
                errors.push(FieldError::new(name, "err.incentive.positive"));
            }
        }
        errors.into_result()
    }

    pub fn subsidy(&self, level: PlatformLevel) -> i64 {
        match level {
            PlatformLevel::National => self.national,
            PlatformLevel::Provincial => self.provincial,
            PlatformLevel::Municipal => self.municipal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fund(amount: i64) -> Fund {
        Fund {
            amount,
            verified: true,
            used_for: FundUse::Investment,
        }
    }

    fn claim(funds: Vec<Fund>) -> Claim {
        Claim {
            civil_servant: false,
            in_production: true,
            fiscal: false,
            funds,
        }
    }

    #[test]
    fn the_reward_starts_exactly_at_each_tier() {
        let rule = IntroducerRule::default();
        assert_eq!(rule.check(), Ok(()));
        let reward = |amount| introducer_award(&rule, &claim(vec![fund(amount)])).reward();
        assert_eq!(reward(9_999), 0);
        assert_eq!(reward(10_000), 20);
        assert_eq!(reward(29_999), 20);
        assert_eq!(reward(30_000), 50);
        assert_eq!(reward(499_999), 200);
        assert_eq!(reward(500_000), 300);
        assert_eq!(reward(5_000_000), 300);
    }

    #[test]
    fn land_government_plants_and_unverified_money_do_not_count() {
        let rule = IntroducerRule::default();
        let funds = vec![
            fund(8_000),
            Fund {
                used_for: FundUse::Land,
                ..fund(5_000)
            },
            Fund {
                used_for: FundUse::GovernmentPlant,
                ..fund(5_000)
            },
            Fund {
                verified: false,
                ..fund(5_000)
            },
        ];
        let award = introducer_award(&rule, &claim(funds.clone()));
        assert_eq!((award.counted, award.left_out), (8_000, 15_000));
        assert_eq!(award.bars, [Bar::BelowFirstTier]);
        assert_eq!(award.reward(), 0);
        // 2,000 more of the project's own verified money reaches the first tier.
        let mut more = funds;
        more.push(fund(2_000));
        assert_eq!(introducer_award(&rule, &claim(more)).reward(), 20);
    }

    #[test]
    fn a_civil_servant_a_project_not_producing_or_fiscal_money_earns_nothing() {
        let rule = IntroducerRule::default();
        let everything = Claim {
            civil_servant: true,
            in_production: false,
            fiscal: true,
            ..claim(vec![fund(60_000)])
        };
        let award = introducer_award(&rule, &everything);
        assert_eq!(
            award.tier,
            Some(Tier {
                from: 50_000,
                reward: 80
            })
        );
        assert_eq!(
            award.bars,
            [Bar::CivilServant, Bar::NotInProduction, Bar::FiscalMoney]
        );
        assert_eq!(award.reward(), 0);
        let each = [
            Claim {
                civil_servant: true,
                ..claim(vec![fund(60_000)])
            },
            Claim {
                in_production: false,
                ..claim(vec![fund(60_000)])
            },
            Claim {
                fiscal: true,
                ..claim(vec![fund(60_000)])
            },
        ];
        for one in each {
            assert_eq!(introducer_award(&rule, &one).reward(), 0);
        }
        assert_eq!(
            introducer_award(&rule, &claim(vec![fund(60_000)])).reward(),
            80
        );
    }

    #[test]
    fn an_award_whose_conditions_failed_is_flagged_with_the_amount_and_why() {
        let rule = IntroducerRule::default();
        let now = |amount| introducer_award(&rule, &claim(vec![fund(amount)]));
        assert_eq!(clawback(80, &now(50_000)), None);
        assert_eq!(clawback(80, &now(120_000)), None);
        let flagged = |amount, bars: &[Bar]| {
            Some(Clawback {
                amount,
                bars: bars.to_vec(),
            })
        };
        assert_eq!(clawback(80, &now(30_000)), flagged(30, &[]));
        assert_eq!(clawback(80, &now(0)), flagged(80, &[Bar::BelowFirstTier]));
        let stopped = Claim {
            in_production: false,
            ..claim(vec![fund(50_000)])
        };
        assert_eq!(
            clawback(80, &introducer_award(&rule, &stopped)),
            flagged(80, &[Bar::NotInProduction])
        );
    }

    #[test]
    fn a_tier_table_out_of_order_or_beyond_m10_is_refused_by_its_row() {
        let tier = |from, reward| Tier { from, reward };
        let rule = IntroducerRule {
            tiers: vec![
                tier(10_000, 20),
                tier(10_000, 50),
                tier(30_000, 40),
                tier(0, 0),
                tier(900_000, 301),
            ],
        };
        let err = rule.check().expect_err("refused");
        assert_eq!(
            err.fields().collect::<Vec<_>>(),
            [
                "tiers[1]",
                "tiers[2]",
                "tiers[3].from",
                "tiers[3].reward",
                "tiers[3]",
                "tiers[4].reward",
            ]
        );
        let empty = IntroducerRule { tiers: vec![] }.check().expect_err("empty");
        assert_eq!(empty.fields().collect::<Vec<_>>(), ["tiers"]);
    }

    #[test]
    fn platform_subsidies_by_level() {
        let rule = PlatformRule::default();
        assert_eq!(rule.subsidy(PlatformLevel::National), 25);
        assert_eq!(rule.subsidy(PlatformLevel::Provincial), 15);
        assert_eq!(rule.subsidy(PlatformLevel::Municipal), 10);
        let bad = PlatformRule {
            provincial: 0,
            ..rule
        };
        assert_eq!(
            bad.check()
                .expect_err("refused")
                .fields()
                .collect::<Vec<_>>(),
            ["provincial"]
        );
        // A mistyped amount in the configuration is refused, not read as the default.
        let typo = serde_json::from_str::<PlatformRule>(
            r#"{"national": 25, "provinical": 15, "municipal": 10}"#,
        );
        assert!(typo.is_err());
    }
}
