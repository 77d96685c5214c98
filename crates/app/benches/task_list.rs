//! The task list at 100,000 tasks (or `TASKS=n`): the queries behind `/tasks` and `/api/v1/tasks` (a page of 50
//! rows with its bounded count, plus the page's units and leaders), for a county supervisor and
//! for one unit's clerk, with each kind of filter, "as of" a past day, and the lights by unit.
//! On SQLite; also on PostgreSQL when ZHAOYIN_TEST_POSTGRES is set.
//!
//! cargo bench -p zhaoyin --bench task_list

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::org::UnitInput;
use zhaoyin_core::paging::Page;
use zhaoyin_db::audit::Actor;
use zhaoyin_db::tasks::{self, AsOf, TaskFilter};
use zhaoyin_db::testing::{TestDb, fixture, fresh};
use zhaoyin_db::{Db, Kind, Sql, org};

/// How many tasks (TASKS=1000 measures a county's size instead).
fn task_count() -> i64 {
    std::env::var("TASKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}
const UNITS: usize = 60;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// The tasks over 60 units of one county, in bulk (one statement per table).
async fn seed() -> (TestDb, String, i64) {
    let t = fresh().await;
    let fx = fixture(&t.db).await;
    for i in 0..UNITS {
        let f = UnitInput {
            code: format!("bench-{i}"),
            name: format!("测试单位{i}"),
            short_name: String::new(),
            kind: "department".into(),
            phone: String::new(),
            sort_order: Some(i as i64),
        }
        .validate()
        .expect("unit");
        org::create_unit(&t.db, &Actor::cli(), fx.county_a.id, &f)
            .await
            .expect("unit");
    }
    let now = zhaoyin_db::now();
    let db = &t.db;
    exec(
        db,
        Sql::new(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO tasks (region_id, code, title, content, cadence, assigned_on, original_deadline, \
             deadline, status, search, light, created_at, updated_at) \
             SELECT $2, 'B' || i, '督办任务' || i, '', \
             CASE i % 5 WHEN 0 THEN 'once' WHEN 1 THEN 'monthly' WHEN 2 THEN 'quarterly' WHEN 3 THEN 'weekly' ELSE 'yearly' END, \
             $3, CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN $4 WHEN 2 THEN $5 ELSE $6 END, \
             CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN $4 WHEN 2 THEN $5 ELSE $6 END, \
             CASE i % 6 WHEN 0 THEN 'assigned' WHEN 1 THEN 'accepted' WHEN 5 THEN 'closed' ELSE 'in_progress' END, \
             'b' || i || ' 督办任务' || i || ' dbrw', \
             CASE i % 10 WHEN 0 THEN 'red' WHEN 1 THEN 'yellow' ELSE 'green' END, $7, $7 FROM n",
        )
        .bind(task_count())
        .bind(fx.county_a.id)
        .bind(d(2025, 1, 2))
        .bind(d(2025, 6, 30))
        .bind(d(2025, 12, 31))
        .bind(d(2026, 6, 30))
        .bind(now),
    )
    .await;
    exec(
        db,
        Sql::new(
            "INSERT INTO task_units (task_id, unit_id, role) \
             SELECT t.id, u.id, 'lead' FROM tasks t JOIN \
             (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM units) u ON u.k = t.id % $1",
        )
        .bind(UNITS as i64 + 3),
    )
    .await;
    exec(
        db,
        Sql::new(
            "INSERT INTO task_units (task_id, unit_id, role) \
             SELECT t.id, u.id, 'support' FROM tasks t JOIN \
             (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM units) u ON u.k = (t.id + 7) % $1 \
             WHERE t.id % 3 = 0",
        )
        .bind(UNITS as i64 + 3),
    )
    .await;
    exec(
        db,
        Sql::new(
            "INSERT INTO task_leaders (task_id, person_id) SELECT id, $1 FROM tasks WHERE id % 2 = 0",
        )
        .bind(fx.person_a.id),
    )
    .await;
    exec(
        db,
        Sql::new(
            "INSERT INTO task_light_history (task_id, since, light) SELECT id, assigned_on, light FROM tasks",
        ),
    )
    .await;
    exec(
        db,
        Sql::new(
            "INSERT INTO task_events (task_id, at, actor_name, kind, to_status) \
             SELECT id, created_at, 'bench', 'assign', status FROM tasks",
        ),
    )
    .await;
    exec(db, Sql::new("ANALYZE")).await;
    let unit: (i64,) = db
        .one(Sql::new("SELECT id FROM units WHERE code = 'bench-7'"))
        .await
        .expect("unit");
    (t, fx.county_a.path.clone(), unit.0)
}

async fn exec(db: &Db, q: Sql) {
    db.execute(q).await.expect("seed");
}

/// One page as the service builds it: rows, count, and the rows' units and leaders.
async fn page(db: &Db, vis: &Visibility, f: &TaskFilter) -> usize {
    let (rows, total) = tasks::list(db, vis, f, Page::new(Some(1), Some(50)))
        .await
        .expect("list");
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let units = tasks::units_of(db, &ids).await.expect("units");
    let leaders = tasks::leaders_of(db, &ids).await.expect("leaders");
    rows.len() + units.len() + leaders.len() + total as usize
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (t, county, unit) = rt.block_on(seed());
    let db = t.db.clone();
    let engine = match db.kind() {
        Kind::Sqlite => "sqlite",
        Kind::Postgres => "postgres",
    };
    let supervisor = Visibility {
        subtrees: vec![county],
        ..Default::default()
    };
    let clerk = Visibility {
        units: vec![unit],
        ..Default::default()
    };
    let as_of = AsOf {
        day: d(2025, 9, 30),
        end: d(2025, 9, 30)
            .and_hms_opt(16, 0, 0)
            .unwrap_or_default()
            .and_utc(),
    };
    let cases: Vec<(&str, &Visibility, TaskFilter)> = vec![
        ("county, by deadline", &supervisor, TaskFilter::default()),
        (
            "county, red, by light",
            &supervisor,
            TaskFilter {
                light: Some("red".into()),
                sort: tasks::TaskSort::Light,
                ..Default::default()
            },
        ),
        (
            "county, one unit, open",
            &supervisor,
            TaskFilter {
                unit_id: Some(unit),
                open: true,
                ..Default::default()
            },
        ),
        (
            "county, text",
            &supervisor,
            TaskFilter {
                q: Some("任务4242".into()),
                ..Default::default()
            },
        ),
        (
            "county, status and cadence",
            &supervisor,
            TaskFilter {
                status: Some("in_progress".into()),
                cadence: Some("monthly".into()),
                ..Default::default()
            },
        ),
        ("unit clerk", &clerk, TaskFilter::default()),
        (
            "county, as of a past day",
            &supervisor,
            TaskFilter {
                as_of: Some(as_of),
                light: Some("red".into()),
                ..Default::default()
            },
        ),
    ];
    // PLAN=1 prints each case's query plans (on PostgreSQL with the time of each step).
    if std::env::var("PLAN").is_ok() {
        for (name, vis, f) in &cases {
            let (count, rows) = tasks::list_queries(
                vis,
                f,
                &zhaoyin_db::org::Within::id(f.region_id),
                Page::new(Some(1), Some(50)),
            );
            for q in [count, rows] {
                let lines: Vec<String> = match engine {
                    "sqlite" => rt
                        .block_on(
                            db.all::<(i64, i64, i64, String)>(q.prefixed("EXPLAIN QUERY PLAN ")),
                        )
                        .expect("plan")
                        .into_iter()
                        .map(|r| r.3)
                        .collect(),
                    _ => rt
                        .block_on(db.all::<(String,)>(q.prefixed("EXPLAIN ANALYZE ")))
                        .expect("plan")
                        .into_iter()
                        .map(|r| r.0)
                        .collect(),
                };
                eprintln!("{name}:");
                for line in lines {
                    eprintln!("  {line}");
                }
            }
        }
    }
    let mut g = c.benchmark_group(format!("task_list_{}_{engine}", task_count()));
    g.sample_size(20);
    for (name, vis, f) in &cases {
        g.bench_function(*name, |b| {
            b.iter(|| black_box(rt.block_on(page(&db, vis, f))))
        });
    }
    g.bench_function("lights by unit", |b| {
        b.iter(|| {
            black_box(
                rt.block_on(tasks::lights_by_unit(
                    &db,
                    &supervisor,
                    &TaskFilter::default(),
                ))
                .expect("lights"),
            )
        })
    });
    g.finish();
    drop(t);
}

criterion_group!(benches, bench);
criterion_main!(benches);
