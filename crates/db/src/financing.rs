//! Financing (M7, M13): new loans to the county's enterprises, and projects recommended to banks
//! and funds with their outcome. Loans recorded in error are taken back (`removed_at`), not
//! deleted; every change is audited.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::financing::{LoanFields, OutcomeFields, ReferralFields};

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_visibility};
use crate::{Db, Result, Sql, now};

/// A new loan.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Loan {
    pub id: i64,
    /// The county.
    pub region_id: i64,
    #[serde(skip)]
    pub region_path: String,
    /// The unit that recorded it.
    pub unit_id: i64,
    pub unit_name: String,
    pub company_id: i64,
    pub company_name: String,
    pub bank: String,
    /// first_loan, supply_chain, guaranteed, mortgage, credit or other.
    pub kind: String,
    #[schema(value_type = String, format = Date)]
    pub granted_on: NaiveDate,
    /// 万元.
    pub amount: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

const LOAN: &str = "SELECT l.id, l.region_id, r.path AS region_path, l.unit_id, \
     u.name AS unit_name, l.company_id, c.name AS company_name, l.bank, l.kind, l.granted_on, \
     l.amount, l.note, l.created_at FROM loans l JOIN regions r ON r.id = l.region_id \
     JOIN units u ON u.id = l.unit_id JOIN companies c ON c.id = l.company_id \
     WHERE l.removed_at IS NULL";

/// The loans `vis` reads granted on a day in `[from, until)`, the latest first.
pub async fn loans(
    db: &Db,
    vis: &Visibility,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<Loan>> {
    let mut q = Sql::new(LOAN);
    push_visibility(&mut q, vis, "r.path", Some("l.unit_id"));
    q.push(" AND l.granted_on >= ")
        .push_bind(from)
        .push(" AND l.granted_on < ")
        .push_bind(until)
        .push(" ORDER BY l.granted_on DESC, l.id DESC");
    db.all(q).await
}

/// A loan not taken back.
pub async fn loan(db: &Db, id: i64) -> Result<Loan> {
    db.one(Sql::new(format!("{LOAN} AND l.id = $1")).bind(id))
        .await
}

pub async fn add_loan(
    db: &Db,
    actor: &Actor,
    (region_id, unit_id, company_id): (i64, i64, i64),
    f: &LoanFields,
) -> Result<Loan> {
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO loans (region_id, unit_id, company_id, bank, kind, granted_on, \
                 amount, note, recorded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(region_id)
            .bind(unit_id)
            .bind(company_id)
            .bind(f.bank.as_str())
            .bind(f.kind.id())
            .bind(f.granted_on)
            .bind(f.amount)
            .bind(f.note.clone())
            .bind(actor.user_id)
            .bind(now()),
        )
        .await?;
    let after = tx
        .one::<Loan>(Sql::new(format!("{LOAN} AND l.id = $1")).bind(id))
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "loan", id)
            .place(Some(region_id), Some(unit_id))
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Takes loan `l` back: no list or total counts it from now on; the audit log keeps it.
pub async fn remove_loan(db: &Db, actor: &Actor, l: &Loan) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            Sql::new("UPDATE loans SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
                .bind(now())
                .bind(l.id),
        )
        .await?;
    if n != 1 {
        return Err(crate::Error::NotFound);
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("delete", "loan", l.id)
            .place(Some(l.region_id), Some(l.unit_id))
            .before(l),
    )
    .await?;
    tx.commit().await
}

/// A project recommended to a bank or a fund.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Referral {
    pub id: i64,
    pub region_id: i64,
    #[serde(skip)]
    pub region_path: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub project_id: i64,
    pub project_name: String,
    pub institution: String,
    /// bank or fund.
    pub institution_kind: String,
    #[schema(value_type = String, format = Date)]
    pub referred_on: NaiveDate,
    pub sought: Option<i64>,
    pub note: Option<String>,
    /// pending, financed or declined.
    pub outcome: String,
    pub financed: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub decided_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub version: i64,
}

const REFERRAL: &str = "SELECT f.id, f.region_id, r.path AS region_path, f.unit_id, \
     u.name AS unit_name, f.project_id, p.name AS project_name, f.institution, \
     f.institution_kind, f.referred_on, f.sought, f.note, f.outcome, f.financed, f.decided_on, \
     f.reason, f.version FROM financing_referrals f JOIN regions r ON r.id = f.region_id \
     JOIN units u ON u.id = f.unit_id JOIN projects p ON p.id = f.project_id WHERE 1 = 1";

/// The recommendations `vis` reads made on a day in `[from, until)`, the latest first.
pub async fn referrals(
    db: &Db,
    vis: &Visibility,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<Referral>> {
    let mut q = Sql::new(REFERRAL);
    push_visibility(&mut q, vis, "r.path", Some("f.unit_id"));
    q.push(" AND f.referred_on >= ")
        .push_bind(from)
        .push(" AND f.referred_on < ")
        .push_bind(until)
        .push(" ORDER BY f.referred_on DESC, f.id DESC");
    db.all(q).await
}

pub async fn referral(db: &Db, id: i64) -> Result<Referral> {
    db.one(Sql::new(format!("{REFERRAL} AND f.id = $1")).bind(id))
        .await
}

pub async fn add_referral(
    db: &Db,
    actor: &Actor,
    (region_id, unit_id, project_id): (i64, i64, i64),
    f: &ReferralFields,
) -> Result<Referral> {
    let mut tx = db.begin().await?;
    let at = now();
    let (id,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO financing_referrals (region_id, unit_id, project_id, institution, \
                 institution_kind, referred_on, sought, note, created_by, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(region_id)
            .bind(unit_id)
            .bind(project_id)
            .bind(f.institution.as_str())
            .bind(f.institution_kind.id())
            .bind(f.referred_on)
            .bind(f.sought)
            .bind(f.note.clone())
            .bind(actor.user_id)
            .bind(at),
        )
        .await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("create", "financing_referral", id)
            .place(Some(region_id), Some(unit_id))
            .after(&serde_json::json!({
                "project": project_id, "institution": f.institution, "sought": f.sought,
            })),
    )
    .await?;
    tx.commit().await?;
    referral(db, id).await
}

/// Records what came of recommendation `r` as read (refused as stale if it changed since).
pub async fn decide(db: &Db, actor: &Actor, r: &Referral, f: &OutcomeFields) -> Result<Referral> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            Sql::new(
                "UPDATE financing_referrals SET outcome = $1, financed = $2, decided_on = $3, \
                 reason = $4, updated_at = $5, version = version + 1 \
                 WHERE id = $6 AND version = $7",
            )
            .bind(f.outcome.id())
            .bind(f.financed)
            .bind(f.decided_on)
            .bind(f.reason.clone())
            .bind(now())
            .bind(r.id)
            .bind(r.version),
        )
        .await?;
    check_updated(&mut tx, n, "financing_referrals", r.id).await?;
    audit::append(
        &mut tx,
        actor,
        Change::new("decide", "financing_referral", r.id)
            .place(Some(r.region_id), Some(r.unit_id))
            .before(&serde_json::json!({ "outcome": r.outcome }))
            .after(&serde_json::json!({
                "outcome": f.outcome.id(), "financed": f.financed,
                "decided_on": f.decided_on, "reason": f.reason,
            })),
    )
    .await?;
    tx.commit().await?;
    referral(db, r.id).await
}
