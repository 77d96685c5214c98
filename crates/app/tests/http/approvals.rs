//! "1+N" approvals over HTTP: the county's supervisor names each stage's lead department; the
//! project's agent plans and dates its items (and is the only agent who may: another agent is
//! refused); days used against committed days, the predicted start from what items wait for,
//! a dependency cycle refused, "拿地即开工" days, the departments' overview; the same through
//! the project page. Days are counted as calendar days here so that the figures do not depend
//! on the weekday the test runs (working days are unit-tested in `zhaoyin_core::approval`).

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::approval::{ApprovalRules, DayCount};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// A person of `unit` with an agent's account in the county, linked to the person.
async fn agent(app: &TestApp, username: &str, name: &str, unit_id: i64) -> (i64, Api) {
    let person = zhaoyin_core::org::PersonInput {
        name: name.into(),
        title: "帮办代办专员".into(),
        ..Default::default()
    }
    .validate()
    .expect("person");
    let person =
        zhaoyin_db::org::create_person(&app.db, &zhaoyin_db::audit::Actor::cli(), unit_id, &person)
            .await
            .expect("person");
    let user = app
        .user(username, Role::Agent, At::Region(&app.fx.county_a))
        .await;
    app.db
        .execute(
            zhaoyin_db::Sql::new("UPDATE users SET person_id = $1 WHERE id = $2")
                .bind(person.id)
                .bind(user.id),
        )
        .await
        .expect("link");
    let user = zhaoyin_db::users::get(&app.db, user.id)
        .await
        .expect("user");
    (person.id, Api::for_user(app, &user).await)
}

async fn item(api: &Api, project: i64, body: Value) -> reqwest::Response {
    api.send(
        Method::POST,
        &format!("/api/v1/projects/{project}/approvals"),
        body,
    )
    .await
}

