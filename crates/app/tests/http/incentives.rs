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

#[tokio::test]
async fn only_the_countys_supervisor_writes_and_unsupported_awards_are_not_paid() {
    use zhaoyin_core::authz::Role;
    use zhaoyin_db::testing::{At, user_with};

    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let unit = zhaoyin_db::org::get_unit(&db, supervisor.unit_id)
        .await
        .expect("unit");
    let county = zhaoyin_db::org::get_region(&db, unit.region_id)
        .await
        .expect("county");
    let city = zhaoyin_db::org::get_region(&db, county.parent_id.expect("a city"))
        .await
        .expect("city");
    let neighbour = neighbour_supervisor(&db, &county, "ln-sup").await;
    let city_unit = office_in(&db, city.id, "city-dcs").await;
    let city_sup = user_with(
        &db,
        "city-sup",
        &city_unit,
        Role::Supervisor,
        At::Region(&city),
    )
    .await;
    let neighbour = api_for(&base, &db, &neighbour).await;
    let city_sup = api_for(&base, &db, &city_sup).await;
    let leader = api_for(&base, &db, &demo_user(&db, "leader").await).await;
    let viewer = api_for(&base, &db, &demo_user(&db, "viewer").await).await;

    // The demo's award: proposed by the county's supervisor for a project of the county.
    let (id, project): (i64, i64) = db
        .one(Sql::new(
            "SELECT id, project_id FROM incentive_awards ORDER BY id LIMIT 1",
        ))
        .await
        .expect("the demo's award");
    let award = format!("/api/v1/incentives/awards/{id}");
    let claim = format!("/api/v1/projects/{project}/introducer-award");
    let rules = json(sup.get("/api/v1/incentives/rules").await).await;
    let save = json!({"rules": rules["rules"], "version": rules["version"]});

    // Another county reaches nothing of it; a city's supervisor reads it but keeps no rules and
    // takes no step; a leader and a viewer read and change nothing.
    assert_eq!(neighbour.get(&award).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(neighbour.get(&claim).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        neighbour
            .send(Method::POST, &claim, json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (s, _) = step(&neighbour, id, "notice", 1, "").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let theirs = json(neighbour.get("/api/v1/incentives/rules").await).await;
    assert_eq!(theirs["rules"], Value::Null, "{theirs}");
    assert_eq!(
        json(neighbour.get("/api/v1/incentives/awards").await).await,
        json!([])
    );
    let r = city_sup.get(&award).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["steps"], json!([]));
    let (s, _) = step(&city_sup, id, "notice", 1, "").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = city_sup
        .send(Method::PUT, "/api/v1/incentives/rules", save.clone())
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [("rules".into(), "incentive.county_only".into())]
    );
    for reader in [&leader, &viewer] {
        assert_eq!(reader.get(&award).await.status(), StatusCode::OK);
        let (s, _) = step(reader, id, "notice", 1, "").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let r = reader
            .send(Method::PUT, "/api/v1/incentives/rules", save.clone())
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let (company,): (i64,) = db
        .one(Sql::new("SELECT id FROM companies ORDER BY id LIMIT 1"))
        .await
        .expect("a company");
    let r = neighbour
        .send(
            Method::POST,
            "/api/v1/incentives/platform-awards",
            json!({"company_id": company, "name": "工作站", "kind": "research",
                   "level": "municipal", "approved_on": today().to_string()}),
        )
        .await;
    // The neighbour has no rules, and the company is not in its library.
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&json(r).await), ["company_id"]);

    // Noticed, then the project stopped: the award is no longer due, so it is neither approved
    // nor paid; it is rejected with a reason.
    let (s, v) = step(&sup, id, "notice", 1, "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    db.execute(
        Sql::new("UPDATE incentive_awards SET notice_from = $1, notice_until = $2 WHERE id = $3")
            .bind(today() - chrono::Duration::days(7))
            .bind(today() - chrono::Duration::days(1))
            .bind(id),
    )
    .await
    .expect("a week passed");
    db.execute(Sql::new("UPDATE projects SET stage = 'terminated' WHERE id = $1").bind(project))
        .await
        .expect("stopped");
    let v = json(sup.get(&award).await).await;
    assert_eq!(v["clawback"], Value::Null);
    assert_eq!(v["shortfall"]["amount"], v["award"]["amount"], "{v}");
    let (s, v) = step(&sup, id, "approve", 2, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&v),
        [("step".into(), "incentive.no_longer_due".into())]
    );
    let (s, v) = step(&sup, id, "reject", 2, "项目已终止").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["shortfall"], Value::Null);
}

