//! Attacks a review found or that the rules exist to stop, each tried and refused.

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::json;
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;
use zhaoyin_db::{org, users};

use crate::helpers::*;

#[tokio::test]
async fn a_system_administrator_cannot_take_over_the_other_administrators() {
    let app = spawn_app().await;
    let sys = app
        .user("sys", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    let sec = app
        .user("sec", Role::Secadmin, At::Region(&app.fx.county_a))
        .await;
    let aud = app
        .user("aud", Role::Auditor, At::Region(&app.fx.county_a))
        .await;
    let api = Api::for_user(&app, &sys).await;
    let r = api
        .send(
            Method::POST,
            &format!("/api/v1/users/{}/password", sec.id),
            json!({"password": "Taken#Over-1"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["code"], "admin_account_cli");
    let r = api
        .send(
            Method::PATCH,
            &format!("/api/v1/users/{}", aud.id),
            json!({"version": aud.version, "active": false}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(users::get(&app.db, aud.id).await.expect("user").active);
    let b = app.login("sys").await;
    let r = b
        .post(
            &format!("/admin/users/{}/password", sec.id),
            &[("password", "Taken#Over-1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("只能在服务器上用命令行管理")
    );
    // The secadmin still signs in with their own password.
    assert_eq!(
        Browser::new(&app.base)
            .login("sec", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_unit_scoped_writer_cannot_move_its_unit_out_of_its_region() {
    let app = spawn_app().await;
    let sys = app
        .user("unit-sys", Role::Sysadmin, At::Unit(&app.fx.unit_a))
        .await;
    let api = Api::for_user(&app, &sys).await;
    // Its own unit it may edit…
    let r = api
        .send(
            Method::PATCH,
            &format!("/api/v1/units/{}", app.fx.unit_a.id),
            json!({"version": 1, "phone": "0533-6961315"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // …but not move it to the city above, where the county no longer sees it.
    let r = api
        .send(
            Method::PATCH,
            &format!("/api/v1/units/{}", app.fx.unit_a.id),
            json!({"version": 2, "region_id": app.fx.city.id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        org::get_unit(&app.db, app.fx.unit_a.id)
            .await
            .expect("unit")
            .region_id,
        app.fx.county_a.id
    );
}

#[tokio::test]
async fn redirects_stay_on_this_site() {
    let app = spawn_app().await;
    let b = Browser::new(&app.base);
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "https://evil.example",
        "/%0a/evil.example",
    ] {
        let r = b.get(&format!("/lang/zh-CN?next={next}")).await;
        assert_eq!(
            r.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
            Some("/"),
            "{next}"
        );
    }
}

#[tokio::test]
async fn tokens_follow_the_account_they_belong_to() {
    let app = spawn_app().await;
    let sys = app
        .user("sys", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    let clerk = app
        .user("clerk", Role::Clerk, At::Unit(&app.fx.unit_a))
        .await;
    let stolen = Api::for_user(&app, &clerk).await;
    assert_eq!(stolen.get("/api/v1/account").await.status(), StatusCode::OK);
    // A token cannot mint further tokens.
    let r = stolen
        .send(
            Method::POST,
            "/api/v1/account/tokens",
            json!({"name": "backdoor"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // An administrator's password reset revokes the account's tokens.
    let admin = Api::for_user(&app, &sys).await;
    let r = admin
        .send(
            Method::POST,
            &format!("/api/v1/users/{}/password", clerk.id),
            json!({"password": "Reset#Pass-12"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        stolen.get("/api/v1/account").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A token of an account that must change its password is held back too.
    let fresh = Api::for_user(&app, &users::get(&app.db, clerk.id).await.expect("user")).await;
    let r = fresh.get("/api/v1/units").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(r).await["code"], "password_change_required");
}

#[tokio::test]
async fn client_request_ids_are_replaced() {
    let app = spawn_app().await;
    let r = zhaoyin::http_client()
        .build()
        .expect("client")
        .get(app.url("/login"))
        .header("X-Request-Id", "forged\u{2028}id")
        .send()
        .await
        .expect("get");
    let id = r
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(!id.is_empty() && !id.contains("forged"), "{id}");
}

#[tokio::test]
async fn metrics_need_the_configured_token() {
    let app = spawn_app_with(zhaoyin_web::WebConfig {
        metrics_token: Some("scrape-secret".into()),
        ..Default::default()
    })
    .await;
    let client = zhaoyin::http_client().build().expect("client");
    assert_eq!(
        client
            .get(app.url("/metrics"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::FORBIDDEN
    );
    let r = client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
}
