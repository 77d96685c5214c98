//! The JSON API: OpenAPI document, problem documents, paging, tokens, session use.

use reqwest::{Method, StatusCode};
use serde_json::json;
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let r = reqwest::get(app.url("/api/openapi.json"))
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let doc = json(r).await;
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1"));
    for path in [
        "/api/v1/regions",
        "/api/v1/units/{id}",
        "/api/v1/people",
        "/api/v1/users",
        "/api/v1/users/{id}/grants",
        "/api/v1/audit",
        "/api/v1/account/tokens",
    ] {
        assert!(doc["paths"][path].is_object(), "missing {path}");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn errors_are_problem_documents_with_chinese_titles() {
    let app = spawn_app().await;
    let r = reqwest::get(app.url("/api/v1/units")).await.expect("get");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p = json(r).await;
    assert_eq!(
        (p["status"].as_u64(), p["title"].as_str()),
        (Some(401), Some("请先登录。"))
    );

    let u = app
        .user("sys", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    let api = Api::for_user(&app, &u).await;
    let r = api.get("/api/v1/units/999999").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(r).await["code"], "not_found");

    let r = api
        .send(
            Method::POST,
            "/api/v1/units",
            json!({"region_id": app.fx.county_a.id, "code": "bad code", "name": "", "kind": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = json(r).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, vec!["code", "name", "kind"]);
    assert_eq!(p["errors"][1]["message"], "必填。");

    let r = api
        .send(Method::POST, "/api/v1/units", json!({"region_id": "one"}))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY
            .min(r.status())
            .max(StatusCode::BAD_REQUEST)
    );
    assert!(
        json(r).await["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "a malformed body says why"
    );

    let unit = &app.fx.unit_a;
    let r = api
        .send(
            Method::PATCH,
            &format!("/api/v1/units/{}", unit.id),
            json!({"version": 1, "name": "甲"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = api
        .send(
            Method::PATCH,
            &format!("/api/v1/units/{}", unit.id),
            json!({"version": 1, "name": "乙"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(
        json(r).await["title"],
        "该记录已被他人修改，请刷新后重新编辑。"
    );
}

#[tokio::test]
async fn lists_are_paged_and_filtered() {
    let app = spawn_app().await;
    let u = app
        .user("viewer", Role::Viewer, At::Region(&app.fx.city))
        .await;
    let api = Api::for_user(&app, &u).await;
    let p = json(api.get("/api/v1/units?per_page=2&page=1").await).await;
    assert_eq!(
        (
            p["total"].as_i64(),
            p["items"].as_array().map(Vec::len),
            p["per_page"].as_u64()
        ),
        (Some(3), Some(2), Some(2))
    );
    let p = json(api.get("/api/v1/units?per_page=2&page=2").await).await;
    assert_eq!(p["items"].as_array().map(Vec::len), Some(1));
    let p = json(
        api.get(&format!("/api/v1/units?region_id={}", app.fx.county_b.id))
            .await,
    )
    .await;
    assert_eq!(p["items"][0]["code"], "ht-fgj");
    let p = json(api.get("/api/v1/people?q=%E6%9D%8E").await).await;
    assert_eq!(
        (p["total"].as_i64(), p["items"][0]["name"].as_str()),
        (Some(1), Some("李娜"))
    );
    let p = json(api.get("/api/v1/regions?level=town").await).await;
    assert_eq!(p["items"][0]["code"], "370322101");
}

#[tokio::test]
async fn tokens_are_made_on_the_account_and_stop_working_when_revoked() {
    let app = spawn_app().await;
    app.user("li", Role::Viewer, At::Region(&app.fx.county_a))
        .await;
    let b = app.login("li").await;
    // Through the session, the API needs the CSRF header for writes.
    let r = b
        .client
        .post(b.url("/api/v1/account/tokens"))
        .json(&json!({"name": "报表脚本"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let csrf = b.csrf().await;
    let r = b
        .client
        .post(b.url("/api/v1/account/tokens"))
        .header("X-CSRF-Token", csrf)
        .json(&json!({"name": "报表脚本"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CREATED);
    let created = json(r).await;
    let token = created["token"].as_str().expect("token").to_string();
    let id = created["record"]["id"].as_i64().expect("id");
    let client = zhaoyin::http_client().build().expect("client");
    let me = client
        .get(app.url("/api/v1/account"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(json(me).await["user"]["username"], "li");
    // The token is stored only as a hash.
    let (n,): (i64,) = app
        .db
        .one(
            zhaoyin_db::Sql::new("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1")
                .bind(token.clone()),
        )
        .await
        .expect("count");
    assert_eq!(n, 0);
    let r = b.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let me = client
        .get(app.url("/api/v1/account"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}
