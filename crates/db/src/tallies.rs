//! Tallies by day (migrations 0037–0039): figures per region as they stood on each past day, for a
//! dashboard as of that day to read one row per region instead of counting every row of a
//! province through its histories. Triggers only mark a tally out of date from a day on
//! (`tally_marks`); readers use a day before its first mark ([`push_counted`]); [`recount`] counts
//! the days from there again, for every tally at once.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::tasks::AsOf;
use crate::{Db, Result, Sql, Tx};

/// One tally by day: its row in `tally_state`, its table (with a `day` column), and how it is
/// counted.
pub(crate) struct Tally {
    pub name: &'static str,
    pub table: &'static str,
    /// Statements giving the first and last instant of what it reads…
    pub instants: &'static [&'static str],
    /// …and the first and last day.
    pub days: &'static [&'static str],
    /// Writes its rows from day $2 (which begins at instant $1) on, the rows before it kept;
    /// $3 is the day before $2.
    pub recount: &'static str,
}

const TALLIES: [&Tally; 3] = [
    &crate::tasks::LIGHT_TALLY,
    &crate::projects::ENTRY_TALLY,
    &crate::progress::FUND_TALLY,
];

/// The months (`YYYY-MM`) of `from..until`, when both are the first of a month: what a tally
/// kept by month can sum.
pub(crate) fn months(from: NaiveDate, until: NaiveDate) -> Option<Vec<String>> {
    use chrono::Datelike;
    (from.day() == 1 && until.day() == 1).then(|| {
        from.iter_days()
            .take_while(|d| *d < until)
            .filter(|d| d.day() == 1)
            .map(|d| d.format("%Y-%m").to_string())
            .collect()
    })
}

/// `regions r CROSS JOIN (SELECT 'YYYY-MM' AS month …) mo WHERE …`: each region `vis` reads
/// (within `region_id`) that has a row in the tally `table`, with each of `months` (of none, one
/// month that no row has). A lookup per region and month of its last row on or before a day
/// goes beside it: PostgreSQL joined a month's rows of every day to a lookup each instead (220 ms
/// for a province's year of signings; 45 ms so, 10 ms with the regions that have none left out).
pub(crate) fn push_region_months(
    q: &mut Sql,
    table: &str,
    months: &[String],
    vis: &zhaoyin_core::authz::Visibility,
    region_id: Option<i64>,
) {
    q.push("regions r CROSS JOIN (");
    for (i, m) in months.iter().enumerate() {
        q.push(if i == 0 {
            "SELECT "
        } else {
            " UNION ALL SELECT "
        })
        .push_bind(m.as_str())
        .push(" AS month");
    }
    if months.is_empty() {
        q.push("SELECT '' AS month");
    }
    q.push(") mo WHERE EXISTS (SELECT 1 FROM ")
        .push(table)
        .push(" e WHERE e.region_id = r.id)");
    crate::org::push_region_visibility(q, vis, "r.id", None);
    crate::org::push_within(q, "r.id", region_id);
}

/// The region id of the row [`push_counted`] adds: no region has it.
const COUNTED: i64 = -1;

/// Ends a tally's statement (rows with the region id first) with one more row, `(-1, rest…)`,
/// present only where `tally` counts day `a`: counted in the time zone `a` was read in (the
/// day's end is the same) and not marked out of date on or before it. In the statement that
/// reads the rows, so that both see the same recount.
pub(crate) fn push_counted(q: &mut Sql, tally: &Tally, a: AsOf, rest: &str) {
    q.push(" UNION ALL SELECT ")
        .push_bind(COUNTED)
        .push(", ")
        .push(rest)
        .push(" WHERE EXISTS (SELECT 1 FROM tally_state s JOIN tally_days d ON d.day = ")
        .push_bind(a.day)
        .push(" WHERE s.tally = ")
        .push_bind(tally.name)
        .push(" AND s.time_zone IS NOT NULL AND d.end_at = ")
        .push_bind(a.end)
        .push(") AND NOT EXISTS (SELECT 1 FROM tally_marks k WHERE k.tally = ")
        .push_bind(tally.name)
        .push(" AND k.day <= ")
        .push_bind(a.day)
        .push(")");
}

/// The rows of a statement ended by [`push_counted`] (`region` gives a row's region id): None
/// where the tally does not count the day.
pub(crate) async fn read<T: crate::query::FromRows>(
    db: &Db,
    q: Sql,
    region: impl Fn(&T) -> i64,
) -> Result<Option<Vec<T>>> {
    let mut rows: Vec<T> = db.all(q).await?;
    let Some(at) = rows.iter().position(|r| region(r) == COUNTED) else {
        return Ok(None);
    };
    rows.swap_remove(at);
    Ok(Some(rows))
}

