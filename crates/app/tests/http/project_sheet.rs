//! Projects in Excel: every problem by row and column and nothing imported; a good file creates
//! projects walked to their stage with the row's dates; the same file again changes nothing; an
//! edited row updates its project and moves it forward; a row that would go backwards, or lacks
//! what its stage needs, is named; another unit's clerk cannot place projects in this unit; the
//! export imports back unchanged.

use reqwest::{Method, StatusCode};
use serde_json::json;
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

const HEADERS: [&str; 10] = [
    "项目名称*",
    "投资方",
    "阶段",
    "阶段日期",
    "总投资（万元）",
    "外来投资（万元）",
    "签约金额（万元）",
    "责任单位代码*",
    "包挂领导",
    "线索日期",
];

fn sheet(rows: &[[&str; 10]]) -> Vec<u8> {
    workbook("招商项目", HEADERS, rows)
}

#[tokio::test]
async fn projects_import_all_or_nothing_and_walk_to_their_stage() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let api = Api::for_user(&app, &clerk).await;
    let r = api
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "高青储能科技有限公司"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let b = app.login("clerk-a").await;
    let r = b.get("/projects/template.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));
    let (lead, signed) = ("2026-01-05", "2026-03-10");

    // Every problem by row and column; nothing imported.
    let bad = sheet(&[
        [
            "储能电池项目",
            "高青储能科技有限公司",
            "签约",
            signed,
            "5万",
            "40000",
            "50000",
            "gq-fgj",
            "",
            lead,
        ],
        [
            "光伏项目",
            "没有这家公司",
            "",
            "",
            "",
            "",
            "",
            "gq-xxx",
            "",
            "",
        ],
        ["氢能项目", "", "飞升", "", "", "", "", "gq-fgj", "王五", ""],
        ["风电项目", "", "", "", "", "", "", "gq-fgj", "", ""],
        ["风电项目", "", "", "", "", "", "", "gq-fgj", "", ""],
    ]);
    let (status, page) = upload(&b, "/projects/import", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for needle in [
        "第 2 行 · 总投资（万元）",
        "第 3 行 · 投资方",
        "第 3 行 · 责任单位代码",
        "第 4 行 · 阶段",
        "第 4 行 · 包挂领导",
        "第 6 行 · 项目名称：与第 5 行是同一项目",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert_eq!(json(api.get("/api/v1/projects").await).await["total"], 0);

    // What a stage needs is checked as the row is written: signing without its amount.
    let unsigned = sheet(&[[
        "储能电池项目",
        "高青储能科技有限公司",
        "签约",
        signed,
        "50000",
        "40000",
        "",
        "gq-fgj",
        "张伟",
        lead,
    ]]);
    let (status, page) = upload(&b, "/projects/import", unsigned).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("第 2 行 · 签约金额"), "{page}");
    assert_eq!(json(api.get("/api/v1/projects").await).await["total"], 0);

    let good = sheet(&[
        [
            "储能电池项目",
            "高青储能科技有限公司",
            "签约",
            signed,
            "50000",
            "40000",
            "50000",
            "gq-fgj",
            "张伟",
            lead,
        ],
        [
            "光伏组件项目",
            "",
            "",
            "",
            "8000",
            "6000",
            "",
            "gq-fgj",
            "",
            "",
        ],
    ]);
    let (status, page) = upload(&b, "/projects/import", good.clone()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 2 个，更新 0 个，未变 0 个"), "{page}");
    let list = json(api.get("/api/v1/projects?stage=signed").await).await;
    assert_eq!(list["total"], 1, "{list}");
    let p = &list["items"][0];
    assert_eq!(p["signed_on"], signed);
    assert_eq!(p["owner_leader_name"], "张伟");
    let detail = json(api.get(&format!("/api/v1/projects/{}", p["id"])).await).await;
    let stages: Vec<(String, String)> = detail["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|s| {
                    (
                        s["stage"].as_str().unwrap_or_default().to_string(),
                        s["on_date"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        stages.first(),
        Some(&("lead".to_string(), lead.to_string()))
    );
    assert_eq!(
        stages.last(),
        Some(&("signed".to_string(), signed.to_string()))
    );
    // The same file again changes nothing.
    let (_, page) = upload(&b, "/projects/import", good).await;
    assert!(page.contains("新增 0 个，更新 0 个，未变 2 个"), "{page}");

    // An edited row updates its project; a stage behind the project's is refused.
    let edited = sheet(&[
        [
            "储能电池项目",
            "高青储能科技有限公司",
            "签约",
            signed,
            "60000",
            "40000",
            "50000",
            "gq-fgj",
            "张伟",
            lead,
        ],
        [
            "光伏组件项目",
            "",
            "在谈",
            "",
            "8000",
            "6000",
            "",
            "gq-fgj",
            "",
            "",
        ],
    ]);
    let (status, page) = upload(&b, "/projects/import", edited).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // 在谈 needs an investor.
    assert!(page.contains("第 3 行 · 投资方"), "{page}");
    let edited = sheet(&[[
        "储能电池项目",
        "高青储能科技有限公司",
        "签约",
        signed,
        "60000",
        "40000",
        "50000",
        "gq-fgj",
        "张伟",
        lead,
    ]]);
    let (status, page) = upload(&b, "/projects/import", edited).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 0 个，更新 1 个，未变 0 个"), "{page}");
    // What a passed stage required stays: a signed project keeps its contract amount.
    let blanked = sheet(&[[
        "储能电池项目",
        "高青储能科技有限公司",
        "签约",
        signed,
        "60000",
        "40000",
        "",
        "gq-fgj",
        "张伟",
        lead,
    ]]);
    let (status, page) = upload(&b, "/projects/import", blanked).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("第 2 行 · 签约金额"), "{page}");
    // Two rows naming one project are named.
    let twice = sheet(&[
        [
            "储能电池项目",
            "",
            "",
            "",
            "60000",
            "40000",
            "50000",
            "gq-fgj",
            "张伟",
            lead,
        ],
        [
            "储能电池项目",
            "",
            "",
            "",
            "60000",
            "40000",
            "50000",
            "gq-fgj",
            "张伟",
            lead,
        ],
    ]);
    let (status, page) = upload(&b, "/projects/import", twice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("与第 2 行是同一项目"), "{page}");
    let backwards = sheet(&[[
        "储能电池项目",
        "高青储能科技有限公司",
        "在谈",
        "",
        "60000",
        "40000",
        "50000",
        "gq-fgj",
        "张伟",
        lead,
    ]]);
    let (status, page) = upload(&b, "/projects/import", backwards).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("第 2 行 · 阶段：项目阶段不能倒退"), "{page}");

    // Another county's clerk cannot place projects in this unit.
    let other = app.login("clerk-b").await;
    let (status, page) = upload(
        &other,
        "/projects/import",
        sheet(&[["外县项目", "", "", "", "100", "", "", "gq-fgj", "", ""]]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("第 2 行 · 责任单位代码"), "{page}");

    // The export imports back unchanged.
    let r = b.get("/projects/export.xlsx").await;
    let exported = r.bytes().await.expect("bytes").to_vec();
    let (status, page) = upload(&b, "/projects/import", exported).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 0 个，更新 0 个，未变 2 个"), "{page}");
}

#[tokio::test]
async fn a_large_county_names_any_of_its_people() {
    let app = spawn_app().await;
    let fx = &app.fx;
    // More people than a page holds: the last one is still found by name.
    for n in 1..=205 {
        let person = zhaoyin_core::org::PersonInput {
            name: format!("联络员{n:03}"),
            title: "科员".into(),
            ..Default::default()
        }
        .validate()
        .expect("person");
        zhaoyin_db::org::create_person(
            &app.db,
            &zhaoyin_db::audit::Actor::cli(),
            fx.unit_a2.id,
            &person,
        )
        .await
        .expect("created");
    }
    app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let b = app.login("clerk-a").await;
    let (status, page) = upload(
        &b,
        "/projects/import",
        sheet(&[[
            "物流园项目",
            "",
            "",
            "",
            "3000",
            "",
            "",
            "gq-fgj",
            "联络员205",
            "",
        ]]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, form) = b.text("/projects/new").await;
    assert!(form.contains("联络员205"), "the form offers every person");
}
