//! The company library: lists filtered by what the caller may see, duplicates caught by credit
//! code and by normalised name before a save, and audited writes with optimistic versions.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::company::{CompanyFields, CompanyFlag, CompanyStatus, Contacts, search_text};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid};

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_region_visibility};
use crate::{COUNT_BOUND, Db, Result, Sql, Tx, escape_like, now};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Company {
    pub id: i64,
    pub region_id: i64,
    pub region_name: String,
    #[serde(skip)]
    pub region_path: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub unit_code: Option<String>,
    pub name: String,
    pub credit_code: Option<String>,
    pub country: String,
    pub hq_city: Option<String>,
    pub industry_section: Option<String>,
    pub industry_division: Option<String>,
    pub global500: bool,
    pub china500: bool,
    pub private500: bool,
    pub headquarters: bool,
    pub listed: bool,
    /// The people to call, the main one first.
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<zhaoyin_core::company::Contact>)]
    pub contacts: Contacts,
    pub source: Option<String>,
    pub notes: Option<String>,
    /// potential, contacting, signed, landed or abandoned.
    pub status: String,
    /// Why it was abandoned (or taken up again).
    pub status_reason: Option<String>,
    /// The industry-chain segments the company belongs to.
    #[sqlx(skip)]
    pub segment_ids: Vec<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Company {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: self.unit_id,
        }
    }

    /// The name as compared for duplicates.
    pub fn name_key(&self) -> String {
        zhaoyin_core::company::name_key(&self.name)
    }

    /// The flags that are set, in the order of [`CompanyFlag::ALL`].
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
}

const SELECT: &str = "SELECT c.id, c.region_id, r.name AS region_name, r.path AS region_path, \
     c.unit_id, u.name AS unit_name, u.code AS unit_code, c.name, c.credit_code, c.country, c.hq_city, \
     c.industry_section, c.industry_division, c.global500, c.china500, c.private500, \
     c.headquarters, c.listed, c.contacts, c.source, \
     c.notes, c.status, c.status_reason, c.version, c.created_at, c.updated_at";
const FROM: &str = " FROM companies c JOIN regions r ON r.id = c.region_id \
     LEFT JOIN units u ON u.id = c.unit_id WHERE 1 = 1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompanySort {
    /// Last changed first.
    #[default]
    Recent,
    Name,
}

impl CompanySort {
    pub const ALL: &[(CompanySort, &'static str)] =
        &[(CompanySort::Recent, "recent"), (CompanySort::Name, "name")];
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, id)| *id == s).map(|(v, _)| *v)
    }
    fn order(self) -> &'static str {
        match self {
            CompanySort::Recent => "c.updated_at DESC, c.id DESC",
            CompanySort::Name => "c.name_key, c.id",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    /// Name, credit code, or the name's pinyin (full or initials).
    pub q: Option<String>,
    pub flag: Option<CompanyFlag>,
    pub status: Option<CompanyStatus>,
    pub unit_id: Option<i64>,
    pub industry_section: Option<String>,
    /// Companies in this chain segment or one beneath it.
    pub segment_id: Option<i64>,
    pub sort: CompanySort,
}

fn push_filter(w: &mut Sql, f: &CompanyFilter) {
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push(" AND c.search LIKE ")
            .push_bind(format!("%{}%", escape_like(&q.to_lowercase())))
            .push(" ESCAPE '\\'");
    }
    if let Some(flag) = f.flag {
        // The column name comes from the enum, never from input.
        w.push(" AND c.")
            .push(flag.id())
            .push(" = ")
            .push_bind(true);
    }
    if let Some(s) = f.status {
        w.push(" AND c.status = ").push_bind(s.id());
    }
    if let Some(u) = f.unit_id {
        w.push(" AND c.unit_id = ").push_bind(u);
    }
    if let Some(s) = &f.industry_section {
        w.push(" AND c.industry_section = ").push_bind(s);
    }
    if let Some(s) = f.segment_id {
        w.push(" AND c.id IN (SELECT cs.company_id FROM company_segments cs WHERE cs.segment_id");
        crate::chains::push_subtree(w, s);
        w.push(")");
    }
}

