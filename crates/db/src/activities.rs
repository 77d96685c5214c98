//! Recruiting activities: lists filtered by what the caller may see, counts per taking-part unit
//! over the same filter (so a figure and its list agree), and audited writes with optimistic
//! versions. Every unit taking part, the organising one included, is a row of `activity_units`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::activity::{ActivityFields, ActivityKind, ActivityStatus, COUNTED};
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_region_visibility};
use crate::{COUNT_BOUND, Db, FromRows, Result, Sql, Tx, escape_like, now};

/// Something an activity names: a unit, a leader, a company or a talent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Link {
    #[serde(skip)]
    pub activity_id: i64,
    pub id: i64,
    pub name: String,
}

/// A project an activity served, with where it sits (a reader who may not read the project
/// sees its number only).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ProjectLink {
    #[serde(skip)]
    pub activity_id: i64,
    pub id: i64,
    pub name: Option<String>,
    #[serde(skip)]
    pub unit_id: i64,
    #[serde(skip)]
    pub region_path: String,
}

impl ProjectLink {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.unit_id),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    pub region_id: i64,
    #[serde(skip)]
    pub region_path: String,
    /// The organising unit.
    pub unit_id: i64,
    pub unit_name: String,
    /// trip, visit, talks, promotion or signing.
    pub kind: String,
    pub abroad: bool,
    pub title: String,
    pub place: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub ends_on: NaiveDate,
    pub purpose: Option<String>,
    pub outcome: Option<String>,
    /// registered, approved, returned, done or cancelled.
    pub status: String,
    pub status_reason: Option<String>,
    /// A trip registered after its first day (补报).
    pub registered_late: bool,
    /// Who approved or returned the trip, and when.
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_by_name: Option<String>,
    /// Who registered it (an approver may not decide their own trip).
    #[serde(skip)]
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every unit taking part, the organising unit first.
    #[sqlx(skip)]
    pub units: Vec<Link>,
    #[sqlx(skip)]
    pub leaders: Vec<Link>,
    #[sqlx(skip)]
    pub companies: Vec<Link>,
    #[sqlx(skip)]
    pub talents: Vec<Link>,
    #[sqlx(skip)]
    pub projects: Vec<ProjectLink>,
}

impl Activity {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.unit_id),
        }
    }

    pub fn kind(&self) -> ActivityKind {
        ActivityKind::parse(&self.kind).unwrap_or(ActivityKind::Visit)
    }

    pub fn status(&self) -> ActivityStatus {
        ActivityStatus::parse(&self.status).unwrap_or(ActivityStatus::Done)
    }
}

const SELECT: &str = "SELECT a.id, a.region_id, r.path AS region_path, a.unit_id, \
     u.name AS unit_name, a.kind, a.abroad, a.title, a.place, a.starts_on, a.ends_on, a.purpose, \
     a.outcome, a.status, a.status_reason, a.registered_late, dus.display_name AS decided_by_name, \
     a.decided_at, cus.display_name AS created_by_name, a.created_by, a.version, a.created_at, a.updated_at";
const FROM: &str = " FROM activities a JOIN regions r ON r.id = a.region_id \
     JOIN units u ON u.id = a.unit_id LEFT JOIN users dus ON dus.id = a.decided_by \
     LEFT JOIN users cus ON cus.id = a.created_by WHERE 1 = 1";
const FROM_BARE: &str = " FROM activities a JOIN regions r ON r.id = a.region_id WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Title, place or purpose, or the title's pinyin.
    pub q: Option<String>,
    pub kind: Option<ActivityKind>,
    pub status: Option<ActivityStatus>,
    /// Only the activities the statistics count (approved trips, recorded activities).
    pub counted: bool,
    pub abroad: Option<bool>,
    pub late: Option<bool>,
    /// Activities this unit took part in (organised or joined).
    pub unit_id: Option<i64>,
    /// First day on or after / before.
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub leader_id: Option<i64>,
    pub company_id: Option<i64>,
    pub talent_id: Option<i64>,
    pub project_id: Option<i64>,
    /// Activities of this region or one beneath it.
    pub region_id: Option<i64>,
    /// As of a past day: the activities recorded by its end, each as it stood then, with the
    /// units then taking part (their earlier versions are kept by migration 0021's trigger).
    pub as_of: Option<crate::tasks::AsOf>,
}

