//! Weekly scheduling meetings: the meeting, its agenda as generated when it was created (kept,
//! so that the minutes say what was on the table that day), attendance, and decisions, each
//! creating its task or problem in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::meeting::{AgendaItem, DecisionFields, DecisionKind, MeetingFields};
use zhaoyin_core::problem::ProblemFields;

use crate::audit::{self, Actor, Change};
use crate::org::push_region_visibility;
use crate::tasks::{Clock, NewTask};
use crate::{Db, Result, Sql, now};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    /// The county holding it.
    pub region_id: i64,
    #[serde(skip)]
    pub region_path: String,
    #[schema(value_type = String, format = Date)]
    pub held_on: NaiveDate,
    pub title: String,
    pub place: Option<String>,
    pub chair: Option<String>,
    /// The agenda covers what happened from this day (the last meeting) on.
    #[schema(value_type = String, format = Date)]
    pub since: NaiveDate,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AgendaRow {
    pub id: i64,
    pub kind: String,
    pub project_id: i64,
    pub project_name: String,
    pub problem_id: Option<i64>,
    pub approval_item_id: Option<i64>,
    pub subject: String,
    pub unit_name: String,
    pub days: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Attendee {
    pub person_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub unit_name: String,
    /// present or leave (请假).
    pub status: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: i64,
    pub text: String,
    /// task or problem.
    pub kind: String,
    pub unit_id: i64,
    pub unit_name: String,
    #[schema(value_type = String, format = Date)]
    pub deadline: NaiveDate,
    pub project_id: Option<i64>,
    pub task_id: Option<i64>,
    pub problem_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT m.id, m.region_id, r.path AS region_path, m.held_on, m.title, \
     m.place, m.chair, m.since, us.display_name AS created_by_name, m.created_at \
     FROM meetings m JOIN regions r ON r.id = m.region_id \
     LEFT JOIN users us ON us.id = m.created_by WHERE 1 = 1";

/// The meetings `vis` admits, the latest first.
pub async fn list(db: &Db, vis: &Visibility) -> Result<Vec<Meeting>> {
    let mut q = Sql::new(SELECT);
    push_region_visibility(&mut q, vis, "m.region_id", None);
    q.push(" ORDER BY m.held_on DESC, m.id DESC LIMIT 200");
    db.all(q).await
}

pub async fn get(db: &Db, id: i64) -> Result<Meeting> {
    db.one(Sql::new(format!("{SELECT} AND m.id = $1")).bind(id))
        .await
}

/// The county's last meeting before `day`: the day it was held and when it was created (its
/// agenda covered everything up to then).
pub async fn last_before(
    db: &Db,
    region_id: i64,
    day: NaiveDate,
) -> Result<Option<(NaiveDate, DateTime<Utc>)>> {
    db.optional(
        Sql::new(
            "SELECT held_on, created_at FROM meetings WHERE region_id = $1 AND held_on < $2 \
             ORDER BY held_on DESC, id DESC LIMIT 1",
        )
        .bind(region_id)
        .bind(day),
    )
    .await
}

/// A meeting with its generated agenda.
pub async fn create(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    f: &MeetingFields,
    since: NaiveDate,
    agenda: &[AgendaItem],
) -> Result<Meeting> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO meetings (region_id, held_on, title, place, chair, since, created_by, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(region_id)
            .bind(f.held_on)
            .bind(&f.title)
            .bind(f.place.clone())
            .bind(f.chair.clone())
            .bind(since)
            .bind(actor.user_id)
            .bind(now()),
        )
        .await?;
    for (seq, a) in agenda.iter().enumerate() {
        tx.execute(
            Sql::new(
                "INSERT INTO meeting_agenda (meeting_id, seq, kind, project_id, problem_id, \
                 approval_item_id, subject, unit_name, days) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(i64::try_from(seq).unwrap_or(i64::MAX))
            .bind(&a.kind)
            .bind(a.project_id)
            .bind(a.problem_id)
            .bind(a.approval_item_id)
            .bind(&a.subject)
            .bind(&a.unit_name)
            .bind(a.days),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "meeting", id)
            .place(Some(region_id), None)
            .after(&serde_json::json!({ "title": f.title, "held_on": f.held_on, "agenda": agenda.len() })),
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

pub async fn agenda(db: &Db, meeting_id: i64) -> Result<Vec<AgendaRow>> {
    db.all(
        Sql::new(
            "SELECT a.id, a.kind, a.project_id, p.name AS project_name, a.problem_id, \
             a.approval_item_id, a.subject, a.unit_name, a.days FROM meeting_agenda a \
             JOIN projects p ON p.id = a.project_id WHERE a.meeting_id = $1 ORDER BY a.seq",
        )
        .bind(meeting_id),
    )
    .await
}

pub async fn attendees(db: &Db, meeting_id: i64) -> Result<Vec<Attendee>> {
    db.all(
        Sql::new(
            "SELECT x.person_id, pe.name, pe.title, u.name AS unit_name, x.status \
             FROM meeting_attendees x JOIN people pe ON pe.id = x.person_id \
             JOIN units u ON u.id = pe.unit_id WHERE x.meeting_id = $1 ORDER BY u.name, pe.name",
        )
        .bind(meeting_id),
    )
    .await
}

/// Replaces the attendance: each person present or on leave.
pub async fn set_attendance(
    db: &Db,
    actor: &Actor,
    meeting: &Meeting,
    people: &[(i64, &str)],
) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(Sql::new("DELETE FROM meeting_attendees WHERE meeting_id = $1").bind(meeting.id))
        .await?;
    for (person, status) in people {
        tx.execute(
            Sql::new(
                "INSERT INTO meeting_attendees (meeting_id, person_id, status) VALUES ($1, $2, $3)",
            )
            .bind(meeting.id)
            .bind(*person)
            .bind(*status),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("attendance", "meeting", meeting.id)
            .place(Some(meeting.region_id), None)
            .after(&people),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn decisions(db: &Db, meeting_id: i64) -> Result<Vec<Decision>> {
    db.all(
        Sql::new(
            "SELECT d.id, d.text, d.kind, d.unit_id, u.name AS unit_name, d.deadline, \
             d.project_id, d.task_id, d.problem_id, d.created_at FROM meeting_decisions d \
             JOIN units u ON u.id = d.unit_id WHERE d.meeting_id = $1 ORDER BY d.id",
        )
        .bind(meeting_id),
    )
    .await
}

/// What a decision creates: a task for the unit, or a problem on the project's list.
pub enum Creates<'a> {
    Task(&'a NewTask, Clock),
    Problem(&'a ProblemFields),
}

/// Records a decision and creates its task or problem, all or nothing.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    meeting: &Meeting,
    f: &DecisionFields,
    creates: Creates<'_>,
) -> Result<Decision> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO meeting_decisions (meeting_id, text, kind, unit_id, deadline, \
                 project_id, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(meeting.id)
            .bind(&f.text)
            .bind(f.kind.id())
            .bind(f.unit_id)
            .bind(f.deadline)
            .bind(f.project_id)
            .bind(actor.user_id)
            .bind(now()),
        )
        .await?;
    let (task_id, problem_id) = match (f.kind, creates) {
        (DecisionKind::Task, Creates::Task(task, clock)) => {
            // Named by the decision: unique in the county, as task codes must be.
            let task = NewTask {
                code: format!("M{}-{id}", meeting.id),
                ..task.clone()
            };
            let t = crate::tasks::insert_task(
                &mut tx,
                actor,
                meeting.region_id,
                None,
                None,
                &task,
                clock,
            )
            .await?;
            (Some(t), None)
        }
        (DecisionKind::Problem, Creates::Problem(p)) => {
            let project = f.project_id.ok_or(crate::Error::NotFound)?;
            (
                None,
                Some(
                    crate::problems::insert(&mut tx, actor, project, p)
                        .await?
                        .id,
                ),
            )
        }
        _ => return Err(crate::Error::NotFound),
    };
    tx.execute(
        Sql::new("UPDATE meeting_decisions SET task_id = $1, problem_id = $2 WHERE id = $3")
            .bind(task_id)
            .bind(problem_id)
            .bind(id),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("decide", "meeting", meeting.id)
            .place(Some(meeting.region_id), Some(f.unit_id))
            .after(&serde_json::json!({ "decision": id, "text": f.text, "task": task_id, "problem": problem_id })),
    )
    .await?;
    tx.commit().await?;
    let all = decisions(db, meeting.id).await?;
    all.into_iter()
        .find(|d| d.id == id)
        .ok_or(crate::Error::NotFound)
}
