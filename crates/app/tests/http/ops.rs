//! Health, metrics, request ids, and two instances serving one database.

use reqwest::StatusCode;
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

#[tokio::test]
async fn health_and_metrics() {
    let app = spawn_app().await;
    let r = reqwest::get(app.url("/healthz")).await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("x-request-id"));
    let _ = reqwest::get(app.url("/login")).await.expect("get");
    let text = reqwest::get(app.url("/metrics"))
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        text.contains("http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("db_pool_connections"));
}

#[tokio::test]
async fn health_reports_a_lost_database() {
    let app = spawn_app().await;
    app.db.close().await;
    let r = reqwest::get(app.url("/healthz")).await.expect("get");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn two_instances_share_sessions() {
    let app = spawn_app().await;
    app.user("shared", Role::Viewer, At::Region(&app.fx.county_a))
        .await;
    let (second, _running) = start(app.db.clone(), zhaoyin_web::WebConfig::default()).await;
    // Sign in on instance one and carry the cookie to instance two (as a load balancer would).
    let r = Browser::new(&app.base).login("shared", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zy_session="))
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_string();
    let r = zhaoyin::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{second}/"))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("body").contains("shared，您好"));
}