fn push_filter(w: &mut Sql, f: &ActivityFilter) {
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push(" AND a.search LIKE ")
            .push_bind(format!("%{}%", escape_like(&q.to_lowercase())))
            .push(" ESCAPE '\\'");
    }
    if let Some(k) = f.kind {
        w.push(" AND a.kind = ").push_bind(k.id());
    }
    if let Some(s) = f.status {
        w.push(" AND a.status = ").push_bind(s.id());
    }
    if f.counted {
        let ids: Vec<&str> = COUNTED.iter().map(|s| s.id()).collect();
        w.push(" AND a.status IN ").push_list(&ids);
    }
    if let Some(b) = f.abroad {
        w.push(" AND a.abroad = ").push_bind(b);
    }
    if let Some(b) = f.late {
        w.push(" AND a.registered_late = ").push_bind(b);
    }
    if let Some(d) = f.from {
        w.push(" AND a.starts_on >= ").push_bind(d);
    }
    if let Some(d) = f.until {
        w.push(" AND a.starts_on < ").push_bind(d);
    }
    crate::org::push_within(w, "a.region_id", f.region_id);
    for (table, column, v) in [
        ("activity_units", "unit_id", f.unit_id),
        ("activity_leaders", "person_id", f.leader_id),
        ("activity_companies", "company_id", f.company_id),
        ("activity_talents", "talent_id", f.talent_id),
        ("activity_projects", "project_id", f.project_id),
    ] {
        if let Some(v) = v {
            w.push(" AND a.id IN (SELECT l.activity_id FROM ")
                .push(table)
                .push(" l WHERE l.")
                .push(column)
                .push(" = ")
                .push_bind(v)
                .push(")");
        }
    }
}

/// Activities keep their earlier versions (migration 0021).
pub const VERSIONED: crate::history::Versioned = crate::history::Versioned {
    table: "activities",
    versions: "activity_versions",
    columns: "id, region_id, unit_id, kind, abroad, title, place, starts_on, ends_on, purpose, \
         outcome, status, status_reason, registered_late, decided_by, decided_at, search, \
         version, created_by, created_at, updated_at",
    // The units taking part, as the per-unit counts (`su`) and the unit filter (`l`) read them;
    // a unit's read permission (`v`) is today's.
    links: &[crate::history::Link {
        table: "activity_units",
        versions: "activity_unit_versions",
        aliases: &["su", "l"],
    }],
};

/// A unit's grant reads the activities the unit takes part in (organised or joined; the
/// organiser is among `activity_units`), now, as of a past day too: what a reader may see is
/// today's permission, like the activity's own page. Writing stays with the organiser.
const TAKING_PART: &str =
    "a.id IN (SELECT v.activity_id FROM activity_units v WHERE v.unit_id IN {})";

/// [`crate::history::arms`] of `select` from `from` (over activities `a`), each narrowed to the
/// activities `vis` admits and `f` asks for, then `tail`.
fn arms(vis: &Visibility, select: &str, from: &str, f: &ActivityFilter, tail: &str) -> Sql {
    crate::history::arms(
        select,
        from,
        &[&VERSIONED],
        f.as_of.map(|a| a.end),
        |mut w| {
            push_region_visibility(&mut w, vis, "a.region_id", Some(TAKING_PART));
            push_filter(&mut w, f);
            w.push(tail);
            w
        },
    )
}

/// The activities `vis` admits and `f` asks for, `select`ed from `from`, as a `FROM …` fragment
/// and what a list selects from it and orders it by: the rows themselves, or as of a past day
/// the arms' rows (`x`).
fn listed(vis: &Visibility, select: &str, from: &str, f: &ActivityFilter) -> (Sql, String, String) {
    if f.as_of.is_none() {
        let w = arms(vis, "", from, f, "");
        return (w, select.to_string(), ORDER.to_string());
    }
    let mut w = arms(vis, select, from, f, "").prefixed(" FROM (");
    w.push(") x");
    (w, "SELECT *".to_string(), ORDER.replace("a.", "x."))
}

