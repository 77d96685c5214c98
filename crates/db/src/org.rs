//! Regions, units and people: lists filtered by what the caller may see, and audited writes
//! with optimistic concurrency (every edit names the version it was made from).

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::org::{PersonFields, Place, RegionFields, UnitFields, child_path};
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid};

use crate::audit::{self, Actor, Change};
use crate::{Db, Error, Result, Sql, Tx, escape_like, now};

/// The unit part of a visibility test: `unit IN (ids)` for a column; an expression holding `{}`
/// has the list put in its place (e.g. a row admitted through a table of its units).
fn push_unit_test(w: &mut Sql, unit: &str, ids: &[i64]) {
    match unit.split_once("{}") {
        Some((before, after)) => w.push(before).push_list(ids).push(after),
        None => w.push(unit).push(" IN ").push_list(ids),
    };
}

/// Appends ` AND (…)` restricting rows to what `vis` admits. `path` is the SQL expression of the
/// row's region path, `unit` that of its unit id (None for regions themselves; see
/// [`push_unit_test`]).
pub(crate) fn push_visibility(w: &mut Sql, vis: &Visibility, path: &str, unit: Option<&str>) {
    w.push(" AND (");
    let mut first = true;
    let mut or = |w: &mut Sql| {
        if !first {
            w.push(" OR ");
        }
        first = false;
    };
    for p in &vis.subtrees {
        or(w);
        w.push(path).push(" LIKE ").push_bind(format!("{p}%"));
    }
    for p in &vis.ancestors_of {
        or(w);
        w.push_bind(p).push(" LIKE ").push(path).push(" || '%'");
    }
    if let (Some(unit), false) = (unit, vis.units.is_empty()) {
        or(w);
        push_unit_test(w, unit, &vis.units);
    }
    if first {
        w.push("1 = 0");
    }
    w.push(")");
}

/// Whether a visibility reaches only into counties (or below): every subtree at least three
/// levels deep (`/province/city/county/`).
pub(crate) fn is_narrow(vis: &Visibility) -> bool {
    vis.subtrees.iter().all(|p| p.matches('/').count() > 3)
}

/// Where what `vis` reads of region `region_id` (or of all it reaches) lies.
pub(crate) struct Reach {
    /// In one county or below.
    pub narrow: bool,
    /// Wider: the path of the region asked for, if any (for a path test on the joined region).
    pub wide_path: Option<String>,
}

pub(crate) async fn reach(db: &Db, vis: &Visibility, region_id: Option<i64>) -> Result<Reach> {
    let narrow = Reach {
        narrow: true,
        wide_path: None,
    };
    if is_narrow(vis) {
        return Ok(narrow);
    }
    let Some(id) = region_id else {
        return Ok(Reach {
            narrow: false,
            wide_path: None,
        });
    };
    let path: Option<(String,)> = db
        .optional(Sql::new("SELECT path FROM regions WHERE id = $1").bind(id))
        .await?;
    Ok(match path {
        Some((p,)) if p.matches('/').count() > 3 => narrow,
        path => Reach {
            narrow: false,
            wide_path: path.map(|(p,)| p),
        },
    })
}

impl Reach {
    /// The region id a project filter keeps: none where the region is tested by its path.
    pub fn region_id(&self, id: Option<i64>) -> Option<i64> {
        id.filter(|_| self.wide_path.is_none())
    }

    /// Tests the joined region `r` by the wide region's path pattern, which PostgreSQL estimates
    /// from its statistics (named by id, a province was guessed at a few regions).
    pub fn push_path(&self, w: &mut Sql) {
        if let Some(path) = &self.wide_path {
            w.push(" AND r.path LIKE ").push_bind(format!("{path}%"));
        }
    }

    /// `q`, planned with its values each run where the pattern tells how much it covers.
    pub fn planned(&self, q: Sql) -> Sql {
        match self.wide_path {
            Some(_) => q.planned_each_run(),
            None => q,
        }
    }
}

