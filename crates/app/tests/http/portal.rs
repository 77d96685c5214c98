//! The public policy portal over HTTP on the demo county (both databases): nothing is public
//! until the supervisor publishes; a published policy shows its measures and the tasks made
//! public, each with its latest approved report and never a report not yet approved; a task
//! taken back disappears, a policy taken back is not found; a clerk publishes nothing.

use reqwest::{Method, StatusCode};
use serde_json::json;
use zhaoyin_db::Sql;

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;

#[tokio::test]
async fn a_published_policy_shows_the_approved_progress_of_its_public_tasks() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let clerk = api_for(&base, &db, &demo_user(&db, "clerk").await).await;
    let public = Browser::new(&base);

    let (policy,): (i64,) = db
        .one(Sql::new(
            "SELECT policy_id FROM tasks WHERE policy_id IS NOT NULL ORDER BY id LIMIT 1",
        ))
        .await
        .expect("a policy with tasks");
    let url = format!("/api/v1/public/policies/{policy}");
    assert_eq!(public.get(&url).await.status(), StatusCode::NOT_FOUND);
    let list: serde_json::Value = public
        .get("/api/v1/public/policies")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list, json!([]));

    // Only who writes the policy's region publishes.
    let publish = json!({"public": true, "tasks": true});
    let path = format!("/api/v1/policies/{policy}/public");
    assert!(
        clerk
            .send(Method::PUT, &path, publish.clone())
            .await
            .status()
            .is_client_error()
    );
    assert_eq!(public.get(&url).await.status(), StatusCode::NOT_FOUND);
    let r = sup.send(Method::PUT, &path, publish).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // A report not approved yet is never shown; the latest approved one is.
    let (task, text): (i64, String) = db
        .one(
            Sql::new(
                "SELECT t.id, r.progress FROM task_reports r JOIN tasks t ON t.id = r.task_id \
                 WHERE t.policy_id = $1 AND r.status = 'approved' \
                 ORDER BY r.period_end DESC, r.id DESC LIMIT 1",
            )
            .bind(policy),
        )
        .await
        .expect("an approved report");
    let inserted = db
        .execute(
            Sql::new(
                "INSERT INTO task_reports (task_id, unit_id, period_start, period_end, progress, \
                 status, submitted_at) SELECT $1, tu.unit_id, $2, $3, '尚未审核的进展：不应公开', \
                 'submitted', $4 FROM task_units tu WHERE tu.task_id = $1 AND tu.role = 'lead' \
                 LIMIT 1",
            )
            .bind(task)
            .bind(today())
            .bind(today() + chrono::Duration::days(3650))
            .bind(chrono::Utc::now()),
        )
        .await
        .expect("a report waiting for review");
    assert_eq!(inserted, 1);
    let v: serde_json::Value = public.get(&url).await.json().await.expect("json");
    let tasks: Vec<serde_json::Value> = v["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .flat_map(|m| m["tasks"].as_array().cloned().unwrap_or_default())
        .chain(v["other"].as_array().cloned().unwrap_or_default())
        .collect();
    let shown = tasks
        .iter()
        .find(|t| t["task"]["id"] == task)
        .expect("the task is public");
    assert_eq!(shown["progress"], text.as_str());
    assert!(!v.to_string().contains("不应公开"));
    let (all,): (i64,) = db
        .one(Sql::new("SELECT COUNT(*) FROM tasks WHERE policy_id = $1").bind(policy))
        .await
        .expect("count");
    assert_eq!(i64::try_from(tasks.len()).expect("n"), all);
    let (status, page) = public.text(&format!("/public/policies/{policy}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&text) && !page.contains("不应公开"));
    let (status, page) = public.text("/public").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("/public/policies/{policy}")));

    // A task taken back disappears; the policy taken back is not found.
    let r = sup
        .send(
            Method::PUT,
            &format!("/api/v1/tasks/{task}/public"),
            json!({"public": false}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let v: serde_json::Value = public.get(&url).await.json().await.expect("json");
    let still = v["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .flat_map(|m| m["tasks"].as_array().cloned().unwrap_or_default())
        .any(|t| t["task"]["id"] == task);
    assert!(!still, "{v}");
    let r = sup.send(Method::PUT, &path, json!({"public": false})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(public.get(&url).await.status(), StatusCode::NOT_FOUND);
    let (n,): (i64,) = db
        .one(Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'publish'",
        ))
        .await
        .expect("audit");
    assert_eq!(n, 3);
}
