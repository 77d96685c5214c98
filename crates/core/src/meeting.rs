//! The weekly scheduling meeting (每周调度会): its agenda is generated from the county's major
//! project supervision — problems raised since the last meeting, overdue problems, approval
//! items over their committed days, and stalled projects (paused, or held up by an overdue
//! blocker) — each subject once; its decisions become tasks or problems with an owner and a
//! deadline.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{FieldError, Invalid, validation};

/// What an agenda item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgendaKind {
    /// A stalled project comes first: the county's attention goes where work stands still.
    StalledProject,
    OverdueProblem,
    LateApproval,
    NewProblem,
}

impl AgendaKind {
    pub const ALL: [AgendaKind; 4] = [
        AgendaKind::StalledProject,
        AgendaKind::OverdueProblem,
        AgendaKind::LateApproval,
        AgendaKind::NewProblem,
    ];

    pub fn id(self) -> &'static str {
        match self {
            AgendaKind::StalledProject => "stalled_project",
            AgendaKind::OverdueProblem => "overdue_problem",
            AgendaKind::LateApproval => "late_approval",
            AgendaKind::NewProblem => "new_problem",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == s)
    }
}

/// An unsolved problem of a major project, as the agenda sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemFacts {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub description: String,
    pub unit_name: String,
    pub raised_at: DateTime<Utc>,
    pub deadline: NaiveDate,
    pub blocking: bool,
}

/// An open approval item over its committed days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalFacts {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub name: String,
    pub unit_name: String,
    /// Days used beyond the committed days.
    pub days_over: i64,
}

/// A paused major project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PausedFacts {
    pub project_id: i64,
    pub project_name: String,
    pub paused_on: NaiveDate,
    pub unit_name: String,
}

/// One subject of the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AgendaItem {
    /// stalled_project, overdue_problem, late_approval or new_problem.
    pub kind: String,
    pub project_id: i64,
    pub project_name: String,
    pub problem_id: Option<i64>,
    pub approval_item_id: Option<i64>,
    /// The problem's description, the item's name, or why the project stands still.
    pub subject: String,
    /// The unit that answers for it.
    pub unit_name: String,
    /// Days overdue, days over the commitment, or days paused.
    pub days: i64,
}

/// The agenda of a meeting as of `today` for what happened since `since` (the last meeting was
/// created): stalled projects (paused, or held up by an overdue blocker — each project once),
/// overdue problems, approval items over their committed days, then problems raised since the
/// last meeting and not yet overdue. Each problem appears once; within a kind, the longest
/// waiting first.
pub fn agenda(
    since: DateTime<Utc>,
    today: NaiveDate,
    problems: &[ProblemFacts],
    approvals: &[ApprovalFacts],
    paused: &[PausedFacts],
) -> Vec<AgendaItem> {
    let mut out = Vec::new();
    for p in paused {
        out.push(AgendaItem {
            kind: AgendaKind::StalledProject.id().into(),
            project_id: p.project_id,
            project_name: p.project_name.clone(),
            problem_id: None,
            approval_item_id: None,
            subject: String::new(),
            unit_name: p.unit_name.clone(),
            days: (today - p.paused_on).num_days().max(0),
        });
    }
    for q in problems {
        let overdue = (today - q.deadline).num_days();
        let kind = if overdue > 0 {
            let stalled = paused.iter().any(|p| p.project_id == q.project_id)
                || out.iter().any(|a: &AgendaItem| {
                    a.project_id == q.project_id && a.kind == AgendaKind::StalledProject.id()
                });
            if q.blocking && !stalled {
                // Held up by an overdue blocker: the project stands still for it.
                out.push(AgendaItem {
                    kind: AgendaKind::StalledProject.id().into(),
                    project_id: q.project_id,
                    project_name: q.project_name.clone(),
                    problem_id: Some(q.id),
                    approval_item_id: None,
                    subject: q.description.clone(),
                    unit_name: q.unit_name.clone(),
                    days: overdue,
                });
                continue;
            }
            AgendaKind::OverdueProblem
        } else if q.raised_at > since {
            AgendaKind::NewProblem
        } else {
            continue;
        };
        out.push(AgendaItem {
            kind: kind.id().into(),
            project_id: q.project_id,
            project_name: q.project_name.clone(),
            problem_id: Some(q.id),
            approval_item_id: None,
            subject: q.description.clone(),
            unit_name: q.unit_name.clone(),
            days: overdue.max(0),
        });
    }
    for a in approvals.iter().filter(|a| a.days_over > 0) {
        out.push(AgendaItem {
            kind: AgendaKind::LateApproval.id().into(),
            project_id: a.project_id,
            project_name: a.project_name.clone(),
            problem_id: None,
            approval_item_id: Some(a.id),
            subject: a.name.clone(),
            unit_name: a.unit_name.clone(),
            days: a.days_over,
        });
    }
    let rank = |k: &str| AgendaKind::parse(k).map(|k| k as u8).unwrap_or(u8::MAX);
    out.sort_by(|a, b| {
        (rank(&a.kind), std::cmp::Reverse(a.days), &a.project_name).cmp(&(
            rank(&b.kind),
            std::cmp::Reverse(b.days),
            &b.project_name,
        ))
    });
    out
}