/// [`push_visibility`] for rows that carry their region's id (`region`) and are joined to that
/// region as `r`. A county's (or a town's) reach is written as `region IN (its regions)`, so the
/// planner starts from the rows' region index: at province scale a county supervisor's list
/// reads the county's rows, not every row in list order testing each one's region. A wider reach
/// (a city, a province: most rows are visible anyway) keeps the path test on the joined region.
pub(crate) fn push_region_visibility(
    w: &mut Sql,
    vis: &Visibility,
    region: &str,
    unit: Option<&str>,
) {
    if !is_narrow(vis) {
        push_visibility(w, vis, "r.path", unit);
        return;
    }
    let regions = !vis.subtrees.is_empty() || !vis.ancestors_of.is_empty();
    let units = match unit {
        Some(unit) if !vis.units.is_empty() => Some(unit),
        _ => None,
    };
    w.push(" AND (");
    if regions && vis.subtrees.is_empty() {
        // Only the regions above a unit (a clerk's): the ids its path is made of, bound, so
        // that with the unit's own rows PostgreSQL joins two index scans (a bitmap `OR`) rather
        // than testing every row against a subquery (37 ms to 0.8 ms at province scale).
        let ids: Vec<i64> = vis
            .ancestors_of
            .iter()
            .flat_map(|p| zhaoyin_core::org::path_ids(p))
            .collect();
        if ids.is_empty() {
            w.push("1 = 0");
        } else {
            w.push(region).push(" IN ").push_list(&ids);
        }
    } else if regions {
        // One set of regions, however many grants make it: two sets joined by `OR` are tested
        // row by row (PostgreSQL scanned every company at province scale), one is a semi-join.
        w.push(region)
            .push(" IN (SELECT vr.id FROM regions vr WHERE ");
        let mut first = true;
        for p in &vis.subtrees {
            if !std::mem::take(&mut first) {
                w.push(" OR ");
            }
            w.push("vr.path LIKE ").push_bind(format!("{p}%"));
        }
        for p in &vis.ancestors_of {
            if !std::mem::take(&mut first) {
                w.push(" OR ");
            }
            w.push_bind(p).push(" LIKE vr.path || '%'");
        }
        w.push(")");
    }
    match units {
        Some(unit) => {
            if regions {
                w.push(" OR ");
            }
            push_unit_test(w, unit, &vis.units);
        }
        None if !regions => {
            w.push("1 = 0");
        }
        None => {}
    }
    w.push(")");
}

/// Rows whose region (`region`, a column holding a region id) is `region_id` or lies beneath it:
/// the region filter of every list and dashboard, applied on top of the caller's visibility.
pub(crate) fn push_within(w: &mut Sql, region: &str, region_id: Option<i64>) {
    if let Some(id) = region_id {
        w.push(" AND ")
            .push(region)
            .push(
                " IN (SELECT wr.id FROM regions wr JOIN regions wt ON wr.path LIKE wt.path || '%' \
                 WHERE wt.id = ",
            )
            .push_bind(id)
            .push(")");
    }
}

/// A region filter, by its id ([`push_within`]) or by its path's pattern (`/1/7/%`), which
/// PostgreSQL estimates from the column's statistics where a subtree named by id is guessed at
/// a few regions: what a province-wide read as of a past day needs to choose hashing its
/// histories over looking each task's up ([`path_pattern`] reads it).
#[derive(Debug, Clone, Default)]
pub enum Within {
    #[default]
    Anywhere,
    Id(i64),
    Path(String),
}

impl Within {
    /// A region by its id, if any.
    pub fn id(region_id: Option<i64>) -> Self {
        region_id.map_or(Within::Anywhere, Within::Id)
    }

