//! Policies and their tasks: creating them from a confirmed import in one transaction, lists
//! filtered by scope, the lifecycle with its timeline, reports, and lights kept current.
//!
//! Lights are computed by `zhaoyin_core::task::light`. Each task carries its current light and
//! the day it will next change with no new data (`light_next_change`); a write recomputes it,
//! and [`refresh_lights`] walks the tasks whose day has come, recording every change in
//! `task_light_history` effective on the day it happened — so "as of" a past day reads history.

use std::ops::RangeInclusive;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::paging::Page;
use zhaoyin_core::task::{
    Light, LightFacts, LightRules, TaskCadence, TaskPlace, TaskStatus, light, next_change,
    search_text,
};

use crate::audit::{self, Actor, Change};
use crate::org::Within;
use crate::{Db, Error, Result, Sql, Tx, escape_like};

/// The moment a write happens: the day lights are computed for (in the county's time zone), the
/// instant stamped on rows, and the light rules. The web layer reads the real clock; the demo
/// generator and tests walk a simulated one, so "as of" history is exact either way.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub rules: LightRules,
}

/// A confirmed import: the policy, its clauses, and the tasks each clause becomes.
#[derive(Debug, Clone)]
pub struct NewPolicy {
    pub region_id: i64,
    /// draft (being prepared, not yet in force) or active.
    pub status: String,
    pub title: String,
    pub issuer: Option<String>,
    pub doc_number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub source_text: String,
    pub clauses: Vec<NewClause>,
}

#[derive(Debug, Clone)]
pub struct NewClause {
    pub chapter_number: String,
    pub chapter_title: String,
    pub number: String,
    pub title: String,
    pub text: String,
    pub tasks: Vec<NewTask>,
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub code: String,
    pub title: String,
    pub content: String,
    pub cadence: TaskCadence,
    pub deadline: Option<NaiveDate>,
    pub lead_units: Vec<i64>,
    pub support_units: Vec<i64>,
    pub leaders: Vec<i64>,
    /// Collective designations not resolved to units ("县直各部门、单位").
    pub unit_groups: Vec<String>,
    pub indicators: Vec<NewIndicator>,
}

#[derive(Debug, Clone)]
pub struct NewIndicator {
    pub name: String,
    pub comparator: String,
    /// Decimal as text, exact.
    pub target_value: String,
    pub target_max: Option<String>,
    pub unit_label: Option<String>,
}

