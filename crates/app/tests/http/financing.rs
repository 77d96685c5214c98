//! Financing over HTTP on the demo county (both databases): new loans recorded by a unit, their
//! growth against the year before's exactly at the 10% target and just under it, by kind and
//! bank; a clerk reads and keeps its unit's only; a loan taken back is counted nowhere; a project
//! recommended to a bank, its outcome recorded once; another county reaches nothing; the screens
//! and the workbook.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_db::Sql;

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;

#[tokio::test]
async fn loans_grow_against_the_target_and_recommendations_get_their_outcome() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let clerk_user = demo_user(&db, "clerk").await;
    let clerk = api_for(&base, &db, &clerk_user).await;
    let this_year = i64::from(chrono::Datelike::year(&today()));

    // The demo's year so far: past the target, by kind and by bank adding up.
    let v = json(sup.get("/api/v1/financing/loans").await).await;
    assert_eq!(v["year"], this_year);
    assert_eq!(v["growth"]["met"], true, "{v}");
    let total = v["growth"]["amount"].as_i64().expect("total");
    for by in ["by_kind", "by_bank"] {
        let sum: i64 = v[by]
            .as_object()
            .expect(by)
            .values()
            .filter_map(Value::as_i64)
            .sum();
        assert_eq!(sum, total, "{by}");
    }

    // Exactly 10% more than the year before meets the target; one 万元 less does not.
    let (company,): (i64,) = db
        .one(Sql::new("SELECT id FROM companies ORDER BY id LIMIT 1"))
        .await
        .expect("a company");
    let loan = |year: i64, amount: i64| {
        json!({"company_id": company, "bank": "县农商银行", "kind": "first_loan",
               "granted_on": format!("{year}-06-30"), "amount": amount})
    };
    let (before, year) = (this_year - 6, this_year - 5);
    for body in [loan(before, 1_000), loan(year, 1_100)] {
        let r = clerk
            .send(Method::POST, "/api/v1/financing/loans", body)
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let url = format!("/api/v1/financing/loans?year={year}");
    let v = json(sup.get(&url).await).await;
    assert_eq!(
        (
            &v["growth"]["amount"],
            &v["growth"]["previous"],
            &v["growth"]["met"]
        ),
        (&json!(1_100), &json!(1_000), &json!(true)),
        "{v}"
    );
    assert_eq!(v["growth"]["percent"], "10.00");
    let id = v["loans"][0]["id"].as_i64().expect("loan");
    assert_eq!(v["loans"][0]["unit_id"], clerk_user.unit_id);
    let r = clerk
        .send(
            Method::DELETE,
            &format!("/api/v1/financing/loans/{id}"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = clerk
        .send(Method::POST, "/api/v1/financing/loans", loan(year, 1_099))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v = json(sup.get(&url).await).await;
    assert_eq!(v["growth"]["met"], false, "{v}");
    assert_eq!(v["loans"].as_array().expect("loans").len(), 1, "taken back");
    let (n,): (i64,) = db
        .one(
            Sql::new(
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'loan' AND action = 'delete' \
                 AND entity_id = $1",
            )
            .bind(id.to_string()),
        )
        .await
        .expect("audit");
    assert_eq!(n, 1);

    // Bad input is refused field by field; a clerk reads only its unit's loans and cannot take
    // back another unit's.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/financing/loans",
            json!({"company_id": 999_999, "bank": " ", "kind": "gift",
                   "granted_on": (today() + chrono::Duration::days(1)).to_string(), "amount": 0}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [
            ("company_id".into(), "choice".into()),
            ("bank".into(), "required".into()),
            ("kind".into(), "choice".into()),
            ("granted_on".into(), "date_future".into()),
            ("amount".into(), "range".into())
        ]
    );
    let mine = json(clerk.get("/api/v1/financing/loans").await).await;
    assert!(
        mine["loans"]
            .as_array()
            .expect("loans")
            .iter()
            .all(|l| l["unit_id"] == clerk_user.unit_id)
    );
    let theirs = json(sup.get("/api/v1/financing/loans").await).await;
    let other = theirs["loans"]
        .as_array()
        .expect("loans")
        .iter()
        .find(|l| l["unit_id"] != clerk_user.unit_id)
        .expect("a loan of another unit");
    let r = clerk
        .send(
            Method::DELETE,
            &format!("/api/v1/financing/loans/{}", other["id"]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A project recommended to a bank: declined needs a reason; financed once, never again.
    let (project,): (i64,) = db
        .one(Sql::new(
            "SELECT id FROM projects WHERE stage = 'signed' ORDER BY id DESC LIMIT 1",
        ))
        .await
        .expect("a project");
    let r = sup
        .send(
            Method::POST,
            "/api/v1/financing/referrals",
            json!({"project_id": project, "institution": "建设银行县支行",
                   "institution_kind": "bank", "referred_on": today().to_string(),
                   "sought": 8000}),
        )
        .await;
    let status = r.status();
    let referral = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{referral}");
    let outcome = format!("/api/v1/financing/referrals/{}/outcome", referral["id"]);
    let r = sup
        .send(
            Method::POST,
            &outcome,
            json!({"outcome": "declined", "decided_on": today().to_string(), "version": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [("reason".into(), "required".into())]
    );
    let financed = json!({"outcome": "financed", "financed": 6000,
                          "decided_on": today().to_string(), "version": 1});
    let r = sup.send(Method::POST, &outcome, financed.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = sup.send(Method::POST, &outcome, financed).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = sup
        .send(
            Method::POST,
            &outcome,
            json!({"outcome": "declined", "reason": "x", "decided_on": today().to_string(),
                   "version": 2}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [("outcome".into(), "financing.decided".into())]
    );
    let v = json(sup.get("/api/v1/financing/referrals").await).await;
    assert!(v["financed"].as_i64().expect("financed") >= 6000);

    // Another county reads none of it and records nothing for this county's companies.
    let county = zhaoyin_db::org::get_region(
        &db,
        zhaoyin_db::org::get_unit(&db, supervisor.unit_id)
            .await
            .expect("unit")
            .region_id,
    )
    .await
    .expect("county");
    let neighbour = api_for(
        &base,
        &db,
        &neighbour_supervisor(&db, &county, "ln-sup").await,
    )
    .await;
    let v = json(neighbour.get(&url).await).await;
    assert_eq!(v["loans"], json!([]));
    let v = json(neighbour.get("/api/v1/financing/referrals").await).await;
    assert_eq!(v["referrals"], json!([]));
    let r = neighbour
        .send(Method::POST, "/api/v1/financing/loans", loan(year, 10))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [("company_id".into(), "choice".into())]
    );

    // The screens and the workbook.
    let b = Browser::new(&base);
    let r = b.login("supervisor", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = b.text("/financing").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("达到 10% 的目标"), "{html}");
    let (status, html) = b
        .text(&format!("/financing/referrals?project_id={project}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("建设银行县支行") && html.contains("推介项目"),
        "{html}"
    );
    let r = b.get(&format!("/financing/loans.xlsx?year={year}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        first_sheet_text(r.bytes().await.expect("bytes").to_vec()).len(),
        3 + 1
    );
    let (_, html) = b.text(&format!("/projects/{project}")).await;
    assert!(html.contains(&format!("/financing/referrals?project_id={project}")));
}