    pub(crate) fn push(&self, w: &mut Sql, region: &str) {
        match self {
            Within::Anywhere => {}
            Within::Id(id) => push_within(w, region, Some(*id)),
            Within::Path(p) => {
                w.push(" AND EXISTS (SELECT 1 FROM regions wr WHERE wr.id = ")
                    .push(region)
                    .push(" AND wr.path LIKE ")
                    .push_bind(p.clone())
                    .push(")");
            }
        }
    }
}

/// The pattern of region `id`'s subtree for [`Within::Path`] (a path is ids between slashes,
/// as the visibility's patterns read it).
pub(crate) async fn path_pattern(db: &Db, id: i64) -> Result<String> {
    let (path,): (String,) = db
        .one(Sql::new("SELECT path FROM regions WHERE id = $1").bind(id))
        .await?;
    Ok(format!("{path}%"))
}

pub(crate) fn push_text_filter(w: &mut Sql, q: &Option<String>, columns: &[&str]) {
    let Some(q) = q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
        return;
    };
    let pat = format!("%{}%", escape_like(&q.to_lowercase()));
    w.push(" AND (");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            w.push(" OR ");
        }
        w.push("LOWER(")
            .push(c)
            .push(") LIKE ")
            .push_bind(pat.clone())
            .push(" ESCAPE '\\'");
    }
    w.push(")");
}

/// A list with its exact count (organisation tables are small; big ones use a bounded count).
pub(crate) async fn page_of<T: crate::FromRows>(
    db: &Db,
    w: &Sql,
    select: &str,
    order: &str,
    page: Page,
) -> Result<(Vec<T>, i64)> {
    let (total,): (i64,) = db.one(w.prefixed("SELECT COUNT(*)")).await?;
    Ok((db.all(w.page(select, order, page)).await?, total))
}

/// Fails with [`Error::Stale`] when an update touched nothing because the version moved on, or
/// [`Error::NotFound`] when the row is gone.
pub(crate) async fn check_updated(tx: &mut Tx, n: u64, table: &str, id: i64) -> Result<()> {
    if n == 1 {
        return Ok(());
    }
    let exists: Option<(i64,)> = tx
        .optional(Sql::new(format!("SELECT id FROM {table} WHERE id = $1")).bind(id))
        .await?;
    Err(if exists.is_some() {
        Error::Stale
    } else {
        Error::NotFound
    })
}

// ----------------------------------------------------------------------------------- regions

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Region {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub path: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Region {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.path.clone(),
            unit_id: None,
        }
    }
}

const REGION_SELECT: &str = "SELECT r.id, r.code, r.name, r.level, r.parent_id, p.name AS parent_name, \
     r.path, r.active, r.version, r.created_at, r.updated_at";
const REGION_FROM: &str = " FROM regions r LEFT JOIN regions p ON p.id = r.parent_id WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    pub q: Option<String>,
    pub level: Option<String>,
    pub parent_id: Option<i64>,
    pub include_inactive: bool,
}

pub async fn list_regions(
    db: &Db,
    vis: &Visibility,
    f: &RegionFilter,
    page: Page,
) -> Result<(Vec<Region>, i64)> {
    let mut w = Sql::new(REGION_FROM);
    push_visibility(&mut w, vis, "r.path", None);
    push_text_filter(&mut w, &f.q, &["r.name", "r.code"]);
    if let Some(level) = &f.level {
        w.push(" AND r.level = ").push_bind(level);
    }
    if let Some(parent) = f.parent_id {
        w.push(" AND r.parent_id = ").push_bind(parent);
    }
    if !f.include_inactive {
        w.push(" AND r.active = ").push_bind(true);
    }
    page_of(db, &w, REGION_SELECT, "r.path", page).await
}

/// The active provinces, cities and counties `vis` reads, towns left out, in path order: the
/// choices of a region filter, in one statement.
pub async fn region_choices(db: &Db, vis: &Visibility) -> Result<Vec<Region>> {
    let mut w = Sql::new(format!("{REGION_SELECT}{REGION_FROM}"));
    push_visibility(&mut w, vis, "r.path", None);
    w.push(" AND r.level IN ")
        .push_list(&["province", "city", "county"])
        .push(" AND r.active = ")
        .push_bind(true)
        .push(" ORDER BY r.path");
    db.all(w).await
}

