//! Notices (通知) in the in-app inbox. Two sources, both run by the periodic notice job, never
//! inside a request:
//!
//! - the audit log, read in order from `notice_cursor`: every change worth telling someone of
//!   (a task assigned, a reminder …) is in it, written in the same transaction as the change, so
//!   nothing committed is missed. The audit head's row lock orders appends by commit, so a cursor
//!   never skips a record that commits later. The cursor moves in the transaction that makes the
//!   notices.
//! - the deadline scan: tasks due soon or overdue, problems and complaints overdue.
//!
//! A notice is unique by (person, kind, subject, period): made twice, by two instances or by a
//! scan run again, it exists once.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use zhaoyin_core::paging::Page;

use crate::{Db, Result, Sql, Tx, now};

/// Who is told of a task or a problem: the people of a unit who work its tasks (not
/// administrators or viewers).
const PEOPLE_OF_UNIT: &str = "u.active AND EXISTS (SELECT 1 FROM role_grants g \
     WHERE g.user_id = u.id AND g.role IN ('leader', 'supervisor', 'clerk', 'agent'))";
/// Who is told of a complaint sent to a unit: those who read it there — a grant scoped to the
/// unit itself (see `service::complaints::readers`).
const COMPLAINT_READERS: &str = "u.active AND EXISTS (SELECT 1 FROM role_grants g \
     WHERE g.user_id = u.id AND g.role IN ('leader', 'supervisor', 'clerk') \
     AND g.scope_unit_id = u.unit_id)";

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
#[schema(as = InboxNotice)]
pub struct Notice {
    pub id: i64,
    /// task_assigned, task_reminded, task_instructed, explanation_asked, report_returned,
    /// task_returned, problem_assigned, complaint_routed, award_noticed, task_due,
    /// task_overdue, problem_overdue, complaint_overdue or approval_overdue.
    pub kind: String,
    pub subject: String,
    pub title: String,
    pub body: Option<String>,
    /// The page it is about.
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

const SELECT: &str = "SELECT id, kind, subject, title, body, link, created_at, read_at";

/// A person's notices, the latest first.
pub async fn inbox(
    db: &Db,
    user_id: i64,
    unread_only: bool,
    page: Page,
) -> Result<(Vec<Notice>, i64)> {
    let mut w = Sql::new(" FROM notices WHERE user_id = ");
    w.push_bind(user_id);
    if unread_only {
        w.push(" AND read_at IS NULL");
    }
    crate::org::page_of(db, &w, SELECT, "id DESC", page).await
}

/// How many unread, counted up to `bound`.
pub async fn unread(db: &Db, user_id: i64, bound: i64) -> Result<i64> {
    let mut w = Sql::new(" FROM notices WHERE user_id = ");
    w.push_bind(user_id).push(" AND read_at IS NULL");
    let (n,): (i64,) = db.one(w.bounded_count(bound)).await?;
    Ok(n)
}

/// Marks a person's notice read (once) and gives it back.
pub async fn read(db: &Db, user_id: i64, id: i64) -> Result<Notice> {
    db.execute(
        Sql::new(
            "UPDATE notices SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .bind(user_id),
    )
    .await?;
    db.one(
        Sql::new(format!(
            "{SELECT} FROM notices WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(user_id),
    )
    .await
}

pub async fn read_all(db: &Db, user_id: i64) -> Result<u64> {
    db.execute(
        Sql::new("UPDATE notices SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now())
            .bind(user_id),
    )
    .await
}

/// A notice to make for the people of some units.
struct Made {
    kind: &'static str,
    subject: String,
    period: String,
    title: String,
    body: Option<String>,
    link: String,
    units: Vec<i64>,
    /// Which of the units' people: [`PEOPLE_OF_UNIT`] or [`COMPLAINT_READERS`].
    people: &'static str,
}

async fn tell(tx: &mut Tx, m: &Made, at: DateTime<Utc>) -> Result<u64> {
    if m.units.is_empty() {
        return Ok(0);
    }
    let mut q = Sql::new(
        "INSERT INTO notices (user_id, kind, subject, period, title, body, link, created_at) \
         SELECT u.id, ",
    );
    q.push_bind(m.kind)
        .push(", ")
        .push_bind(m.subject.clone())
        .push(", ")
        .push_bind(m.period.clone())
        .push(", ")
        .push_bind(m.title.clone())
        .push(", ")
        .push_bind(m.body.clone())
        .push(", ")
        .push_bind(m.link.clone())
        .push(", ")
        .push_bind(at)
        .push(" FROM users u WHERE u.unit_id IN ")
        .push_list(&m.units)
        .push(" AND ")
        .push(m.people)
        .push(" ON CONFLICT (user_id, kind, subject, period) DO NOTHING");
    tx.execute(q).await
}

/// An audit record that may make a notice.
#[derive(sqlx::FromRow)]
struct Record {
    seq: i64,
    action: String,
    entity: String,
    entity_id: Option<String>,
    unit_id: Option<i64>,
    after_json: Option<String>,
}

/// The (entity, action) pairs that tell someone something, and the kind of notice each makes.
const TOLD: &[(&str, &str, &str)] = &[
    ("task", "create", "task_assigned"),
    ("task", "task_remind", "task_reminded"),
    ("task", "task_instruct", "task_instructed"),
    ("task", "task_ask_explanation", "explanation_asked"),
    ("task", "report_returned", "report_returned"),
    ("task", "task_return", "task_returned"),
    ("problem", "create", "problem_assigned"),
    ("complaint", "route", "complaint_routed"),
    ("incentive_award", "notice", "award_noticed"),
];

fn text_of(after: &serde_json::Value, key: &str) -> Option<String> {
    after
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
}

/// The notice record `r` makes, with what it is about read now.
async fn made_of(tx: &mut Tx, r: &Record) -> Result<Option<Made>> {
    let Some(&(_, _, kind)) = TOLD
        .iter()
        .find(|(e, a, _)| *e == r.entity && *a == r.action)
    else {
        return Ok(None);
    };
    let Some(id) = r.entity_id.as_deref().and_then(|s| s.parse::<i64>().ok()) else {
        return Ok(None);
    };
    let after: serde_json::Value = r
        .after_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let made = |title: String, body, link: String, units| Made {
        kind,
        subject: format!("{}:{id}", r.entity),
        period: r.seq.to_string(),
        title,
        body,
        link,
        units,
        people: if r.entity == "complaint" {
            COMPLAINT_READERS
        } else {
            PEOPLE_OF_UNIT
        },
    };
    let one = |q: &str| Sql::new(q.to_string()).bind(id);
    Ok(match r.entity.as_str() {
        "task" => {
            let Some((title,)) = tx
                .optional::<(String,)>(one("SELECT code || ' ' || title FROM tasks WHERE id = $1"))
                .await?
            else {
                return Ok(None);
            };
            let units: Vec<(i64,)> = if kind == "report_returned" {
                let report = after.get("report_id").and_then(|v| v.as_i64()).unwrap_or(0);
                tx.all(Sql::new("SELECT unit_id FROM task_reports WHERE id = $1").bind(report))
                    .await?
            } else {
                // Assignments and instructions reach every unit of the task; the rest its leads.
                let all = matches!(kind, "task_assigned" | "task_instructed");
                tx.all(one(if all {
                    "SELECT unit_id FROM task_units WHERE task_id = $1"
                } else {
                    "SELECT unit_id FROM task_units WHERE task_id = $1 AND role = 'lead'"
                }))
                .await?
            };
            let body = text_of(&after, "text")
                .or_else(|| text_of(&after, "comment"))
                .or_else(|| text_of(&after, "reason"));
            Some(made(
                title,
                body,
                format!("/tasks/{id}"),
                units.into_iter().map(|(u,)| u).collect(),
            ))
        }
        "problem" => {
            let Some((title,)) = tx
                .optional::<(String,)>(one(
                    "SELECT description FROM project_problems WHERE id = $1",
                ))
                .await?
            else {
                return Ok(None);
            };
            Some(made(
                title.chars().take(100).collect(),
                None,
                format!("/problems/{id}"),
                r.unit_id.into_iter().collect(),
            ))
        }
        "complaint" => {
            let Some((title,)) = tx
                .optional::<(String,)>(one("SELECT subject FROM complaints WHERE id = $1"))
                .await?
            else {
                return Ok(None);
            };
            let unit = after.get("unit_id").and_then(|v| v.as_i64());
            Some(made(
                title,
                text_of(&after, "note"),
                format!("/complaints/{id}"),
                unit.into_iter().collect(),
            ))
        }
        "incentive_award" => {
            let Some((title,)) = tx
                .optional::<(String,)>(one(
                    "SELECT COALESCE(p.name, a.payee) FROM incentive_awards a \
                     LEFT JOIN projects p ON p.id = a.project_id WHERE a.id = $1",
                ))
                .await?
            else {
                return Ok(None);
            };
            Some(made(
                title,
                None,
                format!("/incentives/awards/{id}"),
                r.unit_id.into_iter().collect(),
            ))
        }
        _ => None,
    })
}

/// Reads up to `batch` audit records past the cursor and makes their notices; the cursor moves
/// in the same transaction. Returns the notices made and whether records are left to read.
pub async fn scan_audit(db: &Db, batch: i64, tz: Tz) -> Result<(u64, bool)> {
    let mut tx = db.begin().await?;
    // Taking the cursor's row first: two instances scanning at once take turns.
    let (from,): (i64,) = tx
        .one(Sql::new(
            "UPDATE notice_cursor SET seq = seq WHERE name = 'audit' RETURNING seq",
        ))
        .await?;
    let (head,): (i64,) = tx
        .one(Sql::new("SELECT seq FROM audit_head WHERE id = 1"))
        .await?;
    let until = head.min(from.saturating_add(batch));
    if until <= from {
        tx.commit().await?;
        return Ok((0, false));
    }
    let mut q = Sql::new(
        "SELECT seq, action, entity, entity_id, unit_id, after_json FROM audit_log \
         WHERE seq > $1 AND seq <= $2 AND entity IN ",
    )
    .bind(from)
    .bind(until);
    let entities: Vec<&str> = TOLD.iter().map(|(e, _, _)| *e).collect();
    q.push_list(&entities).push(" AND action IN ");
    let actions: Vec<&str> = TOLD.iter().map(|(_, a, _)| *a).collect();
    q.push_list(&actions).push(" ORDER BY seq");
    let records: Vec<Record> = tx.all(q).await?;
    let at = now();
    let mut n = 0;
    for r in &records {
        if let Some(m) = made_of(&mut tx, r).await? {
            n += tell(&mut tx, &m, at).await?;
        }
    }
    tx.execute(Sql::new("UPDATE notice_cursor SET seq = $1 WHERE name = 'audit'").bind(until))
        .await?;
    crate::deliveries::plan(&mut tx, at, tz).await?;
    tx.commit().await?;
    Ok((n, until < head))
}

/// Makes the notices of deadlines crossed since the last scan (kept in `notice_cursor` as a
/// day): tasks whose deadline came within `warn_days` (for their lead units) and those whose
/// deadline passed, problems and complaints past their day (for their units); once per
/// deadline; approval items past their committed days (for the approving department), the
/// days counted by `approvals`; and periodic reports due in [`REPORT_NOTICE_DAYS`] days and not
/// yet handed in (for the lead units). The first scan tells of nothing already overdue (as the audit
/// log's cursor starts at its head), only of what is due soon.
pub async fn scan_deadlines(
    db: &Db,
    today: NaiveDate,
    warn_days: i64,
    approvals: &zhaoyin_core::approval::ApprovalRules,
    tz: Tz,
) -> Result<u64> {
    use chrono::Datelike;
    let at = now();
    let mut tx = db.begin().await?;
    let first = tx
        .execute(
            Sql::new(
                "INSERT INTO notice_cursor (name, seq) VALUES ('deadlines', $1) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(i64::from(today.num_days_from_ce())),
        )
        .await?
        == 1;
    let (last,): (i64,) = tx
        .one(Sql::new(
            "UPDATE notice_cursor SET seq = seq WHERE name = 'deadlines' RETURNING seq",
        ))
        .await?;
    let last = i32::try_from(last)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(today)
        .min(today);
    let warn = chrono::Duration::days(warn_days.max(0));
    let insert = |kind: &str, subject: &str, table: &str, day: &str, title: &str, to: &str| {
        format!(
            "INSERT INTO notices (user_id, kind, subject, period, title, link, created_at) \
             SELECT u.id, '{kind}', '{subject}:' || CAST(x.id AS TEXT), CAST(x.{day} AS TEXT), \
             {title}, '/{subject}s/' || CAST(x.id AS TEXT), $1 FROM {table} x {to} \
             WHERE x.{day} >= $2 AND x.{day} < $3"
        )
    };
    let lead = "JOIN task_units tu ON tu.task_id = x.id AND tu.role = 'lead' \
                JOIN users u ON u.unit_id = tu.unit_id";
    let task_title = "x.code || ' ' || x.title";
    let conflict = " ON CONFLICT (user_id, kind, subject, period) DO NOTHING";
    let statements = [
        // Deadlines passed since the last scan.
        (
            format!(
                "{} AND x.status <> 'closed' AND {PEOPLE_OF_UNIT}{conflict}",
                insert(
                    "task_overdue",
                    "task",
                    "tasks",
                    "deadline",
                    task_title,
                    lead
                )
            ),
            last,
            today,
        ),
        // Deadlines come within the warning days since the last scan.
        (
            format!(
                "{} AND x.status <> 'closed' AND {PEOPLE_OF_UNIT}{conflict}",
                insert("task_due", "task", "tasks", "deadline", task_title, lead)
            ),
            // The first scan: everything due within the warning days.
            if first {
                today
            } else {
                (last + warn).max(today)
            },
            today + warn + chrono::Duration::days(1),
        ),
        (
            format!(
                "{} AND x.status IN ('open', 'in_progress') AND {PEOPLE_OF_UNIT}{conflict}",
                insert(
                    "problem_overdue",
                    "problem",
                    "project_problems",
                    "deadline",
                    "SUBSTR(x.description, 1, 100)",
                    "JOIN users u ON u.unit_id = x.unit_id",
                )
            ),
            last,
            today,
        ),
        (
            format!(
                "{} AND x.status = 'routed' AND {COMPLAINT_READERS}{conflict}",
                insert(
                    "complaint_overdue",
                    "complaint",
                    "complaints",
                    "due_on",
                    "x.subject",
                    "JOIN users u ON u.unit_id = x.unit_id",
                )
            ),
            last,
            today,
        ),
    ];
    let mut n = 0;
    for (q, from, until) in statements {
        n += tx
            .execute(Sql::new(q).bind(at).bind(from).bind(until))
            .await?;
    }
    n += approvals_over(&mut tx, approvals, last, today, at).await?;
    n += reports_due(&mut tx, if first { today } else { last }, today, at).await?;
    tx.execute(
        Sql::new("UPDATE notice_cursor SET seq = $1 WHERE name = 'deadlines'")
            .bind(i64::from(today.num_days_from_ce())),
    )
    .await?;
    crate::deliveries::plan(&mut tx, at, tz).await?;
    tx.commit().await?;
    Ok(n)
}

/// An approval item still open: its project, approving unit, acceptance day and committed days.
#[derive(sqlx::FromRow)]
struct OpenItem {
    id: i64,
    project_id: i64,
    title: String,
    unit_id: i64,
    submitted_on: NaiveDate,
    committed_days: i64,
}

/// Tells the approving departments of the items whose committed days ran out in
/// `[last, today)`. Their last day depends on the configured working days, so it is counted
/// here, for the items accepted and not approved.
async fn approvals_over(
    tx: &mut Tx,
    rules: &zhaoyin_core::approval::ApprovalRules,
    last: NaiveDate,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Result<u64> {
    let open: Vec<OpenItem> = tx
        .all(
            Sql::new(
                "SELECT a.id, a.project_id, p.name || ' · ' || a.name AS title, a.unit_id, \
                 a.submitted_on, a.committed_days FROM approval_items a \
                 JOIN projects p ON p.id = a.project_id \
                 WHERE a.approved_on IS NULL AND a.submitted_on IS NOT NULL AND a.submitted_on < $1",
            )
            .bind(today),
        )
        .await?;
    let mut n = 0;
    for item in open {
        let due = rules.add_days(item.submitted_on, item.committed_days);
        if due < last || due >= today {
            continue;
        }
        let m = Made {
            kind: "approval_overdue",
            subject: format!("approval:{}", item.id),
            period: due.to_string(),
            title: item.title,
            body: None,
            link: format!("/projects/{}#approvals", item.project_id),
            units: vec![item.unit_id],
            people: PEOPLE_OF_UNIT,
        };
        n += tell(tx, &m, at).await?;
    }
    Ok(n)
}

/// A periodic report is told this many days before its period ends.
pub const REPORT_NOTICE_DAYS: i64 = 3;

/// Tells the lead units of the periodic tasks under way whose report period ends
/// [`REPORT_NOTICE_DAYS`] after a day in `(last, today]` (`today` alone the first time) and
/// who have not reported for it.
async fn reports_due(
    tx: &mut Tx,
    last: NaiveDate,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> Result<u64> {
    use zhaoyin_core::task::{TaskCadence, period_of};
    let ahead = chrono::Duration::days(REPORT_NOTICE_DAYS);
    // At most a month of days: a scan after a long stop tells the latest.
    let first = (last + chrono::Duration::days(1)).max(today - chrono::Duration::days(31));
    let mut n = 0;
    let mut day = first.min(today);
    while day <= today {
        let end = day + ahead;
        for cadence in [
            TaskCadence::Weekly,
            TaskCadence::Monthly,
            TaskCadence::Quarterly,
            TaskCadence::Yearly,
        ] {
            if period_of(cadence, end).is_none_or(|p| p.end != end) {
                continue;
            }
            n += tx
                .execute(
                    Sql::new(format!(
                        "INSERT INTO notices (user_id, kind, subject, period, title, link, \
                         created_at) SELECT u.id, 'report_due', 'task:' || CAST(t.id AS TEXT), \
                         $1, t.code || ' ' || t.title, '/tasks/' || CAST(t.id AS TEXT), $2 \
                         FROM tasks t JOIN task_units tu ON tu.task_id = t.id AND tu.role = 'lead' \
                         JOIN users u ON u.unit_id = tu.unit_id \
                         WHERE t.cadence = $3 AND t.status IN ('accepted', 'in_progress') \
                         AND t.assigned_on <= $4 AND NOT EXISTS (SELECT 1 FROM task_reports r \
                         WHERE r.task_id = t.id AND r.unit_id = tu.unit_id AND r.period_end = $4) \
                         AND {PEOPLE_OF_UNIT} \
                         ON CONFLICT (user_id, kind, subject, period) DO NOTHING"
                    ))
                    .bind(end.to_string())
                    .bind(at)
                    .bind(cadence.id())
                    .bind(end),
                )
                .await?;
        }
        day += chrono::Duration::days(1);
    }
    Ok(n)
}
