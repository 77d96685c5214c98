//! Policies and tasks in storage: created whole, seen by scope, moved with optimistic checks,
//! reported on, and their lights — current and as of any past day.

use chrono::NaiveDate;
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::paging::Page;
use zhaoyin_core::task::{LightRules, TaskCadence, TaskStatus};
use zhaoyin_db::audit::{self, Actor, Verification};
use zhaoyin_db::tasks::{
    self, AsOf, Clock, NewClause, NewIndicator, NewPolicy, NewReport, NewTask, TaskFilter,
};
use zhaoyin_db::testing::{At, Fixture, fixture, fresh, user_with};
use zhaoyin_db::{Db, Error, follow_up, users};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

const RULES: LightRules = LightRules { warn_days: 7 };

/// Noon of `day` in the county (04:00 UTC), with the default rules.
fn at(day: NaiveDate) -> Clock {
    Clock {
        today: day,
        now: day.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc(),
        rules: RULES,
    }
}

fn task(
    code: &str,
    cadence: TaskCadence,
    deadline: Option<NaiveDate>,
    lead: i64,
    support: Vec<i64>,
) -> NewTask {
    NewTask {
        code: code.into(),
        title: format!("任务{code}"),
        content: "按期完成".into(),
        cadence,
        deadline,
        lead_units: vec![lead],
        support_units: support,
        leaders: vec![],
        unit_groups: vec![],
        indicators: vec![],
    }
}

async fn policy(db: &Db, fx: &Fixture, tasks: Vec<NewTask>, today: NaiveDate) -> Vec<i64> {
    let p = NewPolicy {
        status: "active".into(),
        region_id: fx.county_a.id,
        title: "某县若干措施".into(),
        issuer: Some("县政府".into()),
        doc_number: None,
        issued_on: Some(d(2019, 9, 1)),
        source_text: "一、……".into(),
        clauses: vec![NewClause {
            chapter_number: "一".into(),
            chapter_title: "第一部分".into(),
            number: "1".into(),
            title: "第一条措施".into(),
            text: "第一条措施。8月底前完成。".into(),
            tasks,
        }],
    };
    tasks::create_policy(db, &Actor::cli(), &p, at(today))
        .await
        .expect("create policy")
        .1
}

#[tokio::test]
async fn a_policy_and_its_tasks_are_written_whole_and_audited() {
    let t = fresh().await;
    let fx = fixture(&t.db).await;
    let mut first = task(
        "1-1",
        TaskCadence::Once,
        Some(d(2019, 8, 31)),
        fx.unit_a.id,
        vec![fx.unit_a2.id],
    );
    first.leaders = vec![fx.person_a.id];
    first.indicators = vec![NewIndicator {
        name: "世界500强".into(),
        comparator: ">=".into(),
        target_value: "20".into(),
        target_max: None,
        unit_label: Some("个".into()),
    }];
    let ids = policy(
        &t.db,
        &fx,
        vec![
            first,
            task("1-2", TaskCadence::Monthly, None, fx.unit_a2.id, vec![]),
        ],
        d(2019, 9, 2),
    )
    .await;
    assert_eq!(ids.len(), 2);
    let row = tasks::get(&t.db, ids[0]).await.expect("task");
    assert_eq!(
        (row.status.as_str(), row.light.as_str()),
        ("assigned", "red"),
        "already past its deadline"
    );
    let units = tasks::units_of(&t.db, &ids).await.expect("units");
    assert_eq!(units.iter().filter(|u| u.task_id == ids[0]).count(), 2);
    assert_eq!(
        tasks::timeline(&t.db, ids[0]).await.expect("timeline")[0].kind,
        "assign"
    );
    assert!(matches!(
        audit::verify(&t.db).await,
        Ok(Verification::Intact { .. })
    ));
    // A duplicate code in the region rolls the whole policy back.
    let p = NewPolicy {
        status: "active".into(),
        region_id: fx.county_a.id,
        title: "重复".into(),
        issuer: None,
        doc_number: None,
        issued_on: None,
        source_text: String::new(),
        clauses: vec![NewClause {
            chapter_number: String::new(),
            chapter_title: String::new(),
            number: "1".into(),
            title: "x".into(),
            text: "x".into(),
            tasks: vec![
                task("9-9", TaskCadence::Once, None, fx.unit_a.id, vec![]),
                task("1-1", TaskCadence::Once, None, fx.unit_a.id, vec![]),
            ],
        }],
    };
    let err = tasks::create_policy(&t.db, &Actor::cli(), &p, at(d(2019, 9, 2)))
        .await
        .expect_err("duplicate code");
    assert!(
        matches!(&err, Error::Duplicate { field } if field == "code"),
        "{err:?}"
    );
    let (all, _) = tasks::list(
        &t.db,
        &everything(),
        &TaskFilter::default(),
        Page::default(),
    )
    .await
    .expect("list");
    assert_eq!(all.len(), 2, "nothing of the failed import remains");
}