/// Every region at `path` or beneath it: (id, path), for summing figures counted per region
/// into the areas a dashboard shows.
pub async fn regions_under(db: &Db, path: &str) -> Result<Vec<(i64, String)>> {
    db.all(
        Sql::new(
            "SELECT r.id, r.path FROM regions r WHERE r.path LIKE $1 ESCAPE '\\' ORDER BY r.path",
        )
        .bind(format!("{}%", escape_like(path))),
    )
    .await
}

/// The active regions directly beneath `parent_id`: (id, name, path), in path order.
pub async fn child_regions(db: &Db, parent_id: i64) -> Result<Vec<(i64, String, String)>> {
    db.all(
        Sql::new(
            "SELECT r.id, r.name, r.path FROM regions r WHERE r.parent_id = $1 AND r.active = $2 \
             ORDER BY r.path",
        )
        .bind(parent_id)
        .bind(true),
    )
    .await
}

pub async fn get_region(db: &Db, id: i64) -> Result<Region> {
    db.one(Sql::new(format!("{REGION_SELECT}{REGION_FROM} AND r.id = $1")).bind(id))
        .await
}

pub async fn region_by_code(db: &Db, code: &str) -> Result<Option<Region>> {
    db.optional(Sql::new(format!("{REGION_SELECT}{REGION_FROM} AND r.code = $1")).bind(code))
        .await
}

async fn region_in(tx: &mut Tx, id: i64) -> Result<Region> {
    tx.one(Sql::new(format!("{REGION_SELECT}{REGION_FROM} AND r.id = $1")).bind(id))
        .await
}

pub async fn create_region(
    db: &Db,
    actor: &Actor,
    parent_id: Option<i64>,
    f: &RegionFields,
) -> Result<Region> {
    let mut tx = db.begin().await?;
    let parent_path: Option<String> = match parent_id {
        Some(pid) => Some(region_in(&mut tx, pid).await?.path),
        None => None,
    };
    let t = now();
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO regions (code, name, level, parent_id, path, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, '', $5, $5) RETURNING id",
            )
            .bind(&f.code)
            .bind(&f.name)
            .bind(f.level.id())
            .bind(parent_id)
            .bind(t),
        )
        .await?;
    tx.execute(
        Sql::new("UPDATE regions SET path = $1 WHERE id = $2")
            .bind(child_path(parent_path.as_deref(), id))
            .bind(id),
    )
    .await?;
    let after = region_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "region", id)
            .place(Some(id), None)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Changes code and name (level and parent are fixed once created: paths depend on them).
pub async fn update_region(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    code: &str,
    name: &str,
) -> Result<Region> {
    let mut tx = db.begin().await?;
    let before = region_in(&mut tx, id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE regions SET code = $1, name = $2, version = version + 1, updated_at = $3 \
                 WHERE id = $4 AND version = $5",
            )
            .bind(code)
            .bind(name)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(&mut tx, n, "regions", id).await?;
    let after = region_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("update", "region", id)
            .place(Some(id), None)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Disabling a region that still has active sub-regions or units is refused.
pub async fn set_region_active(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    active: bool,
) -> Result<Region> {
    let mut tx = db.begin().await?;
    let before = region_in(&mut tx, id).await?;
    if !active {
        let (n,): (i64,) = tx
            .one(
                Sql::new(
                    "SELECT (SELECT COUNT(*) FROM regions WHERE parent_id = $1 AND active = $2) \
                     + (SELECT COUNT(*) FROM units WHERE region_id = $1 AND active = $2)",
                )
                .bind(id)
                .bind(true),
            )
            .await?;
        if n > 0 {
            return Err(
                Invalid::one(FieldError::new("active", "err.region_in_use").with("n", n)).into(),
            );
        }
    }
    let n = tx
        .execute(
            Sql::new(
                "UPDATE regions SET active = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND version = $4",
            )
            .bind(active)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(&mut tx, n, "regions", id).await?;
    let after = region_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new(if active { "enable" } else { "disable" }, "region", id)
            .place(Some(id), None)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ------------------------------------------------------------------------------------- units

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub region_id: i64,
    pub region_name: String,
    pub region_path: String,
    pub phone: Option<String>,
    pub sort_order: i64,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Unit {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.id),
        }
    }
}

