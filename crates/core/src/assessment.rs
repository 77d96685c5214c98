//! Assessment schemes (考核方案, M4, M18): how a period's figures become each unit's score and
//! rank. A scheme has groups of subjects (departments, parks, towns), each with its indicators —
//! counted from the platform's rows or scored by hand — and a multiplier (a park's score counts
//! at least 1.5× the city's weight, M18); deductions for upheld complaints and overdue tasks,
//! unless exempted. Scores are exact decimals, each indicator's points rounded to hundredths, so
//! the same scheme over the same figures gives the same ranking every time.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, Invalid};

/// How often a scheme is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

/// Which way an indicator's value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    /// Whether `a` is strictly better than `b`.
    fn better(self, a: Decimal, b: Decimal) -> bool {
        match self {
            Direction::Higher => a > b,
            Direction::Lower => a < b,
        }
    }
}

/// What a computed indicator counts for a subject over the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Counted trips out to recruit (外出招引).
    TripsOut,
    /// Negotiations held (洽谈对接).
    Negotiations,
    /// Projects signed.
    Signings,
    /// Projects started.
    ProjectsStarted,
    /// Funds in place with evidence, 万元.
    FundsVerified,
    /// Tasks closed by their deadline.
    TasksClosedOnTime,
    /// Problems solved by their deadline.
    ProblemsSolvedInTime,
    /// Periodic reports submitted on time.
    ReportsOnTime,
}

impl Measure {
    pub const ALL: [Measure; 8] = [
        Measure::TripsOut,
        Measure::Negotiations,
        Measure::Signings,
        Measure::ProjectsStarted,
        Measure::FundsVerified,
        Measure::TasksClosedOnTime,
        Measure::ProblemsSolvedInTime,
        Measure::ReportsOnTime,
    ];

    /// The column of the monthly publication table (`report::COLUMNS`) that counts it, if one
    /// does: the assessment then reads the same figure the table publishes.
    pub fn report_column(self) -> Option<&'static str> {
        match self {
            Measure::TripsOut => Some("trips"),
            Measure::Negotiations => Some("talks"),
            Measure::Signings => Some("signed"),
            Measure::ProjectsStarted => Some("started"),
            Measure::FundsVerified => Some("funds_verified"),
            Measure::TasksClosedOnTime | Measure::ProblemsSolvedInTime | Measure::ReportsOnTime => {
                None
            }
        }
    }
}

/// A threshold and the share of the weight a value reaching it earns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub at: Decimal,
    pub share: Decimal,
}

/// How an indicator's value becomes points, at most its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// In proportion from `zero` (no points) to `target` (the whole weight), nothing more beyond
    /// the target. When lower is better the target is below `zero`.
    Linear { target: Decimal, zero: Decimal },
    /// By rank within the group, equal values sharing the better rank: the first earns the
    /// whole weight and each rank after it `step` of the weight less, never under `floor`.
    Rank { step: Decimal, floor: Decimal },
    /// The share of the best band the value reaches (at least `at`, or at most when lower is
    /// better); none reached, nothing.
    Threshold { bands: Vec<Band> },
    /// Points per unit of the value (奖分制), up to the weight.
    Points { per: Decimal },
    /// Scored by hand, from nothing to the weight, with a reason.
    Manual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable within its group: scores and hand scores refer to it.
    pub key: String,
    pub name: String,
    /// What it counts; none when scored by hand.
    pub measure: Option<Measure>,
    /// The most points it gives.
    pub weight: Decimal,
    pub direction: Direction,
    pub method: Method,
}

/// Subjects assessed alike: departments, parks or towns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub key: String,
    pub name: String,
    /// What the group's scores are multiplied by (1.5 for parks, M18).
    pub multiplier: Decimal,
    pub indicators: Vec<Indicator>,
}

/// What costs a subject points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// An investor complaint against the unit, upheld by the supervisor.
    UpheldComplaint,
    /// A task the unit leads, overdue at the period's end.
    OverdueTask,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deduction {
    pub cause: Cause,
    /// Points per item.
    pub points: Decimal,
    /// The most this cause deducts in a period; none, no limit.
    pub cap: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub name: String,
    pub period: PeriodKind,
    pub groups: Vec<Group>,
    pub deductions: Vec<Deduction>,
    /// How many of each group a published run names on its red list (红榜, the best) and its
    /// black list (黑榜, the worst); none, no lists.
    #[serde(default)]
    pub listed: u32,
}

/// The largest value, target, threshold or points per item accepted (a trillion): beyond it is
/// a typo, and within it no product of two overflows.
pub(crate) const LARGEST: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);
/// The most units a red or black list names.
const MOST_LISTED: u32 = 10;
/// The largest weight or deduction, in points.
pub(crate) const MOST_POINTS: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);

