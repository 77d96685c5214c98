//! Investor complaints over HTTP on the demo county (both databases): filed on the public form
//! without an account (a wrong sum, a used challenge, a file of the wrong type and a bot's
//! hidden field refused with nothing kept; a sixth complaint from one address in an hour
//! refused), followed by its tracking code; routed by the supervisor to a unit, which alone of
//! the clerks reads it and answers; rated once by the complainant; judged upheld; every step in
//! the audit log; and the upheld complaint deducted from its unit in an assessment run.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_db::Sql;

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;

/// The public form's challenge: its token and the right answer.
async fn challenge(b: &Browser) -> (String, String) {
    let (status, html) = b.text("/public/complaints/new").await;
    assert_eq!(status, StatusCode::OK);
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("token")
        .to_string();
    let q = html.split("防止机器提交：").nth(1).expect("question");
    let (a, rest) = q.split_once(" 加 ").expect("a");
    let b: u32 = rest.split(' ').next().expect("b").parse().expect("b");
    let a: u32 = a.trim().parse().expect("a");
    (token, (a + b).to_string())
}

fn form(county: i64, token: &str, answer: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("region_id", county.to_string())
        .text("company", "山东某某机械有限公司")
        .text("contact", "王经理")
        .text("phone", "0533-6212345")
        .text("subject", "施工许可超过承诺时限")
        .text("body", "材料齐全，已超过承诺的 5 个工作日仍未办结。")
        .text("token", token.to_string())
        .text("answer", answer.to_string())
}

async fn count(db: &zhaoyin_db::Db) -> i64 {
    let (n,): (i64,) = db
        .one(Sql::new("SELECT COUNT(*) FROM complaints"))
        .await
        .expect("count");
    n
}