const UNIT_SELECT: &str = "SELECT u.id, u.code, u.name, u.short_name, u.kind, u.region_id, \
     r.name AS region_name, r.path AS region_path, u.phone, u.sort_order, u.active, u.version, \
     u.created_at, u.updated_at";
const UNIT_FROM: &str = " FROM units u JOIN regions r ON r.id = u.region_id WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub q: Option<String>,
    /// The region and everything beneath it.
    pub region_id: Option<i64>,
    pub kind: Option<String>,
    pub include_inactive: bool,
}

async fn push_region_subtree(db: &Db, w: &mut Sql, region_id: Option<i64>) -> Result<()> {
    if let Some(rid) = region_id {
        let (path,): (String,) = db
            .optional(Sql::new("SELECT path FROM regions WHERE id = $1").bind(rid))
            .await?
            .unwrap_or_else(|| ("/none/".to_string(),));
        w.push(" AND r.path LIKE ").push_bind(format!("{path}%"));
    }
    Ok(())
}

pub async fn list_units(
    db: &Db,
    vis: &Visibility,
    f: &UnitFilter,
    page: Page,
) -> Result<(Vec<Unit>, i64)> {
    let mut w = Sql::new(UNIT_FROM);
    push_visibility(&mut w, vis, "r.path", Some("u.id"));
    push_text_filter(&mut w, &f.q, &["u.name", "u.short_name", "u.code"]);
    push_region_subtree(db, &mut w, f.region_id).await?;
    if let Some(kind) = &f.kind {
        w.push(" AND u.kind = ").push_bind(kind);
    }
    if !f.include_inactive {
        w.push(" AND u.active = ").push_bind(true);
    }
    page_of(db, &w, UNIT_SELECT, "r.path, u.sort_order, u.code", page).await
}

/// The names of units, by id (ids not found are left out).
pub async fn unit_names(db: &Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let mut q = Sql::new("SELECT id, name FROM units WHERE id IN ");
    q.push_list(ids);
    let rows: Vec<(i64, String)> = db.all(q).await?;
    Ok(rows.into_iter().collect())
}

pub async fn get_unit(db: &Db, id: i64) -> Result<Unit> {
    db.one(Sql::new(format!("{UNIT_SELECT}{UNIT_FROM} AND u.id = $1")).bind(id))
        .await
}

pub async fn unit_by_code(db: &Db, code: &str) -> Result<Option<Unit>> {
    db.optional(Sql::new(format!("{UNIT_SELECT}{UNIT_FROM} AND u.code = $1")).bind(code))
        .await
}

async fn unit_in(tx: &mut Tx, id: i64) -> Result<Unit> {
    tx.one(Sql::new(format!("{UNIT_SELECT}{UNIT_FROM} AND u.id = $1")).bind(id))
        .await
}

pub(crate) async fn insert_unit(
    tx: &mut Tx,
    actor: &Actor,
    region_id: i64,
    f: &UnitFields,
) -> Result<Unit> {
    let t = now();
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO units (code, name, short_name, kind, region_id, phone, sort_order, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&f.code)
            .bind(&f.name)
            .bind(f.short_name.as_ref())
            .bind(f.kind.id())
            .bind(region_id)
            .bind(f.phone.as_ref())
            .bind(f.sort_order)
            .bind(t),
        )
        .await?;
    let after = unit_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("create", "unit", id)
            .place(Some(region_id), Some(id))
            .after(&after),
    )
    .await?;
    Ok(after)
}

