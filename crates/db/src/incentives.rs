//! Incentives (激励, M10, M12): a county's rules, kept as JSON by its supervisor, and the award
//! ledger. An award keeps the figures and the rule it was computed under (`basis`), so what it
//! was proposed on never changes; its status moves by the steps of
//! `zhaoyin_core::incentive::take`, each in the audit log.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_visibility};
use crate::{Db, Result, Sql, now};

// --------------------------------------------------------------------------------------- rules

/// A county's configuration kept as JSON by its supervisor, one row per county and kind.
#[derive(Debug, Clone, Copy)]
pub enum Config {
    /// `zhaoyin_core::incentive::Rules`.
    Incentive,
    /// `zhaoyin_core::land::Rules` (亩产效益).
    Land,
}

impl Config {
    fn table(self) -> &'static str {
        match self {
            Config::Incentive => "incentive_rules",
            Config::Land => "land_rules",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RulesRow {
    pub region_id: i64,
    /// The configuration as JSON.
    pub body: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// The configuration county `region_id` saved, if any.
pub async fn rules(db: &Db, config: Config, region_id: i64) -> Result<Option<RulesRow>> {
    db.optional(
        Sql::new(format!(
            "SELECT region_id, body, version, updated_at FROM {} WHERE region_id = $1",
            config.table()
        ))
        .bind(region_id),
    )
    .await
}

/// Saves county `region_id`'s configuration: the first time with `expected` none, after that
/// naming the version read (refused as stale otherwise). The change is in the audit log, before
/// and after.
pub async fn save_rules(
    db: &Db,
    actor: &Actor,
    config: Config,
    region_id: i64,
    expected: Option<&RulesRow>,
    body: &str,
) -> Result<RulesRow> {
    let table = config.table();
    let mut tx = db.begin().await?;
    let at = now();
    let n = match expected {
        // Two first saves at once: the second finds the first's and is stale.
        None => {
            tx.execute(
                Sql::new(format!(
                    "INSERT INTO {table} (region_id, body, version, updated_by, updated_at) \
                     VALUES ($1, $2, 1, $3, $4) ON CONFLICT (region_id) DO NOTHING"
                ))
                .bind(region_id)
                .bind(body)
                .bind(actor.user_id)
                .bind(at),
            )
            .await?
        }
        Some(r) => {
            tx.execute(
                Sql::new(format!(
                    "UPDATE {table} SET body = $1, version = version + 1, updated_by = $2, \
                     updated_at = $3 WHERE region_id = $4 AND version = $5"
                ))
                .bind(body)
                .bind(actor.user_id)
                .bind(at)
                .bind(region_id)
                .bind(r.version),
            )
            .await?
        }
    };
    if n != 1 {
        return Err(crate::Error::Stale);
    }
    let json = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or_default();
    let mut change = Change::new(
        if expected.is_some() {
            "update"
        } else {
            "create"
        },
        table,
        region_id,
    )
    .place(Some(region_id), None)
    .after(&json(body));
    if let Some(r) = expected {
        change = change.before(&json(&r.body));
    }
    audit::append(&mut tx, actor, change).await?;
    tx.commit().await?;
    rules(db, config, region_id)
        .await?
        .ok_or(crate::Error::NotFound)
}

// -------------------------------------------------------------------------------------- awards

/// An award in the ledger.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Award {
    pub id: i64,
    /// The county whose supervisor keeps it.
    pub region_id: i64,
    /// The path of the region it is read from (the project's, the company's library).
    #[serde(skip)]
    pub place_path: String,
    /// `introducer` (M10) or `platform` (M12).
    pub kind: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    /// Who is paid.
    pub payee: String,
    /// What it is for (`project:12`, `platform:<name>`): one live award each.
    pub subject: String,
    /// 万元.
    pub amount: i64,
    /// The figures and the rule it was computed under (JSON).
    #[serde(skip)]
    pub basis: String,
    /// `proposed`, `notice`, `approved`, `paid` or `rejected`.
    pub status: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub notice_from: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub notice_until: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub paid_on: Option<NaiveDate>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Named by a step (optimistic concurrency).
    pub version: i64,
}

const AWARD: &str = "SELECT a.id, a.region_id, r.path AS place_path, a.kind, a.unit_id, \
     u.name AS unit_name, a.project_id, p.name AS project_name, a.company_id, \
     c.name AS company_name, a.payee, a.subject, a.amount, a.basis, a.status, a.notice_from, \
     a.notice_until, a.paid_on, a.reason, a.created_at, a.updated_at, a.version \
     FROM incentive_awards a JOIN regions r ON r.id = a.place_region_id \
     LEFT JOIN units u ON u.id = a.unit_id LEFT JOIN projects p ON p.id = a.project_id \
     LEFT JOIN companies c ON c.id = a.company_id WHERE 1 = 1";

/// Which awards a list shows.
#[derive(Debug, Clone, Default)]
pub struct AwardFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    /// Proposed in this year (Asia/Shanghai is the caller's: `[from, until)` as instants).
    pub created: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub project_id: Option<i64>,
}

/// The awards `vis` reads that `f` admits, the latest first.
pub async fn awards(db: &Db, vis: &Visibility, f: &AwardFilter) -> Result<Vec<Award>> {
    let mut q = Sql::new(AWARD);
    push_visibility(&mut q, vis, "r.path", Some("a.unit_id"));
    if let Some(k) = &f.kind {
        q.push(" AND a.kind = ").push_bind(k.clone());
    }
    if let Some(s) = &f.status {
        q.push(" AND a.status = ").push_bind(s.clone());
    }
    if let Some((from, until)) = f.created {
        q.push(" AND a.created_at >= ").push_bind(from);
        q.push(" AND a.created_at < ").push_bind(until);
    }
    if let Some(p) = f.project_id {
        q.push(" AND a.project_id = ").push_bind(p);
    }
    q.push(" ORDER BY a.created_at DESC, a.id DESC");
    db.all(q).await
}

pub async fn award(db: &Db, id: i64) -> Result<Award> {
    db.one(Sql::new(format!("{AWARD} AND a.id = $1")).bind(id))
        .await
}

/// An award as proposed.
pub struct NewAward<'a> {
    pub region_id: i64,
    pub place_region_id: i64,
    pub kind: &'a str,
    pub unit_id: Option<i64>,
    pub project_id: Option<i64>,
    pub company_id: Option<i64>,
    pub payee: &'a str,
    pub subject: &'a str,
    pub amount: i64,
    pub basis: &'a str,
}

