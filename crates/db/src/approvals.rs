//! "1+N" approvals: a project's approval items with what they wait for, the counties' lead
//! departments per stage, and the day a project got its land. Day counting and predictions are
//! `zhaoyin_core::approval`'s; who may write is decided by the service.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::approval::ItemFields;
use zhaoyin_core::authz::Visibility;

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_region_visibility};
use crate::{Db, Result, Sql, Tx, now};

/// An approval item of a project.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
#[schema(as = ApprovalItem)]
pub struct Item {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    #[serde(skip)]
    pub project_major: bool,
    #[serde(skip)]
    pub project_stage: String,
    #[serde(skip)]
    pub region_id: i64,
    #[serde(skip)]
    pub region_path: String,
    #[serde(skip)]
    pub project_unit_id: i64,
    /// The stage's id.
    pub stage: String,
    pub name: String,
    /// The approving department.
    pub unit_id: i64,
    pub unit_name: String,
    pub statutory_days: i64,
    pub committed_days: i64,
    pub mechanism: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub submitted_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub approved_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub updated_by_name: Option<String>,
    /// Items that must be approved before this one is applied for.
    #[sqlx(skip)]
    pub depends_on: Vec<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Item {
    pub fn project_place(&self) -> zhaoyin_core::org::Place {
        zhaoyin_core::org::Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.project_unit_id),
        }
    }

    pub fn plan_item(&self) -> zhaoyin_core::approval::PlanItem {
        zhaoyin_core::approval::PlanItem {
            id: self.id,
            stage: self.stage.clone(),
            committed_days: self.committed_days,
            depends_on: self.depends_on.clone(),
            submitted_on: self.submitted_on,
            approved_on: self.approved_on,
        }
    }
}

const SELECT: &str = "SELECT a.id, a.project_id, p.name AS project_name, \
     p.is_major AS project_major, p.stage AS project_stage, p.region_id, \
     r.path AS region_path, p.unit_id AS project_unit_id, a.stage, a.name, a.unit_id, \
     u.name AS unit_name, a.statutory_days, a.committed_days, a.mechanism, a.submitted_on, \
     a.approved_on, a.note, us.display_name AS updated_by_name, a.version, a.created_at, \
     a.updated_at FROM approval_items a JOIN projects p ON p.id = a.project_id \
     JOIN regions r ON r.id = p.region_id JOIN units u ON u.id = a.unit_id \
     LEFT JOIN users us ON us.id = a.updated_by WHERE 1 = 1";

/// A unit's grant reads the items of its own projects and the items it approves.
const UNIT_READS: &str = "EXISTS (SELECT 1 FROM units vu WHERE vu.id IN {} \
     AND (vu.id = a.unit_id OR vu.id = p.unit_id))";

async fn with_deps(db: &Db, mut items: Vec<Item>) -> Result<Vec<Item>> {
    if items.is_empty() {
        return Ok(items);
    }
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut q = Sql::new("SELECT item_id, depends_on FROM approval_item_deps WHERE item_id IN ");
    q.push_list(&ids).push(" ORDER BY item_id, depends_on");
    let mut deps: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for (item, on) in db.all::<(i64, i64)>(q).await? {
        deps.entry(item).or_default().push(on);
    }
    for it in &mut items {
        it.depends_on = deps.remove(&it.id).unwrap_or_default();
    }
    Ok(items)
}

/// A project's items, by stage as the caller orders them, then as added.
pub async fn of_project(db: &Db, project_id: i64) -> Result<Vec<Item>> {
    let items = db
        .all(Sql::new(format!("{SELECT} AND a.project_id = $1 ORDER BY a.id")).bind(project_id))
        .await?;
    with_deps(db, items).await
}

/// Rows one overview reads at most.
pub const LIMIT: i64 = 20_000;

/// Every item `vis` admits, unapproved ones only when `open` (the departments' overview, the
/// meeting agenda).
pub async fn all(db: &Db, vis: &Visibility, open: bool) -> Result<Vec<Item>> {
    let mut q = Sql::new(SELECT);
    push_region_visibility(&mut q, vis, "p.region_id", Some(UNIT_READS));
    if open {
        q.push(" AND a.approved_on IS NULL");
    }
    q.push(" ORDER BY a.id LIMIT ").push_bind(LIMIT);
    let items = db.all(q).await?;
    with_deps(db, items).await
}