async fn update_unit_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    version: i64,
    region_id: i64,
    f: &UnitFields,
) -> Result<Unit> {
    let before = unit_in(tx, id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE units SET code = $1, name = $2, short_name = $3, kind = $4, region_id = $5, \
                 phone = $6, sort_order = $7, version = version + 1, updated_at = $8 \
                 WHERE id = $9 AND version = $10",
            )
            .bind(&f.code)
            .bind(&f.name)
            .bind(f.short_name.as_ref())
            .bind(f.kind.id())
            .bind(region_id)
            .bind(f.phone.as_ref())
            .bind(f.sort_order)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(tx, n, "units", id).await?;
    let after = unit_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("update", "unit", id)
            .place(Some(region_id), Some(id))
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

pub async fn create_unit(db: &Db, actor: &Actor, region_id: i64, f: &UnitFields) -> Result<Unit> {
    let mut tx = db.begin().await?;
    let u = insert_unit(&mut tx, actor, region_id, f).await?;
    tx.commit().await?;
    Ok(u)
}

pub async fn update_unit(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    region_id: i64,
    f: &UnitFields,
) -> Result<Unit> {
    let mut tx = db.begin().await?;
    let u = update_unit_in(&mut tx, actor, id, version, region_id, f).await?;
    tx.commit().await?;
    Ok(u)
}

/// Disabling a unit that still has active accounts is refused: disable those first.
pub async fn set_unit_active(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    active: bool,
) -> Result<Unit> {
    let mut tx = db.begin().await?;
    let before = unit_in(&mut tx, id).await?;
    if !active {
        let (n,): (i64,) = tx
            .one(
                Sql::new("SELECT COUNT(*) FROM users WHERE unit_id = $1 AND active = $2")
                    .bind(id)
                    .bind(true),
            )
            .await?;
        if n > 0 {
            return Err(
                Invalid::one(FieldError::new("active", "err.unit_in_use").with("n", n)).into(),
            );
        }
    }
    let n = tx
        .execute(
            Sql::new(
                "UPDATE units SET active = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND version = $4",
            )
            .bind(active)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(&mut tx, n, "units", id).await?;
    let after = unit_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new(if active { "enable" } else { "disable" }, "unit", id)
            .place(Some(after.region_id), Some(id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ------------------------------------------------------------------------------------ people

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_code: String,
    pub region_id: i64,
    pub region_path: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Person {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.unit_id),
        }
    }
}

const PERSON_SELECT: &str = "SELECT p.id, p.name, p.title, p.unit_id, u.name AS unit_name, \
     u.code AS unit_code, u.region_id, r.path AS region_path, p.phone, p.email, p.active, \
     p.version, p.created_at, p.updated_at";
const PERSON_FROM: &str = " FROM people p JOIN units u ON u.id = p.unit_id \
     JOIN regions r ON r.id = u.region_id WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub region_id: Option<i64>,
    pub include_inactive: bool,
}

pub async fn list_people(
    db: &Db,
    vis: &Visibility,
    f: &PersonFilter,
    page: Page,
) -> Result<(Vec<Person>, i64)> {
    let mut w = Sql::new(PERSON_FROM);
    push_visibility(&mut w, vis, "r.path", Some("u.id"));
    push_text_filter(&mut w, &f.q, &["p.name", "p.title"]);
    push_region_subtree(db, &mut w, f.region_id).await?;
    if let Some(unit) = f.unit_id {
        w.push(" AND p.unit_id = ").push_bind(unit);
    }
    if !f.include_inactive {
        w.push(" AND p.active = ").push_bind(true);
    }
    page_of(
        db,
        &w,
        PERSON_SELECT,
        "r.path, u.sort_order, u.code, p.id",
        page,
    )
    .await
}

/// Every active person `vis` admits, unpaged, in the list's order: what a form offers to
/// choose from and an import looks names up in (a county's people, however many).
pub async fn all_people(db: &Db, vis: &Visibility) -> Result<Vec<Person>> {
    let mut w = Sql::new(PERSON_FROM);
    push_visibility(&mut w, vis, "r.path", Some("u.id"));
    w.push(" AND p.active = ").push_bind(true);
    let mut q = w.prefixed(PERSON_SELECT);
    q.push(" ORDER BY r.path, u.sort_order, u.code, p.id");
    db.all(q).await
}

pub async fn get_person(db: &Db, id: i64) -> Result<Person> {
    db.one(Sql::new(format!("{PERSON_SELECT}{PERSON_FROM} AND p.id = $1")).bind(id))
        .await
}

async fn person_in(tx: &mut Tx, id: i64) -> Result<Person> {
    tx.one(Sql::new(format!("{PERSON_SELECT}{PERSON_FROM} AND p.id = $1")).bind(id))
        .await
}

async fn insert_person(
    tx: &mut Tx,
    actor: &Actor,
    unit_id: i64,
    f: &PersonFields,
) -> Result<Person> {
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO people (name, title, unit_id, phone, email, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(&f.name)
            .bind(f.title.as_ref())
            .bind(unit_id)
            .bind(f.phone.as_ref())
            .bind(f.email.as_ref())
            .bind(now()),
        )
        .await?;
    let after = person_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("create", "person", id)
            .place(Some(after.region_id), Some(unit_id))
            .after(&after),
    )
    .await?;
    Ok(after)
}

