//! Incentive rules as data: the introducer's reward by investment actually in place (M10), the
//! subsidy for a newly approved innovation platform (M12), and the clawback of an award whose
//! conditions no longer hold. Amounts are 万元; tables are configuration, checked before use.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::org::string_enum;
use crate::project::MAX_WAN;
use crate::validation::{FieldError, Invalid};

/// An introducer's reward, 万元 (M10).
const REWARD_LEAST: i64 = 20;
const REWARD_MOST: i64 = 300;

/// The most tiers a table holds.
const MAX_TIERS: usize = 20;

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
        if self.tiers.len() > MAX_TIERS {
            errors.push(FieldError::new("tiers", "err.too_many").with("max", MAX_TIERS));
            return errors.into_result();
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

string_enum!(
    /// What a project's funds in place went into.
    #[derive(utoipa::ToSchema)]
    FundUse {
        /// Plant, equipment and the rest of the project itself.
        Investment = "investment",
        /// The project's land: never counted (M10).
        Land = "land",
        /// A plant the government built for the project: never counted (M10).
        GovernmentPlant = "government_plant",
    }
);

/// One entry of a project's funds in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ClaimFund)]
pub struct Fund {
    pub amount: i64,
    /// Evidence on file: unverified money counts for nothing.
    pub verified: bool,
    pub used_for: FundUse,
    /// Fiscal direct investment (财政性直接投资): the reward is for outside money only.
    pub fiscal: bool,
}

string_enum!(
    /// Why an introducer gets no reward.
    #[derive(utoipa::ToSchema)]
    Bar {
        /// No introducer is on record.
        NoIntroducer = "no_introducer",
        /// The introducer works for a state organ or public institution.
        CivilServant = "civil_servant",
        /// The project has not been completed and put into production.
        NotInProduction = "not_in_production",
        /// The project is the same investment as an earlier one.
        Duplicate = "duplicate",
        /// The money counted is below the first tier.
        BelowFirstTier = "below_first_tier",
    }
);

impl Bar {
    /// The message refusing an award for this reason.
    pub fn code(self) -> &'static str {
        match self {
            Bar::NoIntroducer => "err.incentive.no_introducer",
            Bar::CivilServant => "err.incentive.civil_servant",
            Bar::NotInProduction => "err.incentive.not_in_production",
            Bar::Duplicate => "err.incentive.duplicate_project",
            Bar::BelowFirstTier => "err.incentive.below_first_tier",
        }
    }
}

/// An introducer's claim, as the rule sees it. Kept with each award: fields added later take
/// their default when an older award is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Claim {
    /// No introducer is on record.
    #[serde(default)]
    pub no_introducer: bool,
    pub civil_servant: bool,
    pub in_production: bool,
    /// The project is the same investment as an earlier one.
    #[serde(default)]
    pub duplicate: bool,
    pub funds: Vec<Fund>,
}

/// What the rule gives a claim, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = IntroducerAward)]
pub struct Award {
    /// Verified outside money invested in the project itself, 万元.
    pub counted: i64,
    /// Money in place left out: unverified, fiscal, land or a government-built plant.
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
        if f.verified && !f.fiscal && f.used_for == FundUse::Investment {
            (c.saturating_add(f.amount), l)
        } else {
            (c, l.saturating_add(f.amount))
        }
    });
    let tier = rule.tier(counted);
    let mut bars = Vec::new();
    if claim.no_introducer {
        bars.push(Bar::NoIntroducer);
    }
    if claim.civil_servant {
        bars.push(Bar::CivilServant);
    }
    if !claim.in_production {
        bars.push(Bar::NotInProduction);
    }
    if claim.duplicate {
        bars.push(Bar::Duplicate);
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

string_enum!(
    /// An innovation platform's level of approval (M12).
    #[derive(utoipa::ToSchema)]
    PlatformLevel { National = "national", Provincial = "provincial", Municipal = "municipal" }
);

string_enum!(
    /// What an innovation platform is (M12).
    #[derive(utoipa::ToSchema)]
    PlatformKind {
        /// 院士工作站.
        Academician = "academician",
        /// 博士后工作站.
        Postdoctoral = "postdoctoral",
        /// 研发机构 (工程技术研究中心、企业技术中心、重点实验室 …).
        Research = "research",
    }
);

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

string_enum!(
    /// What makes a unit's introduction count toward the "excellent" grade (M5): it was the
    /// first introducing unit of a World or China Top 500 company's project, of a major project,
    /// of a headquarters, or of an expert of a national talent program.
    #[derive(PartialOrd, Ord, utoipa::ToSchema)]
    Merit {
        Global500 = "global500",
        China500 = "china500",
        Major = "major",
        Headquarters = "headquarters",
        NationalTalent = "national_talent",
    }
);

impl Merit {
    /// The merits of a project signed with its investor's flags.
    pub fn of_project(major: bool, global500: bool, china500: bool, hq: bool) -> Vec<Merit> {
        [
            (global500, Merit::Global500),
            (china500, Merit::China500),
            (major, Merit::Major),
            (hq, Merit::Headquarters),
        ]
        .into_iter()
        .filter_map(|(on, m)| on.then_some(m))
        .collect()
    }
}

/// A unit is eligible for the year's "excellent" grade when it has at least one merit and no
/// veto item (一票否决).
pub fn excellent(merits: &[Merit], vetoed: bool) -> bool {
    !merits.is_empty() && !vetoed
}

/// The longest public notice (公示) a county may configure, in days.
pub const MAX_NOTICE_DAYS: i64 = 90;

/// A county's incentive rules, configuration kept by its supervisor. There is no silent
/// default: a county without rules proposes no award until it saves its own (the demo saves
/// [`Rules::example`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub introducer: IntroducerRule,
    pub platform: PlatformRule,
    /// Days an award is publicly noticed (公示) before it may be approved.
    pub notice_days: i64,
}

