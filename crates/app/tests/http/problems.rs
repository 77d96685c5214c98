//! The problem list of projects over HTTP: raised by whoever keeps the project and assigned to a
//! unit of its county; taken up, solved (saying how) or returned (saying why) by that unit's
//! clerks only; verified or sent back by the county's supervisor only; an illegal move refused;
//! lights and the overdue filter; the written explanation owed when a problem is overdue while
//! its project is stalled. The same through the pages.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

async fn move_to(api: &Api, p: &Value, status: &str, text: &str) -> reqwest::Response {
    api.send(
        Method::POST,
        &format!("/api/v1/problems/{}/status", p["id"]),
        json!({"status": status, "text": text, "version": p["version"]}),
    )
    .await
}

/// Moves the deadline of a problem into the past (time does not pass in a test).
async fn overdue(app: &TestApp, id: &Value, days: i64) {
    app.db
        .execute(
            zhaoyin_db::Sql::new("UPDATE project_problems SET deadline = $1 WHERE id = $2")
                .bind(today() - Duration::days(days))
                .bind(id.as_i64().expect("id")),
        )
        .await
        .expect("deadline");
}

#[tokio::test]
async fn a_problem_is_raised_solved_by_its_unit_and_verified_by_the_county() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let helper = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let other = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let (sup, clerk, helper, other) = (
        Api::for_user(&app, &sup).await,
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &helper).await,
        Api::for_user(&app, &other).await,
    );
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "高端装备产业园项目", "unit_id": fx.unit_a.id,
                   "key_industry": "高端化工", "owner_leader_id": fx.person_a.id,
                   "total_investment": 150000, "outside_investment": 120000}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let project = json(r).await;
    let path = format!("/api/v1/projects/{}/problems", project["id"]);
    let deadline = (today() + Duration::days(20)).to_string();

    // Checked field by field; a unit of another county is not a choice.
    let r = clerk
        .send(
            Method::POST,
            &path,
            json!({"category": "weather", "unit_id": fx.unit_b.id,
                   "deadline": (today() - Duration::days(1)).to_string()}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![
            ("category".into(), "choice".into()),
            ("description".into(), "required".into()),
            ("deadline".into(), "deadline_past".into()),
        ]
    );
    let body = json!({"category": "land", "description": "用地指标未落实",
                      "unit_id": fx.unit_b.id, "deadline": deadline, "blocking": true});
    let r = clerk.send(Method::POST, &path, body.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("unit_id".into(), "choice".into())]
    );
    // Only who keeps the project raises a problem on it.
    let mut body = body;
    body["unit_id"] = json!(fx.unit_a2.id);
    for api in [&helper, &other] {
        let r = api.send(Method::POST, &path, body.clone()).await;
        assert!(
            matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{}",
            r.status()
        );
    }
    let r = clerk.send(Method::POST, &path, body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let p = json(r).await;
    assert_eq!(
        (p["status"].as_str(), p["light"].as_str()),
        (Some("open"), Some("green"))
    );

    // The responsible unit reads it (as "what my unit must solve"); another county does not.
    let mine = json(
        helper
            .get(&format!(
                "/api/v1/problems?unit_id={}&status=pending",
                fx.unit_a2.id
            ))
            .await,
    )
    .await;
    assert_eq!(mine["total"], 1, "{mine}");
    let r = other.get(&format!("/api/v1/problems/{}", p["id"])).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(other.get("/api/v1/problems").await).await["total"], 0);

    // Only the responsible unit's people move it (not the project's clerk, nor the supervisor
    // who will verify it); a move that skips verification is refused.
    for api in [&clerk, &sup] {
        let r = move_to(api, &p, "in_progress", "").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = move_to(&sup, &p, "closed", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("status".into(), "problem_move".into())]
    );
    let r = move_to(&helper, &p, "in_progress", "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let p = json(r).await;
    let r = move_to(&helper, &p, "solved", " ").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("text".into(), "required".into())]
    );
    // A stale version is refused.
    let stale = json!({"id": p["id"], "version": 1});
    assert_eq!(
        move_to(&helper, &stale, "solved", "x").await.status(),
        StatusCode::CONFLICT
    );
    let r = move_to(&helper, &p, "solved", "已协调省厅调剂用地指标").await;
    assert_eq!(r.status(), StatusCode::OK);
    let p = json(r).await;
    assert_eq!(p["resolution"], "已协调省厅调剂用地指标");

    // The supervisor verifies, or sends it back with a reason; the unit does not verify.
    assert_eq!(
        move_to(&helper, &p, "closed", "").await.status(),
        StatusCode::FORBIDDEN
    );
    let r = move_to(&sup, &p, "in_progress", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = move_to(&sup, &p, "in_progress", "指标批复文件未见").await;
    assert_eq!(r.status(), StatusCode::OK);
    let p = json(r).await;
    assert_eq!(p["status_reason"], "指标批复文件未见");
    let p = json(move_to(&helper, &p, "solved", "批复文件已上传").await).await;
    let r = move_to(&sup, &p, "closed", "").await;
    assert_eq!(r.status(), StatusCode::OK);
    let p = json(r).await;
    assert_eq!(p["status"], "closed");
    assert!(p["closed_by_name"].is_string(), "{p}");
    // A solved or closed problem is not edited.
    let r = clerk
        .send(
            Method::PATCH,
            &format!("/api/v1/problems/{}", p["id"]),
            json!({"description": "改", "version": p["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Returned as not its own: the project's clerk assigns it again and it is open again.
    let r = clerk
        .send(
            Method::POST,
            &path,
            json!({"category": "environment", "description": "环评批复待出",
                   "unit_id": fx.unit_a2.id, "deadline": deadline}),
        )
        .await;
    let q = json(r).await;
    assert_eq!(
        move_to(&helper, &q, "returned", "").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let q = json(move_to(&helper, &q, "returned", "属生态环境分局职责").await).await;
    assert_eq!(q["status"], "returned");
    // Returned, it is no longer the unit's to do (nor does it owe an explanation).
    let todo = json(
        helper
            .get(&format!(
                "/api/v1/problems?unit_id={}&status=todo",
                fx.unit_a2.id
            ))
            .await,
    )
    .await;
    assert_eq!(todo["total"], 0, "{todo}");
    let r = clerk
        .send(
            Method::PATCH,
            &format!("/api/v1/problems/{}", q["id"]),
            json!({"unit_id": fx.unit_a.id, "version": q["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let q = json(r).await;
    assert_eq!(
        (q["status"].as_str(), q["status_reason"].is_null()),
        (Some("open"), true)
    );

    // Overdue: red, in the overdue filter; an explanation is owed only while the project is
    // stalled (paused, or held up by this problem).
    overdue(&app, &q["id"], 3).await;
    let q = json(clerk.get(&format!("/api/v1/problems/{}", q["id"])).await).await;
    assert_eq!(
        (
            q["light"].as_str(),
            q["overdue_days"].as_i64(),
            q["explanation_due"].as_bool()
        ),
        (Some("red"), Some(3), Some(false))
    );
    let late = json(sup.get("/api/v1/problems?overdue=1").await).await;
    assert_eq!(late["total"], 1, "{late}");
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/problems/{}/explanation", q["id"]),
            json!({"text": "正在办理", "version": q["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("text".into(), "explanation_not_due".into())]
    );
    let q = json(
        clerk
            .send(
                Method::PATCH,
                &format!("/api/v1/problems/{}", q["id"]),
                json!({"blocking": true, "version": q["version"]}),
            )
            .await,
    )
    .await;
    assert_eq!(q["explanation_due"], true, "{q}");
    // The explanation is the responsible unit's to write (the unit it was taken from no longer
    // reads the problem).
    let x = json!({"text": "环评报告需补充大气专项，预计下月十日前批复", "version": q["version"]});
    let url = format!("/api/v1/problems/{}/explanation", q["id"]);
    assert_eq!(
        helper.send(Method::POST, &url, x.clone()).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = clerk.send(Method::POST, &url, x).await;
    assert_eq!(r.status(), StatusCode::OK);
    let q = json(r).await;
    assert!(
        q["explanation"]
            .as_str()
            .is_some_and(|t| t.contains("大气专项"))
    );
    assert!(q["explained_by_name"].is_string());

    // The quarterly sorting lists the major project's unsolved problem with its owner leader,
    // and the export carries the same rows.
    let s = app.login("sup").await;
    let (status, page) = s.text("/problems/sorting").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("高端装备产业园项目")
            && page.contains("张伟")
            && page.contains("环评批复待出"),
        "{page}"
    );
    assert!(
        !page.contains("用地指标未落实"),
        "closed problems are left out"
    );
    let r = s.get("/problems/export.xlsx?major=1&status=pending").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let rows = first_sheet_text(bytes);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][4], "问题描述");
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][2].as_str(),
            rows[1][4].as_str()
        ),
        ("高端装备产业园项目", "张伟", "环评批复待出")
    );

    // Every step is in the audit log: two problems raised, five moves of the first, a return,
    // two edits and an explanation of the second.
    let (n,): (i64,) = app
        .db
        .one(zhaoyin_db::Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'problem'",
        ))
        .await
        .expect("audit");
    assert_eq!(n, 11);
}

#[tokio::test]
async fn problems_through_the_pages() {
    let app = spawn_app().await;
    let fx = &app.fx;
    app.user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    app.user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let b = app.login("clerk-a").await;
    let r = b
        .post(
            "/projects",
            &[
                ("name", "新材料项目"),
                ("unit_id", &fx.unit_a.id.to_string()),
                ("total_investment", "30000"),
                ("outside_investment", "30000"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let project = location.split('?').next().unwrap_or_default().to_string();
    let (_, page) = b.text(&project).await;
    assert!(
        page.contains("暂无问题") && page.contains("提出问题"),
        "{page}"
    );

    // Raised through the form: a past deadline comes back on the form with the reason.
    let (status, form) = b.text(&format!("{project}/problems/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("节能减排"));
    let unit = fx.unit_a2.id.to_string();
    let raise = |deadline: String| {
        vec![
            ("category".to_string(), "funding".to_string()),
            ("description".to_string(), "配套资金未到位".to_string()),
            ("unit_id".to_string(), unit.clone()),
            ("deadline".to_string(), deadline),
            ("blocking".to_string(), "1".to_string()),
        ]
    };
    fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
        v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
    }
    let past = raise((today() - Duration::days(2)).to_string());
    let r = b
        .post(&format!("{project}/problems"), &as_refs(&past))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("期限不能早于今天"));
    let good = raise((today() + Duration::days(3)).to_string());
    let r = b
        .post(&format!("{project}/problems"), &as_refs(&good))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let problem = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.split('?').next())
        .unwrap_or_default()
        .to_string();
    let (_, page) = b.text(&project).await;
    assert!(
        page.contains("配套资金未到位") && page.contains("黄灯"),
        "{page}"
    );

    // The responsible unit's clerk finds it under "my unit" and takes it up, then solves it.
    let h = app.login("clerk-a2").await;
    let (_, list) = h
        .text(&format!(
            "/problems?unit_id={}&status=pending",
            fx.unit_a2.id
        ))
        .await;
    assert!(list.contains("配套资金未到位"), "{list}");
    let (_, page) = h.text(&problem).await;
    assert!(page.contains("开始办理") && !page.contains("核销</button>"));
    let version = |page: &str| {
        page.split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_string()
    };
    // The move forms are multipart: a solution carries its evidence files.
    let step = |status: &str, text: &str, v: String| {
        reqwest::multipart::Form::new()
            .text("status", status.to_string())
            .text("text", text.to_string())
            .text("version", v)
    };
    let v = version(&page);
    let r = multipart(&h, &format!("{problem}/status"), step("in_progress", "", v)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = h.text(&problem).await;
    let v = version(&page);
    let r = multipart(
        &h,
        &format!("{problem}/status"),
        step("solved", "", v.clone()),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let solved = step("solved", "财政资金已拨付", v).part(
        "files",
        reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("拨付通知.pdf"),
    );
    let r = multipart(&h, &format!("{problem}/status"), solved).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The supervisor sees the evidence and verifies it.
    let s = app.login("sup").await;
    let (_, page) = s.text(&problem).await;
    assert!(
        page.contains("财政资金已拨付") && page.contains("核销") && page.contains("拨付通知.pdf"),
        "{page}"
    );
    let v = version(&page);
    let r = multipart(&s, &format!("{problem}/status"), step("closed", "", v)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = s.text("/problems?status=closed").await;
    assert!(
        list.contains("配套资金未到位") && list.contains("已核销"),
        "{list}"
    );
}

#[tokio::test]
async fn the_responsibility_list_shows_what_a_unit_and_a_person_answer_for() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    app.user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let api = Api::for_user(&app, &clerk).await;
    // Owned by 张伟 of unit A and served by him as agent on another; none by unit A2's people.
    let mut ids = Vec::new();
    for (name, body) in [
        ("包挂项目", json!({"owner_leader_id": fx.person_a.id})),
        ("帮办项目", json!({"agent_id": fx.person_a.id})),
        ("其他项目", json!({})),
    ] {
        let mut body = body;
        body["name"] = json!(name);
        body["unit_id"] = json!(fx.unit_a.id);
        let r = api.send(Method::POST, "/api/v1/projects", body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        ids.push(json(r).await["id"].clone());
    }
    let r = api
        .send(
            Method::POST,
            &format!("/api/v1/projects/{}/problems", ids[2]),
            json!({"category": "safety", "description": "安评未通过", "unit_id": fx.unit_a2.id,
                   "deadline": (today() + Duration::days(5)).to_string()}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // The lists behind the page.
    let total = |q: String| {
        let api = &api;
        async move { json(api.get(&format!("/api/v1/projects?{q}")).await).await["total"].clone() }
    };
    assert_eq!(total(format!("person_id={}", fx.person_a.id)).await, 2);
    assert_eq!(total(format!("people_unit_id={}", fx.unit_a.id)).await, 2);
    assert_eq!(total(format!("people_unit_id={}", fx.unit_a2.id)).await, 0);

    // Unit A2's clerk: the problem it must solve, not unit A's projects.
    let h = app.login("clerk-a2").await;
    let (status, page) = h.text("/responsibilities").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("县投资促进中心") && page.contains("安评未通过"),
        "{page}"
    );
    assert!(!page.contains("包挂项目"));
    // Unit A's clerk, linked to 张伟: his projects, the unit's three, its people's two.
    app.db
        .execute(
            zhaoyin_db::Sql::new("UPDATE users SET person_id = $1 WHERE id = $2")
                .bind(fx.person_a.id)
                .bind(clerk.id),
        )
        .await
        .expect("link");
    let b = app.login("clerk-a").await;
    let (_, page) = b.text("/responsibilities").await;
    for expected in [
        "本人包挂或帮办的项目（2）",
        "本单位负责的项目（3）",
        "本单位人员包挂或帮办的项目（2）",
        "本单位待解决的问题（0）",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    // The project page's responsibility list names the unit with an open problem.
    let (_, page) = b.text(&format!("/projects/{}", ids[2])).await;
    assert!(
        page.contains("问题责任单位")
            && page.contains(&format!("/responsibilities?unit_id={}", fx.unit_a2.id)),
        "{page}"
    );
    // A list opened from a link keeps its filter when the filter form is used.
    let (_, list) = b
        .text(&format!("/projects?person_id={}", fx.person_a.id))
        .await;
    assert!(list.contains("name=\"person_id\"") && list.contains("某人包挂或帮办的项目"));
}
