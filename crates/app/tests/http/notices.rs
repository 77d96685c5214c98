//! Notices over HTTP on the demo county (both databases): a reminder on a task reaches the
//! people of its lead units and nobody else; two instances making notices at once, and again,
//! make each once; overdue tasks are told by the deadline scan once per deadline; the inbox
//! counts unread, a notice opens its page and is read, and nobody reads another's.

use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_db::Sql;

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;

async fn made(db: &zhaoyin_db::Db) -> i64 {
    let (n,): (i64,) = db
        .one(Sql::new("SELECT COUNT(*) FROM notices"))
        .await
        .expect("count");
    n
}

fn of_kind<'a>(inbox: &'a Value, kind: &str) -> Vec<&'a Value> {
    inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["kind"] == kind)
        .collect()
}

#[tokio::test]
async fn a_reminder_reaches_the_lead_unit_once_and_the_inbox_reads_it() {
    let (base, db, _t, _running) = demo_app().await;
    let cfg = zhaoyin_web::WebConfig::default();
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let clerk_user = demo_user(&db, "clerk").await;
    let clerk = api_for(&base, &db, &clerk_user).await;
    // What the demo did is told first (tasks assigned, deadlines passed).
    zhaoyin::notices_tick(&db, &cfg, "first")
        .await
        .expect("tick");

    // A task the clerk's unit leads, and one it has nothing to do with.
    let (mine,): (i64,) = db
        .one(
            Sql::new(
                "SELECT t.id FROM tasks t JOIN task_units tu ON tu.task_id = t.id \
                 WHERE tu.unit_id = $1 AND tu.role = 'lead' AND t.status <> 'closed' \
                 ORDER BY t.id LIMIT 1",
            )
            .bind(clerk_user.unit_id),
        )
        .await
        .expect("a task the clerk's unit leads");
    let (theirs,): (i64,) = db
        .one(
            Sql::new(
                "SELECT t.id FROM tasks t WHERE t.status <> 'closed' AND NOT EXISTS \
                 (SELECT 1 FROM task_units tu WHERE tu.task_id = t.id AND tu.unit_id = $1) \
                 ORDER BY t.id LIMIT 1",
            )
            .bind(clerk_user.unit_id),
        )
        .await
        .expect("another task");
    for (task, text) in [(mine, "请本周五前报送进展"), (theirs, "请尽快推进")] {
        let r = sup
            .send(
                Method::POST,
                &format!("/api/v1/tasks/{task}/notes"),
                json!({"kind": "remind", "text": text}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    // Nothing is sent inside the request: no notice yet.
    let before = made(&db).await;
    let inbox = json(clerk.get("/api/v1/notices").await).await;
    assert!(of_kind(&inbox, "task_reminded").is_empty(), "{inbox}");

    // Two instances at once, then again: each notice once.
    let (a, b) = tokio::join!(
        zhaoyin::notices_tick(&db, &cfg, "a"),
        zhaoyin::notices_tick(&db, &cfg, "b")
    );
    let n = a.expect("a") + b.expect("b");
    assert!(n > 0);
    assert_eq!(made(&db).await, before + i64::try_from(n).expect("n"));
    assert_eq!(
        zhaoyin::notices_tick(&db, &cfg, "a").await.expect("again"),
        0
    );

    let inbox = json(clerk.get("/api/v1/notices?unread=true").await).await;
    let reminded = of_kind(&inbox, "task_reminded");
    assert_eq!(reminded.len(), 1, "{inbox}");
    assert_eq!(reminded[0]["link"], format!("/tasks/{mine}"));
    assert_eq!(reminded[0]["body"], "请本周五前报送进展");
    assert!(inbox["unread"].as_i64().expect("unread") >= 1);
    // The other task's reminder: told to exactly the people of its lead units.
    let count = |q: &str| {
        let q = Sql::new(q.to_string()).bind(theirs);
        let db = db.clone();
        async move {
            let (n,): (i64,) = db.one(q).await.expect("count");
            n
        }
    };
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM notices WHERE kind = 'task_reminded' \
             AND subject = 'task:' || CAST($1 AS TEXT)"
        )
        .await,
        count(
            "SELECT COUNT(DISTINCT u.id) FROM users u JOIN task_units tu ON tu.unit_id = u.unit_id \
             WHERE tu.task_id = $1 AND tu.role = 'lead' AND u.active AND EXISTS (SELECT 1 FROM \
             role_grants g WHERE g.user_id = u.id AND g.role IN ('leader', 'supervisor', 'clerk', 'agent'))"
        )
        .await
    );
    // Overdue tasks are told once per deadline, to their lead units' people: the first scan
    // told of none already overdue; a scan whose last run was a year ago tells of those whose
    // deadline passed since.
    let told = |kind: &'static str| {
        let db = db.clone();
        let user = clerk_user.id;
        async move {
            let (n,): (i64,) = db
                .one(
                    Sql::new("SELECT COUNT(*) FROM notices WHERE kind = $1 AND user_id = $2")
                        .bind(kind)
                        .bind(user),
                )
                .await
                .expect("count");
            n
        }
    };
    assert_eq!(told("task_overdue").await, 0);
    // An approval item of the clerk's unit, accepted sixty days ago for five days' work.
    let item = db
        .execute(
            Sql::new(
                "UPDATE approval_items SET unit_id = $1, submitted_on = $2, approved_on = NULL, \
                 committed_days = 5 WHERE id = (SELECT MIN(id) FROM approval_items)",
            )
            .bind(clerk_user.unit_id)
            .bind(today() - chrono::Duration::days(60)),
        )
        .await
        .expect("an approval item");
    assert_eq!(item, 1);
    let year_ago = today() - chrono::Duration::days(365);
    db.execute(
        Sql::new("UPDATE notice_cursor SET seq = $1 WHERE name = 'deadlines'")
            .bind(i64::from(chrono::Datelike::num_days_from_ce(&year_ago))),
    )
    .await
    .expect("cursor");
    assert!(
        zhaoyin_db::notices::scan_deadlines(
            &db,
            today(),
            cfg.light_warn_days,
            &cfg.approval_rules,
            cfg.tz
        )
        .await
        .expect("scan")
            > 0
    );
    let (late,): (i64,) = db
        .one(
            Sql::new(
                "SELECT COUNT(*) FROM tasks t JOIN task_units tu ON tu.task_id = t.id \
                 WHERE tu.unit_id = $1 AND tu.role = 'lead' AND t.status <> 'closed' \
                 AND t.deadline >= $2 AND t.deadline < $3",
            )
            .bind(clerk_user.unit_id)
            .bind(year_ago)
            .bind(today()),
        )
        .await
        .expect("count");
    assert!(late > 0, "the demo has overdue tasks");
    assert_eq!(told("task_overdue").await, late);
    assert_eq!(told("approval_overdue").await, 1);
    assert_eq!(
        zhaoyin_db::notices::scan_deadlines(
            &db,
            today(),
            cfg.light_warn_days,
            &cfg.approval_rules,
            cfg.tz
        )
        .await
        .expect("scan"),
        0
    );

    // A periodic report is told three days before its period ends, to the lead units that have
    // not reported for it: here the month's, scanned on the day it comes due.
    let month_end = {
        let next = chrono::NaiveDate::from_ymd_opt(
            today().year() + i32::from(today().month() == 12),
            today().month() % 12 + 1,
            1,
        )
        .expect("next month");
        next - chrono::Duration::days(1)
    };
    let day = month_end - chrono::Duration::days(zhaoyin_db::notices::REPORT_NOTICE_DAYS);
    db.execute(
        Sql::new("UPDATE notice_cursor SET seq = $1 WHERE name = 'deadlines'").bind(i64::from(
            chrono::Datelike::num_days_from_ce(&(day - chrono::Duration::days(1))),
        )),
    )
    .await
    .expect("cursor");
    zhaoyin_db::notices::scan_deadlines(&db, day, cfg.light_warn_days, &cfg.approval_rules, cfg.tz)
        .await
        .expect("scan");
    let (owed,): (i64,) = db
        .one(
            Sql::new(
                "SELECT COUNT(*) FROM tasks t JOIN task_units tu ON tu.task_id = t.id \
                 WHERE tu.unit_id = $1 AND tu.role = 'lead' AND t.cadence = 'monthly' \
                 AND t.status IN ('accepted', 'in_progress') AND t.assigned_on <= $2 \
                 AND NOT EXISTS (SELECT 1 FROM task_reports r WHERE r.task_id = t.id \
                 AND r.unit_id = tu.unit_id AND r.period_end = $2)",
            )
            .bind(clerk_user.unit_id)
            .bind(month_end),
        )
        .await
        .expect("count");
    assert!(owed > 0, "the demo's clerk owes a monthly report");
    let (due,): (i64,) = db
        .one(
            Sql::new(
                "SELECT COUNT(*) FROM notices n JOIN tasks t ON 'task:' || CAST(t.id AS TEXT) = n.subject \
                 WHERE n.kind = 'report_due' AND n.user_id = $1 AND n.period = $2 \
                 AND t.cadence = 'monthly'",
            )
            .bind(clerk_user.id)
            .bind(month_end.to_string()),
        )
        .await
        .expect("count");
    assert_eq!(due, owed);

    // Read: by its owner only; the page opens the task.
    let id = reminded[0]["id"].as_i64().expect("id");
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/notices/{id}/read"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/notices/{id}/read"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!json(r).await["read_at"].is_null());
    let b = Browser::new(&base);
    let r = b.login("clerk", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, page) = b.text("/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("催办"), "the inbox names the kind");
    let r = b.get(&format!("/inbox/{id}")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/tasks/{mine}").as_str());
    let r = b.post("/inbox/read-all", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let inbox = json(clerk.get("/api/v1/notices").await).await;
    assert_eq!(inbox["unread"], 0);
}