impl Rules {
    /// The demo's example: the example tier table, M12's amounts, seven days of notice.
    pub fn example() -> Self {
        Self {
            introducer: IntroducerRule::default(),
            platform: PlatformRule::default(),
            notice_days: 7,
        }
    }

    /// Every problem, named by its path (`introducer.tiers[2].reward`, `platform.national`).
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::default();
        for (prefix, r) in [
            ("introducer", self.introducer.check()),
            ("platform", self.platform.check()),
        ] {
            for mut e in r.err().map(|e| e.0).unwrap_or_default() {
                e.field = format!("{prefix}.{}", e.field);
                errors.push(e);
            }
        }
        if !(1..=MAX_NOTICE_DAYS).contains(&self.notice_days) {
            errors.push(
                FieldError::new("notice_days", "err.range")
                    .with("min", 1)
                    .with("max", MAX_NOTICE_DAYS),
            );
        }
        errors.into_result()
    }
}

string_enum!(
    /// Where an award stands in the ledger.
    #[derive(utoipa::ToSchema)]
    #[schema(as = AwardStatus)]
    Status {
        /// Computed and put forward; not yet public.
        Proposed = "proposed",
        /// In public notice (公示) until its last day.
        Notice = "notice",
        Approved = "approved",
        Paid = "paid",
        /// Refused, with a reason; the subject may be proposed again.
        Rejected = "rejected",
    }
);

impl Status {
    /// The steps the ledger takes from here.
    pub fn steps(self) -> &'static [Step] {
        match self {
            Status::Proposed => &[Step::Notice, Step::Reject],
            Status::Notice => &[Step::Approve, Step::Reject],
            Status::Approved => &[Step::Pay, Step::Reject],
            Status::Paid | Status::Rejected => &[],
        }
    }
}

string_enum!(
    /// What the supervisor does to an award.
    #[derive(utoipa::ToSchema)]
    #[schema(as = AwardStep)]
    Step {
        /// Put it in public notice from today.
        Notice = "notice",
        /// Approve it once its notice is over.
        Approve = "approve",
        /// Record it paid.
        Pay = "pay",
        /// Refuse it, with a reason.
        Reject = "reject",
    }
);

/// An award's public notice: from its first day through its last, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl Notice {
    /// `days` of notice starting `from`.
    pub fn starting(from: NaiveDate, days: i64) -> Notice {
        Notice {
            from,
            until: from + chrono::Duration::days(days.max(1) - 1),
        }
    }
}