/// Writes the policy, its clauses and tasks, and each task's first event and light, in one
/// transaction. Returns the policy id and the task ids in order.
pub async fn create_policy(
    db: &Db,
    actor: &Actor,
    p: &NewPolicy,
    clock: Clock,
) -> Result<(i64, Vec<i64>)> {
    let mut tx = db.begin().await?;
    let t = clock.now;
    let (policy_id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO policies (region_id, title, issuer, doc_number, issued_on, source_text, \
                 created_at, updated_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id",
            )
            .bind(p.region_id)
            .bind(&p.title)
            .bind(p.issuer.as_ref())
            .bind(p.doc_number.as_ref())
            .bind(p.issued_on)
            .bind(&p.source_text)
            .bind(t)
            .bind(&p.status),
        )
        .await?;
    let mut task_ids = Vec::new();
    for (pos, c) in p.clauses.iter().enumerate() {
        let (clause_id,): (i64,) = tx
            .one(
                Sql::new(
                    "INSERT INTO policy_clauses (policy_id, position, chapter_number, chapter_title, \
                     number, title, text) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(policy_id)
                .bind(i64::try_from(pos).unwrap_or(i64::MAX))
                .bind(&c.chapter_number)
                .bind(&c.chapter_title)
                .bind(&c.number)
                .bind(&c.title)
                .bind(&c.text),
            )
            .await?;
        for task in &c.tasks {
            // Codes may name the policy ("{policy}-1"), whose id is known only now.
            let mut task = task.clone();
            task.code = task.code.replace("{policy}", &policy_id.to_string());
            let id = insert_task(
                &mut tx,
                actor,
                p.region_id,
                Some(policy_id),
                Some(clause_id),
                &task,
                clock,
            )
            .await?;
            task_ids.push(id);
        }
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "policy", policy_id)
            .place(Some(p.region_id), None)
            .after(&serde_json::json!({ "title": p.title, "clauses": p.clauses.len(), "tasks": task_ids.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok((policy_id, task_ids))
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_task(
    tx: &mut Tx,
    actor: &Actor,
    region_id: i64,
    policy_id: Option<i64>,
    clause_id: Option<i64>,
    task: &NewTask,
    clock: Clock,
) -> Result<i64> {
    let t = clock.now;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO tasks (region_id, policy_id, clause_id, code, title, content, cadence, \
                 assigned_on, original_deadline, deadline, status, unit_groups, search, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $13) RETURNING id",
            )
            .bind(region_id)
            .bind(policy_id)
            .bind(clause_id)
            .bind(&task.code)
            .bind(&task.title)
            .bind(&task.content)
            .bind(task.cadence.id())
            .bind(clock.today)
            .bind(task.deadline)
            .bind(TaskStatus::Assigned.id())
            .bind(task.unit_groups.join("；"))
            .bind(search_text(&task.code, &task.title))
            .bind(t),
        )
        .await?;
    for (units, role) in [(&task.lead_units, "lead"), (&task.support_units, "support")] {
        for u in units {
            tx.execute(
                Sql::new("INSERT INTO task_units (task_id, unit_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(*u)
                    .bind(role),
            )
            .await?;
        }
    }
    for person in &task.leaders {
        tx.execute(
            Sql::new("INSERT INTO task_leaders (task_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*person),
        )
        .await?;
    }
    for (pos, ind) in task.indicators.iter().enumerate() {
        tx.execute(
            Sql::new(
                "INSERT INTO task_indicators (task_id, position, name, comparator, target_value, target_max, \
                 unit_label, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(i64::try_from(pos).unwrap_or(i64::MAX))
            .bind(&ind.name)
            .bind(&ind.comparator)
            .bind(&ind.target_value)
            .bind(ind.target_max.as_ref())
            .bind(ind.unit_label.as_ref())
            .bind(t),
        )
        .await?;
    }
    event(
        tx,
        actor,
        id,
        t,
        Ev::moved("assign", None, TaskStatus::Assigned, None),
    )
    .await?;
    relight(tx, id, clock.today, clock).await?;
    audit::append(
        tx,
        actor,
        Change::new("create", "task", id)
            .place(Some(region_id), task.lead_units.first().copied())
            .after(&serde_json::json!({ "code": task.code, "title": task.title })),
    )
    .await?;
    Ok(id)
}

/// A line of the task's timeline: what happened, and the move it made, if any.
pub(crate) struct Ev<'a> {
    pub kind: &'a str,
    pub from: Option<TaskStatus>,
    pub to: Option<TaskStatus>,
    pub text: Option<&'a str>,
}

impl<'a> Ev<'a> {
    pub fn note(kind: &'a str, text: Option<&'a str>) -> Self {
        Ev {
            kind,
            from: None,
            to: None,
            text,
        }
    }
    pub fn moved(
        kind: &'a str,
        from: Option<TaskStatus>,
        to: TaskStatus,
        text: Option<&'a str>,
    ) -> Self {
        Ev {
            kind,
            from,
            to: Some(to),
            text,
        }
    }
}

pub(crate) async fn event(
    tx: &mut Tx,
    actor: &Actor,
    task_id: i64,
    at: DateTime<Utc>,
    ev: Ev<'_>,
) -> Result<i64> {
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO task_events (task_id, at, actor_user_id, actor_name, kind, from_status, to_status, text) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(task_id)
            .bind(at)
            .bind(actor.user_id)
            .bind(&actor.name)
            .bind(ev.kind)
            .bind(ev.from.map(|s| s.id()))
            .bind(ev.to.map(|s| s.id()))
            .bind(ev.text),
        )
        .await?;
    if ev.to.is_some() {
        History::Status.span(tx, task_id..=task_id).await?;
    }
    Ok(id)
}

/// A task's three histories: its status events, its approved deadline changes and its lights.
/// Each entry records when the next one took over (NULL while it is the latest; migration
/// 0032), so that a task as of a past instant joins each history's one entry in force then
/// ([`tasks_from`]) instead of looking up and sorting its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    Status,
    Deadline,
    Light,
}

impl History {
    /// Sets when each entry of the tasks `ids` gave way to the next, after a write to this
    /// history (or a bulk load: [`History::span_all`]).
    pub(crate) async fn span(self, tx: &mut Tx, ids: RangeInclusive<i64>) -> Result<()> {
        let update = match self {
            History::Status => {
                "UPDATE task_events SET status_until = (SELECT MIN(n.at) FROM task_events n \
                 WHERE n.task_id = task_events.task_id AND n.to_status IS NOT NULL \
                 AND (n.at > task_events.at OR (n.at = task_events.at AND n.id > task_events.id))) \
                 WHERE task_id BETWEEN $1 AND $2 AND to_status IS NOT NULL"
            }
            History::Deadline => {
                "UPDATE task_deadline_changes SET approved_until = (SELECT MIN(n.decided_at) \
                 FROM task_deadline_changes n WHERE n.task_id = task_deadline_changes.task_id \
                 AND n.status = 'approved' AND (n.decided_at > task_deadline_changes.decided_at \
                 OR (n.decided_at = task_deadline_changes.decided_at \
                 AND n.id > task_deadline_changes.id))) \
                 WHERE task_id BETWEEN $1 AND $2 AND status = 'approved'"
            }
            History::Light => {
                "UPDATE task_light_history SET until = (SELECT MIN(n.since) \
                 FROM task_light_history n WHERE n.task_id = task_light_history.task_id \
                 AND n.since > task_light_history.since) WHERE task_id BETWEEN $1 AND $2"
            }
        };
        tx.execute(Sql::new(update).bind(*ids.start()).bind(*ids.end()))
            .await?;
        Ok(())
    }

    /// Every history of the tasks `first..=last`, as the generator loads them in bulk.
    pub async fn span_all(tx: &mut Tx, first: i64, last: i64) -> Result<()> {
        for h in [History::Status, History::Deadline, History::Light] {
            h.span(tx, first..=last).await?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct LightRow {
    status: String,
    cadence: String,
    assigned_on: NaiveDate,
    deadline: Option<NaiveDate>,
    light: String,
}

/// Period ends for which every lead unit has reported (a returned report does not count).
fn reported_periods_sql(task_id: i64) -> Sql {
    Sql::new(
        "SELECT r.period_end FROM task_reports r \
         JOIN task_units u ON u.task_id = r.task_id AND u.unit_id = r.unit_id AND u.role = 'lead' \
         WHERE r.task_id = $1 AND r.status <> 'returned' GROUP BY r.period_end \
         HAVING COUNT(DISTINCT r.unit_id) >= (SELECT COUNT(*) FROM task_units WHERE task_id = $1 AND role = 'lead')",
    )
    .bind(task_id)
}

async fn reported_periods(tx: &mut Tx, task_id: i64) -> Result<Vec<NaiveDate>> {
    let rows: Vec<(NaiveDate,)> = tx.all(reported_periods_sql(task_id)).await?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}

/// Recomputes the task's light as of `day`, recording a change in its history. A task that
/// turns red asks its lead units for a written explanation, unless one is already open.
pub(crate) async fn relight(
    tx: &mut Tx,
    task_id: i64,
    day: NaiveDate,
    clock: Clock,
) -> Result<Light> {
    let rules = clock.rules;
    let row: LightRow = tx
        .one(
            Sql::new(
                "SELECT status, cadence, assigned_on, deadline, light FROM tasks WHERE id = $1",
            )
            .bind(task_id),
        )
        .await?;
    let reported = reported_periods(tx, task_id).await?;
    let facts = LightFacts {
        status: TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Assigned),
        deadline: row.deadline,
        cadence: TaskCadence::parse(&row.cadence).unwrap_or(TaskCadence::Once),
        assigned_on: row.assigned_on,
        reported_periods: &reported,
    };
    let (l, _) = light(&facts, day, rules);
    let next = next_change(&facts, day, rules);
    let known: Option<(i64,)> = tx
        .optional(
            Sql::new("SELECT task_id FROM task_light_history WHERE task_id = $1 LIMIT 1")
                .bind(task_id),
        )
        .await?;
    if known.is_none() || row.light != l.id() {
        tx.execute(
            Sql::new(
                "INSERT INTO task_light_history (task_id, since, light) VALUES ($1, $2, $3) \
                 ON CONFLICT (task_id, since) DO UPDATE SET light = $3",
            )
            .bind(task_id)
            .bind(day)
            .bind(l.id()),
        )
        .await?;
        History::Light.span(tx, task_id..=task_id).await?;
    }
    tx.execute(
        Sql::new("UPDATE tasks SET light = $1, light_next_change = $2 WHERE id = $3")
            .bind(l.id())
            .bind(next)
            .bind(task_id),
    )
    .await?;
    if l == Light::Red && row.light != Light::Red.id() {
        crate::follow_up::ask_automatically(tx, task_id, day, clock.now).await?;
    }
    Ok(l)
}

/// Applies every light change the task was due for up to `today`, each on its own day, before
/// anything new is written — so a late report does not erase the red days before it.
pub(crate) async fn catch_up(tx: &mut Tx, task_id: i64, clock: Clock) -> Result<()> {
    for _ in 0..10_000 {
        let (next,): (Option<NaiveDate>,) = tx
            .one(Sql::new("SELECT light_next_change FROM tasks WHERE id = $1").bind(task_id))
            .await?;
        match next {
            Some(day) if day <= clock.today => {
                relight(tx, task_id, day, clock).await?;
            }
            _ => return Ok(()),
        }
    }
    Ok(())
}

/// Brings every task whose light is due to change up to `today`, recording each change on the
/// day it happened (the sweep may run late; the history is still exact). Safe to run from every
/// instance: the same facts give the same rows. Returns how many tasks were looked at.
pub async fn refresh_lights(db: &Db, clock: Clock) -> Result<u64> {
    let mut done = 0u64;
    loop {
        let due: Vec<(i64, NaiveDate)> = db
            .all(
                Sql::new(
                    "SELECT id, light_next_change FROM tasks WHERE light_next_change IS NOT NULL \
                     AND light_next_change <= $1 ORDER BY light_next_change, id LIMIT 500",
                )
                .bind(clock.today),
            )
            .await?;
        if due.is_empty() {
            return Ok(done);
        }
        let mut tx = db.begin().await?;
        for (id, _) in due {
            catch_up(&mut tx, id, clock).await?;
            done += 1;
        }
        tx.commit().await?;
    }
}

/// Adds tasks to a policy's clauses (an imported breakdown table), in one transaction.
pub async fn add_to_policy(
    db: &Db,
    actor: &Actor,
    policy: &PolicyRow,
    new: &[(i64, NewTask)],
    clock: Clock,
) -> Result<Vec<i64>> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::new();
    for (clause_id, task) in new {
        ids.push(
            insert_task(
                &mut tx,
                actor,
                policy.region_id,
                Some(policy.id),
                Some(*clause_id),
                task,
                clock,
            )
            .await?,
        );
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("import", "policy", policy.id)
            .place(Some(policy.region_id), None)
            .after(&serde_json::json!({ "tasks": ids })),
    )
    .await?;
    tx.commit().await?;
    Ok(ids)
}

/// Each task of a policy as (clause id, code, title), to match an imported table against.
pub async fn task_keys(db: &Db, policy_id: i64) -> Result<Vec<(Option<i64>, String, String)>> {
    db.all(
        Sql::new("SELECT clause_id, code, title FROM tasks WHERE policy_id = $1 ORDER BY id")
            .bind(policy_id),
    )
    .await
}

// --------------------------------------------------------------------------------- reading

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PolicyRow {
    pub id: i64,
    pub region_id: i64,
    pub region_path: String,
    pub title: String,
    pub issuer: Option<String>,
    pub doc_number: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub issued_on: Option<NaiveDate>,
    pub status: String,
    pub tasks: i64,
    /// Published on the public portal.
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
}

const POLICY_SELECT: &str = "SELECT p.id, p.region_id, r.path AS region_path, p.title, p.issuer, \
     p.doc_number, p.issued_on, p.status, (SELECT COUNT(*) FROM tasks t WHERE t.policy_id = p.id) AS tasks, \
     p.is_public, p.created_at";
const POLICY_FROM: &str = " FROM policies p JOIN regions r ON r.id = p.region_id WHERE 1 = 1";

pub async fn list_policies(db: &Db, vis: &Visibility, page: Page) -> Result<(Vec<PolicyRow>, i64)> {
    let mut w = Sql::new(POLICY_FROM);
    crate::org::push_visibility(&mut w, vis, "r.path", None);
    crate::org::page_of(db, &w, POLICY_SELECT, "p.issued_on DESC, p.id DESC", page).await
}

pub async fn get_policy(db: &Db, id: i64) -> Result<PolicyRow> {
    db.one(Sql::new(format!("{POLICY_SELECT}{POLICY_FROM} AND p.id = $1")).bind(id))
        .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Clause {
    pub id: i64,
    pub policy_id: i64,
    pub position: i64,
    pub chapter_number: String,
    pub chapter_title: String,
    pub number: String,
    pub title: String,
    pub text: String,
}

pub async fn clauses_of(db: &Db, policy_id: i64) -> Result<Vec<Clause>> {
    db.all(
        Sql::new(
            "SELECT id, policy_id, position, chapter_number, chapter_title, number, title, text \
             FROM policy_clauses WHERE policy_id = $1 ORDER BY position",
        )
        .bind(policy_id),
    )
    .await
}

pub async fn clause(db: &Db, id: i64) -> Result<Clause> {
    db.one(
        Sql::new(
            "SELECT id, policy_id, position, chapter_number, chapter_title, number, title, text \
             FROM policy_clauses WHERE id = $1",
        )
        .bind(id),
    )
    .await
}

/// Leaders of tasks, with names.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskLeader {
    pub task_id: i64,
    pub person_id: i64,
    pub name: String,
}

pub async fn leaders_of(db: &Db, task_ids: &[i64]) -> Result<Vec<TaskLeader>> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT tl.task_id, tl.person_id, p.name FROM task_leaders tl JOIN people p ON p.id = tl.person_id \
         WHERE tl.task_id IN ",
    );
    q.push_list(task_ids);
    q.push(" ORDER BY tl.task_id, p.id");
    db.all(q).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    pub id: i64,
    pub task_id: i64,
    pub name: String,
    pub comparator: String,
    pub target_value: String,
    pub target_max: Option<String>,
    pub unit_label: Option<String>,
    pub actual: Option<String>,
}

pub async fn indicators_of(db: &Db, task_id: i64) -> Result<Vec<Indicator>> {
    db.all(
        Sql::new(
            "SELECT id, task_id, name, comparator, target_value, target_max, unit_label, actual \
             FROM task_indicators WHERE task_id = $1 ORDER BY position",
        )
        .bind(task_id),
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[schema(value_type = String, format = Date)]
    pub period_start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub period_end: NaiveDate,
    pub progress: String,
    pub percent: Option<i64>,
    pub problems: Option<String>,
    pub support_needed: Option<String>,
    pub on_track: Option<bool>,
    pub status: String,
    pub submitted_at: DateTime<Utc>,
    pub review_comment: Option<String>,
}

pub async fn reports_of(db: &Db, task_id: i64) -> Result<Vec<Report>> {
    db.all(
        Sql::new(
            "SELECT r.id, r.task_id, r.unit_id, u.name AS unit_name, r.period_start, r.period_end, r.progress, \
             r.percent, r.problems, r.support_needed, r.on_track, r.status, r.submitted_at, r.review_comment \
             FROM task_reports r JOIN units u ON u.id = r.unit_id WHERE r.task_id = $1 \
             ORDER BY r.period_end DESC, u.sort_order",
        )
        .bind(task_id),
    )
    .await
}

/// Period ends for which every lead unit has reported, read now.
pub async fn reported(db: &Db, task_id: i64) -> Result<Vec<NaiveDate>> {
    let rows: Vec<(NaiveDate,)> = db.all(reported_periods_sql(task_id)).await?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    pub id: i64,
    pub region_id: i64,
    pub region_path: String,
    pub policy_id: Option<i64>,
    pub policy_title: Option<String>,
    pub clause_id: Option<i64>,
    pub code: String,
    pub title: String,
    pub cadence: String,
    #[schema(value_type = String, format = Date)]
    pub assigned_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
    pub status: String,
    pub light: String,
    pub version: i64,
}

const TASK_SELECT: &str = "SELECT t.id, t.region_id, r.path AS region_path, t.policy_id, \
     p.title AS policy_title, t.clause_id, t.code, t.title, t.cadence, t.assigned_on, t.deadline, \
     t.status, t.light, t.version";
const TASK_FROM: &str = " FROM tasks t JOIN regions r ON r.id = t.region_id \
     LEFT JOIN policies p ON p.id = t.policy_id WHERE 1 = 1";

/// A past day to read lists as of: the day (for lights) and the first instant after it in the
/// county's time zone (for statuses, deadlines and existence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    pub day: NaiveDate,
    pub end: DateTime<Utc>,
}

impl AsOf {
    /// `day` in time zone `tz`: it ends at the next day's first instant there.
    pub fn of(day: NaiveDate, tz: Tz) -> AsOf {
        use chrono::TimeZone;
        let next = day
            .succ_opt()
            .unwrap_or(day)
            .and_time(chrono::NaiveTime::MIN);
        let end = tz
            .from_local_datetime(&next)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| next.and_utc());
        AsOf { day, end }
    }
}

/// `FROM tasks t …` — or, as of a past day, the tasks that existed then, each with the status,
/// deadline and light it had: status from the timeline, deadline from approved changes, light
/// from its history. `join` goes between the joins and `WHERE`. `within` reads only a region's
/// tasks (and those beneath it), which a list of it asks for anyway.
fn tasks_from(as_of: Option<AsOf>, within: &Within, join: &str) -> Sql {
    let Some(a) = as_of else {
        return Sql::new(TASK_FROM.replace(" WHERE 1 = 1", &format!("{join} WHERE 1 = 1")));
    };
    // Each task's status, approved deadline and light then: the one entry of each history in
    // force at the end of the day (its successor's start, `…until`, after it). A county's list
    // joins them through each history's index on the task; a province's hashes each history.
    // $1 is the end of the day, $2 the day.
    let mut w = Sql::new(
        " FROM (SELECT t0.id, t0.region_id, t0.policy_id, t0.clause_id, t0.code, t0.title, \
         t0.cadence, t0.assigned_on, t0.search, t0.version, \
         COALESCE(e.to_status, 'assigned') AS status, \
         COALESCE(c.new_deadline, t0.original_deadline) AS deadline, \
         COALESCE(h.light, 'green') AS light \
         FROM tasks t0 \
         LEFT JOIN task_events e ON e.task_id = t0.id AND e.to_status IS NOT NULL \
         AND e.at < $1 AND (e.status_until IS NULL OR e.status_until >= $1) \
         LEFT JOIN task_deadline_changes c ON c.task_id = t0.id AND c.status = 'approved' \
         AND c.decided_at < $1 AND (c.approved_until IS NULL OR c.approved_until >= $1) \
         LEFT JOIN task_light_history h ON h.task_id = t0.id AND h.since <= $2 \
         AND (h.until IS NULL OR h.until > $2) \
         WHERE t0.created_at < $1",
    )
    .bind(a.end)
    .bind(a.day)
    .planned_each_run();
    within.push(&mut w, "t0.region_id");
    w.push(") t JOIN regions r ON r.id = t.region_id LEFT JOIN policies p ON p.id = t.policy_id");
    w.push(join).push(" WHERE 1 = 1");
    w
}

/// The tasks of region `region_id` (and beneath) overdue on `as_of.day` as they stood then (the
/// filter `overdue_on` of the lists), with every unit leading each: what an assessment deducts
/// for.
pub async fn overdue_leads(db: &Db, region_id: i64, as_of: AsOf) -> Result<Vec<(i64, i64)>> {
    let f = TaskFilter {
        region_id: Some(region_id),
        overdue_on: Some(as_of.day),
        as_of: Some(as_of),
        ..TaskFilter::default()
    };
    let within = within(db, &f).await?;
    let mut q = tasks_from(
        f.as_of,
        &within,
        " JOIN task_units tu ON tu.task_id = t.id AND tu.role = 'lead'",
    )
    .prefixed("SELECT tu.unit_id, t.id");
    push_filter(&mut q, &f, &within);
    q.push(" ORDER BY t.id, tu.unit_id");
    db.all(q).await
}

/// Tasks a caller may see: a region and below, or one of their units among the task's units.
/// A region's subtree usually holds nearly all the tasks a list shows, so it is tested per task
/// (`EXISTS` on the region's key): the planner then walks the sort's index and stops after a
/// page, or starts from a selective filter (a unit, a light), instead of collecting the whole
/// subtree and sorting it. A clerk's units are the selective case and drive by their index.
pub(crate) fn push_task_visibility(w: &mut Sql, vis: &Visibility) {
    let narrow = crate::org::is_narrow(vis);
    w.push(" AND (");
    let mut first = true;
    for p in &vis.subtrees {
        if !first {
            w.push(" OR ");
        }
        first = false;
        // A county's reach starts from its regions' tasks (the region index); a wider one walks
        // the list's order testing each task's region (see `org::push_region_visibility`).
        if narrow {
            w.push("t.region_id IN (SELECT vr.id FROM regions vr WHERE vr.path LIKE ");
        } else {
            w.push("EXISTS (SELECT 1 FROM regions vr WHERE vr.id = t.region_id AND vr.path LIKE ");
        }
        w.push_bind(format!("{p}%")).push(")");
    }
    if !vis.units.is_empty() {
        if !first {
            w.push(" OR ");
        }
        first = false;
        w.push("t.id IN (SELECT vu.task_id FROM task_units vu WHERE vu.unit_id IN ")
            .push_list(&vis.units)
            .push(")");
    }
    if first {
        w.push("1 = 0");
    }
    w.push(")");
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub q: Option<String>,
    pub policy_id: Option<i64>,
    /// Tasks of this region or one beneath it.
    pub region_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// With `unit_id`: only the tasks that unit leads (not those it supports).
    pub lead: bool,
    pub leader_id: Option<i64>,
    pub status: Option<String>,
    pub light: Option<String>,
    pub cadence: Option<String>,
    /// Open tasks only (not closed).
    pub open: bool,
    /// Only open tasks whose deadline is before this day.
    pub overdue_on: Option<NaiveDate>,
    pub as_of: Option<AsOf>,
    pub sort: TaskSort,
}

/// Orders a task list may take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TaskSort {
    /// Nearest deadline first (no deadline last).
    #[default]
    Deadline,
    /// Red, then yellow, then green; nearest deadline first within a colour.
    Light,
    /// By code.
    Code,
    /// Most recently changed first.
    Recent,
}