/// Proposes an award. A subject with a live award (any but rejected) is refused as a duplicate
/// of `subject`.
pub async fn propose(db: &Db, actor: &Actor, a: &NewAward<'_>) -> Result<Award> {
    let mut tx = db.begin().await?;
    let at = now();
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO incentive_awards (region_id, place_region_id, kind, unit_id, \
                 project_id, company_id, payee, subject, amount, basis, status, created_by, \
                 created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'proposed', $11, $12, $12) \
                 RETURNING id",
            )
            .bind(a.region_id)
            .bind(a.place_region_id)
            .bind(a.kind)
            .bind(a.unit_id)
            .bind(a.project_id)
            .bind(a.company_id)
            .bind(a.payee)
            .bind(a.subject)
            .bind(a.amount)
            .bind(a.basis)
            .bind(actor.user_id)
            .bind(at),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "incentive_award", id)
            .place(Some(a.place_region_id), a.unit_id)
            .after(&serde_json::json!({
                "kind": a.kind, "payee": a.payee, "subject": a.subject, "amount": a.amount,
                "basis": serde_json::from_str::<serde_json::Value>(a.basis).unwrap_or_default(),
            })),
    )
    .await?;
    tx.commit().await?;
    award(db, id).await
}

/// Where a step leaves an award.
pub struct Stepped<'a> {
    /// The audit's action: `notice`, `approve`, `pay` or `reject`.
    pub action: &'static str,
    pub status: &'a str,
    pub notice: Option<(NaiveDate, NaiveDate)>,
    pub paid_on: Option<NaiveDate>,
    pub reason: Option<&'a str>,
}