#[tokio::test]
async fn a_clerk_sees_the_tasks_of_their_unit_only() {
    let t = fresh().await;
    let fx = fixture(&t.db).await;
    let ids = policy(
        &t.db,
        &fx,
        vec![
            task("a", TaskCadence::Once, None, fx.unit_a.id, vec![]),
            task(
                "b",
                TaskCadence::Once,
                None,
                fx.unit_a2.id,
                vec![fx.unit_a.id],
            ),
            task("c", TaskCadence::Once, None, fx.unit_a2.id, vec![]),
        ],
        d(2019, 9, 2),
    )
    .await;
    let clerk = user_with(
        &t.db,
        "clerk",
        &fx.unit_a,
        Role::Clerk,
        At::Unit(&fx.unit_a),
    )
    .await;
    let p = users::principal(&t.db, &clerk).await.expect("principal");
    let (seen, total) = tasks::list(
        &t.db,
        &p.visibility(Entity::Task, Action::Read),
        &TaskFilter::default(),
        Page::default(),
    )
    .await
    .expect("list");
    assert_eq!(total, 2);
    assert_eq!(
        seen.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        vec!["a", "b"]
    );
    // And the same through the row-by-row rule.
    let units = tasks::units_of(&t.db, &ids).await.expect("units");
    for id in &ids {
        let row = tasks::get(&t.db, *id).await.expect("task");
        let visible = seen.iter().any(|r| r.id == *id);
        assert_eq!(
            zhaoyin_core::task::can_read(&p, &tasks::place(&row, &units)),
            visible,
            "{}",
            row.code
        );
    }
    let leader = user_with(
        &t.db,
        "leader-b",
        &fx.unit_b,
        Role::Leader,
        At::Region(&fx.county_b),
    )
    .await;
    let p = users::principal(&t.db, &leader).await.expect("principal");
    let (_, total) = tasks::list(
        &t.db,
        &p.visibility(Entity::Task, Action::Read),
        &TaskFilter::default(),
        Page::default(),
    )
    .await
    .expect("list");
    assert_eq!(total, 0, "another county's leader");
}

#[tokio::test]
async fn moves_are_checked_against_the_version() {
    let t = fresh().await;
    let fx = fixture(&t.db).await;
    let ids = policy(
        &t.db,
        &fx,
        vec![task(
            "m",
            TaskCadence::Once,
            Some(d(2020, 6, 30)),
            fx.unit_a.id,
            vec![],
        )],
        d(2019, 9, 2),
    )
    .await;
    let row = tasks::get(&t.db, ids[0]).await.expect("task");
    let a = Actor::cli();
    let moved = tasks::move_to(
        &t.db,
        &a,
        &row,
        "accept",
        TaskStatus::Accepted,
        None,
        &[],
        at(d(2019, 9, 3)),
    )
    .await
    .expect("accept");
    assert_eq!(moved.status, "accepted");
    let err = tasks::move_to(
        &t.db,
        &a,
        &row,
        "accept",
        TaskStatus::Accepted,
        None,
        &[],
        at(d(2019, 9, 3)),
    )
    .await
    .expect_err("from the old version");
    assert!(matches!(err, Error::Stale));
    let kinds: Vec<String> = tasks::timeline(&t.db, row.id)
        .await
        .expect("timeline")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec!["assign", "accept"]);
}

