//! Supervised tasks: their lifecycle (交办 → 签收 → 推进 → 申请办结 → 销号, with 退回), who may
//! move them, their reporting periods, and their lights — computed from dates and data as of any
//! day, never declared.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::authz::{Action, Entity, Grant, Principal, Role, Scope, role_allows};
use crate::org::string_enum;

string_enum!(
    /// Where a task is in its life.
    TaskStatus {
        /// 交办: filed, waiting for the lead unit to accept.
        Assigned = "assigned",
        /// 签收: accepted by the lead unit.
        Accepted = "accepted",
        /// 推进: reports are coming in.
        InProgress = "in_progress",
        /// 申请办结: the lead unit asks to close it, with evidence.
        CloseRequested = "close_requested",
        /// 销号: closed by the supervisor.
        Closed = "closed",
    }
);

string_enum!(
    /// How often a task reports; `Once` has a deadline and no periodic report.
    TaskCadence {
        Once = "once",
        Weekly = "weekly",
        Monthly = "monthly",
        Quarterly = "quarterly",
        Yearly = "yearly",
    }
);

string_enum!(
    /// What someone does to a task.
    Transition {
        /// 签收, by the lead unit.
        Accept = "accept",
        /// 申请办结, by the lead unit, with evidence.
        RequestClose = "request_close",
        /// 销号, by the supervisor, after review.
        Close = "close",
        /// 退回, by the supervisor: the closing request is refused and work goes on.
        Return = "return",
        /// Re-open a closed task (the supervisor, with a reason).
        Reopen = "reopen",
    }
);

impl TaskStatus {
    pub fn is_open(self) -> bool {
        self != TaskStatus::Closed
    }
}

/// The caller's standing on one task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// Supervises the task's region (files, reviews, closes, reminds).
    pub supervisor: bool,
    /// A leader over the task's region (writes instructions).
    pub leader: bool,
    /// A clerk of one of the task's lead units.
    pub lead_clerk: bool,
    /// A clerk of one of its supporting units.
    pub support_clerk: bool,
}

/// Where a task sits: its region, and its lead and supporting units with their regions' paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskPlace {
    pub region_path: String,
    pub lead_units: Vec<(i64, String)>,
    pub support_units: Vec<(i64, String)>,
}

impl TaskPlace {
    fn in_region(&self, g: &Grant) -> bool {
        matches!(&g.scope, Scope::Region { path, .. } if self.region_path.starts_with(path.as_str()))
    }

    fn unit_covered(g: &Grant, unit: &(i64, String)) -> bool {
        match &g.scope {
            Scope::Unit { id, .. } => *id == unit.0,
            Scope::Region { path, .. } => unit.1.starts_with(path.as_str()),
        }
    }

    /// Whether a unit-scoped grant names one of the task's units.
    fn unit_grant_on_task(&self, g: &Grant) -> bool {
        matches!(&g.scope, Scope::Unit { id, .. }
            if self.lead_units.iter().chain(&self.support_units).any(|u| u.0 == *id))
    }
}

/// Whether the caller reports for `unit` (its id and its region's path): a clerk of that unit,
/// or of a region it lies in.
pub fn clerk_of(p: &Principal, unit: &(i64, String)) -> bool {
    p.grants
        .iter()
        .any(|g| g.role == Role::Clerk && TaskPlace::unit_covered(g, unit))
}

/// Who the caller is to this task.
pub fn standing(p: &Principal, t: &TaskPlace) -> Standing {
    let role_in_region = |role: Role| p.grants.iter().any(|g| g.role == role && t.in_region(g));
    let clerk_of = |units: &[(i64, String)]| units.iter().any(|u| clerk_of(p, u));
    Standing {
        supervisor: role_in_region(Role::Supervisor),
        leader: role_in_region(Role::Leader),
        lead_clerk: clerk_of(&t.lead_units),
        support_clerk: clerk_of(&t.support_units),
    }
}

/// Whether the caller may see the task: a role over its region, or a unit-scoped role of one of
/// its units. Lists apply the same rule in SQL (`Principal::visibility(Entity::Task, Read)`).
pub fn can_read(p: &Principal, t: &TaskPlace) -> bool {
    p.grants.iter().any(|g| {
        role_allows(g.role, Entity::Task, Action::Read)
            && (t.in_region(g) || t.unit_grant_on_task(g))
    })
}

/// Why a transition was refused: a message key in `locales/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("err.task_transition")]
    NotFromHere,
    #[error("err.task_not_yours")]
    NotYours,
    #[error("err.task_evidence")]
    NoEvidence,
    #[error("err.task_reason")]
    NoReason,
}

