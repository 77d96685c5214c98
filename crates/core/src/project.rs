//! Investment projects: the stages from first lead to full production, what each stage requires,
//! the "major project" rule, the same investment signed twice, and one major project per leader
//! (M17).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::company::{industry, optional_credit_code};
use crate::org::string_enum;
use crate::validation::{self, FieldError, Invalid};

string_enum!(
    /// 线索 → 在谈 → 签约 → 注册 → 开工 → 投产 → 达产, and 暂停 / 终止 beside them.
    Stage {
        Lead = "lead",
        Negotiating = "negotiating",
        Signed = "signed",
        Registered = "registered",
        Started = "started",
        Producing = "producing",
        AtCapacity = "at_capacity",
        Paused = "paused",
        Terminated = "terminated",
    }
);

impl Stage {
    /// The stages a project goes through, in order.
    pub const PIPELINE: [Stage; 7] = [
        Stage::Lead,
        Stage::Negotiating,
        Stage::Signed,
        Stage::Registered,
        Stage::Started,
        Stage::Producing,
        Stage::AtCapacity,
    ];

    /// Position in [`Stage::PIPELINE`]; `None` for paused and terminated.
    pub fn rank(self) -> Option<usize> {
        Self::PIPELINE.iter().position(|s| *s == self)
    }

    /// Signed or further along (a signing counts in the totals from then on).
    pub fn is_signed(self) -> bool {
        self.rank().is_some_and(|r| r >= 2)
    }
}

/// The fields a project must have before it may enter `stage` (field ids as in [`ProjectInput`]).
pub fn required_for(stage: Stage) -> &'static [&'static str] {
    match stage {
        Stage::Negotiating => &["investor_id"],
        Stage::Signed => &["contract_amount", "total_investment"],
        Stage::Registered => &["project_credit_code"],
        Stage::Started => &["location_unit_id"],
        _ => &[],
    }
}

/// What a move is checked against: the project as it stands, with any values the move brings.
#[derive(Debug, Clone, Default)]
pub struct StageFacts {
    pub stage: Option<Stage>,
    /// The date the current stage was entered.
    pub stage_on: Option<NaiveDate>,
    /// The stage a paused project resumes to.
    pub paused_from: Option<Stage>,
    pub investor: bool,
    pub contract_amount: Option<i64>,
    pub total_investment: i64,
    pub project_credit_code: bool,
    pub location: bool,
}

impl StageFacts {
    fn has(&self, field: &str) -> bool {
        match field {
            "investor_id" => self.investor,
            "contract_amount" => self.contract_amount.is_some_and(|a| a > 0),
            "total_investment" => self.total_investment > 0,
            "project_credit_code" => self.project_credit_code,
            "location_unit_id" => self.location,
            _ => true,
        }
    }
}

/// Checks a move of a project to `to` on the day `on` (`reason` for pausing and terminating).
/// Forward moves may skip stages, but every stage passed must have what it requires; a project
/// never moves back; a paused project resumes where it stopped; terminated and 达产 are final.
pub fn check_move(
    facts: &StageFacts,
    to: Stage,
    on: NaiveDate,
    reason: Option<&str>,
    today: NaiveDate,
) -> Result<(), Invalid> {
    let mut e = Invalid::default();
    let from = facts.stage.unwrap_or(Stage::Lead);
    let refuse = |code: &'static str| {
        FieldError::new("stage", code)
            .with("from", from)
            .with("to", to)
    };
    if from == to {
        return Err(Invalid::one(refuse("err.stage_same")));
    }
    if matches!(from, Stage::Terminated | Stage::AtCapacity) {
        return Err(Invalid::one(refuse("err.stage_final")));
    }
    // The stages this move passes into, each checked for what it needs.
    let entered: Vec<Stage> = match (from, to) {
        (_, Stage::Paused | Stage::Terminated) => {
            if reason.is_none_or(|r| r.trim().is_empty()) {
                e.push(FieldError::new("reason", "err.required"));
            }
            Vec::new()
        }
        (Stage::Paused, _) => {
            if facts.paused_from != Some(to) {
                return Err(Invalid::one(
                    refuse("err.stage_resume")
                        .with("resume", facts.paused_from.unwrap_or(Stage::Lead)),
                ));
            }
            Vec::new()
        }
        _ => {
            let (Some(a), Some(b)) = (from.rank(), to.rank()) else {
                return Err(Invalid::one(refuse("err.stage_move")));
            };
            if b < a {
                return Err(Invalid::one(refuse("err.stage_backward")));
            }
            Stage::PIPELINE[a + 1..=b].to_vec()
        }
    };
    for s in entered {
        for field in required_for(s) {
            if !facts.has(field) {
                e.push(FieldError::new(*field, "err.stage_requires").with("stage", s));
            }
        }
    }
    if on > today {
        e.push(FieldError::new("on", "err.date_future"));
    } else if !validation::date_in_range(on) {
        e.push(FieldError::new("on", "err.date_range"));
    } else if facts.stage_on.is_some_and(|d| on < d) {
        e.push(FieldError::new("on", "err.stage_date_order"));
    }
    e.into_result()
}