/// A monthly task: the September report comes in on time, October's is late, November's never
/// comes. The light follows, the history records each change on its day, and a report that
/// arrives late does not rewrite the days it was missing.
#[tokio::test]
async fn lights_follow_reports_and_history_answers_as_of() {
    let t = fresh().await;
    let fx = fixture(&t.db).await;
    let ids = policy(
        &t.db,
        &fx,
        vec![task(
            "r",
            TaskCadence::Monthly,
            Some(d(2020, 6, 30)),
            fx.unit_a.id,
            vec![],
        )],
        d(2019, 9, 2),
    )
    .await;
    let a = Actor::cli();
    let report = |end: NaiveDate| NewReport {
        unit_id: fx.unit_a.id,
        period_start: d(2019, end.format("%m").to_string().parse().unwrap_or(1), 1),
        period_end: end,
        progress: "按计划推进".into(),
        percent: Some(30),
        problems: None,
        support_needed: None,
        on_track: Some(true),
    };
    let row = tasks::get(&t.db, ids[0]).await.expect("task");
    let row = tasks::move_to(
        &t.db,
        &a,
        &row,
        "accept",
        TaskStatus::Accepted,
        None,
        &[],
        at(d(2019, 9, 3)),
    )
    .await
    .expect("accept");
    tasks::submit_report(
        &t.db,
        &a,
        &row,
        &report(d(2019, 9, 30)),
        &[],
        at(d(2019, 9, 28)),
    )
    .await
    .expect("report");
    assert_eq!(
        tasks::get(&t.db, row.id).await.expect("task").status,
        "in_progress",
        "the first report moves it on"
    );
    // Nobody looks until 20 November: the sweep replays October.
    tasks::refresh_lights(&t.db, at(d(2019, 11, 20)))
        .await
        .expect("sweep");
    assert_eq!(tasks::get(&t.db, row.id).await.expect("task").light, "red");
    let as_of = |day| tasks::light_as_of(&t.db, row.id, day);
    assert_eq!(
        as_of(d(2019, 10, 15)).await.expect("q").as_deref(),
        Some("green")
    );
    assert_eq!(
        as_of(d(2019, 11, 3)).await.expect("q").as_deref(),
        Some("yellow"),
        "October's report is late"
    );
    assert_eq!(
        as_of(d(2019, 11, 8)).await.expect("q").as_deref(),
        Some("red"),
        "more than 7 days late"
    );
    // October's report finally arrives on 21 November; it was red before and that stays true.
    let row = tasks::get(&t.db, row.id).await.expect("task");
    tasks::submit_report(
        &t.db,
        &a,
        &row,
        &report(d(2019, 10, 31)),
        &[],
        at(d(2019, 11, 21)),
    )
    .await
    .expect("late report");
    assert_eq!(
        tasks::get(&t.db, row.id).await.expect("task").light,
        "green"
    );
    assert_eq!(
        as_of(d(2019, 11, 10)).await.expect("q").as_deref(),
        Some("red")
    );
    assert_eq!(
        as_of(d(2019, 11, 21)).await.expect("q").as_deref(),
        Some("green")
    );
    // November's report never comes: yellow on 1 December, red on 8 December.
    tasks::refresh_lights(&t.db, at(d(2019, 12, 10)))
        .await
        .expect("sweep");
    assert_eq!(
        as_of(d(2019, 12, 1)).await.expect("q").as_deref(),
        Some("yellow")
    );
    assert_eq!(
        as_of(d(2019, 12, 8)).await.expect("q").as_deref(),
        Some("red")
    );
    let (red, _) = tasks::list(
        &t.db,
        &everything(),
        &TaskFilter {
            light: Some("red".into()),
            ..Default::default()
        },
        Page::default(),
    )
    .await
    .expect("list");
    assert_eq!(red.len(), 1);
    // A list as of each day shows the light of that day, whether the light changed since or not.
    for (day, light) in [
        (d(2019, 10, 15), "green"),
        (d(2019, 11, 3), "yellow"),
        (d(2019, 11, 10), "red"),
        (d(2019, 11, 21), "green"),
        (d(2019, 12, 1), "yellow"),
        (d(2019, 12, 9), "red"),
    ] {
        let f = TaskFilter {
            as_of: Some(tasks::AsOf {
                day,
                end: end_of(day),
            }),
            ..Default::default()
        };
        let (rows, _) = tasks::list(&t.db, &everything(), &f, Page::default())
            .await
            .expect("list");
        assert_eq!(
            rows.iter().map(|r| r.light.as_str()).collect::<Vec<_>>(),
            vec![light],
            "{day}"
        );
    }
    assert!(matches!(
        audit::verify(&t.db).await,
        Ok(Verification::Intact { .. })
    ));
}

fn everything() -> zhaoyin_core::authz::Visibility {
    zhaoyin_core::authz::Visibility::everywhere()
}

