//! The problem list of projects: lists filtered by what the caller may see (the project's
//! readers, and the responsible unit's clerks), counts over the same filter, and audited writes
//! with optimistic versions; a status move also checks the status it starts from.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::problem::{ProblemCategory, ProblemFields, ProblemStatus};
use zhaoyin_core::task::Light;

use crate::audit::{self, Actor, Change};
use crate::follow_up::NewFile;
use crate::org::{check_updated, push_region_visibility};
use crate::progress::Owner;
use crate::{COUNT_BOUND, Db, Result, Sql, Tx, now};

/// A problem of a project's problem list (named so in the API, apart from RFC 9457 problems).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
#[schema(as = ProjectProblem)]
pub struct Problem {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    /// The project's stage (a paused project with an overdue problem owes an explanation).
    pub project_stage: String,
    pub project_major: bool,
    /// The project's owner leader (包挂领导).
    pub project_owner_name: Option<String>,
    /// The project's own unit and region.
    #[serde(skip)]
    pub project_unit_id: i64,
    pub region_id: i64,
    #[serde(skip)]
    pub region_path: String,
    /// planning, land, environment, energy, safety, funding or other.
    pub category: String,
    pub description: String,
    /// The responsible unit.
    pub unit_id: i64,
    pub unit_name: String,
    #[schema(value_type = String, format = Date)]
    pub deadline: NaiveDate,
    pub blocking: bool,
    /// open, in_progress, solved, closed or returned.
    pub status: String,
    /// Why it was returned, or why a solution was not accepted.
    pub status_reason: Option<String>,
    pub resolution: Option<String>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub explanation: Option<String>,
    pub explained_by_name: Option<String>,
    pub explained_at: Option<DateTime<Utc>>,
    pub raised_by_name: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Problem {
    /// Where the problem sits for permissions: the project's region and the responsible unit.
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.unit_id),
        }
    }

    /// The project's place (its own unit).
    pub fn project_place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.project_unit_id),
        }
    }

    pub fn status(&self) -> ProblemStatus {
        ProblemStatus::parse(&self.status).unwrap_or(ProblemStatus::Open)
    }

    pub fn category(&self) -> ProblemCategory {
        ProblemCategory::parse(&self.category).unwrap_or(ProblemCategory::Other)
    }

    pub fn project_paused(&self) -> bool {
        self.project_stage == "paused"
    }
}

const SELECT: &str = "SELECT q.id, q.project_id, p.name AS project_name, \
     p.stage AS project_stage, p.is_major AS project_major, ol.name AS project_owner_name, \
     p.unit_id AS project_unit_id, p.region_id, r.path AS region_path, \
     q.category, q.description, q.unit_id, u.name AS unit_name, q.deadline, q.blocking, q.status, \
     q.status_reason, q.resolution, q.solved_at, cus.display_name AS closed_by_name, q.closed_at, \
     q.explanation, eus.display_name AS explained_by_name, q.explained_at, \
     rus.display_name AS raised_by_name, q.version, q.created_at, q.updated_at";
const FROM: &str = " FROM project_problems q JOIN projects p ON p.id = q.project_id \
     JOIN regions r ON r.id = p.region_id JOIN units u ON u.id = q.unit_id \
     LEFT JOIN users cus ON cus.id = q.closed_by LEFT JOIN users eus ON eus.id = q.explained_by \
     LEFT JOIN users rus ON rus.id = q.raised_by LEFT JOIN people ol ON ol.id = p.owner_leader_id \
     WHERE 1 = 1";
const FROM_BARE: &str = " FROM project_problems q JOIN projects p ON p.id = q.project_id \
     JOIN regions r ON r.id = p.region_id WHERE 1 = 1";
/// The problems alone, by the region each keeps of its project (migration 0035): what a filter
/// that asks nothing of the projects reads (see [`own`]).
const FROM_OWN: &str = " FROM project_problems q JOIN regions r ON r.id = q.region_id WHERE 1 = 1";

/// Whether the problems alone answer `f` for `vis`: it asks nothing of their projects (a name,
/// the major ones) and `vis` reads whole regions (a unit's grant reads its own projects'
/// problems). As of a past day, a problem joined to its project's row or version then made four
/// arms, each reading most of a province's projects or their versions; the problems alone make
/// two.
fn own(vis: &Visibility, f: &ProblemFilter) -> bool {
    vis.units.is_empty() && !f.major && f.q.as_deref().is_none_or(|q| q.trim().is_empty())
}

