//! The talent library: lists filtered by what the caller may see, the same person (name and
//! affiliation) refused twice in a library, and audited writes with optimistic versions.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::company::CompanyStatus;
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::talent::{ProgramLevel, TalentFields, TalentKind};
use zhaoyin_core::{FieldError, Invalid};

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_region_visibility};
use crate::{COUNT_BOUND, Db, Result, Sql, Tx, escape_like, now};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Talent {
    pub id: i64,
    pub region_id: i64,
    #[serde(skip)]
    pub region_path: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub unit_code: Option<String>,
    /// person or team.
    pub kind: String,
    pub name: String,
    pub leader: Option<String>,
    pub team_size: Option<i64>,
    pub field: Option<String>,
    pub affiliation: Option<String>,
    pub title: Option<String>,
    pub country: String,
    /// national, provincial or municipal: the highest of the talent's programs.
    pub program_level: Option<String>,
    pub contact_phone: Option<String>,
    pub email: Option<String>,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    /// Where the project sits, to decide whether the reader may see its name.
    #[serde(skip)]
    pub project_unit_id: Option<i64>,
    #[serde(skip)]
    pub project_region_path: Option<String>,
    pub notes: Option<String>,
    /// potential, contacting, signed, landed (introduced, 已引进) or abandoned.
    pub status: String,
    pub status_reason: Option<String>,
    /// The talent programs the talent belongs to.
    #[sqlx(skip)]
    pub programs: Vec<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Talent {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: self.unit_id,
        }
    }

    /// Where the linked project sits, if any.
    pub fn project_place(&self) -> Option<Place> {
        self.project_region_path.as_ref().map(|path| Place {
            region_path: path.clone(),
            unit_id: self.project_unit_id,
        })
    }
}

const SELECT: &str = "SELECT t.id, t.region_id, r.path AS region_path, t.unit_id, \
     u.name AS unit_name, u.code AS unit_code, t.kind, t.name, t.leader, t.team_size, t.field, t.affiliation, t.title, \
     t.country, t.program_level, t.contact_phone, t.email, t.company_id, c.name AS company_name, \
     t.project_id, p.name AS project_name, p.unit_id AS project_unit_id, \
     pr.path AS project_region_path, t.notes, t.status, t.status_reason, t.version, \
     t.created_at, t.updated_at";
const FROM: &str = " FROM talents t JOIN regions r ON r.id = t.region_id \
     LEFT JOIN units u ON u.id = t.unit_id LEFT JOIN companies c ON c.id = t.company_id \
     LEFT JOIN projects p ON p.id = t.project_id LEFT JOIN regions pr ON pr.id = p.region_id \
     WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct TalentFilter {
    /// Name, field, affiliation or the name's pinyin.
    pub q: Option<String>,
    pub kind: Option<TalentKind>,
    pub level: Option<ProgramLevel>,
    pub program: Option<String>,
    pub status: Option<CompanyStatus>,
    pub unit_id: Option<i64>,
    pub company_id: Option<i64>,
    pub project_id: Option<i64>,
}

fn push_filter(w: &mut Sql, f: &TalentFilter) {
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push(" AND t.search LIKE ")
            .push_bind(format!("%{}%", escape_like(&q.to_lowercase())))
            .push(" ESCAPE '\\'");
    }
    if let Some(k) = f.kind {
        w.push(" AND t.kind = ").push_bind(k.id());
    }
    if let Some(l) = f.level {
        w.push(" AND t.program_level = ").push_bind(l.id());
    }
    if let Some(p) = &f.program {
        w.push(" AND t.id IN (SELECT tp.talent_id FROM talent_programs tp WHERE tp.program = ")
            .push_bind(p)
            .push(")");
    }
    if let Some(s) = f.status {
        w.push(" AND t.status = ").push_bind(s.id());
    }
    for (column, v) in [
        ("t.unit_id", f.unit_id),
        ("t.company_id", f.company_id),
        ("t.project_id", f.project_id),
    ] {
        if let Some(v) = v {
            w.push(" AND ").push(column).push(" = ").push_bind(v);
        }
    }
}

fn programs_of(ids: &[i64]) -> Sql {
    let mut q = Sql::new("SELECT talent_id, program FROM talent_programs WHERE talent_id IN ");
    q.push_list(ids).push(" ORDER BY talent_id, program");
    q
}