/// Takes a step on award `a` as read (refused as stale if it changed since).
pub async fn step(db: &Db, actor: &Actor, a: &Award, s: &Stepped<'_>) -> Result<Award> {
    let mut tx = db.begin().await?;
    let (from, until) = match s.notice {
        Some((f, u)) => (Some(f), Some(u)),
        None => (a.notice_from, a.notice_until),
    };
    let n = tx
        .execute(
            Sql::new(
                "UPDATE incentive_awards SET status = $1, notice_from = $2, notice_until = $3, \
                 paid_on = $4, reason = $5, updated_at = $6, version = version + 1 \
                 WHERE id = $7 AND version = $8",
            )
            .bind(s.status)
            .bind(from)
            .bind(until)
            .bind(s.paid_on.or(a.paid_on))
            .bind(s.reason.map(str::to_string).or_else(|| a.reason.clone()))
            .bind(now())
            .bind(a.id)
            .bind(a.version),
        )
        .await?;
    check_updated(&mut tx, n, "incentive_awards", a.id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new(s.action, "incentive_award", a.id)
            .place(Some(a.region_id), a.unit_id)
            .before(&serde_json::json!({ "status": a.status }))
            .after(&serde_json::json!({
                "status": s.status, "notice_from": from, "notice_until": until,
                "paid_on": s.paid_on, "reason": s.reason,
            })),
    )
    .await?;
    tx.commit().await?;
    award(db, a.id).await
}

// ----------------------------------------------------------------------------- an award's facts

/// What the platform holds of a project that an introducer's reward reads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectFacts {
    pub id: i64,
    pub name: String,
    pub region_id: i64,
    pub region_path: String,
    pub unit_id: i64,
    pub stage: String,
    pub introducer: Option<String>,
    pub introducer_civil_servant: bool,
    /// Left out of every total: the same investment as an earlier project.
    pub duplicate_of: Option<i64>,
}

/// One of a project's funds in place, as the reward counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FundFacts {
    pub project_id: i64,
    pub amount: i64,
    /// Evidence on file here, or at the county that sent it.
    pub verified: bool,
    pub used_for: String,
    pub fiscal: bool,
}

/// What the platform holds today of each of `ids` (those that exist) and its funds.
pub async fn claims(db: &Db, ids: &[i64]) -> Result<HashMap<i64, (ProjectFacts, Vec<FundFacts>)>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::new(
        "SELECT p.id, p.name, p.region_id, r.path AS region_path, p.unit_id, p.stage, \
         p.introducer, p.introducer_civil_servant, p.duplicate_of \
         FROM projects p JOIN regions r ON r.id = p.region_id WHERE p.id IN ",
    );
    q.push_list(ids);
    let projects: Vec<ProjectFacts> = db.all(q).await?;
    for p in projects {
        out.insert(p.id, (p, Vec::new()));
    }
    let mut q = Sql::new(format!(
        "SELECT f.project_id, f.amount, {} AS verified, f.used_for, f.fiscal \
         FROM project_funds f WHERE f.removed_at IS NULL AND f.project_id IN ",
        crate::progress::EVIDENCED
    ));
    q.push_list(ids).push(" ORDER BY f.received_on, f.id");
    let funds: Vec<FundFacts> = db.all(q).await?;
    for f in funds {
        if let Some((_, list)) = out.get_mut(&f.project_id) {
            list.push(f);
        }
    }
    Ok(out)
}

/// The company an innovation platform belongs to: its library and the unit following it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompanyFacts {
    pub id: i64,
    pub name: String,
    pub region_id: i64,
    pub region_path: String,
    pub unit_id: Option<i64>,
}

pub async fn company_facts(db: &Db, id: i64) -> Result<CompanyFacts> {
    db.one(
        Sql::new(
            "SELECT c.id, c.name, c.region_id, r.path AS region_path, c.unit_id \
             FROM companies c JOIN regions r ON r.id = c.region_id WHERE c.id = $1",
        )
        .bind(id),
    )
    .await
}

// ------------------------------------------------------------------- the "excellent" grade (M5)

/// An introduction that counts toward a unit's "excellent" grade: a project signed in the year
/// (credited to its first introducing unit, else its own) with what its investor is, or a
/// national-program talent landed in the year (credited to the unit following them).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Introduction {
    pub unit_id: i64,
    pub unit_name: String,
    pub project_id: Option<i64>,
    pub talent_id: Option<i64>,
    pub name: String,
    pub major: bool,
    pub global500: bool,
    pub china500: bool,
    pub headquarters: bool,
    pub national_talent: bool,
}