impl Scheme {
    /// Every problem with the scheme, each naming its place (`groups[0].indicators[2].weight`).
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::default();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "err.required"));
        }
        if self.groups.is_empty() {
            errors.push(FieldError::new("groups", "err.required"));
        }
        let mut group_keys = BTreeSet::new();
        for (g, group) in self.groups.iter().enumerate() {
            let at = format!("groups[{g}]");
            key(
                &mut errors,
                &format!("{at}.key"),
                &group.key,
                &mut group_keys,
            );
            if group.name.trim().is_empty() {
                errors.push(FieldError::new(format!("{at}.name"), "err.required"));
            }
            if !(Decimal::ZERO < group.multiplier && group.multiplier <= Decimal::TEN) {
                errors.push(
                    FieldError::new(format!("{at}.multiplier"), "err.assessment.between")
                        .with("low", "0")
                        .with("high", 10),
                );
            }
            if group.indicators.is_empty() {
                errors.push(FieldError::new(format!("{at}.indicators"), "err.required"));
            }
            let mut keys = BTreeSet::new();
            for (i, ind) in group.indicators.iter().enumerate() {
                let at = format!("{at}.indicators[{i}]");
                key(&mut errors, &format!("{at}.key"), &ind.key, &mut keys);
                if ind.name.trim().is_empty() {
                    errors.push(FieldError::new(format!("{at}.name"), "err.required"));
                }
                if !(Decimal::ZERO < ind.weight && ind.weight <= MOST_POINTS) {
                    errors.push(FieldError::new(
                        format!("{at}.weight"),
                        "err.assessment.points",
                    ));
                }
                if ind.measure.is_none() != (ind.method == Method::Manual) {
                    errors.push(FieldError::new(
                        format!("{at}.measure"),
                        "err.assessment.manual",
                    ));
                }
                check_method(&mut errors, &at, ind);
            }
        }
        if self.listed > MOST_LISTED {
            errors.push(
                FieldError::new("listed", "err.assessment.between")
                    .with("low", 0)
                    .with("high", MOST_LISTED),
            );
        }
        let mut causes = BTreeSet::new();
        for (d, rule) in self.deductions.iter().enumerate() {
            let at = format!("deductions[{d}]");
            if !causes.insert(rule.cause) {
                errors.push(FieldError::new(
                    format!("{at}.cause"),
                    "err.assessment.duplicate",
                ));
            }
            if !(Decimal::ZERO < rule.points && rule.points <= MOST_POINTS) {
                errors.push(FieldError::new(
                    format!("{at}.points"),
                    "err.assessment.points",
                ));
            }
            if rule.cap.is_some_and(|c| c < rule.points) {
                errors.push(
                    FieldError::new(format!("{at}.cap"), "err.assessment.cap")
                        .with("points", rule.points),
                );
            }
        }
        errors.into_result()
    }

    pub fn group(&self, key: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.key == key)
    }
}

/// A scheme as kept, version by version: its rules and the units each group ranks. A run names
/// the version it used, so a published ranking is recomputed by the rules it was published with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    pub scheme: Scheme,
    /// Each group's units, by group key.
    pub members: BTreeMap<String, Vec<i64>>,
}

impl Version {
    /// The scheme's problems (under `scheme.`), and: every group has its units, no group is unknown, no unit is
    /// in two groups.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::default();
        if let Err(e) = self.scheme.check() {
            for mut f in e.0 {
                f.field = format!("scheme.{}", f.field);
                errors.push(f);
            }
        }
        for group in &self.scheme.groups {
            if self.members.get(&group.key).is_none_or(Vec::is_empty) {
                errors.push(FieldError::new(
                    format!("members.{}", group.key),
                    "err.required",
                ));
            }
        }
        let mut seen = BTreeSet::new();
        for (key, units) in &self.members {
            if self.scheme.group(key).is_none() {
                errors.push(FieldError::new(
                    format!("members.{key}"),
                    "err.assessment.group",
                ));
            }
            for unit in units {
                if !seen.insert(*unit) {
                    errors.push(
                        FieldError::new(format!("members.{key}"), "err.assessment.member_twice")
                            .with("unit", unit),
                    );
                }
            }
        }
        errors.into_result()
    }
}

/// Every group's scores (see [`score`]), from each group's subjects: exactly its members, so a
/// run cannot leave a unit out or slip one in.
pub fn run(
    version: &Version,
    subjects: &BTreeMap<String, Vec<Subject>>,
) -> Result<BTreeMap<String, Vec<Score>>, Invalid> {
    version.check()?;
    let mut errors = Invalid::default();
    let mut scores = BTreeMap::new();
    for group in &version.scheme.groups {
        let given = subjects.get(&group.key).map_or(&[][..], Vec::as_slice);
        let mut ids: Vec<i64> = given.iter().map(|s| s.id).collect();
        let mut members = version.members.get(&group.key).cloned().unwrap_or_default();
        ids.sort_unstable();
        members.sort_unstable();
        if ids != members {
            errors.push(FieldError::new(
                format!("subjects.{}", group.key),
                "err.assessment.members",
            ));
            continue;
        }
        match score(&version.scheme, &group.key, given) {
            Ok(s) => {
                scores.insert(group.key.clone(), s);
            }
            Err(e) => errors.0.extend(e.0),
        }
    }
    for key in subjects.keys() {
        if version.scheme.group(key).is_none() {
            errors.push(FieldError::new(
                format!("subjects.{key}"),
                "err.assessment.group",
            ));
        }
    }
    errors.into_result().map(|()| scores)
}

/// A group's red list (红榜: the `n` best, with any sharing the n-th rank, none with a total of
/// nothing) and black list (黑榜:
/// the `n` worst, with any tied with the n-th from the bottom, and none on the red list), as
/// subject ids, best first and worst last. `scores` are [`score`]'s: best first.
pub fn red_black(scores: &[Score], n: u32) -> (Vec<i64>, Vec<i64>) {
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n == 0 || scores.is_empty() {
        return (Vec::new(), Vec::new());
    }
    // A red list honours something: a total of nothing is on no red list.
    let red: Vec<i64> = scores
        .iter()
        .filter(|s| s.rank <= n && s.total > Decimal::ZERO)
        .map(|s| s.subject_id)
        .collect();
    let from_bottom = scores.len().saturating_sub(n);
    let bar = scores[from_bottom].total;
    let black = scores
        .iter()
        .filter(|s| s.total <= bar && !red.contains(&s.subject_id))
        .map(|s| s.subject_id)
        .collect();
    (red, black)
}

