//! Recruiting activities over HTTP: a trip registered before it starts, approved or returned
//! only by a leader over its unit, registered again when edited, completed with its outcome
//! once begun; activities recorded after the fact; another unit's clerk refused; and the monthly
//! statistics, each figure equal to the count of the list it links to (activities and projects).
//! The same through the pages and the Excel exports.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::activity::Month;
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

fn version(v: &Value) -> i64 {
    v["version"].as_i64().unwrap_or_default()
}

async fn move_to(api: &Api, a: &Value, body: Value) -> reqwest::Response {
    let mut body = body;
    body["version"] = json!(version(a));
    api.send(
        Method::POST,
        &format!("/api/v1/activities/{}/status", a["id"]),
        body,
    )
    .await
}

/// Every figure of the statistics of `month` equals the total of the list it links to.
async fn figures_match_lists(api: &Api, month: Month) -> Vec<Value> {
    let stats = json(
        api.get(&format!("/api/v1/activities/stats?month={month}"))
            .await,
    )
    .await;
    let rows = stats["rows"].as_array().cloned().unwrap_or_default();
    for row in &rows {
        let unit = &row["unit_id"];
        for (figure, query) in [
            ("trips", "kind=trip"),
            ("trips_abroad", "kind=trip&abroad=1"),
            ("visits", "kind=visit"),
            ("talks", "kind=talks"),
            ("promotions", "kind=promotion"),
            ("signings", "kind=signing"),
        ] {
            let list = json(
                api.get(&format!(
                    "/api/v1/activities?unit_id={unit}&month={month}&counted=1&{query}"
                ))
                .await,
            )
            .await;
            assert_eq!(row[figure], list["total"], "{figure} of {row}");
        }
        for (figure, stage) in [("signed", "signed"), ("landed", "registered")] {
            let list = json(
                api.get(&format!(
                    "/api/v1/projects?entered={stage}&month={month}&credit_unit_id={unit}"
                ))
                .await,
            )
            .await;
            assert_eq!(row[figure], list["total"], "{figure} of {row}");
        }
    }
    rows
}