const ORDER: &str = "a.starts_on DESC, a.id DESC";

/// The names an activity links to, for a set of activities.
async fn attach<'c>(exec: impl Into<Exec<'c>>, rows: &mut [Activity]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let link = |select: &str, from: &str, order: &str| {
        let mut q = Sql::new(format!("{select} {from} WHERE l.activity_id IN "));
        q.push_list(&ids).push(" ORDER BY ").push(order);
        q
    };
    let queries = [
        link(
            "SELECT l.activity_id, x.id, x.name",
            "FROM activity_units l JOIN units x ON x.id = l.unit_id",
            "l.activity_id, x.sort_order, x.id",
        ),
        link(
            "SELECT l.activity_id, x.id, x.name",
            "FROM activity_leaders l JOIN people x ON x.id = l.person_id",
            "l.activity_id, x.id",
        ),
        link(
            "SELECT l.activity_id, x.id, x.name",
            "FROM activity_companies l JOIN companies x ON x.id = l.company_id",
            "l.activity_id, x.name, x.id",
        ),
        link(
            "SELECT l.activity_id, x.id, x.name",
            "FROM activity_talents l JOIN talents x ON x.id = l.talent_id",
            "l.activity_id, x.name, x.id",
        ),
    ];
    let mut exec = exec.into();
    let mut lists: Vec<Vec<Link>> = Vec::with_capacity(queries.len());
    for q in queries {
        lists.push(exec.all(q).await?);
    }
    let projects: Vec<ProjectLink> = exec
        .all(link(
            "SELECT l.activity_id, x.id, x.name, x.unit_id, pr.path AS region_path",
            "FROM activity_projects l JOIN projects x ON x.id = l.project_id \
             JOIN regions pr ON pr.id = x.region_id",
            "l.activity_id, x.id",
        ))
        .await?;
    let of = |list: &[Link], id: i64| -> Vec<Link> {
        list.iter()
            .filter(|l| l.activity_id == id)
            .cloned()
            .collect()
    };
    for a in rows {
        a.units = of(&lists[0], a.id);
        // The organising unit first.
        a.units.sort_by_key(|l| l.id != a.unit_id);
        a.leaders = of(&lists[1], a.id);
        a.companies = of(&lists[2], a.id);
        a.talents = of(&lists[3], a.id);
        a.projects = projects
            .iter()
            .filter(|p| p.activity_id == a.id)
            .cloned()
            .collect();
    }
    Ok(())
}

/// A database handle or an open transaction, to read the links through either.
enum Exec<'c> {
    Db(&'c Db),
    Tx(&'c mut Tx),
}

impl<'c> From<&'c Db> for Exec<'c> {
    fn from(db: &'c Db) -> Self {
        Exec::Db(db)
    }
}

impl<'c> From<&'c mut Tx> for Exec<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        Exec::Tx(tx)
    }
}

impl Exec<'_> {
    async fn all<T: FromRows>(&mut self, q: Sql) -> Result<Vec<T>> {
        match self {
            Exec::Db(db) => db.all(q).await,
            Exec::Tx(tx) => tx.all(q).await,
        }
    }
}

/// A page of the activities `vis` admits, latest first.
pub async fn list(
    db: &Db,
    vis: &Visibility,
    f: &ActivityFilter,
    page: Page,
) -> Result<(Vec<Activity>, i64)> {
    let (count, ..) = listed(vis, "SELECT a.id", FROM_BARE, f);
    let (total,): (i64,) = db.one(count.bounded_count(COUNT_BOUND)).await?;
    let (rows, select, order) = listed(vis, SELECT, FROM, f);
    let mut rows: Vec<Activity> = db.all(rows.page(&select, &order, page)).await?;
    attach(db, &mut rows).await?;
    Ok((rows, total))
}

/// Every activity of a filter, unpaged, latest first (for the export).
pub async fn all(db: &Db, vis: &Visibility, f: &ActivityFilter) -> Result<Vec<Activity>> {
    let (q, select, order) = listed(vis, SELECT, FROM, f);
    let mut q = q.prefixed(&select);
    q.push(" ORDER BY ").push(&order);
    let mut rows: Vec<Activity> = db.all(q).await?;
    for chunk in rows.chunks_mut(500) {
        attach(db, chunk).await?;
    }
    Ok(rows)
}