impl TaskSort {
    pub const ALL: [(TaskSort, &'static str); 4] = [
        (TaskSort::Deadline, "deadline"),
        (TaskSort::Light, "light"),
        (TaskSort::Code, "code"),
        (TaskSort::Recent, "recent"),
    ];
    pub fn parse(s: &str) -> Option<TaskSort> {
        Self::ALL.iter().find(|(_, id)| *id == s).map(|(v, _)| *v)
    }
    pub fn id(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(v, _)| *v == self)
            .map(|(_, id)| *id)
            .unwrap_or("deadline")
    }
    /// The `ORDER BY`. With a text search the matches are few: the same order spelled so that
    /// no index matches keeps the planner from walking the deadline index past every task to
    /// find them; it scans once and sorts the few.
    fn order(self, searching: bool) -> &'static str {
        match self {
            TaskSort::Deadline if searching => {
                "CASE WHEN t.deadline IS NULL THEN 1 ELSE 0 END, t.deadline, t.id"
            }
            TaskSort::Deadline => "t.deadline IS NULL, t.deadline, t.id",
            TaskSort::Light => {
                "CASE t.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, \
                 t.deadline IS NULL, t.deadline, t.id"
            }
            TaskSort::Code => "t.code, t.id",
            TaskSort::Recent => "t.version DESC, t.id DESC",
        }
    }
}