/// End of a county day in UTC (midnight after it, Beijing time).
fn end_of(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    (day + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        - chrono::Duration::hours(8)
}

/// A one-off task goes red past its deadline and is asked for an explanation automatically; the
/// unit explains, asks for a later deadline, the supervisor approves; lists as of earlier days
/// still show what they showed then.
#[tokio::test]
async fn follow_up_and_lists_as_of_a_past_day() {
    let t = fresh().await;
    let fx = fixture(&t.db).await;
    let ids = policy(
        &t.db,
        &fx,
        vec![task(
            "f",
            TaskCadence::Once,
            Some(d(2019, 10, 31)),
            fx.unit_a.id,
            vec![],
        )],
        d(2019, 9, 2),
    )
    .await;
    let a = Actor::cli();
    let row = tasks::get(&t.db, ids[0]).await.expect("task");
    let row = tasks::move_to(
        &t.db,
        &a,
        &row,
        "accept",
        TaskStatus::Accepted,
        None,
        &[],
        at(d(2019, 9, 5)),
    )
    .await
    .expect("accept");
    tasks::refresh_lights(&t.db, at(d(2019, 11, 4)))
        .await
        .expect("sweep");
    let ex = follow_up::explanations_of(&t.db, row.id)
        .await
        .expect("explanations");
    assert_eq!(ex.len(), 1, "turning red asks for an explanation");
    assert_eq!(
        ex[0].due_on,
        d(2019, 11, 6),
        "asked on the day it turned red"
    );
    assert!(ex[0].reason.is_empty());
    follow_up::explain(
        &t.db,
        &a,
        &row,
        ex[0].id,
        "土地指标未到位",
        at(d(2019, 11, 5)),
    )
    .await
    .expect("explain");
    assert!(matches!(
        follow_up::explain(&t.db, &a, &row, ex[0].id, "again", at(d(2019, 11, 5))).await,
        Err(Error::Stale)
    ));
    let change = follow_up::request_deadline(
        &t.db,
        &a,
        &row,
        d(2019, 12, 31),
        "等待省厅批复",
        at(d(2019, 11, 5)),
    )
    .await
    .expect("request");
    assert!(matches!(
        follow_up::request_deadline(&t.db, &a, &row, d(2020, 1, 31), "x", at(d(2019, 11, 5))).await,
        Err(Error::Duplicate { .. })
    ));
    follow_up::decide_deadline(
        &t.db,
        &a,
        &row,
        change,
        true,
        Some("同意"),
        at(d(2019, 11, 6)),
    )
    .await
    .expect("approve");
    let now = tasks::get(&t.db, row.id).await.expect("task");
    assert_eq!(now.deadline, Some(d(2019, 12, 31)));
    assert_eq!(now.light, "green");
    let list_as_of = |day: NaiveDate, light: Option<&str>| {
        let db = t.db.clone();
        let f = TaskFilter {
            light: light.map(str::to_string),
            as_of: Some(AsOf {
                day,
                end: end_of(day),
            }),
            ..Default::default()
        };
        async move { tasks::list(&db, &everything(), &f, Page::default()).await }
    };
    let (rows, _) = list_as_of(d(2019, 11, 5), None).await.expect("list");
    assert_eq!(rows[0].light, "red");
    assert_eq!(rows[0].deadline, Some(d(2019, 10, 31)), "before the change");
    assert_eq!(rows[0].status, "accepted");
    let (rows, _) = list_as_of(d(2019, 11, 7), None).await.expect("list");
    assert_eq!(rows[0].light, "green");
    assert_eq!(rows[0].deadline, Some(d(2019, 12, 31)));
    let (rows, n) = list_as_of(d(2019, 11, 5), Some("red")).await.expect("list");
    assert_eq!((rows.len(), n), (1, 1));
    let (_, n) = list_as_of(d(2019, 9, 1), None).await.expect("list");
    assert_eq!(n, 0, "the task did not exist yet");
    let by_unit = tasks::lights_by_unit(
        &t.db,
        &everything(),
        &TaskFilter {
            as_of: Some(AsOf {
                day: d(2019, 11, 5),
                end: end_of(d(2019, 11, 5)),
            }),
            ..Default::default()
        },
    )
    .await
    .expect("by unit");
    assert_eq!(by_unit.len(), 1);
    assert_eq!((by_unit[0].red, by_unit[0].green), (1, 0));
    let kinds: Vec<String> = tasks::timeline(&t.db, row.id)
        .await
        .expect("timeline")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            "assign",
            "accept",
            "ask_explanation",
            "explain",
            "request_deadline",
            "deadline_approved"
        ]
    );
    assert!(matches!(
        audit::verify(&t.db).await,
        Ok(Verification::Intact { .. })
    ));
}