pub async fn get(db: &Db, id: i64) -> Result<Activity> {
    let mut a: Activity = db
        .one(Sql::new(format!("{SELECT}{FROM} AND a.id = $1")).bind(id))
        .await?;
    attach(db, std::slice::from_mut(&mut a)).await?;
    Ok(a)
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<Activity> {
    let mut a: Activity = tx
        .one(Sql::new(format!("{SELECT}{FROM} AND a.id = $1")).bind(id))
        .await?;
    attach(&mut *tx, std::slice::from_mut(&mut a)).await?;
    Ok(a)
}

impl UnitCounts {
    /// The counts in their order: trips, trips abroad (among the trips), visits, talks,
    /// promotions, signings.
    pub fn by_kind(&self) -> [i64; 6] {
        [
            self.trips,
            self.trips_abroad,
            self.visits,
            self.talks,
            self.promotions,
            self.signings,
        ]
    }
}

/// One unit's counted activities of a period, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct UnitCounts {
    pub unit_id: i64,
    pub trips: i64,
    pub trips_abroad: i64,
    pub visits: i64,
    pub talks: i64,
    pub promotions: i64,
    pub signings: i64,
}

/// Per taking-part unit, the activities of `f` by kind: each figure is the count the list
/// filtered by that unit (and kind) shows.
pub async fn counts_by_unit(
    db: &Db,
    vis: &Visibility,
    f: &ActivityFilter,
) -> Result<Vec<UnitCounts>> {
    let from = " FROM activities a JOIN regions r ON r.id = a.region_id \
         JOIN activity_units su ON su.activity_id = a.id WHERE 1 = 1";
    let f = ActivityFilter {
        unit_id: None,
        kind: None,
        ..f.clone()
    };
    let arms = arms(
        vis,
        &format!("SELECT su.unit_id AS unit_id, {KIND_COUNTS}"),
        from,
        &f,
        " GROUP BY su.unit_id",
    );
    db.all(crate::history::summed(&arms, "unit_id", &KINDS))
        .await
}

/// Per region (the activity's own), the activities of `f` by kind in the order of
/// [`UnitCounts`]'s figures (trips, trips abroad, visits, talks, promotions, signings): each
/// activity counted once however many units took part, so the regions' counts add up to the
/// list's.
pub async fn counts_by_region(
    db: &Db,
    vis: &Visibility,
    f: &ActivityFilter,
) -> Result<Vec<(i64, [i64; 6])>> {
    let f = ActivityFilter {
        kind: None,
        ..f.clone()
    };
    let arms = arms(
        vis,
        &format!("SELECT a.region_id AS unit_id, {KIND_COUNTS}"),
        FROM_BARE,
        &f,
        " GROUP BY a.region_id",
    );
    let rows: Vec<UnitCounts> = db
        .all(crate::history::summed(&arms, "unit_id", &KINDS))
        .await?;
    Ok(rows.into_iter().map(|c| (c.unit_id, c.by_kind())).collect())
}

/// The columns of [`UnitCounts`] after `unit_id`: their names, and how they are counted.
const KINDS: [&str; 6] = [
    "trips",
    "trips_abroad",
    "visits",
    "talks",
    "promotions",
    "signings",
];
const KIND_COUNTS: &str = "\
    CAST(COALESCE(SUM(CASE WHEN a.kind = 'trip' THEN 1 ELSE 0 END), 0) AS BIGINT) AS trips, \
    CAST(COALESCE(SUM(CASE WHEN a.kind = 'trip' AND a.abroad THEN 1 ELSE 0 END), 0) AS BIGINT) AS trips_abroad, \
    CAST(COALESCE(SUM(CASE WHEN a.kind = 'visit' THEN 1 ELSE 0 END), 0) AS BIGINT) AS visits, \
    CAST(COALESCE(SUM(CASE WHEN a.kind = 'talks' THEN 1 ELSE 0 END), 0) AS BIGINT) AS talks, \
    CAST(COALESCE(SUM(CASE WHEN a.kind = 'promotion' THEN 1 ELSE 0 END), 0) AS BIGINT) AS promotions, \
    CAST(COALESCE(SUM(CASE WHEN a.kind = 'signing' THEN 1 ELSE 0 END), 0) AS BIGINT) AS signings";

