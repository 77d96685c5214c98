//! "1+N" approvals (审批帮办): a project's approval items in configured stages (by default the
//! four of construction-project approval), each with its department, statutory and committed
//! days and the reform mechanism it runs under, dated by the project's agent (帮办代办专员).
//! Days are counted as working days (with the configured holidays and make-up working days)
//! or calendar days; a predicted start of construction follows from the open items and what
//! they wait for; "拿地即开工" is measured as days from land to construction start.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::{FieldError, Invalid, validation};

/// The reform mechanism an item runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// 承诺审批制
    Promise,
    /// 先建后验
    BuildFirst,
    /// 标准地
    StandardLand,
    /// 区域化评估
    RegionalAssessment,
}

impl Mechanism {
    pub const ALL: [Mechanism; 4] = [
        Mechanism::Promise,
        Mechanism::BuildFirst,
        Mechanism::StandardLand,
        Mechanism::RegionalAssessment,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Mechanism::Promise => "promise",
            Mechanism::BuildFirst => "build_first",
            Mechanism::StandardLand => "standard_land",
            Mechanism::RegionalAssessment => "regional_assessment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.id() == s)
    }
}

/// A stage of approval (config `[[approvals.stages]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDef {
    pub id: String,
    pub name: String,
    /// Whether construction may start only once this stage's items are approved.
    #[serde(default)]
    pub before_start: bool,
}

/// How approval days are counted (config `[approvals]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApprovalRules {
    /// `working` (Monday to Friday, less `holidays`, plus `workdays`) or `calendar`.
    pub count: DayCount,
    /// Statutory holidays falling on weekdays.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days worked in exchange (调休上班).
    pub workdays: BTreeSet<NaiveDate>,
    pub stages: Vec<StageDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    Working,
    Calendar,
}

impl Default for ApprovalRules {
    fn default() -> Self {
        let stage = |id: &str, name: &str, before_start: bool| StageDef {
            id: id.into(),
            name: name.into(),
            before_start,
        };
        Self {
            count: DayCount::Working,
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
            stages: vec![
                stage("land_planning", "立项用地规划许可", true),
                stage("engineering", "工程建设许可", true),
                stage("construction", "施工许可", true),
                stage("completion", "竣工验收", false),
            ],
        }
    }
}

impl ApprovalRules {
    /// Refuses a configuration that cannot be used, saying why.
    pub fn check(&self) -> Result<(), String> {
        if self.stages.is_empty() {
            return Err("[[approvals.stages]]: at least one stage is needed".into());
        }
        let mut seen = BTreeSet::new();
        for s in &self.stages {
            if s.id.trim().is_empty() || s.name.trim().is_empty() {
                return Err("[[approvals.stages]]: every stage needs an id and a name".into());
            }
            if !seen.insert(s.id.as_str()) {
                return Err(format!(
                    "[[approvals.stages]]: the id “{}” is used twice",
                    s.id
                ));
            }
        }
        if let Some(d) = self.holidays.intersection(&self.workdays).next() {
            return Err(format!("[approvals]: {d} is both a holiday and a workday"));
        }
        Ok(())
    }

    pub fn stage(&self, id: &str) -> Option<&StageDef> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// Whether `d` counts as a day of approval work.
    pub fn counts(&self, d: NaiveDate) -> bool {
        match self.count {
            DayCount::Calendar => true,
            DayCount::Working => {
                if self.workdays.contains(&d) {
                    true
                } else if self.holidays.contains(&d) {
                    false
                } else {
                    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
                }
            }
        }
    }

    /// Days used from `from` (the day an application was accepted, not counted) to `to`
    /// (counted): submitted on a Monday and approved on the Wednesday is two days.
    pub fn days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        match self.count {
            DayCount::Calendar => (to - from).num_days(),
            DayCount::Working => from
                .iter_days()
                .skip(1)
                .take_while(|d| *d <= to)
                .filter(|d| self.counts(*d))
                .count() as i64,
        }
    }

    /// The day `days` counted days after `from` (the last day an item may take).
    pub fn add_days(&self, from: NaiveDate, days: i64) -> NaiveDate {
        match self.count {
            DayCount::Calendar => from + Duration::days(days.max(0)),
            DayCount::Working => {
                let mut d = from;
                let mut left = days.max(0);
                // Bounded: a holiday list that leaves no working day cannot make this loop forever.
                for _ in 0..(left * 3 + 400) {
                    if left == 0 {
                        break;
                    }
                    d = d.succ_opt().unwrap_or(d);
                    if self.counts(d) {
                        left -= 1;
                    }
                }
                d
            }
        }
    }
}

