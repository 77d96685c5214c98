//! Periodic jobs' runs (`job_runs`): an instance claims a job's slot by inserting its row; the
//! primary key lets exactly one instance win, on SQLite and on PostgreSQL alike. A run that dies
//! halfway keeps its claim without `finished_at`; the next slot runs the job again, so jobs must
//! be idempotent.

use chrono::Duration;

use crate::{Db, Result, Sql};

/// Claims `job`'s `slot` for `instance`: true when this call won it and the job should run.
pub async fn claim(db: &Db, job: &str, slot: &str, instance: &str) -> Result<bool> {
    let won = db
        .execute(
            Sql::new(
                "INSERT INTO job_runs (job, slot, instance, started_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (job, slot) DO NOTHING",
            )
            .bind(job)
            .bind(slot)
            .bind(instance)
            .bind(crate::now()),
        )
        .await?;
    Ok(won == 1)
}

/// Records how a claimed run ended: how many things it changed, or its error.
pub async fn finish(
    db: &Db,
    job: &str,
    slot: &str,
    outcome: std::result::Result<u64, String>,
) -> Result<()> {
    let (affected, error) = match outcome {
        Ok(n) => (Some(i64::try_from(n).unwrap_or(i64::MAX)), None),
        Err(e) => (None, Some(e)),
    };
    db.execute(
        Sql::new(
            "UPDATE job_runs SET finished_at = $1, affected = $2, error = $3 WHERE job = $4 AND slot = $5",
        )
        .bind(crate::now())
        .bind(affected)
        .bind(error)
        .bind(job)
        .bind(slot),
    )
    .await?;
    Ok(())
}

/// Forgets runs that started more than `keep` ago.
pub async fn prune(db: &Db, keep: Duration) -> Result<u64> {
    db.execute(Sql::new("DELETE FROM job_runs WHERE started_at < $1").bind(crate::now() - keep))
        .await
}