/// A filter's region: as of a past day by its path pattern ([`Within::Path`], read first): the
/// province-wide count of lights as of a day took 2.1 s with the region by id, PostgreSQL
/// guessing its subtree at 7 of 1,366 regions and looking up each task's histories, and 0.3 s
/// by path, hashing them. Lists of today keep the id, and save the read.
async fn within(db: &Db, f: &TaskFilter) -> Result<Within> {
    match (f.as_of, f.region_id) {
        (Some(_), Some(id)) => crate::org::path_pattern(db, id).await.map(Within::Path),
        _ => Ok(Within::id(f.region_id)),
    }
}

/// The `WHERE` conditions of a filter (after the visibility).
fn push_filter(w: &mut Sql, f: &TaskFilter, within: &Within) {
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push(" AND t.search LIKE ")
            .push_bind(format!("%{}%", escape_like(&q.to_lowercase())))
            .push(" ESCAPE '\\'");
    }
    if let Some(p) = f.policy_id {
        w.push(" AND t.policy_id = ").push_bind(p);
    }
    within.push(w, "t.region_id");
    if let Some(u) = f.unit_id {
        w.push(" AND t.id IN (SELECT fu.task_id FROM task_units fu WHERE fu.unit_id = ")
            .push_bind(u);
        if f.lead {
            w.push(" AND fu.role = 'lead'");
        }
        w.push(")");
    }
    if let Some(l) = f.leader_id {
        w.push(" AND t.id IN (SELECT fl.task_id FROM task_leaders fl WHERE fl.person_id = ")
            .push_bind(l)
            .push(")");
    }
    if let Some(s) = &f.status {
        w.push(" AND t.status = ").push_bind(s);
    }
    if let Some(l) = &f.light {
        w.push(" AND t.light = ").push_bind(l);
    }
    if let Some(c) = &f.cadence {
        w.push(" AND t.cadence = ").push_bind(c);
    }
    if f.open {
        w.push(" AND t.status <> 'closed'");
    }
    if let Some(d) = f.overdue_on {
        w.push(" AND t.status <> 'closed' AND t.deadline < ")
            .push_bind(d);
    }
}