/// Tasks whose status or deadline changed after a day, their lights staying green, are listed
/// as of that day with the status and deadline they had: one accepted before the day and given
/// a later deadline after it, one given a later deadline before the day and accepted after it.
#[tokio::test]
async fn a_changed_status_or_deadline_is_read_as_it_was() {
    let t = fresh().await;
    let fx = fixture(&t.db).await;
    let ids = policy(
        &t.db,
        &fx,
        vec![
            task(
                "s1",
                TaskCadence::Once,
                Some(d(2020, 6, 30)),
                fx.unit_a.id,
                vec![],
            ),
            task(
                "s2",
                TaskCadence::Once,
                Some(d(2020, 6, 30)),
                fx.unit_a.id,
                vec![],
            ),
        ],
        d(2019, 9, 2),
    )
    .await;
    let a = Actor::cli();
    let accept = |id: i64, day: NaiveDate| {
        let db = t.db.clone();
        let a = a.clone();
        async move {
            let row = tasks::get(&db, id).await.expect("task");
            tasks::move_to(
                &db,
                &a,
                &row,
                "accept",
                TaskStatus::Accepted,
                None,
                &[],
                at(day),
            )
            .await
            .expect("accept");
        }
    };
    let later = |id: i64, day: NaiveDate| {
        let db = t.db.clone();
        let a = a.clone();
        async move {
            let row = tasks::get(&db, id).await.expect("task");
            let change =
                follow_up::request_deadline(&db, &a, &row, d(2020, 9, 30), "用地待批", at(day))
                    .await
                    .expect("request");
            follow_up::decide_deadline(&db, &a, &row, change, true, None, at(day))
                .await
                .expect("approve");
        }
    };
    accept(ids[0], d(2019, 9, 10)).await;
    later(ids[1], d(2019, 9, 10)).await;
    later(ids[0], d(2019, 9, 20)).await;
    accept(ids[1], d(2019, 9, 20)).await;
    let listed = |day: NaiveDate| {
        let db = t.db.clone();
        async move {
            let f = TaskFilter {
                as_of: Some(tasks::AsOf {
                    day,
                    end: end_of(day),
                }),
                sort: tasks::TaskSort::Code,
                ..Default::default()
            };
            let (rows, _) = tasks::list(&db, &everything(), &f, Page::default())
                .await
                .expect("list");
            rows.into_iter()
                .map(|r| (r.code, r.status, r.deadline, r.light))
                .collect::<Vec<_>>()
        }
    };
    let row = |code: &str, status: &str, deadline: NaiveDate| {
        (
            code.to_string(),
            status.to_string(),
            Some(deadline),
            "green".to_string(),
        )
    };
    assert_eq!(
        listed(d(2019, 9, 5)).await,
        vec![
            row("s1", "assigned", d(2020, 6, 30)),
            row("s2", "assigned", d(2020, 6, 30))
        ]
    );
    assert_eq!(
        listed(d(2019, 9, 15)).await,
        vec![
            row("s1", "accepted", d(2020, 6, 30)),
            row("s2", "assigned", d(2020, 9, 30))
        ]
    );
    assert_eq!(
        listed(d(2019, 9, 25)).await,
        vec![
            row("s1", "accepted", d(2020, 9, 30)),
            row("s2", "accepted", d(2020, 9, 30))
        ]
    );
}

