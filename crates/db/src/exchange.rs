//! City–county exchange (see `zhaoyin_core::exchange`): a county's projects read into a payload,
//! and a verified payload written into the city's database as that county's projects.
//!
//! Taking a package is one transaction: the county's projects from earlier packages are matched
//! on their origin (`{county code}/{key}`), created, refreshed or withdrawn, so that the city
//! counts exactly what the package says; a project that already says it changes nothing, which
//! makes taking the same package twice a no-op. A package older than the last one taken is refused.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zhaoyin_core::exchange::{ExFund, ExProject, Payload};
use zhaoyin_core::org::{UnitFields, UnitKind};

use crate::audit::{self, Actor, Change};
use crate::org::Region;
use crate::{Db, Error, Result, Sql, Tx, escape_like, now};

/// The projects of `region` and beneath it, as a county sends them: its own (not those another
/// county sent), repeated signings left out, each with its stages and funds.
pub async fn snapshot(db: &Db, region: &Region) -> Result<Vec<ExProject>> {
    type Row = (
        i64,
        Option<String>,
        String,
        String,
        NaiveDate,
        Option<NaiveDate>,
        bool,
        Option<String>,
        i64,
        i64,
    );
    let rows: Vec<Row> = db
        .all(
            Sql::new(
                "SELECT p.id, p.national_code, p.name, p.stage, p.stage_on, p.signed_on, \
                 p.is_major, p.key_industry, p.total_investment, p.outside_investment \
                 FROM projects p JOIN regions r ON r.id = p.region_id \
                 WHERE r.path LIKE $1 ESCAPE '\\' AND p.origin IS NULL \
                 AND p.duplicate_of IS NULL ORDER BY p.id",
            )
            .bind(format!("{}%", escape_like(&region.path))),
        )
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut stages: HashMap<i64, Vec<(String, NaiveDate)>> = HashMap::new();
    let mut funds: HashMap<i64, Vec<ExFund>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q =
            Sql::new("SELECT project_id, stage, on_date FROM project_stages WHERE project_id IN ");
        q.push_list(chunk).push(" ORDER BY project_id, id");
        let s: Vec<(i64, String, NaiveDate)> = db.all(q).await?;
        for (p, stage, on) in s {
            stages.entry(p).or_default().push((stage, on));
        }
        let mut q = Sql::new(
            "SELECT f.project_id, f.received_on, f.amount, f.evidence_type, \
             CASE WHEN f.origin_verified_at IS NOT NULL OR EXISTS (SELECT 1 FROM project_files pf \
             WHERE pf.fund_id = f.id) THEN 1 ELSE 0 END FROM project_funds f \
             WHERE f.removed_at IS NULL AND f.project_id IN ",
        );
        q.push_list(chunk)
            .push(" ORDER BY f.project_id, f.received_on, f.id");
        let f: Vec<(i64, NaiveDate, i64, String, i32)> = db.all(q).await?;
        for (p, received_on, amount, evidence_type, verified) in f {
            funds.entry(p).or_default().push(ExFund {
                received_on,
                amount,
                evidence_type,
                verified: verified == 1,
            });
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| ExProject {
            key: r.1.clone().unwrap_or_else(|| format!("id:{}", r.0)),
            source_id: r.0,
            national_code: r.1,
            name: r.2,
            stage: r.3,
            stage_on: r.4,
            signed_on: r.5,
            is_major: r.6,
            key_industry: r.7,
            total_investment: r.8,
            outside_investment: r.9,
            stages: stages.remove(&r.0).unwrap_or_default(),
            funds: funds.remove(&r.0).unwrap_or_default(),
        })
        .collect())
}

/// What taking a package did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Taken {
    pub created: i64,
    pub updated: i64,
    /// Projects earlier packages sent that this one no longer holds: kept, marked withdrawn.
    pub withdrawn: i64,
    pub unchanged: i64,
}

/// The unit a county's sent projects belong to in the city's database, made on first use.
async fn county_unit(tx: &mut Tx, actor: &Actor, county: &Region) -> Result<i64> {
    let code = format!("ex-{}", county.code);
    if let Some((id,)) = tx
        .optional::<(i64,)>(Sql::new("SELECT id FROM units WHERE code = $1").bind(&code))
        .await?
    {
        return Ok(id);
    }
    let f = UnitFields {
        code,
        name: format!("{}（县级平台报送）", county.name),
        short_name: None,
        kind: UnitKind::Office,
        phone: None,
        sort_order: 9999,
    };
    Ok(crate::org::insert_unit(tx, actor, county.id, &f).await?.id)
}