#[tokio::test]
async fn the_years_excellent_grade_follows_introductions_and_vetoes() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let clerk_user = demo_user(&db, "clerk").await;
    let clerk = api_for(&base, &db, &clerk_user).await;
    let year = i64::from(chrono::Datelike::year(&today()));
    let url = format!("/api/v1/incentives/excellent?year={year}");
    let list = |v: &Value, unit: i64| -> Option<Value> {
        v["units"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["unit_id"] == unit)
            .cloned()
    };

    // A project of a World Top 500 investor signed this year, credited to its first
    // introducing unit; a national-program talent landed this year for the clerk's unit.
    let (project, investor): (i64, i64) = db
        .one(Sql::new(
            "SELECT id, investor_id FROM projects WHERE investor_id IS NOT NULL \
             AND stage IN ('signed', 'started', 'producing') AND duplicate_of IS NULL \
             ORDER BY id LIMIT 1",
        ))
        .await
        .expect("a signed project");
    db.execute(
        Sql::new("UPDATE projects SET signed_on = $1, first_unit_id = $2 WHERE id = $3")
            .bind(today())
            .bind(clerk_user.unit_id)
            .bind(project),
    )
    .await
    .expect("signed this year");
    db.execute(Sql::new("UPDATE companies SET global500 = TRUE WHERE id = $1").bind(investor))
        .await
        .expect("a Top 500 investor");
    let v = json(sup.get(&url).await).await;
    let mine = list(&v, clerk_user.unit_id).expect("the clerk's unit is listed");
    assert_eq!(mine["eligible"], true, "{mine}");
    assert!(
        mine["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["project_id"] == project
                && e["merits"]
                    .as_array()
                    .expect("merits")
                    .contains(&json!("global500")))
    );
    // Last year's list does not hold it.
    let last = json(
        sup.get(&format!("/api/v1/incentives/excellent?year={}", year - 1))
            .await,
    )
    .await;
    assert!(list(&last, clerk_user.unit_id).is_none_or(|u| {
        !u["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["project_id"] == project)
    }));

    // A veto bars the unit, once per year; taken back, it is eligible again. A clerk neither
    // reads the list nor records one.
    let veto = json!({"unit_id": clerk_user.unit_id, "year": year, "reason": "发生安全生产事故"});
    assert_eq!(clerk.get(&url).await.status(), StatusCode::FORBIDDEN);
    let r = clerk
        .send(Method::POST, "/api/v1/incentives/vetoes", veto.clone())
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup
        .send(Method::POST, "/api/v1/incentives/vetoes", veto.clone())
        .await;
    let status = r.status();
    let made = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let r = sup
        .send(Method::POST, "/api/v1/incentives/vetoes", veto)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sup
        .send(
            Method::POST,
            "/api/v1/incentives/vetoes",
            json!({"unit_id": 999_999, "year": 1900, "reason": " "}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&json(r).await), ["unit_id", "year", "reason"]);
    let v = json(sup.get(&url).await).await;
    let mine = list(&v, clerk_user.unit_id).expect("listed");
    assert_eq!(mine["eligible"], false);
    assert_eq!(mine["veto"]["reason"], "发生安全生产事故");
    let r = sup
        .send(
            Method::DELETE,
            &format!("/api/v1/incentives/vetoes/{}", made["id"]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let v = json(sup.get(&url).await).await;
    assert_eq!(
        list(&v, clerk_user.unit_id).expect("listed")["eligible"],
        true
    );

    // A national-program talent landed through the API counts for the unit following them.
    let (talent, version, unit): (i64, i64, i64) = db
        .one(Sql::new(
            "SELECT id, version, unit_id FROM talents WHERE program_level = 'national' \
             AND status IN ('potential', 'contacting', 'signed') AND unit_id IS NOT NULL \
             ORDER BY id LIMIT 1",
        ))
        .await
        .expect("a national-program talent");
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/talents/{talent}/status"),
            json!({"status": "landed", "reason": "", "version": version}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = json(sup.get(&url).await).await;
    let theirs = list(&v, unit).expect("the talent's unit is listed");
    assert!(
        theirs["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["talent_id"] == talent && e["merits"] == json!(["national_talent"]))
    );

    // The screen and the workbook.
    let b = Browser::new(&base);
    let r = b.login("supervisor", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = b.text(&format!("/incentives/excellent?year={year}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("世界500强"), "{html}");
    assert!(html.contains("登记一票否决事项"), "{html}");
    let r = b
        .get(&format!("/incentives/excellent.xlsx?year={year}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = first_sheet_text(r.bytes().await.expect("bytes").to_vec());
    assert_eq!(rows.len() - 3, v["units"].as_array().expect("units").len());
}