fn bind_fields(q: Sql, f: &ActivityFields) -> Sql {
    let search = zhaoyin_core::task::search_text(
        &format!("{} {}", f.place, f.purpose.as_deref().unwrap_or_default()),
        &f.title,
    );
    q.bind(f.kind.id())
        .bind(f.abroad)
        .bind(&f.title)
        .bind(&f.place)
        .bind(f.starts_on)
        .bind(f.ends_on)
        .bind(f.purpose.as_ref())
        .bind(f.outcome.as_ref())
        .bind(search)
}

async fn set_links(tx: &mut Tx, id: i64, unit_id: i64, f: &ActivityFields) -> Result<()> {
    let mut units = vec![unit_id];
    units.extend(f.unit_ids.iter().filter(|u| **u != unit_id));
    for (table, column, ids) in [
        ("activity_units", "unit_id", &units),
        ("activity_leaders", "person_id", &f.leader_ids),
        ("activity_companies", "company_id", &f.company_ids),
        ("activity_talents", "talent_id", &f.talent_ids),
        ("activity_projects", "project_id", &f.project_ids),
    ] {
        tx.execute(Sql::new(format!("DELETE FROM {table} WHERE activity_id = $1")).bind(id))
            .await?;
        for v in ids {
            tx.execute(
                Sql::new(format!(
                    "INSERT INTO {table} (activity_id, {column}) VALUES ($1, $2)"
                ))
                .bind(id)
                .bind(*v),
            )
            .await?;
        }
    }
    Ok(())
}

/// A new activity in `status` (registered for a trip, done otherwise).
pub async fn create(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    unit_id: i64,
    f: &ActivityFields,
    status: ActivityStatus,
    late: bool,
) -> Result<Activity> {
    let mut tx = db.begin().await?;
    let after = insert(&mut tx, actor, region_id, unit_id, f, status, late).await?;
    tx.commit().await?;
    Ok(after)
}

/// A new activity in `status` (registered for a trip, done otherwise).
async fn insert(
    tx: &mut Tx,
    actor: &Actor,
    region_id: i64,
    unit_id: i64,
    f: &ActivityFields,
    status: ActivityStatus,
    late: bool,
) -> Result<Activity> {
    let q = Sql::new(
        "INSERT INTO activities (kind, abroad, title, place, starts_on, ends_on, purpose, outcome, \
         search, region_id, unit_id, status, registered_late, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
         RETURNING id",
    );
    let (id,): (i64,) = tx
        .one(
            bind_fields(q, f)
                .bind(region_id)
                .bind(unit_id)
                .bind(status.id())
                .bind(late)
                .bind(actor.user_id)
                .bind(now()),
        )
        .await?;
    set_links(tx, id, unit_id, f).await?;
    let after = get_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("create", "activity", id)
            .place(Some(region_id), Some(unit_id))
            .after(&after),
    )
    .await?;
    Ok(after)
}

/// An edit made from `version`; `status` is the status after it (a returned trip, corrected,
/// is registered again, and the earlier decision and its reason are cleared) and `late` whether
/// it now counts as registered late.
#[allow(clippy::too_many_arguments)]
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    unit_id: i64,
    f: &ActivityFields,
    status: ActivityStatus,
    late: bool,
) -> Result<Activity> {
    let mut tx = db.begin().await?;
    let after = update_in(&mut tx, actor, id, version, unit_id, f, status, late).await?;
    tx.commit().await?;
    Ok(after)
}

