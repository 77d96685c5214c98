//! Deliveries over HTTP on the demo county (both databases), against a real SMTP server
//! (aiosmtpd) and a webhook receiver that checks the bots' signatures with Python's hmac: a
//! reminder reaches the clerk's mailbox and the unit's DingTalk, Feishu, WeCom and generic bots,
//! each once, with the delivery id in every message; a receiver that fails is tried again after
//! its wait and the state is shown; a daily digest holds the notices until its time and sends
//! them as one message; a bot turned off gets nothing more; bad settings are refused by field.

use chrono::TimeZone;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin::deliver::{Sender, deliver_tick};
use zhaoyin_core::notify::{Smtp, SmtpSecurity};
use zhaoyin_db::{Db, Sql};
use zhaoyin_web::WebConfig;

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;
use crate::sinks::Sink;

const SECRET: &str = "SECtest-secret-of-the-unit-bot";

fn config(smtp_port: u16) -> WebConfig {
    WebConfig {
        public_url: Some("http://zhaoyin.gq.local".into()),
        outbound: zhaoyin_core::notify::Outbound {
            smtp: Some(Smtp {
                host: "127.0.0.1".into(),
                port: smtp_port,
                security: SmtpSecurity::None,
                from: "招引平台 <zhaoyin@gq.example.gov.cn>".into(),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn deliveries(db: &Db) -> Vec<(i64, String, String, String, i64)> {
    db.all(Sql::new(
        "SELECT id, target, channel, state, attempts FROM deliveries ORDER BY id",
    ))
    .await
    .expect("deliveries")
}

/// A task the clerk's unit leads.
async fn clerk_task(db: &Db, unit_id: i64) -> i64 {
    let (id,): (i64,) = db
        .one(
            Sql::new(
                "SELECT t.id FROM tasks t JOIN task_units tu ON tu.task_id = t.id \
                 WHERE tu.unit_id = $1 AND tu.role = 'lead' AND t.status <> 'closed' \
                 ORDER BY t.id LIMIT 1",
            )
            .bind(unit_id),
        )
        .await
        .expect("a task the clerk's unit leads");
    id
}

async fn remind(sup: &Api, task: i64, text: &str) {
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/tasks/{task}/notes"),
            json!({"kind": "remind", "text": text}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn add_bot(admin: &Api, unit_id: i64, channel: &str, url: String) -> Value {
    let r = admin
        .send(
            Method::POST,
            "/api/v1/bots",
            json!({"unit_id": unit_id, "name": format!("{channel} 群"), "channel": channel,
                   "url": url, "secret": SECRET}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    json(r).await
}

async fn generic_id_of(db: &Db, bot: i64) -> String {
    let (id,): (i64,) = db
        .one(Sql::new("SELECT id FROM deliveries WHERE bot_id = $1").bind(bot))
        .await
        .expect("the bot's delivery");
    id.to_string()
}

#[tokio::test]
async fn a_reminder_reaches_the_mailbox_and_the_unit_bots_once_each() {
    let Some(smtp) = Sink::smtp().await else {
        return;
    };
    let hooks = Sink::webhook(SECRET, &["--fail-first", "1"]).await;
    let (base, db, _t, _running) = demo_app().await;
    let cfg = config(smtp.port);
    let sender = Sender::new(&cfg, "test").expect("sender");
    let clerk_user = demo_user(&db, "clerk").await;
    let clerk = api_for(&base, &db, &clerk_user).await;
    let sup = api_for(&base, &db, &demo_user(&db, "supervisor").await).await;
    let admin = api_for(&base, &db, &demo_user(&db, "admin").await).await;
    // What the demo did is told first; nobody has asked for more than the inbox yet.
    zhaoyin::notices_tick(&db, &cfg, "first")
        .await
        .expect("tick");
    assert!(deliveries(&db).await.is_empty());

    // Bad settings are refused field by field and change nothing.
    let r = clerk
        .send(
            Method::PUT,
            "/api/v1/account/notice-settings",
            json!({"email": "not an address", "kinds": ["everything"], "quiet_from": "22:00",
                   "digest_at": "8点"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text().await.expect("body");
    for field in ["email", "kinds", "quiet_until", "digest_at"] {
        assert!(text.contains(&format!("\"{field}\"")), "{field}: {text}");
    }
    let v = json(clerk.get("/api/v1/account/notice-settings").await).await;
    assert_eq!(v["settings"]["email"], Value::Null);
    let r = clerk
        .send(
            Method::PUT,
            "/api/v1/account/notice-settings",
            json!({"email": "clerk@gq.example.gov.cn", "kinds": ["task_reminded", "task_instructed"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The unit's bots: kept by the system administrator, not by the clerk.
    let unit = clerk_user.unit_id;
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/bots",
            json!({"unit_id": unit, "name": "x", "channel": "wecom", "url": hooks.url("/wecom")}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = admin
        .send(
            Method::POST,
            "/api/v1/bots",
            json!({"unit_id": unit, "name": "", "channel": "email", "url": "ftp://x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ding = add_bot(
        &admin,
        unit,
        "dingtalk",
        hooks.url("/dingtalk?access_token=t"),
    )
    .await;
    assert_eq!(
        (ding["signed"].clone(), ding.get("secret")),
        (json!(true), None)
    );
    add_bot(&admin, unit, "feishu", hooks.url("/feishu")).await;
    add_bot(&admin, unit, "wecom", hooks.url("/wecom")).await;
    let generic = add_bot(&admin, unit, "generic", hooks.url("/generic-fail")).await;
    let bots = json(admin.get("/api/v1/bots").await).await;
    assert_eq!(bots.as_array().expect("bots").len(), 4);

    let task = clerk_task(&db, unit).await;
    remind(&sup, task, "请本周五前报送进展").await;
    // Nothing leaves inside the request: the notice job plans, the delivery job sends.
    assert!(deliveries(&db).await.is_empty());
    let cfg2 = cfg.clone();
    let (a, b) = tokio::join!(
        zhaoyin::notices_tick(&db, &cfg, "a"),
        zhaoyin::notices_tick(&db, &cfg2, "b")
    );
    a.expect("tick a");
    b.expect("tick b");
    zhaoyin::notices_tick(&db, &cfg, "again")
        .await
        .expect("tick");
    let planned = deliveries(&db).await;
    let targets: Vec<&str> = planned.iter().map(|d| d.1.as_str()).collect();
    assert_eq!(
        planned.len(),
        5,
        "one email and one post per bot: {planned:?}"
    );
    assert!(targets.contains(&format!("user:{}", clerk_user.id).as_str()));

    // One run: the email and three bots go; the generic receiver fails once.
    let tally = deliver_tick(&db, &sender, 5).await.expect("deliver");
    assert_eq!((tally.sent, tally.retried, tally.failed), (4, 1, 0));
    let mails = smtp.records();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    let email_id = planned.iter().find(|d| d.2 == "email").expect("email").0;
    assert_eq!(mail["rcpt_tos"], json!(["clerk@gq.example.gov.cn"]));
    assert!(
        mail["subject"]
            .as_str()
            .expect("subject")
            .starts_with("【催办】"),
        "{mail}"
    );
    let body = mail["text"].as_str().expect("text");
    assert!(body.contains("请本周五前报送进展"), "{body}");
    assert!(
        body.contains(&format!("http://zhaoyin.gq.local/tasks/{task}")),
        "{body}"
    );
    assert_eq!(
        mail["message_id"],
        format!("<zhaoyin.delivery.{email_id}@gq.example.gov.cn>")
    );
    let posts = hooks.records();
    assert_eq!(posts.len(), 3, "{posts:?}");
    let post = |path: &str| {
        posts
            .iter()
            .find(|p| p["path"] == path)
            .unwrap_or_else(|| panic!("a post to {path}: {posts:?}"))
            .clone()
    };
    let d = post("/dingtalk");
    assert_eq!(d["sign_ok"], true, "DingTalk's signature verifies: {d}");
    assert_eq!(d["body"]["msgtype"], "markdown");
    assert!(
        d["body"]["markdown"]["text"]
            .as_str()
            .expect("text")
            .contains("请本周五前报送进展")
    );
    let f = post("/feishu");
    assert_eq!(f["sign_ok"], true, "Feishu's signature verifies: {f}");
    assert!(
        f["body"]["content"]["text"]
            .as_str()
            .expect("text")
            .starts_with("【催办】")
    );
    let w = post("/wecom");
    assert_eq!(w["body"]["msgtype"], "markdown");
    for p in [&d, &f, &w] {
        let id: i64 = p["delivery"].as_str().expect("header").parse().expect("id");
        assert!(planned.iter().any(|x| x.0 == id && x.1.starts_with("bot:")));
    }

    // The failure is shown with its state and waits; the clerk may not read the log.
    assert_eq!(
        clerk.get("/api/v1/deliveries").await.status(),
        StatusCode::FORBIDDEN
    );
    let log = json(admin.get("/api/v1/deliveries?state=pending").await).await;
    assert_eq!(
        (log["pending"].clone(), log["sent"].clone()),
        (json!(1), json!(4))
    );
    let waiting = &log["items"][0];
    assert_eq!(waiting["attempts"], 1);
    assert!(
        waiting["last_error"]
            .as_str()
            .expect("error")
            .contains("HTTP 500")
    );
    assert_eq!(
        deliver_tick(&db, &sender, 5).await.expect("deliver").sent,
        0
    );
    // Its wait over, it goes, with its id in the body and the header.
    db.execute(
        Sql::new("UPDATE deliveries SET due_at = $1 WHERE state = 'pending'")
            .bind(chrono::Utc::now() - chrono::Duration::seconds(1)),
    )
    .await
    .expect("due now");
    assert_eq!(
        deliver_tick(&db, &sender, 5).await.expect("deliver").sent,
        1
    );
    let g = hooks.records().pop().expect("the generic post");
    let gid = g["delivery"].as_str().expect("header").to_string();
    assert_eq!(g["body"]["ids"], json!([gid.parse::<i64>().expect("id")]));
    assert_eq!(g["body"]["kind"], "task_reminded");
    assert_eq!(
        gid,
        generic_id_of(&db, generic["id"].as_i64().expect("bot id")).await
    );

    // Each once: more runs and more notice ticks send nothing again.
    zhaoyin::notices_tick(&db, &cfg, "later")
        .await
        .expect("tick");
    assert_eq!(
        deliver_tick(&db, &sender, 5).await.expect("deliver").sent,
        0
    );
    assert_eq!(smtp.records().len(), 1);
    assert_eq!(hooks.records().len(), 4);
    assert!(deliveries(&db).await.iter().all(|d| d.3 == "sent"));
    // The clerk sees their own delivery and its state.
    let mine = json(clerk.get("/api/v1/account/notice-settings").await).await;
    assert_eq!(mine["recent"][0]["state"], "sent");
    assert_eq!(mine["recent"].as_array().expect("recent").len(), 1);
}

#[tokio::test]
async fn a_digest_waits_for_its_time_and_a_bot_turned_off_gets_nothing() {
    let Some(smtp) = Sink::smtp().await else {
        return;
    };
    let hooks = Sink::webhook(SECRET, &[]).await;
    let (base, db, _t, _running) = demo_app().await;
    let cfg = config(smtp.port);
    let sender = Sender::new(&cfg, "test").expect("sender");
    let clerk_user = demo_user(&db, "clerk").await;
    let sup = api_for(&base, &db, &demo_user(&db, "supervisor").await).await;
    zhaoyin::notices_tick(&db, &cfg, "first")
        .await
        .expect("tick");

    // The clerk asks for one digest a day at 07:00, through the page.
    let clerk = Browser::new(&base);
    clerk.login("clerk", zhaoyin::demo::PASSWORD).await;
    let (status, html) = clerk.text("/account/notices").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"digest_at\""), "{html}");
    let r = clerk
        .post(
            "/account/notices",
            &[
                ("email", "clerk@gq.example.gov.cn"),
                ("quiet_from", "22:00"),
                ("quiet_until", "22:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .expect("page")
            .contains("免打扰的开始和结束时间")
    );
    let r = clerk
        .post(
            "/account/notices",
            &[
                ("email", "clerk@gq.example.gov.cn"),
                ("kinds", "task_reminded"),
                ("digest_at", "07:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The unit's DingTalk bot, added on the administrators' page.
    let admin = Browser::new(&base);
    admin.login("admin", zhaoyin::demo::PASSWORD).await;
    let unit = clerk_user.unit_id.to_string();
    let url = hooks.url("/dingtalk?access_token=t");
    let mut form = vec![
        ("unit_id", unit.as_str()),
        ("name", "发改局工作群"),
        ("channel", "dingtalk"),
        ("url", "dingtalk.example"),
        ("secret", SECRET),
        ("active", "true"),
    ];
    let r = admin.post("/admin/bots", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .expect("page")
            .contains("http:// 或 https://")
    );
    form[3].1 = url.as_str();
    let r = admin.post("/admin/bots", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let bot_id: i64 = to
        .trim_start_matches("/admin/bots/")
        .split('?')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("bot id");
    let (_, html) = admin.text(&format!("/admin/bots/{bot_id}")).await;
    assert!(
        html.contains("已保存密钥") && !html.contains(SECRET),
        "the secret is never shown"
    );

    let task = clerk_task(&db, clerk_user.unit_id).await;
    remind(&sup, task, "第一次催办").await;
    remind(&sup, task, "第二次催办").await;
    zhaoyin::notices_tick(&db, &cfg, "tick")
        .await
        .expect("tick");
    // The emails wait for the next 07:00 in Beijing; the bot's posts go at once.
    let held: Vec<(chrono::DateTime<chrono::Utc>, bool)> = db
        .all(Sql::new(
            "SELECT due_at, digest FROM deliveries WHERE channel = 'email' ORDER BY id",
        ))
        .await
        .expect("held");
    assert_eq!(held.len(), 2);
    let tz = chrono_tz::Asia::Shanghai;
    let local_now = chrono::Utc::now().with_timezone(&tz);
    let seven = local_now.date_naive().and_hms_opt(7, 0, 0).expect("07:00");
    let next_seven = if local_now.naive_local() <= seven {
        seven
    } else {
        seven + chrono::Duration::days(1)
    };
    let expected = tz.from_local_datetime(&next_seven).single().expect("time");
    for (due, digest) in &held {
        assert!(*digest);
        assert_eq!(due.timestamp(), expected.timestamp());
    }
    let tally = deliver_tick(&db, &sender, 5).await.expect("deliver");
    assert_eq!(tally.sent, 2, "the two posts, not the held emails");
    assert!(smtp.records().is_empty());
    assert!(hooks.records().iter().all(|p| p["sign_ok"] == true));

    // At its time the digest goes as one email carrying both deliveries.
    db.execute(
        Sql::new("UPDATE deliveries SET due_at = $1 WHERE state = 'pending'")
            .bind(chrono::Utc::now() - chrono::Duration::seconds(1)),
    )
    .await
    .expect("due now");
    let tally = deliver_tick(&db, &sender, 5).await.expect("deliver");
    assert_eq!(tally.sent, 2);
    let mails = smtp.records();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0]["subject"]
            .as_str()
            .expect("subject")
            .contains("每日汇总")
    );
    let text = mails[0]["text"].as_str().expect("text");
    assert!(text.contains("共 2 条通知"), "{text}");
    assert_eq!(text.matches("【催办】").count(), 2, "{text}");

    // The bot turned off: a delivery already planned fails with nowhere to go, and no new one
    // is planned.
    remind(&sup, task, "第三次催办").await;
    zhaoyin::notices_tick(&db, &cfg, "tick2")
        .await
        .expect("tick");
    let (_, html) = admin.text(&format!("/admin/bots/{bot_id}")).await;
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("version")
        .to_string();
    // Changed without its address or secret typed again: both are kept.
    let off = [
        ("unit_id", unit.as_str()),
        ("name", "发改局工作群"),
        ("channel", "dingtalk"),
        ("url", ""),
        ("version", version.as_str()),
    ];
    let r = admin.post(&format!("/admin/bots/{bot_id}"), &off).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (kept_url, kept_secret, active): (String, Option<String>, bool) = db
        .one(Sql::new("SELECT url, secret, active FROM unit_bots WHERE id = $1").bind(bot_id))
        .await
        .expect("bot");
    assert_eq!(
        (kept_url, kept_secret.as_deref(), active),
        (url.clone(), Some(SECRET), false)
    );
    let posts_before = hooks.records().len();
    let tally = deliver_tick(&db, &sender, 5).await.expect("deliver");
    assert_eq!((tally.sent, tally.failed), (0, 1));
    remind(&sup, task, "第四次催办").await;
    zhaoyin::notices_tick(&db, &cfg, "tick3")
        .await
        .expect("tick");
    let (bot_rows,): (i64,) = db
        .one(Sql::new("SELECT COUNT(*) FROM deliveries WHERE bot_id = $1").bind(bot_id))
        .await
        .expect("count");
    assert_eq!(bot_rows, 3, "nothing planned for a bot turned off");
    assert_eq!(hooks.records().len(), posts_before);
    // The failure is on the log page, and may be sent again.
    let (status, html) = admin.text("/admin/deliveries?state=failed").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("接收方已不存在"), "{html}");
    let (failed_id,): (i64,) = db
        .one(Sql::new("SELECT id FROM deliveries WHERE state = 'failed'"))
        .await
        .expect("failed");
    let r = admin
        .post(&format!("/admin/deliveries/{failed_id}/retry"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (state,): (String,) = db
        .one(Sql::new("SELECT state FROM deliveries WHERE id = $1").bind(failed_id))
        .await
        .expect("state");
    assert_eq!(state, "pending");
}
