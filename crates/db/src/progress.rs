//! The progress list of projects: monthly updates with their photos, funds in place with their
//! evidence, and the files of a project (photos, evidence of funds, evidence of a problem's
//! solution) kept in one table with their owner. Every write is audited in its transaction;
//! who may write is decided by the service before anything here is called.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::progress::{FundFields, UpdateFields};

use crate::audit::{self, Actor, Change};
use crate::follow_up::NewFile;
use crate::org::check_updated;
use crate::{Db, Result, Sql, Tx, now};

/// A monthly update (形象进度 and investment completed).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
#[schema(as = ProjectUpdate)]
pub struct Update {
    pub id: i64,
    pub project_id: i64,
    /// YYYY-MM.
    pub period: String,
    pub percent: i64,
    pub description: String,
    /// 万元 completed in the month.
    pub invested: i64,
    pub reported_by_name: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Funds in place (到位资金).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
#[schema(as = ProjectFund)]
pub struct Fund {
    pub id: i64,
    pub project_id: i64,
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    /// 万元.
    pub amount: i64,
    pub source: Option<String>,
    /// capital_verification, bank_receipt, equipment_invoice or other.
    pub evidence_type: String,
    pub note: Option<String>,
    pub recorded_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// A fund of a project a county sent: the county holds its evidence.
    pub verified_at_origin: bool,
    /// investment, land or government_plant.
    pub used_for: String,
    /// Fiscal direct investment.
    pub fiscal: bool,
}

/// A file of a project, with the one record it belongs to.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
#[schema(as = ProjectFile)]
pub struct ProjectFile {
    pub id: i64,
    pub project_id: i64,
    pub update_id: Option<i64>,
    pub fund_id: Option<i64>,
    pub problem_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// What a file belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Update(i64),
    Fund(i64),
    Problem(i64),
}

/// Stores `files` for `owner` in `tx`.
pub(crate) async fn attach(
    tx: &mut Tx,
    actor: &Actor,
    project_id: i64,
    owner: Owner,
    files: &[NewFile],
) -> Result<()> {
    let (update, fund, problem) = match owner {
        Owner::Update(id) => (Some(id), None, None),
        Owner::Fund(id) => (None, Some(id), None),
        Owner::Problem(id) => (None, None, Some(id)),
    };
    let at = now();
    for f in files {
        tx.execute(
            f.bind(
                Sql::new(
                    "INSERT INTO project_files (project_id, update_id, fund_id, problem_id, \
                     filename, content_type, size, sha256, data, uploaded_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(project_id)
                .bind(update)
                .bind(fund)
                .bind(problem),
            )
            .bind(actor.user_id)
            .bind(at),
        )
        .await?;
    }
    Ok(())
}

const FILE_SELECT: &str = "SELECT id, project_id, update_id, fund_id, problem_id, filename, \
     content_type, size, sha256, created_at FROM project_files";

/// The photos and evidence of a project's updates and funds.
pub async fn progress_files(db: &Db, project_id: i64) -> Result<Vec<ProjectFile>> {
    db.all(
        Sql::new(format!(
            "{FILE_SELECT} WHERE project_id = $1 AND problem_id IS NULL ORDER BY id"
        ))
        .bind(project_id),
    )
    .await
}

/// The evidence of a problem's solution.
pub async fn problem_files(db: &Db, problem_id: i64) -> Result<Vec<ProjectFile>> {
    db.all(Sql::new(format!("{FILE_SELECT} WHERE problem_id = $1 ORDER BY id")).bind(problem_id))
        .await
}

/// What a file is and whose (read before its bytes, to check the caller may have them).
pub async fn file(db: &Db, id: i64) -> Result<ProjectFile> {
    db.one(Sql::new(format!("{FILE_SELECT} WHERE id = $1")).bind(id))
        .await
}

/// A file's bytes.
pub async fn file_data(db: &Db, id: i64) -> Result<Vec<u8>> {
    let (data,): (Vec<u8>,) = db
        .one(Sql::new("SELECT data FROM project_files WHERE id = $1").bind(id))
        .await?;
    Ok(data)
}

// ------------------------------------------------------------------------------------ updates

const UPDATE_SELECT: &str = "SELECT x.id, x.project_id, x.period, x.percent, x.description, \
     x.invested, us.display_name AS reported_by_name, x.version, x.created_at, x.updated_at \
     FROM project_updates x LEFT JOIN users us ON us.id = x.reported_by";

/// A project's updates, the latest month first.
pub async fn updates(db: &Db, project_id: i64) -> Result<Vec<Update>> {
    db.all(
        Sql::new(format!(
            "{UPDATE_SELECT} WHERE x.project_id = $1 ORDER BY x.period DESC"
        ))
        .bind(project_id),
    )
    .await
}

pub async fn get_update(db: &Db, id: i64) -> Result<Update> {
    db.one(Sql::new(format!("{UPDATE_SELECT} WHERE x.id = $1")).bind(id))
        .await
}

async fn update_in(tx: &mut Tx, id: i64) -> Result<Update> {
    tx.one(Sql::new(format!("{UPDATE_SELECT} WHERE x.id = $1")).bind(id))
        .await
}

fn update_change(action: &'static str, region_id: i64, unit_id: i64, u: &Update) -> Change {
    Change::new(action, "project_update", u.id).place(Some(region_id), Some(unit_id))
}

/// Where a project sits, for the audit log.
async fn project_place(tx: &mut Tx, project_id: i64) -> Result<(i64, i64)> {
    tx.one(Sql::new("SELECT region_id, unit_id FROM projects WHERE id = $1").bind(project_id))
        .await
}

/// A month's update with its photos; a second update of the same month is refused
/// (`Duplicate` on `period`).
pub async fn create_update(
    db: &Db,
    actor: &Actor,
    project_id: i64,
    f: &UpdateFields,
    photos: &[NewFile],
) -> Result<Update> {
    let mut tx = db.begin().await?;
    let (region, unit) = project_place(&mut tx, project_id).await?;
    let at = now();
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO project_updates (project_id, period, percent, description, invested, \
                 reported_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                 RETURNING id",
            )
            .bind(project_id)
            .bind(f.period.to_string())
            .bind(f.percent)
            .bind(&f.description)
            .bind(f.invested)
            .bind(actor.user_id)
            .bind(at),
        )
        .await?;
    attach(&mut tx, actor, project_id, Owner::Update(id), photos).await?;
    let after = update_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        update_change("create", region, unit, &after).after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// An edit of an update made from `version`, adding `photos` to those it has.
pub async fn edit_update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    f: &UpdateFields,
    photos: &[NewFile],
) -> Result<Update> {
    let mut tx = db.begin().await?;
    let before = update_in(&mut tx, id).await?;
    let (region, unit) = project_place(&mut tx, before.project_id).await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE project_updates SET period = $1, percent = $2, description = $3, \
                 invested = $4, version = version + 1, updated_at = $5 \
                 WHERE id = $6 AND version = $7",
            )
            .bind(f.period.to_string())
            .bind(f.percent)
            .bind(&f.description)
            .bind(f.invested)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(&mut tx, n, "project_updates", id).await?;
    attach(&mut tx, actor, before.project_id, Owner::Update(id), photos).await?;
    let after = update_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        update_change("update", region, unit, &after)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// -------------------------------------------------------------------------------------- funds

const FUND_SELECT: &str = "SELECT f.id, f.project_id, f.received_on, f.amount, f.source, \
     f.evidence_type, f.note, us.display_name AS recorded_by_name, f.created_at, \
     (f.origin_verified_at IS NOT NULL) AS verified_at_origin, f.used_for, f.fiscal \
     FROM project_funds f LEFT JOIN users us ON us.id = f.recorded_by";

/// A project's funds, the latest first.
pub async fn funds(db: &Db, project_id: i64) -> Result<Vec<Fund>> {
    db.all(
        Sql::new(format!(
            "{FUND_SELECT} WHERE f.project_id = $1 AND f.removed_at IS NULL \
             ORDER BY f.received_on DESC, f.id DESC"
        ))
        .bind(project_id),
    )
    .await
}

/// The fund `id` unless it was taken back.
fn fund_by_id(id: i64) -> Sql {
    Sql::new(format!(
        "{FUND_SELECT} WHERE f.id = $1 AND f.removed_at IS NULL"
    ))
    .bind(id)
}

/// A fund not taken back.
pub async fn get_fund(db: &Db, id: i64) -> Result<Fund> {
    db.one(fund_by_id(id)).await
}

async fn fund_in(tx: &mut Tx, id: i64) -> Result<Fund> {
    tx.one(fund_by_id(id)).await
}

fn fund_change(action: &'static str, region_id: i64, unit_id: i64, f: &Fund) -> Change {
    Change::new(action, "project_fund", f.id).place(Some(region_id), Some(unit_id))
}

/// Whether fund `f` is verified: evidence on file here, or (a fund a county sent) at the county.
pub(crate) const EVIDENCED: &str = "(f.origin_verified_at IS NOT NULL OR EXISTS (SELECT 1 \
     FROM project_files pf WHERE pf.fund_id = f.id))";

/// Funds in place with their evidence (none yet: unverified).
pub async fn add_fund(
    db: &Db,
    actor: &Actor,
    project_id: i64,
    f: &FundFields,
    evidence: &[NewFile],
) -> Result<Fund> {
    let mut tx = db.begin().await?;
    let (region, unit) = project_place(&mut tx, project_id).await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO project_funds (project_id, received_on, amount, source, \
                 evidence_type, note, recorded_by, created_at, used_for, fiscal) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(project_id)
            .bind(f.received_on)
            .bind(f.amount)
            .bind(f.source.clone())
            .bind(f.evidence_type.id())
            .bind(f.note.clone())
            .bind(actor.user_id)
            .bind(now())
            .bind(f.used_for.id())
            .bind(f.fiscal),
        )
        .await?;
    attach(&mut tx, actor, project_id, Owner::Fund(id), evidence).await?;
    let after = fund_in(&mut tx, id).await?;
    audit::append(
        &mut tx,
        actor,
        fund_change("create", region, unit, &after).after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Evidence handed in later for funds already recorded.
pub async fn add_evidence(db: &Db, actor: &Actor, fund_id: i64, files: &[NewFile]) -> Result<()> {
    let mut tx = db.begin().await?;
    let fund = fund_in(&mut tx, fund_id).await?;
    let (region, unit) = project_place(&mut tx, fund.project_id).await?;
    attach(&mut tx, actor, fund.project_id, Owner::Fund(fund_id), files).await?;
    let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
    audit::append(
        &mut tx,
        actor,
        fund_change("evidence", region, unit, &fund).after(&names),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes back funds recorded in error (audited). They are kept, with their evidence, as taken
/// back: lists and totals leave them out from now on, and a past day still counts them as it did.
pub async fn remove_fund(db: &Db, actor: &Actor, fund_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let before = fund_in(&mut tx, fund_id).await?;
    let (region, unit) = project_place(&mut tx, before.project_id).await?;
    tx.execute(
        Sql::new("UPDATE project_funds SET removed_at = $1 WHERE id = $2")
            .bind(now())
            .bind(fund_id),
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        fund_change("delete", region, unit, &before).before(&before),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Of each project: its latest update (percent, month), the investment completed in all its
/// updates, and its funds as (amount, evidence on file), for totals by
/// `zhaoyin_core::progress::FundsTotals`.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub latest: Option<(String, i64)>,
    pub invested: i64,
    pub funds: Vec<(i64, bool)>,
}

/// The progress of several projects at once (the quarterly sorting).
pub async fn progress_of(
    db: &Db,
    project_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Progress>> {
    let mut out: std::collections::HashMap<i64, Progress> = std::collections::HashMap::new();
    if project_ids.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::new(
        "SELECT project_id, period, percent, invested FROM project_updates WHERE project_id IN ",
    );
    q.push_list(project_ids)
        .push(" ORDER BY project_id, period");
    let rows: Vec<(i64, String, i64, i64)> = db.all(q).await?;
    for (project, period, percent, invested) in rows {
        let p = out.entry(project).or_default();
        p.invested = p.invested.saturating_add(invested);
        p.latest = Some((period, percent));
    }
    let mut q = Sql::new(format!(
        "SELECT f.project_id, f.amount, CASE WHEN {EVIDENCED} THEN 1 ELSE 0 END AS evidenced \
         FROM project_funds f WHERE f.removed_at IS NULL AND f.project_id IN "
    ));
    q.push_list(project_ids);
    let rows: Vec<(i64, i64, i32)> = db.all(q).await?;
    for (project, amount, evidenced) in rows {
        out.entry(project)
            .or_default()
            .funds
            .push((amount, evidenced == 1));
    }
    Ok(out)
}

// ------------------------------------------------------------------------- funds across projects

/// Funds in place across projects: those of the projects `project` admits, received on a day in
/// `[from, until)`, verified (evidence on file) or not.
#[derive(Debug, Clone, Default)]
pub struct FundFilter {
    pub project: crate::projects::ProjectFilter,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub verified: Option<bool>,
}

/// A line of the funds list: the fund with its project and whether it is verified.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct FundLine {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub unit_name: String,
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    /// 万元.
    pub amount: i64,
    pub source: Option<String>,
    /// capital_verification, bank_receipt, equipment_invoice or other.
    pub evidence_type: String,
    pub note: Option<String>,
    /// Evidence is on file.
    pub verified: bool,
}

/// The funds a filter admits, and the condition that a fund is verified: evidence on file here,
/// or (for a project a county sent) at the county. As of a past day (the project filter's
/// `as_of`), only the funds recorded by its end and not taken back by then, verified by evidence
/// filed by then, of the projects as they stood.
fn funds_visible(vis: &zhaoyin_core::authz::Visibility, f: &FundFilter) -> (Sql, String) {
    let w = crate::history::from(
        FUNDS_FROM,
        &[&crate::projects::VERSIONED],
        f.project.as_of.map(|a| a.end),
    );
    (funds_within(vis, w, f), evidenced(f).to_string())
}

const FUNDS_FROM: &str = " FROM project_funds f JOIN projects p ON p.id = f.project_id \
     JOIN regions r ON r.id = p.region_id WHERE 1 = 1";

/// The condition that the fund `f` (the statement's alias) is verified, as the filter reads it:
/// as of a past day, by its end, `$1` (which [`crate::history`]'s statements bind first).
fn evidenced(f: &FundFilter) -> &'static str {
    if f.project.as_of.is_some() {
        "((f.origin_verified_at IS NOT NULL AND f.origin_verified_at < $1) \
         OR EXISTS (SELECT 1 FROM project_files pf WHERE pf.fund_id = f.id AND pf.created_at < $1))"
    } else {
        EVIDENCED
    }
}

/// `w` ([`FUNDS_FROM`], as of the filter's day if any) narrowed to the funds `f` admits.
fn funds_within(vis: &zhaoyin_core::authz::Visibility, w: Sql, f: &FundFilter) -> Sql {
    let mut w = crate::projects::visible_from(vis, w, &f.project);
    if f.project.as_of.is_some() {
        w.push(" AND f.created_at < $1 AND (f.removed_at IS NULL OR f.removed_at >= $1)");
    } else {
        w.push(" AND f.removed_at IS NULL");
    }
    if let Some(d) = f.from {
        w.push(" AND f.received_on >= ").push_bind(d);
    }
    if let Some(d) = f.until {
        w.push(" AND f.received_on < ").push_bind(d);
    }
    match f.verified {
        Some(true) => {
            w.push(" AND ").push(evidenced(f));
        }
        Some(false) => {
            w.push(" AND NOT ").push(evidenced(f));
        }
        None => {}
    }
    w
}

const FUND_LINE: &str = "SELECT f.id, f.project_id, p.name AS project_name, \
     (SELECT u.name FROM units u WHERE u.id = p.unit_id) AS unit_name, f.received_on, f.amount, \
     f.source, f.evidence_type, f.note, ";
const FUND_ORDER: &str = "f.received_on DESC, f.id DESC";

/// Every fund the filter admits, the latest first (for the export).
pub async fn all_fund_lines(
    db: &Db,
    vis: &zhaoyin_core::authz::Visibility,
    f: &FundFilter,
) -> Result<Vec<FundLine>> {
    let (w, evidenced) = funds_visible(vis, f);
    let mut q = w.prefixed(&format!("{FUND_LINE}{evidenced} AS verified"));
    q.push(" ORDER BY ").push(FUND_ORDER);
    db.all(q).await
}

/// A page of funds, the latest first, with their bounded count and the totals of every fund
/// the filter admits (not only the page's).
pub async fn fund_lines(
    db: &Db,
    vis: &zhaoyin_core::authz::Visibility,
    f: &FundFilter,
    page: zhaoyin_core::paging::Page,
) -> Result<(Vec<FundLine>, i64, zhaoyin_core::progress::FundsTotals)> {
    let (w, evidenced) = funds_visible(vis, f);
    let (count,): (i64,) = db.one(w.bounded_count(crate::COUNT_BOUND)).await?;
    let rows = db
        .all(w.page(
            &format!("{FUND_LINE}{evidenced} AS verified"),
            FUND_ORDER,
            page,
        ))
        .await?;
    let totals = funds_by_region(db, vis, f).await?.into_iter().fold(
        zhaoyin_core::progress::FundsTotals::default(),
        |mut t, (_, v, u)| {
            t.verified += v;
            t.unverified += u;
            t
        },
    );
    Ok((rows, count, totals))
}

/// Verified and unverified funds per project region: (region id, verified, unverified), 万元.
pub async fn funds_by_region(
    db: &Db,
    vis: &zhaoyin_core::authz::Visibility,
    f: &FundFilter,
) -> Result<Vec<(i64, i64, i64)>> {
    if let (Some(a), Some(from), Some(until), None) = (f.project.as_of, f.from, f.until, f.verified)
        && crate::projects::only_region(vis, &f.project)
        && let Some(rows) = funds_tallied(db, vis, f.project.region_id, from, until, a).await?
    {
        return Ok(rows);
    }
    funds_counted(db, vis, f).await
}

/// [`funds_by_region`] summed from the funds, their projects and their files (as of a past
/// day, the projects' versions).
pub async fn funds_counted(
    db: &Db,
    vis: &zhaoyin_core::authz::Visibility,
    f: &FundFilter,
) -> Result<Vec<(i64, i64, i64)>> {
    funds_by(db, vis, f, "p.region_id").await
}

/// [`funds_by_region`] as of `a` from the tallies (migration 0039): per region, the sums of the
/// months of `from..until` (whole months), each its last row on or before the day. None when
/// they do not count that day, or the period is not whole months.
pub async fn funds_tallied(
    db: &Db,
    vis: &zhaoyin_core::authz::Visibility,
    region_id: Option<i64>,
    from: NaiveDate,
    until: NaiveDate,
    a: crate::tasks::AsOf,
) -> Result<Option<Vec<(i64, i64, i64)>>> {
    let Some(months) = crate::tallies::months(from, until) else {
        return Ok(None);
    };
    // One lookup per region, month and sum.
    let last = |column: &str| {
        format!(
            "(SELECT m.{column} FROM fund_tallies m WHERE m.region_id = r.id \
             AND m.month = mo.month AND m.day <= $1 ORDER BY m.day DESC LIMIT 1) AS {column}"
        )
    };
    let mut q = Sql::new(format!(
        "SELECT region_id, CAST(SUM(verified) AS BIGINT), CAST(SUM(total - verified) AS BIGINT) \
         FROM (SELECT r.id AS region_id, {}, {} FROM ",
        last("total"),
        last("verified")
    ))
    .bind(a.day);
    crate::tallies::push_region_months(&mut q, "fund_tallies", &months, vis, region_id);
    q.push(") x WHERE total IS NOT NULL GROUP BY region_id HAVING SUM(total) > 0");
    crate::tallies::push_counted(&mut q, &FUND_TALLY, a, "0, 0");
    crate::tallies::read(db, q, |r: &(i64, i64, i64)| r.0).await
}

/// Funds per region and month received, total and verified, by day (migration 0039). Counted
/// from day $2 on (which starts at $1): each key's last row before it plus the changes since.
/// Each fund with a change from then on (recorded, taken back, verified at its origin, a file of
/// it kept, its project's row or a version of it begins or ends) is looked at on the day before
/// ($3) and on each day it changed, as the list of funds counts it then, and moves its amount
/// from the region it was counted in (and whether verified) to the one it is.
pub(crate) const FUND_TALLY: crate::tallies::Tally = crate::tallies::Tally {
    name: "project_funds",
    table: "fund_tallies",
    instants: &[
        "SELECT MIN(created_at), MAX(created_at) FROM project_funds",
        "SELECT MIN(removed_at), MAX(removed_at) FROM project_funds",
        "SELECT MIN(origin_verified_at), MAX(origin_verified_at) FROM project_funds",
        "SELECT MIN(created_at), MAX(created_at) FROM project_files WHERE fund_id IS NOT NULL",
        "SELECT MIN(updated_at), MAX(updated_at) FROM projects",
        "SELECT MIN(updated_at), MAX(valid_to) FROM project_versions",
    ],
    days: &[],
    recount: "WITH changed AS (\
     SELECT f.id AS fund_id, (SELECT d.day FROM tally_days d WHERE d.end_at > f.created_at \
     ORDER BY d.end_at LIMIT 1) AS day FROM project_funds f WHERE f.created_at >= $1 \
     UNION SELECT f.id, (SELECT d.day FROM tally_days d WHERE d.end_at > f.removed_at \
     ORDER BY d.end_at LIMIT 1) FROM project_funds f WHERE f.removed_at >= $1 \
     UNION SELECT f.id, (SELECT d.day FROM tally_days d WHERE d.end_at > f.origin_verified_at \
     ORDER BY d.end_at LIMIT 1) FROM project_funds f WHERE f.origin_verified_at >= $1 \
     UNION SELECT pf.fund_id, (SELECT d.day FROM tally_days d WHERE d.end_at > pf.created_at \
     ORDER BY d.end_at LIMIT 1) FROM project_files pf \
     WHERE pf.fund_id IS NOT NULL AND pf.created_at >= $1 \
     UNION SELECT f.id, (SELECT d.day FROM tally_days d WHERE d.end_at > p.updated_at \
     ORDER BY d.end_at LIMIT 1) FROM projects p JOIN project_funds f ON f.project_id = p.id \
     WHERE p.updated_at >= $1 \
     UNION SELECT f.id, (SELECT d.day FROM tally_days d WHERE d.end_at > v.updated_at \
     ORDER BY d.end_at LIMIT 1) FROM project_versions v JOIN project_funds f ON f.project_id = v.id \
     WHERE v.valid_to >= $1 AND v.updated_at >= $1 \
     UNION SELECT f.id, (SELECT d.day FROM tally_days d WHERE d.end_at > v.valid_to \
     ORDER BY d.end_at LIMIT 1) FROM project_versions v JOIN project_funds f ON f.project_id = v.id \
     WHERE v.valid_to >= $1), \
     points AS (SELECT fund_id, day FROM changed UNION SELECT fund_id, $3 FROM changed), \
     states AS (SELECT c.fund_id, c.day, f.amount, SUBSTR(CAST(f.received_on AS TEXT), 1, 7) AS month, \
     CASE WHEN f.created_at < d.end_at AND (f.removed_at IS NULL OR f.removed_at >= d.end_at) \
     THEN COALESCE(\
     (SELECT CASE WHEN x.duplicate_of IS NULL AND x.withdrawn_at IS NULL THEN x.region_id ELSE 0 END \
     FROM projects x WHERE x.id = f.project_id AND x.updated_at < d.end_at), \
     (SELECT CASE WHEN v.duplicate_of IS NULL AND v.withdrawn_at IS NULL THEN v.region_id ELSE 0 END \
     FROM project_versions v WHERE v.id = f.project_id AND v.updated_at < d.end_at \
     AND v.valid_to >= d.end_at LIMIT 1), 0) ELSE 0 END AS region_id, \
     CASE WHEN (f.origin_verified_at IS NOT NULL AND f.origin_verified_at < d.end_at) \
     OR EXISTS (SELECT 1 FROM project_files pf WHERE pf.fund_id = f.id AND pf.created_at < d.end_at) \
     THEN 1 ELSE 0 END AS verified \
     FROM points c JOIN project_funds f ON f.id = c.fund_id JOIN tally_days d ON d.day = c.day), \
     moves AS (SELECT month, day, amount, region_id, verified, \
     LAG(region_id, 1, 0) OVER (PARTITION BY fund_id ORDER BY day) AS was_region, \
     LAG(verified, 1, 0) OVER (PARTITION BY fund_id ORDER BY day) AS was_verified FROM states), \
     deltas AS (SELECT region_id, month, day, SUM(total) AS total, SUM(verified) AS verified FROM (\
     SELECT region_id, month, day, amount AS total, amount * verified AS verified FROM moves \
     WHERE day >= $2 AND region_id > 0 AND (region_id <> was_region OR verified <> was_verified) \
     UNION ALL SELECT was_region, month, day, -amount, -amount * was_verified FROM moves \
     WHERE day >= $2 AND was_region > 0 AND (region_id <> was_region OR verified <> was_verified)) m \
     GROUP BY region_id, month, day) \
     INSERT INTO fund_tallies (region_id, month, day, total, verified) \
     SELECT x.region_id, x.month, x.day, COALESCE(b.total, 0) + SUM(x.total) OVER w, \
     COALESCE(b.verified, 0) + SUM(x.verified) OVER w \
     FROM deltas x LEFT JOIN fund_tallies b ON b.region_id = x.region_id AND b.month = x.month \
     AND b.day = (SELECT MAX(m.day) FROM fund_tallies m WHERE m.region_id = x.region_id \
     AND m.month = x.month) \
     WINDOW w AS (PARTITION BY x.region_id, x.month ORDER BY x.day)",
};

/// Verified and unverified funds per credited unit (the project's first introducing unit, else
/// its responsible unit; see `ProjectFilter::credit_unit_id`): (unit id, verified, unverified).
pub async fn funds_by_credit_unit(
    db: &Db,
    vis: &zhaoyin_core::authz::Visibility,
    f: &FundFilter,
) -> Result<Vec<(i64, i64, i64)>> {
    let f = FundFilter {
        project: crate::projects::ProjectFilter {
            credit_unit_id: None,
            ..f.project.clone()
        },
        ..f.clone()
    };
    funds_by(db, vis, &f, crate::projects::CREDIT_UNIT).await
}

async fn funds_by(
    db: &Db,
    vis: &zhaoyin_core::authz::Visibility,
    f: &FundFilter,
    key: &str,
) -> Result<Vec<(i64, i64, i64)>> {
    // As of a past day, one arm per projects' rows or versions, each a join served by the
    // indexes, where the union of the projects as they stood is read whole first. A region wider
    // than a county is tested by its path pattern, which PostgreSQL estimates from its
    // statistics (by id it guessed a province at a few regions: 1.0 s as of a past day).
    let reach = crate::org::reach(db, vis, f.project.region_id).await?;
    let f = &FundFilter {
        project: crate::projects::ProjectFilter {
            region_id: reach.region_id(f.project.region_id),
            ..f.project.clone()
        },
        ..f.clone()
    };
    // The evidence is looked up once per fund: the unverified are the rest of the total (a
    // second test looked each fund's files up again, 68,734 lookups more in a province's year).
    let evidenced = evidenced(f);
    let arms = crate::history::arms(
        &format!(
            "SELECT {key} AS k, SUM(CASE WHEN {evidenced} THEN f.amount ELSE 0 END) AS verified, \
             SUM(f.amount) AS total"
        ),
        FUNDS_FROM,
        &[&crate::projects::VERSIONED],
        f.project.as_of.map(|a| a.end),
        |w| {
            let mut w = funds_within(vis, w, f);
            reach.push_path(&mut w);
            w.push(" GROUP BY ").push(key);
            w
        },
    );
    let rows: Vec<(i64, i64, i64)> = db
        .all(reach.planned(crate::history::summed(&arms, "k", &["verified", "total"])))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(k, verified, total)| (k, verified, total - verified))
        .collect())
}
