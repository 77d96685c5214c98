//! A fresh database for each test: a SQLite file in a temporary directory, or — when
//! `ZHAOYIN_TEST_POSTGRES` holds an admin URL — a new PostgreSQL database cloned from a
//! migrated template (cloning is much faster than migrating each time).

use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::{Db, PoolConfig, Sql};

pub const ENV: &str = "ZHAOYIN_TEST_POSTGRES";

pub struct TestDb {
    pub db: Db,
    pub url: String,
    /// Keeps the SQLite directory alive for the test's duration.
    pub dir: Option<tempfile::TempDir>,
}

/// The admin URL when tests should run on PostgreSQL.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(ENV).ok().filter(|s| !s.trim().is_empty())
}

/// URL of database `name` on the server of `admin`.
pub fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

async fn template(admin: &str) -> String {
    TEMPLATE
        .get_or_init(|| async {
            let migrator = sqlx::migrate!("./migrations/postgres");
            let mut h = Sha256::new();
            for m in migrator.iter() {
                h.update(m.version.to_le_bytes());
                h.update(&*m.checksum);
            }
            let name = format!("zhaoyin_tpl_{}", &hex::encode(h.finalize())[..12]);
            let admin_db = Db::connect(admin, &PoolConfig::default())
                .await
                .unwrap_or_else(|e| panic!("{ENV}: cannot connect: {e}"));
            // One process builds the template; others wait on the lock.
            let _ = admin_db
                .execute(Sql::new("SELECT pg_advisory_lock(7243)"))
                .await;
            let exists: Option<(i64,)> = admin_db
                .optional(Sql::new("SELECT 1::BIGINT FROM pg_database WHERE datname = $1").bind(&name))
                .await
                .unwrap_or(None);
            if exists.is_none() {
                let _ = admin_db
                    .execute(Sql::new(format!("DROP DATABASE IF EXISTS {name}_build")))
                    .await;
                admin_db
                    .execute(Sql::new(format!("CREATE DATABASE {name}_build")))
                    .await
                    .unwrap_or_else(|e| panic!("create template: {e}"));
                let build = Db::connect(&with_database(admin, &format!("{name}_build")), &PoolConfig::default())
                    .await
                    .unwrap_or_else(|e| panic!("connect template: {e}"));
                build.migrate().await.unwrap_or_else(|e| panic!("migrate template: {e}"));
                build.close().await;
                admin_db
                    .execute(Sql::new(format!("ALTER DATABASE {name}_build RENAME TO {name}")))
                    .await
                    .unwrap_or_else(|e| panic!("rename template: {e}"));
            }
            // Databases left by earlier runs (a test that panicked); in use ones stay.
            let stale: Vec<(String,)> = admin_db
                .all(Sql::new(
                    "SELECT datname::TEXT FROM pg_database WHERE datname LIKE 'zt\\_%' \
                     AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)",
                ))
                .await
                .unwrap_or_default();
            for (db,) in stale.iter().take(200) {
                let _ = admin_db.execute(Sql::new(format!("DROP DATABASE IF EXISTS {db}"))).await;
            }
            let _ = admin_db
                .execute(Sql::new("SELECT pg_advisory_unlock(7243)"))
                .await;
            admin_db.close().await;
            name
        })
        .await
        .clone()
}

/// A new, migrated, empty database on the engine the environment selects.
pub async fn fresh() -> TestDb {
    match postgres_admin_url() {
        Some(admin) => fresh_postgres(&admin).await,
        None => fresh_sqlite().await,
    }
}

pub async fn fresh_sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = Db::connect(&url, &PoolConfig::default())
        .await
        .unwrap_or_else(|e| panic!("sqlite: {e}"));
    db.migrate()
        .await
        .unwrap_or_else(|e| panic!("migrate: {e}"));
    TestDb {
        db,
        url,
        dir: Some(dir),
    }
}