/// What a decision becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    /// A supervised task for the unit.
    Task,
    /// A problem on the project's problem list.
    Problem,
}

impl DecisionKind {
    pub fn id(self) -> &'static str {
        match self {
            DecisionKind::Task => "task",
            DecisionKind::Problem => "problem",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [DecisionKind::Task, DecisionKind::Problem]
            .into_iter()
            .find(|k| k.id() == s)
    }
}

/// A decision (议定事项) as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    /// What was decided.
    pub text: String,
    /// task or problem.
    pub kind: String,
    /// The unit that carries it out.
    pub unit_id: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
    /// The project it is about (required for a problem).
    pub project_id: Option<i64>,
    /// For a problem: its category (planning, land, environment, energy, safety, funding,
    /// other).
    pub category: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionFields {
    pub text: String,
    pub kind: DecisionKind,
    pub unit_id: i64,
    pub deadline: NaiveDate,
    pub project_id: Option<i64>,
    pub category: Option<crate::problem::ProblemCategory>,
}

impl DecisionInput {
    pub fn validate(&self, today: NaiveDate) -> Result<DecisionFields, Invalid> {
        let mut e = Invalid::default();
        let text = validation::required(&mut e, "text", &self.text, 1000);
        let kind = DecisionKind::parse(self.kind.trim());
        if kind.is_none() {
            e.push(FieldError::new("kind", "err.choice"));
        }
        if self.unit_id.is_none() {
            e.push(FieldError::new("unit_id", "err.required"));
        }
        match self.deadline {
            None => e.push(FieldError::new("deadline", "err.required")),
            Some(d) if !validation::date_in_range(d) => {
                e.push(FieldError::new("deadline", "err.date_range"))
            }
            Some(d) if d < today => e.push(FieldError::new("deadline", "err.deadline_past")),
            Some(_) => {}
        }
        let mut category = None;
        if kind == Some(DecisionKind::Problem) {
            if self.project_id.is_none() {
                e.push(FieldError::new("project_id", "err.required"));
            }
            category = crate::problem::ProblemCategory::parse(self.category.trim());
            if category.is_none() {
                e.push(FieldError::new("category", "err.choice"));
            }
        }
        match (kind, self.unit_id, self.deadline) {
            (Some(kind), Some(unit_id), Some(deadline)) if e.is_empty() => Ok(DecisionFields {
                text,
                kind,
                unit_id,
                deadline,
                project_id: self.project_id,
                category,
            }),
            _ => Err(e),
        }
    }
}

/// A meeting as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MeetingInput {
    #[schema(value_type = Option<String>, format = Date)]
    pub held_on: Option<NaiveDate>,
    pub title: String,
    pub place: String,
    /// Who chairs it (主持).
    pub chair: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFields {
    pub held_on: NaiveDate,
    pub title: String,
    pub place: Option<String>,
    pub chair: Option<String>,
}

