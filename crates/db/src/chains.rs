//! Industry chains: a county's chains with their teams, their segments as a tree (saved from an
//! outline so that kept segments keep their companies and projects), and what fills each segment.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::chain::{self, ChainFields, Link, StoredSegment};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid};

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_region_visibility};
use crate::{Db, Result, Sql, Tx, now};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Chain {
    pub id: i64,
    pub region_id: i64,
    pub region_name: String,
    #[serde(skip)]
    pub region_path: String,
    pub name: String,
    /// The unit leading the team (专班).
    pub lead_unit_id: i64,
    pub lead_unit_name: String,
    /// 链长.
    pub leader_id: Option<i64>,
    pub leader_name: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Chain {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: None,
        }
    }
}

const SELECT: &str = "SELECT ch.id, ch.region_id, r.name AS region_name, r.path AS region_path, \
     ch.name, ch.lead_unit_id, u.name AS lead_unit_name, ch.leader_id, pe.name AS leader_name, \
     ch.notes, ch.version, ch.created_at, ch.updated_at";
const FROM: &str = " FROM chains ch JOIN regions r ON r.id = ch.region_id \
     JOIN units u ON u.id = ch.lead_unit_id LEFT JOIN people pe ON pe.id = ch.leader_id \
     WHERE 1 = 1";

/// A page of the chains `vis` admits, by name.
pub async fn list(db: &Db, vis: &Visibility, page: Page) -> Result<(Vec<Chain>, i64)> {
    let mut w = Sql::new(FROM);
    push_region_visibility(&mut w, vis, "ch.region_id", None);
    let (total,): (i64,) = db.one(w.prefixed("SELECT COUNT(*)")).await?;
    Ok((db.all(w.page(SELECT, "ch.name, ch.id", page)).await?, total))
}

pub async fn get(db: &Db, id: i64) -> Result<Chain> {
    db.one(Sql::new(format!("{SELECT}{FROM} AND ch.id = $1")).bind(id))
        .await
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<Chain> {
    tx.one(Sql::new(format!("{SELECT}{FROM} AND ch.id = $1")).bind(id))
        .await
}

/// The team's other units (id, name).
pub async fn units(db: &Db, id: i64) -> Result<Vec<(i64, String)>> {
    db.all(
        Sql::new(
            "SELECT u.id, u.name FROM chain_units cu JOIN units u ON u.id = cu.unit_id \
             WHERE cu.chain_id = $1 ORDER BY u.sort_order, u.id",
        )
        .bind(id),
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Segment {
    pub id: i64,
    pub chain_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub position: i64,
}

impl Segment {
    fn stored(&self) -> StoredSegment {
        StoredSegment {
            id: self.id,
            parent_id: self.parent_id,
            name: self.name.clone(),
        }
    }
}

/// Rows of `select` (whose text ends in `… s.chain_id IN `) for these chains, in `order`.
async fn of_chains<T: crate::query::FromRows>(
    db: &Db,
    select: &str,
    chain_ids: &[i64],
    order: &str,
) -> Result<Vec<T>> {
    if chain_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(select);
    q.push_list(chain_ids).push(" ORDER BY ").push(order);
    db.all(q).await
}

/// The segments of these chains, each chain's in outline order.
pub async fn segments(db: &Db, chain_ids: &[i64]) -> Result<Vec<Segment>> {
    of_chains(
        db,
        "SELECT s.id, s.chain_id, s.parent_id, s.name, s.position FROM chain_segments s \
         WHERE s.chain_id IN ",
        chain_ids,
        "s.chain_id, s.position",
    )
    .await
}

/// A company in a segment of these chains (abandoned ones left out).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SegmentCompany {
    pub segment_id: i64,
    pub company_id: i64,
    pub name: String,
    pub status: String,
}

impl SegmentCompany {
    /// Already in the county (已落地); the others are targets.
    pub fn is_local(&self) -> bool {
        self.status == "landed"
    }
    pub fn link(&self) -> Link {
        Link {
            segment_id: self.segment_id,
            company_id: self.company_id,
            local: self.is_local(),
        }
    }
}

pub async fn segment_companies(db: &Db, chain_ids: &[i64]) -> Result<Vec<SegmentCompany>> {
    of_chains(
        db,
        "SELECT cs.segment_id, c.id AS company_id, c.name, c.status FROM company_segments cs \
         JOIN chain_segments s ON s.id = cs.segment_id JOIN companies c ON c.id = cs.company_id \
         WHERE c.status <> 'abandoned' AND s.chain_id IN ",
        chain_ids,
        "c.name_key, c.id",
    )
    .await
}

/// A project filling a segment of these chains (terminated ones and repeated signings left out).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SegmentProject {
    pub segment_id: i64,
    pub project_id: i64,
    pub name: String,
    pub stage: String,
}

/// Only the projects `vis` admits: a unit's clerk sees their unit's.
pub async fn segment_projects(
    db: &Db,
    vis: &Visibility,
    chain_ids: &[i64],
) -> Result<Vec<SegmentProject>> {
    if chain_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Sql::new(
        "SELECT p.segment_id, p.id AS project_id, p.name, p.stage FROM projects p \
         JOIN regions r ON r.id = p.region_id JOIN chain_segments s ON s.id = p.segment_id \
         WHERE p.stage <> 'terminated' AND ",
    );
    w.push(crate::projects::COUNTED);
    push_region_visibility(&mut w, vis, "p.region_id", Some("p.unit_id"));
    w.push(" AND s.chain_id IN ")
        .push_list(chain_ids)
        .push(" ORDER BY p.name, p.id");
    db.all(w).await
}

/// A segment as a form offers it: "chain · segment", indented by depth.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SegmentChoice {
    pub id: i64,
    pub chain_name: String,
    pub parent_id: Option<i64>,
    pub name: String,
}