/// The stages a project may be moved to from where it stands, by the rules of [`check_move`]
/// (what each stage requires aside: the move supplies it or is refused with the reason).
pub fn next_stages(facts: &StageFacts) -> Vec<Stage> {
    let ready = StageFacts {
        stage_on: None,
        investor: true,
        contract_amount: Some(1),
        total_investment: 1,
        project_credit_code: true,
        location: true,
        ..facts.clone()
    };
    let day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    Stage::ALL
        .iter()
        .copied()
        .filter(|to| check_move(&ready, *to, day, Some("-"), day).is_ok())
        .collect()
}

/// An edit may not take away what a stage the project has passed required (a signed project
/// keeps its contract amount, a started one its location).
pub fn check_kept(facts: &StageFacts) -> Result<(), Invalid> {
    let reached = match facts.stage {
        Some(Stage::Paused) => facts.paused_from,
        other => other,
    };
    let Some(rank) = reached.and_then(Stage::rank) else {
        return Ok(());
    };
    let mut e = Invalid::default();
    for s in &Stage::PIPELINE[1..=rank] {
        for field in required_for(*s) {
            if !facts.has(field) {
                e.push(FieldError::new(*field, "err.stage_keeps").with("stage", s));
            }
        }
    }
    e.into_result()
}

/// Shandong's ten leading industries (十强产业), the default list of "key industries".
pub const TEN_INDUSTRIES: [&str; 10] = [
    "新一代信息技术",
    "高端装备",
    "新能源新材料",
    "现代海洋",
    "医养健康",
    "高端化工",
    "现代高效农业",
    "文化创意",
    "精品旅游",
    "现代金融服务",
];

/// Which projects are major (重大项目): outside investment at least a threshold, in one of the
/// key industries. Configurable; the default is the policy's 10亿元 in a 十强 industry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MajorRule {
    /// 万元.
    pub min_outside_investment: i64,
    pub key_industries: Vec<String>,
}

impl Default for MajorRule {
    fn default() -> Self {
        Self {
            min_outside_investment: 100_000,
            key_industries: TEN_INDUSTRIES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl MajorRule {
    pub fn is_major(&self, outside_investment: i64, key_industry: Option<&str>) -> bool {
        outside_investment >= self.min_outside_investment
            && key_industry.is_some_and(|k| self.key_industries.iter().any(|i| i == k))
    }
}

/// Similarity of two names as the Dice coefficient of their character pairs (0–1), on the
/// normalised names so that brackets, spaces and width do not count.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let pairs = |s: &str| -> Vec<(char, char)> {
        let cs: Vec<char> = crate::company::name_key(s).chars().collect();
        let mut v: Vec<(char, char)> = cs.windows(2).map(|w| (w[0], w[1])).collect();
        v.sort_unstable();
        v
    };
    let (x, y) = (pairs(a), pairs(b));
    if x.is_empty() || y.is_empty() {
        return if crate::company::name_key(a) == crate::company::name_key(b) {
            1.0
        } else {
            0.0
        };
    }
    // Count common pairs with multiplicity (both sorted).
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (2 * common) as f64 / (x.len() + y.len()) as f64
}

/// A signing as compared for duplicates.
#[derive(Debug, Clone)]
pub struct Signing<'a> {
    pub investor_id: Option<i64>,
    pub name: &'a str,
    /// 万元: the contract amount, or the total investment when there is none.
    pub amount: i64,
}

/// The least name similarity for two signings of one investor to be the same investment.
pub const SAME_NAME: f64 = 0.5;
/// The largest difference in amount, as a share of the larger one.
pub const SAME_AMOUNT: f64 = 0.2;