/// A project as stored, in the package's terms, to compare with what a package says
/// (`source_id` is not stored: the caller gives the package's).
async fn stored(tx: &mut Tx, id: i64, source_id: i64) -> Result<ExProject> {
    type Row = (
        Option<String>,
        String,
        String,
        NaiveDate,
        Option<NaiveDate>,
        bool,
        Option<String>,
        i64,
        i64,
        Option<String>,
    );
    let r: Row = tx
        .one(
            Sql::new(
                "SELECT national_code, name, stage, stage_on, signed_on, is_major, key_industry, \
                 total_investment, outside_investment, origin FROM projects WHERE id = $1",
            )
            .bind(id),
        )
        .await?;
    let stages: Vec<(String, NaiveDate)> = tx
        .all(
            Sql::new("SELECT stage, on_date FROM project_stages WHERE project_id = $1 ORDER BY id")
                .bind(id),
        )
        .await?;
    let funds: Vec<(NaiveDate, i64, String, bool)> = tx
        .all(
            Sql::new(
                "SELECT received_on, amount, evidence_type, (origin_verified_at IS NOT NULL) \
                 FROM project_funds \
                 WHERE project_id = $1 AND removed_at IS NULL ORDER BY id",
            )
            .bind(id),
        )
        .await?;
    let key =
        r.9.as_deref()
            .and_then(|o| o.split_once('/'))
            .map(|(_, k)| k.to_string())
            .unwrap_or_default();
    Ok(ExProject {
        key,
        source_id,
        national_code: r.0,
        name: r.1,
        stage: r.2,
        stage_on: r.3,
        signed_on: r.4,
        is_major: r.5,
        key_industry: r.6,
        total_investment: r.7,
        outside_investment: r.8,
        stages,
        funds: funds
            .into_iter()
            .map(|(received_on, amount, evidence_type, verified)| ExFund {
                received_on,
                amount,
                evidence_type,
                verified,
            })
            .collect(),
    })
}

/// A fund the city holds: id, day received, amount, evidence type, and since when its origin
/// said it was verified.
type FundThen = (i64, NaiveDate, i64, String, Option<DateTime<Utc>>);