/// The example scheme a county starts from (and the demo ships): M4's quarterly ranking of the
/// departments and parks with recruiting duties by trips out, negotiations, signings, starts
/// and verified funds, parks weighted 1.5 (M18), towns by points (奖分制), service scored by
/// hand, one point off per overdue task (at most five), three units on each red and black
/// list. `departments`, `parks` and `towns` are the units of each group; an empty group is
/// left out.
pub fn example(name: &str, departments: Vec<i64>, parks: Vec<i64>, towns: Vec<i64>) -> Version {
    let n = |v: i64| Decimal::from(v);
    let ind =
        |key: &str, name: &str, measure: Option<Measure>, weight: i64, method: Method| Indicator {
            key: key.into(),
            name: name.into(),
            measure,
            weight: n(weight),
            direction: Direction::Higher,
            method,
        };
    let linear = |target: i64| Method::Linear {
        target: n(target),
        zero: Decimal::ZERO,
    };
    let recruiting = |funds: i64| {
        vec![
            ind("trips", "外出招引", Some(Measure::TripsOut), 20, linear(6)),
            ind(
                "talks",
                "洽谈对接",
                Some(Measure::Negotiations),
                15,
                linear(4),
            ),
            ind("signed", "签约项目", Some(Measure::Signings), 20, linear(2)),
            ind(
                "started",
                "开工项目",
                Some(Measure::ProjectsStarted),
                15,
                linear(1),
            ),
            ind(
                "funds",
                "到位资金（有凭证）",
                Some(Measure::FundsVerified),
                20,
                linear(funds),
            ),
            ind("service", "服务企业与营商环境", None, 10, Method::Manual),
        ]
    };
    let mut groups = Vec::new();
    let mut members = BTreeMap::new();
    for (key, name, multiplier, indicators, units) in [
        (
            "departments",
            "县直部门",
            n(1),
            recruiting(5_000),
            departments,
        ),
        (
            "parks",
            "园区",
            Decimal::new(15, 1),
            recruiting(20_000),
            parks,
        ),
        (
            "towns",
            "镇（街道）",
            n(1),
            vec![
                ind(
                    "trips",
                    "外出招引",
                    Some(Measure::TripsOut),
                    30,
                    Method::Points { per: n(5) },
                ),
                ind(
                    "talks",
                    "洽谈对接",
                    Some(Measure::Negotiations),
                    30,
                    Method::Points { per: n(5) },
                ),
                ind(
                    "signed",
                    "签约项目",
                    Some(Measure::Signings),
                    40,
                    Method::Points { per: n(20) },
                ),
            ],
            towns,
        ),
    ] {
        if units.is_empty() {
            continue;
        }
        groups.push(Group {
            key: key.into(),
            name: name.into(),
            multiplier,
            indicators,
        });
        members.insert(key.to_string(), units);
    }
    Version {
        scheme: Scheme {
            name: name.into(),
            period: PeriodKind::Quarter,
            groups,
            deductions: vec![Deduction {
                cause: Cause::OverdueTask,
                points: n(1),
                cap: Some(n(5)),
            }],
            listed: 3,
        },
        members,
    }
}

/// A key: letters, digits, `_` or `-`, unique among its siblings.
fn key(errors: &mut Invalid, field: &str, value: &str, seen: &mut BTreeSet<String>) {
    let well_formed = !value.is_empty()
        && value.len() <= 40
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !well_formed {
        errors.push(FieldError::new(field, "err.assessment.key"));
    } else if !seen.insert(value.to_string()) {
        errors.push(FieldError::new(field, "err.assessment.duplicate"));
    }
}

fn check_method(errors: &mut Invalid, at: &str, ind: &Indicator) {
    let share = |s: Decimal| Decimal::ZERO <= s && s <= Decimal::ONE;
    let field = |name: &str| format!("{at}.method.{name}");
    match &ind.method {
        Method::Linear { target, zero } => {
            if !ind.direction.better(*target, *zero) {
                errors.push(FieldError::new(field("target"), "err.assessment.target"));
            }
            for (name, v) in [("target", target), ("zero", zero)] {
                if v.abs() > LARGEST {
                    errors.push(FieldError::new(field(name), "err.assessment.magnitude"));
                }
            }
        }
        Method::Rank { step, floor } => {
            if !(Decimal::ZERO < *step && *step <= Decimal::ONE) {
                errors.push(
                    FieldError::new(field("step"), "err.assessment.between")
                        .with("low", "0")
                        .with("high", 1),
                );
            }
            if !share(*floor) {
                errors.push(FieldError::new(field("floor"), "err.assessment.share"));
            }
        }
        Method::Threshold { bands } => {
            if bands.is_empty() {
                errors.push(FieldError::new(field("bands"), "err.required"));
            }
            for (b, band) in bands.iter().enumerate() {
                if !share(band.share) {
                    errors.push(FieldError::new(
                        field(&format!("bands[{b}].share")),
                        "err.assessment.share",
                    ));
                }
                if band.at.abs() > LARGEST {
                    errors.push(FieldError::new(
                        field(&format!("bands[{b}].at")),
                        "err.assessment.magnitude",
                    ));
                }
            }
            // From the easiest band to the hardest: each harder and worth no less.
            for (b, pair) in bands.windows(2).enumerate() {
                if !ind.direction.better(pair[1].at, pair[0].at) || pair[1].share < pair[0].share {
                    errors.push(FieldError::new(
                        field(&format!("bands[{}]", b + 1)),
                        "err.assessment.bands",
                    ));
                }
            }
        }
        Method::Points { per } => {
            if !(Decimal::ZERO < *per && *per <= LARGEST) {
                errors.push(FieldError::new(field("per"), "err.assessment.positive"));
            }
            if ind.direction != Direction::Higher {
                errors.push(FieldError::new(
                    format!("{at}.direction"),
                    "err.assessment.points_higher",
                ));
            }
        }
        Method::Manual => {}
    }
}