/// Whether two signings are the same investment signed again (at another event): the same
/// investor, a similar name and a similar amount.
pub fn same_investment(a: &Signing, b: &Signing) -> bool {
    let (Some(x), Some(y)) = (a.investor_id, b.investor_id) else {
        return false;
    };
    if x != y || name_similarity(a.name, b.name) < SAME_NAME {
        return false;
    }
    let (lo, hi) = (a.amount.min(b.amount), a.amount.max(b.amount));
    hi <= 0 || (hi - lo) as f64 <= SAME_AMOUNT * hi as f64
}

/// M17: a leader owns at most one major project, unless the assignment gives a reason.
/// `others` are the leader's other open major projects (id, name).
pub fn check_owner(others: &[(i64, String)], override_reason: Option<&str>) -> Result<(), Invalid> {
    match others.first() {
        Some((id, name)) if override_reason.is_none_or(|r| r.trim().is_empty()) => {
            Err(Invalid::one(
                FieldError::new("owner_leader_id", "err.owner_has_major")
                    .with("id", id)
                    .with("name", name),
            ))
        }
        _ => Ok(()),
    }
}

/// Land in 亩 with up to two decimals, kept as hundredths so sums stay exact.
pub fn parse_mu(e: &mut Invalid, field: &str, value: &str) -> Option<i64> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    let ok = !whole.is_empty()
        && whole.len() <= 7
        && frac.len() <= 2
        && whole.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit());
    if !ok {
        e.push(FieldError::new(field, "err.mu_format"));
        return None;
    }
    let w: i64 = whole.parse().unwrap_or(0);
    let f: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    Some(w * 100 + f)
}

/// Hundredths of a 亩 as written ("12.5" for 1250, "3" for 300).
pub fn format_mu(hundredths: i64) -> String {
    let (w, f) = (hundredths / 100, hundredths % 100);
    match f {
        0 => w.to_string(),
        f if f % 10 == 0 => format!("{w}.{}", f / 10),
        f => format!("{w}.{f:02}"),
    }
}

/// The national investment project code (全国投资项目在线审批监管平台): `YYYY-AAAAAA-BB-CC-NNNNNN`.
pub fn national_code(e: &mut Invalid, field: &str, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let parts: Vec<&str> = v.split('-').collect();
    let lens = [4, 6, 2, 2, 6];
    let ok = parts.len() == 5
        && parts
            .iter()
            .zip(lens)
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_digit()));
    if !ok {
        e.push(FieldError::new(field, "err.national_code"));
    }
    Some(v.to_string())
}

/// A project as entered in a form, the API or a spreadsheet row. Money is in 万元.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProjectInput {
    pub name: String,
    /// The investor (a company of the library).
    pub investor_id: Option<i64>,
    pub industry_section: String,
    pub industry_division: String,
    /// One of the configured key industries (十强产业), or empty.
    pub key_industry: String,
    /// The unit responsible for the project (its clerks keep it up to date).
    pub unit_id: Option<i64>,
    /// Other responsible units.
    pub other_unit_ids: Vec<i64>,
    /// Where it is built: a town or park unit.
    pub location_unit_id: Option<i64>,
    /// 首谈/首引单位.
    pub first_unit_id: Option<i64>,
    /// 引荐人.
    pub introducer: String,
    pub introducer_civil_servant: bool,
    /// 包挂领导 (a person).
    pub owner_leader_id: Option<i64>,
    /// Why this leader owns a second major project (M17 allows it only with a reason).
    pub owner_override: String,
    /// 帮办代办专员 (a person).
    pub agent_id: Option<i64>,
    /// 专班.
    pub team: String,
    pub total_investment: Option<i64>,
    pub outside_investment: Option<i64>,
    pub first_phase_investment: Option<i64>,
    /// 亩, up to two decimals, as text ("12.5").
    pub land_mu: String,
    pub contract_amount: Option<i64>,
    /// 统一社会信用代码 of the project company once registered.
    pub project_credit_code: String,
    /// National project code `YYYY-AAAAAA-BB-CC-NNNNNN`.
    pub national_code: String,
    /// The industry-chain segment (环节) the project fills.
    pub segment_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectFields {
    pub name: String,
    pub investor_id: Option<i64>,
    pub industry_section: Option<String>,
    pub industry_division: Option<String>,
    pub key_industry: Option<String>,
    pub unit_id: i64,
    pub other_unit_ids: Vec<i64>,
    pub location_unit_id: Option<i64>,
    pub first_unit_id: Option<i64>,
    pub introducer: Option<String>,
    pub introducer_civil_servant: bool,
    pub owner_leader_id: Option<i64>,
    pub owner_override: Option<String>,
    pub agent_id: Option<i64>,
    pub team: Option<String>,
    pub total_investment: i64,
    pub outside_investment: i64,
    pub first_phase_investment: Option<i64>,
    pub land_mu_x100: Option<i64>,
    pub contract_amount: Option<i64>,
    pub project_credit_code: Option<String>,
    pub national_code: Option<String>,
    pub segment_id: Option<i64>,
}