#[tokio::test]
async fn the_agent_dates_approval_items_and_another_agent_may_not() {
    let app = spawn_app_with(zhaoyin_web::WebConfig {
        approval_rules: ApprovalRules {
            count: DayCount::Calendar,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let fx = &app.fx;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let outsider = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let (sup, clerk, outsider) = (
        Api::for_user(&app, &sup).await,
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &outsider).await,
    );
    let (wang, agent1) = agent(&app, "agent-1", "王强", fx.unit_a2.id).await;
    let (_, agent2) = agent(&app, "agent-2", "刘洋", fx.unit_a2.id).await;
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "高端装备制造基地", "unit_id": fx.unit_a.id, "agent_id": wang}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let project = json(r).await["id"].as_i64().expect("id");
    let other = json(
        clerk
            .send(
                Method::POST,
                "/api/v1/projects",
                json!({"name": "另一个项目", "unit_id": fx.unit_a.id}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .expect("id");

    // The county's supervisor names the lead department of a stage; a clerk may not.
    let lead = json!({"stage": "construction", "unit_id": fx.unit_a2.id});
    let r = clerk
        .send(Method::POST, "/api/v1/approvals/stage-leads", lead.clone())
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup
        .send(Method::POST, "/api/v1/approvals/stage-leads", lead)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // The agent plans the items, checked field by field.
    let r = item(
        &agent1,
        project,
        json!({"stage": "permit", "name": "", "unit_id": fx.unit_a2.id,
               "statutory_days": 7, "committed_days": 9, "mechanism": "fast",
               "submitted_on": day(-2), "approved_on": day(-3)}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![
            ("stage".into(), "choice".into()),
            ("name".into(), "required".into()),
            ("committed_days".into(), "committed_over_statutory".into()),
            ("mechanism".into(), "choice".into()),
            ("approved_on".into(), "approved_before_submitted".into()),
        ]
    );
    let land = json(
        item(
            &agent1,
            project,
            json!({"stage": "land_planning", "name": "建设用地规划许可证核发",
                   "unit_id": fx.unit_a2.id, "statutory_days": 20, "committed_days": 5,
                   "mechanism": "standard_land", "submitted_on": day(-20),
                   "approved_on": day(-15)}),
        )
        .await,
    )
    .await;
    assert_eq!(land["timing"]["used"], json!(5));
    assert_eq!(land["timing"]["over"], json!(false));
    let r = item(
        &agent1,
        project,
        json!({"stage": "engineering", "name": "建设工程规划许可证核发",
               "unit_id": fx.unit_a2.id, "statutory_days": 20, "committed_days": 10,
               "depends_on": [land["id"]], "submitted_on": day(-1)}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let plan = json(r).await;
    let permit = json(
        item(
            &agent1,
            project,
            json!({"stage": "construction", "name": "建筑工程施工许可证核发",
                   "unit_id": fx.unit_a2.id, "statutory_days": 7, "committed_days": 3,
                   "mechanism": "promise", "depends_on": [plan["id"]]}),
        )
        .await,
    )
    .await;
    // An item of another project is not something to wait for.
    let r = item(
        &clerk,
        other,
        json!({"stage": "construction", "name": "施工许可", "unit_id": fx.unit_a2.id,
               "statutory_days": 7, "committed_days": 3, "depends_on": [plan["id"]]}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("depends_on".into(), "choice".into())]
    );

    // The plan: the permit waits for the planning permit (expected in 9 days) and takes 3.
    let url = format!("/api/v1/projects/{project}/approvals");
    let got = json(agent1.get(&url).await).await;
    assert_eq!(got["day_count"], json!("calendar"));
    assert_eq!(got["predicted_start"], json!(day(12)));
    let construction = &got["stages"][2];
    assert_eq!(construction["lead_unit_id"], json!(fx.unit_a2.id));
    assert_eq!(construction["items"][0]["expected_on"], json!(day(12)));

    // Another agent may not date the items; a reader of another county does not see them.
    let edit = format!("/api/v1/approvals/{}", permit["id"]);
    let dates =
        json!({"submitted_on": day(-6), "note": "已容缺受理", "version": permit["version"]});
    let r = agent2.send(Method::PATCH, &edit, dates.clone()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = outsider.send(Method::PATCH, &edit, dates.clone()).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&url).await.status(), StatusCode::NOT_FOUND);
    // The project's agent dates it: six days used of three committed.
    let r = agent1.send(Method::PATCH, &edit, dates.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let dated = json(r).await;
    assert_eq!(
        (
            &dated["timing"]["used"],
            &dated["timing"]["over"],
            &dated["note"]
        ),
        (&json!(6), &json!(true), &json!("已容缺受理"))
    );
    assert!(dated["updated_by_name"].is_string());
    // A second edit from the same version is stale.
    let r = agent1.send(Method::PATCH, &edit, dates).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // The agent reports against the commitment but does not change it.
    let r = agent1
        .send(
            Method::PATCH,
            &edit,
            json!({"committed_days": 30, "version": dated["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let same = json(r).await;
    assert_eq!(
        (&same["committed_days"], &same["timing"]["over"]),
        (&json!(3), &json!(true))
    );
    // Waiting in a circle is refused (the plan is who keeps the project's to change).
    let r = clerk
        .send(
            Method::PATCH,
            &format!("/api/v1/approvals/{}", land["id"]),
            json!({"depends_on": [permit["id"]], "version": land["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("depends_on".into(), "dependency_cycle".into())]
    );

    // The start is now held up by the planning permit only.
    let got = json(agent1.get(&url).await).await;
    assert_eq!(got["predicted_start"], json!(day(9)));
    // 拿地即开工: thirty days since the land, the project not started.
    let r = agent1
        .send(
            Method::PUT,
            &format!("/api/v1/projects/{project}/land"),
            json!({"land_on": day(-30)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["land_to_start_days"], json!(30));
    let r = agent2
        .send(
            Method::PUT,
            &format!("/api/v1/projects/{project}/land"),
            json!({"land_on": day(-30)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The departments' overview: three items accepted by unit a2, one approved, one over.
    let d = json(sup.get("/api/v1/approvals/departments").await).await;
    let row = &d["departments"][0];
    assert_eq!(
        (
            &row["unit_id"],
            &row["items"],
            &row["approved"],
            &row["over"]
        ),
        (&json!(fx.unit_a2.id), &json!(3), &json!(1), &json!(1))
    );
    assert_eq!(row["used_days"], json!(5 + 1 + 6));
    assert_eq!(d["over_committed"][0]["id"], permit["id"]);

    // The project page shows the plan and lets the agent date an item.
    let b = app.login("agent-1").await;
    let (status, page) = b.text(&format!("/projects/{project}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("建筑工程施工许可证核发") && page.contains("承诺审批制"),
        "{page}"
    );
    assert!(page.contains("data-used=\"6\""), "{page}");
    let item: Value = json(agent1.get(&edit).await).await;
    let version = item["version"].to_string();
    let r = b
        .post(
            &format!("/approvals/{}/dates", permit["id"]),
            &[
                ("submitted_on", &day(-6)),
                ("approved_on", &day(0)),
                ("note", "已发证"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let item: Value = json(agent1.get(&edit).await).await;
    assert_eq!(item["approved_on"], json!(day(0)));
    let (status, page) = app.login("sup").await.text("/approvals").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("没有超承诺时限的事项"), "{page}");
}