#[tokio::test]
async fn a_complaint_is_filed_in_public_routed_answered_rated_judged_and_deducted() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let clerk_user = demo_user(&db, "clerk").await;
    let clerk = api_for(&base, &db, &clerk_user).await;
    let county = zhaoyin_db::org::get_unit(&db, supervisor.unit_id)
        .await
        .expect("unit")
        .region_id;
    let other_unit = office_in(&db, county, "ts-other").await;
    let other_clerk = zhaoyin_db::testing::user_with(
        &db,
        "other-clerk",
        &other_unit,
        zhaoyin_core::authz::Role::Clerk,
        zhaoyin_db::testing::At::Unit(&other_unit),
    )
    .await;
    let other = api_for(&base, &db, &other_clerk).await;
    let public = Browser::new(&base);
    let before = count(&db).await;

    // Refused, nothing kept: a wrong sum; a bot's hidden field; a file of the wrong type.
    let (token, sum) = challenge(&public).await;
    let r = multipart(&public, "/public/complaints", form(county, &token, "999")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("page").contains("验证题答案不对"));
    let r = multipart(
        &public,
        "/public/complaints",
        form(county, &token, &sum).text("website", "http://spam.example"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let exe = reqwest::multipart::Part::bytes(b"MZ".to_vec()).file_name("invoice.exe");
    let r = multipart(
        &public,
        "/public/complaints",
        form(county, &token, &sum).part("files", exe),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("page").contains("invoice.exe"));
    assert_eq!(count(&db).await, before);

    // Filed, with a file; the same challenge files nothing more.
    let pdf =
        reqwest::multipart::Part::bytes(b"%PDF-1.4 receipt".to_vec()).file_name("受理回执.pdf");
    let r = multipart(
        &public,
        "/public/complaints",
        form(county, &token, &sum).part("files", pdf),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(to.starts_with("/public/complaints/track?code="), "{to}");
    let r = multipart(&public, "/public/complaints", form(county, &token, &sum)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&db).await, before + 1);
    let (status, page) = public.text(&to).await;
    assert_eq!(status, StatusCode::OK);
    let code = page
        .split("id=\"tracking-code\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the code on the page")
        .to_string();
    assert!(page.contains("待分派"));
    // Typed in lower case, it is the same code; a code nobody has is not found.
    let (status, _) = public
        .text(&format!(
            "/public/complaints/track?code={}",
            code.to_lowercase()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = public
        .text("/public/complaints/track?code=0000-0000-0000-0000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The supervisor finds it and routes it to the clerk's unit.
    let list = json(sup.get("/api/v1/complaints?status=received").await).await;
    let item = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["subject"] == "施工许可超过承诺时限")
        .expect("listed")
        .clone();
    let id = item["id"].as_i64().expect("id");
    let url = format!("/api/v1/complaints/{id}");
    let v = json(sup.get(&url).await).await;
    assert_eq!(v["may_route"], true);
    assert_eq!(v["files"][0]["filename"], "受理回执.pdf");
    // The staff never see the tracking code: the unit could rate its own answer with it.
    assert!(!v.to_string().contains(&code.replace('-', "")), "{v}");
    // Clerks read nothing of it before it is routed.
    assert_eq!(clerk.get(&url).await.status(), StatusCode::NOT_FOUND);
    let due = (today() + chrono::Duration::days(7)).to_string();
    let route = json!({"unit_id": clerk_user.unit_id, "due_on": due, "note": "请五日内核实答复",
                       "version": item["version"]});
    // Only the supervisor routes; a stale version is refused.
    assert_eq!(
        clerk
            .send(Method::POST, &format!("{url}/route"), route.clone())
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let mut stale = route.clone();
    stale["version"] = json!(0);
    assert_eq!(
        sup.send(Method::POST, &format!("{url}/route"), stale)
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let r = sup.send(Method::POST, &format!("{url}/route"), route).await;
    assert_eq!(r.status(), StatusCode::OK);
    let routed = json(r).await;
    assert_eq!(routed["status"], "routed");

    // The notice job tells the unit's clerk (and nobody of another unit).
    zhaoyin::notices_tick(&db, &zhaoyin_web::WebConfig::default(), "test")
        .await
        .expect("notices");
    let told = |inbox: Value| {
        inbox["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|n| n["kind"] == "complaint_routed" && n["link"] == format!("/complaints/{id}"))
            .count()
    };
    assert_eq!(told(json(clerk.get("/api/v1/notices").await).await), 1);
    assert_eq!(told(json(other.get("/api/v1/notices").await).await), 0);
    // The unit's clerk reads and answers it; another unit's clerk reads nothing.
    assert_eq!(other.get(&url).await.status(), StatusCode::NOT_FOUND);
    let theirs = json(other.get("/api/v1/complaints").await).await;
    assert_eq!(theirs["total"], 0);
    let v = json(clerk.get(&url).await).await;
    assert_eq!(
        (&v["may_answer"], &v["may_route"]),
        (&json!(true), &json!(false))
    );
    let file = format!("/complaints/{id}/files/{}", v["files"][0]["id"]);
    // The file is the staff's: the clerk downloads it, the public does not.
    let r = clerk.get(&file).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.expect("file").as_ref(), b"%PDF-1.4 receipt");
    assert_ne!(public.get(&file).await.status(), StatusCode::OK);
    let answer =
        json!({"answer": "已约谈审批科，材料已于今日办结并送达。", "version": routed["version"]});
    let r = clerk
        .send(Method::POST, &format!("{url}/answer"), answer)
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The complainant reads the answer and rates it, once.
    let tracked = json(
        public
            .get(&format!("/api/v1/public/complaints/track?code={code}"))
            .await,
    )
    .await;
    assert_eq!(tracked["status"], "answered");
    assert_eq!(tracked["may_rate"], true);
    assert!(tracked.get("phone").is_none(), "{tracked}");
    let r = public
        .post(
            "/public/complaints/rate",
            &[
                ("code", &code),
                ("satisfaction", "unsatisfied"),
                ("note", "只答复未整改"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = public
        .post(
            "/public/complaints/rate",
            &[("code", &code), ("satisfaction", "satisfied")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The supervisor upholds it: closed, and nothing more may be done.
    let v = json(sup.get(&url).await).await;
    assert_eq!(v["complaint"]["satisfaction"], "unsatisfied");
    let verdict = json!({"verdict": "upheld", "reason": "经核实，超过承诺时限 3 个工作日。",
                         "version": v["complaint"]["version"]});
    let r = sup
        .send(Method::POST, &format!("{url}/verdict"), verdict)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let closed = json(r).await;
    assert_eq!(
        (&closed["status"], &closed["verdict"]),
        (&json!("closed"), &json!("upheld"))
    );
    let again = json!({"verdict": "not_upheld", "reason": "x", "version": closed["version"]});
    assert_eq!(
        sup.send(Method::POST, &format!("{url}/verdict"), again)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let actions: Vec<(String,)> = db
        .all(
            Sql::new(
                "SELECT action FROM audit_log WHERE entity = 'complaint' AND entity_id = $1 \
                 ORDER BY seq",
            )
            .bind(id.to_string()),
        )
        .await
        .expect("audit");
    let actions: Vec<&str> = actions.iter().map(|(a,)| a.as_str()).collect();
    assert_eq!(actions, ["create", "route", "answer", "rate", "judge"]);
    let shown = json(sup.get(&url).await).await;
    assert_eq!(shown["history"].as_array().map(Vec::len), Some(5));

    // An assessment of this month deducts it from the unit, and names it.
    let scheme = json!({
        "region_id": county,
        "scheme": {
            "name": "营商环境月度考核", "period": "month",
            "groups": [{"key": "departments", "name": "县直部门", "multiplier": "1", "indicators": [
                {"key": "trips", "name": "外出招商", "measure": "trips_out", "weight": "100",
                 "direction": "higher", "method": {"kind": "linear", "target": "5", "zero": "0"}}
            ]}],
            "deductions": [{"cause": "upheld_complaint", "points": "3", "cap": null}]
        },
        "members": {"departments": [clerk_user.unit_id, other_unit.id]}
    });
    let r = sup.send(Method::POST, "/api/v1/assessments", scheme).await;
    let status = r.status();
    let created = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let month = today().format("%Y-%m").to_string();
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessments/{}/runs", created["id"]),
            json!({"period": month}),
        )
        .await;
    let status = r.status();
    let run = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let scores = run["results"]["departments"].as_array().expect("scores");
    let of = |unit: i64| -> &Value {
        scores
            .iter()
            .find(|s| s["subject_id"] == unit)
            .expect("score")
    };
    let d = &of(clerk_user.unit_id)["deductions"][0];
    assert_eq!(d["cause"], "upheld_complaint");
    assert_eq!(d["items"], json!([id]));
    assert_eq!(d["points"], "3");
    assert_eq!(of(other_unit.id)["deductions"][0]["items"], json!([]));
}

#[tokio::test]
async fn one_address_files_at_most_five_complaints_an_hour() {
    let (base, db, _t, _running) = demo_app().await;
    let county: (i64,) = db
        .one(Sql::new(
            "SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1",
        ))
        .await
        .expect("county");
    let public = Browser::new(&base);
    for n in 0..6 {
        let (token, sum) = challenge(&public).await;
        let r = multipart(&public, "/public/complaints", form(county.0, &token, &sum)).await;
        let want = if n < 5 {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(r.status(), want, "complaint {n}");
    }
    assert_eq!(count(&db).await, 5);
}