async fn update_person_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    version: i64,
    unit_id: i64,
    f: &PersonFields,
) -> Result<Person> {
    let before = person_in(tx, id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE people SET name = $1, title = $2, unit_id = $3, phone = $4, email = $5, \
                 version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
            )
            .bind(&f.name)
            .bind(f.title.as_ref())
            .bind(unit_id)
            .bind(f.phone.as_ref())
            .bind(f.email.as_ref())
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(tx, n, "people", id).await?;
    let after = person_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("update", "person", id)
            .place(Some(after.region_id), Some(unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

pub async fn create_person(
    db: &Db,
    actor: &Actor,
    unit_id: i64,
    f: &PersonFields,
) -> Result<Person> {
    let mut tx = db.begin().await?;
    let p = insert_person(&mut tx, actor, unit_id, f).await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn update_person(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    unit_id: i64,
    f: &PersonFields,
) -> Result<Person> {
    let mut tx = db.begin().await?;
    let p = update_person_in(&mut tx, actor, id, version, unit_id, f).await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn set_person_active(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    active: bool,
) -> Result<Person> {
    let mut tx = db.begin().await?;
    let before = person_in(&mut tx, id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE people SET active = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND version = $4",
            )
            .bind(active)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(&mut tx, n, "people", id).await?;
    let after = person_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new(if active { "enable" } else { "disable" }, "person", id)
            .place(Some(after.region_id), Some(after.unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ------------------------------------------------------------------------------------ import

/// A unit row of a workbook, validated and with its region resolved.
#[derive(Debug, Clone)]
pub struct UnitRow {
    pub row: usize,
    pub region_id: i64,
    pub fields: UnitFields,
}

/// A person row of a workbook; the unit is named by code (it may be created by the same file).
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub row: usize,
    pub unit_code: String,
    pub fields: PersonFields,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub units_created: u32,
    pub units_updated: u32,
    pub units_unchanged: u32,
    pub people_created: u32,
    pub people_updated: u32,
    pub people_unchanged: u32,
}

/// Units existing under the given codes (for permission checks before an import).
pub async fn units_by_codes(db: &Db, codes: &[String]) -> Result<Vec<Unit>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!("{UNIT_SELECT}{UNIT_FROM} AND u.code IN "));
    q.push_list(codes);
    db.all(q).await
}

/// Applies a whole workbook in one transaction: units are matched by code, people by unit and
/// name; unchanged rows are left alone, so importing the same file twice changes nothing.
/// Any failure rolls everything back.
pub async fn import(
    db: &Db,
    actor: &Actor,
    units: &[UnitRow],
    people: &[PersonRow],
) -> Result<ImportSummary> {
    let mut s = ImportSummary::default();
    let mut tx = db.begin().await?;
    for r in units {
        let existing: Option<Unit> = tx
            .optional(
                Sql::new(format!("{UNIT_SELECT}{UNIT_FROM} AND u.code = $1")).bind(&r.fields.code),
            )
            .await?;
        match existing {
            None => {
                insert_unit(&mut tx, actor, r.region_id, &r.fields).await?;
                s.units_created += 1;
            }
            Some(u) => {
                let same = u.name == r.fields.name
                    && u.short_name == r.fields.short_name
                    && u.kind == r.fields.kind.id()
                    && u.region_id == r.region_id
                    && u.phone == r.fields.phone
                    && u.sort_order == r.fields.sort_order;
                if same {
                    s.units_unchanged += 1;
                } else {
                    update_unit_in(&mut tx, actor, u.id, u.version, r.region_id, &r.fields).await?;
                    s.units_updated += 1;
                }
            }
        }
    }
    for r in people {
        let unit: Option<(i64,)> = tx
            .optional(Sql::new("SELECT id FROM units WHERE code = $1").bind(&r.unit_code))
            .await?;
        let Some((unit_id,)) = unit else {
            return Err(Invalid::one(
                FieldError::new("unit_code", "err.unknown_unit")
                    .with("code", &r.unit_code)
                    .at_row("people", r.row),
            )
            .into());
        };
        let existing: Option<Person> = tx
            .optional(
                Sql::new(format!(
                    "{PERSON_SELECT}{PERSON_FROM} AND p.unit_id = $1 AND p.name = $2 ORDER BY p.id LIMIT 1"
                ))
                .bind(unit_id)
                .bind(&r.fields.name),
            )
            .await?;
        match existing {
            None => {
                insert_person(&mut tx, actor, unit_id, &r.fields).await?;
                s.people_created += 1;
            }
            Some(p) => {
                let same = p.title == r.fields.title
                    && p.phone == r.fields.phone
                    && p.email == r.fields.email;
                if same {
                    s.people_unchanged += 1;
                } else {
                    update_person_in(&mut tx, actor, p.id, p.version, unit_id, &r.fields).await?;
                    s.people_updated += 1;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(s)
}

/// Units and people of a region and below, for matching the names in a document.
pub async fn candidates(
    db: &Db,
    region_path: &str,
) -> Result<(
    Vec<zhaoyin_core::policy::Candidate>,
    Vec<zhaoyin_core::policy::Candidate>,
)> {
    let units: Vec<(i64, String, Option<String>)> = db
        .all(
            Sql::new(
                "SELECT u.id, u.name, u.short_name FROM units u JOIN regions r ON r.id = u.region_id \
                 WHERE r.path LIKE $1 AND u.active = $2 ORDER BY u.id",
            )
            .bind(format!("{region_path}%"))
            .bind(true),
        )
        .await?;
    let people: Vec<(i64, String)> = db
        .all(
            Sql::new(
                "SELECT p.id, p.name FROM people p JOIN units u ON u.id = p.unit_id \
                 JOIN regions r ON r.id = u.region_id WHERE r.path LIKE $1 AND p.active = $2 ORDER BY p.id",
            )
            .bind(format!("{region_path}%"))
            .bind(true),
        )
        .await?;
    use zhaoyin_core::policy::Candidate;
    Ok((
        units
            .into_iter()
            .map(|(id, name, short_name)| Candidate {
                id,
                name,
                short_name,
            })
            .collect(),
        people
            .into_iter()
            .map(|(id, name)| Candidate {
                id,
                name,
                short_name: None,
            })
            .collect(),
    ))
}
