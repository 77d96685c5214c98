//! The supervision screens in a signed-in browser session: a policy imported through the page
//! (paste, preview side by side, correct, confirm), the task list found by pinyin, a task
//! accepted and reported on through its page with a file, the to-do, the lights, and the
//! breakdown table exported as XLSX.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::{At, PASSWORD};

use crate::helpers::*;

const DOC: &str = "某县推进项目招引的若干措施\n2019-09-01\n\n一、项目招引\n\n\
1.精准招商。每月报送进展，引进项目不少于20个、总部机构不少于5个。\n\n责任人:张伟\n\n\
责任单位:县发展和改革局,县投资促进中心\n\n二、项目服务\n\n\
2.做好项目服务。年底前完成。\n\n责任人:张伟\n\n责任单位:县投资促进中心\n";

async fn signed_in(app: &TestApp, username: &str) -> Browser {
    let b = Browser::new(&app.base);
    assert_eq!(
        b.login(username, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    b
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_policy_is_imported_and_worked_through_the_pages() {
    let app = spawn_app().await;
    let fx = &app.fx;
    app.user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let sup = signed_in(&app, "sup").await;
    // Only someone who may file policies gets an upload read at all.
    let clerk = signed_in(&app, "clerk-a").await;
    let r = multipart(&clerk, "/policies/import", Form::new().text("text", DOC)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Nothing pasted: the form says so and keeps the page.
    let r = multipart(&sup, "/policies/import", Form::new().text("text", "  ")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("请粘贴政策文本"));
    // An unsupported file is named.
    let r = multipart(
        &sup,
        "/policies/import",
        Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("policy.pdf")),
    )
    .await;
    assert!(r.text().await.expect("body").contains(".docx"));

    // The preview: the source beside the parsed measures, names matched.
    let r = multipart(
        &sup,
        "/policies/import",
        Form::new().part(
            "file",
            Part::bytes(DOC.as_bytes().to_vec()).file_name("措施.txt"),
        ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("body");
    assert!(html.contains("核对识别结果"));
    assert!(html.contains("name=\"source_text\""));
    assert!(html.contains("name=\"m0.title\" value=\"精准招商\""));
    assert!(html.contains(&format!(
        "<option value=\"{}\" selected>县发展和改革局",
        fx.unit_a.id
    )));

    // Corrections: measure 1 renamed, its second indicator dropped; measure 2 loses its lead
    // unit, which is refused by measure number.
    let source = DOC.to_string();
    let unit_a = fx.unit_a.id.to_string();
    let unit_a2 = fx.unit_a2.id.to_string();
    let person = fx.person_a.id.to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("source_text", &source),
        ("title", "某县推进项目招引的若干措施"),
        ("doc_number", "某办发〔2019〕1号"),
        ("issued_on", "2019-09-01"),
        ("m0.title", "精准招商（修订）"),
        ("m0.cadence", "monthly"),
        ("m0.lead", &unit_a),
        ("m0.support", &unit_a2),
        ("m0.leader", &person),
        ("m0.ind0.keep", "1"),
        ("m0.ind0.name", "引进项目"),
        ("m0.ind0.value", "20"),
        ("m0.ind0.unit", "个"),
        ("m0.ind1.name", "总部机构"),
        ("m0.ind1.value", "5"),
        ("m1.title", "做好项目服务"),
        ("m1.cadence", "once"),
        ("m1.deadline", "2019-12-31"),
    ];
    let r = sup.post("/policies/import/confirm", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("第 2 条措施 · 牵头单位"),
        "problem named by measure"
    );
    assert!(
        html.contains("value=\"精准招商（修订）\""),
        "corrections kept"
    );
    form.push(("m1.lead", &unit_a2));
    let r = sup.post("/policies/import/confirm", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let policy_page = location(&r);
    assert!(policy_page.starts_with("/policies/"));
    let (_, html) = sup.text(&policy_page).await;
    assert!(html.contains("精准招商（修订）"));
    assert!(html.contains("二、项目服务"));

    // The list finds it by pinyin initials of its title; the task page shows the clause.
    let (_, html) = sup.text("/tasks?q=jzzs").await;
    assert!(html.contains("精准招商（修订）"));
    assert!(!html.contains("做好项目服务"));
    let id: i64 = html
        .split("href=\"/tasks/")
        .filter_map(|s| s.split('"').next())
        .find_map(|s| s.parse().ok())
        .expect("task link");
    let (_, html) = sup.text(&format!("/tasks/{id}")).await;
    assert!(html.contains("每月报送进展"), "clause text");
    assert!(html.contains("<td>引进项目</td>"));
    assert!(!html.contains("<td>总部机构</td>"), "the dropped indicator");

    // The clerk's to-do offers it to accept; accepting and reporting happen on the task page.
    let (_, html) = clerk.text("/tasks/todo").await;
    assert!(html.contains("待签收的任务"));
    let r = multipart(
        &clerk,
        &format!("/tasks/{id}/transition"),
        Form::new()
            .text("transition", "accept")
            .text("version", "1"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = multipart(
        &clerk,
        &format!("/tasks/{id}/report"),
        Form::new().text("progress", " "),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("进展情况：必填"));
    let r = multipart(
        &clerk,
        &format!("/tasks/{id}/report"),
        Form::new()
            .text("progress", "已对接企业5家")
            .text("percent", "25")
            .text("on_track", "yes")
            .part(
                "files",
                Part::bytes(b"minutes".to_vec()).file_name("纪要.txt"),
            ),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = clerk.text(&format!("/tasks/{id}")).await;
    assert!(html.contains("已对接企业5家"));
    assert!(html.contains("纪要.txt"));
    // The supervisor sees it waiting for review, and approves it on the task page.
    let (_, html) = sup.text("/tasks/todo").await;
    assert!(html.contains("审核进展报告"));
    let (_, page) = sup.text(&format!("/tasks/{id}")).await;
    let review = page
        .split("action=\"")
        .filter_map(|s| s.split('"').next())
        .find(|a| a.contains("/reports/") && a.ends_with("/review"))
        .expect("review form")
        .to_string();
    let r = sup
        .post(&review, &[("approve", "1"), ("comment", "")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = sup.text(&format!("/tasks/{id}")).await;
    assert!(html.contains("已通过"));

    // Lights by unit, and the breakdown table.
    let (_, html) = sup.text("/tasks/lights").await;
    assert!(html.contains("县发展和改革局"));
    let r = sup.get("/tasks/export.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("xlsx");
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = wb.worksheet_range("任务").expect("sheet");
    assert_eq!(range.get((2, 0)), Some(&Data::String("序号".into())));
    let cells: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(cells.iter().any(|c| c == "精准招商（修订）"));
    assert!(cells.iter().any(|c| c.contains("已对接企业5家")));
    assert!(cells.iter().any(|c| c == "绿灯"));

    // Tasks added from a breakdown table laid out like the export: a bad row is named and
    // nothing is added; then the new row is added and the known one left alone.
    let table = |lead: &str| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("任务").expect("name");
        ws.write(0, 0, "任务分解表").expect("cell");
        ws.write(1, 0, "2019-09-01").expect("cell");
        for (c, h) in [
            "序号",
            "措施",
            "任务",
            "责任人",
            "牵头单位",
            "配合单位",
            "完成时限",
            "进展",
            "灯",
        ]
        .iter()
        .enumerate()
        {
            ws.write(2, c as u16, *h).expect("cell");
        }
        let rows = [
            [
                "1",
                "1. 精准招商",
                "精准招商（修订）",
                "张伟",
                "县发展和改革局",
                "",
                "每月",
                "",
                "",
            ],
            [
                "2",
                "2",
                "建立项目服务专员制度",
                "张伟",
                lead,
                "县直各部门、单位",
                "2019-12-31",
                "",
                "",
            ],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write(3 + r as u32, c as u16, *v).expect("cell");
            }
        }
        wb.save_to_buffer().expect("xlsx")
    };
    let upload =
        |bytes: Vec<u8>| Form::new().part("file", Part::bytes(bytes).file_name("分解表.xlsx"));
    let policy_path = policy_page.split('?').next().unwrap_or_default();
    let tasks_path = format!("{policy_path}/tasks.xlsx");
    let r = multipart(&sup, &tasks_path, upload(table("县不存在局"))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("第 5 行"),
        "the row as the spreadsheet numbers it"
    );
    assert!(html.contains("牵头单位：组织机构中没有单位“县不存在局”"));
    let r = multipart(&sup, &tasks_path, upload(table("县投资促进中心"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("新增 1 项任务，1 项已存在")
    );
    let r = multipart(&sup, &tasks_path, upload(table("县投资促进中心"))).await;
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("新增 0 项任务，2 项已存在")
    );
    let (_, html) = sup.text("/tasks?q=xmfw").await;
    assert!(html.contains("建立项目服务专员制度"));
}
