//! The investment pipeline over HTTP: a company enters the library once (a wrong credit code and
//! the same company written differently are refused), a project walks from lead to production
//! with each stage's requirements, illegal moves and other units' clerks refused, a repeated
//! signing is flagged and counted once, and a leader owns one major project unless a reason is
//! given. The same through the pages: forms, the list found by pinyin, the board.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_core::org::UnitInput;
use zhaoyin_db::audit::Actor;
use zhaoyin_db::testing::At;

use crate::helpers::*;

/// Codes that pass GB 32100-2015's check (the standard's example and two published ones).
const CODE_1: &str = "91350100M000100Y43";
const CODE_2: &str = "9144030071526726XG";
const CODE_3: &str = "91330100799655058B";

async fn park(app: &TestApp) -> i64 {
    let f = UnitInput {
        code: "gq-hgy".into(),
        name: "县化工产业园".into(),
        kind: "park".into(),
        ..Default::default()
    }
    .validate()
    .expect("valid");
    zhaoyin_db::org::create_unit(&app.db, &Actor::cli(), app.fx.county_a.id, &f)
        .await
        .expect("park")
        .id
}

async fn total(api: &Api, path: &str) -> Value {
    json(api.get(path).await).await["total"].clone()
}

async fn stage(api: &Api, id: i64, body: Value) -> reqwest::Response {
    api.send(Method::POST, &format!("/api/v1/projects/{id}/stage"), body)
        .await
}