/// An approval item as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// The stage's id (see the configured stages).
    pub stage: String,
    pub name: String,
    /// The department that approves it.
    pub unit_id: Option<i64>,
    /// Days the law allows.
    pub statutory_days: Option<i64>,
    /// Days the department committed to (at most the statutory days).
    pub committed_days: Option<i64>,
    /// promise (承诺审批制), build_first (先建后验), standard_land (标准地),
    /// regional_assessment (区域化评估), or empty.
    pub mechanism: String,
    /// Items of the same project that must be approved before this one is applied for.
    pub depends_on: Vec<i64>,
    /// The day the application was accepted (受理).
    #[schema(value_type = Option<String>, format = Date)]
    pub submitted_on: Option<NaiveDate>,
    /// The day it was approved (办结).
    #[schema(value_type = Option<String>, format = Date)]
    pub approved_on: Option<NaiveDate>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFields {
    pub stage: String,
    pub name: String,
    pub unit_id: i64,
    pub statutory_days: i64,
    pub committed_days: i64,
    pub mechanism: Option<Mechanism>,
    pub depends_on: Vec<i64>,
    pub submitted_on: Option<NaiveDate>,
    pub approved_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Longest time limit an item may have, in days.
pub const MAX_DAYS: i64 = 365;

fn day_count(e: &mut Invalid, field: &str, v: Option<i64>) -> Option<i64> {
    match v {
        None => {
            e.push(FieldError::new(field, "err.required"));
            None
        }
        Some(d) if !(0..=MAX_DAYS).contains(&d) => {
            e.push(
                FieldError::new(field, "err.range")
                    .with("min", 0)
                    .with("max", MAX_DAYS),
            );
            None
        }
        d => d,
    }
}

/// Refuses a day out of range or after `today`.
pub fn past_day(e: &mut Invalid, field: &str, v: Option<NaiveDate>, today: NaiveDate) {
    if let Some(d) = v {
        if !validation::date_in_range(d) {
            e.push(FieldError::new(field, "err.date_range"));
        } else if d > today {
            e.push(FieldError::new(field, "err.date_future"));
        }
    }
}

impl ItemInput {
    pub fn validate(&self, rules: &ApprovalRules, today: NaiveDate) -> Result<ItemFields, Invalid> {
        let mut e = Invalid::default();
        let stage = self.stage.trim();
        if stage.is_empty() {
            e.push(FieldError::new("stage", "err.required"));
        } else if rules.stage(stage).is_none() {
            e.push(FieldError::new("stage", "err.choice"));
        }
        let name = validation::required(&mut e, "name", &self.name, 100);
        if self.unit_id.is_none() {
            e.push(FieldError::new("unit_id", "err.required"));
        }
        let statutory = day_count(&mut e, "statutory_days", self.statutory_days);
        let committed = day_count(&mut e, "committed_days", self.committed_days);
        if let (Some(s), Some(c)) = (statutory, committed)
            && c > s
        {
            e.push(FieldError::new("committed_days", "err.committed_over_statutory").with("n", s));
        }
        let mechanism = match self.mechanism.trim() {
            "" => None,
            m => {
                let parsed = Mechanism::parse(m);
                if parsed.is_none() {
                    e.push(FieldError::new("mechanism", "err.choice"));
                }
                parsed
            }
        };
        past_day(&mut e, "submitted_on", self.submitted_on, today);
        past_day(&mut e, "approved_on", self.approved_on, today);
        match (self.submitted_on, self.approved_on) {
            (None, Some(_)) => e.push(FieldError::new("submitted_on", "err.approved_unsubmitted")),
            (Some(s), Some(a)) if a < s => e.push(FieldError::new(
                "approved_on",
                "err.approved_before_submitted",
            )),
            _ => {}
        }
        let note = validation::optional(&mut e, "note", &self.note, 500);
        let mut depends_on = self.depends_on.clone();
        depends_on.sort_unstable();
        depends_on.dedup();
        match (self.unit_id, statutory, committed) {
            (Some(unit_id), Some(statutory_days), Some(committed_days)) if e.is_empty() => {
                Ok(ItemFields {
                    stage: stage.to_string(),
                    name,
                    unit_id,
                    statutory_days,
                    committed_days,
                    mechanism,
                    depends_on,
                    submitted_on: self.submitted_on,
                    approved_on: self.approved_on,
                    note,
                })
            }
            _ => Err(e),
        }
    }
}

/// What the timing of an item comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    pub id: i64,
    pub stage: String,
    pub committed_days: i64,
    pub depends_on: Vec<i64>,
    pub submitted_on: Option<NaiveDate>,
    pub approved_on: Option<NaiveDate>,
}