/// The status after `step` taken on `today` from `status`, or why it cannot be taken: the step
/// is not one of the status's (`err.incentive.step`), the notice is not over
/// (`err.incentive.in_notice`), or a refusal has no reason (`err.required`).
pub fn take(
    status: Status,
    step: Step,
    today: NaiveDate,
    notice: Option<Notice>,
    reason: &str,
) -> Result<Status, FieldError> {
    if !status.steps().contains(&step) {
        return Err(FieldError::new("step", "err.incentive.step"));
    }
    match step {
        Step::Notice => Ok(Status::Notice),
        Step::Approve => match notice {
            Some(n) if today > n.until => Ok(Status::Approved),
            _ => Err(FieldError::new("step", "err.incentive.in_notice").with(
                "until",
                notice.map(|n| n.until.to_string()).unwrap_or_default(),
            )),
        },
        Step::Pay => Ok(Status::Paid),
        Step::Reject if reason.trim().is_empty() => Err(FieldError::new("reason", "err.required")),
        Step::Reject => Ok(Status::Rejected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fund(amount: i64) -> Fund {
        Fund {
            amount,
            verified: true,
            used_for: FundUse::Investment,
            fiscal: false,
        }
    }

    fn claim(funds: Vec<Fund>) -> Claim {
        Claim {
            no_introducer: false,
            civil_servant: false,
            in_production: true,
            duplicate: false,
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
    fn land_government_plants_fiscal_and_unverified_money_do_not_count() {
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
            Fund {
                fiscal: true,
                ..fund(5_000)
            },
        ];
        let award = introducer_award(&rule, &claim(funds.clone()));
        assert_eq!((award.counted, award.left_out), (8_000, 20_000));
        assert_eq!(award.bars, [Bar::BelowFirstTier]);
        assert_eq!(award.reward(), 0);
        // 2,000 more of the project's own verified money reaches the first tier.
        let mut more = funds;
        more.push(fund(2_000));
        assert_eq!(introducer_award(&rule, &claim(more)).reward(), 20);
    }

    #[test]
    fn no_introducer_a_civil_servant_a_project_not_producing_or_a_duplicate_earns_nothing() {
        let rule = IntroducerRule::default();
        let everything = Claim {
            no_introducer: true,
            civil_servant: true,
            in_production: false,
            duplicate: true,
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
            [
                Bar::NoIntroducer,
                Bar::CivilServant,
                Bar::NotInProduction,
                Bar::Duplicate
            ]
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
                no_introducer: true,
                ..claim(vec![fund(60_000)])
            },
            Claim {
                duplicate: true,
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
        let many = IntroducerRule {
            tiers: (1..=21)
                .map(|n| Tier {
                    from: n * 10_000,
                    reward: 20 + n,
                })
                .collect(),
        };
        assert_eq!(
            many.check()
                .expect_err("too many")
                .fields()
                .collect::<Vec<_>>(),
            ["tiers"]
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

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("date")
    }

    #[test]
    fn an_award_is_approved_only_the_day_after_its_notice_ends() {
        let notice = Notice::starting(day(1), 7);
        assert_eq!(notice.until, day(7));
        let approve = |today| take(Status::Notice, Step::Approve, today, Some(notice), "");
        assert_eq!(
            approve(day(7)).map_err(|e| e.code),
            Err("err.incentive.in_notice")
        );
        assert_eq!(approve(day(8)), Ok(Status::Approved));
        // A proposal not yet noticed is never approved, nor a rejection taken back.
        assert!(take(Status::Proposed, Step::Approve, day(9), None, "").is_err());
        assert!(take(Status::Rejected, Step::Notice, day(9), None, "").is_err());
        assert_eq!(
            take(Status::Approved, Step::Reject, day(9), Some(notice), " ").map_err(|e| e.code),
            Err("err.required")
        );
        assert_eq!(
            take(
                Status::Approved,
                Step::Reject,
                day(9),
                Some(notice),
                "资金撤回"
            ),
            Ok(Status::Rejected)
        );
        assert_eq!(Notice::starting(day(1), 1).until, day(1));
    }

    #[test]
    fn rules_are_checked_with_the_path_of_each_problem() {
        assert_eq!(Rules::example().check(), Ok(()));
        let bad = Rules {
            introducer: IntroducerRule {
                tiers: vec![Tier {
                    from: 10_000,
                    reward: 500,
                }],
            },
            platform: PlatformRule {
                municipal: 0,
                ..PlatformRule::default()
            },
            notice_days: 0,
        };
        let err = bad.check().expect_err("refused");
        assert_eq!(
            err.fields().collect::<Vec<_>>(),
            [
                "introducer.tiers[0].reward",
                "platform.municipal",
                "notice_days"
            ]
        );
    }

    #[test]
    fn excellent_needs_one_merit_and_no_veto() {
        assert!(excellent(&[Merit::Major], false));
        assert!(!excellent(&[Merit::Major, Merit::Global500], true));
        assert!(!excellent(&[], false));
        assert_eq!(
            Merit::of_project(true, false, true, true),
            [Merit::China500, Merit::Major, Merit::Headquarters]
        );
        assert!(Merit::of_project(false, false, false, false).is_empty());
    }

    proptest! {
        /// Whatever is tried, the ledger only moves forward: nothing leaves paid or rejected,
        /// nothing is paid before it was approved, nothing approved before its notice ended.
        #[test]
        fn the_ledger_only_moves_forward(steps in proptest::collection::vec((0usize..4, 0i64..20), 0..12)) {
            let all = [Step::Notice, Step::Approve, Step::Pay, Step::Reject];
            let mut status = Status::Proposed;
            let mut notice: Option<Notice> = None;
            let mut approved = false;
            for (n, d) in steps {
                let today = day(1) + chrono::Duration::days(d);
                let before = status;
                if let Ok(next) = take(status, all[n], today, notice, "理由") {
                    prop_assert!(!matches!(before, Status::Paid | Status::Rejected));
                    match next {
                        Status::Notice => notice = Some(Notice::starting(today, 7)),
                        Status::Approved => {
                            prop_assert!(notice.is_some_and(|x| today > x.until));
                            approved = true;
                        }
                        Status::Paid => prop_assert!(approved),
                        _ => {}
                    }
                    status = next;
                }
            }
        }
    }
}