impl Refused {
    pub fn key(self) -> &'static str {
        match self {
            Refused::NotFromHere => "err.task_transition",
            Refused::NotYours => "err.task_not_yours",
            Refused::NoEvidence => "err.task_evidence",
            Refused::NoReason => "err.task_reason",
        }
    }
}

/// The lifecycle: where `t` may lead from `from`, and who may take it.
pub fn transition(
    from: TaskStatus,
    t: Transition,
    who: Standing,
    has_evidence: bool,
    comment: &str,
) -> Result<TaskStatus, Refused> {
    use TaskStatus::*;
    use Transition::*;
    let to = match (from, t) {
        (Assigned, Accept) => Accepted,
        (Accepted | InProgress, RequestClose) => CloseRequested,
        (CloseRequested, Close) => Closed,
        (CloseRequested, Return) => InProgress,
        (Closed, Reopen) => InProgress,
        _ => return Err(Refused::NotFromHere),
    };
    let allowed = match t {
        Accept | RequestClose => who.lead_clerk || who.supervisor,
        Close | Return | Reopen => who.supervisor,
    };
    if !allowed {
        return Err(Refused::NotYours);
    }
    if t == RequestClose && !has_evidence {
        return Err(Refused::NoEvidence);
    }
    if matches!(t, Return | Reopen) && comment.trim().is_empty() {
        return Err(Refused::NoReason);
    }
    Ok(to)
}

/// Which transitions the caller may offer on a task now (for buttons).
pub fn available(from: TaskStatus, who: Standing) -> Vec<Transition> {
    Transition::ALL
        .iter()
        .copied()
        .filter(|t| transition(from, *t, who, true, "x").is_ok())
        .collect()
}

/// One reporting period: its first and last day; a report for it is due by `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

