//! Sign-in, sessions, lockout, forced password change, CSRF, security headers.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;
use zhaoyin_db::{Sql, sessions};

use crate::helpers::*;

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn signing_in_with_the_right_password_and_not_with_a_wrong_one() {
    let app = spawn_app().await;
    app.user("wangfang", Role::Clerk, At::Unit(&app.fx.unit_a))
        .await;
    let b = Browser::new(&app.base);
    let (status, html) = b.text("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("账号登录") && html.contains("lang=\"zh-CN\""),
        "Chinese by default"
    );

    let r = b.login("wangfang", "Wrong-Pass-123").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.expect("body").contains("用户名或密码错误"));
    // Unknown usernames get the same answer.
    let r = b.login("nobody", "Wrong-Pass-123").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let r = b.login("WangFang", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "usernames are case-insensitive"
    );
    let cookie = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zy_session="))
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http on loopback");
    let (status, html) = b.text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("wangfang，您好"));
}

#[tokio::test]
async fn five_failures_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    let u = app
        .user("lisi", Role::Viewer, At::Region(&app.fx.county_a))
        .await;
    let b = Browser::new(&app.base);
    for _ in 0..5 {
        assert_eq!(
            b.login("lisi", "Wrong-Pass-123").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let r = b.login("lisi", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "locked even with the right password"
    );
    assert!(r.text().await.expect("body").contains("账号已锁定"));
    let row = zhaoyin_db::users::get(&app.db, u.id).await.expect("user");
    let until = row.locked_until.expect("locked");
    let minutes = (until - chrono::Utc::now()).num_minutes();
    assert!(
        (14..=15).contains(&minutes),
        "locked for 15 minutes, got {minutes}"
    );
    // The lock is audited.
    let (n,): (i64,) = app
        .db
        .one(
            Sql::new("SELECT COUNT(*) FROM audit_log WHERE action = 'lock' AND entity_id = $1")
                .bind(u.id.to_string()),
        )
        .await
        .expect("count");
    assert_eq!(n, 1);
    // After the lock expires, the right password works again.
    app.db
        .execute(
            Sql::new("UPDATE users SET locked_until = $1 WHERE id = $2")
                .bind(chrono::Utc::now() - chrono::Duration::minutes(1))
                .bind(u.id),
        )
        .await
        .expect("expire lock");
    assert_eq!(
        b.login("lisi", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn signing_in_again_replaces_the_session() {
    let app = spawn_app().await;
    app.user("zhao", Role::Viewer, At::Region(&app.fx.county_a))
        .await;
    let b = Browser::new(&app.base);
    let first = b.login("zhao", PASSWORD).await;
    let token_of = |r: &reqwest::Response| {
        r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("zy_session="))
            .and_then(|c| c.split(';').next())
            .map(str::to_string)
            .expect("session cookie")
    };
    let t1 = token_of(&first);
    // The same browser signs in again (e.g. after a page reload): a new id, the old one is dead.
    let r = b
        .client
        .post(b.url("/login"))
        .form(&[
            ("username", "zhao"),
            ("password", PASSWORD),
            ("_csrf", &b.csrf().await),
        ])
        .send()
        .await
        .expect("post");
    let t2 = token_of(&r);
    assert_ne!(t1, t2);
    let l = sessions::Lifetimes {
        idle: chrono::Duration::minutes(30),
        absolute: chrono::Duration::hours(12),
    };
    assert!(
        sessions::lookup(&app.db, &t1, l)
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        sessions::lookup(&app.db, &t2, l)
            .await
            .expect("lookup")
            .is_some()
    );
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_the_session() {
    let app = spawn_app().await;
    app.user("qian", Role::Viewer, At::Region(&app.fx.county_a))
        .await;
    let b = app.login("qian").await;
    assert_eq!(b.get("/").await.status(), StatusCode::OK);
    app.db
        .execute(
            Sql::new("UPDATE sessions SET last_seen_at = $1")
                .bind(chrono::Utc::now() - chrono::Duration::minutes(31)),
        )
        .await
        .expect("age");
    let r = b.get("/org/units").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Forg%2Funits&expired=1");
    let (_, html) = b.text(&location(&r)).await;
    assert!(html.contains("登录已超时"));

    let b = app.login("qian").await;
    app.db
        .execute(
            Sql::new("UPDATE sessions SET created_at = $1")
                .bind(chrono::Utc::now() - chrono::Duration::hours(13)),
        )
        .await
        .expect("age");
    assert_eq!(
        b.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "absolute timeout"
    );
}

#[tokio::test]
async fn a_new_account_must_change_its_password_first() {
    let app = spawn_app().await;
    let u = app.user("sun", Role::Clerk, At::Unit(&app.fx.unit_a)).await;
    app.db
        .execute(
            Sql::new("UPDATE users SET must_change_password = $1 WHERE id = $2")
                .bind(true)
                .bind(u.id),
        )
        .await
        .expect("flag");
    let b = app.login("sun").await;
    let r = b.get("/org/units").await;
    assert_eq!(
        (r.status(), location(&r)),
        (StatusCode::SEE_OTHER, "/account/password".to_string())
    );
    // A weak new password is refused with the rule that it breaks.
    let r = b
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "abcdefghijk"),
                ("password_confirm", "abcdefghijk"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("至少三类"));
    let r = b
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Gaoqing#2026x"),
                ("password_confirm", "Gaoqing#2026x"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get("/org/units").await.status(), StatusCode::OK);
    // The old password no longer works; the new one does.
    assert_eq!(
        Browser::new(&app.base)
            .login("sun", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        Browser::new(&app.base)
            .login("sun", "Gaoqing#2026x")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn logout_everywhere_ends_every_session() {
    let app = spawn_app().await;
    app.user("zhou", Role::Viewer, At::Region(&app.fx.county_a))
        .await;
    let office = app.login("zhou").await;
    let laptop = app.login("zhou").await;
    assert_eq!(laptop.get("/").await.status(), StatusCode::OK);
    let r = office.post("/logout/all", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(laptop.get("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(office.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn state_changes_need_the_csrf_token_and_our_origin() {
    let app = spawn_app().await;
    app.user("admin-a", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    let b = app.login("admin-a").await;
    let count = || async {
        let (n,): (i64,) = app
            .db
            .one(Sql::new("SELECT COUNT(*) FROM units"))
            .await
            .expect("count");
        n
    };
    let before = count().await;
    let region = app.fx.county_a.id.to_string();
    let form = [
        ("code", "gq-new"),
        ("name", "新单位"),
        ("kind", "office"),
        ("region_id", region.as_str()),
    ];
    // No token.
    let r = b
        .client
        .post(b.url("/org/units"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("页面已过期或请求来源不正确")
    );
    // A wrong token.
    let mut bad = form.to_vec();
    bad.push(("_csrf", "0000"));
    let r = b
        .client
        .post(b.url("/org/units"))
        .form(&bad)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The right token from a foreign page.
    let token = b.csrf().await;
    let mut good = form.to_vec();
    good.push(("_csrf", &token));
    let r = b
        .client
        .post(b.url("/org/units"))
        .header("Origin", "http://evil.example")
        .form(&good)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(count().await, before, "nothing changed");
    // Same origin, right token: accepted.
    let r = b
        .client
        .post(b.url("/org/units"))
        .header("Origin", app.base.clone())
        .form(&good)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(count().await, before + 1);
    // htmx sends the token as a header.
    let r = b
        .client
        .post(b.url("/org/units"))
        .header("X-CSRF-Token", token.clone())
        .form(&[
            ("code", "gq-new2"),
            ("name", "新单位二"),
            ("kind", "office"),
            ("region_id", region.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_sign_in_form_itself_is_protected() {
    let app = spawn_app().await;
    app.user("wu", Role::Viewer, At::Region(&app.fx.county_a))
        .await;
    let b = Browser::new(&app.base);
    let r = b
        .client
        .post(b.url("/login"))
        .form(&[("username", "wu"), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "login CSRF");
}

#[tokio::test]
async fn pages_carry_a_strict_policy_and_load_nothing_from_elsewhere() {
    let app = spawn_app().await;
    app.user("zheng", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    let b = app.login("zheng").await;
    for path in [
        "/",
        "/login?x=1",
        "/org/regions",
        "/org/units",
        "/org/people",
        "/org/import",
        "/admin/users",
        "/account",
        "/api/docs",
        "/nope",
    ] {
        let r = b.get(path).await;
        let csp = r
            .headers()
            .get(CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            csp.contains("script-src 'self';") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(
            r.headers().get("x-frame-options").map(|v| v.as_bytes()),
            Some(&b"DENY"[..])
        );
        assert_eq!(
            r.headers()
                .get("x-content-type-options")
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
        let html = r.text().await.expect("body");
        for bad in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "<script>",
            " onclick=",
            " style=\"",
        ] {
            assert!(!html.contains(bad), "{path} contains {bad}");
        }
    }
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let app = spawn_app_with(zhaoyin_web::WebConfig {
        public_url: Some("https://zhaoyin.example.gov.cn".into()),
        ..Default::default()
    })
    .await;
    let r = Browser::new(&app.base).get("/login").await;
    let cookie = r
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(r.headers().get("strict-transport-security").is_some());
}

#[tokio::test]
async fn the_interface_switches_to_english() {
    let app = spawn_app().await;
    let b = Browser::new(&app.base);
    let r = b.get("/lang/en?next=/login").await;
    assert_eq!(
        (r.status(), location(&r)),
        (StatusCode::SEE_OTHER, "/login".to_string())
    );
    let (_, html) = b.text("/login").await;
    assert!(html.contains("Sign in") && html.contains("lang=\"en\""));
    // An off-site `next` is ignored.
    let r = b.get("/lang/zh-CN?next=//evil.example").await;
    assert_eq!(location(&r), "/");
}
