//! Recruiting activities (招引活动, M4): trips out to court investors (at home or abroad), visits
//! received, negotiations, promotion events and signing ceremonies, with the leaders and units
//! that took part, the companies and talents met and the projects they served.
//!
//! A trip is registered before it starts (请假报备 "绿色通道"): it waits for the configured
//! approver, who approves it or returns it with a reason; a returned trip is corrected and so
//! registered again. After the trip its outcome is recorded. A trip registered after its first
//! day is kept, marked as registered late (补报). The other kinds are recorded after the fact.
//! Monthly statistics count an activity once approved (a trip) or recorded, for every unit that
//! took part.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::authz::Role;
use crate::org::string_enum;
use crate::validation::{self, FieldError, Invalid};

string_enum!(
    /// What an activity was.
    ActivityKind {
        /// 外出招商: a trip out to court investors or talents.
        Trip = "trip",
        /// 来访接待: investors received in the county.
        Visit = "visit",
        /// 洽谈: a negotiation.
        Talks = "talks",
        /// 推介会: a promotion event.
        Promotion = "promotion",
        /// 签约活动: a signing ceremony.
        Signing = "signing",
    }
);

string_enum!(
    /// Where an activity stands. Only trips pass through registered, approved and returned.
    ActivityStatus {
        Registered = "registered",
        Approved = "approved",
        Returned = "returned",
        Done = "done",
        Cancelled = "cancelled",
    }
);

/// The statuses in which an activity counts in the statistics.
pub const COUNTED: [ActivityStatus; 2] = [ActivityStatus::Approved, ActivityStatus::Done];

/// Who may make a move: the approver of trips, or those who keep the activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    Approver,
    Keeper,
}

impl ActivityStatus {
    /// The status an activity starts in.
    pub fn initial(kind: ActivityKind) -> Self {
        match kind {
            ActivityKind::Trip => ActivityStatus::Registered,
            _ => ActivityStatus::Done,
        }
    }

    /// Who may move an activity of `kind` from `self` to `to`; `None` if the move is not allowed.
    /// A returned trip goes back to registered by being edited, not by a move.
    pub fn mover(self, kind: ActivityKind, to: ActivityStatus) -> Option<Mover> {
        use ActivityStatus::*;
        match (kind, self, to) {
            (ActivityKind::Trip, Registered, Approved | Returned) => Some(Mover::Approver),
            (ActivityKind::Trip, Approved, Done) => Some(Mover::Keeper),
            (ActivityKind::Trip, Registered | Approved | Returned, Cancelled) => {
                Some(Mover::Keeper)
            }
            (_, Done, Cancelled) if kind != ActivityKind::Trip => Some(Mover::Keeper),
            _ => None,
        }
    }

    pub fn is_counted(self) -> bool {
        COUNTED.contains(&self)
    }
}

/// A move of an activity's status as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move<'a> {
    pub kind: ActivityKind,
    pub from: ActivityStatus,
    pub to: ActivityStatus,
    pub starts_on: NaiveDate,
    pub today: NaiveDate,
    pub reason: &'a str,
    pub outcome: &'a str,
}

/// Checks a move and says who may make it: returning and cancelling need a reason, completing a
/// trip needs its outcome and may not happen before the trip has started.
pub fn check_move(m: &Move) -> Result<Mover, Invalid> {
    let Some(mover) = m.from.mover(m.kind, m.to) else {
        return Err(Invalid::one(
            FieldError::new("status", "err.activity_move")
                .with("from", m.from.id())
                .with("to", m.to.id()),
        ));
    };
    let mut e = Invalid::default();
    if matches!(m.to, ActivityStatus::Returned | ActivityStatus::Cancelled) {
        validation::required(&mut e, "reason", m.reason, 200);
    }
    if m.to == ActivityStatus::Done {
        validation::required(&mut e, "outcome", m.outcome, 2000);
        if m.starts_on > m.today {
            e.push(FieldError::new("status", "err.activity_not_started"));
        }
    }
    e.into_result().map(|()| mover)
}

