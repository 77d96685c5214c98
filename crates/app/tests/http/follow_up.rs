//! Following a task up over the API: reports reviewed, reminders and instructions, written
//! explanations, deadline changes with approval, evidence files — each step refused to the
//! wrong person — and lists filtered by light, status and "as of".

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

const DOC: &str = "某县推进项目招引的若干措施\n2019-09-01\n\n一、项目招引\n\n\
1.精准招商。每月报送进展，引进项目不少于20个。\n\n责任人:张伟\n\n\
责任单位:县发展和改革局,县投资促进中心\n";

/// A supervisor's API client and the id of a task filed from `DOC` (lead 县发展和改革局,
/// support 县投资促进中心).
async fn filed(app: &TestApp, sup: &Api) -> i64 {
    let preview = json(
        sup.send(Method::POST, "/api/v1/policies", json!({"text": DOC}))
            .await,
    )
    .await;
    let r = sup
        .send(
            Method::POST,
            "/api/v1/policies/confirm",
            preview["proposal"].clone(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let _ = app;
    json(r).await["task_ids"][0].as_i64().expect("task id")
}

async fn post(api: &Api, path: &str, body: Value) -> reqwest::Response {
    api.send(Method::POST, path, body).await
}

fn code(v: &Value) -> String {
    v["errors"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_task_is_followed_up_step_by_step() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let leader = app
        .user("lead", Role::Leader, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let helper = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let (sup, leader, clerk, helper) = (
        Api::for_user(&app, &sup).await,
        Api::for_user(&app, &leader).await,
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &helper).await,
    );
    let id = filed(&app, &sup).await;
    let t = |p: &str| format!("/api/v1/tasks/{id}{p}");
    let r = post(
        &clerk,
        &t("/transitions"),
        json!({"transition": "accept", "version": 1}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The month's report is owed by the lead unit, not by the supporting one.
    let todo = clerk.get("/tasks/todo").await.text().await.expect("page");
    assert!(todo.contains("待报送的进展"));
    let todo = helper.get("/tasks/todo").await.text().await.expect("page");
    assert!(!todo.contains("待报送的进展"));

    // A supporting unit's part does not move the task on; the lead unit's report does.
    let r = post(
        &helper,
        &t("/reports"),
        json!({"progress": "已提供企业名录"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        json(sup.get(&t("")).await).await["task"]["status"],
        "accepted"
    );

    // A report with a photo; the supervisor sends it back (a reason is required), then the
    // second version is approved.
    use base64::Engine;
    let photo = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG fake photo");
    let r = post(
        &clerk,
        &t("/reports"),
        json!({"progress": "已对接企业8家", "percent": 30, "on_track": true,
               "files": [{"filename": "../../现场照片.png", "content_base64": photo}]}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let report_id = json(r).await["id"].as_i64().expect("report id");
    let r = post(
        &clerk,
        &t("/reports"),
        json!({"progress": "x", "files": [{"filename": "a.txt", "content_base64": "***"}]}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["field"], "files[0]");
    let review = |rid: i64| t(&format!("/reports/{rid}/review"));
    assert_eq!(
        post(&clerk, &review(report_id), json!({"approve": true}))
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "a clerk does not review"
    );
    let r = post(&sup, &review(report_id), json!({"approve": false})).await;
    assert_eq!(code(&json(r).await), "required");
    let r = post(
        &sup,
        &review(report_id),
        json!({"approve": false, "comment": "请写明企业名称"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        post(&sup, &review(report_id), json!({"approve": true}))
            .await
            .status(),
        StatusCode::CONFLICT,
        "already decided"
    );
    let r = post(
        &clerk,
        &t("/reports"),
        json!({"progress": "已对接A公司、B公司等8家企业", "percent": 35}),
    )
    .await;
    let report_id = json(r).await["id"].as_i64().expect("report id");
    assert_eq!(
        post(&sup, &review(report_id), json!({"approve": true}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let d = json(sup.get(&t("")).await).await;
    let mine: Vec<&Value> = d["reports"]
        .as_array()
        .map(|a| a.iter().filter(|r| r["unit_id"] == fx.unit_a.id).collect())
        .unwrap_or_default();
    assert_eq!(mine[0]["status"], "approved");
    assert_eq!(d["task"]["status"], "in_progress");
    let file = &d["attachments"][0];
    assert_eq!(file["filename"], "现场照片.png", "the path is dropped");
    // The file downloads for those who see the task, as an attachment.
    let url = format!("/tasks/{id}/files/{}", file["id"]);
    let r = helper.get(&url).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/octet-stream"),
        "never served as what its name says"
    );
    assert!(
        r.headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment"))
    );
    assert_eq!(
        r.bytes().await.expect("bytes").as_ref(),
        b"\x89PNG fake photo"
    );

    // 催办 by the supervisor, 批示 by the leader; not the other way round.
    let note = |kind: &str| json!({"kind": kind, "text": "请加快进度"});
    assert_eq!(
        post(&clerk, &t("/notes"), note("remind")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&sup, &t("/notes"), note("remind")).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        post(&leader, &t("/notes"), note("instruct")).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        post(&leader, &t("/notes"), note("remind")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        code(&json(post(&sup, &t("/notes"), note("praise")).await).await),
        "choice"
    );

    // 书面说明: asked by the supervisor, written by the lead unit only, one open at a time.
    assert_eq!(
        post(&clerk, &t("/explanations"), json!({"reason": "进度滞后"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = post(&sup, &t("/explanations"), json!({"reason": "进度滞后"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let eid = json(r).await["id"].as_i64().expect("explanation id");
    let r = post(&sup, &t("/explanations"), json!({"reason": "再问一次"})).await;
    assert_eq!(code(&json(r).await), "explanation_open");
    let explain = t(&format!("/explanations/{eid}"));
    assert_eq!(
        post(&helper, &explain, json!({"text": "配合单位的说明"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&clerk, &explain, json!({"text": "企业考察推迟到下月"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let r = post(
        &sup,
        &format!("{explain}/review"),
        json!({"approve": false, "comment": "请说明补救措施"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        post(
            &clerk,
            &explain,
            json!({"text": "已安排下周二考察，并增加线上洽谈"})
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        post(&sup, &format!("{explain}/review"), json!({"approve": true}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let ex = json(sup.get(&t("/explanations")).await).await;
    assert_eq!(ex[0]["status"], "accepted");

    // 调整/延期: asked with a reason, one at a time, decided by the supervisor.
    let r = post(
        &clerk,
        &t("/deadline-changes"),
        json!({"deadline": "2019-01-01", "reason": "x"}),
    )
    .await;
    assert_eq!(code(&json(r).await), "date_past");
    let r = post(
        &clerk,
        &t("/deadline-changes"),
        json!({"deadline": "+262142-12-31", "reason": "x"}),
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a date no one means"
    );
    let r = post(
        &clerk,
        &t("/deadline-changes"),
        json!({"deadline": "2099-06-30", "reason": "等待省级批复"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let cid = json(r).await["id"].as_i64().expect("change id");
    let r = post(
        &clerk,
        &t("/deadline-changes"),
        json!({"deadline": "2099-07-31", "reason": "再延"}),
    )
    .await;
    assert_eq!(code(&json(r).await), "deadline_pending");
    let decide = t(&format!("/deadline-changes/{cid}/decision"));
    assert_eq!(
        post(&clerk, &decide, json!({"approve": true}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&sup, &decide, json!({"approve": true, "comment": "同意"}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let d = json(sup.get(&t("")).await).await;
    assert_eq!(d["task"]["deadline"], "2099-06-30");
    assert_eq!(d["deadline_changes"][0]["status"], "approved");
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    for k in [
        "report_returned",
        "report_approved",
        "remind",
        "instruct",
        "ask_explanation",
        "explain",
        "explanation_returned",
        "explanation_accepted",
        "request_deadline",
        "deadline_approved",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
}

#[tokio::test]
async fn lists_filter_by_light_status_text_and_as_of() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let sup = Api::for_user(&app, &sup).await;
    filed(&app, &sup).await;
    let total = |q: &str| {
        let sup = &sup;
        let q = q.to_string();
        async move { json(sup.get(&format!("/api/v1/tasks{q}")).await).await["total"].clone() }
    };
    assert_eq!(total("").await, 1);
    assert_eq!(total("?q=jzzs").await, 1, "pinyin initials");
    assert_eq!(total("?q=jingzhun").await, 1, "full pinyin");
    assert_eq!(total("?q=zzzz").await, 0);
    assert_eq!(
        total("?status=assigned&light=green&cadence=monthly").await,
        1
    );
    assert_eq!(total("?light=red").await, 0);
    assert_eq!(total("?as_of=2019-12-31").await, 0, "it did not exist then");
    assert_eq!(total("?sort=light&open=1").await, 1);
    let r = sup
        .get("/api/v1/tasks?light=blue&as_of=31/12/2019&sort=x")
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
    assert_eq!(fields, vec!["light", "sort", "as_of"]);
    let by_unit = json(sup.get("/api/v1/tasks/lights-by-unit").await).await;
    assert_eq!(by_unit[0]["unit_id"], fx.unit_a.id);
    assert_eq!(by_unit[0]["green"], 1);
}
