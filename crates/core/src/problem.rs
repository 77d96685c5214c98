//! The problem list of a project (问题清单, M14): a blocker with its category, the unit
//! responsible for removing it and a deadline, moved by that unit from 待办 to 办理中 to 已解决,
//! verified (已核销) by the county's supervisor, or returned (退回) by the unit as not its own.
//! Its light is the light of a task with that deadline. A problem past its deadline while its
//! project is stalled (paused, or held up by this very problem) asks the responsible unit for a
//! written explanation (书面说明) to the county.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::org::string_enum;
use crate::task::{Light, LightRules, Reason};
use crate::validation::{self, FieldError, Invalid};

string_enum!(
    /// What a problem is about.
    ProblemCategory {
        /// 规划
        Planning = "planning",
        /// 土地
        Land = "land",
        /// 环保
        Environment = "environment",
        /// 节能减排
        Energy = "energy",
        /// 安全
        Safety = "safety",
        /// 资金
        Funding = "funding",
        /// 其他
        Other = "other",
    }
);

string_enum!(
    /// Where a problem stands.
    ProblemStatus {
        /// 待办: raised, not yet taken up by the responsible unit.
        Open = "open",
        /// 办理中
        InProgress = "in_progress",
        /// 已解决: the unit says it is solved; the county verifies.
        Solved = "solved",
        /// 已核销: verified and closed.
        Closed = "closed",
        /// 退回: the unit says it is not its own (with a reason); it is assigned again.
        Returned = "returned",
    }
);

/// Who may make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// A clerk of the responsible unit.
    Unit,
    /// The county's supervisor (who verifies, and who reassigns a returned problem).
    Supervisor,
}

/// What a move needs besides the new status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// The resolution (what was done).
    Resolution,
    /// Why (a return, or a solution not accepted).
    Reason,
}

impl ProblemStatus {
    /// Who may move a problem from `self` to `to` and what the move needs; `None` if the move
    /// is not allowed. A returned problem goes back to open by being assigned again (an edit).
    pub fn mover(self, to: ProblemStatus) -> Option<(Mover, Needs)> {
        use ProblemStatus::*;
        match (self, to) {
            (Open, InProgress) => Some((Mover::Unit, Needs::Nothing)),
            (Open | InProgress, Returned) => Some((Mover::Unit, Needs::Reason)),
            (Open | InProgress, Solved) => Some((Mover::Unit, Needs::Resolution)),
            (Solved, Closed) => Some((Mover::Supervisor, Needs::Nothing)),
            (Solved, InProgress) => Some((Mover::Supervisor, Needs::Reason)),
            _ => None,
        }
    }

    /// Still to be dealt with by the responsible unit (counts as a blocker).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ProblemStatus::Open | ProblemStatus::InProgress | ProblemStatus::Returned
        )
    }

    /// The statuses that are still blockers.
    pub const OPEN: [ProblemStatus; 3] = [
        ProblemStatus::Open,
        ProblemStatus::InProgress,
        ProblemStatus::Returned,
    ];

    /// The statuses in which the responsible unit has the next step (its to-do).
    pub const WITH_UNIT: [ProblemStatus; 2] = [ProblemStatus::Open, ProblemStatus::InProgress];

    /// Whether the fields may still be edited: not once solved (the resolution answers them).
    pub fn is_editable(self) -> bool {
        self.is_open()
    }
}

/// A status move as asked: the text it needs is checked and returned.
pub fn check_move(
    from: ProblemStatus,
    to: ProblemStatus,
    text: &str,
) -> Result<(Mover, Option<String>), Invalid> {
    let Some((mover, needs)) = from.mover(to) else {
        return Err(Invalid::one(
            FieldError::new("status", "err.problem_move")
                .with("from", from)
                .with("to", to),
        ));
    };
    let mut e = Invalid::default();
    let text = validation::optional(&mut e, "text", text, 2000);
    if needs != Needs::Nothing && text.is_none() {
        e.push(FieldError::new("text", "err.required"));
    }
    e.into_result()?;
    Ok((mover, text))
}