fn attach(rows: &mut [Talent], links: Vec<(i64, String)>) {
    for t in rows {
        t.programs = links
            .iter()
            .filter(|(id, _)| *id == t.id)
            .map(|(_, p)| p.clone())
            .collect();
    }
}

/// A page of the talents `vis` admits, last changed first.
pub async fn list(
    db: &Db,
    vis: &Visibility,
    f: &TalentFilter,
    page: Page,
) -> Result<(Vec<Talent>, i64)> {
    let mut w = Sql::new(FROM);
    push_region_visibility(&mut w, vis, "t.region_id", Some("t.unit_id"));
    push_filter(&mut w, f);
    let (total,): (i64,) = db.one(w.bounded_count(COUNT_BOUND)).await?;
    let mut rows: Vec<Talent> = db
        .all(w.page(SELECT, "t.updated_at DESC, t.id DESC", page))
        .await?;
    if !rows.is_empty() {
        let links = db
            .all(programs_of(&rows.iter().map(|t| t.id).collect::<Vec<_>>()))
            .await?;
        attach(&mut rows, links);
    }
    Ok((rows, total))
}

/// Every talent of a filter, unpaged, last changed first (for the export).
pub async fn all(db: &Db, vis: &Visibility, f: &TalentFilter) -> Result<Vec<Talent>> {
    let mut w = Sql::new(FROM);
    push_region_visibility(&mut w, vis, "t.region_id", Some("t.unit_id"));
    push_filter(&mut w, f);
    let mut q = w.prefixed(SELECT);
    q.push(" ORDER BY t.updated_at DESC, t.id DESC");
    let mut rows: Vec<Talent> = db.all(q).await?;
    for chunk in rows.chunks_mut(500) {
        let links = db
            .all(programs_of(&chunk.iter().map(|t| t.id).collect::<Vec<_>>()))
            .await?;
        attach(chunk, links);
    }
    Ok(rows)
}

pub async fn get(db: &Db, id: i64) -> Result<Talent> {
    let mut t: Talent = db
        .one(Sql::new(format!("{SELECT}{FROM} AND t.id = $1")).bind(id))
        .await?;
    let links = db.all(programs_of(&[id])).await?;
    attach(std::slice::from_mut(&mut t), links);
    Ok(t)
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<Talent> {
    let mut t: Talent = tx
        .one(Sql::new(format!("{SELECT}{FROM} AND t.id = $1")).bind(id))
        .await?;
    let links = tx.all(programs_of(&[id])).await?;
    attach(std::slice::from_mut(&mut t), links);
    Ok(t)
}

/// The same person (or team) is in a library once: same name and same affiliation.
async fn refuse_duplicate(
    tx: &mut Tx,
    region_id: i64,
    f: &TalentFields,
    except: Option<i64>,
) -> Result<()> {
    let mut q = Sql::new("SELECT id, name FROM talents WHERE region_id = ");
    q.push_bind(region_id)
        .push(" AND name = ")
        .push_bind(&f.name)
        .push(" AND COALESCE(affiliation, '') = ")
        .push_bind(f.affiliation.clone().unwrap_or_default());
    if let Some(id) = except {
        q.push(" AND id <> ").push_bind(id);
    }
    q.push(" ORDER BY id LIMIT 1");
    if let Some((id, name)) = tx.optional::<(i64, String)>(q).await? {
        return Err(Invalid::one(
            FieldError::new("name", "err.talent_duplicate")
                .with("id", id)
                .with("name", name),
        )
        .into());
    }
    Ok(())
}

fn bind_fields(q: Sql, f: &TalentFields) -> Sql {
    let search = zhaoyin_core::task::search_text(
        &format!(
            "{} {}",
            f.field.as_deref().unwrap_or_default(),
            f.affiliation.as_deref().unwrap_or_default()
        ),
        &f.name,
    );
    q.bind(f.kind.id())
        .bind(&f.name)
        .bind(f.leader.as_ref())
        .bind(f.team_size)
        .bind(f.field.as_ref())
        .bind(f.affiliation.as_ref())
        .bind(f.title.as_ref())
        .bind(&f.country)
        .bind(f.program_level.map(|l| l.id()))
        .bind(f.contact_phone.as_ref())
        .bind(f.email.as_ref())
        .bind(f.company_id)
        .bind(f.project_id)
        .bind(f.notes.as_ref())
        .bind(search)
}

async fn set_programs(tx: &mut Tx, id: i64, programs: &[String]) -> Result<()> {
    tx.execute(Sql::new("DELETE FROM talent_programs WHERE talent_id = $1").bind(id))
        .await?;
    for p in programs {
        tx.execute(
            Sql::new("INSERT INTO talent_programs (talent_id, program) VALUES ($1, $2)")
                .bind(id)
                .bind(p),
        )
        .await?;
    }
    Ok(())
}

async fn insert(
    tx: &mut Tx,
    actor: &Actor,
    region_id: i64,
    unit_id: Option<i64>,
    f: &TalentFields,
) -> Result<Talent> {
    refuse_duplicate(tx, region_id, f, None).await?;
    let q = Sql::new(
        "INSERT INTO talents (kind, name, leader, team_size, field, affiliation, title, country, \
         program_level, contact_phone, email, company_id, project_id, notes, search, region_id, \
         unit_id, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, 'potential', $18, $18) RETURNING id",
    );
    let (id,): (i64,) = tx
        .one(bind_fields(q, f).bind(region_id).bind(unit_id).bind(now()))
        .await?;
    set_programs(tx, id, &f.programs).await?;
    let after = get_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("create", "talent", id)
            .place(Some(region_id), unit_id)
            .after(&after),
    )
    .await?;
    Ok(after)
}

