//! Organisation screens: forms with their messages, stale edits, disabling, import.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;
use zhaoyin_db::{Sql, org};

use crate::helpers::*;

#[tokio::test]
async fn a_unit_is_created_edited_and_disabled_from_the_pages() {
    let app = spawn_app().await;
    app.user("admin-a", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    let b = app.login("admin-a").await;
    let region = app.fx.county_a.id.to_string();
    // Every bad field is named, in Chinese, and nothing is saved.
    let r = b
        .post(
            "/org/units",
            &[
                ("code", "商务局"),
                ("name", ""),
                ("kind", "office"),
                ("region_id", &region),
                ("sort_order", "x"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("只能使用字母、数字、- 和 _"),
        "code message: {html}"
    );
    assert!(html.contains("应为整数"), "sort order message");
    assert!(
        html.contains("value=\"商务局\""),
        "the form keeps what was typed"
    );
    // A code already used.
    let r = b
        .post(
            "/org/units",
            &[
                ("code", "gq-fgj"),
                ("name", "重复"),
                ("kind", "office"),
                ("region_id", &region),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("该值已被使用"));

    let r = b
        .post(
            "/org/units",
            &[
                ("code", "gq-swj"),
                ("name", "县商务局"),
                ("kind", "department"),
                ("region_id", &region),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let u = org::unit_by_code(&app.db, "gq-swj")
        .await
        .expect("query")
        .expect("created");
    let (status, html) = b.text("/org/units?ok=created").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("已新增") && html.contains("gq-swj"));

    // Two people edit the same unit: the second, from the old version, is refused.
    let edit = |name: &'static str| {
        let region = region.clone();
        let b = &b;
        async move {
            b.post(
                &format!("/org/units/{}", u.id),
                &[
                    ("code", "gq-swj"),
                    ("name", name),
                    ("kind", "department"),
                    ("region_id", &region),
                    ("version", "1"),
                ],
            )
            .await
        }
    };
    assert_eq!(
        edit("县商务和投资促进局").await.status(),
        StatusCode::SEE_OTHER
    );
    let r = edit("县商务局（旧）").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("该记录已被他人修改"));
    assert_eq!(
        org::get_unit(&app.db, u.id).await.expect("get").name,
        "县商务和投资促进局"
    );

    let r = b
        .post(
            &format!("/org/units/{}/active", u.id),
            &[("active", "false"), ("version", "2")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!org::get_unit(&app.db, u.id).await.expect("get").active);
    let (_, html) = b.text("/org/units").await;
    assert!(
        !html.contains("gq-swj"),
        "disabled units are hidden by default"
    );
    let (_, html) = b.text("/org/units?inactive=1").await;
    assert!(html.contains("gq-swj"));
}

#[tokio::test]
async fn lists_filter_and_page() {
    let app = spawn_app().await;
    app.user("viewer-city", Role::Viewer, At::Region(&app.fx.city))
        .await;
    let b = app.login("viewer-city").await;
    let (_, html) = b
        .text(&format!("/org/units?region={}", app.fx.county_b.id))
        .await;
    assert!(html.contains("ht-fgj") && !html.contains("gq-fgj"));
    let (_, html) = b.text("/org/people?q=张").await;
    assert!(html.contains("张伟") && !html.contains("李娜"));
    let (_, html) = b.text("/org/regions?level=county").await;
    assert!(html.contains("370322") && html.contains("370321") && !html.contains("370322101"));
}

fn workbook(units: &[[&str; 5]], people: &[[&str; 3]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("单位").expect("name");
    for (c, h) in ["单位代码*", "单位名称*", "简称", "类型*", "所属区划代码*"]
        .iter()
        .enumerate()
    {
        ws.write(0, u16::try_from(c).expect("col"), *h)
            .expect("write");
    }
    for (r, row) in units.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write(
                u32::try_from(r + 1).expect("row"),
                u16::try_from(c).expect("col"),
                *v,
            )
            .expect("write");
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("人员").expect("name");
    for (c, h) in ["姓名*", "职务", "所在单位代码*"].iter().enumerate() {
        ws.write(0, u16::try_from(c).expect("col"), *h)
            .expect("write");
    }
    for (r, row) in people.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write(
                u32::try_from(r + 1).expect("row"),
                u16::try_from(c).expect("col"),
                *v,
            )
            .expect("write");
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

async fn upload(b: &Browser, bytes: Vec<u8>) -> reqwest::Response {
    let token = b.csrf().await;
    let form = Form::new()
        .text("_csrf", token)
        .part("file", Part::bytes(bytes).file_name("org.xlsx"));
    b.client
        .post(b.url("/org/import"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

#[tokio::test]
async fn importing_a_workbook_is_all_or_nothing_with_every_problem_named() {
    let app = spawn_app().await;
    app.user("admin-a", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    let b = app.login("admin-a").await;
    // The template downloads as a real workbook with both sheets.
    let r = b.get("/org/import/template.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) file");

    let units_before = org::units_by_codes(&app.db, &["gq-kjj".into()])
        .await
        .expect("q")
        .len();
    assert_eq!(units_before, 0);
    let bad = workbook(
        &[
            ["gq-kjj", "县科技局", "科技局", "县直部门", "370322"],
            ["gq-kjj", "县科技局", "", "县直部门", "370322"],
            ["gq-x", "", "", "部委", "999999"],
            ["ht-new", "桓台县新单位", "", "县直部门", "370321"],
        ],
        &[["王芳", "科员", "gq-kjj"], ["赵磊", "科员", "no-such-unit"]],
    );
    let r = upload(&b, bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    for expected in [
        "“单位”表第 3 行 · 单位代码：“gq-kjj”在本文件中重复出现。",
        "“单位”表第 4 行 · 单位名称：必填。",
        "“单位”表第 4 行 · 类型：请从列表中选择。",
        "“单位”表第 4 行 · 所属区划代码：区划代码“999999”不存在。",
        "“单位”表第 5 行 · 所属区划代码：区划代码“370321”不存在。",
        "“人员”表第 3 行 · 所在单位代码：单位代码“no-such-unit”不存在",
    ] {
        assert!(html.contains(expected), "missing: {expected}\n{html}");
    }
    assert!(
        org::unit_by_code(&app.db, "gq-kjj")
            .await
            .expect("q")
            .is_none(),
        "nothing imported"
    );

    let good = workbook(
        &[
            ["gq-kjj", "县科技局", "科技局", "县直部门", "370322"],
            ["gq-fgj", "县发展和改革局", "", "department", "370322"],
        ],
        &[["王芳", "科员", "gq-kjj"]],
    );
    let r = upload(&b, good.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("新增单位 1 个、更新 0 个、未变 1 个；新增人员 1 名"),
        "{html}"
    );
    let r = upload(&b, good).await;
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("新增单位 0 个、更新 0 个、未变 2 个；新增人员 0 名、更新 0 名、未变 1 名")
    );

    // Not a workbook at all.
    let r = upload(&b, b"name,code\n".to_vec()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("无法读取该文件"));
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_clearly() {
    let app = spawn_app_with(zhaoyin_web::WebConfig {
        upload_limit: 64 * 1024,
        ..Default::default()
    })
    .await;
    app.user("admin-a", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    let b = app.login("admin-a").await;
    let (n_before,): (i64,) = app
        .db
        .one(Sql::new("SELECT COUNT(*) FROM units"))
        .await
        .expect("count");
    let r = upload(&b, vec![b'x'; 200 * 1024]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("上传的内容过大（上限 64 KB）")
    );
    let (n_after,): (i64,) = app
        .db
        .one(Sql::new("SELECT COUNT(*) FROM units"))
        .await
        .expect("count");
    assert_eq!(n_before, n_after);
}

#[tokio::test]
async fn accounts_are_made_by_the_system_administrator_and_roles_by_the_security_administrator() {
    let app = spawn_app().await;
    app.user("sys", Role::Sysadmin, At::Region(&app.fx.county_a))
        .await;
    app.user("sec", Role::Secadmin, At::Region(&app.fx.county_a))
        .await;
    let sys = app.login("sys").await;
    let unit = app.fx.unit_a.id.to_string();
    let r = sys
        .post(
            "/admin/users",
            &[
                ("username", "newclerk"),
                ("display_name", "新填报员"),
                ("unit_id", &unit),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("密码至少 10 位"));
    let r = sys
        .post(
            "/admin/users",
            &[
                ("username", "newclerk"),
                ("display_name", "新填报员"),
                ("unit_id", &unit),
                ("password", "Initial#Pass1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sys
        .post(
            "/admin/users",
            &[
                ("username", "NewClerk"),
                ("display_name", "重名"),
                ("unit_id", &unit),
                ("password", "Initial#Pass1"),
            ],
        )
        .await;
    assert!(
        r.text().await.expect("body").contains("该值已被使用"),
        "username taken twice"
    );
    let u = zhaoyin_db::users::by_username(&app.db, "newclerk")
        .await
        .expect("q")
        .expect("created");
    assert!(u.must_change_password);
    // The system administrator cannot grant roles…
    let grant = [
        ("role", "clerk"),
        ("scope", &format!("unit:{unit}") as &str),
    ];
    let r = sys
        .post(&format!("/admin/users/{}/grants", u.id), &grant)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // …the security administrator can, but not an administrator role, and not to themselves.
    let sec = app.login("sec").await;
    let r = sec
        .post(&format!("/admin/users/{}/grants", u.id), &grant)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sec
        .post(
            &format!("/admin/users/{}/grants", u.id),
            &[
                ("role", "sysadmin"),
                ("scope", &format!("region:{}", app.fx.county_a.id) as &str),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("三员角色只能在服务器上用命令行授予")
    );
    let me = zhaoyin_db::users::by_username(&app.db, "sec")
        .await
        .expect("q")
        .expect("me");
    let r = sec
        .post(&format!("/admin/users/{}/grants", me.id), &grant)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let grants = zhaoyin_db::users::grants_of(&app.db, u.id)
        .await
        .expect("grants");
    assert_eq!(
        grants.iter().map(|g| g.role.as_str()).collect::<Vec<_>>(),
        vec!["clerk"]
    );
    // Disabling ends the account's sessions.
    let clerk = Browser::new(&app.base);
    assert_eq!(
        clerk.login("newclerk", "Initial#Pass1").await.status(),
        StatusCode::SEE_OTHER
    );
    let r = sys
        .post(
            &format!("/admin/users/{}/active", u.id),
            &[("active", "false"), ("version", &u.version.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(clerk.get("/").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        Browser::new(&app.base)
            .login("newclerk", "Initial#Pass1")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}