pub async fn list(
    db: &Db,
    vis: &Visibility,
    f: &TaskFilter,
    page: Page,
) -> Result<(Vec<TaskRow>, i64)> {
    let (count, rows) = list_queries(vis, f, &within(db, f).await?, page);
    // Side by side: as of a past day each statement looks up every task's history.
    let ((total,), rows) = tokio::try_join!(db.one::<(i64,)>(count), db.all(rows))?;
    Ok((rows, total))
}

/// The two statements behind a list page: its bounded count, and its rows (exposed so the
/// benchmark can show their plans).
pub fn list_queries(vis: &Visibility, f: &TaskFilter, within: &Within, page: Page) -> (Sql, Sql) {
    let mut w = tasks_from(f.as_of, within, "");
    push_task_visibility(&mut w, vis);
    push_filter(&mut w, f, within);
    (
        w.bounded_count(crate::COUNT_BOUND),
        w.page(
            TASK_SELECT,
            f.sort
                .order(f.q.as_deref().is_some_and(|q| !q.trim().is_empty())),
            page,
        ),
    )
}

/// Every task a filter finds, unpaged, in code order — for the breakdown table export.
pub async fn all(db: &Db, vis: &Visibility, f: &TaskFilter) -> Result<Vec<TaskRow>> {
    let within = within(db, f).await?;
    let mut w = tasks_from(f.as_of, &within, "");
    push_task_visibility(&mut w, vis);
    push_filter(&mut w, f, &within);
    let mut q = w.prefixed(TASK_SELECT);
    q.push(" ORDER BY t.policy_id, t.clause_id, t.id LIMIT ")
        .push_bind(EXPORT_LIMIT);
    db.all(q).await
}

/// The most rows an export writes (a county has about a thousand tasks).
pub const EXPORT_LIMIT: i64 = 20_000;

/// Clauses by id.
pub async fn clauses_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Clause>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT id, policy_id, position, chapter_number, chapter_title, number, title, text \
         FROM policy_clauses WHERE id IN ",
    );
    q.push_list(ids);
    db.all(q).await
}

/// Each task's latest report (any unit), as (task id, progress, percent).
pub async fn latest_reports(db: &Db, task_ids: &[i64]) -> Result<Vec<(i64, String, Option<i64>)>> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT r.task_id, r.progress, r.percent FROM task_reports r WHERE r.status <> 'returned' \
         AND r.task_id IN ",
    );
    q.push_list(task_ids).push(
        " AND r.id = (SELECT r2.id FROM task_reports r2 WHERE r2.task_id = r.task_id \
         AND r2.status <> 'returned' ORDER BY r2.period_end DESC, r2.submitted_at DESC, r2.id DESC LIMIT 1)",
    );
    db.all(q).await
}