async fn update_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    version: i64,
    unit_id: Option<i64>,
    f: &TalentFields,
) -> Result<Talent> {
    let before = get_in(tx, id).await?;
    refuse_duplicate(tx, before.region_id, f, Some(id)).await?;
    let q = Sql::new(
        "UPDATE talents SET kind = $1, name = $2, leader = $3, team_size = $4, field = $5, \
         affiliation = $6, title = $7, country = $8, program_level = $9, contact_phone = $10, \
         email = $11, company_id = $12, project_id = $13, notes = $14, search = $15, \
         unit_id = $16, version = version + 1, updated_at = $17 WHERE id = $18 AND version = $19",
    );
    let n = tx
        .execute(
            bind_fields(q, f)
                .bind(unit_id)
                .bind(now())
                .bind(id)
                .bind(version),
        )
        .await?;
    check_updated(tx, n, "talents", id).await?;
    set_programs(tx, id, &f.programs).await?;
    let after = get_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("update", "talent", id)
            .place(Some(after.region_id), after.unit_id)
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    unit_id: Option<i64>,
    f: &TalentFields,
) -> Result<Talent> {
    let mut tx = db.begin().await?;
    let after = insert(&mut tx, actor, region_id, unit_id, f).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    unit_id: Option<i64>,
    f: &TalentFields,
) -> Result<Talent> {
    let mut tx = db.begin().await?;
    let after = update_in(&mut tx, actor, id, version, unit_id, f).await?;
    tx.commit().await?;
    Ok(after)
}

/// The talent of a library with this name and affiliation (the import's key).
pub async fn find(
    db: &Db,
    region_id: i64,
    name: &str,
    affiliation: Option<&str>,
) -> Result<Option<Talent>> {
    let found: Option<(i64,)> = db
        .optional(
            Sql::new(
                "SELECT id FROM talents WHERE region_id = $1 AND name = $2 \
                 AND COALESCE(affiliation, '') = $3 ORDER BY id LIMIT 1",
            )
            .bind(region_id)
            .bind(name)
            .bind(affiliation.unwrap_or_default()),
        )
        .await?;
    match found {
        Some((id,)) => Ok(Some(get(db, id).await?)),
        None => Ok(None),
    }
}

/// One checked row of an import: a new talent, or an existing one (id, version) to update.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub region_id: i64,
    pub unit_id: i64,
    pub existing: Option<(i64, i64)>,
    pub fields: TalentFields,
}

/// Writes an import in one transaction: all rows or none.
pub async fn import(db: &Db, actor: &Actor, rows: &[ImportRow]) -> Result<()> {
    let mut tx = db.begin().await?;
    for r in rows {
        match r.existing {
            Some((id, version)) => {
                update_in(&mut tx, actor, id, version, Some(r.unit_id), &r.fields).await?;
            }
            None => {
                insert(&mut tx, actor, r.region_id, Some(r.unit_id), &r.fields).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Moves the status of contact (checked on the row as read in the transaction).
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    to: CompanyStatus,
    reason: &str,
) -> Result<Talent> {
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, id).await?;
    crate::companies::move_contact(&mut tx, "talents", id, version, &before.status, to, reason)
        .await?;
    let after = get_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("status", "talent", id)
            .place(Some(after.region_id), after.unit_id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