/// A unit's grant reads the problems of its own projects and the problems it must solve.
const UNIT_READS: &str = "EXISTS (SELECT 1 FROM units vu WHERE vu.id IN {} \
     AND (vu.id = q.unit_id OR vu.id = p.unit_id))";

#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    /// Description or project name.
    pub q: Option<String>,
    pub project_id: Option<i64>,
    /// Only problems of these projects (none: any).
    pub project_ids: Vec<i64>,
    /// Only these problems (none: any).
    pub ids: Vec<i64>,
    /// The responsible unit.
    pub unit_id: Option<i64>,
    pub category: Option<ProblemCategory>,
    /// Only problems in these statuses (none: any).
    pub statuses: Vec<ProblemStatus>,
    /// Only open problems (待办, 办理中, 退回) whose deadline is before this day.
    pub overdue_on: Option<NaiveDate>,
    /// Only problems of major projects.
    pub major: bool,
    /// Problems of projects of this region or one beneath it.
    pub region_id: Option<i64>,
    /// Only problems of this light on a day (see [`LightOn`]).
    pub light: Option<(Light, LightOn)>,
    /// As of a past day: the problems that existed at its end, each as it stood then (its
    /// earlier versions are kept by migration 0017's triggers).
    pub as_of: Option<crate::tasks::AsOf>,
}

/// The day a problem's light is read on, and the last day a deadline makes it yellow (the day
/// plus the warning days), as `zhaoyin_core::problem::light` decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LightOn {
    pub day: NaiveDate,
    pub warn_until: NaiveDate,
}

impl LightOn {
    /// SQL for problems of `light`; dates are written out (they are dates, not input), so the
    /// condition can stand in a `SELECT` list as well as in a `WHERE`.
    fn condition(self, light: Light) -> String {
        let open = "q.status IN ('open', 'in_progress', 'returned')";
        let (day, warn) = (self.day, self.warn_until);
        match light {
            Light::Red => format!("({open} AND q.deadline < '{day}')"),
            Light::Yellow => {
                format!("({open} AND q.deadline >= '{day}' AND q.deadline <= '{warn}')")
            }
            Light::Green => format!("(NOT {open} OR q.deadline > '{warn}')"),
        }
    }
}

/// `f`'s conditions, the problems' region read from `region` (`p.region_id` or, for
/// [`FROM_OWN`], `q.region_id`).
fn push_filter(w: &mut Sql, f: &ProblemFilter, region: &str) {
    crate::org::push_text_filter(w, &f.q, &["q.description", "p.name"]);
    if let Some(p) = f.project_id {
        w.push(" AND q.project_id = ").push_bind(p);
    }
    if !f.project_ids.is_empty() {
        w.push(" AND q.project_id IN ").push_list(&f.project_ids);
    }
    if !f.ids.is_empty() {
        w.push(" AND q.id IN ").push_list(&f.ids);
    }
    if let Some(u) = f.unit_id {
        w.push(" AND q.unit_id = ").push_bind(u);
    }
    if let Some(c) = f.category {
        w.push(" AND q.category = ").push_bind(c.id());
    }
    if !f.statuses.is_empty() {
        let ids: Vec<&str> = f.statuses.iter().map(|s| s.id()).collect();
        w.push(" AND q.status IN ").push_list(&ids);
    }
    if f.overdue_on.is_some() {
        let open: Vec<&str> = ProblemStatus::OPEN.iter().map(|s| s.id()).collect();
        w.push(" AND q.status IN ").push_list(&open);
    }
    if let Some(d) = f.overdue_on {
        w.push(" AND q.deadline < ").push_bind(d);
    }
    if f.major {
        w.push(" AND p.is_major = ").push_bind(true);
    }
    crate::org::push_within(w, region, f.region_id);
    if let Some((light, on)) = f.light {
        w.push(" AND ").push(&on.condition(light));
    }
}

/// Problems and their earlier versions.
pub const VERSIONED: crate::history::Versioned = crate::history::Versioned {
    table: "project_problems",
    versions: "project_problem_versions",
    columns: "id, project_id, category, description, unit_id, deadline, blocking, status, \
         status_reason, resolution, solved_at, closed_by, closed_at, explanation, explained_by, \
         explained_at, raised_by, version, created_at, updated_at, region_id",
    links: &[],
};

