//! Policy supervision over HTTP: a supervisor imports a document (preview, then confirm) and a
//! task walks its whole life — accepted, reported on, asked to close, returned, closed — with
//! every illegal move and every wrong person refused.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

const DOC: &str = "某县推进项目招引的若干措施\n2019-09-01\n\n一、项目招引\n\n\
1.精准招商。8月底前拿出任务清单，每月报送进展，引进项目不少于20个。\n\n\
责任人:张伟、赵学\n\n责任单位:县发展和改革局,县投资促进中心、县化工产业园\n\n\
二、项目服务\n\n2.做好项目服务。年底前完成。\n\n责任人:张伟\n\n责任单位:县投资促进中心,县直各部门、单位\n\n\
上一页 下一页\n";

async fn task_of(api: &Api, id: i64) -> Value {
    json(api.get(&format!("/api/v1/tasks/{id}")).await).await
}

async fn move_task(
    api: &Api,
    id: i64,
    transition: &str,
    version: i64,
    extra: Value,
) -> reqwest::Response {
    let mut body = json!({"transition": transition, "version": version});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    api.send(
        Method::POST,
        &format!("/api/v1/tasks/{id}/transitions"),
        body,
    )
    .await
}

#[tokio::test]
async fn a_policy_is_imported_and_a_task_lives_its_whole_life() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let support_clerk = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let other = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let (sup, clerk, support_clerk, other) = (
        Api::for_user(&app, &sup).await,
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &support_clerk).await,
        Api::for_user(&app, &other).await,
    );

    // A clerk cannot import; a supervisor previews.
    let r = clerk
        .send(Method::POST, "/api/v1/policies", json!({"text": DOC}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup
        .send(
            Method::POST,
            "/api/v1/policies",
            json!({"text": "随便写的一段话。"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["code"], "policy_no_measures");
    let r = sup
        .send(Method::POST, "/api/v1/policies", json!({"text": DOC}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let preview = json(r).await;
    assert_eq!(
        preview["parsed"]["chapters"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(preview["matches"][0]["lead_units"][0]["id"], fx.unit_a.id);
    assert_eq!(preview["matches"][0]["leaders"][0]["id"], fx.person_a.id);
    assert_eq!(preview["unknown_units"], json!(["县化工产业园"]));
    assert_eq!(preview["unknown_people"], json!(["赵学"]));
    let proposal = &preview["proposal"];
    assert_eq!(proposal["clauses"][0]["tasks"][0]["cadence"], "monthly");
    assert_eq!(proposal["clauses"][0]["tasks"][0]["deadline"], "2019-08-31");
    assert_eq!(
        proposal["clauses"][0]["tasks"][0]["indicators"][0]["target_value"],
        "20"
    );
    assert_eq!(
        proposal["clauses"][1]["tasks"][0]["unit_groups"],
        json!(["县直各部门、单位"])
    );

    // A bad correction is refused with its place; nothing is created.
    let mut bad = proposal.clone();
    bad["clauses"][0]["tasks"][0]["lead_unit_ids"] = json!([]);
    bad["clauses"][1]["tasks"][0]["cadence"] = json!("daily");
    let r = sup
        .send(Method::POST, "/api/v1/policies/confirm", bad)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = json(r).await["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        fields,
        vec![
            "clauses[0].tasks[0].lead_unit_ids",
            "clauses[1].tasks[0].cadence"
        ]
    );
    assert_eq!(json(sup.get("/api/v1/tasks").await).await["total"], 0);

    // Confirmed as proposed.
    let r = sup
        .send(Method::POST, "/api/v1/policies/confirm", proposal.clone())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created = json(r).await;
    let policy_id = created["policy_id"].as_i64().expect("policy id");
    let id = created["task_ids"][0].as_i64().expect("task id");
    let detail = task_of(&sup, id).await;
    assert_eq!(detail["task"]["code"], format!("{policy_id}-1"));
    assert_eq!(
        detail["clause"]["text"]
            .as_str()
            .map(|t| t.starts_with("精准招商")),
        Some(true)
    );
    assert_eq!(detail["task"]["status"], "assigned");

    // Who sees it: the lead and supporting clerks, not another county's.
    assert_eq!(
        clerk.get(&format!("/api/v1/tasks/{id}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        support_clerk
            .get(&format!("/api/v1/tasks/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        other.get(&format!("/api/v1/tasks/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(json(other.get("/api/v1/tasks").await).await["total"], 0);
    assert_eq!(
        json(
            clerk
                .get(&format!("/api/v1/tasks?unit_id={}", fx.unit_a.id))
                .await
        )
        .await["total"],
        1
    );

    // 签收: not by the supporting unit, not by another county, and not closing from here.
    assert_eq!(
        move_task(&support_clerk, id, "accept", 1, json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        move_task(&other, id, "accept", 1, json!({})).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = move_task(&sup, id, "close", 1, json!({})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["code"], "task_transition");
    // Reports come after accepting.
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/tasks/{id}/reports"),
            json!({"progress": "已启动"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = move_task(&clerk, id, "accept", 1, json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["status"], "accepted");
    assert_eq!(
        move_task(&clerk, id, "accept", 1, json!({})).await.status(),
        StatusCode::CONFLICT,
        "an old version"
    );

    // 推进: the lead unit reports; so does the supporting unit, for its part.
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/tasks/{id}/reports"),
            json!({"progress": "已对接企业12家", "percent": 40, "on_track": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = support_clerk
        .send(
            Method::POST,
            &format!("/api/v1/tasks/{id}/reports"),
            json!({"progress": "配合提供资料", "percent": 120}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "percent out of range"
    );
    let r = support_clerk
        .send(
            Method::POST,
            &format!("/api/v1/tasks/{id}/reports"),
            json!({"progress": "配合提供资料"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = other
        .send(
            Method::POST,
            &format!("/api/v1/tasks/{id}/reports"),
            json!({"progress": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let detail = task_of(&clerk, id).await;
    assert_eq!(detail["task"]["status"], "in_progress");
    assert_eq!(detail["reports"].as_array().map(Vec::len), Some(2));
    let version = detail["task"]["version"].as_i64().expect("version");

    // 申请办结 needs evidence and the lead unit.
    let r = move_task(&clerk, id, "request_close", version, json!({})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["code"], "task_evidence");
    assert_eq!(
        move_task(
            &support_clerk,
            id,
            "request_close",
            version,
            json!({"evidence": "清单"})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let r = move_task(
        &clerk,
        id,
        "request_close",
        version,
        json!({"evidence": "任务清单已报县委办"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let version = json(r).await["version"].as_i64().expect("version");

    // 审核: the clerk cannot close their own task; 退回 needs a reason.
    assert_eq!(
        move_task(&clerk, id, "close", version, json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = move_task(&sup, id, "return", version, json!({})).await;
    assert_eq!(json(r).await["errors"][0]["code"], "task_reason");
    let r = move_task(
        &sup,
        id,
        "return",
        version,
        json!({"comment": "缺少县政府办签收单"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let version = json(r).await["version"].as_i64().expect("version");
    let r = move_task(
        &clerk,
        id,
        "request_close",
        version,
        json!({"evidence": "补充签收单"}),
    )
    .await;
    let version = json(r).await["version"].as_i64().expect("version");

    // 销号.
    let r = move_task(&sup, id, "close", version, json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let detail = task_of(&sup, id).await;
    assert_eq!(
        (
            detail["task"]["status"].as_str(),
            detail["task"]["light"].as_str()
        ),
        (Some("closed"), Some("green"))
    );
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        vec![
            "assign",
            // Filed after its deadline (2019-08-31), it is red at once and owes an explanation.
            "ask_explanation",
            "accept",
            "report",
            "progress",
            "report",
            "request_close",
            "return",
            "request_close",
            "close"
        ]
    );
    assert_eq!(detail["available"], json!(["reopen"]));
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/tasks/{id}/reports"),
            json!({"progress": "x"}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a closed task takes no reports"
    );

    // The policy reads back with its clauses.
    let p = json(clerk.get(&format!("/api/v1/policies/{policy_id}")).await).await;
    assert_eq!(p["clauses"].as_array().map(Vec::len), Some(2));
    assert_eq!(p["policy"]["tasks"], 2);
    assert_eq!(
        json(other.get(&format!("/api/v1/policies/{policy_id}")).await).await["code"],
        "not_found"
    );
}