fn month_end(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

/// The period of `cadence` that contains `day`.
pub fn period_of(cadence: TaskCadence, day: NaiveDate) -> Option<Period> {
    let (y, m) = (day.year(), day.month());
    match cadence {
        TaskCadence::Once => None,
        TaskCadence::Weekly => {
            let start = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
            Some(Period {
                start,
                end: start + Duration::days(6),
            })
        }
        TaskCadence::Monthly => Some(Period {
            start: NaiveDate::from_ymd_opt(y, m, 1)?,
            end: month_end(y, m)?,
        }),
        TaskCadence::Quarterly => {
            let q0 = (m - 1) / 3 * 3 + 1;
            Some(Period {
                start: NaiveDate::from_ymd_opt(y, q0, 1)?,
                end: month_end(y, q0 + 2)?,
            })
        }
        TaskCadence::Yearly => Some(Period {
            start: NaiveDate::from_ymd_opt(y, 1, 1)?,
            end: NaiveDate::from_ymd_opt(y, 12, 31)?,
        }),
    }
}

/// The periods whose reports were due by `as_of` (ended before it), from the one containing
/// `from` — oldest first. Bounded, so a mistaken date cannot make an endless list.
pub fn due_periods(cadence: TaskCadence, from: NaiveDate, as_of: NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    let mut day = from;
    while let Some(p) = period_of(cadence, day) {
        if p.end >= as_of || out.len() >= 1000 {
            break;
        }
        out.push(p);
        day = p.end + Duration::days(1);
    }
    out
}

/// The period a report submitted on `day` belongs to: the current one.
pub fn current_period(cadence: TaskCadence, day: NaiveDate) -> Option<Period> {
    period_of(cadence, day)
}

string_enum!(
    /// 红黄绿灯.
    Light { Green = "green", Yellow = "yellow", Red = "red" }
);

/// Why a light has its colour: message keys for the task page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Reason {
    Overdue { days: i64 },
    DeadlineNear { days: i64 },
    ReportLate { period_end: NaiveDate, days: i64 },
    ReportMissing { period_end: NaiveDate, days: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LightRules {
    /// A deadline this near makes a task yellow; a report late by more makes it red.
    pub warn_days: i64,
}

impl Default for LightRules {
    fn default() -> Self {
        Self { warn_days: 7 }
    }
}

/// What the light of a task is computed from.
#[derive(Debug, Clone)]
pub struct LightFacts<'a> {
    pub status: TaskStatus,
    pub deadline: Option<NaiveDate>,
    pub cadence: TaskCadence,
    /// The day the task was filed (reports are due from its first period on).
    pub assigned_on: NaiveDate,
    /// Period ends for which the lead units' reports had been submitted by `as_of`.
    pub reported_periods: &'a [NaiveDate],
}

/// The light as of `as_of`, with its reasons. A closed task is green.
pub fn light(f: &LightFacts<'_>, as_of: NaiveDate, rules: LightRules) -> (Light, Vec<Reason>) {
    if f.status == TaskStatus::Closed {
        return (Light::Green, Vec::new());
    }
    let mut reasons = Vec::new();
    let mut colour = Light::Green;
    let raise = |c: &mut Light, to: Light| {
        if (to == Light::Red) || (to == Light::Yellow && *c == Light::Green) {
            *c = to;
        }
    };
    if let Some(d) = f.deadline {
        let left = (d - as_of).num_days();
        if left < 0 {
            reasons.push(Reason::Overdue { days: -left });
            raise(&mut colour, Light::Red);
        } else if left <= rules.warn_days {
            reasons.push(Reason::DeadlineNear { days: left });
            raise(&mut colour, Light::Yellow);
        }
    }
    // Reports of periods that ended before today and before the deadline (or closing request).
    if f.status != TaskStatus::CloseRequested {
        for p in due_periods(f.cadence, f.assigned_on, as_of) {
            if f.reported_periods.contains(&p.end) {
                continue;
            }
            let late = (as_of - p.end).num_days();
            if late > rules.warn_days {
                reasons.push(Reason::ReportMissing {
                    period_end: p.end,
                    days: late,
                });
                raise(&mut colour, Light::Red);
            } else {
                reasons.push(Reason::ReportLate {
                    period_end: p.end,
                    days: late,
                });
                raise(&mut colour, Light::Yellow);
            }
        }
    }
    (colour, reasons)
}

/// The first day after `as_of` on which the light would change if nothing new happened (no
/// report, no transition, no new deadline) — when a sweep must look at the task again. `None`
/// when it would never change (closed, or nothing ahead).
pub fn next_change(f: &LightFacts<'_>, as_of: NaiveDate, rules: LightRules) -> Option<NaiveDate> {
    if f.status == TaskStatus::Closed {
        return None;
    }
    let now = light(f, as_of, rules).0;
    let w = Duration::days(rules.warn_days);
    let one = Duration::days(1);
    let mut candidates: Vec<NaiveDate> = Vec::new();
    if let Some(d) = f.deadline {
        candidates.extend([d - w, d + one]);
    }
    // Every period that ends within the coming window can make a report late, then missing.
    let mut day = as_of - w - one;
    for _ in 0..64 {
        let Some(p) = period_of(f.cadence, day) else {
            break;
        };
        candidates.extend([p.end + one, p.end + w + one]);
        if p.end > as_of + w + Duration::days(400) {
            break;
        }
        day = p.end + one;
    }
    candidates.sort();
    candidates.dedup();
    candidates
        .into_iter()
        .filter(|c| *c > as_of)
        .find(|c| light(f, *c, rules).0 != now)
}

/// A unit reporting "on track" while the computed light is red is a discrepancy the supervisor
/// should see.
pub fn discrepancy(claimed_on_track: Option<bool>, computed: Light) -> bool {
    claimed_on_track == Some(true) && computed == Light::Red
}

string_enum!(
    /// Following a task up, beside its lifecycle.
    FollowUp {
        /// 催办: a supervisor presses the units.
        Remind = "remind",
        /// 批示: a leader's instruction.
        Instruct = "instruct",
        /// 要求书面说明: a supervisor asks the lead units for a written explanation.
        AskExplanation = "ask_explanation",
        /// 提交书面说明: a lead unit explains.
        Explain = "explain",
        /// 审阅书面说明 / 审核报告: a supervisor accepts or returns an explanation or a report.
        Review = "review",
        /// 申请调整/延期: a lead unit (or the supervisor) asks for a new deadline.
        RequestDeadline = "request_deadline",
        /// 审批调整/延期: the supervisor approves or rejects it.
        DecideDeadline = "decide_deadline",
    }
);

/// Whether someone of this standing may take this follow-up step.
pub fn may(f: FollowUp, who: Standing) -> bool {
    match f {
        FollowUp::Remind
        | FollowUp::AskExplanation
        | FollowUp::Review
        | FollowUp::DecideDeadline => who.supervisor,
        FollowUp::Instruct => who.leader || who.supervisor,
        FollowUp::Explain => who.lead_clerk,
        FollowUp::RequestDeadline => who.lead_clerk || who.supervisor,
    }
}

/// Days a lead unit has to hand in a written explanation once asked.
pub const EXPLANATION_DAYS: i64 = 5;

/// What a task's text search matches: code and title in lower case, the title's pinyin in full
/// and as initials ("招商引资" → "zhaoshangyinzi zsyz"), so a clerk can type either.
pub fn search_text(code: &str, title: &str) -> String {
    use pinyin::ToPinyin;
    let mut full = String::new();
    let mut initials = String::new();
    for p in title.to_pinyin().flatten() {
        full.push_str(p.plain());
        initials.push_str(p.first_letter());
    }
    format!(
        "{} {} {full} {initials}",
        code.to_lowercase(),
        title.to_lowercase()
    )
}

/// Monday of the week of `d` (for weekly meeting agendas and the like).
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    const CLERK: Standing = Standing {
        supervisor: false,
        leader: false,
        lead_clerk: true,
        support_clerk: false,
    };
    const SUPPORT: Standing = Standing {
        supervisor: false,
        leader: false,
        lead_clerk: false,
        support_clerk: true,
    };
    const SUPERVISOR: Standing = Standing {
        supervisor: true,
        leader: false,
        lead_clerk: false,
        support_clerk: false,
    };

    #[test]
    fn search_reads_pinyin() {
        let s = search_text("GQ-1", "招商引资");
        assert!(s.contains("gq-1"));
        assert!(s.contains("招商引资"));
        assert!(s.contains("zhaoshangyinzi"));
        assert!(s.contains("zsyz"));
    }

    #[test]
    fn who_follows_up() {
        assert!(may(FollowUp::Remind, SUPERVISOR));
        assert!(!may(FollowUp::Remind, CLERK));
        assert!(may(FollowUp::Explain, CLERK));
        assert!(!may(FollowUp::Explain, SUPPORT));
        assert!(!may(FollowUp::Explain, SUPERVISOR));
        assert!(may(FollowUp::RequestDeadline, CLERK));
        assert!(!may(FollowUp::DecideDeadline, CLERK));
        assert!(may(FollowUp::DecideDeadline, SUPERVISOR));
        let leader = Standing {
            leader: true,
            ..Standing::default()
        };
        assert!(may(FollowUp::Instruct, leader));
        assert!(!may(FollowUp::Review, leader));
    }

    #[test]
    fn the_whole_life_of_a_task() {
        use TaskStatus::*;
        use Transition::*;
        assert_eq!(transition(Assigned, Accept, CLERK, false, ""), Ok(Accepted));
        assert_eq!(
            transition(Accepted, RequestClose, CLERK, true, ""),
            Ok(CloseRequested)
        );
        assert_eq!(
            transition(CloseRequested, Return, SUPERVISOR, false, "证据不足"),
            Ok(InProgress)
        );
        assert_eq!(
            transition(InProgress, RequestClose, CLERK, true, ""),
            Ok(CloseRequested)
        );
        assert_eq!(
            transition(CloseRequested, Close, SUPERVISOR, false, ""),
            Ok(Closed)
        );
    }

    #[test]
    fn illegal_moves_are_refused_with_a_reason() {
        use TaskStatus::*;
        use Transition::*;
        assert_eq!(
            transition(Assigned, Close, SUPERVISOR, true, ""),
            Err(Refused::NotFromHere)
        );
        assert_eq!(
            transition(Closed, Accept, CLERK, true, ""),
            Err(Refused::NotFromHere)
        );
        assert_eq!(
            transition(Assigned, Accept, SUPPORT, true, ""),
            Err(Refused::NotYours)
        );
        assert_eq!(
            transition(CloseRequested, Close, CLERK, true, ""),
            Err(Refused::NotYours)
        );
        assert_eq!(
            transition(InProgress, RequestClose, CLERK, false, ""),
            Err(Refused::NoEvidence)
        );
        assert_eq!(
            transition(CloseRequested, Return, SUPERVISOR, true, "  "),
            Err(Refused::NoReason)
        );
        assert_eq!(available(InProgress, CLERK), vec![RequestClose]);
        assert_eq!(available(CloseRequested, SUPERVISOR), vec![Close, Return]);
    }

    #[test]
    fn standing_comes_from_roles_and_units() {
        let region = |path: &str| Scope::Region {
            id: 0,
            path: path.into(),
        };
        let unit = |id: i64| Scope::Unit {
            id,
            region_path: "/1/2/".into(),
        };
        let p = |role: Role, scope: Scope| Principal {
            user_id: 9,
            unit_id: 1,
            grants: vec![Grant { role, scope }],
        };
        let t = TaskPlace {
            region_path: "/1/2/".into(),
            lead_units: vec![(10, "/1/2/".into())],
            support_units: vec![(11, "/1/2/3/".into())],
        };
        assert!(standing(&p(Role::Supervisor, region("/1/")), &t).supervisor);
        assert!(!standing(&p(Role::Supervisor, region("/1/5/")), &t).supervisor);
        assert!(standing(&p(Role::Clerk, unit(10)), &t).lead_clerk);
        let s = standing(&p(Role::Clerk, unit(11)), &t);
        assert!(s.support_clerk && !s.lead_clerk);
        assert!(can_read(&p(Role::Clerk, unit(11)), &t));
        assert!(
            !can_read(&p(Role::Clerk, unit(12)), &t),
            "another unit's clerk"
        );
        assert!(can_read(&p(Role::Viewer, region("/1/2/")), &t));
        assert!(
            !can_read(&p(Role::Sysadmin, region("/1/")), &t),
            "administrators do not read business data"
        );
    }

    #[test]
    fn periods() {
        let p = period_of(TaskCadence::Quarterly, d(2019, 9, 1)).expect("period");
        assert_eq!((p.start, p.end), (d(2019, 7, 1), d(2019, 9, 30)));
        let p = period_of(TaskCadence::Weekly, d(2026, 11, 29)).expect("period");
        assert_eq!((p.start, p.end), (d(2026, 11, 23), d(2026, 11, 29)));
        let p = period_of(TaskCadence::Monthly, d(2020, 2, 10)).expect("period");
        assert_eq!(p.end, d(2020, 2, 29));
        let due = due_periods(TaskCadence::Monthly, d(2019, 9, 10), d(2019, 12, 5));
        assert_eq!(
            due.iter().map(|p| p.end).collect::<Vec<_>>(),
            vec![d(2019, 9, 30), d(2019, 10, 31), d(2019, 11, 30)]
        );
        assert!(due_periods(TaskCadence::Once, d(2019, 1, 1), d(2030, 1, 1)).is_empty());
    }

    #[test]
    fn lights() {
        let rules = LightRules::default();
        let facts = |status, deadline, reported: &'static [NaiveDate]| LightFacts {
            status,
            deadline,
            cadence: TaskCadence::Monthly,
            assigned_on: d(2019, 9, 1),
            reported_periods: reported,
        };
        // On time, all reports in.
        static IN: [NaiveDate; 1] = [NaiveDate::from_ymd_opt(2019, 9, 30).expect("date")];
        let f = facts(TaskStatus::InProgress, Some(d(2019, 12, 31)), &IN);
        assert_eq!(light(&f, d(2019, 10, 10), rules).0, Light::Green);
        // The October report is 3 days late: yellow; 10 days late: red.
        assert_eq!(light(&f, d(2019, 11, 3), rules).0, Light::Yellow);
        assert_eq!(light(&f, d(2019, 11, 10), rules).0, Light::Red);
        // The deadline near, then passed.
        let once = LightFacts {
            cadence: TaskCadence::Once,
            ..facts(TaskStatus::InProgress, Some(d(2019, 8, 31)), &[])
        };
        assert_eq!(light(&once, d(2019, 8, 20), rules).0, Light::Green);
        assert_eq!(
            light(&once, d(2019, 8, 26), rules),
            (Light::Yellow, vec![Reason::DeadlineNear { days: 5 }])
        );
        assert_eq!(
            light(&once, d(2019, 9, 2), rules),
            (Light::Red, vec![Reason::Overdue { days: 2 }])
        );
        // Closed is green whatever the dates.
        let closed = LightFacts {
            status: TaskStatus::Closed,
            ..once
        };
        assert_eq!(light(&closed, d(2020, 1, 1), rules).0, Light::Green);
        assert!(discrepancy(Some(true), Light::Red));
        // When the light will change next, with no new data.
        assert_eq!(
            next_change(&once, d(2019, 8, 20), rules),
            Some(d(2019, 8, 24))
        );
        assert_eq!(
            next_change(&once, d(2019, 8, 26), rules),
            Some(d(2019, 9, 1))
        );
        assert_eq!(
            next_change(&once, d(2019, 9, 2), rules),
            None,
            "red stays red"
        );
        assert_eq!(
            next_change(&f, d(2019, 10, 10), rules),
            Some(d(2019, 11, 1)),
            "the October report falls due"
        );
        assert_eq!(next_change(&closed, d(2019, 10, 10), rules), None);
        assert!(!discrepancy(Some(false), Light::Red));
    }
}
