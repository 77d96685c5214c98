//! The talent library over HTTP: experts and teams with configured programs (an unknown program
//! or a team without its leader refused, the same person and affiliation refused twice), linked
//! to a company of the same county only, edited by their unit's clerks only, introduced (已引进)
//! by their status; filters by program level. The same through the pages.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

#[tokio::test]
async fn talents_enter_the_library_once_with_their_programs() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let clerk2 = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let other = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let (clerk, clerk2, other) = (
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &clerk2).await,
        Api::for_user(&app, &other).await,
    );
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "高青新材料有限公司"}),
        )
        .await;
    let company = json(r).await;
    let r = other
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "桓台化工有限公司"}),
        )
        .await;
    let foreign = json(r).await;

    // Problems are named: a team without its leader, an unknown program, a company of another
    // county.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/talents",
            json!({"kind": "team", "name": "储能材料创新团队", "programs": ["火星计划"],
                   "company_id": foreign["id"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![
            ("leader".into(), "required".into()),
            ("programs".into(), "talent_program".into())
        ]
    );
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/talents",
            json!({"name": "王立新", "company_id": foreign["id"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("company_id".into(), "choice".into())]
    );

    let r = clerk
        .send(
            Method::POST,
            "/api/v1/talents",
            json!({"name": "王立新", "field": "高分子材料", "affiliation": "山东理工大学",
                   "programs": ["泰山学者", "长江学者奖励计划"], "company_id": company["id"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let t = json(r).await;
    assert_eq!(t["program_level"], "national");
    assert_eq!(t["company_name"], "高青新材料有限公司");
    assert_eq!(t["programs"].as_array().map(Vec::len), Some(2), "{t}");
    // In the configuration's order (national first), not the alphabet's.
    assert_eq!(t["programs"][0], "长江学者奖励计划", "{t}");
    let path = format!("/api/v1/talents/{}", t["id"]);
    // The same person at the same affiliation again is refused, naming the record.
    let r = clerk2
        .send(
            Method::POST,
            "/api/v1/talents",
            json!({"name": "王立新", "affiliation": "山东理工大学"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("name".into(), "talent_duplicate".into())]
    );
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/talents",
            json!({"kind": "team", "name": "储能材料创新团队", "leader": "赵强", "team_size": 8,
                   "programs": ["泰山产业领军人才"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // A talent with a project: another unit's clerk, who may not read the project, does not
    // see its name.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "高分子新材料研发项目", "unit_id": fx.unit_a.id, "total_investment": 2000}),
        )
        .await;
    let project = json(r).await;
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/talents",
            json!({"name": "周文博", "project_id": project["id"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let with_project = format!("/api/v1/talents/{}", json(r).await["id"]);
    assert_eq!(
        json(clerk.get(&with_project).await).await["project_name"],
        "高分子新材料研发项目"
    );
    assert_eq!(
        json(clerk2.get(&with_project).await).await["project_name"],
        Value::Null
    );

    // Another unit's clerk reads but does not edit; another county sees nothing.
    assert_eq!(clerk2.get(&path).await.status(), StatusCode::OK);
    let r = clerk2
        .send(
            Method::PATCH,
            &path,
            json!({"field": "x", "version": t["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(other.get(&path).await.status(), StatusCode::NOT_FOUND);
    // Introduced: the status moves to landed (已引进).
    let r = clerk
        .send(
            Method::POST,
            &format!("{path}/status"),
            json!({"status": "landed", "version": t["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = clerk
        .send(Method::PATCH, &path, json!({"title": "教授", "version": 2}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let t = json(r).await;
    assert_eq!(
        (&t["title"], &t["status"]),
        (&json!("教授"), &json!("landed"))
    );

    let total = |v: Value| v["total"].clone();
    assert_eq!(
        total(json(clerk.get("/api/v1/talents?level=national").await).await),
        1
    );
    assert_eq!(
        total(json(clerk.get("/api/v1/talents?level=provincial").await).await),
        1
    );
    assert_eq!(
        total(json(clerk.get("/api/v1/talents?status=landed").await).await),
        1
    );
    assert_eq!(
        total(json(clerk.get("/api/v1/talents?name=wlx").await).await),
        1
    );
    assert_eq!(
        total(
            json(
                clerk
                    .get(&format!("/api/v1/talents?company_id={}", company["id"]))
                    .await
            )
            .await
        ),
        1
    );
    assert_eq!(total(json(other.get("/api/v1/talents").await).await), 0);

    // The pages: a person with two programs ticked and the company named by text.
    let b = app.login("clerk-a").await;
    let r = b
        .post(
            "/talents",
            &[
                ("kind", "person"),
                ("name", "陈晓"),
                ("field", "生物医药"),
                ("programs", "泰山学者"),
                ("programs", "市级高层次人才"),
                ("company", "高青新材料有限公司"),
                ("unit_id", &fx.unit_a.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (code, html) = b.text("/talents?level=provincial").await;
    assert_eq!(code, StatusCode::OK);
    assert!(html.contains("陈晓") && html.contains("市级高层次人才"));
    assert!(!html.contains("王立新"));
    let (_, html) = b.text("/talents?status=landed").await;
    assert!(html.contains("王立新") && html.contains("已引进"));
    // The export: the filter's talents, programs joined, statuses in words.
    let r = b.get("/talents/export.xlsx?level=national").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    use calamine::Reader;
    let sheet = wb.worksheet_range("人才库").expect("sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows.len(),
        2,
        "header and the one national talent: {rows:?}"
    );
    assert_eq!(rows[1][0], "王立新");
    assert!(
        rows[1].contains(&"长江学者奖励计划、泰山学者".to_string())
            || rows[1].contains(&"泰山学者、长江学者奖励计划".to_string()),
        "{rows:?}"
    );
    assert!(rows[1].contains(&"已引进".to_string()));
    let r = b
        .post("/talents", &[("kind", "team"), ("name", "某团队")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap_or_default();
    let leader_error = html
        .split("name=\"leader\"")
        .nth(1)
        .and_then(|rest| rest.split("</label>").next())
        .is_some_and(|label| label.contains("field-err"));
    assert!(leader_error, "{html}");
}

fn talent_workbook(rows: &[[&str; 6]]) -> Vec<u8> {
    let headers = [
        "姓名（团队名称）*",
        "类型",
        "团队负责人",
        "人才计划",
        "关联企业",
        "所在单位",
    ];
    workbook("人才库", headers, rows)
}

async fn upload_talents(b: &Browser, bytes: Vec<u8>) -> (StatusCode, String) {
    upload(b, "/talents/import", bytes).await
}

#[tokio::test]
async fn talents_import_all_or_nothing_and_an_export_imports_back() {
    let app = spawn_app().await;
    let clerk = app
        .user("clerk-a", Role::Clerk, At::Unit(&app.fx.unit_a))
        .await;
    let api = Api::for_user(&app, &clerk).await;
    let r = api
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "高青新材料有限公司"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let b = app.login("clerk-a").await;
    let r = b.get("/talents/template.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));

    // Every problem by row and column; nothing imported.
    let bad = talent_workbook(&[
        ["储能团队", "团队", "", "", "", "华东能源技术研究所"],
        ["李明", "个人", "", "火星计划", "", "省新材料研究院"],
        ["王芳", "", "", "", "没有这家公司", ""],
        ["陈晓", "", "", "", "", "农业科技大学"],
        ["陈晓", "个人", "", "", "", "农业科技大学"],
    ]);
    let (status, page) = upload_talents(&b, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for needle in [
        "第 2 行 · 团队负责人",
        "第 3 行 · 人才计划",
        "第 4 行 · 关联企业",
        "第 6 行 · 姓名（团队名称）：与第 5 行是同一人",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert_eq!(json(api.get("/api/v1/talents").await).await["total"], 0);

    let good = talent_workbook(&[
        [
            "李明",
            "个人",
            "",
            "泰山学者、市级高层次人才",
            "高青新材料有限公司",
            "省新材料研究院",
        ],
        ["储能团队", "团队", "赵强", "", "", "华东能源技术研究所"],
    ]);
    let (status, page) = upload_talents(&b, good.clone()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 2 名，更新 0 名，未变 0 名"), "{page}");
    let (_, page) = upload_talents(&b, good).await;
    assert!(page.contains("新增 0 名，更新 0 名，未变 2 名"), "{page}");
    let list = json(api.get("/api/v1/talents?level=provincial").await).await;
    assert_eq!(list["items"][0]["company_name"], "高青新材料有限公司");

    // The export imports back unchanged.
    let r = b.get("/talents/export.xlsx").await;
    let exported = r.bytes().await.expect("bytes").to_vec();
    let (status, page) = upload_talents(&b, exported).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 0 名，更新 0 名，未变 2 名"), "{page}");
}