#[tokio::test]
async fn companies_enter_the_library_once_and_projects_move_through_their_stages() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let park = park(&app).await;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let clerk2 = app
        .user("clerk-a2", Role::Clerk, At::Unit(&fx.unit_a2))
        .await;
    let other = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let (sup, clerk, clerk2, other) = (
        Api::for_user(&app, &sup).await,
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &clerk2).await,
        Api::for_user(&app, &other).await,
    );

    // A wrong check character is refused with the character it should be.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "山东高青新材料有限公司", "credit_code": "91350100M000100Y44"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = json(r).await;
    assert_eq!(
        codes(&p),
        vec![("credit_code".into(), "credit_code_check".into())]
    );
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("“3”")),
        "{p}"
    );
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "山东高青（青岛）新材料有限责任公司", "credit_code": CODE_1,
                   "flags": ["china500", "headquarters"], "industry_section": "C", "industry_division": "26"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let company = json(r).await;
    let company_id = company["id"].as_i64().expect("id");
    assert_eq!(company["china500"], true);
    assert_eq!(company["unit_name"], "县发展和改革局");
    // The same company again: by its name written another way, and by its code.
    let r = clerk2
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "山东高青(青岛)新材料有限公司"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("name".into(), "company_duplicate".into())]
    );
    let r = clerk2
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "另一个名字", "credit_code": CODE_1.to_lowercase()}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("credit_code".into(), "company_duplicate".into())]
    );
    // Another county does not see it; another unit of the county reads it but may not edit it.
    let path = format!("/api/v1/companies/{company_id}");
    assert_eq!(other.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(clerk2.get(&path).await.status(), StatusCode::OK);
    let r = clerk2
        .send(
            Method::PATCH,
            &path,
            json!({"hq_city": "青岛", "version": company["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Its own unit edits one field; the others keep their values.
    let r = clerk
        .send(
            Method::PATCH,
            &path,
            json!({"hq_city": "青岛", "version": company["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let c = json(r).await;
    assert_eq!(
        (c["hq_city"].clone(), c["credit_code"].clone()),
        (json!("青岛"), json!(CODE_1))
    );
    // Found by flag and by pinyin initials; not by another flag.
    assert_eq!(
        total(&clerk2, "/api/v1/companies?flags=headquarters").await,
        1
    );
    assert_eq!(total(&clerk2, "/api/v1/companies?flags=global500").await, 0);
    assert_eq!(total(&clerk2, "/api/v1/companies?name=sdgq").await, 1);
    assert_eq!(
        total(&clerk2, "/api/v1/companies?credit_code=91350100m000100y43").await,
        1
    );
    // Status of contact: forward only; abandoning needs a reason.
    let r = clerk
        .send(
            Method::POST,
            &format!("{path}/status"),
            json!({"status": "abandoned", "version": c["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = clerk
        .send(
            Method::POST,
            &format!("{path}/status"),
            json!({"status": "contacting", "version": c["version"]}),
        )
        .await;
    assert_eq!(json(r).await["status"], "contacting");

    // A project at the lead stage, major by the rule (≥ 10亿元 outside, a key industry).
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "年产10万吨高性能新材料项目", "unit_id": fx.unit_a.id,
                   "investor_id": company_id, "key_industry": "高端化工",
                   "total_investment": 150000, "outside_investment": 120000,
                   "owner_leader_id": fx.person_a.id, "land_mu": "300.5"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let project = json(r).await;
    let id = project["id"].as_i64().expect("id");
    assert_eq!(project["stage"], "lead");
    assert_eq!(project["is_major"], true);
    assert_eq!(project["land_mu_x100"], 30050);
    let version = |v: &Value| v["version"].as_i64().unwrap_or_default();

    // Signing needs the contract amount; a move into the future is refused.
    let r = stage(
        &clerk,
        id,
        json!({"stage": "signed", "version": version(&project)}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("contract_amount".into(), "stage_requires".into())]
    );
    let r = stage(
        &clerk,
        id,
        json!({"stage": "signed", "on": "2100-01-01", "contract_amount": 150000, "version": version(&project)}),
    )
    .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("on".into(), "date_future".into())]
    );
    // Another unit's clerk and another county's cannot even see it.
    for api in [&clerk2, &other] {
        let r = stage(
            api,
            id,
            json!({"stage": "signed", "contract_amount": 1, "version": version(&project)}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    let r = stage(
        &clerk,
        id,
        json!({"stage": "signed", "contract_amount": 150000, "version": version(&project)}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let p = json(r).await;
    assert_eq!(p["stage"], "signed");
    assert!(p["signed_on"].is_string());
    // A stale move is refused, not applied.
    let r = stage(
        &clerk,
        id,
        json!({"stage": "registered", "project_credit_code": CODE_2, "version": version(&project)}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Registering needs a valid credit code; starting needs a town or park.
    let r = stage(&clerk, id, json!({"stage": "registered", "project_credit_code": "9144030071526726X0", "version": version(&p)})).await;
    assert_eq!(
        codes(&json(r).await),
        vec![("project_credit_code".into(), "credit_code_check".into())]
    );
    let r = stage(
        &clerk,
        id,
        json!({"stage": "registered", "project_credit_code": CODE_2, "version": version(&p)}),
    )
    .await;
    let p = json(r).await;
    assert_eq!(p["stage"], "registered");
    let r = stage(
        &clerk,
        id,
        json!({"stage": "started", "version": version(&p)}),
    )
    .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("location_unit_id".into(), "stage_requires".into())]
    );
    let r = stage(
        &clerk,
        id,
        json!({"stage": "started", "location_unit_id": fx.unit_a2.id, "version": version(&p)}),
    )
    .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("location_unit_id".into(), "location_kind".into())]
    );
    let r = stage(
        &clerk,
        id,
        json!({"stage": "started", "location_unit_id": park, "version": version(&p)}),
    )
    .await;
    let p = json(r).await;
    assert_eq!(
        (p["stage"].clone(), p["location_name"].clone()),
        (json!("started"), json!("县化工产业园"))
    );
    // Never back; pausing needs a reason and resumes where it stopped.
    let r = stage(
        &clerk,
        id,
        json!({"stage": "signed", "version": version(&p)}),
    )
    .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("stage".into(), "stage_backward".into())]
    );
    let r = stage(&sup, id, json!({"stage": "paused", "version": version(&p)})).await;
    assert_eq!(
        codes(&json(r).await),
        vec![("reason".into(), "required".into())]
    );
    let r = stage(
        &sup,
        id,
        json!({"stage": "paused", "reason": "环评待批", "version": version(&p)}),
    )
    .await;
    let p = json(r).await;
    let r = stage(
        &sup,
        id,
        json!({"stage": "producing", "version": version(&p)}),
    )
    .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("stage".into(), "stage_resume".into())]
    );
    let r = stage(
        &sup,
        id,
        json!({"stage": "started", "version": version(&p)}),
    )
    .await;
    let p = json(r).await;
    let r = stage(
        &sup,
        id,
        json!({"stage": "producing", "version": version(&p)}),
    )
    .await;
    let p = json(r).await;
    assert_eq!(p["stage"], "producing");
    // An edit may not empty what a passed stage required, nor move the stage by PATCH.
    let path = format!("/api/v1/projects/{id}");
    let r = clerk
        .send(
            Method::PATCH,
            &path,
            json!({"contract_amount": null, "version": version(&p)}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("contract_amount".into(), "stage_keeps".into())]
    );
    let r = clerk
        .send(
            Method::PATCH,
            &path,
            json!({"stage": "at_capacity", "version": version(&p)}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("stage".into(), "unknown_field".into())]
    );
    let r = clerk
        .send(
            Method::PATCH,
            &path,
            json!({"team": "新材料专班", "version": version(&p)}),
        )
        .await;
    let p = json(r).await;
    assert_eq!(
        (p["team"].clone(), p["stage"].clone()),
        (json!("新材料专班"), json!("producing"))
    );
    let d = json(clerk.get(&format!("/api/v1/projects/{id}")).await).await;
    let timeline: Vec<&str> = d["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["stage"].as_str())
        .collect();
    assert_eq!(
        timeline,
        [
            "lead",
            "signed",
            "registered",
            "started",
            "paused",
            "started",
            "producing"
        ]
    );
    assert_eq!(d["timeline"][4]["reason"], "环评待批");

    // M17: the same leader gets a second major project only with a reason.
    let major = json!({"name": "化工新材料产业园二期", "unit_id": fx.unit_a.id,
                       "key_industry": "高端化工", "total_investment": 200000,
                       "outside_investment": 200000, "owner_leader_id": fx.person_a.id});
    let r = clerk
        .send(Method::POST, "/api/v1/projects", major.clone())
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("owner_leader_id".into(), "owner_has_major".into())]
    );
    let mut with_reason = major;
    with_reason["owner_override"] = json!("县委常委会研究确定");
    let r = clerk
        .send(Method::POST, "/api/v1/projects", with_reason)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // The same investment signed again at another event is flagged and counted once.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "年产10万吨高性能新材料项目（签约仪式）", "unit_id": fx.unit_a.id,
                   "investor_id": company_id, "total_investment": 140000}),
        )
        .await;
    let again = json(r).await;
    let again_id = again["id"].as_i64().expect("id");
    let r = stage(
        &clerk,
        again_id,
        json!({"stage": "signed", "contract_amount": 140000, "version": version(&again)}),
    )
    .await;
    assert_eq!(json(r).await["duplicate_of"], id);
    // Another county cannot name this investor (not in its library) or be taken for a repeat.
    let sup_b = app
        .user("sup-b", Role::Supervisor, At::Region(&fx.county_b))
        .await;
    let sup_b = Api::for_user(&app, &sup_b).await;
    let r = sup_b
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "年产10万吨高性能新材料项目", "unit_id": fx.unit_b.id,
                   "investor_id": company_id, "total_investment": 150000}),
        )
        .await;
    assert_eq!(
        codes(&json(r).await),
        vec![("investor_id".into(), "choice".into())]
    );
    // A different project of the same investor is not.
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "智能仓储物流园", "unit_id": fx.unit_a.id,
                   "investor_id": company_id, "total_investment": 30000}),
        )
        .await;
    let third = json(r).await;
    let r = stage(
        &clerk,
        third["id"].as_i64().expect("id"),
        json!({"stage": "signed", "contract_amount": 30000, "version": version(&third)}),
    )
    .await;
    assert_eq!(json(r).await["duplicate_of"], Value::Null);
    let counts = json(sup.get("/api/v1/projects/stages").await).await;
    let signed = counts
        .as_array()
        .expect("counts")
        .iter()
        .find(|c| c["stage"] == "signed")
        .cloned()
        .expect("signed");
    assert_eq!(
        (
            signed["projects"].clone(),
            signed["total_investment"].clone()
        ),
        (json!(1), json!(30000))
    );
    let list = json(sup.get("/api/v1/projects?stage=signed").await).await;
    assert_eq!(list["total"], 2, "the repeat is listed, marked");
    // Once the first signing is terminated, the repeat is the investment and counts again.
    let first = json(sup.get(&format!("/api/v1/projects/{id}")).await).await;
    let r = stage(
        &sup,
        id,
        json!({"stage": "terminated", "reason": "企业撤资", "version": version(&first)}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let again = json(sup.get(&format!("/api/v1/projects/{again_id}")).await).await;
    assert_eq!(again["duplicate_of"], Value::Null);

    // Filters: major, unit, pinyin; another county sees none of it.
    assert_eq!(total(&sup, "/api/v1/projects?major=1").await, 2);
    assert_eq!(total(&sup, "/api/v1/projects?name=znccwly").await, 1);
    assert_eq!(
        total(&sup, "/api/v1/projects?sort=investment&per_page=1").await,
        4
    );
    assert_eq!(total(&other, "/api/v1/projects?").await, 0);
    let r = sup.get("/api/v1/projects?stage=done").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_clerk_registers_a_company_and_signs_a_project_through_the_pages() {
    let app = spawn_app().await;
    let fx = &app.fx;
    app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let b = app.login("clerk-a").await;

    // A company through the form; a wrong code comes back on the form with the reason.
    let unit = fx.unit_a.id.to_string();
    let form = |code: &'static str| {
        vec![
            ("name", "淄博示范精细化工有限公司"),
            ("credit_code", code),
            ("industry_section", "C"),
            ("industry_division", "26"),
            ("flag_global500", "1"),
            ("unit_id", unit.as_str()),
            ("version", ""),
        ]
    };
    let r = b.post("/companies", &form("91330100799655058C")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("校验位不符"), "{html}");
    let r = b.post("/companies", &form(CODE_3)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = b.text("/companies?flags=global500").await;
    assert!(list.contains("淄博示范精细化工有限公司"));

    // A project naming the company by its name; it shows on the list and the board.
    let r = b
        .post(
            "/projects",
            &[
                ("name", "精细化工技改项目"),
                ("investor", "淄博示范精细化工有限公司"),
                ("unit_id", &unit),
                ("total_investment", "50000"),
                ("outside_investment", "50000"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let path = location.split('?').next().unwrap_or_default().to_string();
    let (_, page) = b.text(&path).await;
    assert!(page.contains("精细化工技改项目") && page.contains("淄博示范精细化工有限公司"));
    // An investor that is not in the library is named as such.
    let r = b
        .post(
            "/projects",
            &[
                ("name", "某项目"),
                ("investor", "不存在的公司"),
                ("unit_id", &unit),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("企业库中没有这家企业")
    );

    // Moved to 签约 with its amount, through the page's form.
    let version = page
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string();
    let r = b
        .post(
            &format!("{path}/stage"),
            &[
                ("stage", "signed"),
                ("on", ""),
                ("contract_amount", "48000"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = b.text(&path).await;
    assert!(page.contains("48000"));
    let (_, list) = b.text("/projects?name=jxhg&stage=signed").await;
    assert!(
        list.contains("精细化工技改项目"),
        "found by pinyin initials"
    );
    let (_, board) = b.text("/projects/board").await;
    assert!(board.contains("精细化工技改项目"));
    // The list exports as a workbook, one row per project, with the stage in words.
    let r = b.get("/projects/export.xlsx?stage=signed").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    use calamine::Reader;
    let sheet = wb.worksheet_range("招商项目").expect("sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "header and the one signed project");
    assert_eq!(rows[1][0], "精细化工技改项目");
    assert_eq!(rows[1][2], "签约");
    assert_eq!(rows[1][6], "48000");

    // Another county's clerk sees neither.
    let other = app.login("clerk-b").await;
    let (status, _) = other.text(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = other.text("/companies").await;
    assert!(!list.contains("淄博示范精细化工有限公司"));
}

fn company_workbook(rows: &[[&str; 5]]) -> Vec<u8> {
    let headers = [
        "企业名称*",
        "统一社会信用代码",
        "标签",
        "总部城市",
        "跟进单位代码",
    ];
    workbook("企业", headers, rows)
}

async fn upload_companies(b: &Browser, bytes: Vec<u8>) -> (StatusCode, String) {
    upload(b, "/companies/import", bytes).await
}

#[tokio::test]
async fn companies_import_all_or_nothing_and_an_export_imports_back() {
    let app = spawn_app().await;
    app.user("clerk-a", Role::Clerk, At::Unit(&app.fx.unit_a))
        .await;
    let b = app.login("clerk-a").await;
    let r = b.get("/companies/template.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));

    // Every problem at once, by row and column; nothing imported.
    let (status, page) = upload_companies(
        &b,
        company_workbook(&[
            [
                "淄博一号化工有限公司",
                CODE_1,
                "中国500强、上市企业",
                "淄博",
                "",
            ],
            ["淄博二号化工有限公司", "91350100M000100Y44", "", "", ""],
            ["淄博三号化工有限公司", "", "十强企业", "", ""],
            ["淄博四号化工有限公司", "", "", "", "ht-fgj"],
            ["淄博一号化工有限责任公司", "", "", "", ""],
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "第 3 行",
        "校验位不符",
        "十强企业",
        "ht-fgj",
        "与第 2 行是同一家企业",
    ] {
        assert!(page.contains(expected), "{expected}: {page}");
    }
    let count = || async {
        let (n,): (i64,) = app
            .db
            .one(zhaoyin_db::Sql::new("SELECT COUNT(*) FROM companies"))
            .await
            .expect("count");
        n
    };
    assert_eq!(count().await, 0);

    // A good file; the same file again changes nothing; an edited row updates its company.
    let good = [
        [
            "淄博一号化工有限公司",
            CODE_1,
            "中国500强、上市企业",
            "淄博",
            "",
        ],
        ["淄博二号化工有限公司", CODE_2, "", "", ""],
        [
            "Rheinfeld Chemie AG",
            "",
            "世界500强",
            "Frankfurt",
            "gq-fgj",
        ],
    ];
    let (status, page) = upload_companies(&b, company_workbook(&good)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 3 家，更新 0 家，未变 0 家"), "{page}");
    let (_, page) = upload_companies(&b, company_workbook(&good)).await;
    assert!(page.contains("新增 0 家，更新 0 家，未变 3 家"), "{page}");
    let mut edited = good;
    edited[1][3] = "青岛";
    let (_, page) = upload_companies(&b, company_workbook(&edited)).await;
    assert!(page.contains("新增 0 家，更新 1 家，未变 2 家"), "{page}");
    let (_, list) = b.text("/companies?flags=global500").await;
    assert!(list.contains("Rheinfeld Chemie AG"));
    let (n,): (i64,) = app
        .db
        .one(zhaoyin_db::Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'company' AND action = 'import'",
        ))
        .await
        .expect("audit");
    assert_eq!(n, 4, "three additions and one update, each audited");
    assert!(matches!(
        zhaoyin_db::audit::verify(&app.db).await,
        Ok(zhaoyin_db::audit::Verification::Intact { .. })
    ));

    // The export is in the template's columns: importing it back changes nothing.
    let r = b.get("/companies/export.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let exported = r.bytes().await.expect("bytes").to_vec();
    let (status, page) = upload_companies(&b, exported).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 0 家，更新 0 家，未变 3 家"), "{page}");
}

#[tokio::test]
async fn a_company_keeps_several_contacts_in_forms_the_api_and_workbooks() {
    let app = spawn_app().await;
    let clerk = app
        .user("clerk-a", Role::Clerk, At::Unit(&app.fx.unit_a))
        .await;
    let api = Api::for_user(&app, &clerk).await;
    let b = app.login("clerk-a").await;

    // Through the API: a bad phone of the second contact is named by its place in the list.
    let body = |phone: &str| {
        json!({"name": "淄博联络化工有限公司", "contacts": [
            {"name": "王建国", "title": "总经理", "phone": "13805330001"},
            {"name": "李娜", "phone": phone, "email": "lina@example.com"},
            {"name": "", "title": "", "phone": "", "email": ""}
        ]})
    };
    let r = api
        .send(Method::POST, "/api/v1/companies", body("不知道"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = json(r).await;
    assert_eq!(
        codes(&p),
        vec![("contacts.1.phone".into(), "phone_format".into())]
    );
    let r = api
        .send(Method::POST, "/api/v1/companies", body("0533-6212345"))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c = json(r).await;
    assert_eq!(c["contacts"].as_array().map(Vec::len), Some(2), "{c}");
    assert_eq!(c["contacts"][1]["email"], "lina@example.com");
    let id = c["id"].as_i64().expect("id");

    // The page lists both; the form shows them and two empty rows, and saves a third.
    let (_, page) = b.text(&format!("/companies/{id}")).await;
    assert!(page.contains("王建国（总经理）") && page.contains("0533-6212345"));
    let (_, form) = b.text(&format!("/companies/{id}/edit")).await;
    assert_eq!(form.matches("name=\"contact_name\"").count(), 4);
    let unit = app.fx.unit_a.id.to_string();
    let version = c["version"].to_string();
    let post = |third: &'static str, email: &'static str| {
        vec![
            ("name", "淄博联络化工有限公司"),
            ("unit_id", unit.as_str()),
            ("version", version.as_str()),
            ("contact_name", "王建国"),
            ("contact_title", "总经理"),
            ("contact_phone", "13805330001"),
            ("contact_email", ""),
            ("contact_name", ""),
            ("contact_title", ""),
            ("contact_phone", ""),
            ("contact_email", ""),
            ("contact_name", third),
            ("contact_title", "董事会秘书"),
            ("contact_phone", ""),
            ("contact_email", email),
        ]
    };
    let r = b.post(&format!("/companies/{id}"), &post("", "")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("联系人 3 · 姓名"), "{html}");
    let r = b
        .post(
            &format!("/companies/{id}"),
            &post("赵敏", "zhao@example.com"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c = json(api.get(&format!("/api/v1/companies/{id}")).await).await;
    let names: Vec<&str> = c["contacts"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["王建国", "赵敏"], "{c}");

    // In a workbook: one cell, one contact a line, read whichever way the parts are written.
    let headers = ["企业名称*", "联系人"];
    let (status, page) = upload(
        &b,
        "/companies/import",
        workbook(
            "企业",
            headers,
            &[[
                "淄博另一化工有限公司",
                "周海燕 投资部经理 zhy@example\n吴磊，13905330002",
            ]],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("第 2 行 · 联系人 1 · 电子邮箱"), "{page}");
    let (status, page) = upload(
        &b,
        "/companies/import",
        workbook(
            "企业",
            headers,
            &[[
                "淄博另一化工有限公司",
                "周海燕 投资部经理 zhy@example.com\n吴磊，13905330002",
            ]],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, list) = b.text("/companies?q=淄博另一").await;
    assert!(list.contains("淄博另一化工有限公司"));
    let (other,): (String,) = app
        .db
        .one(zhaoyin_db::Sql::new(
            "SELECT contacts FROM companies WHERE name = '淄博另一化工有限公司'",
        ))
        .await
        .expect("contacts");
    let other: Value = serde_json::from_str(&other).expect("json");
    assert_eq!(other[0]["title"], "投资部经理");
    assert_eq!(other[1]["phone"], "13905330002");

    // The export writes them back in the same cell: importing it changes nothing.
    let r = b.get("/companies/export.xlsx").await;
    let exported = r.bytes().await.expect("bytes").to_vec();
    let (status, page) = upload(&b, "/companies/import", exported).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 0 家，更新 0 家，未变 2 家"), "{page}");
}

#[tokio::test]
async fn the_company_workbook_places_companies_in_chain_segments() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let sup = app
        .user("super-a", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let sup = Api::for_user(&app, &sup).await;
    for (name, outline) in [
        (
            "新能源产业链",
            "上游\n  光伏组件\n  储能电池\n下游\n  电站运营\n",
        ),
        ("新材料产业链", "上游\n  原料\n中游\n  储能电池\n"),
    ] {
        let r = sup
            .send(
                Method::POST,
                "/api/v1/chains",
                json!({"name": name, "lead_unit_id": fx.unit_a.id, "outline": outline}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let b = app.login("clerk-a").await;
    let headers = ["企业名称*", "跟进单位代码", "产业链环节"];
    // A segment no chain has, and one two chains have, are named.
    let bad = workbook(
        "企业",
        headers,
        &[
            ["高青光伏有限公司", "", "光伏组件、风电整机"],
            ["高青电池有限公司", "", "储能电池"],
        ],
    );
    let (status, page) = upload(&b, "/companies/import", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("风电整机"), "{page}");
    assert!(page.contains("第 3 行 · 产业链环节"), "{page}");
    let good = workbook(
        "企业",
        headers,
        &[
            ["高青光伏有限公司", "", "光伏组件、新能源产业链 · 电站运营"],
            ["高青电池有限公司", "", "新材料产业链/储能电池"],
            ["高青物流有限公司", "", ""],
        ],
    );
    let (status, page) = upload(&b, "/companies/import", good.clone()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 3 家，更新 0 家，未变 0 家"), "{page}");
    let (linked,): (i64,) = app
        .db
        .one(zhaoyin_db::Sql::new(
            "SELECT COUNT(*) FROM company_segments",
        ))
        .await
        .expect("count");
    assert_eq!(linked, 3);
    let (_, page) = upload(&b, "/companies/import", good).await;
    assert!(page.contains("新增 0 家，更新 0 家，未变 3 家"), "{page}");
    // A changed segment updates the company; the export names segments as it reads them.
    let moved = workbook(
        "企业",
        headers,
        &[["高青电池有限公司", "", "新能源产业链 · 储能电池"]],
    );
    let (_, page) = upload(&b, "/companies/import", moved).await;
    assert!(page.contains("新增 0 家，更新 1 家，未变 0 家"), "{page}");
    let r = b.get("/companies/export.xlsx").await;
    let exported = r.bytes().await.expect("bytes").to_vec();
    let (status, page) = upload(&b, "/companies/import", exported).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("新增 0 家，更新 0 家，未变 3 家"), "{page}");
    let (_, list) = b.text("/companies?name=高青电池").await;
    assert!(list.contains("高青电池有限公司"), "{list}");
    let (n,): (i64,) = app
        .db
        .one(zhaoyin_db::Sql::new(
            "SELECT COUNT(*) FROM company_segments cs JOIN chain_segments s ON s.id = cs.segment_id \
             JOIN chains ch ON ch.id = s.chain_id WHERE ch.name = '新能源产业链' AND s.name = '储能电池'",
        ))
        .await
        .expect("moved");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn one_leader_gets_one_major_project_even_when_asked_at_once() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let clerk = Api::for_user(&app, &clerk).await;
    // Eight major projects for the same leader, sent together: exactly one is created (M17).
    let sends = (0..8).map(|i| {
        clerk.send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": format!("化工新材料产业园（{i}）"), "unit_id": fx.unit_a.id,
                   "key_industry": "高端化工", "total_investment": 200000,
                   "outside_investment": 200000, "owner_leader_id": fx.person_a.id}),
        )
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(sends)
        .await
        .into_iter()
        .map(|r| r.status())
        .collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::UNPROCESSABLE_ENTITY),
        "{statuses:?}"
    );
}
