//! The progress list of a project over HTTP: a month's update with photos (one a month, not in
//! the future, photos only images), funds in place with and without evidence — only evidenced
//! funds in the verified total — evidence handed in later, funds taken back, files shown to the
//! project's readers only; the evidence of a problem's solution; the quarterly sorting with the
//! project's figures. Through the API and the pages.

use base64::Engine;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

/// The smallest PNG: one transparent pixel.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn this_month() -> String {
    today().format("%Y-%m").to_string()
}

fn totals(v: &Value) -> (i64, i64, i64) {
    let t = &v["totals"];
    (
        t["invested"].as_i64().unwrap_or(-1),
        t["funds"]["verified"].as_i64().unwrap_or(-1),
        t["funds"]["unverified"].as_i64().unwrap_or(-1),
    )
}

#[tokio::test]
async fn updates_and_funds_make_the_progress_list_and_only_evidenced_funds_count() {
    let app = spawn_app().await;
    let fx = &app.fx;
    app.user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let helper = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let other = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let (clerk, helper, other) = (
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &helper).await,
        Api::for_user(&app, &other).await,
    );
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "新能源电池材料项目", "unit_id": fx.unit_a.id,
                   "key_industry": "高端化工", "owner_leader_id": fx.person_a.id,
                   "total_investment": 150000, "outside_investment": 120000}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let project = json(r).await;
    let id = project["id"].as_i64().expect("id");
    let base = format!("/api/v1/projects/{id}");

    // A month's update: checked field by field; photos must be images.
    let next_month = (today() + chrono::Months::new(1))
        .format("%Y-%m")
        .to_string();
    let r = clerk
        .send(
            Method::POST,
            &format!("{base}/progress"),
            json!({"period": next_month, "percent": 120, "description": "",
                   "photos": [{"filename": "site.png", "content_base64": b64(b"<script>")}]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![
            ("period".into(), "period_future".into()),
            ("percent".into(), "range".into()),
            ("description".into(), "required".into()),
        ]
    );
    let good = json!({"period": this_month(), "percent": 35, "invested": 20000,
                      "description": "主体结构施工中",
                      "photos": [{"filename": "工地.png", "content_base64": b64(PNG)}]});
    let mut not_image = good.clone();
    not_image["photos"][0]["content_base64"] = json!(b64(b"%PDF-1.4"));
    let r = clerk
        .send(Method::POST, &format!("{base}/progress"), not_image)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("photos[0]".into(), "photo_type".into())]
    );
    // Only who keeps the project reports on it.
    for api in [&helper, &other] {
        let r = api
            .send(Method::POST, &format!("{base}/progress"), good.clone())
            .await;
        assert!(
            matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{}",
            r.status()
        );
    }
    let r = clerk
        .send(Method::POST, &format!("{base}/progress"), good.clone())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let update = json(r).await;
    // One update a month.
    let r = clerk
        .send(Method::POST, &format!("{base}/progress"), good)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("period".into(), "update_exists".into())]
    );
    // An edit from a stale version is refused; from the current one it is kept.
    let edit = json!({"period": this_month(), "percent": 40, "invested": 25000,
                      "description": "主体结构封顶", "version": update["version"]});
    let url = format!("{base}/progress/{}", update["id"]);
    let r = clerk.send(Method::PUT, &url, edit.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = clerk.send(Method::PUT, &url, edit).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // Funds: one with its bank receipt, one whose evidence is still to come.
    let r = clerk
        .send(
            Method::POST,
            &format!("{base}/funds"),
            json!({"received_on": today().to_string(), "amount": 30000,
                   "source": "企业自有资金", "evidence_type": "bank_receipt",
                   "files": [{"filename": "进账单.pdf", "content_base64": b64(b"%PDF-1.4 receipt")}]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = clerk
        .send(
            Method::POST,
            &format!("{base}/funds"),
            json!({"received_on": today().to_string(), "amount": 20000,
                   "evidence_type": "capital_verification"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let pending = json(r).await;
    let r = clerk
        .send(
            Method::POST,
            &format!("{base}/funds"),
            json!({"received_on": (today() + chrono::Duration::days(1)).to_string(),
                   "amount": 0, "evidence_type": "cash"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![
            ("received_on".into(), "date_future".into()),
            ("amount".into(), "range".into()),
            ("evidence_type".into(), "choice".into()),
        ]
    );

    let progress = json(clerk.get(&format!("{base}/progress")).await).await;
    assert_eq!(totals(&progress), (25000, 30000, 20000));
    assert_eq!(progress["totals"]["percent"], json!(40));
    assert_eq!(progress["totals"]["invested_of_plan"], json!(16));
    assert_eq!(progress["totals"]["verified_of_plan"], json!(20));
    let photo = &progress["updates"][0]["photos"][0];
    assert_eq!(photo["filename"], json!("工地.png"));
    let unverified: Vec<bool> = progress["funds"]
        .as_array()
        .expect("funds")
        .iter()
        .map(|f| f["verified"].as_bool().unwrap_or(true))
        .collect();
    assert_eq!(unverified.iter().filter(|v| !**v).count(), 1);

    // The photo shows as an image; evidence only downloads; other readers see neither.
    let r = clerk.get(&format!("{base}/files/{}", photo["id"])).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.starts_with("inline"))
    );
    let receipt = progress["funds"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["verified"] == json!(true)))
        .map(|f| f["evidence"][0]["id"].clone())
        .expect("evidence");
    let r = clerk.get(&format!("{base}/files/{receipt}")).await;
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(
        r.bytes().await.expect("bytes").as_ref(),
        b"%PDF-1.4 receipt"
    );
    let r = other.get(&format!("{base}/files/{receipt}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&format!("{base}/progress")).await.status(),
        StatusCode::NOT_FOUND
    );

    // Evidence handed in later makes the funds verified.
    let r = clerk
        .send(
            Method::POST,
            &format!("{base}/funds/{}/evidence", pending["id"]),
            json!([{"filename": "验资报告.pdf", "content_base64": b64(b"%PDF-1.4 report")}]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["verified"], json!(true));
    let progress = json(clerk.get(&format!("{base}/progress")).await).await;
    assert_eq!(totals(&progress), (25000, 50000, 0));

    // Funds recorded in error are taken back, and the audit log keeps them.
    let r = clerk
        .send(
            Method::DELETE,
            &format!("{base}/funds/{}", pending["id"]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let progress = json(clerk.get(&format!("{base}/progress")).await).await;
    assert_eq!(totals(&progress), (25000, 30000, 0));
    let (n,): (i64,) = app
        .db
        .one(zhaoyin_db::Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE entity IN ('project_update', 'project_fund')",
        ))
        .await
        .expect("audit");
    // An update and its edit; two funds, evidence, a removal.
    assert_eq!(n, 6);

    // The quarterly sorting shows the major project's figures, on the screen and in the export.
    let s = app.login("sup").await;
    let (status, page) = s.text("/problems/sorting").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("新能源电池材料项目") && page.contains("25000/150000"),
        "{page}"
    );
    let r = s.get("/problems/sorting.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let rows = first_sheet_text(bytes);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][2].as_str(),
            rows[1][4].as_str(),
            rows[1][5].as_str(),
            rows[1][7].as_str(),
            rows[1][8].as_str(),
        ),
        ("新能源电池材料项目", "张伟", "40%", "25000", "30000", "0")
    );
}

#[tokio::test]
async fn a_solution_carries_its_evidence() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let helper = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let (clerk, helper) = (
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &helper).await,
    );
    let project = json(
        clerk
            .send(
                Method::POST,
                "/api/v1/projects",
                json!({"name": "智能制造产业园", "unit_id": fx.unit_a.id}),
            )
            .await,
    )
    .await;
    let p = json(
        clerk
            .send(
                Method::POST,
                &format!("/api/v1/projects/{}/problems", project["id"]),
                json!({"category": "planning", "description": "规划条件未出具",
                       "unit_id": fx.unit_a2.id,
                       "deadline": (today() + chrono::Duration::days(10)).to_string()}),
            )
            .await,
    )
    .await;
    let status = format!("/api/v1/problems/{}/status", p["id"]);
    let file = json!([{"filename": "规划条件.pdf", "content_base64": b64(b"%PDF-1.4 plan")}]);
    // Evidence goes with the solution only.
    let r = helper
        .send(
            Method::POST,
            &status,
            json!({"status": "in_progress", "version": p["version"], "files": file}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("files".into(), "evidence_on_solve".into())]
    );
    let p = json(
        helper
            .send(
                Method::POST,
                &status,
                json!({"status": "in_progress", "version": p["version"]}),
            )
            .await,
    )
    .await;
    let r = helper
        .send(
            Method::POST,
            &status,
            json!({"status": "solved", "text": "规划条件已出具", "version": p["version"],
                   "files": file}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let files = json(
        clerk
            .get(&format!("/api/v1/problems/{}/files", p["id"]))
            .await,
    )
    .await;
    assert_eq!(files[0]["filename"], json!("规划条件.pdf"));
    let r = helper
        .get(&format!(
            "/api/v1/problems/{}/files/{}",
            p["id"], files[0]["id"]
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), b"%PDF-1.4 plan");
    // Not through another problem, nor as a file of the project's progress list.
    let r = clerk
        .get(&format!(
            "/api/v1/projects/{}/files/{}",
            project["id"], files[0]["id"]
        ))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_progress_list_through_the_pages() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let api = Api::for_user(&app, &clerk).await;
    let project = json(
        api.send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "绿色建材项目", "unit_id": fx.unit_a.id,
                   "total_investment": 8000}),
        )
        .await,
    )
    .await;
    let id = project["id"].as_i64().expect("id");
    let b = app.login("clerk-a").await;
    let (status, page) = b.text(&format!("/projects/{id}/progress/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("value=\"{}\"", this_month())),
        "{page}"
    );

    // A refused form comes back with its problem by the field, and nothing is saved.
    let form = |percent: &str| {
        Form::new()
            .text("period", this_month())
            .text("percent", percent.to_string())
            .text("description", "设备安装调试")
            .text("invested", "1200")
            .part("photos", Part::bytes(PNG.to_vec()).file_name("现场.png"))
    };
    let r = multipart(&b, &format!("/projects/{id}/progress"), form("150")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.expect("page");
    assert!(page.contains("0 到 100"), "{page}");
    let r = multipart(&b, &format!("/projects/{id}/progress"), form("90")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Funds without evidence, then with it.
    let fund = |with_file: bool| {
        let f = Form::new()
            .text("received_on", today().to_string())
            .text("amount", "3000")
            .text("source", "银行项目贷款")
            .text("evidence_type", "bank_receipt");
        if with_file {
            f.part(
                "files",
                Part::bytes(b"receipt".to_vec()).file_name("进账单.jpg"),
            )
        } else {
            f
        }
    };
    for with_file in [true, false] {
        let r = multipart(&b, &format!("/projects/{id}/funds"), fund(with_file)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let (_, page) = b.text(&format!("/projects/{id}")).await;
    assert!(
        page.contains("进度清单") && page.contains("设备安装调试"),
        "{page}"
    );
    assert!(page.contains("data-funds-verified=\"3000\""), "{page}");
    assert!(page.contains("data-funds-unverified=\"3000\""), "{page}");
    assert!(page.contains("占计划 15%"), "{page}");
    assert!(page.contains("<img class=\"thumb\""), "{page}");
}