/// Open tasks by light, and closed tasks, that a caller sees: (red, yellow, green, closed).
pub async fn light_counts(db: &Db, vis: &Visibility) -> Result<(i64, i64, i64, i64)> {
    let mut w = tasks_from(None, &Within::Anywhere, "");
    push_task_visibility(&mut w, vis);
    let open = "t.status <> 'closed'";
    db.one(w.prefixed(&format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN {open} AND t.light = 'red' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN {open} AND t.light = 'yellow' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN {open} AND t.light = 'green' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT)"
    )))
    .await
}

/// Lights by lead unit: how many of each unit's open tasks are red, yellow and green (and how
/// many it closed), worst first.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct UnitLights {
    pub unit_id: i64,
    pub unit_name: String,
    pub red: i64,
    pub yellow: i64,
    pub green: i64,
    pub closed: i64,
}

pub async fn lights_by_unit(db: &Db, vis: &Visibility, f: &TaskFilter) -> Result<Vec<UnitLights>> {
    let within = within(db, f).await?;
    let mut w = tasks_from(
        f.as_of,
        &within,
        " JOIN task_units lu ON lu.task_id = t.id AND lu.role = 'lead' JOIN units u ON u.id = lu.unit_id",
    );
    push_task_visibility(&mut w, vis);
    push_filter(&mut w, f, &within);
    let q = by_light(
        &w,
        &[
            ("u.id", "unit_id"),
            ("u.name", "unit_name"),
            ("u.sort_order", "sort_order"),
        ],
        " ORDER BY red DESC, yellow DESC, sort_order, unit_id",
    );
    db.all(q).await
}

/// The tasks of `w` (a `FROM … WHERE …` fragment over `t`) per `keys` (expressions and their
/// names): open ones by light (red, yellow, green) and closed ones, then `order`. Each task's
/// status and light are read once (as of a past day each is a lookup in its history), by
/// counting per key, closed or not, and light first.
fn by_light(w: &Sql, keys: &[(&str, &str)], order: &str) -> Sql {
    let exprs: Vec<&str> = keys.iter().map(|k| k.0).collect();
    let names: Vec<&str> = keys.iter().map(|k| k.1).collect();
    let named: Vec<String> = keys.iter().map(|(e, n)| format!("{e} AS {n}")).collect();
    let closed = "CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END";
    let count = |c: &str, name: &str| {
        format!("CAST(SUM(CASE WHEN {c} THEN n ELSE 0 END) AS BIGINT) AS {name}")
    };
    let mut q = w.prefixed(&format!(
        "SELECT {names}, {red}, {yellow}, {green}, {closed_n} FROM (SELECT {named}, \
         {closed} AS is_closed, t.light AS light, COUNT(*) AS n",
        names = names.join(", "),
        named = named.join(", "),
        red = count("is_closed = 0 AND light = 'red'", "red"),
        yellow = count("is_closed = 0 AND light = 'yellow'", "yellow"),
        green = count("is_closed = 0 AND light = 'green'", "green"),
        closed_n = count("is_closed = 1", "closed"),
    ));
    q.push(" GROUP BY ")
        .push(&exprs.join(", "))
        .push(", ")
        .push(closed)
        .push(", t.light) x GROUP BY ")
        .push(&names.join(", "))
        .push(order);
    q
}

/// Open tasks by light, and closed tasks, per region (the dashboard sums them per region it
/// shows): (region id, red, yellow, green, closed).
pub async fn lights_by_region(
    db: &Db,
    vis: &Visibility,
    f: &TaskFilter,
) -> Result<Vec<RegionLights>> {
    if let Some(a) = tally_day(vis, f)
        && let Some(rows) = lights_tallied(db, vis, f.region_id, a).await?
    {
        return Ok(rows);
    }
    lights_counted(db, vis, f).await
}

/// Open tasks by light, and closed tasks, of one region: (region id, red, yellow, green, closed).
pub type RegionLights = (i64, i64, i64, i64, i64);

/// The day a filter reads [`lights_by_region`] as of, when the tallies (migration 0037) could
/// answer it: a past day, whole regions seen, and no filter but the region.
fn tally_day(vis: &Visibility, f: &TaskFilter) -> Option<AsOf> {
    let TaskFilter {
        q,
        policy_id,
        region_id: _,
        unit_id,
        lead: _,
        leader_id,
        status,
        light,
        cadence,
        open,
        overdue_on,
        as_of,
        sort: _,
    } = f;
    let only_region = q.as_deref().is_none_or(|q| q.trim().is_empty())
        && policy_id.is_none()
        && unit_id.is_none()
        && leader_id.is_none()
        && status.is_none()
        && light.is_none()
        && cadence.is_none()
        && !open
        && overdue_on.is_none();
    (only_region && vis.units.is_empty() && vis.ancestors_of.is_empty())
        .then_some(*as_of)
        .flatten()
}

/// [`lights_by_region`] as of `a` from the tallies: the last row of each region on or before
/// the day. None when they do not count that day (not yet, no longer, or in another time zone).
pub async fn lights_tallied(
    db: &Db,
    vis: &Visibility,
    region_id: Option<i64>,
    a: AsOf,
) -> Result<Option<Vec<RegionLights>>> {
    let mut q = Sql::new(
        "SELECT l.region_id, l.red, l.yellow, l.green, l.closed FROM (SELECT r.id AS region_id, \
         (SELECT MAX(m.day) FROM task_light_tallies m WHERE m.region_id = r.id AND m.day <= $1) \
         AS day FROM regions r WHERE 1 = 1",
    )
    .bind(a.day);
    crate::org::push_region_visibility(&mut q, vis, "r.id", None);
    crate::org::push_within(&mut q, "r.id", region_id);
    q.push(
        ") x JOIN task_light_tallies l ON l.region_id = x.region_id AND l.day = x.day \
         WHERE l.red + l.yellow + l.green + l.closed > 0",
    );
    crate::tallies::push_counted(&mut q, &LIGHT_TALLY, a, "0, 0, 0, 0");
    crate::tallies::read(db, q, |r: &RegionLights| r.0).await
}