/// A page of the companies `vis` admits, with a count bounded at [`COUNT_BOUND`].
pub async fn list(
    db: &Db,
    vis: &Visibility,
    f: &CompanyFilter,
    page: Page,
) -> Result<(Vec<Company>, i64)> {
    let mut w = Sql::new(FROM);
    push_region_visibility(&mut w, vis, "c.region_id", Some("c.unit_id"));
    push_filter(&mut w, f);
    let (total,): (i64,) = db.one(w.bounded_count(COUNT_BOUND)).await?;
    let mut rows: Vec<Company> = db.all(w.page(SELECT, f.sort.order(), page)).await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let segments = segments_of_many(db, &ids).await?;
    for c in &mut rows {
        c.segment_ids = segments.get(&c.id).cloned().unwrap_or_default();
    }
    Ok((rows, total))
}

fn segments_of(id: i64) -> Sql {
    Sql::new("SELECT segment_id FROM company_segments WHERE company_id = $1 ORDER BY segment_id")
        .bind(id)
}

/// Every company of a filter, unpaged, by name (for the export).
pub async fn all(db: &Db, vis: &Visibility, f: &CompanyFilter) -> Result<Vec<Company>> {
    let mut w = Sql::new(FROM);
    push_region_visibility(&mut w, vis, "c.region_id", Some("c.unit_id"));
    push_filter(&mut w, f);
    let mut q = w.prefixed(SELECT);
    q.push(" ORDER BY c.name_key, c.id");
    let mut rows: Vec<Company> = db.all(q).await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let segments = segments_of_many(db, &ids).await?;
    for c in &mut rows {
        c.segment_ids = segments.get(&c.id).cloned().unwrap_or_default();
    }
    Ok(rows)
}