/// [`crate::history::arms`] of `select` from `from` (over problems `q` and their projects `p`,
/// or the problems alone: [`FROM_OWN`]), each narrowed to the problems `vis` admits and `f` asks
/// for, then `tail`.
fn arms(vis: &Visibility, select: &str, from: &str, f: &ProblemFilter, tail: &str) -> Sql {
    let (region, tables): (&str, &[&crate::history::Versioned]) = if from == FROM_OWN {
        ("q.region_id", &[&VERSIONED])
    } else {
        ("p.region_id", &[&VERSIONED, &crate::projects::VERSIONED])
    };
    crate::history::arms(select, from, tables, f.as_of.map(|a| a.end), |mut w| {
        push_region_visibility(&mut w, vis, region, Some(UNIT_READS));
        push_filter(&mut w, f, region);
        w.push(tail);
        w
    })
}

/// The problems `vis` admits and `f` asks for, `select`ed from `from`, as a `FROM …` fragment
/// and what a list selects from it and orders it by: the rows themselves, or as of a past day
/// the arms' rows (`x`).
fn listed(vis: &Visibility, select: &str, from: &str, f: &ProblemFilter) -> (Sql, String, String) {
    if f.as_of.is_none() {
        let w = arms(vis, "", from, f, "");
        return (w, select.to_string(), ORDER.to_string());
    }
    let mut w = arms(vis, select, from, f, "").prefixed(" FROM (");
    w.push(") x");
    (w, "SELECT *".to_string(), ORDER.replace("q.", "x."))
}

/// Unsolved problems by light on a day, and the solved and closed ones, grouped by `key` (a
/// column): (key, red, yellow, green, solved).
async fn lights_by(
    db: &Db,
    vis: &Visibility,
    f: &ProblemFilter,
    on: LightOn,
    by_region: bool,
) -> Result<Vec<(i64, i64, i64, i64, i64)>> {
    let (from, key) = match (own(vis, f), by_region) {
        (true, true) => (FROM_OWN, "q.region_id"),
        (true, false) => (FROM_OWN, "q.unit_id"),
        (false, true) => (FROM_BARE, "p.region_id"),
        (false, false) => (FROM_BARE, "q.unit_id"),
    };
    let open = "q.status IN ('open', 'in_progress', 'returned')";
    let count = |c: String, name: &str| format!("SUM(CASE WHEN {c} THEN 1 ELSE 0 END) AS {name}");
    let select = format!(
        "SELECT {key} AS k, {}, {}, {}, {}",
        count(on.condition(Light::Red), "red"),
        count(on.condition(Light::Yellow), "yellow"),
        count(
            format!("{open} AND {}", on.condition(Light::Green)),
            "green"
        ),
        count(format!("NOT {open}"), "solved"),
    );
    let arms = arms(vis, &select, from, f, &format!(" GROUP BY {key}"));
    db.all(crate::history::summed(
        &arms,
        "k",
        &["red", "yellow", "green", "solved"],
    ))
    .await
}

/// [`lights_by`] per project region (the dashboard sums them per region it shows).
pub async fn lights_by_region(
    db: &Db,
    vis: &Visibility,
    f: &ProblemFilter,
    on: LightOn,
) -> Result<Vec<(i64, i64, i64, i64, i64)>> {
    lights_by(db, vis, f, on, true).await
}

/// [`lights_by`] per responsible unit.
pub async fn lights_by_unit(
    db: &Db,
    vis: &Visibility,
    f: &ProblemFilter,
    on: LightOn,
) -> Result<Vec<(i64, i64, i64, i64, i64)>> {
    lights_by(db, vis, f, on, false).await
}

/// Open problems first, by deadline; then the rest, latest first.
const ORDER: &str = "CASE WHEN q.status IN ('open', 'in_progress', 'returned') THEN 0 ELSE 1 END, \
     CASE WHEN q.status IN ('open', 'in_progress', 'returned') THEN q.deadline END, \
     q.updated_at DESC, q.id DESC";

/// A page of the problems `vis` admits, with a count bounded at [`COUNT_BOUND`].
pub async fn list(
    db: &Db,
    vis: &Visibility,
    f: &ProblemFilter,
    page: Page,
) -> Result<(Vec<Problem>, i64)> {
    if own(vis, f) {
        return list_own(db, vis, f, page).await;
    }
    let narrow = crate::org::reach(db, vis, f.region_id).await?.narrow;
    let (count, ..) = listed(vis, "SELECT q.id", &from_for(FROM_BARE, narrow), f);
    let (total,): (i64,) = db.one(count.bounded_count(COUNT_BOUND)).await?;
    let (rows, select, order) = listed(vis, SELECT, &from_for(FROM, narrow), f);
    let rows = db.all(rows.page(&select, &order, page)).await?;
    Ok((rows, total))
}