/// Configuration `[activity]`: the role that approves registered trips (with a grant over the
/// trip's unit), and the longest trip in days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityRules {
    pub trip_approver: String,
    pub max_days: i64,
}

impl Default for ActivityRules {
    fn default() -> Self {
        Self {
            trip_approver: Role::Leader.id().into(),
            max_days: 60,
        }
    }
}

impl ActivityRules {
    /// The approving role: leaders or the supervisor (those who register trips, clerks and
    /// agents, do not approve them).
    pub fn approver(&self) -> Result<Role, String> {
        match Role::parse(&self.trip_approver) {
            Some(r @ (Role::Leader | Role::Supervisor)) => Ok(r),
            _ => Err(format!(
                "trip_approver “{}” must be leader or supervisor",
                self.trip_approver
            )),
        }
    }
}

/// The most of each kind of link an activity may carry.
pub const MAX_LINKS: usize = 50;

/// An activity as entered in a form or the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActivityInput {
    /// trip, visit, talks, promotion or signing.
    pub kind: String,
    /// A trip abroad (境外).
    pub abroad: bool,
    /// 主题.
    pub title: String,
    /// Where: the city (and country) of a trip, the venue otherwise.
    pub place: String,
    /// YYYY-MM-DD.
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<NaiveDate>,
    /// YYYY-MM-DD; default the first day.
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<NaiveDate>,
    /// For a trip: what it is for (事由).
    pub purpose: String,
    /// What came of it.
    pub outcome: String,
    /// The other units taking part (the organising unit always does).
    pub unit_ids: Vec<i64>,
    /// The leaders taking part (people of the organisation); a trip needs at least one.
    pub leader_ids: Vec<i64>,
    /// Companies of the library met.
    pub company_ids: Vec<i64>,
    /// Talents of the library met.
    pub talent_ids: Vec<i64>,
    /// Projects the activity served.
    pub project_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityFields {
    pub kind: ActivityKind,
    pub abroad: bool,
    pub title: String,
    pub place: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub purpose: Option<String>,
    pub outcome: Option<String>,
    pub unit_ids: Vec<i64>,
    pub leader_ids: Vec<i64>,
    pub company_ids: Vec<i64>,
    pub talent_ids: Vec<i64>,
    pub project_ids: Vec<i64>,
}

/// Links as a set: sorted, each once (the same links typed in another order are the same).
fn ids(e: &mut Invalid, field: &str, v: &[i64]) -> Vec<i64> {
    let mut out = v.to_vec();
    out.sort_unstable();
    out.dedup();
    if out.len() > MAX_LINKS {
        e.push(FieldError::new(field, "err.too_many").with("max", MAX_LINKS));
        out.truncate(MAX_LINKS);
    }
    out
}

impl ActivityInput {
    /// Checks the fields; `today` is in the configured time zone. Activities other than trips
    /// are recorded after they happened, so they may not start in the future.
    pub fn validate(
        &self,
        rules: &ActivityRules,
        today: NaiveDate,
    ) -> Result<ActivityFields, Invalid> {
        let mut e = Invalid::default();
        let kind = ActivityKind::parse(self.kind.trim()).unwrap_or_else(|| {
            e.push(FieldError::new("kind", "err.choice"));
            ActivityKind::Visit
        });
        let title = validation::required(&mut e, "title", &self.title, 100);
        let place = validation::required(&mut e, "place", &self.place, 60);
        let purpose = validation::optional(&mut e, "purpose", &self.purpose, 500);
        let outcome = validation::optional(&mut e, "outcome", &self.outcome, 2000);
        if kind == ActivityKind::Trip && purpose.is_none() {
            e.push(FieldError::new("purpose", "err.required"));
        }
        let starts_on = match self.starts_on {
            Some(d) if validation::date_in_range(d) => d,
            Some(_) => {
                e.push(FieldError::new("starts_on", "err.date_range"));
                today
            }
            None => {
                e.push(FieldError::new("starts_on", "err.required"));
                today
            }
        };
        let ends_on = self.ends_on.unwrap_or(starts_on);
        if ends_on < starts_on {
            e.push(FieldError::new("ends_on", "err.activity_ends_before"));
        } else if (ends_on - starts_on).num_days() >= rules.max_days {
            e.push(FieldError::new("ends_on", "err.activity_too_long").with("max", rules.max_days));
        }
        if kind != ActivityKind::Trip && starts_on > today {
            e.push(FieldError::new("starts_on", "err.date_future"));
        }
        let leader_ids = ids(&mut e, "leader_ids", &self.leader_ids);
        if kind == ActivityKind::Trip && leader_ids.is_empty() {
            e.push(FieldError::new("leader_ids", "err.required"));
        }
        let fields = ActivityFields {
            kind,
            abroad: kind == ActivityKind::Trip && self.abroad,
            title,
            place,
            starts_on,
            ends_on,
            purpose,
            outcome,
            unit_ids: ids(&mut e, "unit_ids", &self.unit_ids),
            leader_ids,
            company_ids: ids(&mut e, "company_ids", &self.company_ids),
            talent_ids: ids(&mut e, "talent_ids", &self.talent_ids),
            project_ids: ids(&mut e, "project_ids", &self.project_ids),
        };
        e.into_result().map(|()| fields)
    }
}