/// A problem as entered (a form, the API, a spreadsheet row); the responsible unit is resolved
/// by the caller.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProblemInput {
    /// planning, land, environment, energy, safety, funding or other.
    pub category: String,
    pub description: String,
    /// The unit responsible for removing it.
    pub unit_id: Option<i64>,
    /// YYYY-MM-DD.
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
    /// The project cannot go on until this is solved (卡点).
    pub blocking: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemFields {
    pub category: ProblemCategory,
    pub description: String,
    pub unit_id: i64,
    pub deadline: NaiveDate,
    pub blocking: bool,
}

impl ProblemInput {
    /// Checks the input; a new problem's deadline may not be before `today`.
    pub fn validate(&self, today: NaiveDate, is_new: bool) -> Result<ProblemFields, Invalid> {
        let mut e = Invalid::default();
        let category = ProblemCategory::parse(self.category.trim());
        if category.is_none() {
            e.push(FieldError::new(
                "category",
                if self.category.trim().is_empty() {
                    "err.required"
                } else {
                    "err.choice"
                },
            ));
        }
        let description = validation::required(&mut e, "description", &self.description, 2000);
        if self.unit_id.is_none() {
            e.push(FieldError::new("unit_id", "err.required"));
        }
        let deadline = match self.deadline {
            Some(d) if !validation::date_in_range(d) => {
                e.push(FieldError::new("deadline", "err.date_range"));
                None
            }
            Some(d) if is_new && d < today => {
                e.push(FieldError::new("deadline", "err.deadline_past"));
                None
            }
            Some(d) => Some(d),
            None => {
                e.push(FieldError::new("deadline", "err.required"));
                None
            }
        };
        // Each part missing has put its problem in `e`.
        match (category, self.unit_id, deadline) {
            (Some(category), Some(unit_id), Some(deadline)) if e.is_empty() => Ok(ProblemFields {
                category,
                description,
                unit_id,
                deadline,
                blocking: self.blocking,
            }),
            _ => Err(e),
        }
    }
}

/// The light of a problem as of `as_of`, with its reasons: red when past its deadline, yellow
/// when the deadline is near; green once solved (waiting to be verified) or closed.
pub fn light(
    status: ProblemStatus,
    deadline: NaiveDate,
    as_of: NaiveDate,
    rules: LightRules,
) -> (Light, Vec<Reason>) {
    if !status.is_open() {
        return (Light::Green, Vec::new());
    }
    let left = (deadline - as_of).num_days();
    if left < 0 {
        (Light::Red, vec![Reason::Overdue { days: -left }])
    } else if left <= rules.warn_days {
        (Light::Yellow, vec![Reason::DeadlineNear { days: left }])
    } else {
        (Light::Green, Vec::new())
    }
}

