//! Weekly scheduling meetings over HTTP: the county's supervisor creates a meeting and its
//! agenda is generated (a project held up by an overdue blocker, an approval item over its
//! committed days, a new problem); attendance of the county's people; a decision that becomes
//! a task the unit then sees, one that becomes a problem; the minutes as a Word document that
//! reads back; the pages.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

#[tokio::test]
async fn a_meeting_gets_its_agenda_and_its_decision_becomes_a_task() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let helper = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let (sup, clerk, helper) = (
        Api::for_user(&app, &sup).await,
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &helper).await,
    );
    let project = json(
        clerk
            .send(
                Method::POST,
                "/api/v1/projects",
                json!({"name": "高端装备产业园项目", "unit_id": fx.unit_a.id,
                       "key_industry": "高端化工", "owner_leader_id": fx.person_a.id,
                       "total_investment": 150000, "outside_investment": 120000}),
            )
            .await,
    )
    .await;
    assert_eq!(project["is_major"], json!(true));
    let pid = project["id"].as_i64().expect("id");
    let raise = |text: &str, blocking: bool| {
        json!({"category": "land", "description": text, "unit_id": fx.unit_a2.id,
               "deadline": day(10), "blocking": blocking})
    };
    let path = format!("/api/v1/projects/{pid}/problems");
    let fresh = json(
        clerk
            .send(Method::POST, &path, raise("配套道路未建成", false))
            .await,
    )
    .await;
    let blocker = json(
        clerk
            .send(Method::POST, &path, raise("用地指标未落实", true))
            .await,
    )
    .await;
    // The blocker was raised weeks ago and is three days overdue.
    app.db
        .execute(
            zhaoyin_db::Sql::new(
                "UPDATE project_problems SET deadline = $1, created_at = $2 WHERE id = $3",
            )
            .bind(today() - Duration::days(3))
            .bind(chrono::Utc::now() - Duration::days(40))
            .bind(blocker["id"].as_i64().expect("id")),
        )
        .await
        .expect("overdue");
    // An approval item accepted ten days ago, committed to three working days.
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/projects/{pid}/approvals"),
            json!({"stage": "construction", "name": "建筑工程施工许可证核发",
                   "unit_id": fx.unit_a2.id, "statutory_days": 7, "committed_days": 3,
                   "submitted_on": day(-10)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // Only the county's supervisor holds the meeting.
    let input = json!({"held_on": day(0), "title": "第48周重大项目调度会", "place": "县政府第一会议室",
                       "chair": "张亮云"});
    let r = clerk
        .send(Method::POST, "/api/v1/meetings", input.clone())
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut far = input.clone();
    far["held_on"] = json!(day(30));
    let r = sup.send(Method::POST, "/api/v1/meetings", far).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("held_on".into(), "meeting_ahead".into())]
    );
    let r = sup.send(Method::POST, "/api/v1/meetings", input).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let m = json(r).await;
    let id = m["id"].as_i64().expect("id");
    let agenda: Vec<(String, Value)> = m["agenda"]
        .as_array()
        .expect("agenda")
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap_or("").to_string(),
                a["problem_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        agenda,
        vec![
            ("stalled_project".into(), blocker["id"].clone()),
            ("late_approval".into(), Value::Null),
            ("new_problem".into(), fresh["id"].clone()),
        ]
    );
    assert_eq!(m["since"], json!(day(-7)));

    // Attendance: people of the county only.
    let url = format!("/api/v1/meetings/{id}/attendance");
    let r = sup
        .send(
            Method::PUT,
            &url,
            json!([{"person_id": fx.person_a.id, "status": "present"},
                   {"person_id": fx.person_b.id, "status": "present"}]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("people[1].person_id".into(), "choice".into())]
    );
    let r = sup
        .send(
            Method::PUT,
            &url,
            json!([{"person_id": fx.person_a.id, "status": "present"}]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["attendees"][0]["name"], json!("张伟"));

    // A decision becomes a task for the unit, which sees it among its tasks.
    let decisions = format!("/api/v1/meetings/{id}/decisions");
    let r = sup
        .send(
            Method::POST,
            &decisions,
            json!({"text": "县自然资源局牵头，12月10日前完成用地报批", "kind": "task",
                   "unit_id": fx.unit_a2.id, "deadline": day(14), "project_id": pid}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let d = json(r).await;
    let task_id = d["task_id"].as_i64().expect("a task was created");
    let detail = json(helper.get(&format!("/api/v1/tasks/{task_id}")).await).await;
    let task = &detail["task"];
    assert_eq!(
        detail["units"][0]["unit_id"],
        json!(fx.unit_a2.id),
        "{detail}"
    );
    assert_eq!(
        task["title"],
        json!("县自然资源局牵头，12月10日前完成用地报批")
    );
    assert_eq!(task["deadline"], json!(day(14)));
    assert_eq!(task["status"], json!("assigned"));
    let mine = json(helper.get("/api/v1/tasks?per_page=100").await).await;
    assert!(
        mine["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t["id"] == json!(task_id))),
        "{mine}"
    );
    // One becomes a problem on the project's list; a problem needs its project.
    let r = sup
        .send(
            Method::POST,
            &decisions,
            json!({"text": "协调供电公司提前接入施工用电", "kind": "problem",
                   "unit_id": fx.unit_a2.id, "deadline": day(7), "category": "other"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("project_id".into(), "required".into())]
    );
    let r = sup
        .send(
            Method::POST,
            &decisions,
            json!({"text": "协调供电公司提前接入施工用电", "kind": "problem",
                   "unit_id": fx.unit_a2.id, "deadline": day(7), "category": "other",
                   "project_id": pid}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let problem_id = json(r).await["problem_id"].as_i64().expect("problem");
    let p = json(helper.get(&format!("/api/v1/problems/{problem_id}")).await).await;
    assert_eq!(
        (&p["project_id"], &p["status"]),
        (&json!(pid), &json!("open"))
    );
    // Only the supervisor records decisions.
    let r = clerk
        .send(
            Method::POST,
            &decisions,
            json!({"text": "x", "kind": "task", "unit_id": fx.unit_a2.id, "deadline": day(7)}),
        )
        .await;
    assert!(
        matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status()
    );

    // The minutes: a Word package that reads back with the agenda, attendance and decisions.
    let r = sup
        .get(&format!("/api/v1/meetings/{id}/minutes.docx"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let text = zhaoyin_office::text::docx(&bytes).expect("a valid Word package");
    for part in [
        "第48周重大项目调度会会议纪要",
        "县政府第一会议室",
        "张伟（",
        "一、会议议题",
        "用地指标未落实",
        "建筑工程施工许可证核发",
        "二、议定事项",
        "县自然资源局牵头，12月10日前完成用地报批",
        "督办任务",
    ] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }

    // The pages.
    let b = app.login("sup").await;
    // The county's meetings are in the supervisor's menu, not in a unit clerk's.
    let (_, home) = b.text("/").await;
    assert!(home.contains("href=\"/meetings\""), "{home}");
    let (_, home) = app.login("clerk-a").await.text("/").await;
    assert!(!home.contains("href=\"/meetings\""), "{home}");
    let (status, page) = b.text("/meetings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("第48周重大项目调度会"), "{page}");
    let (status, page) = b.text(&format!("/meetings/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("被卡点问题“用地指标未落实”卡住")
            && page.contains(&format!("/tasks/{task_id}")),
        "{page}"
    );

    // The leader's view: 张伟 owns the project, red for its overdue blocker, listed first.
    let leaders = json(sup.get("/api/v1/leaders").await).await;
    assert_eq!(
        leaders,
        json!([{"person_id": fx.person_a.id, "name": "张伟"}])
    );
    let owned = json(
        sup.get(&format!("/api/v1/leaders/{}/projects", fx.person_a.id))
            .await,
    )
    .await;
    assert_eq!(owned[0]["project"]["id"], json!(pid));
    assert_eq!(owned[0]["light"], json!("red"));
    let first = &owned[0]["problems"][0];
    assert_eq!(
        (&first["id"], &first["blocking"]),
        (&blocker["id"], &json!(true))
    );
    assert_eq!(owned[0]["problems"].as_array().map(Vec::len), Some(3));
    let (status, page) = b.text("/leader").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("高端装备产业园项目") && page.contains("卡点 1 个"),
        "{page}"
    );
}
