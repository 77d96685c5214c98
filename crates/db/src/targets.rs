//! Target lists: a county's list per year with its quotas, duty units and entries; the counts
//! its page shows (entries' companies by mark and status, projects each duty unit has planned
//! in the year) read in a few grouped queries.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::company::{CompanyFlag, CompanyStatus};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::target::{TargetEntryFields, TargetListFields};

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_region_visibility};
use crate::{Db, Result, Sql, Tx, now};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TargetList {
    pub id: i64,
    pub region_id: i64,
    pub region_name: String,
    #[serde(skip)]
    pub region_path: String,
    pub year: i64,
    pub name: String,
    pub min_projects_per_unit: i64,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TargetList {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: None,
        }
    }
}

const SELECT: &str = "SELECT l.id, l.region_id, r.name AS region_name, r.path AS region_path, \
     l.year, l.name, l.min_projects_per_unit, l.notes, l.version, l.created_at, l.updated_at";
const FROM: &str = " FROM target_lists l JOIN regions r ON r.id = l.region_id WHERE 1 = 1";

/// A page of the lists `vis` admits, latest year first.
pub async fn list(db: &Db, vis: &Visibility, page: Page) -> Result<(Vec<TargetList>, i64)> {
    let mut w = Sql::new(FROM);
    push_region_visibility(&mut w, vis, "l.region_id", None);
    let (total,): (i64,) = db.one(w.prefixed("SELECT COUNT(*)")).await?;
    Ok((
        db.all(w.page(SELECT, "l.year DESC, r.path, l.id", page))
            .await?,
        total,
    ))
}

/// A region's list for a year, if it has one.
pub async fn of_region(db: &Db, region_id: i64, year: i64) -> Result<Option<TargetList>> {
    db.optional(
        Sql::new(format!(
            "{SELECT}{FROM} AND l.region_id = $1 AND l.year = $2"
        ))
        .bind(region_id)
        .bind(year),
    )
    .await
}

pub async fn get(db: &Db, id: i64) -> Result<TargetList> {
    db.one(Sql::new(format!("{SELECT}{FROM} AND l.id = $1")).bind(id))
        .await
}

/// The quotas of a list: (mark, least entries).
pub async fn quotas(db: &Db, id: i64) -> Result<Vec<(CompanyFlag, i64)>> {
    let rows: Vec<(String, i64)> = db
        .all(Sql::new("SELECT flag, minimum FROM target_quotas WHERE list_id = $1").bind(id))
        .await?;
    let mut out: Vec<(CompanyFlag, i64)> = rows
        .into_iter()
        .filter_map(|(f, m)| CompanyFlag::parse(&f).map(|f| (f, m)))
        .collect();
    out.sort_by_key(|(f, _)| CompanyFlag::ALL.iter().position(|x| x == f));
    Ok(out)
}

/// An entry with what the list's page shows of it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TargetEntry {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    /// The company's status of contact.
    pub company_status: String,
    pub global500: bool,
    pub china500: bool,
    pub private500: bool,
    pub headquarters: bool,
    pub listed: bool,
    pub leader_id: Option<i64>,
    pub leader_name: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub actions: Option<String>,
}

impl TargetEntry {
    pub fn flags(&self) -> Vec<CompanyFlag> {
        CompanyFlag::ALL
            .iter()
            .copied()
            .filter(|f| match f {
                CompanyFlag::Global500 => self.global500,
                CompanyFlag::China500 => self.china500,
                CompanyFlag::Private500 => self.private500,
                CompanyFlag::Headquarters => self.headquarters,
                CompanyFlag::Listed => self.listed,
            })
            .collect()
    }

    pub fn status(&self) -> CompanyStatus {
        CompanyStatus::parse(&self.company_status).unwrap_or(CompanyStatus::Potential)
    }
}

pub async fn entries(db: &Db, id: i64) -> Result<Vec<TargetEntry>> {
    db.all(
        Sql::new(
            "SELECT e.id, e.company_id, c.name AS company_name, c.status AS company_status, \
             c.global500, c.china500, c.private500, c.headquarters, c.listed, e.leader_id, \
             pe.name AS leader_name, e.unit_id, u.name AS unit_name, e.actions \
             FROM target_entries e JOIN companies c ON c.id = e.company_id \
             JOIN units u ON u.id = e.unit_id LEFT JOIN people pe ON pe.id = e.leader_id \
             WHERE e.list_id = $1 ORDER BY u.sort_order, u.id, c.name_key, e.id",
        )
        .bind(id),
    )
    .await
}

/// A duty unit and the projects it has planned in the year (its own or as another responsible
/// unit; first heard of in the year; repeated signings left out).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct DutyUnit {
    pub unit_id: i64,
    pub unit_name: String,
    pub projects: i64,
}