/// A trip registered after its first day (补报).
pub fn registered_late(kind: ActivityKind, starts_on: NaiveDate, today: NaiveDate) -> bool {
    kind == ActivityKind::Trip && starts_on < today
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: NaiveDate,
}

impl Month {
    pub fn of(d: NaiveDate) -> Self {
        Self {
            first: d.with_day(1).unwrap_or(d),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let first = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").ok()?;
        validation::date_in_range(first).then_some(Self { first })
    }

    /// The first day of the next month (the range is `first..next`).
    pub fn next(self) -> NaiveDate {
        self.first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(self.first)
    }

    pub fn previous(self) -> Self {
        Self {
            first: self
                .first
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(self.first),
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn trip() -> ActivityInput {
        ActivityInput {
            kind: "trip".into(),
            title: "赴深圳对接新能源企业".into(),
            place: "广东深圳".into(),
            starts_on: Some(d("2026-12-02")),
            ends_on: Some(d("2026-12-04")),
            purpose: "拜访比亚迪、欣旺达".into(),
            leader_ids: vec![3, 3],
            ..Default::default()
        }
    }

    fn codes(r: Result<ActivityFields, Invalid>) -> Vec<(String, &'static str)> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| (f.field, f.code)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_trip_needs_purpose_and_a_leader_and_sane_dates() {
        let rules = ActivityRules::default();
        let today = d("2026-11-29");
        let f = trip().validate(&rules, today).expect("valid trip");
        assert_eq!(f.leader_ids, vec![3]);
        assert_eq!(ActivityStatus::initial(f.kind), ActivityStatus::Registered);
        let bad = ActivityInput {
            purpose: " ".into(),
            leader_ids: vec![],
            ends_on: Some(d("2026-12-01")),
            ..trip()
        };
        assert_eq!(
            codes(bad.validate(&rules, today)),
            vec![
                ("purpose".into(), "err.required"),
                ("ends_on".into(), "err.activity_ends_before"),
                ("leader_ids".into(), "err.required"),
            ]
        );
        let long = ActivityInput {
            ends_on: Some(d("2027-03-01")),
            ..trip()
        };
        assert_eq!(
            codes(long.validate(&rules, today)),
            vec![("ends_on".into(), "err.activity_too_long")]
        );
    }

    #[test]
    fn other_kinds_are_recorded_after_the_fact_and_are_never_abroad() {
        let rules = ActivityRules::default();
        let today = d("2026-11-29");
        let visit = ActivityInput {
            kind: "visit".into(),
            abroad: true,
            purpose: String::new(),
            leader_ids: vec![],
            starts_on: Some(today),
            ends_on: None,
            ..trip()
        };
        let f = visit.validate(&rules, today).expect("valid visit");
        assert!(!f.abroad);
        assert_eq!(f.ends_on, today);
        assert_eq!(ActivityStatus::initial(f.kind), ActivityStatus::Done);
        let future = ActivityInput {
            starts_on: Some(d("2026-11-30")),
            ..visit.clone()
        };
        assert_eq!(
            codes(future.validate(&rules, today)),
            vec![("starts_on".into(), "err.date_future")]
        );
        assert_eq!(
            codes(
                ActivityInput {
                    kind: "party".into(),
                    ..visit
                }
                .validate(&rules, today)
            ),
            vec![("kind".into(), "err.choice")]
        );
    }

    #[test]
    fn links_are_deduplicated_and_bounded() {
        let many = ActivityInput {
            company_ids: (0..60).collect(),
            ..trip()
        };
        assert_eq!(
            codes(many.validate(&ActivityRules::default(), d("2026-11-29"))),
            vec![("company_ids".into(), "err.too_many")]
        );
    }

    #[test]
    fn trip_moves_and_who_makes_them() {
        use ActivityStatus::*;
        let m = |from, to, reason, outcome, today: &str| {
            check_move(&Move {
                kind: ActivityKind::Trip,
                from,
                to,
                starts_on: d("2026-12-02"),
                today: d(today),
                reason,
                outcome,
            })
        };
        assert_eq!(
            m(Registered, Approved, "", "", "2026-11-29"),
            Ok(Mover::Approver)
        );
        assert!(m(Registered, Returned, "", "", "2026-11-29").is_err());
        assert_eq!(
            m(Registered, Returned, "行程过长", "", "2026-11-29"),
            Ok(Mover::Approver)
        );
        // Not before the trip started, and not without its outcome.
        assert!(m(Approved, Done, "", "签约意向 1 个", "2026-11-29").is_err());
        assert!(m(Approved, Done, "", "", "2026-12-05").is_err());
        assert_eq!(
            m(Approved, Done, "", "签约意向 1 个", "2026-12-05"),
            Ok(Mover::Keeper)
        );
        // A registered trip is approved before it is done; done is final for a trip.
        assert!(m(Registered, Done, "", "x", "2026-12-05").is_err());
        assert!(m(Done, Cancelled, "重复", "", "2026-12-05").is_err());
        assert_eq!(
            m(Approved, Cancelled, "取消", "", "2026-11-29"),
            Ok(Mover::Keeper)
        );
        assert!(m(Returned, Approved, "", "", "2026-11-29").is_err());
        assert!(m(Cancelled, Registered, "", "", "2026-11-29").is_err());
    }

    #[test]
    fn a_recorded_visit_can_only_be_cancelled() {
        use ActivityStatus::*;
        let visit = |to, reason| {
            check_move(&Move {
                kind: ActivityKind::Visit,
                from: Done,
                to,
                starts_on: d("2026-11-02"),
                today: d("2026-11-29"),
                reason,
                outcome: "",
            })
        };
        assert_eq!(visit(Cancelled, "录入重复"), Ok(Mover::Keeper));
        assert!(visit(Approved, "").is_err());
        assert!(!Cancelled.is_counted() && Done.is_counted() && Approved.is_counted());
        assert!(!Registered.is_counted());
    }

    #[test]
    fn late_registration_and_months() {
        assert!(registered_late(
            ActivityKind::Trip,
            d("2026-11-28"),
            d("2026-11-29")
        ));
        assert!(!registered_late(
            ActivityKind::Trip,
            d("2026-11-29"),
            d("2026-11-29")
        ));
        assert!(!registered_late(
            ActivityKind::Visit,
            d("2026-11-01"),
            d("2026-11-29")
        ));
        let m = Month::parse("2026-12").expect("a month");
        assert_eq!(m.next(), d("2027-01-01"));
        assert_eq!(m.previous().to_string(), "2026-11");
        assert_eq!(Month::of(d("2026-02-17")).to_string(), "2026-02");
        assert!(Month::parse("2026-13").is_none() && Month::parse("x").is_none());
    }

    #[test]
    fn the_approver_is_a_business_role() {
        assert_eq!(ActivityRules::default().approver(), Ok(Role::Leader));
        for bad in ["sysadmin", "viewer", "clerk", "agent", "boss"] {
            let r = ActivityRules {
                trip_approver: bad.into(),
                ..Default::default()
            };
            assert!(r.approver().is_err(), "{bad}");
        }
    }
}
