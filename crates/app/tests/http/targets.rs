//! Target lists over HTTP: one list per county and year, drawn up by the supervisor; companies of
//! the county put on it once each with their responsible unit and leader; each quota's progress
//! counted from the entries' companies; duty units short of their planned projects listed. The
//! same through the pages.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

fn quota<'a>(list: &'a Value, flag: &str) -> &'a Value {
    list["quotas"]
        .as_array()
        .and_then(|a| a.iter().find(|q| q["flag"] == flag))
        .unwrap_or_else(|| panic!("no quota {flag} in {list}"))
}

#[tokio::test]
async fn target_lists_count_their_quotas_and_short_units() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let other = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let (sup, clerk, other) = (
        Api::for_user(&app, &sup).await,
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &other).await,
    );
    let body = json!({"year": 2025, "quotas": {"global500": 2, "china500": 1},
        "duty_unit_ids": [fx.unit_a.id, fx.unit_a2.id], "min_projects_per_unit": 2});
    let r = clerk
        .send(Method::POST, "/api/v1/target-lists", body.clone())
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup
        .send(Method::POST, "/api/v1/target-lists", body.clone())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let list = json(r).await;
    assert_eq!(list["name"], "2025年精准对接招引清单");
    let path = format!("/api/v1/target-lists/{}", list["id"]);
    // One list a year.
    let r = sup.send(Method::POST, "/api/v1/target-lists", body).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["field"], "year");

    let mut ids = Vec::new();
    for (name, flags) in [
        ("环球化学集团", json!(["global500"])),
        ("五洲能源集团", json!(["global500"])),
        ("中华建材集团有限公司", json!(["china500"])),
    ] {
        let r = clerk
            .send(
                Method::POST,
                "/api/v1/companies",
                json!({"name": name, "flags": flags}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        ids.push(json(r).await);
    }
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/companies/{}/status", ids[0]["id"]),
            json!({"status": "landed", "version": ids[0]["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = other
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "桓台某集团"}),
        )
        .await;
    let foreign = json(r).await;

    let entries = format!("{path}/entries");
    let entry = |company: &Value| {
        json!({"company_id": company["id"], "unit_id": fx.unit_a.id,
               "leader_id": fx.person_a.id, "actions": "三月赴总部拜访"})
    };
    let r = sup.send(Method::POST, &entries, entry(&ids[0])).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = sup.send(Method::POST, &entries, entry(&ids[2])).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = sup.send(Method::POST, &entries, entry(&ids[0])).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["code"], "target_entry_duplicate");
    let r = sup.send(Method::POST, &entries, entry(&foreign)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["field"], "company_id");

    // Two projects for unit A first heard of in 2025; unit A2 has none.
    for name in ["储能材料项目", "精细化工项目"] {
        let r = clerk
            .send(
                Method::POST,
                "/api/v1/projects",
                json!({"name": name, "unit_id": fx.unit_a.id, "total_investment": 1000,
                       "on": "2025-04-01"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let d = json(clerk.get(&path).await).await;
    let g = quota(&d, "global500");
    assert_eq!(
        (&g["listed"], &g["landed"], &g["met"]),
        (&json!(1), &json!(1), &json!(false))
    );
    let c = quota(&d, "china500");
    assert_eq!((&c["listed"], &c["met"]), (&json!(1), &json!(true)));
    let short: Vec<&str> = d["short_units"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["unit_name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(short, vec!["县投资促进中心"]);
    let a = d["duty_units"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["unit_id"] == fx.unit_a.id))
        .cloned()
        .unwrap_or_default();
    assert_eq!(a["projects"], 2);
    // Another county sees nothing of it.
    assert_eq!(other.get(&path).await.status(), StatusCode::NOT_FOUND);

    // Taking the Global 500 entry off.
    let first = d["entries"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["company_id"] == ids[0]["id"]))
        .map(|e| e["id"].clone())
        .unwrap_or_default();
    let r = sup
        .send(Method::DELETE, &format!("{entries}/{first}"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let d = json(sup.get(&path).await).await;
    assert_eq!(d["entries"].as_array().map(Vec::len), Some(1));

    // The pages.
    let b = app.login("sup").await;
    let (code, html) = b.text(&format!("/target-lists/{}", list["id"])).await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        html.contains("差 2 个"),
        "global500 short by two after the removal"
    );
    assert!(html.contains("1 个单位谋划项目不足") && html.contains("县投资促进中心（0）"));
    let (unit_a, unit_a2) = (fx.unit_a.id.to_string(), fx.unit_a2.id.to_string());
    let r = b
        .post(
            "/target-lists",
            &[
                ("year", "2024"),
                ("quota_global500", "20"),
                ("quota_china500", "50"),
                ("min_projects_per_unit", "2"),
                ("duty_unit_ids", &unit_a),
                ("duty_unit_ids", &unit_a2),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.text("/target-lists").await;
    assert!(html.contains("2024年精准对接招引清单") && html.contains("2025年精准对接招引清单"));
    let r = b
        .post(
            &format!("/target-lists/{}/entries", list["id"]),
            &[("company", "不存在的公司"), ("unit_id", &unit_a)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