/// [`list`] where the problems alone answer the filter ([`own`]): counted and the page found on
/// the problems, then only the page's read with their projects as they stood.
async fn list_own(
    db: &Db,
    vis: &Visibility,
    f: &ProblemFilter,
    page: Page,
) -> Result<(Vec<Problem>, i64)> {
    let (count, ..) = listed(vis, "SELECT q.id", FROM_OWN, f);
    let (total,): (i64,) = db.one(count.bounded_count(COUNT_BOUND)).await?;
    let (keys, _, order) = listed(
        vis,
        "SELECT q.id, q.status, q.deadline, q.updated_at",
        FROM_OWN,
        f,
    );
    let pick = if f.as_of.is_some() {
        "SELECT x.id"
    } else {
        "SELECT q.id"
    };
    let ids: Vec<(i64,)> = db.all(keys.page(pick, &order, page)).await?;
    if ids.is_empty() {
        return Ok((Vec::new(), total));
    }
    // The page's rows by their ids alone: they were found among what `vis` reads and `f` asks
    // for by the region each problem keeps, which on a day before its project moved (a move
    // before migration 0035) can differ from its project's then; tested again by the project's,
    // the page would come back short of its count.
    let f = ProblemFilter {
        ids: ids.into_iter().map(|(id,)| id).collect(),
        as_of: f.as_of,
        ..Default::default()
    };
    let (rows, select, order) = listed(&Visibility::everywhere(), SELECT, FROM, &f);
    let mut q = rows.prefixed(&select);
    q.push(" ORDER BY ").push(&order);
    Ok((db.all(q).await?, total))
}

/// `fragment` ([`FROM`] or [`FROM_BARE`]), for a county's reach (`narrow`) starting from the
/// projects: SQLite reads a `CROSS JOIN`'s left side first, so it reads the county's projects
/// and each one's problems by their index, instead of every open problem of a province by status
/// and deadline, testing each one's region (a county's overdue problems in the province's
/// database: 92 ms; PostgreSQL plans a `CROSS JOIN` as any join).
fn from_for(fragment: &str, narrow: bool) -> String {
    if !narrow {
        return fragment.to_string();
    }
    fragment
        .replacen(
            " FROM project_problems q JOIN projects p ON p.id = q.project_id",
            " FROM projects p CROSS JOIN project_problems q",
            1,
        )
        .replacen("WHERE 1 = 1", "WHERE q.project_id = p.id", 1)
}

/// The problems of a filter, unpaged up to [`EXPORT_LIMIT`] (a project page, the export).
pub async fn all(db: &Db, vis: &Visibility, f: &ProblemFilter) -> Result<Vec<Problem>> {
    let narrow = crate::org::reach(db, vis, f.region_id).await?.narrow;
    let (rows, select, order) = listed(vis, SELECT, &from_for(FROM, narrow), f);
    let mut q = rows.prefixed(&select);
    q.push(" ORDER BY ")
        .push(&order)
        .push(" LIMIT ")
        .push_bind(EXPORT_LIMIT);
    db.all(q).await
}

/// Rows one export or page reads at most.
pub const EXPORT_LIMIT: i64 = 20_000;