#[allow(clippy::too_many_arguments)]
async fn update_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    version: i64,
    unit_id: i64,
    f: &ActivityFields,
    status: ActivityStatus,
    late: bool,
) -> Result<Activity> {
    let before = get_in(tx, id).await?;
    let again = status == ActivityStatus::Registered;
    let q = Sql::new(
        "UPDATE activities SET kind = $1, abroad = $2, title = $3, place = $4, starts_on = $5, \
         ends_on = $6, purpose = $7, outcome = $8, search = $9, unit_id = $10, status = $11, \
         registered_late = $12, \
         status_reason = CASE WHEN $13 THEN NULL ELSE status_reason END, \
         decided_by = CASE WHEN $13 THEN NULL ELSE decided_by END, \
         decided_at = CASE WHEN $13 THEN NULL ELSE decided_at END, \
         version = version + 1, updated_at = $14 WHERE id = $15 AND version = $16",
    );
    let n = tx
        .execute(
            bind_fields(q, f)
                .bind(unit_id)
                .bind(status.id())
                .bind(late)
                .bind(again)
                .bind(now())
                .bind(id)
                .bind(version),
        )
        .await?;
    check_updated(tx, n, "activities", id).await?;
    set_links(tx, id, unit_id, f).await?;
    let after = get_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("update", "activity", id)
            .place(Some(after.region_id), Some(after.unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

/// A status move, as the service checked it against the row read at `version`. An approver's
/// decision records who made it; completing a trip records its outcome.
#[derive(Debug, Clone)]
pub struct StatusMove {
    pub from: ActivityStatus,
    pub to: ActivityStatus,
    pub reason: Option<String>,
    pub outcome: Option<String>,
    pub decided: bool,
}

pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    m: &StatusMove,
) -> Result<Activity> {
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, id).await?;
    let at = now();
    let mut q = Sql::new("UPDATE activities SET status = ");
    q.push_bind(m.to.id())
        .push(", status_reason = ")
        .push_bind(m.reason.clone());
    if let Some(o) = &m.outcome {
        q.push(", outcome = ").push_bind(o.clone());
    }
    if m.decided {
        q.push(", decided_by = ")
            .push_bind(actor.user_id)
            .push(", decided_at = ")
            .push_bind(at);
    }
    q.push(", version = version + 1, updated_at = ")
        .push_bind(at)
        .push(" WHERE id = ")
        .push_bind(id)
        .push(" AND version = ")
        .push_bind(version)
        .push(" AND status = ")
        .push_bind(m.from.id());
    let n = tx.execute(q).await?;
    check_updated(&mut tx, n, "activities", id).await?;
    let after = get_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("status", "activity", id)
            .place(Some(after.region_id), Some(after.unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The activity an import row names: the same organiser, kind, first day and title.
pub async fn find(
    db: &Db,
    unit_id: i64,
    kind: ActivityKind,
    starts_on: NaiveDate,
    title: &str,
) -> Result<Option<Activity>> {
    let found: Option<(i64,)> = db
        .optional(
            Sql::new(
                "SELECT id FROM activities WHERE unit_id = $1 AND kind = $2 AND starts_on = $3 \
                 AND title = $4 ORDER BY id LIMIT 1",
            )
            .bind(unit_id)
            .bind(kind.id())
            .bind(starts_on)
            .bind(title),
        )
        .await?;
    match found {
        Some((id,)) => Ok(Some(get(db, id).await?)),
        None => Ok(None),
    }
}

/// One checked row of an import: a new activity, or an existing one (id, version) to update,
/// with the status and late mark it is left with.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub row: usize,
    pub region_id: i64,
    pub unit_id: i64,
    pub existing: Option<(i64, i64)>,
    pub fields: ActivityFields,
    pub status: ActivityStatus,
    pub late: bool,
}

/// Writes an import in one transaction: all rows or none; a problem found while writing is
/// named at its row.
pub async fn import(db: &Db, actor: &Actor, sheet: &str, rows: &[ImportRow]) -> Result<()> {
    let mut tx = db.begin().await?;
    for r in rows {
        match r.existing {
            Some((id, version)) => {
                update_in(
                    &mut tx, actor, id, version, r.unit_id, &r.fields, r.status, r.late,
                )
                .await
            }
            None => {
                insert(
                    &mut tx,
                    actor,
                    r.region_id,
                    r.unit_id,
                    &r.fields,
                    r.status,
                    r.late,
                )
                .await
            }
        }
        .map_err(|e| e.at_row(sheet, r.row))?;
    }
    tx.commit().await?;
    Ok(())
}
