//! Incentives over HTTP on the demo county (both databases): the county's rules are checked
//! by path; the what-if gives the tier exactly at its lower bound and leaves out land, fiscal
//! and unverified money; an introducer's award is proposed from the project's own figures,
//! publicly noticed, approved only after its notice, paid, each step in the audit log; taking
//! back funds or stopping the project flags it for clawback; a platform's subsidy by level; a
//! clerk reads only its unit's awards and changes nothing; the screens and the workbook.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::incentive::IntroducerRule;
use zhaoyin_db::Sql;

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;

fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn step(api: &Api, id: i64, step: &str, version: i64, reason: &str) -> (StatusCode, Value) {
    let r = api
        .send(
            Method::POST,
            &format!("/api/v1/incentives/awards/{id}/steps"),
            json!({"step": step, "version": version, "reason": reason}),
        )
        .await;
    let status = r.status();
    (status, json(r).await)
}

/// A producing project of the demo county with an introducer who is not a civil servant and
/// no award yet.
async fn a_producing_project(db: &zhaoyin_db::Db) -> i64 {
    let (id,): (i64,) = db
        .one(Sql::new(
            "SELECT id FROM projects p WHERE stage = 'producing' AND duplicate_of IS NULL \
             AND NOT EXISTS (SELECT 1 FROM incentive_awards a WHERE a.project_id = p.id) \
             ORDER BY id LIMIT 1",
        ))
        .await
        .expect("a producing project");
    db.execute(
        Sql::new(
            "UPDATE projects SET introducer = '李明', introducer_civil_servant = FALSE \
             WHERE id = $1",
        )
        .bind(id),
    )
    .await
    .expect("the introducer");
    id
}

