//! The generated dataset (`zhaoyin demo --scale`): deterministic by seed, its lights exactly what
//! the platform computes from its reports, usable afterwards (new rows get fresh ids on both
//! engines), and recorded in an intact audit chain.

use chrono::NaiveDate;
use chrono_tz::Asia::Shanghai;
use zhaoyin::generate::{Scale, generate};
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::paging::Page;
use zhaoyin_core::task::{LightFacts, LightRules, TaskCadence, TaskStatus, light};
use zhaoyin_db::audit::{self, Actor, Verification};
use zhaoyin_db::projects;
use zhaoyin_db::tasks::{self, Clock, TaskFilter};
use zhaoyin_db::testing::fresh;
use zhaoyin_db::{Db, Sql};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
}

async fn digest(db: &Db) -> Vec<(String, String, String, Option<NaiveDate>)> {
    db.all(Sql::new(
        "SELECT code, status, light, deadline FROM tasks ORDER BY id",
    ))
    .await
    .expect("tasks")
}

#[tokio::test]
async fn a_county_is_generated_true_and_the_same_every_time() {
    let rules = LightRules::default();
    let a = fresh().await;
    let made = generate(&a.db, Scale::County, 7, today(), Shanghai, rules, |_, _| {})
        .await
        .expect("generate");
    assert_eq!((made.counties, made.units, made.tasks), (1, 60, 1000));
    assert!(
        (15_000..25_000).contains(&made.reports),
        "about 20,000 reports: {}",
        made.reports
    );
    let (n,): (i64,) =
        a.db.one(Sql::new("SELECT COUNT(*) FROM task_reports"))
            .await
            .expect("count");
    assert_eq!(n as usize, made.reports);

    // Every light is what the rules give from the stored reports, today.
    let rows: Vec<(i64, String, String, NaiveDate, Option<NaiveDate>, String)> =
        a.db.all(Sql::new(
            "SELECT id, status, cadence, assigned_on, deadline, light FROM tasks ORDER BY id",
        ))
        .await
        .expect("tasks");
    for (id, status, cadence, assigned_on, deadline, stored) in rows {
        let reported = tasks::reported(&a.db, id).await.expect("reported");
        let facts = LightFacts {
            status: TaskStatus::parse(&status).expect("status"),
            deadline,
            cadence: TaskCadence::parse(&cadence).expect("cadence"),
            assigned_on,
            reported_periods: &reported,
        };
        assert_eq!(light(&facts, today(), rules).0.id(), stored, "task {id}");
    }
    // Each task's row is its histories' latest entries, as a past day reads it.
    assert_eq!(
        zhaoyin_db::testing::tasks_off_their_histories(&a.db).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        zhaoyin_db::testing::stages_off_their_firsts(&a.db).await,
        Vec::<i64>::new()
    );
    assert_eq!(zhaoyin_db::testing::tallies_off(&a.db, 50).await, vec![]);
    assert_eq!(
        zhaoyin_db::testing::task_tallies_off(&a.db, 50).await,
        vec![]
    );
    assert_eq!(
        zhaoyin_db::testing::entry_tallies_off(&a.db, 50).await,
        vec![]
    );
    assert_eq!(
        zhaoyin_db::testing::fund_tallies_off(&a.db, 50).await,
        vec![]
    );
    // Nothing is due for a sweep.
    let clock = Clock {
        today: today(),
        now: zhaoyin_db::now(),
        rules,
    };
    let before = digest(&a.db).await;
    tasks::refresh_lights(&a.db, clock).await.expect("sweep");
    assert_eq!(digest(&a.db).await, before);

    // The same seed, the same data.
    let b = fresh().await;
    generate(&b.db, Scale::County, 7, today(), Shanghai, rules, |_, _| {})
        .await
        .expect("generate");
    assert_eq!(digest(&b.db).await, before);

    // Lists (also as of a past day) work on it, and new rows get fresh ids.
    let everything = Visibility::everywhere();
    let (_, total) = tasks::list(&a.db, &everything, &TaskFilter::default(), Page::default())
        .await
        .expect("list");
    assert_eq!(total, 1000);
    let (region_id, unit_id): (i64, i64) =
        a.db.one(Sql::new(
            "SELECT region_id, id FROM units WHERE code = 'c1-u10'",
        ))
        .await
        .expect("unit");
    let new = tasks::NewPolicy {
        region_id,
        status: "active".into(),
        title: "新政策".into(),
        issuer: None,
        doc_number: None,
        issued_on: None,
        source_text: String::new(),
        clauses: vec![tasks::NewClause {
            chapter_number: String::new(),
            chapter_title: String::new(),
            number: "1".into(),
            title: "一条".into(),
            text: "一条。".into(),
            tasks: vec![tasks::NewTask {
                code: "NEW-1".into(),
                title: "新任务".into(),
                content: String::new(),
                cadence: TaskCadence::Monthly,
                deadline: None,
                lead_units: vec![unit_id],
                support_units: vec![],
                leaders: vec![],
                unit_groups: vec![],
                indicators: vec![],
            }],
        }],
    };
    let (_, ids) = tasks::create_policy(&a.db, &Actor::cli(), &new, clock)
        .await
        .expect("a new policy after the generated ones");
    assert!(ids[0] > 1000);

    // The pipeline: every project's last recorded stage is its stage, on its day; every credit
    // code passes the check; counts by stage add up; a move on generated data works.
    assert_eq!((made.companies, made.projects), (700, 500));
    let last: Vec<(i64, String, NaiveDate, String, NaiveDate)> =
        a.db.all(Sql::new(
            "SELECT p.id, p.stage, p.stage_on, s.stage, s.on_date FROM projects p \
             JOIN project_stages s ON s.id = (SELECT MAX(id) FROM project_stages WHERE project_id = p.id) \
             ORDER BY p.id",
        ))
        .await
        .expect("stages");
    assert_eq!(last.len(), 500);
    for (id, stage, on, last_stage, last_on) in &last {
        assert_eq!((stage, on), (last_stage, last_on), "project {id}");
    }
    let codes: Vec<(String,)> =
        a.db.all(Sql::new("SELECT credit_code FROM companies"))
            .await
            .expect("codes");
    assert!(
        codes
            .iter()
            .all(|(c,)| zhaoyin_core::credit_code::check(c).is_ok())
    );
    let counts = projects::stage_counts(&a.db, &everything, &Default::default())
        .await
        .expect("counts");
    assert_eq!(counts.iter().map(|c| c.projects).sum::<i64>(), 500);
    // Each stage move wrote the project again, so its earlier states are versions: as of a past
    // day every project then is read once, at the stage of its last entry recorded by then.
    let day = today() - chrono::Duration::days(200);
    let end = day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a day")
        .and_utc();
    let filter = projects::ProjectFilter {
        as_of: Some(tasks::AsOf { day, end }),
        ..Default::default()
    };
    let mut then: Vec<(String, i64)> = projects::stage_counts(&a.db, &everything, &filter)
        .await
        .expect("counts then")
        .into_iter()
        .map(|c| (c.stage, c.projects))
        .collect();
    then.sort();
    let entered: Vec<(String, i64)> =
        a.db.all(
            Sql::new(
                "SELECT s.stage, COUNT(*) FROM project_stages s WHERE s.at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM project_stages n WHERE n.project_id = s.project_id \
                 AND n.at < $1 AND n.id > s.id) GROUP BY s.stage ORDER BY s.stage",
            )
            .bind(end),
        )
        .await
        .expect("entries");
    assert_eq!(then, entered);
    assert!(
        then.iter().map(|(_, n)| n).sum::<i64>() < 500,
        "fewer projects then"
    );
    // Problems and funds in place, some of them verified.
    assert!(made.problems > 50 && made.funds > 50, "{made:?}");
    let (verified,): (i64,) =
        a.db.one(Sql::new(
            "SELECT COUNT(*) FROM project_files WHERE fund_id IS NOT NULL",
        ))
        .await
        .expect("evidence");
    assert!(verified > 0 && (verified as usize) < made.funds);
    let (lead,): (i64,) =
        a.db.one(Sql::new(
            "SELECT MIN(id) FROM projects WHERE stage = 'lead' AND investor_id IS NOT NULL",
        ))
        .await
        .expect("a lead");
    let p = projects::get(&a.db, lead).await.expect("project");
    let moved = projects::move_stage(
        &a.db,
        &Actor::cli(),
        lead,
        p.version,
        zhaoyin_core::project::Stage::Negotiating,
        today(),
        None,
        &Default::default(),
        today(),
    )
    .await
    .expect("move");
    assert_eq!(moved.stage, "negotiating");

    // Activities: a year of them; per unit, what the statistics count is what the list holds;
    // the links read back.
    assert_eq!(made.activities, 1200);
    let counted = zhaoyin_db::activities::ActivityFilter {
        counted: true,
        ..Default::default()
    };
    let per_unit = zhaoyin_db::activities::counts_by_unit(&a.db, &everything, &counted)
        .await
        .expect("counts");
    let busiest = per_unit
        .iter()
        .max_by_key(|c| c.trips + c.visits + c.talks + c.promotions + c.signings)
        .expect("a unit");
    let (trips, total) = zhaoyin_db::activities::list(
        &a.db,
        &everything,
        &zhaoyin_db::activities::ActivityFilter {
            unit_id: Some(busiest.unit_id),
            kind: Some(zhaoyin_core::activity::ActivityKind::Trip),
            ..counted.clone()
        },
        zhaoyin_core::paging::Page::new(None, Some(100)),
    )
    .await
    .expect("list");
    assert_eq!(total, busiest.trips);
    assert!(
        trips
            .iter()
            .all(|t| !t.leaders.is_empty() && !t.companies.is_empty())
    );
    assert!(matches!(
        audit::verify(&a.db).await,
        Ok(Verification::Intact { .. })
    ));
}
