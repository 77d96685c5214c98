//! Land-efficiency evaluation (亩产效益, M6): the enterprises' figures of each year as a county
//! imported them. The rules are a county's configuration (`incentives::Config::Land`); the
//! scores and classes are computed from both by `zhaoyin_core::land::evaluate`.

use crate::audit::{self, Actor, Change};
use crate::{Db, Result, Sql, now};

/// An enterprise's figures of a year, with its name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct YearRow {
    pub year: i64,
    pub company_id: i64,
    pub company_name: String,
    /// `zhaoyin_core::land::Year` as JSON.
    pub figures: String,
}

const YEAR_ROW: &str = "SELECT y.year, y.company_id, c.name AS company_name, y.figures \
     FROM land_years y JOIN companies c ON c.id = y.company_id WHERE y.region_id = $1";

/// The figures county `region_id` imported for `year`.
pub async fn year(db: &Db, region_id: i64, year: i64) -> Result<Vec<YearRow>> {
    db.all(
        Sql::new(format!("{YEAR_ROW} AND y.year = $2 ORDER BY y.company_id"))
            .bind(region_id)
            .bind(year),
    )
    .await
}

/// Every year's figures of county `region_id` in `years`.
pub async fn years_of(db: &Db, region_id: i64, years: &[i64]) -> Result<Vec<YearRow>> {
    if years.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!("{YEAR_ROW} AND y.year IN ")).bind(region_id);
    q.push_list(years).push(" ORDER BY y.year, y.company_id");
    db.all(q).await
}

/// The years county `region_id` has figures for, the latest first.
pub async fn years(db: &Db, region_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = db
        .all(
            Sql::new(
                "SELECT DISTINCT year FROM land_years WHERE region_id = $1 ORDER BY year DESC",
            )
            .bind(region_id),
        )
        .await?;
    Ok(rows.into_iter().map(|(y,)| y).collect())
}

/// The years company `company_id` has figures for.
pub async fn company_years(db: &Db, company_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = db
        .all(
            Sql::new("SELECT year FROM land_years WHERE company_id = $1 ORDER BY year")
                .bind(company_id),
        )
        .await?;
    Ok(rows.into_iter().map(|(y,)| y).collect())
}

/// The companies of county `region_id`'s library: id, name key, credit code (how a row names
/// its enterprise).
pub async fn library(db: &Db, region_id: i64) -> Result<Vec<(i64, String, Option<String>)>> {
    db.all(
        Sql::new("SELECT id, name_key, credit_code FROM companies WHERE region_id = $1")
            .bind(region_id),
    )
    .await
}

/// Replaces county `region_id`'s figures of `year` with `rows` (company, figures as JSON), in one
/// transaction, audited with how many there were and are.
pub async fn import(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    year: i64,
    rows: &[(i64, String)],
) -> Result<()> {
    let mut tx = db.begin().await?;
    // Imports of one county queue on its rules' row (PostgreSQL takes the row's lock; SQLite
    // has one writer): two at once never mix their rows.
    tx.execute(
        Sql::new("UPDATE land_rules SET version = version WHERE region_id = $1").bind(region_id),
    )
    .await?;
    let at = now();
    let before = tx
        .execute(
            Sql::new("DELETE FROM land_years WHERE region_id = $1 AND year = $2")
                .bind(region_id)
                .bind(year),
        )
        .await?;
    for (company, figures) in rows {
        tx.execute(
            Sql::new(
                "INSERT INTO land_years (region_id, year, company_id, figures, imported_by, \
                 imported_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(region_id)
            .bind(year)
            .bind(*company)
            .bind(figures.as_str())
            .bind(actor.user_id)
            .bind(at),
        )
        .await?;
    }
    audit::append(
        &mut tx,
        actor,
        Change::new("import", "land_year", year)
            .place(Some(region_id), None)
            .before(&serde_json::json!({ "enterprises": before }))
            .after(&serde_json::json!({ "enterprises": rows.len() })),
    )
    .await?;
    tx.commit().await
}