pub async fn fresh_postgres(admin: &str) -> TestDb {
    let tpl = template(admin).await;
    let name = format!("zt_{}", uuid::Uuid::new_v4().simple());
    let admin_db = Db::connect(
        admin,
        &PoolConfig {
            max_connections: 2,
            ..Default::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{ENV}: {e}"));
    let mut attempt = 0;
    loop {
        match admin_db
            .execute(Sql::new(format!("CREATE DATABASE {name} TEMPLATE {tpl}")))
            .await
        {
            Ok(_) => break,
            // "source database is being accessed by other users": another clone is under way.
            Err(e) if attempt < 50 => {
                attempt += 1;
                tracing::debug!("retrying clone of template: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("create test database: {e}"),
        }
    }
    admin_db.close().await;
    let url = with_database(admin, &name);
    let db = Db::connect(&url, &PoolConfig::default())
        .await
        .unwrap_or_else(|e| panic!("connect test database: {e}"));
    TestDb { db, url, dir: None }
}

/// A small organisation for tests: one province, one city with two counties (A and B), a town
/// in A, two units in A and one in B, a person in each county's first unit.
pub struct Fixture {
    pub province: crate::org::Region,
    pub city: crate::org::Region,
    pub county_a: crate::org::Region,
    pub county_b: crate::org::Region,
    pub town_a: crate::org::Region,
    pub unit_a: crate::org::Unit,
    pub unit_a2: crate::org::Unit,
    pub unit_b: crate::org::Unit,
    pub person_a: crate::org::Person,
    pub person_b: crate::org::Person,
}

pub const PASSWORD: &str = "Test@Pass-2026";

pub async fn fixture(db: &Db) -> Fixture {
    use zhaoyin_core::org::{PersonInput, RegionInput, UnitInput};

    use crate::audit::Actor;
    use crate::org;

    let a = Actor::cli();
    let region = |code: &str, name: &str, level: &str| RegionInput {
        code: code.into(),
        name: name.into(),
        level: level.into(),
    };
    let mk = |parent: Option<&org::Region>, r: RegionInput| {
        let db = db.clone();
        let a = a.clone();
        let parent = parent.map(|p| (p.id, p.level.clone()));
        async move {
            let pl = parent
                .as_ref()
                .and_then(|(_, l)| zhaoyin_core::org::RegionLevel::parse(l));
            let f = r.validate(pl).unwrap_or_else(|e| panic!("{e:?}"));
            org::create_region(&db, &a, parent.map(|(id, _)| id), &f)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let province = mk(None, region("370000", "山东省", "province")).await;
    let city = mk(Some(&province), region("370300", "淄博市", "city")).await;
    let county_a = mk(Some(&city), region("370322", "高青县", "county")).await;
    let county_b = mk(Some(&city), region("370321", "桓台县", "county")).await;
    let town_a = mk(Some(&county_a), region("370322101", "青城镇", "town")).await;
    let unit = |code: &str, name: &str| UnitInput {
        code: code.into(),
        name: name.into(),
        kind: "department".into(),
        ..Default::default()
    };
    let mku = |region: i64, u: UnitInput| {
        let db = db.clone();
        let a = a.clone();
        async move {
            let f = u.validate().unwrap_or_else(|e| panic!("{e:?}"));
            org::create_unit(&db, &a, region, &f)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let unit_a = mku(county_a.id, unit("gq-fgj", "县发展和改革局")).await;
    let unit_a2 = mku(county_a.id, unit("gq-tcj", "县投资促进中心")).await;
    let unit_b = mku(county_b.id, unit("ht-fgj", "桓台县发展和改革局")).await;
    let person = |name: &str| PersonInput {
        name: name.into(),
        title: "局长".into(),
        ..Default::default()
    };
    let mkp = |unit: i64, p: PersonInput| {
        let db = db.clone();
        let a = a.clone();
        async move {
            let f = p.validate().unwrap_or_else(|e| panic!("{e:?}"));
            org::create_person(&db, &a, unit, &f)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let person_a = mkp(unit_a.id, person("张伟")).await;
    let person_b = mkp(unit_b.id, person("李娜")).await;
    Fixture {
        province,
        city,
        county_a,
        county_b,
        town_a,
        unit_a,
        unit_a2,
        unit_b,
        person_a,
        person_b,
    }
}

/// Where a grant applies.
pub enum At<'a> {
    Unit(&'a crate::org::Unit),
    Region(&'a crate::org::Region),
}

/// An account with one grant and the test password (no forced change).
pub async fn user_with(
    db: &Db,
    username: &str,
    unit: &crate::org::Unit,
    role: zhaoyin_core::authz::Role,
    at: At<'_>,
) -> crate::users::User {
    use crate::users::{NewGrant, NewUser, create};
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = HASH
        .get_or_init(|| zhaoyin_core::password::hash(PASSWORD).unwrap_or_else(|e| panic!("{e}")))
        .clone();
    let grant = match at {
        At::Unit(u) => NewGrant {
            role,
            scope_unit_id: Some(u.id),
            scope_region_id: None,
        },
        At::Region(r) => NewGrant {
            role,
            scope_unit_id: None,
            scope_region_id: Some(r.id),
        },
    };
    create(
        db,
        &crate::audit::Actor::cli(),
        &NewUser {
            username: username.into(),
            display_name: username.into(),
            unit_id: unit.id,
            person_id: None,
            password_hash: hash,
            must_change_password: false,
        },
        &[grant],
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Tasks whose status, deadline or light is not its history's latest entry (with none: assigned,
/// the original deadline, green), or with an entry whose end (`…until`) is not its successor's
/// start: lists read the row today and the histories' entries in force as of a day, so every
/// writer (the product, the demo, the generator) must keep them so, or a list as of today would
/// differ from today's, and a past day's would count a task twice or not at all.
pub async fn tasks_off_their_histories(db: &Db) -> Vec<i64> {
    let rows: Vec<(i64,)> = db
        .all(Sql::new(
            "SELECT t.id FROM tasks t WHERE t.status <> COALESCE((SELECT e.to_status \
             FROM task_events e WHERE e.task_id = t.id AND e.to_status IS NOT NULL \
             ORDER BY e.at DESC, e.id DESC LIMIT 1), 'assigned') \
             OR t.light <> COALESCE((SELECT h.light FROM task_light_history h \
             WHERE h.task_id = t.id ORDER BY h.since DESC LIMIT 1), 'green') \
             OR COALESCE((SELECT c.new_deadline FROM task_deadline_changes c WHERE c.task_id = t.id \
             AND c.status = 'approved' ORDER BY c.decided_at DESC, c.id DESC LIMIT 1), \
             t.original_deadline) IS DISTINCT FROM t.deadline \
             OR EXISTS (SELECT 1 FROM task_events e WHERE e.task_id = t.id \
             AND e.to_status IS NOT NULL AND e.status_until IS DISTINCT FROM (SELECT MIN(n.at) \
             FROM task_events n WHERE n.task_id = e.task_id AND n.to_status IS NOT NULL \
             AND (n.at > e.at OR (n.at = e.at AND n.id > e.id)))) \
             OR EXISTS (SELECT 1 FROM task_deadline_changes c WHERE c.task_id = t.id \
             AND c.status = 'approved' AND c.approved_until IS DISTINCT FROM \
             (SELECT MIN(n.decided_at) FROM task_deadline_changes n WHERE n.task_id = c.task_id \
             AND n.status = 'approved' AND (n.decided_at > c.decided_at \
             OR (n.decided_at = c.decided_at AND n.id > c.id)))) \
             OR EXISTS (SELECT 1 FROM task_light_history h WHERE h.task_id = t.id \
             AND h.until IS DISTINCT FROM (SELECT MIN(n.since) FROM task_light_history n \
             WHERE n.task_id = h.task_id AND n.since > h.since)) ORDER BY t.id",
        ))
        .await
        .unwrap_or_else(|e| panic!("tasks against their histories: {e}"));
    rows.into_iter().map(|(id,)| id).collect()
}

/// Stage entries whose `first_until` is not when an earlier entry (by day, then id) of the same
/// project and stage was recorded: a project's first entries of a period, as of a day, are read
/// by it, so a wrong one would count a signing twice or not at all.
pub async fn stages_off_their_firsts(db: &Db) -> Vec<i64> {
    let rows: Vec<(i64,)> = db
        .all(Sql::new(
            "SELECT e.id FROM project_stages e WHERE e.first_until IS DISTINCT FROM \
             (SELECT MIN(s.at) FROM project_stages s WHERE s.project_id = e.project_id \
             AND s.stage = e.stage AND (s.on_date < e.on_date \
             OR (s.on_date = e.on_date AND s.id < e.id))) ORDER BY e.id",
        ))
        .await
        .unwrap_or_else(|e| panic!("stage entries against their order: {e}"));
    rows.into_iter().map(|(id,)| id).collect()
}

/// Where the tallies of projects per region and stage (migration 0034) differ from the projects
/// and their versions counted: now, and at the end of the hour of each time a project or a
/// version began or ended (at most `instants` of them, spread evenly), each as
/// `(end, tallied, counted)` with the rows of both that differ.
pub async fn tallies_off(
    db: &Db,
    instants: usize,
) -> Vec<(
    Option<chrono::DateTime<chrono::Utc>>,
    Vec<crate::projects::RegionStage>,
    Vec<crate::projects::RegionStage>,
)> {
    use chrono::{DateTime, DurationRound, TimeDelta, Utc};
    let times: Vec<(DateTime<Utc>,)> = db
        .all(Sql::new(
            "SELECT updated_at FROM projects UNION SELECT updated_at FROM project_versions \
             UNION SELECT valid_to FROM project_versions",
        ))
        .await
        .unwrap_or_else(|e| panic!("the projects' times: {e}"));
    let hour = TimeDelta::hours(1);
    let mut ends: Vec<DateTime<Utc>> = times
        .into_iter()
        .filter_map(|(t,)| t.duration_trunc(hour).ok().map(|h| h + hour))
        .collect();
    ends.sort();
    ends.dedup();
    let step = ends.len().div_ceil(instants.max(1)).max(1);
    let everything = zhaoyin_core::authz::Visibility::everywhere();
    let mut off = Vec::new();
    for end in std::iter::once(None).chain(ends.into_iter().step_by(step).map(Some)) {
        let f = crate::projects::ProjectFilter {
            distinct: true,
            as_of: end.map(|end| crate::tasks::AsOf {
                day: end.date_naive(),
                end,
            }),
            ..Default::default()
        };
        let sorted = |mut rows: Vec<crate::projects::RegionStage>| {
            rows.sort_by(|a, b| (a.region_id, &a.stage).cmp(&(b.region_id, &b.stage)));
            rows
        };
        let tallied = crate::projects::stages_tallied(db, &everything, None, end)
            .await
            .unwrap_or_else(|e| panic!("tallied at {end:?}: {e}"));
        let counted = crate::projects::stages_counted(db, &everything, &f)
            .await
            .unwrap_or_else(|e| panic!("counted at {end:?}: {e}"));
        let (tallied, counted) = (sorted(tallied), sorted(counted));
        if tallied != counted {
            let only = |a: &[crate::projects::RegionStage], b: &[crate::projects::RegionStage]| {
                a.iter().filter(|r| !b.contains(r)).cloned().collect()
            };
            off.push((end, only(&tallied, &counted), only(&counted, &tallied)));
        }
    }
    off
}

/// The rows of each side the other lacks, both sorted, where they differ.
#[allow(clippy::type_complexity)]
fn differing<T: Ord + Clone>(mut a: Vec<T>, mut b: Vec<T>) -> Option<(Vec<T>, Vec<T>)> {
    a.sort();
    b.sort();
    let only = |x: &[T], y: &[T]| x.iter().filter(|r| !y.contains(r)).cloned().collect();
    (a != b).then(|| (only(&a, &b), only(&b, &a)))
}

/// The days a tally by day (migrations 0037–0039) is compared on: at most `days` of those on
/// which its `table` has a row, spread evenly, and the last day known; each with its end.
async fn days_counted(db: &Db, table: &str, days: usize) -> Vec<crate::tasks::AsOf> {
    use chrono::{DateTime, NaiveDate, Utc};
    let known: Vec<(NaiveDate, DateTime<Utc>)> = db
        .all(Sql::new(format!(
            "SELECT d.day, d.end_at FROM tally_days d WHERE d.day IN (SELECT day FROM {table}) \
             OR d.day = (SELECT MAX(day) FROM tally_days) ORDER BY d.day"
        )))
        .await
        .unwrap_or_else(|e| panic!("the days counted: {e}"));
    let step = known.len().div_ceil(days.max(1)).max(1);
    let last = known.last().copied();
    known
        .into_iter()
        .step_by(step)
        .chain(last)
        .map(|(day, end)| crate::tasks::AsOf { day, end })
        .collect()
}

/// The first and the last month an entry or a fund is dated in: `(first day of the first,
/// first day of the month after the last)`.
async fn months_dated(db: &Db, q: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    use chrono::{Datelike, NaiveDate};
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = db
        .one(Sql::new(q))
        .await
        .unwrap_or_else(|e| panic!("the days dated: {e}"));
    let (first, last) = (first?, last?);
    Some((
        first.with_day(1).unwrap_or(first),
        last.with_day(1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .unwrap_or(last),
    ))
}

/// Where the tallies of tasks' lights per region (migration 0037) differ from the tasks counted
/// through their histories, on the days they count (at most `days` of them, spread evenly over
/// the days on which a tally changed, and the last day known), each as `(day, tallied, counted)`
/// with the rows of both that differ. Panics if they do not count a day: call it after
/// [`crate::tallies::recount`].
pub async fn task_tallies_off(
    db: &Db,
    days: usize,
) -> Vec<(
    chrono::NaiveDate,
    Vec<crate::tasks::RegionLights>,
    Vec<crate::tasks::RegionLights>,
)> {
    let everything = zhaoyin_core::authz::Visibility::everywhere();
    let mut off = Vec::new();
    for a in days_counted(db, "task_light_tallies", days).await {
        let day = a.day;
        let tallied = crate::tasks::lights_tallied(db, &everything, None, a)
            .await
            .unwrap_or_else(|e| panic!("tallied on {day}: {e}"))
            .unwrap_or_else(|| panic!("{day} is not counted"));
        let f = crate::tasks::TaskFilter {
            as_of: Some(a),
            ..Default::default()
        };
        let counted = crate::tasks::lights_counted(db, &everything, &f)
            .await
            .unwrap_or_else(|e| panic!("counted on {day}: {e}"));
        if let Some((tallied, counted)) = differing(tallied, counted) {
            off.push((day, tallied, counted));
        }
    }
    off
}

/// Where the tallies of first entries per region, stage and month (migration 0038) differ from
/// the entries and their projects counted, on the days they count (at most `days` of them, as
/// [`task_tallies_off`] picks them), over every month an entry is dated in: `(day, stage,
/// tallied, counted)` with the rows of both that differ. Panics if they do not count a day.
#[allow(clippy::type_complexity)]
pub async fn entry_tallies_off(
    db: &Db,
    days: usize,
) -> Vec<(
    chrono::NaiveDate,
    &'static str,
    Vec<(i64, String, i64)>,
    Vec<(i64, String, i64)>,
)> {
    use zhaoyin_core::project::Stage;
    let Some((from, until)) =
        months_dated(db, "SELECT MIN(on_date), MAX(on_date) FROM project_stages").await
    else {
        return Vec::new();
    };
    let everything = zhaoyin_core::authz::Visibility::everywhere();
    let mut off = Vec::new();
    for a in days_counted(db, "project_entry_tallies", days).await {
        let day = a.day;
        for stage in [Stage::Signed, Stage::Started] {
            let tallied =
                crate::projects::entries_tallied(db, &everything, None, stage, from, until, a)
                    .await
                    .unwrap_or_else(|e| panic!("tallied on {day}: {e}"))
                    .unwrap_or_else(|| panic!("{day} is not counted"));
            let f = crate::projects::ProjectFilter {
                distinct: true,
                as_of: Some(a),
                ..Default::default()
            };
            let counted = crate::projects::entries_counted(db, &everything, &f, stage, from, until)
                .await
                .unwrap_or_else(|e| panic!("counted on {day}: {e}"));
            if let Some((tallied, counted)) = differing(tallied, counted) {
                off.push((day, stage.id(), tallied, counted));
            }
        }
    }
    off
}

/// Where the tallies of funds per region and month (migration 0039) differ from the funds, their
/// projects and files summed, on the days they count (as [`task_tallies_off`] picks them), over
/// every month a fund is dated in: `(day, tallied, counted)` with the rows of both that differ.
/// Panics if they do not count a day.
#[allow(clippy::type_complexity)]
pub async fn fund_tallies_off(
    db: &Db,
    days: usize,
) -> Vec<(
    chrono::NaiveDate,
    Vec<(i64, i64, i64)>,
    Vec<(i64, i64, i64)>,
)> {
    let Some((from, until)) = months_dated(
        db,
        "SELECT MIN(received_on), MAX(received_on) FROM project_funds",
    )
    .await
    else {
        return Vec::new();
    };
    let everything = zhaoyin_core::authz::Visibility::everywhere();
    let mut off = Vec::new();
    for a in days_counted(db, "fund_tallies", days).await {
        let day = a.day;
        let tallied = crate::progress::funds_tallied(db, &everything, None, from, until, a)
            .await
            .unwrap_or_else(|e| panic!("tallied on {day}: {e}"))
            .unwrap_or_else(|| panic!("{day} is not counted"));
        let f = crate::progress::FundFilter {
            project: crate::projects::ProjectFilter {
                distinct: true,
                as_of: Some(a),
                ..Default::default()
            },
            from: Some(from),
            until: Some(until),
            verified: None,
        };
        let counted = crate::progress::funds_counted(db, &everything, &f)
            .await
            .unwrap_or_else(|e| panic!("counted on {day}: {e}"));
        if let Some((tallied, counted)) = differing(tallied, counted) {
            off.push((day, tallied, counted));
        }
    }
    off
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_in_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "zt_1"),
            "postgres://postgres@127.0.0.1:5432/zt_1"
        );
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1", "zt_1"),
            "postgres://postgres@127.0.0.1/zt_1"
        );
        assert_eq!(
            with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }
}