/// Open tasks by light, and closed tasks, per region and day (migration 0037). Counted from day
/// $2 on (which starts at $1): each region's last row before it plus the changes since. Each task
/// that changed from then on is looked at on the day before ($3) and on each day it changed, as
/// the lists count it then (made by that day's end, its status at that end, its light of that
/// day), and moves from what it was to what it became.
pub(crate) const LIGHT_TALLY: crate::tallies::Tally = crate::tallies::Tally {
    name: "task_lights",
    table: "task_light_tallies",
    instants: &[
        "SELECT MIN(created_at), MAX(created_at) FROM tasks",
        "SELECT MIN(at), MAX(at) FROM task_events WHERE to_status IS NOT NULL",
    ],
    days: &["SELECT MIN(since), MAX(since) FROM task_light_history"],
    recount: "WITH changed AS (\
     SELECT t.id AS task_id, (SELECT d.day FROM tally_days d WHERE d.end_at > t.created_at \
     ORDER BY d.end_at LIMIT 1) AS day FROM tasks t WHERE t.created_at >= $1 \
     UNION SELECT e.task_id, (SELECT d.day FROM tally_days d WHERE d.end_at > e.at \
     ORDER BY d.end_at LIMIT 1) FROM task_events e WHERE e.to_status IS NOT NULL AND e.at >= $1 \
     UNION SELECT h.task_id, h.since FROM task_light_history h WHERE h.since >= $2), \
     points AS (SELECT task_id, day FROM changed UNION SELECT task_id, $3 FROM changed), \
     states AS (SELECT p.task_id, t.region_id, p.day, CASE WHEN t.created_at >= d.end_at THEN 'none' \
     WHEN COALESCE((SELECT e.to_status FROM task_events e WHERE e.task_id = p.task_id \
     AND e.to_status IS NOT NULL AND e.at < d.end_at \
     AND (e.status_until IS NULL OR e.status_until >= d.end_at) LIMIT 1), 'assigned') = 'closed' \
     THEN 'closed' ELSE COALESCE((SELECT h.light FROM task_light_history h \
     WHERE h.task_id = p.task_id AND h.since <= p.day AND (h.until IS NULL OR h.until > p.day) \
     LIMIT 1), 'green') END AS state \
     FROM points p JOIN tasks t ON t.id = p.task_id JOIN tally_days d ON d.day = p.day), \
     moves AS (SELECT region_id, day, state, \
     LAG(state, 1, 'none') OVER (PARTITION BY task_id ORDER BY day) AS was FROM states), \
     deltas AS (SELECT region_id, day, \
     SUM(CASE WHEN state = 'red' THEN 1 ELSE 0 END - CASE WHEN was = 'red' THEN 1 ELSE 0 END) AS red, \
     SUM(CASE WHEN state = 'yellow' THEN 1 ELSE 0 END - CASE WHEN was = 'yellow' THEN 1 ELSE 0 END) AS yellow, \
     SUM(CASE WHEN state = 'green' THEN 1 ELSE 0 END - CASE WHEN was = 'green' THEN 1 ELSE 0 END) AS green, \
     SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END - CASE WHEN was = 'closed' THEN 1 ELSE 0 END) AS closed \
     FROM moves WHERE day >= $2 AND state <> was GROUP BY region_id, day) \
     INSERT INTO task_light_tallies (region_id, day, red, yellow, green, closed) \
     SELECT x.region_id, x.day, COALESCE(b.red, 0) + SUM(x.red) OVER w, \
     COALESCE(b.yellow, 0) + SUM(x.yellow) OVER w, COALESCE(b.green, 0) + SUM(x.green) OVER w, \
     COALESCE(b.closed, 0) + SUM(x.closed) OVER w \
     FROM deltas x LEFT JOIN task_light_tallies b ON b.region_id = x.region_id \
     AND b.day = (SELECT MAX(m.day) FROM task_light_tallies m WHERE m.region_id = x.region_id) \
     WINDOW w AS (PARTITION BY x.region_id ORDER BY x.day)",
};

/// [`lights_by_region`] counted from the tasks (and as of a past day their histories).
pub async fn lights_counted(
    db: &Db,
    vis: &Visibility,
    f: &TaskFilter,
) -> Result<Vec<RegionLights>> {
    let within = within(db, f).await?;
    let mut w = tasks_from(f.as_of, &within, "");
    push_task_visibility(&mut w, vis);
    push_filter(&mut w, f, &within);
    db.all(by_light(&w, &[("t.region_id", "region_id")], ""))
        .await
}

pub async fn get(db: &Db, id: i64) -> Result<TaskRow> {
    db.one(Sql::new(format!("{TASK_SELECT}{TASK_FROM} AND t.id = $1")).bind(id))
        .await
}

/// A task's units, with their names and regions.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskUnit {
    pub task_id: i64,
    pub unit_id: i64,
    pub role: String,
    pub name: String,
    pub region_path: String,
}

pub async fn units_of(db: &Db, task_ids: &[i64]) -> Result<Vec<TaskUnit>> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT tu.task_id, tu.unit_id, tu.role, u.name, r.path AS region_path FROM task_units tu \
         JOIN units u ON u.id = tu.unit_id JOIN regions r ON r.id = u.region_id WHERE tu.task_id IN ",
    );
    q.push_list(task_ids);
    q.push(" ORDER BY tu.task_id, tu.role, u.sort_order, u.id");
    db.all(q).await
}

/// Where the task sits, for permission checks.
pub fn place(task: &TaskRow, units: &[TaskUnit]) -> TaskPlace {
    place_of(task.id, &task.region_path, units)
}

/// Where the task `task_id` in the region at `region_path` sits, from its units among `units`.
pub fn place_of(task_id: i64, region_path: &str, units: &[TaskUnit]) -> TaskPlace {
    let of = |role: &str| {
        units
            .iter()
            .filter(|u| u.task_id == task_id && u.role == role)
            .map(|u| (u.unit_id, u.region_path.clone()))
            .collect()
    };
    TaskPlace {
        region_path: region_path.to_string(),
        lead_units: of("lead"),
        support_units: of("support"),
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub text: Option<String>,
}

pub async fn timeline(db: &Db, task_id: i64) -> Result<Vec<TaskEvent>> {
    db.all(
        Sql::new(
            "SELECT e.id, e.at, COALESCE(u.display_name, e.actor_name) AS actor_name, e.kind, e.from_status, \
             e.to_status, e.text FROM task_events e LEFT JOIN users u ON u.id = e.actor_user_id \
             WHERE e.task_id = $1 ORDER BY e.at, e.id",
        )
        .bind(task_id),
    )
    .await
}

// --------------------------------------------------------------------------------- writing

/// Moves the task to `to` (already decided by `zhaoyin_core::task::transition`), if it is still
/// at `from` and `version` — a concurrent move is refused, not overwritten. `files` (evidence for
/// a closing request) are kept with the move's timeline entry.
#[allow(clippy::too_many_arguments)]
pub async fn move_to(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    kind: &str,
    to: TaskStatus,
    text: Option<&str>,
    files: &[crate::follow_up::NewFile],
    clock: Clock,
) -> Result<TaskRow> {
    let mut tx = db.begin().await?;
    catch_up(&mut tx, task.id, clock).await?;
    let closed_at = (to == TaskStatus::Closed).then_some(clock.now);
    let n = tx
        .execute(
            Sql::new(
                "UPDATE tasks SET status = $1, closed_at = $2, version = version + 1, updated_at = $3 \
                 WHERE id = $4 AND version = $5 AND status = $6",
            )
            .bind(to.id())
            .bind(closed_at)
            .bind(clock.now)
            .bind(task.id)
            .bind(task.version)
            .bind(&task.status),
        )
        .await?;
    if n != 1 {
        return Err(Error::Stale);
    }
    let from = TaskStatus::parse(&task.status);
    let event_id = event(
        &mut tx,
        actor,
        task.id,
        clock.now,
        Ev::moved(kind, from, to, text),
    )
    .await?;
    for f in files {
        crate::follow_up::attach(&mut tx, actor, task.id, None, Some(event_id), f, clock.now)
            .await?;
    }
    relight(&mut tx, task.id, clock.today, clock).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new(
            match kind {
                "accept" => "task_accept",
                "request_close" => "task_request_close",
                "close" => "task_close",
                "return" => "task_return",
                _ => "task_move",
            },
            "task",
            task.id,
        )
        .place(Some(task.region_id), None)
        .before(&serde_json::json!({ "status": task.status }))
        .after(&serde_json::json!({ "status": to.id(), "text": text })),
    )
    .await?;
    let after: TaskRow = tx
        .one(Sql::new(format!("{TASK_SELECT}{TASK_FROM} AND t.id = $1")).bind(task.id))
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// A periodic report from one unit.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub unit_id: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub progress: String,
    pub percent: Option<i64>,
    pub problems: Option<String>,
    pub support_needed: Option<String>,
    pub on_track: Option<bool>,
}