pub async fn duty_units(db: &Db, id: i64, year: i64) -> Result<Vec<DutyUnit>> {
    let from = NaiveDate::from_ymd_opt(year as i32, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year as i32, 12, 31).unwrap_or_default();
    db.all(
        Sql::new(format!(
            "SELECT u.id AS unit_id, u.name AS unit_name, \
             (SELECT COUNT(*) FROM projects p WHERE {} \
                AND (p.unit_id = u.id OR p.id IN \
                     (SELECT pu.project_id FROM project_units pu WHERE pu.unit_id = u.id)) \
                AND EXISTS (SELECT 1 FROM project_stages s WHERE s.project_id = p.id \
                     AND s.stage = 'lead' AND s.on_date >= $2 AND s.on_date <= $3)) AS projects \
             FROM target_duty_units d JOIN units u ON u.id = d.unit_id \
             WHERE d.list_id = $1 ORDER BY u.sort_order, u.id",
            crate::projects::COUNTED
        ))
        .bind(id)
        .bind(from)
        .bind(to),
    )
    .await
}

/// What the audit log keeps of a list.
#[derive(Serialize)]
struct Snapshot {
    list: TargetList,
    quotas: Vec<(String, i64)>,
    duty_unit_ids: Vec<i64>,
}

async fn snapshot(tx: &mut Tx, id: i64) -> Result<Snapshot> {
    let list = tx
        .one(Sql::new(format!("{SELECT}{FROM} AND l.id = $1")).bind(id))
        .await?;
    let quotas = tx
        .all(
            Sql::new("SELECT flag, minimum FROM target_quotas WHERE list_id = $1 ORDER BY flag")
                .bind(id),
        )
        .await?;
    let units: Vec<(i64,)> = tx
        .all(
            Sql::new("SELECT unit_id FROM target_duty_units WHERE list_id = $1 ORDER BY unit_id")
                .bind(id),
        )
        .await?;
    Ok(Snapshot {
        list,
        quotas,
        duty_unit_ids: units.into_iter().map(|(u,)| u).collect(),
    })
}

async fn set_parts(tx: &mut Tx, id: i64, f: &TargetListFields) -> Result<()> {
    tx.execute(Sql::new("DELETE FROM target_quotas WHERE list_id = $1").bind(id))
        .await?;
    for (flag, minimum) in &f.quotas {
        tx.execute(
            Sql::new("INSERT INTO target_quotas (list_id, flag, minimum) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(flag.id())
                .bind(*minimum),
        )
        .await?;
    }
    tx.execute(Sql::new("DELETE FROM target_duty_units WHERE list_id = $1").bind(id))
        .await?;
    for u in &f.duty_unit_ids {
        tx.execute(
            Sql::new("INSERT INTO target_duty_units (list_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*u),
        )
        .await?;
    }
    Ok(())
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    f: &TargetListFields,
) -> Result<TargetList> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO target_lists (region_id, year, name, min_projects_per_unit, notes, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(region_id)
            .bind(f.year)
            .bind(&f.name)
            .bind(f.min_projects_per_unit)
            .bind(f.notes.as_ref())
            .bind(now()),
        )
        .await?;
    set_parts(&mut tx, id, f).await?;
    let after = snapshot(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "target_list", id)
            .place(Some(region_id), None)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after.list)
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    f: &TargetListFields,
) -> Result<TargetList> {
    let mut tx = db.begin().await?;
    let before = snapshot(&mut tx, id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE target_lists SET year = $1, name = $2, min_projects_per_unit = $3, \
                 notes = $4, version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
            )
            .bind(f.year)
            .bind(&f.name)
            .bind(f.min_projects_per_unit)
            .bind(f.notes.as_ref())
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(&mut tx, n, "target_lists", id).await?;
    set_parts(&mut tx, id, f).await?;
    let after = snapshot(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("update", "target_list", id)
            .place(Some(before.list.region_id), None)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after.list)
}

/// Adds an entry (a company already on the list is refused as a duplicate).
pub async fn add_entry(
    db: &Db,
    actor: &Actor,
    list: &TargetList,
    f: &TargetEntryFields,
) -> Result<i64> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO target_entries (list_id, company_id, leader_id, unit_id, actions, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(list.id)
            .bind(f.company_id)
            .bind(f.leader_id)
            .bind(f.unit_id)
            .bind(f.actions.as_ref())
            .bind(now()),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("add_entry", "target_list", list.id)
            .place(Some(list.region_id), Some(f.unit_id))
            .after(&serde_json::json!({"entry": id, "company_id": f.company_id,
                "leader_id": f.leader_id, "unit_id": f.unit_id, "actions": f.actions})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_entry(db: &Db, actor: &Actor, list: &TargetList, entry: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let before: Option<(i64, i64)> = tx
        .optional(
            Sql::new(
                "SELECT company_id, unit_id FROM target_entries WHERE id = $1 AND list_id = $2",
            )
            .bind(entry)
            .bind(list.id),
        )
        .await?;
    let Some((company_id, unit_id)) = before else {
        return Err(crate::Error::NotFound);
    };
    tx.execute(Sql::new("DELETE FROM target_entries WHERE id = $1").bind(entry))
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("remove_entry", "target_list", list.id)
            .place(Some(list.region_id), Some(unit_id))
            .before(&serde_json::json!({"entry": entry, "company_id": company_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