/// Counts every tally again from its first mark, with days as time zone `tz` has them (every
/// day, where they were counted in another), and knows each day's end to `today`'s next.
/// Idempotent: the housekeeping job runs it, and a bulk load when it is done. Returns how many
/// tally rows it wrote, or None when it did not run: on PostgreSQL, while a recount or a write
/// that marks a tally is under way (it would otherwise hold every such write up behind it).
pub async fn recount(db: &Db, tz: Tz, today: NaiveDate) -> Result<Option<u64>> {
    let mut tx = db.begin().await?;
    if matches!(tx, Tx::Postgres(_)) {
        // Every writer's trigger shares it: what was written before is seen here, and what is
        // written after marks its days again.
        let (locked,): (bool,) = tx
            .one(Sql::new("SELECT pg_try_advisory_xact_lock(340037)"))
            .await?;
        if !locked {
            return Ok(None);
        }
    }
    let mut state: Vec<(String, Option<String>)> = tx
        .all(Sql::new("SELECT tally, time_zone FROM tally_state"))
        .await?;
    let marks: Vec<(String, Option<NaiveDate>)> = tx
        .all(Sql::new(
            "SELECT tally, MIN(day) FROM tally_marks GROUP BY tally",
        ))
        .await?;
    if state
        .iter()
        .any(|(_, zone)| zone.as_deref().is_some_and(|z| z != tz.name()))
    {
        // The days end elsewhere now: every tally is counted again, in `tz`'s days.
        tx.execute(Sql::new("DELETE FROM tally_days")).await?;
        tx.execute(Sql::new("UPDATE tally_state SET time_zone = NULL"))
            .await?;
        for (_, zone) in &mut state {
            *zone = None;
        }
    }
    let tomorrow = today.succ_opt().unwrap_or(today);
    let (known,): (Option<NaiveDate>,) =
        tx.one(Sql::new("SELECT MAX(day) FROM tally_days")).await?;
    // Per tally: from which day it is counted again (the rows from its first mark, `stale`, on are
    // removed; nothing it reads is older than `from`, so counting from there is the same).
    let mut plans = Vec::new();
    let mut last = tomorrow;
    let mut start = known.and_then(|d| d.succ_opt());
    let mut instants = std::collections::HashMap::new();
    for tally in TALLIES {
        let zone = state
            .iter()
            .find(|(name, _)| name == tally.name)
            .and_then(|(_, zone)| zone.clone());
        let stale = marks
            .iter()
            .find(|(name, _)| name == tally.name)
            .and_then(|(_, day)| *day);
        let whole = zone.as_deref() != Some(tz.name());
        if !whole && stale.is_none() {
            // Counted, and nothing marked since.
            continue;
        }
        let mut recorded = Vec::new();
        for q in tally.instants {
            // The signings and the funds both read the projects and their versions: once.
            let (lo, hi) = match instants.get(q) {
                Some(bounds) => *bounds,
                None => {
                    let bounds: (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
                        tx.one(Sql::new(*q)).await?;
                    *instants.entry(*q).or_insert(bounds)
                }
            };
            recorded.extend(
                [lo, hi]
                    .into_iter()
                    .flatten()
                    .map(|t| t.with_timezone(&tz).date_naive()),
            );
        }
        for q in tally.days {
            let (lo, hi): (Option<NaiveDate>, Option<NaiveDate>) = tx.one(Sql::new(*q)).await?;
            recorded.extend([lo, hi].into_iter().flatten());
        }
        let first = recorded.iter().min().copied().unwrap_or(today);
        if whole {
            tx.execute(Sql::new(format!("DELETE FROM {}", tally.table)))
                .await?;
        }
        let stale = if whole { first } else { stale.unwrap_or(first) };
        let from = stale.max(first);
        let before = from.pred_opt().unwrap_or(from);
        start = Some(start.map_or(before, |s| s.min(before)));
        last = recorded.into_iter().fold(last.max(from), NaiveDate::max);
        plans.push((tally, stale, from, before));
    }
    let days: Vec<NaiveDate> = start
        .unwrap_or(tomorrow)
        .iter_days()
        .take_while(|d| *d <= last)
        .collect();
    for chunk in days.chunks(500) {
        let mut q = Sql::new("INSERT INTO tally_days (day, end_at) VALUES ");
        for (i, d) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .push_bind(*d)
                .push(", ")
                .push_bind(AsOf::of(*d, tz).end)
                .push(")");
        }
        q.push(" ON CONFLICT (day) DO NOTHING");
        tx.execute(q).await?;
    }
    let mut written = 0;
    for (tally, stale, from, before) in plans {
        tx.execute(Sql::new(format!("DELETE FROM {} WHERE day >= $1", tally.table)).bind(stale))
            .await?;
        written += tx
            .execute(
                Sql::new(tally.recount)
                    .bind(AsOf::of(before, tz).end)
                    .bind(from)
                    .bind(before),
            )
            .await?;
    }
    // No writer marks meanwhile (the lock; SQLite's one writer): every mark was counted.
    tx.execute(Sql::new("DELETE FROM tally_marks")).await?;
    tx.execute(Sql::new("UPDATE tally_state SET time_zone = $1").bind(tz.name()))
        .await?;
    tx.commit().await?;
    Ok(Some(written))
}