#[tokio::test]
async fn an_introducers_award_is_noticed_approved_paid_and_flagged_when_its_facts_fail() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let clerk_user = demo_user(&db, "clerk").await;
    let clerk = api_for(&base, &db, &clerk_user).await;

    // The demo saved the example rules. Bad rules are refused by path and change nothing; a
    // clerk may not save any.
    let rules = json(sup.get("/api/v1/incentives/rules").await).await;
    assert_eq!(rules["version"], 1, "{rules}");
    assert_eq!(rules["may_edit"], true);
    assert_eq!(rules["rules"]["notice_days"], 7);
    let mut bad = rules["rules"].clone();
    bad["introducer"]["tiers"][1]["reward"] = json!(500);
    bad["platform"]["national"] = json!(0);
    bad["notice_days"] = json!(0);
    let r = sup
        .send(
            Method::PUT,
            "/api/v1/incentives/rules",
            json!({"rules": bad, "version": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&json(r).await),
        [
            "introducer.tiers[1].reward",
            // The next tier no longer earns more than this one.
            "introducer.tiers[2]",
            "platform.national",
            "notice_days"
        ]
    );
    let r = clerk
        .send(
            Method::PUT,
            "/api/v1/incentives/rules",
            json!({"rules": rules["rules"], "version": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup
        .send(
            Method::PUT,
            "/api/v1/incentives/rules",
            json!({"rules": rules["rules"], "version": 0}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(
        json(sup.get("/api/v1/incentives/rules").await).await,
        rules,
        "nothing changed"
    );

    // What-if: exactly at the first tier's lower bound; land, fiscal and unverified money left
    // out; one short of the bound gives nothing, and says why.
    let fund = |amount: i64, verified: bool, used_for: &str, fiscal: bool| json!({"amount": amount, "verified": verified, "used_for": used_for, "fiscal": fiscal});
    let claim =
        |funds: Vec<Value>| json!({"civil_servant": false, "in_production": true, "funds": funds});
    let w = json(
        sup.send(
            Method::POST,
            "/api/v1/incentives/what-if",
            claim(vec![
                fund(10_000, true, "investment", false),
                fund(5_000, true, "land", false),
                fund(5_000, true, "government_plant", false),
                fund(5_000, true, "investment", true),
                fund(5_000, false, "investment", false),
            ]),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            &w["reward"],
            &w["award"]["counted"],
            &w["award"]["left_out"]
        ),
        (&json!(20), &json!(10_000), &json!(20_000)),
        "{w}"
    );
    let w = json(
        clerk
            .send(
                Method::POST,
                "/api/v1/incentives/what-if",
                claim(vec![fund(9_999, true, "investment", false)]),
            )
            .await,
    )
    .await;
    assert_eq!(w["reward"], 0);
    assert_eq!(w["award"]["bars"], json!(["below_first_tier"]));

    // A project's claim from its own figures. Funds are added to reach the next tier exactly,
    // with land, fiscal and unverified money that must not count.
    let project = a_producing_project(&db).await;
    let claim_url = format!("/api/v1/projects/{project}/introducer-award");
    let before = json(sup.get(&claim_url).await).await;
    let counted = before["what_if"]["award"]["counted"]
        .as_i64()
        .expect("counted");
    let left_out = before["what_if"]["award"]["left_out"]
        .as_i64()
        .expect("left out");
    let rule = IntroducerRule::default();
    let next = rule
        .tiers
        .iter()
        .find(|t| t.from > counted)
        .copied()
        .expect("a tier above");
    let reward_before = rule.tier(counted).map_or(0, |t| t.reward);
    let add = |amount: i64, used_for: &str, fiscal: bool, evidence: bool| {
        let files = if evidence {
            json!([{"filename": "进账单.pdf", "content_base64": b64(b"%PDF-1.4 receipt")}])
        } else {
            json!([])
        };
        json!({"received_on": today().to_string(), "amount": amount,
               "evidence_type": "bank_receipt", "used_for": used_for, "fiscal": fiscal,
               "files": files})
    };
    let funds_url = format!("/api/v1/projects/{project}/funds");
    let r = sup
        .send(
            Method::POST,
            &funds_url,
            add(next.from - counted, "investment", false, true),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let boundary_fund = json(r).await["id"].as_i64().expect("fund id");
    for body in [
        add(40_000, "land", false, true),
        add(40_000, "investment", true, true),
        add(40_000, "investment", false, false),
    ] {
        let r = sup.send(Method::POST, &funds_url, body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = sup
        .send(Method::POST, &funds_url, add(1, "plant", false, true))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [("used_for".into(), "choice".into())]
    );
    let c = json(sup.get(&claim_url).await).await;
    assert_eq!(c["what_if"]["award"]["counted"], next.from, "{c}");
    assert_eq!(c["what_if"]["award"]["left_out"], left_out + 120_000);
    assert_eq!(c["what_if"]["reward"], next.reward);
    assert_eq!(c["may_propose"], true);

    // A clerk may not propose (nor see the project, if it is another unit's); the supervisor
    // does, once.
    let (unit,): (i64,) = db
        .one(Sql::new("SELECT unit_id FROM projects WHERE id = $1").bind(project))
        .await
        .expect("unit");
    let hidden = if unit == clerk_user.unit_id {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::NOT_FOUND
    };
    let r = clerk.send(Method::POST, &claim_url, json!({})).await;
    assert_eq!(r.status(), hidden);
    let r = sup.send(Method::POST, &claim_url, json!({})).await;
    let status = r.status();
    let award = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{award}");
    let id = award["award"]["id"].as_i64().expect("id");
    assert_eq!(award["award"]["amount"], next.reward);
    assert_eq!(award["award"]["status"], "proposed");
    assert_eq!(award["award"]["payee"], "李明");
    assert_eq!(award["basis"]["award"]["counted"], next.from);
    assert_eq!(award["clawback"], Value::Null);
    let r = sup.send(Method::POST, &claim_url, json!({})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(sup.get(&claim_url).await).await["award_id"], id);

    // The ledger: approval only after the notice, never before it; stale steps refused.
    let (s, v) = step(&sup, id, "approve", 1, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), [("step".into(), "incentive.step".into())]);
    let (s, _) = step(&clerk, id, "notice", 1, "").await;
    assert_eq!(s, hidden);
    let (s, v) = step(&sup, id, "notice", 1, "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["award"]["status"], "notice");
    assert_eq!(v["award"]["notice_from"], today().to_string());
    assert_eq!(
        v["award"]["notice_until"],
        (today() + chrono::Duration::days(6)).to_string()
    );
    let (s, v) = step(&sup, id, "approve", 2, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), [("step".into(), "incentive.in_notice".into())]);
    // Seven days later (the clock moved by rewriting the notice): its last day was yesterday.
    db.execute(
        Sql::new("UPDATE incentive_awards SET notice_from = $1, notice_until = $2 WHERE id = $3")
            .bind(today() - chrono::Duration::days(7))
            .bind(today() - chrono::Duration::days(1))
            .bind(id),
    )
    .await
    .expect("a week passed");
    let (s, _) = step(&sup, id, "approve", 1, "").await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = step(&sup, id, "approve", 2, "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = step(&sup, id, "pay", 3, "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["award"]["status"], "paid");
    assert_eq!(v["award"]["paid_on"], today().to_string());
    assert_eq!(v["steps"], json!([]));
    let (s, _) = step(&sup, id, "reject", 4, "资金撤回").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let actions: Vec<(String,)> = db
        .all(
            Sql::new(
                "SELECT action FROM audit_log WHERE entity = 'incentive_award' AND entity_id = $1 \
                 ORDER BY seq",
            )
            .bind(id.to_string()),
        )
        .await
        .expect("audit");
    let actions: Vec<&str> = actions.iter().map(|(a,)| a.as_str()).collect();
    assert_eq!(actions, ["create", "notice", "approve", "pay"]);

    // The boundary fund taken back: the award is flagged for the difference; the project
    // stopped: for all of it, and why.
    let r = sup
        .send(
            Method::DELETE,
            &format!("{funds_url}/{boundary_fund}"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let v = json(sup.get(&format!("/api/v1/incentives/awards/{id}")).await).await;
    assert_eq!(
        v["clawback"],
        json!({"amount": next.reward - reward_before, "bars": if reward_before == 0 { json!(["below_first_tier"]) } else { json!([]) }}),
        "{v}"
    );
    let flagged = json(sup.get("/api/v1/incentives/awards?flagged=true").await).await;
    assert!(
        flagged
            .as_array()
            .expect("list")
            .iter()
            .any(|a| a["award"]["id"] == id)
    );
    db.execute(Sql::new("UPDATE projects SET stage = 'terminated' WHERE id = $1").bind(project))
        .await
        .expect("stopped");
    let v = json(sup.get(&format!("/api/v1/incentives/awards/{id}")).await).await;
    assert_eq!(v["clawback"]["amount"], next.reward);
    assert!(
        v["clawback"]["bars"]
            .as_array()
            .expect("bars")
            .contains(&json!("not_in_production"))
    );
    // What it was computed from is kept as it was.
    assert_eq!(v["basis"]["award"]["counted"], next.from);

    // A platform's subsidy by level; a day in the future and a company of no library refused.
    let (company,): (i64,) = db
        .one(Sql::new("SELECT id FROM companies ORDER BY id LIMIT 1"))
        .await
        .expect("a company");
    let platform = |company: i64, day: chrono::NaiveDate| {
        json!({"company_id": company, "name": "高分子材料院士工作站", "kind": "academician",
               "level": "national", "approved_on": day.to_string()})
    };
    let r = sup
        .send(
            Method::POST,
            "/api/v1/incentives/platform-awards",
            platform(999_999, today() + chrono::Duration::days(1)),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&json(r).await), ["approved_on", "company_id"]);
    let r = sup
        .send(
            Method::POST,
            "/api/v1/incentives/platform-awards",
            platform(company, today()),
        )
        .await;
    let status = r.status();
    let p = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["award"]["amount"], 25);
    assert_eq!(p["basis"]["platform"]["level"], "national");
    let (s, v) = step(
        &sup,
        p["award"]["id"].as_i64().expect("id"),
        "reject",
        1,
        " ",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&v), [("reason".into(), "required".into())]);
    let (s, v) = step(
        &sup,
        p["award"]["id"].as_i64().expect("id"),
        "reject",
        1,
        "重复申报",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["award"]["reason"], "重复申报");
    // Rejected, the same platform may be proposed again.
    let r = sup
        .send(
            Method::POST,
            "/api/v1/incentives/platform-awards",
            platform(company, today()),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // A clerk reads only its own unit's awards.
    let all = json(sup.get("/api/v1/incentives/awards").await).await;
    let mine = json(clerk.get("/api/v1/incentives/awards").await).await;
    let theirs: Vec<&Value> = all
        .as_array()
        .expect("list")
        .iter()
        .filter(|a| a["award"]["unit_id"] == clerk_user.unit_id)
        .collect();
    assert_eq!(mine.as_array().expect("list").len(), theirs.len());
    assert!(all.as_array().expect("list").len() > theirs.len());
    let r = clerk.get(&format!("/api/v1/incentives/awards/{id}")).await;
    if unit == clerk_user.unit_id {
        assert_eq!(r.status(), StatusCode::OK);
    } else {
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    let r = sup
        .get("/api/v1/incentives/awards?status=done&kind=x&year=1900")
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&json(r).await), ["kind", "status", "year"]);
}

#[tokio::test]
async fn the_ledger_rules_and_what_if_on_their_screens() {
    let (base, db, _t, _running) = demo_app().await;
    let sup = Browser::new(&base);
    let r = sup.login("supervisor", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The demo's award is in the ledger, and the workbook holds the same rows.
    let (id, project, amount): (i64, i64, i64) = db
        .one(Sql::new(
            "SELECT id, project_id, amount FROM incentive_awards ORDER BY id LIMIT 1",
        ))
        .await
        .expect("the demo's award");
    let (status, html) = sup.text("/incentives").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/incentives/awards/{id}")), "{html}");
    assert!(html.contains("拟奖励"));
    let (n,): (i64,) = db
        .one(Sql::new("SELECT COUNT(*) FROM incentive_awards"))
        .await
        .expect("count");
    let r = sup.get("/incentives/awards.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = first_sheet_text(r.bytes().await.expect("bytes").to_vec());
    // A title, a note and a header above the rows.
    assert_eq!(rows.len() as i64 - 3, n);
    assert_eq!(rows[3][5], amount.to_string());

    // The award's page, its steps; the notice started from the page.
    let (status, html) = sup.text(&format!("/incentives/awards/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for text in ["计算依据", "引荐人奖励分档", "开始公示", "驳回"] {
        assert!(html.contains(text), "{text} in {html}");
    }
    let r = sup
        .post(
            &format!("/incentives/awards/{id}/steps"),
            &[("step", "approve"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sup
        .post(
            &format!("/incentives/awards/{id}/steps"),
            &[("step", "notice"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = sup.text(&format!("/incentives/awards/{id}")).await;
    assert!(html.contains("公示中"), "{html}");
    assert!(html.contains(&today().to_string()));

    // The project's page links its claim; the claim's page shows the reward due.
    let (_, html) = sup.text(&format!("/projects/{project}")).await;
    assert!(html.contains(&format!("/projects/{project}/introducer-award")));
    let (status, html) = sup
        .text(&format!("/projects/{project}/introducer-award"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("查看台账中的这项奖励"), "{html}");

    // The rules: saved from the form, a bad tier refused with its row.
    let (status, html) = sup.text("/incentives/rules").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("引荐人奖励分档"));
    let form = [
        ("version", "1"),
        ("from", "10000"),
        ("reward", "20"),
        ("from", "30000"),
        ("reward", "400"),
        ("from", ""),
        ("reward", ""),
        ("national", "25"),
        ("provincial", "15"),
        ("municipal", "10"),
        ("notice_days", "5"),
    ];
    let r = sup.post("/incentives/rules", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("page");
    assert!(html.contains("奖励分档 2"), "{html}");
    let mut good = form;
    good[4] = ("reward", "50");
    let r = sup.post("/incentives/rules", &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (body,): (String,) = db
        .one(Sql::new("SELECT body FROM incentive_rules"))
        .await
        .expect("rules");
    let rules: zhaoyin_core::incentive::Rules = serde_json::from_str(&body).expect("rules");
    assert_eq!(rules.notice_days, 5);
    assert_eq!(rules.introducer.tiers.len(), 2);

    // The what-if: land typed beside investment is left out.
    let r = sup
        .post(
            "/incentives/what-if",
            &[
                ("amount_0", "30000"),
                ("verified_0", "1"),
                ("used_for_0", "investment"),
                ("amount_1", "90000"),
                ("verified_1", "1"),
                ("used_for_1", "land"),
                ("in_production", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("page");
    assert!(html.contains("应得奖励：50 万元"), "{html}");
    assert!(html.contains("未计入 90000 万元"), "{html}");

    // A clerk reads the ledger but is offered no step and no rules to save.
    let clerk = Browser::new(&base);
    let r = clerk.login("clerk", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = clerk.text("/incentives/rules").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("form-actions"), "{html}");
    let r = clerk
        .post(
            "/incentives/rules",
            &[("version", "2"), ("notice_days", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