/// Writes `p`'s stages and funds for project `id`. A stage entry or a fund the previous package
/// had too keeps the time it was first recorded here, and a fund no longer sent is taken back
/// rather than deleted, so what a report read as of an earlier day counted stays as it was; new
/// ones are recorded `at`.
async fn write_history(tx: &mut Tx, id: i64, p: &ExProject, at: DateTime<Utc>) -> Result<()> {
    let mut stages_then: Vec<(String, NaiveDate, DateTime<Utc>)> = tx
        .all(
            Sql::new("SELECT stage, on_date, at FROM project_stages WHERE project_id = $1")
                .bind(id),
        )
        .await?;
    // The funds the package still holds keep their rows (and the time they were first recorded
    // here); those it no longer holds are taken back, so that a past day still counts them.
    let mut funds_then: Vec<FundThen> = tx
        .all(
            Sql::new(
                "SELECT id, received_on, amount, evidence_type, origin_verified_at \
                 FROM project_funds WHERE project_id = $1 AND removed_at IS NULL ORDER BY id",
            )
            .bind(id),
        )
        .await?;
    tx.execute(Sql::new("DELETE FROM project_stages WHERE project_id = $1").bind(id))
        .await?;
    for (stage, on) in &p.stages {
        let first = match stages_then
            .iter()
            .position(|(s, d, _)| s == stage && d == on)
        {
            Some(i) => stages_then.swap_remove(i).2,
            None => at,
        };
        tx.execute(
            Sql::new(
                "INSERT INTO project_stages (project_id, stage, on_date, reason, user_id, at) \
                 VALUES ($1, $2, $3, NULL, NULL, $4)",
            )
            .bind(id)
            .bind(stage)
            .bind(*on)
            .bind(first),
        )
        .await?;
    }
    crate::projects::span_stages(tx, id..=id).await?;
    for f in &p.funds {
        // A fund verified before whose evidence the county no longer holds is not kept: it is
        // taken back and recorded again unverified, so a past day still counts it verified.
        let kept = funds_then
            .iter()
            .position(|(_, d, a, e, verified)| {
                *d == f.received_on
                    && *a == f.amount
                    && *e == f.evidence_type
                    && (f.verified || verified.is_none())
            })
            .map(|i| funds_then.swap_remove(i));
        let q = match kept {
            // Verified from now on (a past day still reads it unverified).
            Some((fund, .., None)) if f.verified => {
                Sql::new("UPDATE project_funds SET origin_verified_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(fund)
            }
            Some(_) => continue,
            None => Sql::new(
                "INSERT INTO project_funds (project_id, received_on, amount, source, \
                 evidence_type, note, recorded_by, created_at, origin_verified_at) \
                 VALUES ($1, $2, $3, NULL, $4, NULL, NULL, $5, $6)",
            )
            .bind(id)
            .bind(f.received_on)
            .bind(f.amount)
            .bind(&f.evidence_type)
            .bind(at)
            .bind(f.verified.then_some(at)),
        };
        tx.execute(q).await?;
    }
    for (fund, ..) in funds_then {
        tx.execute(
            Sql::new("UPDATE project_funds SET removed_at = $1 WHERE id = $2")
                .bind(at)
                .bind(fund),
        )
        .await?;
    }
    Ok(())
}

/// Binds $1–$12 of a project's write: what the package says of it, its origin and the time.
fn with_fields(q: Sql, p: &ExProject, origin: &str, at: DateTime<Utc>) -> Sql {
    q.bind(&p.name)
        .bind(zhaoyin_core::task::search_text("", &p.name))
        .bind(p.national_code.clone())
        .bind(&p.stage)
        .bind(p.stage_on)
        .bind(p.signed_on)
        .bind(p.is_major)
        .bind(p.key_industry.clone())
        .bind(p.total_investment)
        .bind(p.outside_investment)
        .bind(origin)
        .bind(at)
}

/// How far ahead of this server's clock a package may say it was made.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(10);

/// Takes a verified payload for `county` (the region its code names), in one transaction.
pub async fn take(db: &Db, actor: &Actor, county: &Region, payload: &Payload) -> Result<Taken> {
    let refuse = |field: String, code: &'static str| {
        Error::Invalid(zhaoyin_core::Invalid::one(zhaoyin_core::FieldError::new(
            field, code,
        )))
    };
    if payload.generated_at > now() + CLOCK_SKEW {
        return Err(refuse("generated_at".into(), "err.exchange_future"));
    }
    let mut tx = db.begin().await?;
    let digest = hex::encode(Sha256::digest(
        serde_json::to_vec(payload).map_err(|e| Error::Bind(e.to_string()))?,
    ));
    let projects = i64::try_from(payload.projects.len()).unwrap_or(i64::MAX);
    // Claims the county first: an older package than the last taken changes no row, and two
    // packages taken at once queue here, the later-made one winning.
    let claimed = tx
        .execute(
            Sql::new(
                "INSERT INTO exchange_imports (region_id, generated_at, payload_sha256, imported_at, \
                 projects) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (region_id) DO UPDATE SET \
                 generated_at = excluded.generated_at, payload_sha256 = excluded.payload_sha256, \
                 imported_at = excluded.imported_at, projects = excluded.projects \
                 WHERE exchange_imports.generated_at <= excluded.generated_at",
            )
            .bind(county.id)
            .bind(payload.generated_at)
            .bind(&digest)
            .bind(now())
            .bind(projects),
        )
        .await?;
    if claimed == 0 {
        return Err(refuse("generated_at".into(), "err.exchange_stale"));
    }
    // The time of this package's writes, read once the county is claimed: a take that queued
    // behind another writes after it, so the versions' times follow the order of the takes.
    let at = now();
    let unit = county_unit(&mut tx, actor, county).await?;
    let prefix = format!("{}/", county.code);
    let existing: Vec<(i64, String, bool)> = tx
        .all(
            Sql::new(
                "SELECT id, origin, withdrawn_at IS NOT NULL FROM projects \
                 WHERE region_id = $1 AND origin LIKE $2 ESCAPE '\\'",
            )
            .bind(county.id)
            .bind(format!("{}%", escape_like(&prefix))),
        )
        .await?;
    let mut by_origin: HashMap<String, (i64, bool)> = existing
        .into_iter()
        .map(|(id, o, w)| (o, (id, w)))
        .collect();
    // Each project's row from earlier packages: by its key, or by the county's id when it has
    // since got its national code.
    let matched: Vec<Option<(i64, bool)>> = payload
        .projects
        .iter()
        .map(|p| {
            by_origin
                .remove(&format!("{prefix}{}", p.key))
                .or_else(|| by_origin.remove(&format!("{prefix}id:{}", p.source_id)))
        })
        .collect();
    // What earlier packages sent and this one no longer holds is withdrawn: kept with its stages
    // and funds (the city's records may name it; past days read it as it stood), counted nowhere,
    // its national code left to whichever project the county now gives it (its versions keep it).
    let mut taken = Taken::default();
    for (id, withdrawn) in by_origin.into_values() {
        if withdrawn {
            continue;
        }
        tx.execute(
            Sql::new(
                "UPDATE projects SET withdrawn_at = $1, national_code = NULL, updated_at = $1, \
                 version = version + 1 WHERE id = $2",
            )
            .bind(at)
            .bind(id),
        )
        .await?;
        taken.withdrawn += 1;
    }
    let mut clash = zhaoyin_core::Invalid::default();
    for (i, (p, id)) in payload.projects.iter().zip(&matched).enumerate() {
        if let Some(code) = &p.national_code {
            let holder: Option<(i64,)> = tx
                .optional(Sql::new("SELECT id FROM projects WHERE national_code = $1").bind(code))
                .await?;
            if holder.is_some_and(|(h,)| Some(h) != id.map(|(i, _)| i)) {
                clash.push(zhaoyin_core::FieldError::new(
                    format!("projects[{i}].national_code"),
                    "err.exchange_code_taken",
                ));
            }
        }
    }
    clash.into_result()?;
    for (p, id) in payload.projects.iter().zip(matched) {
        let origin = format!("{prefix}{}", p.key);
        let id = match id {
            Some((id, withdrawn)) => {
                if !withdrawn && stored(&mut tx, id, p.source_id).await? == *p {
                    taken.unchanged += 1;
                    continue;
                }
                tx.execute(
                    with_fields(
                        Sql::new(
                            "UPDATE projects SET name = $1, search = $2, national_code = $3, \
                             stage = $4, stage_on = $5, signed_on = $6, is_major = $7, \
                             key_industry = $8, total_investment = $9, outside_investment = $10, \
                             origin = $11, updated_at = $12, withdrawn_at = NULL, \
                             version = version + 1 WHERE id = $13",
                        ),
                        p,
                        &origin,
                        at,
                    )
                    .bind(id),
                )
                .await?;
                taken.updated += 1;
                id
            }
            None => {
                let (id,): (i64,) = tx
                    .one(
                        with_fields(
                            Sql::new(
                                "INSERT INTO projects (name, search, national_code, stage, \
                                 stage_on, signed_on, is_major, key_industry, total_investment, \
                                 outside_investment, origin, updated_at, region_id, unit_id, \
                                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                                 $11, $12, $13, $14, $12) RETURNING id",
                            ),
                            p,
                            &origin,
                            at,
                        )
                        .bind(county.id)
                        .bind(unit),
                    )
                    .await?;
                taken.created += 1;
                id
            }
        };
        write_history(&mut tx, id, p, at).await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("exchange_import", "region", county.id)
            .place(Some(county.id), None)
            .after(&serde_json::json!({
                "generated_at": payload.generated_at,
                "payload_sha256": digest,
                "projects": projects,
                "taken": &taken,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(taken)
}

/// A county's last package taken.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Imported {
    pub region_id: i64,
    pub region_name: String,
    pub region_code: String,
    pub generated_at: DateTime<Utc>,
    pub imported_at: DateTime<Utc>,
    pub projects: i64,
}

/// The last package taken from each county at `path` or beneath it.
pub async fn imports(db: &Db, path: &str) -> Result<Vec<Imported>> {
    db.all(
        Sql::new(
            "SELECT e.region_id, r.name AS region_name, r.code AS region_code, e.generated_at, \
             e.imported_at, e.projects FROM exchange_imports e JOIN regions r ON r.id = e.region_id \
             WHERE r.path LIKE $1 ESCAPE '\\' ORDER BY r.path",
        )
        .bind(format!("{}%", escape_like(path))),
    )
    .await
}