/// The largest amount accepted, in 万元 (a hundred trillion yuan: beyond it is a typo).
pub const MAX_WAN: i64 = 10_000_000_000;

fn money(e: &mut Invalid, field: &str, v: Option<i64>) -> Option<i64> {
    if let Some(x) = v
        && !(0..=MAX_WAN).contains(&x)
    {
        e.push(
            FieldError::new(field, "err.range")
                .with("min", 0)
                .with("max", MAX_WAN),
        );
    }
    v
}

impl ProjectInput {
    pub fn validate(&self, rule: &MajorRule) -> Result<ProjectFields, Invalid> {
        let mut e = Invalid::default();
        let name = validation::required(&mut e, "name", &self.name, 100);
        let (industry_section, industry_division) =
            industry(&mut e, &self.industry_section, &self.industry_division);
        let key_industry = validation::optional(&mut e, "key_industry", &self.key_industry, 40);
        if let Some(k) = &key_industry
            && !rule.key_industries.contains(k)
        {
            e.push(FieldError::new("key_industry", "err.choice"));
        }
        let unit_id = self.unit_id.unwrap_or_else(|| {
            e.push(FieldError::new("unit_id", "err.required"));
            0
        });
        let total_investment = money(&mut e, "total_investment", self.total_investment);
        let outside_investment = money(&mut e, "outside_investment", self.outside_investment);
        let first_phase_investment = money(
            &mut e,
            "first_phase_investment",
            self.first_phase_investment,
        );
        let contract_amount = money(&mut e, "contract_amount", self.contract_amount);
        let total = total_investment.unwrap_or(0);
        if outside_investment.is_some_and(|o| o > total) {
            e.push(FieldError::new("outside_investment", "err.more_than_total"));
        }
        if first_phase_investment.is_some_and(|o| o > total) {
            e.push(FieldError::new(
                "first_phase_investment",
                "err.more_than_total",
            ));
        }
        let land_mu_x100 = parse_mu(&mut e, "land_mu", &self.land_mu);
        let introducer = validation::optional(&mut e, "introducer", &self.introducer, 30);
        let owner_override =
            validation::optional(&mut e, "owner_override", &self.owner_override, 200);
        let team = validation::optional(&mut e, "team", &self.team, 60);
        let project_credit_code =
            optional_credit_code(&mut e, "project_credit_code", &self.project_credit_code);
        let national_code = national_code(&mut e, "national_code", &self.national_code);
        let mut other_unit_ids: Vec<i64> = self
            .other_unit_ids
            .iter()
            .copied()
            .filter(|u| *u != unit_id)
            .collect();
        other_unit_ids.sort_unstable();
        other_unit_ids.dedup();
        e.into_result()?;
        Ok(ProjectFields {
            name,
            investor_id: self.investor_id,
            industry_section,
            industry_division,
            key_industry,
            unit_id,
            other_unit_ids,
            location_unit_id: self.location_unit_id,
            first_unit_id: self.first_unit_id,
            introducer,
            introducer_civil_servant: self.introducer_civil_servant,
            owner_leader_id: self.owner_leader_id,
            owner_override,
            agent_id: self.agent_id,
            team,
            total_investment: total,
            outside_investment: outside_investment.unwrap_or(0),
            first_phase_investment,
            land_mu_x100,
            contract_amount,
            project_credit_code,
            national_code,
            segment_id: self.segment_id,
        })
    }
}