/// The lights by region as of each day (migration 0037) are counted once and read back as the
/// lists count them; a later write makes its days unread until they are counted again; days
/// of another time zone are not read.
#[tokio::test]
async fn lights_by_day_are_tallied_and_counted_again_where_they_changed() {
    use chrono_tz::Asia::Shanghai;
    let t = fresh().await;
    let fx = fixture(&t.db).await;
    let ids = policy(
        &t.db,
        &fx,
        vec![
            task(
                "m",
                TaskCadence::Monthly,
                Some(d(2020, 6, 30)),
                fx.unit_a.id,
                vec![],
            ),
            task(
                "o",
                TaskCadence::Once,
                Some(d(2019, 10, 15)),
                fx.unit_a.id,
                vec![],
            ),
            task(
                "c",
                TaskCadence::Once,
                Some(d(2020, 6, 30)),
                fx.unit_a.id,
                vec![],
            ),
        ],
        d(2019, 9, 2),
    )
    .await;
    let a = Actor::cli();
    let step = |id: i64, action: &'static str, to: TaskStatus, day: NaiveDate| {
        let db = t.db.clone();
        let a = a.clone();
        async move {
            let row = tasks::get(&db, id).await.expect("task");
            tasks::move_to(&db, &a, &row, action, to, None, &[], at(day))
                .await
                .expect(action);
        }
    };
    step(ids[0], "accept", TaskStatus::Accepted, d(2019, 9, 3)).await;
    step(ids[2], "accept", TaskStatus::Accepted, d(2019, 9, 3)).await;
    step(
        ids[2],
        "request_close",
        TaskStatus::CloseRequested,
        d(2019, 10, 8),
    )
    .await;
    step(ids[2], "close", TaskStatus::Closed, d(2019, 10, 9)).await;
    tasks::refresh_lights(&t.db, at(d(2019, 11, 20)))
        .await
        .expect("sweep");
    let tallied = |day: NaiveDate| {
        let db = t.db.clone();
        async move {
            tasks::lights_tallied(&db, &everything(), None, AsOf::of(day, Shanghai))
                .await
                .expect("tallied")
        }
    };
    assert_eq!(tallied(d(2019, 10, 1)).await, None, "not counted yet");
    assert!(
        zhaoyin_db::tallies::recount(&t.db, Shanghai, d(2019, 11, 20))
            .await
            .expect("count")
            .is_some_and(|rows| rows > 0)
    );
    assert_eq!(
        zhaoyin_db::testing::task_tallies_off(&t.db, 100).await,
        vec![]
    );
    let county = fx.county_a.id;
    for (day, lights) in [
        (d(2019, 9, 1), None),
        (d(2019, 9, 2), Some((county, 0, 0, 3, 0))),
        // Closed on the 9th; the monthly one red (September not reported), the other yellow.
        (d(2019, 10, 9), Some((county, 1, 1, 0, 1))),
        (d(2019, 11, 3), Some((county, 2, 0, 0, 1))),
        (d(2019, 11, 20), Some((county, 2, 0, 0, 1))),
    ] {
        assert_eq!(
            tallied(day).await,
            Some(lights.into_iter().collect::<Vec<_>>()),
            "{day}"
        );
    }
    // September's and October's reports on 21 November: its days (from the 20th, the first
    // report's status change, its UTC date less one) are not read until counted again; the days
    // before still are.
    for (start, end) in [
        (d(2019, 9, 1), d(2019, 9, 30)),
        (d(2019, 10, 1), d(2019, 10, 31)),
    ] {
        let row = tasks::get(&t.db, ids[0]).await.expect("task");
        tasks::submit_report(
            &t.db,
            &a,
            &row,
            &NewReport {
                unit_id: fx.unit_a.id,
                period_start: start,
                period_end: end,
                progress: "按计划推进".into(),
                percent: Some(30),
                problems: None,
                support_needed: None,
                on_track: Some(true),
            },
            &[],
            at(d(2019, 11, 21)),
        )
        .await
        .expect("report");
    }
    assert!(tallied(d(2019, 11, 19)).await.is_some());
    assert_eq!(tallied(d(2019, 11, 20)).await, None);
    assert_eq!(tallied(d(2019, 11, 21)).await, None);
    zhaoyin_db::tallies::recount(&t.db, Shanghai, d(2019, 11, 21))
        .await
        .expect("count again")
        .expect("not busy");
    assert_eq!(
        zhaoyin_db::testing::task_tallies_off(&t.db, 100).await,
        vec![]
    );
    assert_eq!(
        tallied(d(2019, 11, 21)).await,
        Some(vec![(county, 1, 0, 1, 1)]),
        "the monthly one green again"
    );
    // Counted in another time zone, Shanghai's days end elsewhere: they are not read.
    zhaoyin_db::tallies::recount(&t.db, chrono_tz::UTC, d(2019, 11, 21))
        .await
        .expect("count in UTC")
        .expect("not busy");
    assert_eq!(tallied(d(2019, 11, 3)).await, None);
    assert_eq!(
        zhaoyin_db::testing::task_tallies_off(&t.db, 100).await,
        vec![]
    );
}