pub async fn get(db: &Db, id: i64) -> Result<Problem> {
    db.one(Sql::new(format!("{SELECT}{FROM} AND q.id = $1")).bind(id))
        .await
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<Problem> {
    tx.one(Sql::new(format!("{SELECT}{FROM} AND q.id = $1")).bind(id))
        .await
}

fn bind_fields(q: Sql, f: &ProblemFields) -> Sql {
    q.bind(f.category.id())
        .bind(&f.description)
        .bind(f.unit_id)
        .bind(f.deadline)
        .bind(f.blocking)
}

fn change(action: &'static str, p: &Problem) -> Change {
    Change::new(action, "problem", p.id).place(Some(p.region_id), Some(p.unit_id))
}

/// Reads the problem after a change in `tx`, audits the change from `before` and commits.
async fn recorded(
    mut tx: Tx,
    actor: &Actor,
    action: &'static str,
    before: &Problem,
) -> Result<Problem> {
    let after = get_in(&mut tx, before.id).await?;
    audit::append(
        &mut tx,
        actor,
        change(action, &after).before(before).after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A new problem of a project, open (待办).
pub async fn create(db: &Db, actor: &Actor, project_id: i64, f: &ProblemFields) -> Result<Problem> {
    let mut tx = db.begin().await?;
    let after = insert(&mut tx, actor, project_id, f).await?;
    tx.commit().await?;
    Ok(after)
}

/// Raises a problem in `tx` (a meeting's decision raises one with the decision).
pub(crate) async fn insert(
    tx: &mut Tx,
    actor: &Actor,
    project_id: i64,
    f: &ProblemFields,
) -> Result<Problem> {
    let q = Sql::new(
        "INSERT INTO project_problems (category, description, unit_id, deadline, blocking, \
         project_id, status, raised_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8) RETURNING id",
    );
    let (id,): (i64,) = tx
        .one(
            bind_fields(q, f)
                .bind(project_id)
                .bind(actor.user_id)
                .bind(now()),
        )
        .await?;
    let after = get_in(tx, id).await?;
    audit::append(tx, actor, change("create", &after).after(&after)).await?;
    Ok(after)
}

/// An edit made from `version`. A problem given to another unit (or a returned one assigned
/// again) is open again, with nothing of the earlier unit's handling left on it.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    f: &ProblemFields,
) -> Result<Problem> {
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, id).await?;
    let q = Sql::new(
        "UPDATE project_problems SET category = $1, description = $2, unit_id = $3, \
         deadline = $4, blocking = $5, version = version + 1, updated_at = $6 \
         WHERE id = $7 AND version = $8",
    );
    let n = tx
        .execute(bind_fields(q, f).bind(now()).bind(id).bind(version))
        .await?;
    check_updated(&mut tx, n, "project_problems", id).await?;
    if before.status() == ProblemStatus::Returned || before.unit_id != f.unit_id {
        tx.execute(
            Sql::new(
                "UPDATE project_problems SET status = 'open', status_reason = NULL, \
                 resolution = NULL, solved_at = NULL, explanation = NULL, explained_by = NULL, \
                 explained_at = NULL WHERE id = $1",
            )
            .bind(id),
        )
        .await?;
    }
    recorded(tx, actor, "update", &before).await
}

/// A status move as the service checked it against the row read at `version`, with the text it
/// carries (a resolution, or a reason) and the evidence of a solution.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    (from, to): (ProblemStatus, ProblemStatus),
    text: Option<String>,
    evidence: &[NewFile],
) -> Result<Problem> {
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, id).await?;
    let at = now();
    let mut q = Sql::new("UPDATE project_problems SET status = ");
    q.push_bind(to.id());
    match to {
        ProblemStatus::Solved => {
            q.push(", resolution = ")
                .push_bind(text)
                .push(", status_reason = NULL, solved_at = ")
                .push_bind(at);
        }
        ProblemStatus::Closed => {
            q.push(", closed_by = ")
                .push_bind(actor.user_id)
                .push(", closed_at = ")
                .push_bind(at);
        }
        _ => {
            q.push(", status_reason = ").push_bind(text);
        }
    }
    q.push(", version = version + 1, updated_at = ")
        .push_bind(at)
        .push(" WHERE id = ")
        .push_bind(id)
        .push(" AND version = ")
        .push_bind(version)
        .push(" AND status = ")
        .push_bind(from.id());
    let n = tx.execute(q).await?;
    check_updated(&mut tx, n, "project_problems", id).await?;
    crate::progress::attach(
        &mut tx,
        actor,
        before.project_id,
        Owner::Problem(id),
        evidence,
    )
    .await?;
    recorded(tx, actor, "status", &before).await
}

/// The responsible unit's written explanation (replacing an earlier one).
pub async fn explain(db: &Db, actor: &Actor, id: i64, version: i64, text: &str) -> Result<Problem> {
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, id).await?;
    let at = now();
    let q = Sql::new(
        "UPDATE project_problems SET explanation = $1, explained_by = $2, explained_at = $3, \
         version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
    )
    .bind(text)
    .bind(actor.user_id)
    .bind(at)
    .bind(id)
    .bind(version);
    let n = tx.execute(q).await?;
    check_updated(&mut tx, n, "project_problems", id).await?;
    recorded(tx, actor, "explain", &before).await
}