impl ProjectFields {
    pub fn is_major(&self, rule: &MajorRule) -> bool {
        rule.is_major(self.outside_investment, self.key_industry.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn facts(stage: Stage) -> StageFacts {
        StageFacts {
            stage: Some(stage),
            stage_on: Some(d(3, 1)),
            ..Default::default()
        }
    }

    fn codes(r: Result<(), Invalid>) -> Vec<(String, &'static str)> {
        r.err()
            .map(|e| e.0.into_iter().map(|x| (x.field, x.code)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn forward_moves_need_what_each_stage_passed_requires() {
        let today = d(6, 1);
        let f = facts(Stage::Lead);
        assert_eq!(
            codes(check_move(&f, Stage::Signed, d(5, 1), None, today)),
            vec![
                ("investor_id".into(), "err.stage_requires"),
                ("contract_amount".into(), "err.stage_requires"),
                ("total_investment".into(), "err.stage_requires"),
            ]
        );
        let ready = StageFacts {
            investor: true,
            contract_amount: Some(50_000),
            total_investment: 80_000,
            ..f
        };
        assert!(check_move(&ready, Stage::Signed, d(5, 1), None, today).is_ok());
        // Registering also needs the project company's credit code.
        assert_eq!(
            codes(check_move(&ready, Stage::Registered, d(5, 1), None, today)),
            vec![("project_credit_code".into(), "err.stage_requires")]
        );
    }

    #[test]
    fn illegal_moves_are_refused() {
        let today = d(6, 1);
        let on = d(5, 1);
        let started = facts(Stage::Started);
        assert_eq!(
            codes(check_move(&started, Stage::Signed, on, None, today)),
            vec![("stage".into(), "err.stage_backward")]
        );
        assert_eq!(
            codes(check_move(&started, Stage::Started, on, None, today)),
            vec![("stage".into(), "err.stage_same")]
        );
        assert_eq!(
            codes(check_move(
                &facts(Stage::Terminated),
                Stage::Lead,
                on,
                None,
                today
            )),
            vec![("stage".into(), "err.stage_final")]
        );
        assert_eq!(
            codes(check_move(&started, Stage::Paused, on, None, today)),
            vec![("reason".into(), "err.required")]
        );
        assert!(check_move(&started, Stage::Paused, on, Some("资金未到位"), today).is_ok());
        let paused = StageFacts {
            paused_from: Some(Stage::Started),
            ..facts(Stage::Paused)
        };
        assert_eq!(
            codes(check_move(&paused, Stage::Producing, on, None, today)),
            vec![("stage".into(), "err.stage_resume")]
        );
        assert!(check_move(&paused, Stage::Started, on, None, today).is_ok());
        assert!(check_move(&paused, Stage::Terminated, on, Some("企业撤资"), today).is_ok());
        // Dates: not in the future, not before the current stage began.
        let ready = StageFacts {
            investor: true,
            ..facts(Stage::Lead)
        };
        assert_eq!(
            codes(check_move(&ready, Stage::Negotiating, d(7, 1), None, today)),
            vec![("on".into(), "err.date_future")]
        );
        assert_eq!(
            codes(check_move(&ready, Stage::Negotiating, d(2, 1), None, today)),
            vec![("on".into(), "err.stage_date_order")]
        );
    }

    proptest! {
        /// Whatever the facts, an accepted move between pipeline stages goes forward, and
        /// nothing leaves a final stage.
        #[test]
        fn accepted_moves_go_forward(from in 0usize..9, to in 0usize..9, investor: bool,
                                     amount in 0i64..3, credit: bool, location: bool) {
            let (from, to) = (Stage::ALL[from], Stage::ALL[to]);
            let f = StageFacts {
                stage: Some(from),
                stage_on: Some(d(1, 1)),
                paused_from: Some(Stage::Signed),
                investor,
                contract_amount: Some(amount),
                total_investment: amount,
                project_credit_code: credit,
                location,
            };
            let ok = check_move(&f, to, d(2, 1), Some("原因"), d(3, 1)).is_ok();
            if ok {
                prop_assert!(!matches!(from, Stage::Terminated | Stage::AtCapacity));
                if let (Some(a), Some(b)) = (from.rank(), to.rank()) {
                    prop_assert!(b > a);
                }
            }
        }
    }

    #[test]
    fn next_stages_follow_the_move_rules() {
        use Stage::*;
        assert_eq!(
            next_stages(&facts(Started)),
            vec![Producing, AtCapacity, Paused, Terminated]
        );
        let paused = StageFacts {
            paused_from: Some(Signed),
            ..facts(Paused)
        };
        assert_eq!(next_stages(&paused), vec![Signed, Terminated]);
        assert!(next_stages(&facts(Terminated)).is_empty());
    }

    #[test]
    fn edits_keep_what_passed_stages_required() {
        let signed = StageFacts {
            investor: true,
            contract_amount: Some(5),
            total_investment: 5,
            ..facts(Stage::Signed)
        };
        assert!(check_kept(&signed).is_ok());
        let cleared = StageFacts {
            contract_amount: None,
            ..signed.clone()
        };
        assert_eq!(
            codes(check_kept(&cleared)),
            vec![("contract_amount".into(), "err.stage_keeps")]
        );
        let paused = StageFacts {
            paused_from: Some(Stage::Signed),
            ..cleared
        };
        assert_eq!(codes(check_kept(&paused)).len(), 1);
        assert!(check_kept(&facts(Stage::Lead)).is_ok());
    }

    #[test]
    fn the_major_rule() {
        let rule = MajorRule::default();
        assert!(rule.is_major(100_000, Some("高端化工")));
        assert!(!rule.is_major(99_999, Some("高端化工")));
        assert!(!rule.is_major(500_000, Some("房地产")));
        assert!(!rule.is_major(500_000, None));
        let low = MajorRule {
            min_outside_investment: 50_000,
            ..MajorRule::default()
        };
        assert!(low.is_major(50_000, Some("医养健康")));
    }

    #[test]
    fn the_same_investment_signed_again_is_recognised() {
        let first = Signing {
            investor_id: Some(7),
            name: "年产10万吨高性能新材料项目",
            amount: 120_000,
        };
        let again = Signing {
            investor_id: Some(7),
            name: "年产10万吨高性能新材料项目（二次签约）",
            amount: 110_000,
        };
        assert!(same_investment(&first, &again));
        // Another investor, another project, or another size is another investment.
        let other_investor = Signing {
            investor_id: Some(8),
            ..again.clone()
        };
        assert!(!same_investment(&first, &other_investor));
        let other_name = Signing {
            name: "智能仓储物流园",
            ..again.clone()
        };
        assert!(!same_investment(&first, &other_name));
        let bigger = Signing {
            amount: 300_000,
            ..again.clone()
        };
        assert!(!same_investment(&first, &bigger));
        let unknown = Signing {
            investor_id: None,
            ..again
        };
        assert!(!same_investment(&first, &unknown));
    }

    #[test]
    fn one_major_project_per_leader_unless_overridden() {
        assert!(check_owner(&[], None).is_ok());
        let others = [(3, "化工新材料产业园".to_string())];
        let err = check_owner(&others, Some(" ")).expect_err("refused");
        assert_eq!(err.0[0].code, "err.owner_has_major");
        assert!(check_owner(&others, Some("县委常委会议定")).is_ok());
    }

    #[test]
    fn land_and_codes() {
        let mut e = Invalid::default();
        assert_eq!(parse_mu(&mut e, "land_mu", "12.5"), Some(1250));
        assert_eq!(parse_mu(&mut e, "land_mu", "300"), Some(30_000));
        assert_eq!(parse_mu(&mut e, "land_mu", "0.05"), Some(5));
        assert!(e.is_empty());
        parse_mu(&mut e, "land_mu", "12.555");
        parse_mu(&mut e, "land_mu", "-3");
        parse_mu(&mut e, "land_mu", "一百");
        assert_eq!(e.0.len(), 3);
        assert_eq!(format_mu(1250), "12.5");
        assert_eq!(format_mu(30_000), "300");
        assert_eq!(format_mu(5), "0.05");
        let mut e = Invalid::default();
        national_code(&mut e, "national_code", "2019-370322-26-03-012345");
        assert!(e.is_empty());
        national_code(&mut e, "national_code", "2019-370322-26-03");
        assert_eq!(e.0.len(), 1);
    }

    #[test]
    fn project_input_checks_amounts() {
        let rule = MajorRule::default();
        let input = ProjectInput {
            name: "新材料项目".into(),
            unit_id: Some(1),
            other_unit_ids: vec![2, 1, 2],
            total_investment: Some(100),
            outside_investment: Some(200),
            key_industry: "房地产".into(),
            ..Default::default()
        };
        let err = input.validate(&rule).expect_err("invalid");
        let fields: Vec<_> = err.fields().collect();
        assert_eq!(fields, vec!["key_industry", "outside_investment"]);
        let ok = ProjectInput {
            outside_investment: Some(100),
            key_industry: "高端化工".into(),
            ..input
        }
        .validate(&rule)
        .expect("valid");
        assert_eq!(ok.other_unit_ids, vec![2]);
        assert!(!ok.is_major(&rule));
    }
}