/// A subject's figures for the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub id: i64,
    /// Each computed indicator's value by key. A missing one is "no data" and earns nothing,
    /// whichever way the indicator is better.
    pub values: BTreeMap<String, Decimal>,
    /// Each hand-scored indicator's points by key; missing, not scored yet (nothing, and the
    /// line says so).
    pub manual: BTreeMap<String, HandScore>,
    /// Items that may deduct: the row each stands for, and whether it is exempted.
    pub deductible: Vec<Deductible>,
}

/// Points given by hand, from nothing to the indicator's weight, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandScore {
    pub points: Decimal,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deductible {
    pub cause: Cause,
    /// The complaint's or the task's id.
    pub id: i64,
    /// Exempted (force majeure, approved): shown, not deducted.
    pub exempt: bool,
}

/// One indicator of one subject's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub key: String,
    /// The value counted or the points given by hand; none, no data or not scored yet.
    pub value: Option<Decimal>,
    /// Points earned, to hundredths.
    pub points: Decimal,
    /// The points as a share of the weight, to four places.
    pub share: Decimal,
}

/// What one cause deducted from one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deducted {
    pub cause: Cause,
    /// The rows deducted for, and those exempted.
    pub items: Vec<i64>,
    pub exempted: Vec<i64>,
    /// At most the cause's cap.
    pub points: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub subject_id: i64,
    pub lines: Vec<Line>,
    /// The indicators' points summed.
    pub earned: Decimal,
    /// `earned` × the group's multiplier, to hundredths.
    pub weighted: Decimal,
    pub deductions: Vec<Deducted>,
    /// `weighted` less every deduction, never below zero (扣完为止).
    pub total: Decimal,
    /// 1 for the best; equal totals share the better rank.
    pub rank: usize,
}

/// The scores of the subjects of the scheme's group `group_key`, best first (equal totals by
/// subject id). Deductions are taken after the multiplier, so an upheld complaint costs a park
/// what it costs a department. A scheme that does not pass [`Scheme::check`] is refused, and so
/// is input that does not fit the group, with the subject and the indicator named: a value for
/// an indicator it does not count, a value beyond a trillion, a hand score outside its range or
/// without a reason, a subject twice.
pub fn score(
    scheme: &Scheme,
    group_key: &str,
    subjects: &[Subject],
) -> Result<Vec<Score>, Invalid> {
    scheme.check()?;
    let group = scheme
        .group(group_key)
        .ok_or_else(|| Invalid::one(FieldError::new("group", "err.assessment.group")))?;
    let deductions = &scheme.deductions;
    check_subjects(group, subjects)?;
    let mut lines: Vec<Vec<Line>> = vec![Vec::new(); subjects.len()];
    for ind in &group.indicators {
        let values: Vec<Option<Decimal>> = subjects
            .iter()
            .map(|s| match ind.method {
                Method::Manual => s.manual.get(&ind.key).map(|h| h.points),
                _ => s.values.get(&ind.key).copied(),
            })
            .collect();
        for (n, value) in values.iter().enumerate() {
            let points = value.map_or(Decimal::ZERO, |v| {
                // The values better than this one, which only a rank needs.
                let better = || {
                    values
                        .iter()
                        .flatten()
                        .filter(|other| ind.direction.better(**other, v))
                        .count()
                };
                hundredths(points_of(ind, v, better))
            });
            lines[n].push(Line {
                key: ind.key.clone(),
                value: *value,
                points,
                share: rounded(points / ind.weight, 4),
            });
        }
    }

    let mut scores: Vec<Score> = subjects
        .iter()
        .zip(lines)
        .map(|(s, lines)| {
            let earned: Decimal = lines.iter().map(|l| l.points).sum();
            let weighted = hundredths(earned * group.multiplier);
            let deductions: Vec<Deducted> = deductions
                .iter()
                .map(|rule| {
                    let of_cause = || s.deductible.iter().filter(|d| d.cause == rule.cause);
                    let items: Vec<i64> = of_cause().filter(|d| !d.exempt).map(|d| d.id).collect();
                    let points = rule.points * Decimal::from(items.len());
                    Deducted {
                        cause: rule.cause,
                        exempted: of_cause().filter(|d| d.exempt).map(|d| d.id).collect(),
                        items,
                        points: rule.cap.map_or(points, |cap| points.min(cap)),
                    }
                })
                .collect();
            let deducted: Decimal = deductions.iter().map(|d| d.points).sum();
            Score {
                subject_id: s.id,
                lines,
                earned,
                weighted,
                deductions,
                total: (weighted - deducted).max(Decimal::ZERO),
                rank: 0,
            }
        })
        .collect();
    rank_by(
        &mut scores,
        |s| (s.total, s.subject_id),
        |s, rank| s.rank = rank,
    );
    Ok(scores)
}

fn check_subjects(group: &Group, subjects: &[Subject]) -> Result<(), Invalid> {
    let mut errors = Invalid::default();
    let mut ids = BTreeSet::new();
    for s in subjects {
        let at = format!("subjects[{}]", s.id);
        if !ids.insert(s.id) {
            errors.push(FieldError::new(&at, "err.assessment.duplicate"));
        }
        let indicator = |k: &str| group.indicators.iter().find(|i| i.key == k);
        for (k, v) in &s.values {
            let field = format!("{at}.values.{k}");
            match indicator(k) {
                Some(ind) if ind.method != Method::Manual => {
                    if v.abs() > LARGEST {
                        errors.push(FieldError::new(field, "err.assessment.magnitude"));
                    }
                }
                _ => errors.push(FieldError::new(field, "err.assessment.not_counted")),
            }
        }
        for (k, h) in &s.manual {
            let field = format!("{at}.manual.{k}");
            match indicator(k) {
                Some(ind) if ind.method == Method::Manual => {
                    if h.points < Decimal::ZERO || h.points > ind.weight {
                        errors.push(
                            FieldError::new(field.clone(), "err.assessment.between")
                                .with("low", "0")
                                .with("high", ind.weight),
                        );
                    }
                    if h.reason.trim().is_empty() {
                        errors.push(FieldError::new(format!("{field}.reason"), "err.required"));
                    }
                }
                _ => errors.push(FieldError::new(field, "err.assessment.not_manual")),
            }
        }
    }
    errors.into_result()
}