/// The segments of the chains of the county at `county_path`, chain by chain in outline order.
pub async fn choices(db: &Db, county_path: &str) -> Result<Vec<SegmentChoice>> {
    db.all(
        Sql::new(
            "SELECT s.id, ch.name AS chain_name, s.parent_id, s.name \
             FROM chain_segments s JOIN chains ch ON ch.id = s.chain_id \
             JOIN regions r ON r.id = ch.region_id WHERE r.path = $1 \
             ORDER BY ch.name, ch.id, s.position",
        )
        .bind(county_path),
    )
    .await
}

/// The county path of the chain a segment belongs to.
pub async fn segment_county(db: &Db, segment_id: i64) -> Result<String> {
    let (path,): (String,) = db
        .one(
            Sql::new(
                "SELECT r.path FROM chain_segments s JOIN chains ch ON ch.id = s.chain_id \
                 JOIN regions r ON r.id = ch.region_id WHERE s.id = $1",
            )
            .bind(segment_id),
        )
        .await?;
    Ok(path)
}

/// ` IN (…)` the segment and every segment beneath it (the tree is at most three deep).
pub(crate) fn push_subtree(w: &mut Sql, segment_id: i64) {
    w.push(" IN (SELECT x.id FROM chain_segments x WHERE x.id = ")
        .push_bind(segment_id)
        .push(" OR x.parent_id = ")
        .push_bind(segment_id)
        .push(" OR x.parent_id IN (SELECT y.id FROM chain_segments y WHERE y.parent_id = ")
        .push_bind(segment_id)
        .push("))");
}

/// A company's segments: (chain id, "chain · segment").
pub async fn of_company(db: &Db, company_id: i64) -> Result<Vec<(i64, String)>> {
    db.all(
        Sql::new(
            "SELECT ch.id, ch.name || ' · ' || s.name FROM company_segments cs \
             JOIN chain_segments s ON s.id = cs.segment_id JOIN chains ch ON ch.id = s.chain_id \
             WHERE cs.company_id = $1 ORDER BY ch.name, s.position",
        )
        .bind(company_id),
    )
    .await
}

/// Replaces a company's segments, inside the transaction that saves the company.
pub async fn set_company_segments(tx: &mut Tx, company_id: i64, segments: &[i64]) -> Result<()> {
    tx.execute(Sql::new("DELETE FROM company_segments WHERE company_id = $1").bind(company_id))
        .await?;
    for s in segments {
        tx.execute(
            Sql::new("INSERT INTO company_segments (company_id, segment_id) VALUES ($1, $2)")
                .bind(company_id)
                .bind(*s),
        )
        .await?;
    }
    Ok(())
}

/// One chain's segments in outline order, inside a transaction.
async fn segments_in(tx: &mut Tx, chain_id: i64) -> Result<Vec<Segment>> {
    tx.all(
        Sql::new(
            "SELECT id, chain_id, parent_id, name, position FROM chain_segments \
             WHERE chain_id = $1 ORDER BY position",
        )
        .bind(chain_id),
    )
    .await
}

/// What the audit log keeps of a chain: its row, team and outline.
#[derive(Serialize)]
struct Snapshot {
    chain: Chain,
    unit_ids: Vec<i64>,
    outline: String,
}

async fn snapshot(tx: &mut Tx, id: i64) -> Result<Snapshot> {
    let chain = get_in(tx, id).await?;
    let unit_ids: Vec<(i64,)> = tx
        .all(
            Sql::new("SELECT unit_id FROM chain_units WHERE chain_id = $1 ORDER BY unit_id")
                .bind(id),
        )
        .await?;
    let segs = segments_in(tx, id).await?;
    Ok(Snapshot {
        chain,
        unit_ids: unit_ids.into_iter().map(|(u,)| u).collect(),
        outline: outline_of(&segs),
    })
}

/// The outline that reads back as these segments (of one chain, in position order).
pub fn outline_of(segs: &[Segment]) -> String {
    let depths = chain::depths(segs.iter().map(|s| (s.id, s.parent_id)));
    chain::write_outline(depths.into_iter().zip(segs.iter().map(|s| s.name.as_str())))
}