/// Whether the responsible unit owes the county a written explanation: the problem is past its
/// deadline and still with the unit (not returned as another's) while the project is stalled —
/// paused, or held up by this problem.
pub fn explanation_due(
    status: ProblemStatus,
    deadline: NaiveDate,
    as_of: NaiveDate,
    blocking: bool,
    project_paused: bool,
) -> bool {
    matches!(status, ProblemStatus::Open | ProblemStatus::InProgress)
        && deadline < as_of
        && (blocking || project_paused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn moves_and_who_makes_them() {
        use ProblemStatus::*;
        assert_eq!(Open.mover(InProgress), Some((Mover::Unit, Needs::Nothing)));
        assert_eq!(
            InProgress.mover(Solved),
            Some((Mover::Unit, Needs::Resolution))
        );
        assert_eq!(
            Solved.mover(Closed),
            Some((Mover::Supervisor, Needs::Nothing))
        );
        assert_eq!(
            Solved.mover(InProgress),
            Some((Mover::Supervisor, Needs::Reason))
        );
        assert_eq!(Open.mover(Returned), Some((Mover::Unit, Needs::Reason)));
        for (from, to) in [
            (Open, Closed),
            (Closed, Open),
            (Closed, InProgress),
            (Returned, InProgress),
            (Returned, Solved),
            (Solved, Returned),
            (Open, Open),
        ] {
            assert_eq!(from.mover(to), None, "{from} → {to}");
            let e = check_move(from, to, "x").expect_err("refused");
            assert_eq!(e.0[0].code, "err.problem_move");
        }
        // A solution says what was done; a return says why.
        let e = check_move(InProgress, Solved, "  ").expect_err("needs text");
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].code),
            ("text", "err.required")
        );
        assert!(check_move(Open, Returned, "").is_err());
        assert_eq!(
            check_move(InProgress, Solved, " 已办结土地手续 ").expect("ok"),
            (Mover::Unit, Some("已办结土地手续".into()))
        );
        assert_eq!(
            check_move(Open, InProgress, "").expect("ok"),
            (Mover::Unit, None)
        );
    }

    #[test]
    fn input_is_checked_field_by_field() {
        let today = day("2026-03-10");
        let e = ProblemInput {
            category: "weather".into(),
            deadline: Some(day("2026-03-09")),
            ..Default::default()
        }
        .validate(today, true)
        .expect_err("bad");
        let got: Vec<_> = e.0.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            got,
            vec![
                ("category", "err.choice"),
                ("description", "err.required"),
                ("unit_id", "err.required"),
                ("deadline", "err.deadline_past"),
            ]
        );
        let good = ProblemInput {
            category: "land".into(),
            description: " 用地指标未落实 ".into(),
            unit_id: Some(4),
            deadline: Some(day("2026-03-09")),
            blocking: true,
        };
        // An existing problem keeps a deadline that has passed.
        let f = good.validate(today, false).expect("kept");
        assert_eq!(f.description, "用地指标未落实");
        assert_eq!(f.category, ProblemCategory::Land);
        assert!(good.validate(today, true).is_err());
        let e = ProblemInput {
            deadline: None,
            ..good
        }
        .validate(today, false)
        .expect_err("no deadline");
        assert_eq!(e.0[0].code, "err.required");
    }

    #[test]
    fn lights_follow_the_deadline_until_solved() {
        let rules = LightRules::default();
        let deadline = day("2026-03-20");
        let at = |d: &str, s: ProblemStatus| light(s, deadline, day(d), rules).0;
        assert_eq!(at("2026-03-01", ProblemStatus::Open), Light::Green);
        assert_eq!(at("2026-03-13", ProblemStatus::InProgress), Light::Yellow);
        assert_eq!(at("2026-03-20", ProblemStatus::InProgress), Light::Yellow);
        assert_eq!(at("2026-03-21", ProblemStatus::Returned), Light::Red);
        assert_eq!(
            light(ProblemStatus::Open, deadline, day("2026-03-25"), rules).1,
            vec![Reason::Overdue { days: 5 }]
        );
        assert_eq!(at("2026-04-30", ProblemStatus::Solved), Light::Green);
        assert_eq!(at("2026-04-30", ProblemStatus::Closed), Light::Green);
    }

    #[test]
    fn an_explanation_is_owed_when_overdue_and_the_project_stalled() {
        use ProblemStatus::*;
        let deadline = day("2026-03-20");
        let due =
            |s, d: &str, blocking, paused| explanation_due(s, deadline, day(d), blocking, paused);
        assert!(due(InProgress, "2026-03-21", true, false));
        assert!(due(Open, "2026-03-21", false, true));
        assert!(
            !due(Open, "2026-03-21", false, false),
            "the project goes on"
        );
        assert!(!due(Open, "2026-03-20", true, true), "not yet overdue");
        assert!(!due(Solved, "2026-04-01", true, true), "solved");
        assert!(
            !due(Returned, "2026-04-01", true, true),
            "returned: waits to be assigned again"
        );
    }
}