/// The points `value` earns by `ind`, with `better()` values than it in the group, before
/// rounding: the weight is multiplied before anything is divided, so a figure checked by hand
/// (7 of a target of 120 at a weight of 9: 0.525, so 0.53) comes out the same.
fn points_of(ind: &Indicator, value: Decimal, better: impl FnOnce() -> usize) -> Decimal {
    let w = ind.weight;
    match &ind.method {
        Method::Manual => value,
        Method::Linear { target, zero } => {
            (w * (value - *zero) / (*target - *zero)).clamp(Decimal::ZERO, w)
        }
        Method::Rank { step, floor } => {
            w * (Decimal::ONE - *step * Decimal::from(better())).max(*floor)
        }
        Method::Threshold { bands } => {
            let share = bands
                .iter()
                .filter(|b| !ind.direction.better(b.at, value))
                .map(|b| b.share)
                .max()
                .unwrap_or_default();
            w * share
        }
        Method::Points { per } => (*per * value).clamp(Decimal::ZERO, w),
    }
}

/// `items` sorted best first by their score (`key`: the score, then the id that orders equal
/// scores), each given its rank by `set`: equal scores share the better rank (1, 1, 3).
pub(crate) fn rank_by<T>(
    items: &mut [T],
    key: impl Fn(&T) -> (Decimal, i64),
    set: impl Fn(&mut T, usize),
) {
    items.sort_by(|a, b| {
        let ((sa, ia), (sb, ib)) = (key(a), key(b));
        sb.cmp(&sa).then(ia.cmp(&ib))
    });
    let mut previous: Option<(Decimal, usize)> = None;
    for (n, item) in items.iter_mut().enumerate() {
        let score = key(item).0;
        let rank = match previous {
            Some((p, r)) if p == score => r,
            _ => n + 1,
        };
        set(item, rank);
        previous = Some((score, rank));
    }
}