impl MeetingInput {
    pub fn validate(&self) -> Result<MeetingFields, Invalid> {
        let mut e = Invalid::default();
        let title = validation::required(&mut e, "title", &self.title, 100);
        let place = validation::optional(&mut e, "place", &self.place, 100);
        let chair = validation::optional(&mut e, "chair", &self.chair, 50);
        let held_on = match self.held_on {
            None => {
                e.push(FieldError::new("held_on", "err.required"));
                None
            }
            Some(d) if !validation::date_in_range(d) => {
                e.push(FieldError::new("held_on", "err.date_range"));
                None
            }
            d => d,
        };
        match held_on {
            Some(held_on) if e.is_empty() => Ok(MeetingFields {
                held_on,
                title,
                place,
                chair,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn at(s: &str) -> DateTime<Utc> {
        d(s).and_hms_opt(2, 0, 0).expect("time").and_utc()
    }

    fn problem(
        id: i64,
        project: i64,
        raised: &str,
        deadline: &str,
        blocking: bool,
    ) -> ProblemFacts {
        ProblemFacts {
            id,
            project_id: project,
            project_name: format!("项目{project}"),
            description: format!("问题{id}"),
            unit_name: "县自然资源局".into(),
            raised_at: at(raised),
            deadline: d(deadline),
            blocking,
        }
    }

    #[test]
    fn the_agenda_takes_each_subject_once_in_order() {
        // The last meeting was created at 10:00 on Monday the 23rd.
        let since = d("2026-11-23")
            .and_hms_opt(10, 0, 0)
            .expect("time")
            .and_utc();
        let today = d("2026-11-30");
        let problems = vec![
            // Raised last week, due later: new.
            problem(1, 10, "2026-11-25", "2026-12-20", false),
            // Raised long ago, overdue by five days: overdue (not new).
            problem(2, 11, "2026-10-01", "2026-11-25", false),
            // Raised this week and already overdue: overdue, not also new.
            problem(3, 12, "2026-11-24", "2026-11-28", false),
            // An overdue blocker: its project stands still.
            problem(4, 13, "2026-10-01", "2026-11-20", true),
            // Old and not yet due: not on the agenda.
            problem(5, 14, "2026-10-01", "2026-12-31", false),
            // A blocker of a paused project: the project is listed once as paused; the
            // problem as overdue.
            problem(6, 15, "2026-10-01", "2026-11-29", true),
            // A second overdue blocker of project 13: the project is listed once.
            problem(9, 13, "2026-10-01", "2026-11-27", true),
            // Raised on the morning of the last meeting's day, before it: not new.
            problem(10, 16, "2026-11-23", "2026-12-31", false),
        ];
        let approvals = vec![
            ApprovalFacts {
                id: 7,
                project_id: 10,
                project_name: "项目10".into(),
                name: "施工许可".into(),
                unit_name: "县行政审批服务局".into(),
                days_over: 3,
            },
            ApprovalFacts {
                id: 8,
                project_id: 10,
                project_name: "项目10".into(),
                name: "规划许可".into(),
                unit_name: "县行政审批服务局".into(),
                days_over: 0,
            },
        ];
        let paused = vec![PausedFacts {
            project_id: 15,
            project_name: "项目15".into(),
            paused_on: d("2026-11-10"),
            unit_name: "县投资促进中心".into(),
        }];
        let a = agenda(since, today, &problems, &approvals, &paused);
        let got: Vec<(&str, i64, Option<i64>, i64)> = a
            .iter()
            .map(|i| (i.kind.as_str(), i.project_id, i.problem_id, i.days))
            .collect();
        assert_eq!(
            got,
            vec![
                ("stalled_project", 15, None, 20),
                ("stalled_project", 13, Some(4), 10),
                ("overdue_problem", 11, Some(2), 5),
                ("overdue_problem", 13, Some(9), 3),
                ("overdue_problem", 12, Some(3), 2),
                ("overdue_problem", 15, Some(6), 1),
                ("late_approval", 10, None, 3),
                ("new_problem", 10, Some(1), 0),
            ]
        );
        assert_eq!(a[6].approval_item_id, Some(7));
        assert!(agenda(since, today, &[], &[], &[]).is_empty());
    }

    #[test]
    fn decisions_are_checked() {
        let today = d("2026-11-30");
        let task = DecisionInput {
            text: "县自然资源局12月10日前完成用地报批".into(),
            kind: "task".into(),
            unit_id: Some(3),
            deadline: Some(d("2026-12-10")),
            ..Default::default()
        };
        assert_eq!(task.validate(today).map(|f| f.kind), Ok(DecisionKind::Task));
        let problem = DecisionInput {
            kind: "problem".into(),
            deadline: Some(d("2026-11-29")),
            ..task
        };
        let codes: Vec<(String, String)> = problem
            .validate(today)
            .expect_err("invalid")
            .0
            .into_iter()
            .map(|e| (e.field, e.code.to_string()))
            .collect();
        assert_eq!(
            codes,
            [
                ("deadline".into(), "err.deadline_past".into()),
                ("project_id".into(), "err.required".into()),
                ("category".into(), "err.choice".into()),
            ]
        );
    }
}