pub async fn get(db: &Db, id: i64) -> Result<Item> {
    let item = db
        .one(Sql::new(format!("{SELECT} AND a.id = $1")).bind(id))
        .await?;
    Ok(with_deps(db, vec![item]).await?.remove(0))
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<Item> {
    let mut item: Item = tx
        .one(Sql::new(format!("{SELECT} AND a.id = $1")).bind(id))
        .await?;
    let deps: Vec<(i64,)> = tx
        .all(
            Sql::new(
                "SELECT depends_on FROM approval_item_deps WHERE item_id = $1 ORDER BY depends_on",
            )
            .bind(id),
        )
        .await?;
    item.depends_on = deps.into_iter().map(|(d,)| d).collect();
    Ok(item)
}

fn change(action: &'static str, it: &Item) -> Change {
    Change::new(action, "approval_item", it.id).place(Some(it.region_id), Some(it.project_unit_id))
}

/// Locks the project's plan for this transaction (an edit of another of its items waits), so
/// that the dependencies checked are the ones saved.
async fn lock_plan(tx: &mut Tx, project_id: i64) -> Result<()> {
    tx.execute(Sql::new("UPDATE projects SET land_on = land_on WHERE id = $1").bind(project_id))
        .await?;
    Ok(())
}

/// Saves what an item waits for; refused (`dependency_cycle`) when the project's items would
/// then wait for each other in a circle.
async fn set_deps(tx: &mut Tx, project_id: i64, id: i64, deps: &[i64]) -> Result<()> {
    tx.execute(Sql::new("DELETE FROM approval_item_deps WHERE item_id = $1").bind(id))
        .await?;
    for d in deps {
        tx.execute(
            Sql::new("INSERT INTO approval_item_deps (item_id, depends_on) VALUES ($1, $2)")
                .bind(id)
                .bind(*d),
        )
        .await?;
    }
    let edges: Vec<(i64, i64)> = tx
        .all(
            Sql::new(
                "SELECT d.item_id, d.depends_on FROM approval_item_deps d \
                 JOIN approval_items a ON a.id = d.item_id WHERE a.project_id = $1",
            )
            .bind(project_id),
        )
        .await?;
    if zhaoyin_core::approval::has_cycle(&edges) {
        return Err(crate::Error::Invalid(zhaoyin_core::Invalid::one(
            zhaoyin_core::FieldError::new("depends_on", "err.dependency_cycle"),
        )));
    }
    Ok(())
}

fn bind_fields(q: Sql, f: &ItemFields) -> Sql {
    q.bind(&f.stage)
        .bind(&f.name)
        .bind(f.unit_id)
        .bind(f.statutory_days)
        .bind(f.committed_days)
        .bind(f.mechanism.map(|m| m.id()))
        .bind(f.submitted_on)
        .bind(f.approved_on)
        .bind(f.note.clone())
}

pub async fn create(db: &Db, actor: &Actor, project_id: i64, f: &ItemFields) -> Result<Item> {
    let mut tx = db.begin().await?;
    lock_plan(&mut tx, project_id).await?;
    let q = Sql::new(
        "INSERT INTO approval_items (stage, name, unit_id, statutory_days, committed_days, \
         mechanism, submitted_on, approved_on, note, project_id, updated_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         RETURNING id",
    );
    let (id,): (i64,) = tx
        .one(
            bind_fields(q, f)
                .bind(project_id)
                .bind(actor.user_id)
                .bind(now()),
        )
        .await?;
    set_deps(&mut tx, project_id, id, &f.depends_on).await?;
    let after = get_in(&mut tx, id).await?;
    audit::append(&mut tx, actor, change("create", &after).after(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// An edit made from `version` (the service keeps what the caller may not change).
pub async fn update(db: &Db, actor: &Actor, id: i64, version: i64, f: &ItemFields) -> Result<Item> {
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, id).await?;
    lock_plan(&mut tx, before.project_id).await?;
    let q = Sql::new(
        "UPDATE approval_items SET stage = $1, name = $2, unit_id = $3, statutory_days = $4, \
         committed_days = $5, mechanism = $6, submitted_on = $7, approved_on = $8, note = $9, \
         updated_by = $10, version = version + 1, updated_at = $11 WHERE id = $12 AND version = $13",
    );
    let n = tx
        .execute(
            bind_fields(q, f)
                .bind(actor.user_id)
                .bind(now())
                .bind(id)
                .bind(version),
        )
        .await?;
    check_updated(&mut tx, n, "approval_items", id).await?;
    set_deps(&mut tx, before.project_id, id, &f.depends_on).await?;
    let after = get_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        change("update", &after).before(&before).after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A county's lead department per stage: (stage, unit id, unit name).
pub async fn stage_leads(db: &Db, region_id: i64) -> Result<Vec<(String, i64, String)>> {
    db.all(
        Sql::new(
            "SELECT l.stage, l.unit_id, u.name FROM approval_stage_leads l \
             JOIN units u ON u.id = l.unit_id WHERE l.region_id = $1 ORDER BY l.stage",
        )
        .bind(region_id),
    )
    .await
}

/// Sets (or, with none, clears) the department leading a stage in a county.
pub async fn set_stage_lead(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    stage: &str,
    unit_id: Option<i64>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        Sql::new("DELETE FROM approval_stage_leads WHERE region_id = $1 AND stage = $2")
            .bind(region_id)
            .bind(stage),
    )
    .await?;
    if let Some(u) = unit_id {
        tx.execute(
            Sql::new(
                "INSERT INTO approval_stage_leads (region_id, stage, unit_id) VALUES ($1, $2, $3)",
            )
            .bind(region_id)
            .bind(stage)
            .bind(u),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("stage_lead", "region", region_id)
            .place(Some(region_id), unit_id)
            .after(&(stage, unit_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The day a project got its land, and the day it entered construction (its first start).
pub async fn land_and_start(
    db: &Db,
    project_id: i64,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let (land,): (Option<NaiveDate>,) = db
        .one(Sql::new("SELECT land_on FROM projects WHERE id = $1").bind(project_id))
        .await?;
    let started: Option<(NaiveDate,)> = db
        .optional(
            Sql::new(
                "SELECT on_date FROM project_stages WHERE project_id = $1 \
                 AND stage = 'started' ORDER BY on_date LIMIT 1",
            )
            .bind(project_id),
        )
        .await?;
    Ok((land, started.map(|(d,)| d)))
}

/// Records the day a project got its land.
pub async fn set_land_on(
    db: &Db,
    actor: &Actor,
    project_id: i64,
    land_on: Option<NaiveDate>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let (region, unit, before): (i64, i64, Option<NaiveDate>) = tx
        .one(
            Sql::new("SELECT region_id, unit_id, land_on FROM projects WHERE id = $1")
                .bind(project_id),
        )
        .await?;
    tx.execute(
        Sql::new("UPDATE projects SET land_on = $1, updated_at = $2 WHERE id = $3")
            .bind(land_on)
            .bind(crate::now())
            .bind(project_id),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("land", "project", project_id)
            .place(Some(region), Some(unit))
            .before(&before)
            .after(&land_on),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