/// `d` to `places` decimals, halves away from zero (as officials round by hand).
pub(crate) fn rounded(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

fn hundredths(d: Decimal) -> Decimal {
    rounded(d, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("a decimal")
    }

    fn indicator(key: &str, direction: Direction, method: Method) -> Indicator {
        let manual = method == Method::Manual;
        Indicator {
            key: key.into(),
            name: key.into(),
            measure: (!manual).then_some(Measure::Signings),
            weight: d("20"),
            direction,
            method,
        }
    }

    fn group(indicators: Vec<Indicator>, multiplier: &str) -> Group {
        Group {
            key: "parks".into(),
            name: "园区".into(),
            multiplier: d(multiplier),
            indicators,
        }
    }

    /// [`score`] of `group`'s subjects in a scheme of that group and `deductions`.
    fn run(
        group: &Group,
        deductions: &[Deduction],
        subjects: &[Subject],
    ) -> Result<Vec<Score>, Invalid> {
        let scheme = Scheme {
            name: "测试方案".into(),
            period: PeriodKind::Quarter,
            groups: vec![group.clone()],
            deductions: deductions.to_vec(),
            listed: 0,
        };
        score(&scheme, &group.key, subjects)
    }

    fn subject(id: i64, key: &str, value: &str) -> Subject {
        Subject {
            id,
            values: [(key.to_string(), d(value))].into(),
            ..Subject::default()
        }
    }

    /// Points of one indicator for each value, in subject order.
    fn points(ind: Indicator, values: &[&str]) -> Vec<Decimal> {
        let key = ind.key.clone();
        let subjects: Vec<Subject> = values
            .iter()
            .enumerate()
            .map(|(n, v)| subject(n as i64 + 1, &key, v))
            .collect();
        let mut scores = run(&group(vec![ind], "1"), &[], &subjects).expect("scored");
        scores.sort_by_key(|s| s.subject_id);
        scores.iter().map(|s| s.lines[0].points).collect()
    }

    #[test]
    fn linear_reaches_the_weight_at_the_target_and_no_more() {
        let ind = indicator(
            "signings",
            Direction::Higher,
            Method::Linear {
                target: d("8"),
                zero: d("0"),
            },
        );
        assert_eq!(
            points(ind, &["0", "2", "7.99", "8", "12", "-1"]),
            [d("0"), d("5"), d("19.98"), d("20"), d("20"), d("0")]
        );
    }

    #[test]
    fn linear_where_lower_is_better_counts_down_to_its_target() {
        // Overdue tasks: none earns the weight, four or more nothing.
        let ind = indicator(
            "overdue",
            Direction::Lower,
            Method::Linear {
                target: d("0"),
                zero: d("4"),
            },
        );
        assert_eq!(
            points(ind, &["0", "1", "3", "4", "9"]),
            [d("20"), d("15"), d("5"), d("0"), d("0")]
        );
    }

    #[test]
    fn ranks_share_the_better_place_and_stop_at_the_floor() {
        let ind = indicator(
            "trips",
            Direction::Higher,
            Method::Rank {
                step: d("0.1"),
                floor: d("0.6"),
            },
        );
        // Values 9, 7, 9, 3, 1, 0, 0: ranks 1, 3, 1, 4, 5, 6, 6 → 100%, 80%, 100%, 70%, 60%
        // (floor), 60%, 60%.
        assert_eq!(
            points(ind, &["9", "7", "9", "3", "1", "0", "0"]),
            [
                d("20"),
                d("16"),
                d("20"),
                d("14"),
                d("12"),
                d("12"),
                d("12")
            ]
        );
        let fewest = indicator(
            "overdue",
            Direction::Lower,
            Method::Rank {
                step: d("0.5"),
                floor: d("0"),
            },
        );
        assert_eq!(points(fewest, &["2", "0", "5"]), [d("10"), d("20"), d("0")]);
    }

    #[test]
    fn a_threshold_counts_from_exactly_its_value() {
        let bands = vec![
            Band {
                at: d("1000"),
                share: d("0.5"),
            },
            Band {
                at: d("5000"),
                share: d("1"),
            },
        ];
        let ind = indicator(
            "funds",
            Direction::Higher,
            Method::Threshold {
                bands: bands.clone(),
            },
        );
        assert_eq!(
            points(ind, &["999.99", "1000", "4999", "5000", "9000"]),
            [d("0"), d("10"), d("10"), d("20"), d("20")]
        );
        let lower = indicator(
            "days",
            Direction::Lower,
            Method::Threshold {
                bands: vec![
                    Band {
                        at: d("30"),
                        share: d("0.5"),
                    },
                    Band {
                        at: d("10"),
                        share: d("1"),
                    },
                ],
            },
        );
        assert_eq!(
            points(lower, &["31", "30", "11", "10"]),
            [d("0"), d("10"), d("10"), d("20")]
        );
    }

    #[test]
    fn points_per_item_stop_at_the_weight() {
        let ind = indicator(
            "signings",
            Direction::Higher,
            Method::Points { per: d("3") },
        );
        assert_eq!(
            points(ind, &["0", "1", "6", "7", "100"]),
            [d("0"), d("3"), d("18"), d("20"), d("20")]
        );
    }

    fn hand(points: &str) -> HandScore {
        HandScore {
            points: d(points),
            reason: "招引专班评议".into(),
        }
    }

    #[test]
    fn the_multiplier_then_deductions_with_exemptions_make_the_total() {
        let g = group(
            vec![
                indicator(
                    "signings",
                    Direction::Higher,
                    Method::Linear {
                        target: d("10"),
                        zero: d("0"),
                    },
                ),
                indicator("work", Direction::Higher, Method::Manual),
            ],
            "1.5",
        );
        let rules = [
            Deduction {
                cause: Cause::UpheldComplaint,
                points: d("2"),
                cap: None,
            },
            Deduction {
                cause: Cause::OverdueTask,
                points: d("1"),
                cap: Some(d("2.5")),
            },
        ];
        let complaint = |id, exempt| Deductible {
            cause: Cause::UpheldComplaint,
            id,
            exempt,
        };
        let overdue = |id| Deductible {
            cause: Cause::OverdueTask,
            id,
            exempt: false,
        };
        let a = Subject {
            manual: [("work".to_string(), hand("15"))].into(),
            deductible: vec![
                complaint(11, false),
                complaint(12, true),
                overdue(21),
                overdue(22),
                overdue(23),
            ],
            ..subject(1, "signings", "10")
        };
        let b = Subject {
            manual: [("work".to_string(), hand("10.5"))].into(),
            ..subject(2, "signings", "5")
        };
        let c = Subject {
            deductible: vec![overdue(24)],
            ..subject(3, "signings", "9")
        };
        let scores = run(&g, &rules, &[a, b, c]).expect("scored");
        // a: (20 + 15) × 1.5 = 52.5, less 2 (one complaint, the other exempted) and 2.5 (three
        // overdue tasks, capped at 2.5): 48. b: (10 + 10.5) × 1.5 = 30.75. c: 18 × 1.5 − 1 = 26.
        let summary: Vec<(i64, Decimal, Decimal, Decimal, usize)> = scores
            .iter()
            .map(|s| (s.subject_id, s.earned, s.weighted, s.total, s.rank))
            .collect();
        assert_eq!(
            summary,
            [
                (1, d("35"), d("52.5"), d("48"), 1),
                (2, d("20.5"), d("30.75"), d("30.75"), 2),
                (3, d("18"), d("27"), d("26"), 3),
            ]
        );
        assert_eq!(
            scores[0].deductions,
            [
                Deducted {
                    cause: Cause::UpheldComplaint,
                    items: vec![11],
                    exempted: vec![12],
                    points: d("2"),
                },
                Deducted {
                    cause: Cause::OverdueTask,
                    items: vec![21, 22, 23],
                    exempted: vec![],
                    points: d("2.5"),
                },
            ]
        );
    }

    #[test]
    fn deductions_stop_at_zero() {
        let g = group(
            vec![indicator(
                "signings",
                Direction::Higher,
                Method::Points { per: d("1") },
            )],
            "1",
        );
        let rules = [Deduction {
            cause: Cause::OverdueTask,
            points: d("5"),
            cap: None,
        }];
        let late = Subject {
            deductible: vec![Deductible {
                cause: Cause::OverdueTask,
                id: 1,
                exempt: false,
            }],
            ..subject(1, "signings", "2")
        };
        let scores = run(&g, &rules, &[late]).expect("scored");
        assert_eq!((scores[0].weighted, scores[0].total), (d("2"), d("0")));
    }

    #[test]
    fn points_are_computed_before_they_are_divided() {
        // 7 of 120 at a weight of 9 is 0.525 exactly, 0.53 rounded; dividing first gave 0.52.
        let ind = Indicator {
            weight: d("9"),
            ..indicator(
                "signings",
                Direction::Higher,
                Method::Linear {
                    target: d("120"),
                    zero: d("0"),
                },
            )
        };
        assert_eq!(points(ind, &["7"]), [d("0.53")]);
    }

    #[test]
    fn no_data_earns_nothing_whichever_way_is_better() {
        let fewest = indicator(
            "overdue",
            Direction::Lower,
            Method::Linear {
                target: d("0"),
                zero: d("4"),
            },
        );
        let ranked = indicator(
            "days",
            Direction::Lower,
            Method::Rank {
                step: d("0.5"),
                floor: d("0"),
            },
        );
        let g = group(vec![fewest, ranked], "1");
        let with = |id, v: &str| Subject {
            id,
            values: [("overdue".to_string(), d(v)), ("days".to_string(), d(v))].into(),
            ..Subject::default()
        };
        let silent = Subject {
            id: 3,
            ..Subject::default()
        };
        let mut scores = run(&g, &[], &[with(1, "0"), with(2, "2"), silent]).expect("scored");
        scores.sort_by_key(|s| s.subject_id);
        let points: Vec<Vec<(Option<Decimal>, Decimal)>> = scores
            .iter()
            .map(|s| s.lines.iter().map(|l| (l.value, l.points)).collect())
            .collect();
        // The silent unit is not counted among the better ones either: 2 is second, not third.
        assert_eq!(
            points,
            [
                vec![(Some(d("0")), d("20")), (Some(d("0")), d("20"))],
                vec![(Some(d("2")), d("10")), (Some(d("2")), d("10"))],
                vec![(None, d("0")), (None, d("0"))],
            ]
        );
    }

    #[test]
    fn equal_totals_share_a_rank_and_the_next_rank_is_skipped() {
        let ind = indicator(
            "signings",
            Direction::Higher,
            Method::Points { per: d("1") },
        );
        let subjects = [
            subject(4, "signings", "3"),
            subject(2, "signings", "5"),
            subject(3, "signings", "5"),
            subject(1, "signings", "1"),
        ];
        let scores = run(&group(vec![ind], "1"), &[], &subjects).expect("scored");
        let order: Vec<(i64, usize)> = scores.iter().map(|s| (s.subject_id, s.rank)).collect();
        assert_eq!(order, [(2, 1), (3, 1), (4, 3), (1, 4)]);
    }

    #[test]
    fn figures_that_do_not_fit_the_group_are_refused_by_subject_and_indicator() {
        let g = group(
            vec![
                indicator("work", Direction::Higher, Method::Manual),
                indicator(
                    "signings",
                    Direction::Higher,
                    Method::Points { per: d("1") },
                ),
            ],
            "1",
        );
        let too_much = Subject {
            id: 7,
            manual: [("work".to_string(), hand("20.01"))].into(),
            ..Subject::default()
        };
        let counted = Subject {
            id: 8,
            manual: [("signings".to_string(), hand("3"))].into(),
            ..Subject::default()
        };
        let unexplained = Subject {
            id: 9,
            manual: [(
                "work".to_string(),
                HandScore {
                    points: d("3"),
                    reason: " ".into(),
                },
            )]
            .into(),
            values: [
                ("work".to_string(), d("1")),
                ("signings".to_string(), d("1000000000001")),
            ]
            .into(),
            ..Subject::default()
        };
        let twice = subject(7, "signings", "1");
        let err = run(&g, &[], &[too_much, counted, unexplained, twice]).expect_err("refused");
        let found: Vec<(&str, &str)> = err.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            found,
            [
                ("subjects[7].manual.work", "err.assessment.between"),
                ("subjects[8].manual.signings", "err.assessment.not_manual"),
                ("subjects[9].values.signings", "err.assessment.magnitude"),
                ("subjects[9].values.work", "err.assessment.not_counted"),
                ("subjects[9].manual.work.reason", "err.required"),
                ("subjects[7]", "err.assessment.duplicate"),
            ]
        );
    }

    fn scheme() -> Scheme {
        Scheme {
            name: "2026年季度考核".into(),
            period: PeriodKind::Quarter,
            groups: vec![group(
                vec![
                    indicator(
                        "signings",
                        Direction::Higher,
                        Method::Linear {
                            target: d("4"),
                            zero: d("0"),
                        },
                    ),
                    indicator("work", Direction::Higher, Method::Manual),
                ],
                "1.5",
            )],
            deductions: vec![Deduction {
                cause: Cause::OverdueTask,
                points: d("1"),
                cap: Some(d("5")),
            }],
            listed: 0,
        }
    }

    #[test]
    fn a_scheme_that_fails_its_check_or_an_unknown_group_scores_nothing() {
        let mut bad = scheme();
        bad.groups[0].indicators[0].weight = d("0");
        let err = score(&bad, "parks", &[]).expect_err("unchecked scheme");
        assert_eq!(
            err.fields().collect::<Vec<_>>(),
            ["groups[0].indicators[0].weight"]
        );
        let err = score(&scheme(), "towns", &[]).expect_err("no such group");
        assert_eq!(err.fields().collect::<Vec<_>>(), ["group"]);
    }

    #[test]
    fn a_sound_scheme_passes_and_survives_a_round_trip_through_json() {
        let s = scheme();
        assert_eq!(s.check(), Ok(()));
        let json = serde_json::to_string(&s).expect("json");
        let back: Scheme = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, s);
    }

    #[test]
    fn every_problem_of_a_scheme_is_named_by_its_place() {
        let mut s = scheme();
        let g = &mut s.groups[0];
        g.multiplier = d("0");
        g.indicators[0].method = Method::Linear {
            target: d("0"),
            zero: d("4"),
        };
        g.indicators[1].key = "signings".into();
        g.indicators.push(Indicator {
            key: "bands".into(),
            name: "档次".into(),
            measure: None,
            weight: d("-1"),
            direction: Direction::Lower,
            method: Method::Threshold {
                bands: vec![
                    Band {
                        at: d("10"),
                        share: d("1"),
                    },
                    Band {
                        at: d("20"),
                        share: d("1.5"),
                    },
                ],
            },
        });
        g.indicators.push(indicator(
            "towns",
            Direction::Lower,
            Method::Points { per: d("2") },
        ));
        s.deductions.push(Deduction {
            cause: Cause::OverdueTask,
            points: d("3"),
            cap: Some(d("2")),
        });
        let err = s.check().expect_err("refused");
        assert_eq!(
            err.fields().collect::<Vec<_>>(),
            [
                "groups[0].multiplier",
                "groups[0].indicators[0].method.target",
                "groups[0].indicators[1].key",
                "groups[0].indicators[2].weight",
                "groups[0].indicators[2].measure",
                "groups[0].indicators[2].method.bands[1].share",
                "groups[0].indicators[2].method.bands[1]",
                "groups[0].indicators[3].direction",
                "deductions[1].cause",
                "deductions[1].cap",
            ]
        );
    }

    #[test]
    fn a_version_ranks_each_unit_in_one_group_and_a_run_takes_exactly_its_members() {
        let linear = Method::Linear {
            target: d("10"),
            zero: d("0"),
        };
        let parks = group(vec![indicator("signed", Direction::Higher, linear)], "1.5");
        let towns = Group {
            key: "towns".into(),
            name: "乡镇".into(),
            ..parks.clone()
        };
        let scheme = Scheme {
            name: "季度考核".into(),
            period: PeriodKind::Quarter,
            groups: vec![parks, towns],
            deductions: vec![],
            listed: 0,
        };
        let version = |members: &[(&str, &[i64])]| Version {
            scheme: scheme.clone(),
            members: members
                .iter()
                .map(|(k, ids)| (k.to_string(), ids.to_vec()))
                .collect(),
        };
        let fields = |e: Invalid| e.fields().map(str::to_string).collect::<Vec<_>>();

        let good = version(&[("parks", &[1, 2]), ("towns", &[3])]);
        assert_eq!(good.check(), Ok(()));
        let twice = version(&[("parks", &[1, 2]), ("towns", &[2])]);
        assert_eq!(
            fields(twice.check().expect_err("refused")),
            ["members.towns"]
        );
        let unknown = version(&[("parks", &[1]), ("towns", &[3]), ("farms", &[4])]);
        assert_eq!(
            fields(unknown.check().expect_err("refused")),
            ["members.farms"]
        );
        let empty = version(&[("parks", &[1])]);
        assert_eq!(
            fields(empty.check().expect_err("refused")),
            ["members.towns"]
        );

        let subjects = |parks: &[(i64, &str)]| -> BTreeMap<String, Vec<Subject>> {
            [
                (
                    "parks".to_string(),
                    parks
                        .iter()
                        .map(|(id, v)| subject(*id, "signed", v))
                        .collect(),
                ),
                ("towns".to_string(), vec![subject(3, "signed", "5")]),
            ]
            .into()
        };
        let scores = super::run(&good, &subjects(&[(1, "4"), (2, "10")])).expect("run");
        let parks: Vec<(i64, Decimal, usize)> = scores["parks"]
            .iter()
            .map(|s| (s.subject_id, s.total, s.rank))
            .collect();
        // 20 × 10/10 × 1.5 and 20 × 4/10 × 1.5.
        assert_eq!(parks, [(2, d("30"), 1), (1, d("12"), 2)]);
        assert_eq!(scores["towns"][0].total, d("15"));
        // A member left out, or a unit slipped in, is refused with its group named.
        let left_out = super::run(&good, &subjects(&[(1, "4")])).expect_err("refused");
        assert_eq!(fields(left_out), ["subjects.parks"]);
        let slipped_in =
            super::run(&good, &subjects(&[(1, "4"), (2, "10"), (9, "1")])).expect_err("refused");
        assert_eq!(fields(slipped_in), ["subjects.parks"]);
    }

    #[test]
    fn red_and_black_lists_take_ties_and_never_name_a_unit_twice() {
        let scores = |totals: &[&str]| -> Vec<Score> {
            let mut v: Vec<Score> = totals
                .iter()
                .enumerate()
                .map(|(n, t)| Score {
                    subject_id: n as i64 + 1,
                    lines: vec![],
                    earned: d(t),
                    weighted: d(t),
                    deductions: vec![],
                    total: d(t),
                    rank: 0,
                })
                .collect();
            rank_by(&mut v, |s| (s.total, s.subject_id), |s, r| s.rank = r);
            v
        };
        let s = scores(&["90", "80", "80", "70", "60", "60", "50"]);
        assert_eq!(red_black(&s, 0), (vec![], vec![]));
        assert_eq!(red_black(&s, 1), (vec![1], vec![7]));
        // The second and third share rank 2; the sixth and fifth tie above the last.
        assert_eq!(red_black(&s, 2), (vec![1, 2, 3], vec![5, 6, 7]));
        // A group smaller than both lists: the best on the red list, the rest black.
        let few = scores(&["10", "5"]);
        assert_eq!(red_black(&few, 2), (vec![1, 2], vec![]));
        assert_eq!(red_black(&few, 1), (vec![1], vec![2]));
        // Nobody scored: nobody is honoured, everybody is on the black list.
        let none = scores(&["0", "0", "0"]);
        assert_eq!(red_black(&none, 1), (vec![], vec![1, 2, 3]));
    }

    #[test]
    fn the_example_scheme_passes_its_check_and_leaves_out_empty_groups() {
        let v = example("示例", vec![1, 2], vec![3], vec![]);
        assert_eq!(v.check(), Ok(()));
        let keys: Vec<&str> = v.scheme.groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["departments", "parks"]);
        assert_eq!(v.scheme.groups[1].multiplier, d("1.5"));
    }
}