fn row_of(rows: &[Value], unit: i64) -> &Value {
    rows.iter()
        .find(|r| r["unit_id"] == unit)
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn a_trip_is_registered_approved_by_a_leader_and_counted() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let clerk2 = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let other = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let leader = app
        .user("leader-a", Role::Leader, At::Region(&fx.county_a))
        .await;
    let supervisor = app
        .user("super-a", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let (clerk, clerk2, other, leader, supervisor) = (
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &clerk2).await,
        Api::for_user(&app, &other).await,
        Api::for_user(&app, &leader).await,
        Api::for_user(&app, &supervisor).await,
    );
    let today = today();
    let ahead = today + Duration::days(3);

    // A trip names its purpose and a leader of the county going.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/activities",
            json!({"kind": "trip", "title": "赴深圳对接新能源企业", "place": "广东深圳",
                   "starts_on": ahead}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![
            ("purpose".into(), "required".into()),
            ("leader_ids".into(), "required".into())
        ]
    );
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/activities",
            json!({"kind": "trip", "title": "赴深圳对接新能源企业", "place": "广东深圳",
                   "starts_on": ahead, "purpose": "拜访", "leader_ids": [fx.person_b.id]}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("leader_ids".into(), "choice".into())]
    );
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/activities",
            json!({"kind": "trip", "title": "赴深圳对接新能源企业", "place": "广东深圳",
                   "starts_on": ahead, "ends_on": ahead + Duration::days(2),
                   "purpose": "拜访两家储能企业", "leader_ids": [fx.person_a.id],
                   "unit_ids": [fx.unit_a2.id]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let trip = json(r).await;
    assert_eq!(trip["status"], "registered");
    assert_eq!(trip["registered_late"], false);
    assert_eq!(trip["units"][0]["id"], fx.unit_a.id, "{trip}");
    assert_eq!(trip["units"][1]["id"], fx.unit_a2.id, "{trip}");
    let path = format!("/api/v1/activities/{}", trip["id"]);

    // Another county's clerk does not see it; its own clerk cannot approve it.
    assert_eq!(other.get(&path).await.status(), StatusCode::NOT_FOUND);
    let r = move_to(&other, &trip, json!({"status": "approved"})).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = move_to(&clerk, &trip, json!({"status": "approved"})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The leader returns it with a reason; edited, it is registered again; then approved.
    let r = move_to(&leader, &trip, json!({"status": "returned"})).await;
    assert_eq!(
        codes(&json(r).await),
        vec![("reason".into(), "required".into())]
    );
    let r = move_to(
        &leader,
        &trip,
        json!({"status": "returned", "reason": "请补充拜访企业名单"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let returned = json(r).await;
    assert_eq!(returned["status"], "returned");
    assert!(returned["decided_by_name"].is_string(), "{returned}");
    let r = clerk
        .send(
            Method::PATCH,
            &path,
            json!({"purpose": "拜访比亚迪、欣旺达", "version": version(&returned)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let again = json(r).await;
    assert_eq!(again["status"], "registered");
    // Registered again, the earlier decision is gone.
    assert!(again["decided_by_name"].is_null(), "{again}");
    assert!(again["status_reason"].is_null(), "{again}");
    // The unit taking part reads it but does not keep it.
    let r = clerk2.get(&path).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = clerk2
        .send(
            Method::PATCH,
            &path,
            json!({"title": "改", "version": version(&again)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = move_to(&leader, &again, json!({"status": "approved"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let approved = json(r).await;
    assert_eq!(approved["status"], "approved");
    // Approving twice is not a move; the outcome waits for the trip to begin.
    let r = move_to(&leader, &approved, json!({"status": "approved"})).await;
    assert_eq!(
        codes(&json(r).await),
        vec![("status".into(), "activity_move".into())]
    );
    let r = move_to(
        &clerk,
        &approved,
        json!({"status": "done", "outcome": "签约意向 1 个"}),
    )
    .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("status".into(), "activity_not_started".into())]
    );
    // A trip stays a trip.
    let r = clerk
        .send(
            Method::PATCH,
            &path,
            json!({"kind": "visit", "version": version(&approved)}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("kind".into(), "activity_kind_fixed".into())]
    );

    // A trip registered after it began is marked late and waits (not counted yet).
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/activities",
            json!({"kind": "trip", "title": "赴苏州拜访", "place": "江苏苏州",
                   "starts_on": today - Duration::days(1), "purpose": "回访",
                   "leader_ids": [fx.person_a.id]}),
        )
        .await;
    let late = json(r).await;
    assert_eq!(late["registered_late"], true, "{late}");
    // Approved and done, the trip keeps who went where and when; its outcome may be completed.
    let r = move_to(&leader, &late, json!({"status": "approved"})).await;
    let r = move_to(
        &clerk,
        &json(r).await,
        json!({"status": "done", "outcome": "回访企业 2 家"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done = json(r).await;
    let late_path = format!("/api/v1/activities/{}", done["id"]);
    let r = clerk
        .send(
            Method::PATCH,
            &late_path,
            json!({"place": "浙江杭州", "version": version(&done)}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("place".into(), "activity_done_fixed".into())]
    );
    let r = clerk
        .send(
            Method::PATCH,
            &late_path,
            json!({"outcome": "回访企业 2 家，1 家来县考察", "version": version(&done)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Other activities are recorded after they happened, met companies and all.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "高青储能科技有限公司"}),
        )
        .await;
    let company = json(r).await;
    // A company of another county's library is not met by this county's activity.
    let r = other
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "桓台储能有限公司"}),
        )
        .await;
    let foreign = json(r).await;
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/activities",
            json!({"kind": "visit", "title": "接待", "place": "高青县", "starts_on": today,
                   "company_ids": [foreign["id"]]}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("company_ids".into(), "choice".into())]
    );
    let visit = json!({"kind": "visit", "title": "接待储能企业考察", "place": "高青县",
                       "starts_on": today, "company_ids": [company["id"]]});
    let mut future = visit.clone();
    future["starts_on"] = json!(today + Duration::days(1));
    let r = clerk.send(Method::POST, "/api/v1/activities", future).await;
    assert_eq!(
        codes(&json(r).await),
        vec![("starts_on".into(), "date_future".into())]
    );
    let r = clerk.send(Method::POST, "/api/v1/activities", visit).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let visit = json(r).await;
    assert_eq!(visit["status"], "done");
    assert_eq!(visit["companies"][0]["name"], "高青储能科技有限公司");

    // A project of the unit signed today.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "储能电池项目", "unit_id": fx.unit_a.id, "investor_id": company["id"],
                   "total_investment": 50000, "outside_investment": 40000}),
        )
        .await;
    let project = json(r).await;
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/projects/{}/stage", project["id"]),
            json!({"stage": "signed", "contract_amount": 50000, "version": version(&project)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The statistics: every figure is its list's count, for the supervisor and for the clerk.
    let (this, trip_month) = (Month::of(today), Month::of(ahead));
    let rows = figures_match_lists(&supervisor, this).await;
    let a = row_of(&rows, fx.unit_a.id);
    assert_eq!(a["visits"], 1, "{rows:?}");
    assert_eq!(a["signed"], 1, "{rows:?}");
    let trips = figures_match_lists(&supervisor, trip_month).await;
    // The late trip, done, counts in its own month: that of the trip ahead unless a month
    // began between them.
    let late_too = i64::from(Month::of(today - Duration::days(1)) == trip_month);
    assert_eq!(
        row_of(&trips, fx.unit_a.id)["trips"],
        1 + late_too,
        "{trips:?}"
    );
    // The unit taking part counts it too.
    assert_eq!(row_of(&trips, fx.unit_a2.id)["trips"], 1);
    figures_match_lists(&clerk, this).await;
    // The unit that took part counts the trip in its own view as well.
    let theirs = figures_match_lists(&clerk2, trip_month).await;
    assert_eq!(row_of(&theirs, fx.unit_a2.id)["trips"], 1, "{theirs:?}");
    // Another county sees none of it.
    let theirs = figures_match_lists(&other, this).await;
    assert!(row_of(&theirs, fx.unit_a.id).is_null(), "{theirs:?}");

    // Cancelling needs a reason; a cancelled activity is not edited, nor counted.
    let r = move_to(&clerk, &visit, json!({"status": "cancelled"})).await;
    assert_eq!(
        codes(&json(r).await),
        vec![("reason".into(), "required".into())]
    );
    let r = move_to(
        &clerk,
        &visit,
        json!({"status": "cancelled", "reason": "重复登记"}),
    )
    .await;
    let cancelled = json(r).await;
    assert_eq!(cancelled["status"], "cancelled");
    let r = clerk
        .send(
            Method::PATCH,
            &format!("/api/v1/activities/{}", visit["id"]),
            json!({"title": "改", "version": version(&cancelled)}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("status".into(), "activity_cancelled".into())]
    );
    let rows = figures_match_lists(&supervisor, this).await;
    assert_eq!(row_of(&rows, fx.unit_a.id)["visits"], 0);
}

#[tokio::test]
async fn activity_pages_register_a_trip_and_show_the_statistics() {
    let app = spawn_app().await;
    let fx = &app.fx;
    app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    app.user("leader-a", Role::Leader, At::Region(&fx.county_a))
        .await;
    let clerk = app.login("clerk-a").await;
    let today = today();

    let (code, html) = clerk.text("/activities/new?kind=trip").await;
    assert_eq!(code, StatusCode::OK);
    assert!(html.contains("name=\"leader_ids\""), "{html}");
    // A company line that names nothing is refused with the line.
    let starts = (today + Duration::days(2)).to_string();
    let person = fx.person_a.id.to_string();
    let form = |companies: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("kind", "trip".to_string()),
            ("title", "赴杭州对接数字经济企业".to_string()),
            ("place", "浙江杭州".to_string()),
            ("starts_on", starts.clone()),
            ("purpose", "拜访".to_string()),
            ("unit_id", fx.unit_a.id.to_string()),
            ("leader_ids", person.clone()),
            ("companies", companies.to_string()),
        ]
    };
    let bad = form("不存在的企业有限公司");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = clerk.post("/activities", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap_or_default();
    assert!(html.contains("不存在的企业有限公司"), "{html}");
    let good = form("");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = clerk.post("/activities", &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let (_, page) = clerk.text(&location).await;
    assert!(page.contains("待审批"), "{page}");
    // The clerk is offered no approval; the leader is, and approves.
    assert!(!page.contains("value=\"approved\""));
    let leader = app.login("leader-a").await;
    let (_, list) = leader.text("/activities").await;
    assert!(list.contains("有 1 项外出报备待审批"), "{list}");
    let detail = location.split('?').next().unwrap_or_default().to_string();
    let (_, page) = leader.text(&detail).await;
    let version = page
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string();
    let r = leader
        .post(
            &format!("{detail}/status"),
            &[("status", "approved"), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = leader.text(&detail).await;
    assert!(page.contains("已批准"), "{page}");

    // The statistics link each figure to its list.
    let month = Month::of(today + Duration::days(2)).to_string();
    let (code, stats) = leader
        .text(&format!("/activities/stats?month={month}"))
        .await;
    assert_eq!(code, StatusCode::OK);
    // The trip's figure (1) leads to the list holding the trip.
    let href = stats
        .split("<a href=\"")
        .filter_map(|s| s.split_once("\">1</a>"))
        .map(|(href, _)| href.replace("&#38;", "&").replace("&amp;", "&"))
        .find(|h| h.starts_with("/activities?") && h.contains("kind=trip"))
        .unwrap_or_default();
    assert!(href.contains("counted=1"), "{stats}");
    let (_, list) = leader.text(&href).await;
    assert!(list.contains("赴杭州对接数字经济企业"), "{list}");
    for path in [
        format!("/activities/stats.xlsx?month={month}"),
        "/activities/export.xlsx".to_string(),
    ] {
        let r = leader.get(&path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let bytes = r.bytes().await.unwrap_or_default();
        assert!(bytes.starts_with(b"PK"), "{path}");
    }
    let (code, _) = leader.text("/activities/stats?month=2026-13").await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn nobody_approves_their_own_trip() {
    let mut cfg = zhaoyin_web::WebConfig::default();
    cfg.activity_rules.trip_approver = "supervisor".into();
    let app = spawn_app_with(cfg).await;
    let fx = &app.fx;
    let boss = app
        .user("super-a", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let other = app
        .user("super-a2", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let (boss, other) = (
        Api::for_user(&app, &boss).await,
        Api::for_user(&app, &other).await,
    );
    let r = boss
        .send(
            Method::POST,
            "/api/v1/activities",
            json!({"kind": "trip", "title": "赴青岛对接", "place": "山东青岛", "unit_id": fx.unit_a.id,
                   "starts_on": today() + Duration::days(4), "purpose": "拜访",
                   "leader_ids": [fx.person_a.id]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let trip = json(r).await;
    let r = move_to(&boss, &trip, json!({"status": "approved"})).await;
    assert_eq!(
        codes(&json(r).await),
        vec![("status".into(), "activity_own_trip".into())]
    );
    let r = move_to(&other, &trip, json!({"status": "approved"})).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn activities_import_all_or_nothing_and_an_export_imports_back() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let api = Api::for_user(&app, &clerk).await;
    let r = api
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "高青储能科技有限公司"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let b = app.login("clerk-a").await;
    let r = b.get("/activities/template.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));
    let headers = [
        "类型*",
        "主题*",
        "地点*",
        "开始日期*",
        "组织单位代码*",
        "参与领导",
        "接洽企业",
        "事由",
    ];
    let ahead = (today() + Duration::days(6)).to_string();
    let today = today().to_string();
    let bad = workbook(
        "招引活动",
        headers,
        &[
            ["游学", "考察", "高青县", &today, "gq-fgj", "", "", ""],
            [
                "来访接待",
                "接待",
                "高青县",
                "昨天",
                "gq-xxx",
                "王五",
                "没有这家公司",
                "",
            ],
            [
                "外出招商",
                "赴深圳",
                "广东深圳",
                &ahead,
                "gq-fgj",
                "",
                "",
                "",
            ],
        ],
    );
    let (status, page) = upload(&b, "/activities/import", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for needle in [
        "第 2 行 · 类型",
        "第 3 行 · 开始日期",
        "第 3 行 · 组织单位代码",
        "第 3 行 · 参与领导",
        "第 3 行 · 接洽企业",
        "第 4 行 · 事由",
        "第 4 行 · 参与领导",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert_eq!(json(api.get("/api/v1/activities").await).await["total"], 0);

    let good = workbook(
        "招引活动",
        headers,
        &[
            [
                "外出招商",
                "赴深圳对接储能企业",
                "广东深圳",
                &ahead,
                "gq-fgj",
                "张伟",
                "",
                "拜访",
            ],
            [
                "来访接待",
                "接待储能企业考察",
                "高青县",
                &today,
                "gq-fgj",
                "",
                "高青储能科技有限公司",
                "",
            ],
        ],
    );
    let (status, page) = upload(&b, "/activities/import", good.clone()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 2 项，更新 0 项，未变 0 项"), "{page}");
    let trips = json(api.get("/api/v1/activities?kind=trip").await).await;
    assert_eq!(trips["items"][0]["status"], "registered", "{trips}");
    assert_eq!(trips["items"][0]["leaders"][0]["name"], "张伟");
    let (_, page) = upload(&b, "/activities/import", good).await;
    assert!(page.contains("新增 0 项，更新 0 项，未变 2 项"), "{page}");

    // The export imports back unchanged, a cancelled activity included.
    let visits = json(api.get("/api/v1/activities?kind=visit").await).await;
    let visit = &visits["items"][0];
    let r = api
        .send(
            Method::POST,
            &format!("/api/v1/activities/{}/status", visit["id"]),
            json!({"status": "cancelled", "reason": "重复登记", "version": visit["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = b.get("/activities/export.xlsx").await;
    let exported = r.bytes().await.expect("bytes").to_vec();
    let (status, page) = upload(&b, "/activities/import", exported).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 0 项，更新 0 项，未变 2 项"), "{page}");
}