/// An item's days as of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Timing {
    /// Days used since acceptance (to approval, or to today while open); none before.
    pub used: Option<i64>,
    /// The last day of its committed time (none before acceptance).
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<NaiveDate>,
    /// More days used than committed.
    pub over: bool,
}

impl ApprovalRules {
    pub fn timing(&self, item: &PlanItem, today: NaiveDate) -> Timing {
        match item.submitted_on {
            None => Timing {
                used: None,
                due: None,
                over: false,
            },
            Some(s) => {
                let used = self.days_between(s, item.approved_on.unwrap_or(today));
                Timing {
                    used: Some(used),
                    due: Some(self.add_days(s, item.committed_days)),
                    over: used > item.committed_days,
                }
            }
        }
    }

    /// When each item is expected to be approved: its approval day; or, while open, the day it
    /// was accepted (or, not yet applied for, the day what it waits for is approved, and not
    /// before today) plus its committed days — and never before today. Items caught in a cycle
    /// of dependencies get no day.
    pub fn expected(&self, items: &[PlanItem], today: NaiveDate) -> HashMap<i64, NaiveDate> {
        let by_id: HashMap<i64, &PlanItem> = items.iter().map(|i| (i.id, i)).collect();
        let mut done: HashMap<i64, NaiveDate> = HashMap::new();
        // Each round settles the items whose dependencies are settled; a cycle never settles.
        for _ in 0..=items.len() {
            let mut progressed = false;
            for it in items {
                if done.contains_key(&it.id) {
                    continue;
                }
                let deps: Option<Vec<NaiveDate>> = it
                    .depends_on
                    .iter()
                    .filter(|d| by_id.contains_key(d))
                    .map(|d| done.get(d).copied())
                    .collect();
                let Some(deps) = deps else { continue };
                let day = match (it.approved_on, it.submitted_on) {
                    (Some(a), _) => a,
                    (None, Some(s)) => self.add_days(s, it.committed_days).max(today),
                    (None, None) => {
                        let ready = deps.into_iter().max().unwrap_or(today).max(today);
                        self.add_days(ready, it.committed_days)
                    }
                };
                done.insert(it.id, day);
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
        done
    }

    /// The predicted start of construction: the day the last item of the stages construction
    /// waits for is expected to be approved. None while one of those stages has no item yet
    /// (the plan is not complete), or when a cycle of dependencies leaves one without a day.
    pub fn predicted_start(&self, items: &[PlanItem], today: NaiveDate) -> Option<NaiveDate> {
        let needed: Vec<&PlanItem> = items
            .iter()
            .filter(|i| self.stage(&i.stage).is_some_and(|s| s.before_start))
            .collect();
        let planned = self
            .stages
            .iter()
            .filter(|s| s.before_start)
            .all(|s| needed.iter().any(|i| i.stage == s.id));
        if needed.is_empty() || !planned {
            return None;
        }
        let expected = self.expected(items, today);
        needed
            .iter()
            .map(|i| expected.get(&i.id).copied())
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .max()
    }
}

/// Whether making `item` depend on `on` closes a cycle among `items` (the item's own
/// dependencies as they would be saved).
pub fn makes_cycle(items: &[PlanItem], item: i64, on: &[i64]) -> bool {
    let deps = |id: i64| -> Vec<i64> {
        if id == item {
            on.to_vec()
        } else {
            items
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.depends_on.clone())
                .unwrap_or_default()
        }
    };
    let mut stack: Vec<i64> = on.to_vec();
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if id == item {
            return true;
        }
        if seen.insert(id) {
            stack.extend(deps(id));
        }
    }
    false
}