/// Records a unit's report for a period (a second report for the same period replaces the
/// first, unless it was approved). The first report moves an accepted task into progress.
pub async fn submit_report(
    db: &Db,
    actor: &Actor,
    task: &TaskRow,
    r: &NewReport,
    files: &[crate::follow_up::NewFile],
    clock: Clock,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let status = crate::follow_up::ensure_open(&mut tx, task.id).await?;
    catch_up(&mut tx, task.id, clock).await?;
    let t = clock.now;
    let existing: Option<(i64, String)> = tx
        .optional(
            Sql::new("SELECT id, status FROM task_reports WHERE task_id = $1 AND unit_id = $2 AND period_end = $3")
                .bind(task.id)
                .bind(r.unit_id)
                .bind(r.period_end),
        )
        .await?;
    let id = match existing {
        Some((_, status)) if status == "approved" => return Err(Error::Stale),
        Some((id, _)) => {
            tx.execute(
                Sql::new(
                    "UPDATE task_reports SET progress = $1, percent = $2, problems = $3, support_needed = $4, \
                     on_track = $5, status = 'submitted', submitted_by = $6, submitted_at = $7, \
                     reviewed_by = NULL, reviewed_at = NULL, review_comment = NULL, version = version + 1 \
                     WHERE id = $8",
                )
                .bind(&r.progress)
                .bind(r.percent)
                .bind(r.problems.as_ref())
                .bind(r.support_needed.as_ref())
                .bind(r.on_track)
                .bind(actor.user_id)
                .bind(t)
                .bind(id),
            )
            .await?;
            id
        }
        None => {
            let (id,): (i64,) = tx
                .one(
                    Sql::new(
                        "INSERT INTO task_reports (task_id, unit_id, period_start, period_end, progress, percent, \
                         problems, support_needed, on_track, submitted_by, submitted_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    )
                    .bind(task.id)
                    .bind(r.unit_id)
                    .bind(r.period_start)
                    .bind(r.period_end)
                    .bind(&r.progress)
                    .bind(r.percent)
                    .bind(r.problems.as_ref())
                    .bind(r.support_needed.as_ref())
                    .bind(r.on_track)
                    .bind(actor.user_id)
                    .bind(t),
                )
                .await?;
            id
        }
    };
    event(
        &mut tx,
        actor,
        task.id,
        t,
        Ev::note("report", Some(&r.progress)),
    )
    .await?;
    for f in files {
        crate::follow_up::attach(&mut tx, actor, task.id, Some(id), None, f, t).await?;
    }
    // A lead unit's first report moves the task on (a supporting unit's part does not). The
    // status is the one read inside this transaction, not the caller's copy.
    let lead = status == TaskStatus::Accepted.id()
        && tx
            .optional::<(i64,)>(
                Sql::new(
                    "SELECT task_id FROM task_units WHERE task_id = $1 AND unit_id = $2 AND role = 'lead'",
                )
                .bind(task.id)
                .bind(r.unit_id),
            )
            .await?
            .is_some();
    if lead {
        tx.execute(
            Sql::new("UPDATE tasks SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(TaskStatus::InProgress.id())
                .bind(t)
                .bind(task.id),
        )
        .await?;
        event(
            &mut tx,
            actor,
            task.id,
            t,
            Ev::moved(
                "progress",
                Some(TaskStatus::Accepted),
                TaskStatus::InProgress,
                None,
            ),
        )
        .await?;
    }
    relight(&mut tx, task.id, clock.today, clock).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("report", "task", task.id)
            .place(Some(task.region_id), Some(r.unit_id))
            .after(&serde_json::json!({ "report_id": id, "period_end": r.period_end, "percent": r.percent })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Light of a task as of a past day, from its history.
pub async fn light_as_of(db: &Db, task_id: i64, day: NaiveDate) -> Result<Option<String>> {
    let row: Option<(String,)> = db
        .optional(
            Sql::new(
                "SELECT light FROM task_light_history WHERE task_id = $1 AND since <= $2 \
                 ORDER BY since DESC LIMIT 1",
            )
            .bind(task_id)
            .bind(day),
        )
        .await?;
    Ok(row.map(|(l,)| l))
}

/// What a task list can be filtered by, among the tasks the caller sees: policies, units and
/// leaders, as (id, name).
#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub policies: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
    pub leaders: Vec<(i64, String)>,
}

pub async fn facets(db: &Db, vis: &Visibility) -> Result<Facets> {
    let part = |select: &str, join: &str, order: &str| {
        let mut w = tasks_from(None, &Within::Anywhere, join);
        push_task_visibility(&mut w, vis);
        w.push(order);
        w.prefixed(select)
    };
    Ok(Facets {
        policies: db
            .all(part(
                "SELECT DISTINCT p.id, p.title",
                "",
                " AND p.id IS NOT NULL ORDER BY p.id DESC",
            ))
            .await?,
        units: db
            .all(part(
                "SELECT DISTINCT u.id, u.name, u.sort_order",
                " JOIN task_units fu ON fu.task_id = t.id JOIN units u ON u.id = fu.unit_id",
                " ORDER BY u.sort_order, u.id",
            ))
            .await?
            .into_iter()
            .map(|(id, name, _): (i64, String, i64)| (id, name))
            .collect(),
        leaders: db
            .all(part(
                "SELECT DISTINCT pe.id, pe.name",
                " JOIN task_leaders fl ON fl.task_id = t.id JOIN people pe ON pe.id = fl.person_id",
                " ORDER BY pe.id",
            ))
            .await?,
    })
}