async fn set_units(tx: &mut Tx, id: i64, units: &[i64]) -> Result<()> {
    tx.execute(Sql::new("DELETE FROM chain_units WHERE chain_id = $1").bind(id))
        .await?;
    for u in units {
        tx.execute(
            Sql::new("INSERT INTO chain_units (chain_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*u),
        )
        .await?;
    }
    Ok(())
}

/// Saves the outline onto the chain's segments: kept ones renamed and moved, new ones added,
/// dropped ones removed — unless a company or project is still in one, which is refused with
/// its name.
async fn save_outline(tx: &mut Tx, chain_id: i64, f: &ChainFields) -> Result<()> {
    let stored = segments_in(tx, chain_id).await?;
    let plan = chain::plan_outline(
        &stored.iter().map(Segment::stored).collect::<Vec<_>>(),
        &f.segments,
    );
    if !plan.removed.is_empty() {
        let mut q = Sql::new(
            "SELECT s.name, \
             (SELECT COUNT(*) FROM company_segments cs WHERE cs.segment_id = s.id), \
             (SELECT COUNT(*) FROM projects p WHERE p.segment_id = s.id) \
             FROM chain_segments s WHERE s.id IN ",
        );
        q.push_list(&plan.removed).push(" ORDER BY s.position");
        let used: Vec<(String, i64, i64)> = tx.all(q).await?;
        let mut e = Invalid::default();
        for (name, companies, projects) in used.into_iter().filter(|u| u.1 + u.2 > 0) {
            e.push(
                FieldError::new("outline", "err.segment_in_use")
                    .with("name", name)
                    .with("companies", companies)
                    .with("projects", projects),
            );
        }
        e.into_result()?;
    }
    // Names are unique per chain: set kept ones aside first (under names no outline line can
    // have: they end in a line break), so that swapping two names works.
    tx.execute(
        Sql::new("UPDATE chain_segments SET name = CAST(id AS TEXT) || $1 WHERE chain_id = $2")
            .bind("\n")
            .bind(chain_id),
    )
    .await?;
    if !plan.removed.is_empty() {
        // Every parent link is set again below; cleared first, a kept segment whose parent goes
        // does not hold on to it.
        tx.execute(
            Sql::new("UPDATE chain_segments SET parent_id = NULL WHERE chain_id = $1")
                .bind(chain_id),
        )
        .await?;
        let mut q = Sql::new("DELETE FROM chain_segments WHERE id IN ");
        q.push_list(&plan.removed);
        tx.execute(q).await?;
    }
    let mut ids: Vec<i64> = Vec::with_capacity(f.segments.len());
    for (i, s) in f.segments.iter().enumerate() {
        let parent = s.parent.and_then(|p| ids.get(p).copied());
        let position = i as i64;
        let id = match plan.kept[i] {
            Some(id) => {
                tx.execute(
                    Sql::new(
                        "UPDATE chain_segments SET name = $1, parent_id = $2, position = $3 \
                         WHERE id = $4",
                    )
                    .bind(&s.name)
                    .bind(parent)
                    .bind(position)
                    .bind(id),
                )
                .await?;
                id
            }
            None => {
                let (id,): (i64,) = tx
                    .one(
                        Sql::new(
                            "INSERT INTO chain_segments (chain_id, parent_id, name, position) \
                             VALUES ($1, $2, $3, $4) RETURNING id",
                        )
                        .bind(chain_id)
                        .bind(parent)
                        .bind(&s.name)
                        .bind(position),
                    )
                    .await?;
                id
            }
        };
        ids.push(id);
    }
    Ok(())
}

pub async fn create(db: &Db, actor: &Actor, region_id: i64, f: &ChainFields) -> Result<Chain> {
    let mut tx = db.begin().await?;
    let t = now();
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO chains (region_id, name, lead_unit_id, leader_id, notes, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(region_id)
            .bind(&f.name)
            .bind(f.lead_unit_id)
            .bind(f.leader_id)
            .bind(f.notes.as_ref())
            .bind(t),
        )
        .await?;
    set_units(&mut tx, id, &f.unit_ids).await?;
    save_outline(&mut tx, id, f).await?;
    let after = snapshot(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "chain", id)
            .place(Some(region_id), Some(f.lead_unit_id))
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after.chain)
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    f: &ChainFields,
) -> Result<Chain> {
    let mut tx = db.begin().await?;
    let before = snapshot(&mut tx, id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE chains SET name = $1, lead_unit_id = $2, leader_id = $3, notes = $4, \
                 version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
            )
            .bind(&f.name)
            .bind(f.lead_unit_id)
            .bind(f.leader_id)
            .bind(f.notes.as_ref())
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(&mut tx, n, "chains", id).await?;
    set_units(&mut tx, id, &f.unit_ids).await?;
    save_outline(&mut tx, id, f).await?;
    let after = snapshot(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("update", "chain", id)
            .place(Some(before.chain.region_id), Some(f.lead_unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after.chain)
}