/// Whether items given as (item, what it waits for) pairs wait for each other in a circle.
pub fn has_cycle(edges: &[(i64, i64)]) -> bool {
    let mut items: Vec<PlanItem> = Vec::new();
    for (item, on) in edges {
        match items.iter_mut().find(|i| i.id == *item) {
            Some(i) => i.depends_on.push(*on),
            None => items.push(PlanItem {
                id: *item,
                stage: String::new(),
                committed_days: 0,
                depends_on: vec![*on],
                submitted_on: None,
                approved_on: None,
            }),
        }
    }
    items
        .iter()
        .any(|i| makes_cycle(&items, i.id, &i.depends_on))
}

/// 拿地即开工: days from getting the land to starting construction (so far, while not started).
pub fn land_to_start(land_on: NaiveDate, started_on: Option<NaiveDate>, today: NaiveDate) -> i64 {
    (started_on.unwrap_or(today) - land_on).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn working() -> ApprovalRules {
        ApprovalRules {
            // National Day week 2026: Thursday 1 to Wednesday 7 off, Saturday 10 worked.
            holidays: [
                "2026-10-01",
                "2026-10-02",
                "2026-10-05",
                "2026-10-06",
                "2026-10-07",
            ]
            .into_iter()
            .map(d)
            .collect(),
            workdays: [d("2026-10-10")].into_iter().collect(),
            ..Default::default()
        }
    }

    fn calendar() -> ApprovalRules {
        ApprovalRules {
            count: DayCount::Calendar,
            ..working()
        }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        let w = working();
        // Monday to Wednesday: two days.
        assert_eq!(w.days_between(d("2026-11-23"), d("2026-11-25")), 2);
        // Friday to Monday: one.
        assert_eq!(w.days_between(d("2026-11-20"), d("2026-11-23")), 1);
        // Accepted on Wednesday 30 September, approved on Monday 12 October: the 30th is not
        // counted; Thursday 8, Friday 9, Saturday 10 (make-up) and Monday 12 are.
        assert_eq!(w.days_between(d("2026-09-30"), d("2026-10-12")), 4);
        assert_eq!(
            calendar().days_between(d("2026-09-30"), d("2026-10-12")),
            12
        );
        assert_eq!(w.days_between(d("2026-11-25"), d("2026-11-25")), 0);
        assert_eq!(w.days_between(d("2026-11-25"), d("2026-11-20")), 0);
        // Adding counts the same way.
        assert_eq!(w.add_days(d("2026-09-30"), 4), d("2026-10-12"));
        assert_eq!(w.add_days(d("2026-11-20"), 1), d("2026-11-23"));
        assert_eq!(calendar().add_days(d("2026-11-20"), 1), d("2026-11-21"));
        assert_eq!(w.add_days(d("2026-11-20"), 0), d("2026-11-20"));
    }

    fn item(id: i64, stage: &str, days: i64, deps: &[i64]) -> PlanItem {
        PlanItem {
            id,
            stage: stage.into(),
            committed_days: days,
            depends_on: deps.to_vec(),
            submitted_on: None,
            approved_on: None,
        }
    }

    #[test]
    fn timing_against_committed_days() {
        let w = working();
        let today = d("2026-11-30");
        let mut it = item(1, "construction", 3, &[]);
        assert_eq!(
            w.timing(&it, today),
            Timing {
                used: None,
                due: None,
                over: false
            }
        );
        it.submitted_on = Some(d("2026-11-23"));
        let t = w.timing(&it, today);
        assert_eq!(
            (t.used, t.due, t.over),
            (Some(5), Some(d("2026-11-26")), true)
        );
        it.approved_on = Some(d("2026-11-25"));
        let t = w.timing(&it, today);
        assert_eq!((t.used, t.over), (Some(2), false));
    }

    #[test]
    fn construction_start_is_predicted_from_open_items_and_what_they_wait_for() {
        let w = working();
        let today = d("2026-11-23"); // a Monday
        let mut land = item(1, "land_planning", 5, &[]);
        land.submitted_on = Some(d("2026-11-20"));
        land.approved_on = Some(d("2026-11-20"));
        // Accepted last Friday: due Thursday.
        let mut plan = item(2, "engineering", 4, &[1]);
        plan.submitted_on = Some(d("2026-11-20"));
        // Waits for the plan permit, then three days.
        let permit = item(3, "construction", 3, &[2]);
        // Completion does not hold up the start.
        let done = item(4, "completion", 30, &[3]);
        let items = vec![land, plan, permit, done];
        let e = w.expected(&items, today);
        assert_eq!(e[&1], d("2026-11-20"));
        assert_eq!(e[&2], d("2026-11-26"));
        assert_eq!(e[&3], d("2026-12-01"));
        assert_eq!(w.predicted_start(&items, today), Some(d("2026-12-01")));
        // An overdue open item is expected no earlier than today.
        let mut late = items.clone();
        late[2].submitted_on = Some(d("2026-10-12"));
        late[2].depends_on.clear();
        late[1].approved_on = Some(d("2026-11-20"));
        assert_eq!(w.predicted_start(&late, today), Some(today));
        // A stage construction waits for without any item: no prediction yet.
        assert_eq!(w.predicted_start(&items[..2], today), None);
        // Nothing before the start: no prediction; a cycle: none either.
        assert_eq!(
            w.predicted_start(&[item(4, "completion", 30, &[])], today),
            None
        );
        let cycle = vec![
            item(1, "engineering", 2, &[2]),
            item(2, "construction", 2, &[1]),
        ];
        assert_eq!(w.predicted_start(&cycle, today), None);
    }

    #[test]
    fn dependency_cycles_are_found() {
        let items = vec![
            item(1, "land_planning", 1, &[]),
            item(2, "engineering", 1, &[1]),
            item(3, "construction", 1, &[2]),
        ];
        assert!(makes_cycle(&items, 1, &[3]));
        assert!(makes_cycle(&items, 2, &[2]));
        assert!(!makes_cycle(&items, 3, &[1, 2]));
        assert!(!makes_cycle(&items, 9, &[3]));
        assert!(has_cycle(&[(1, 2), (2, 3), (3, 1)]));
        assert!(has_cycle(&[(4, 4)]));
        assert!(!has_cycle(&[(1, 2), (2, 3), (1, 3)]));
        assert!(!has_cycle(&[]));
    }

    #[test]
    fn items_are_checked() {
        let rules = ApprovalRules::default();
        let today = d("2026-11-30");
        let ok = ItemInput {
            stage: "construction".into(),
            name: "建筑工程施工许可证核发".into(),
            unit_id: Some(7),
            statutory_days: Some(7),
            committed_days: Some(3),
            mechanism: "promise".into(),
            depends_on: vec![3, 2, 3],
            submitted_on: Some(d("2026-11-23")),
            approved_on: None,
            note: String::new(),
        };
        let f = ok.validate(&rules, today).expect("valid");
        assert_eq!(f.depends_on, vec![2, 3]);
        assert_eq!(f.mechanism, Some(Mechanism::Promise));
        let bad = ItemInput {
            stage: "permit".into(),
            committed_days: Some(9),
            mechanism: "fast".into(),
            submitted_on: Some(d("2026-11-25")),
            approved_on: Some(d("2026-11-24")),
            ..ok.clone()
        };
        let codes: Vec<(String, String)> = bad
            .validate(&rules, today)
            .expect_err("invalid")
            .0
            .into_iter()
            .map(|e| (e.field, e.code.to_string()))
            .collect();
        assert_eq!(
            codes,
            [
                ("stage".into(), "err.choice".into()),
                (
                    "committed_days".into(),
                    "err.committed_over_statutory".into()
                ),
                ("mechanism".into(), "err.choice".into()),
                ("approved_on".into(), "err.approved_before_submitted".into()),
            ]
        );
        let unsubmitted = ItemInput {
            submitted_on: None,
            approved_on: Some(d("2026-11-24")),
            ..ok
        };
        assert!(unsubmitted.validate(&rules, today).is_err());
    }

    #[test]
    fn land_to_start_counts_calendar_days() {
        let today = d("2026-11-30");
        assert_eq!(
            land_to_start(d("2026-11-01"), Some(d("2026-11-11")), today),
            10
        );
        assert_eq!(land_to_start(d("2026-11-01"), None, today), 29);
    }

    #[test]
    fn a_bad_configuration_is_refused() {
        assert!(ApprovalRules::default().check().is_ok());
        let mut r = ApprovalRules::default();
        r.stages[1].id = "land_planning".into();
        assert!(r.check().is_err());
        let mut r = working();
        r.holidays.insert(d("2026-10-10"));
        assert!(r.check().is_err());
    }
}