/// The introductions of the year in the county at `county_path`: projects signed on a day in
/// `[first, next)` (not terminated, not a duplicate, not withdrawn), talents landed at an
/// instant in `[from, until)`.
pub async fn introductions(
    db: &Db,
    county_path: &str,
    (first, next): (NaiveDate, NaiveDate),
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Introduction>> {
    let mut q = Sql::new(
        "SELECT u.id AS unit_id, u.name AS unit_name, p.id AS project_id, \
         CAST(NULL AS BIGINT) AS talent_id, p.name, p.is_major AS major, \
         COALESCE(c.global500, FALSE) AS global500, COALESCE(c.china500, FALSE) AS china500, \
         COALESCE(c.headquarters, FALSE) AS headquarters, FALSE AS national_talent \
         FROM projects p JOIN regions r ON r.id = p.region_id \
         JOIN units u ON u.id = COALESCE(p.first_unit_id, p.unit_id) \
         LEFT JOIN companies c ON c.id = p.investor_id \
         WHERE p.duplicate_of IS NULL AND p.withdrawn_at IS NULL AND p.stage <> 'terminated' \
         AND (p.is_major OR c.global500 OR c.china500 OR c.headquarters) AND r.path LIKE ",
    );
    q.push_bind(format!("{county_path}%"))
        .push(" AND p.signed_on >= ")
        .push_bind(first)
        .push(" AND p.signed_on < ")
        .push_bind(next);
    let mut out: Vec<Introduction> = db.all(q).await?;
    let mut q = Sql::new(
        "SELECT u.id AS unit_id, u.name AS unit_name, CAST(NULL AS BIGINT) AS project_id, \
         t.id AS talent_id, t.name, FALSE AS major, FALSE AS global500, FALSE AS china500, \
         FALSE AS headquarters, TRUE AS national_talent \
         FROM talents t JOIN regions r ON r.id = t.region_id JOIN units u ON u.id = t.unit_id \
         WHERE t.status = 'landed' AND t.program_level = 'national' AND r.path LIKE ",
    );
    q.push_bind(format!("{county_path}%"))
        .push(" AND t.landed_at >= ")
        .push_bind(from)
        .push(" AND t.landed_at < ")
        .push_bind(until);
    out.extend(db.all::<Introduction>(q).await?);
    Ok(out)
}

/// An item barring a unit from a year's "excellent" grade (一票否决).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Veto {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(skip)]
    pub region_path: String,
    pub year: i64,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

const VETO: &str = "SELECT v.id, v.unit_id, u.name AS unit_name, r.path AS region_path, v.year, \
     v.reason, v.created_at FROM incentive_vetoes v JOIN units u ON u.id = v.unit_id \
     JOIN regions r ON r.id = u.region_id WHERE 1 = 1";

/// The vetoes of `year` of the units in the county at `county_path`.
pub async fn vetoes(db: &Db, county_path: &str, year: i64) -> Result<Vec<Veto>> {
    db.all(
        Sql::new(format!(
            "{VETO} AND r.path LIKE $1 AND v.year = $2 ORDER BY u.sort_order, u.code"
        ))
        .bind(format!("{county_path}%"))
        .bind(year),
    )
    .await
}

pub async fn veto(db: &Db, id: i64) -> Result<Veto> {
    db.one(Sql::new(format!("{VETO} AND v.id = $1")).bind(id))
        .await
}

/// Records a veto of `unit_id`'s grade of `year` (one per unit and year: a second is refused
/// as a duplicate of `year`).
pub async fn add_veto(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    unit_id: i64,
    year: i64,
    reason: &str,
) -> Result<Veto> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO incentive_vetoes (unit_id, year, reason, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(unit_id)
            .bind(year)
            .bind(reason)
            .bind(actor.user_id)
            .bind(now()),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "incentive_veto", id)
            .place(Some(region_id), Some(unit_id))
            .after(&serde_json::json!({ "unit": unit_id, "year": year, "reason": reason })),
    )
    .await?;
    tx.commit().await?;
    veto(db, id).await
}

/// Takes a veto back; the audit log keeps what it was.
pub async fn remove_veto(db: &Db, actor: &Actor, region_id: i64, v: &Veto) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(Sql::new("DELETE FROM incentive_vetoes WHERE id = $1").bind(v.id))
        .await?;
    if n != 1 {
        return Err(crate::Error::NotFound);
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("delete", "incentive_veto", v.id)
            .place(Some(region_id), Some(v.unit_id))
            .before(&serde_json::json!({ "unit": v.unit_id, "year": v.year, "reason": v.reason })),
    )
    .await?;
    tx.commit().await
}