/// The segments of many companies, by company, each list in segment order.
async fn segments_of_many(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<i64>>> {
    let mut out: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for chunk in ids.chunks(1_000) {
        let mut q =
            Sql::new("SELECT company_id, segment_id FROM company_segments WHERE company_id IN ");
        q.push_list(chunk).push(" ORDER BY segment_id");
        for (company, segment) in db.all::<(i64, i64)>(q).await? {
            out.entry(company).or_default().push(segment);
        }
    }
    Ok(out)
}

pub async fn get(db: &Db, id: i64) -> Result<Company> {
    let mut c: Company = db
        .one(Sql::new(format!("{SELECT}{FROM} AND c.id = $1")).bind(id))
        .await?;
    let segs: Vec<(i64,)> = db.all(segments_of(id)).await?;
    c.segment_ids = segs.into_iter().map(|(s,)| s).collect();
    Ok(c)
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<Company> {
    let mut c: Company = tx
        .one(Sql::new(format!("{SELECT}{FROM} AND c.id = $1")).bind(id))
        .await?;
    let segs: Vec<(i64,)> = tx.all(segments_of(id)).await?;
    c.segment_ids = segs.into_iter().map(|(s,)| s).collect();
    Ok(c)
}

/// The first other company of the library with `value` in `column` (id and name).
async fn holder(
    tx: &mut Tx,
    region_id: i64,
    column: &str,
    value: &str,
    except: Option<i64>,
) -> Result<Option<(i64, String)>> {
    let mut q = Sql::new("SELECT id, name FROM companies WHERE region_id = ");
    q.push_bind(region_id)
        .push(" AND ")
        .push(column)
        .push(" = ")
        .push_bind(value);
    if let Some(id) = except {
        q.push(" AND id <> ").push_bind(id);
    }
    q.push(" ORDER BY id LIMIT 1");
    tx.optional(q).await
}

/// Refuses a save that would put the same company in the library twice: by credit code and by
/// normalised name, naming the record already there.
async fn refuse_duplicates(
    tx: &mut Tx,
    region_id: i64,
    f: &CompanyFields,
    except: Option<i64>,
) -> Result<()> {
    let mut e = Invalid::default();
    let mut checks = vec![("name", "name_key", f.name_key.as_str())];
    if let Some(code) = &f.credit_code {
        checks.insert(0, ("credit_code", "credit_code", code.as_str()));
    }
    for (field, column, value) in checks {
        if let Some((id, name)) = holder(tx, region_id, column, value, except).await? {
            e.push(
                FieldError::new(field, "err.company_duplicate")
                    .with("id", id)
                    .with("name", name),
            );
        }
    }
    Ok(e.into_result()?)
}

fn bind_fields(q: Sql, f: &CompanyFields) -> Sql {
    q.bind(&f.name)
        .bind(&f.name_key)
        .bind(f.credit_code.as_ref())
        .bind(&f.country)
        .bind(f.hq_city.as_ref())
        .bind(f.industry_section.as_ref())
        .bind(f.industry_division.as_ref())
        .bind(f.global500)
        .bind(f.china500)
        .bind(f.private500)
        .bind(f.headquarters)
        .bind(f.listed)
        .bind(f.contacts.to_json())
        .bind(f.source.as_ref())
        .bind(f.notes.as_ref())
        .bind(search_text(&f.name, f.credit_code.as_deref()))
}

/// Inserts one company inside `tx` (also used by the import, many in one transaction).
pub async fn insert(
    tx: &mut Tx,
    actor: &Actor,
    region_id: i64,
    unit_id: Option<i64>,
    f: &CompanyFields,
    segments: &[i64],
) -> Result<Company> {
    refuse_duplicates(tx, region_id, f, None).await?;
    let q = Sql::new(
        "INSERT INTO companies (name, name_key, credit_code, country, hq_city, industry_section, \
         industry_division, global500, china500, private500, headquarters, listed, contacts, \
         source, notes, search, region_id, unit_id, status, created_at, updated_at) VALUES ($1, \
         $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         'potential', $19, $19) RETURNING id",
    );
    let (id,): (i64,) = tx
        .one(bind_fields(q, f).bind(region_id).bind(unit_id).bind(now()))
        .await?;
    crate::chains::set_company_segments(tx, id, segments).await?;
    let after = get_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("create", "company", id)
            .place(Some(region_id), unit_id)
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
    f: &CompanyFields,
    segments: &[i64],
) -> Result<Company> {
    let mut tx = db.begin().await?;
    let c = insert(&mut tx, actor, region_id, unit_id, f, segments).await?;
    tx.commit().await?;
    Ok(c)
}

/// Changes the fields, the following unit and the segments (the library stays where it is).
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    unit_id: Option<i64>,
    f: &CompanyFields,
    segments: &[i64],
) -> Result<Company> {
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, id).await?;
    refuse_duplicates(&mut tx, before.region_id, f, Some(id)).await?;
    let q = Sql::new(
        "UPDATE companies SET name = $1, name_key = $2, credit_code = $3, country = $4, \
         hq_city = $5, industry_section = $6, industry_division = $7, global500 = $8, \
         china500 = $9, private500 = $10, headquarters = $11, listed = $12, contacts = $13, \
         source = $14, notes = $15, search = $16, unit_id = $17, version = version + 1, \
         updated_at = $18 WHERE id = $19 AND version = $20",
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
    check_updated(&mut tx, n, "companies", id).await?;
    crate::chains::set_company_segments(&mut tx, id, segments).await?;
    let after = get_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("update", "company", id)
            .place(Some(after.region_id), after.unit_id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Moves the status of contact of a row of `table` (companies or talents), checked with
/// `company::check_status_move` on the status `from` read in the same transaction.
pub(crate) async fn move_contact(
    tx: &mut Tx,
    table: &'static str,
    id: i64,
    version: i64,
    from: &str,
    to: CompanyStatus,
    reason: &str,
) -> Result<()> {
    let from = CompanyStatus::parse(from).unwrap_or(CompanyStatus::Potential);
    let reason = zhaoyin_core::company::check_status_move(from, to, reason)?;
    let n = tx
        .execute(
            // When it landed: the year its introduction counts in (landed is final).
            Sql::new(format!(
                "UPDATE {table} SET status = $1, status_reason = $2, version = version + 1, \
                 updated_at = $3, landed_at = CASE WHEN $1 = 'landed' THEN $3 ELSE NULL END \
                 WHERE id = $4 AND version = $5"
            ))
            .bind(to.id())
            .bind(reason)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(tx, n, table, id).await
}

/// Moves the status of contact, audited.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    to: CompanyStatus,
    reason: &str,
) -> Result<Company> {
    let mut tx = db.begin().await?;
    let before = get_in(&mut tx, id).await?;
    move_contact(
        &mut tx,
        "companies",
        id,
        version,
        &before.status,
        to,
        reason,
    )
    .await?;
    let after = get_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("status", "company", id)
            .place(Some(after.region_id), after.unit_id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Up to `limit` companies `vis` admits whose name, code or pinyin contains `q`, by name: the
/// suggestions of a picker.
pub async fn suggest(db: &Db, vis: &Visibility, q: &str, limit: i64) -> Result<Vec<(i64, String)>> {
    let mut w = Sql::new(FROM);
    push_region_visibility(&mut w, vis, "c.region_id", Some("c.unit_id"));
    push_filter(
        &mut w,
        &CompanyFilter {
            q: Some(q.to_string()),
            ..Default::default()
        },
    );
    let mut s = w.prefixed("SELECT c.id, c.name");
    s.push(" ORDER BY c.name_key LIMIT ").push_bind(limit);
    db.all(s).await
}

/// The library a unit adds companies to: its region, or the county above a town.
pub async fn library_of_unit(db: &Db, unit_id: i64) -> Result<(i64, String)> {
    db.one(
        Sql::new(
            "SELECT CASE WHEN r.level = 'town' AND p.id IS NOT NULL THEN p.id ELSE r.id END, \
             CASE WHEN r.level = 'town' AND p.id IS NOT NULL THEN p.path ELSE r.path END \
             FROM units u JOIN regions r ON r.id = u.region_id \
             LEFT JOIN regions p ON p.id = r.parent_id WHERE u.id = $1",
        )
        .bind(unit_id),
    )
    .await
}

/// The id of the company `vis` admits with this credit code, or else this normalised name.
pub async fn resolve(
    db: &Db,
    vis: &Visibility,
    credit_code: Option<&str>,
    name_key: &str,
) -> Result<Option<i64>> {
    let mut w = Sql::new(FROM);
    push_region_visibility(&mut w, vis, "c.region_id", Some("c.unit_id"));
    w.push(" AND (c.name_key = ").push_bind(name_key);
    if let Some(code) = credit_code {
        w.push(" OR c.credit_code = ").push_bind(code);
    }
    w.push(")");
    let mut q = w.prefixed("SELECT c.id");
    q.push(" ORDER BY c.id LIMIT 1");
    Ok(db.optional::<(i64,)>(q).await?.map(|(id,)| id))
}

/// A company read from a spreadsheet row, checked, with the library and unit it goes to.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub row: usize,
    pub region_id: i64,
    pub unit_id: Option<i64>,
    pub fields: CompanyFields,
    /// The chain segments the row gives (in segment order), or `None` to keep the company's.
    pub segments: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = CompanyImportSummary)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Whether saving `f` (followed by `unit_id`) over `c` would change nothing.
fn same(c: &Company, unit_id: Option<i64>, f: &CompanyFields) -> bool {
    c.name == f.name
        && c.credit_code == f.credit_code
        && c.country == f.country
        && c.hq_city == f.hq_city
        && c.industry_section == f.industry_section
        && c.industry_division == f.industry_division
        && c.flags() == f.flags()
        && c.contacts == f.contacts
        && c.source == f.source
        && c.notes == f.notes
        && c.unit_id == unit_id
}

/// Imports checked rows in one transaction: a row matching a company of its library (by credit
/// code, else by normalised name) updates it when different, the others are added in bulk, and
/// every change gets its audit entry. A row that matches two different companies (its code one,
/// its name another) is refused with both named, and nothing is written.
pub async fn import(db: &Db, actor: &Actor, rows: &[ImportRow]) -> Result<ImportSummary> {
    let mut tx = db.begin().await?;
    let mut libraries: Vec<i64> = rows.iter().map(|r| r.region_id).collect();
    libraries.sort_unstable();
    libraries.dedup();
    let mut existing = Sql::new(format!("{SELECT}{FROM} AND c.region_id IN "));
    existing.push_list(&libraries);
    let existing: Vec<Company> = tx.all(existing).await?;
    let by_key: std::collections::HashMap<(i64, String), usize> = existing
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.region_id, c.name_key()), i))
        .collect();
    let by_code: std::collections::HashMap<(i64, &str), usize> = existing
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some(((c.region_id, c.credit_code.as_deref()?), i)))
        .collect();
    // The segments the matched companies have, when the file gives any.
    let had: std::collections::HashMap<i64, Vec<i64>> = if rows.iter().any(|r| r.segments.is_some())
    {
        let mut q = Sql::new(
            "SELECT cs.company_id, cs.segment_id FROM company_segments cs \
             JOIN companies c ON c.id = cs.company_id WHERE c.region_id IN ",
        );
        q.push_list(&libraries).push(" ORDER BY cs.segment_id");
        let mut had: std::collections::HashMap<i64, Vec<i64>> = Default::default();
        for (company, segment) in tx.all::<(i64, i64)>(q).await? {
            had.entry(company).or_default().push(segment);
        }
        had
    } else {
        Default::default()
    };
    let same_segments = |c: &Company, r: &ImportRow| {
        r.segments
            .as_ref()
            .is_none_or(|s| had.get(&c.id).map(Vec::as_slice).unwrap_or_default() == s.as_slice())
    };
    let mut e = Invalid::default();
    let mut new = Vec::new();
    let mut changed = Vec::new();
    let mut summary = ImportSummary::default();
    for r in rows {
        let f = &r.fields;
        let by_c = f
            .credit_code
            .as_deref()
            .and_then(|code| by_code.get(&(r.region_id, code)));
        let by_n = by_key.get(&(r.region_id, f.name_key.clone()));
        let matched = match (by_c, by_n) {
            (Some(a), Some(b)) if a != b => {
                let other = &existing[*b];
                e.push(
                    FieldError::new("name", "err.company_duplicate")
                        .with("id", other.id)
                        .with("name", &other.name)
                        .at_row("companies", r.row),
                );
                continue;
            }
            (Some(a), _) | (None, Some(a)) => Some(&existing[*a]),
            (None, None) => None,
        };
        match matched {
            None => new.push(r),
            Some(c) if same(c, r.unit_id, f) && same_segments(c, r) => summary.unchanged += 1,
            Some(c) => changed.push((c, r)),
        }
    }
    e.into_result()?;
    // Updates one by one (an import mostly adds); additions in bulk.
    for (c, r) in &changed {
        let q = Sql::new(
            "UPDATE companies SET name = $1, name_key = $2, credit_code = $3, country = $4, \
             hq_city = $5, industry_section = $6, industry_division = $7, global500 = $8, \
             china500 = $9, private500 = $10, headquarters = $11, listed = $12, contacts = $13, \
             source = $14, notes = $15, search = $16, unit_id = $17, version = version + 1, \
             updated_at = $18 WHERE id = $19",
        );
        tx.execute(
            bind_fields(q, &r.fields)
                .bind(r.unit_id)
                .bind(now())
                .bind(c.id),
        )
        .await?;
        if let Some(segments) = r.segments.as_ref().filter(|_| !same_segments(c, r)) {
            crate::chains::set_company_segments(&mut tx, c.id, segments).await?;
        }
        let after = get_in(&mut tx, c.id).await?;
        audit::append(
            &mut tx,
            actor,
            Change::new("import", "company", c.id)
                .place(Some(c.region_id), after.unit_id)
                .before(*c)
                .after(&after),
        )
        .await?;
        summary.updated += 1;
    }
    let t = now();
    const COLUMNS: usize = 21;
    for chunk in new.chunks(4_000 / COLUMNS) {
        let mut q = Sql::new(
            "INSERT INTO companies (name, name_key, credit_code, country, hq_city, \
             industry_section, industry_division, global500, china500, private500, headquarters, \
             listed, contacts, source, notes, search, region_id, \
             unit_id, status, created_at, updated_at) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            let f = &r.fields;
            q.push(if i == 0 { "(" } else { ", (" });
            let values: [crate::Value; COLUMNS] = [
                f.name.clone().into(),
                f.name_key.clone().into(),
                f.credit_code.clone().into(),
                f.country.clone().into(),
                f.hq_city.clone().into(),
                f.industry_section.clone().into(),
                f.industry_division.clone().into(),
                f.global500.into(),
                f.china500.into(),
                f.private500.into(),
                f.headquarters.into(),
                f.listed.into(),
                f.contacts.to_json().into(),
                f.source.clone().into(),
                f.notes.clone().into(),
                search_text(&f.name, f.credit_code.as_deref()).into(),
                r.region_id.into(),
                r.unit_id.into(),
                "potential".into(),
                t.into(),
                t.into(),
            ];
            for (j, v) in values.into_iter().enumerate() {
                if j > 0 {
                    q.push(", ");
                }
                q.push_bind(v);
            }
            q.push(")");
        }
        tx.execute(q).await?;
    }
    if !new.is_empty() {
        // The new rows' ids, by their unique (library, name key), for their audit entries.
        let mut q = Sql::new("SELECT id, region_id, name_key FROM companies WHERE region_id IN ");
        q.push_list(&libraries)
            .push(" AND created_at = ")
            .push_bind(t);
        let ids: std::collections::HashMap<(i64, String), i64> = tx
            .all::<(i64, i64, String)>(q)
            .await?
            .into_iter()
            .map(|(id, region, key)| ((region, key), id))
            .collect();
        // New companies' segments, many rows per statement.
        let links: Vec<(i64, i64)> = new
            .iter()
            .filter_map(|r| {
                let id = ids.get(&(r.region_id, r.fields.name_key.clone()))?;
                Some(r.segments.as_ref()?.iter().map(move |s| (*id, *s)))
            })
            .flatten()
            .collect();
        for chunk in links.chunks(1_000) {
            let mut q = Sql::new("INSERT INTO company_segments (company_id, segment_id) VALUES ");
            for (i, (company, segment)) in chunk.iter().enumerate() {
                q.push(if i == 0 { "(" } else { ", (" })
                    .push_bind(*company)
                    .push(", ")
                    .push_bind(*segment)
                    .push(")");
            }
            tx.execute(q).await?;
        }
        for chunk in new.chunks(1_000) {
            let changes = chunk
                .iter()
                .map(|r| {
                    let id = ids
                        .get(&(r.region_id, r.fields.name_key.clone()))
                        .copied()
                        .unwrap_or_default();
                    Change::new("import", "company", id)
                        .place(Some(r.region_id), r.unit_id)
                        .after(&r.fields)
                })
                .collect();
            audit::append_many(&mut tx, actor, changes).await?;
        }
    }
    summary.created = new.len();
    tx.commit().await?;
    Ok(summary)
}
