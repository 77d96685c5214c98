//! Land-efficiency evaluation over HTTP on the demo county (both databases): the demo's class
//! list follows the rules' thresholds; a workbook with bad rows is refused by row and column and
//! changes nothing; enterprises exactly at the county's figures score the weights, and a class
//! begins exactly at its threshold; the year before is compared by the same rules; only the
//! county's supervisor writes, and a clerk reads nothing; the screens and the workbooks.

use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use zhaoyin_db::Sql;

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;

fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => s.parse().expect("a decimal"),
        other => other.to_string().parse().expect("a decimal"),
    }
}

const HEADERS: [&str; 10] = [
    "统一社会信用代码",
    "企业名称",
    "用地面积（亩）",
    "实缴税金（万元）",
    "营业收入（万元）",
    "工业总产值（万元）",
    "综合能耗（吨标准煤）",
    "研发经费支出（万元）",
    "从业人员（人）",
    "主要污染物排放量（吨）",
];

#[tokio::test]
async fn a_year_is_imported_evaluated_against_the_county_and_classed_at_thresholds() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let clerk = api_for(&base, &db, &demo_user(&db, "clerk").await).await;
    let this_year = i64::from(chrono::Datelike::year(&today()));

    // The demo's latest year: every enterprise classed by its score at the rules' thresholds,
    // best first, each with its class the year before.
    let v = json(sup.get("/api/v1/land").await).await;
    assert_eq!(v["year"], this_year - 1, "{v}");
    let rules = json(sup.get("/api/v1/land/rules").await).await;
    let (a, b, c) = (
        dec(&rules["rules"]["a"]),
        dec(&rules["rules"]["b"]),
        dec(&rules["rules"]["c"]),
    );
    let lines = v["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 24);
    let mut previous = Decimal::MAX;
    for l in lines {
        let score = dec(&l["score"]);
        let class = if score >= a {
            "A"
        } else if score >= b {
            "B"
        } else if score >= c {
            "C"
        } else {
            "D"
        };
        assert_eq!(l["class"], class, "{l}");
        assert!(score <= previous);
        previous = score;
        assert!(l["last_class"].is_string(), "{l}");
    }
    let counted: u64 = v["counts"]
        .as_object()
        .expect("counts")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(counted, 24);
    assert_eq!(
        clerk.get("/api/v1/land").await.status(),
        StatusCode::FORBIDDEN
    );

    // Three companies of the library with credit codes.
    let companies: Vec<(i64, String, Option<String>)> = db
        .all(Sql::new(
            "SELECT id, name, credit_code FROM companies WHERE credit_code IS NOT NULL \
             ORDER BY id DESC LIMIT 3",
        ))
        .await
        .expect("companies");
    let name = |n: usize| companies[n].1.as_str();
    let code = |n: usize| companies[n].2.as_deref().unwrap_or("");
    let year = (this_year - 3).to_string();
    let browser = Browser::new(&base);
    let r = browser.login("supervisor", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let send = |bytes: Vec<u8>, year: String| {
        let browser = &browser;
        async move {
            let form = reqwest::multipart::Form::new().text("year", year).part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("亩产.xlsx"),
            );
            let r = multipart(browser, "/land", form).await;
            let status = r.status();
            (status, r.text().await.expect("page"))
        }
    };

    // Refused, row by row, and nothing kept: an unknown enterprise, a figure that is not a
    // number, no land, the same enterprise twice.
    let bad = workbook(
        "亩产效益数据",
        HEADERS,
        &[
            ["", "不存在的公司", "10", "1", "1", "1", "1", "1", "1", "1"],
            [code(0), name(0), "10", "一百", "1", "1", "1", "1", "1", "1"],
            ["", name(1), "0", "1", "1", "1", "1", "1", "1", "1"],
            ["", name(0), "10", "1", "1", "1", "1", "1", "1", "1"],
            [code(2), name(1), "10", "1", "1", "1", "1", "1", "1", "1"],
        ],
    );
    let (status, html) = send(bad, year.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    for text in [
        "第 2 行",
        "第 3 行",
        "实缴税金（万元）",
        "用地面积（亩）",
        "与第 3 行是同一家企业",
        "企业名称与统一社会信用代码不是同一家企业",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }
    let v = json(sup.get(&format!("/api/v1/land?year={year}")).await).await;
    assert_eq!(v["lines"], json!([]), "nothing kept");

    // Three enterprises with the same figures are each exactly at the county's figures: each
    // indicator earns its weight, 100 in all, class B.
    let same = ["100", "1000", "10000", "11000", "500", "300", "200", "20"];
    let row = |n: usize| -> [&str; 10] {
        let mut r = [""; 10];
        r[0] = code(n);
        r[1] = name(n);
        r[2..].copy_from_slice(&same);
        r
    };
    let good = workbook("亩产效益数据", HEADERS, &[row(0), row(1), row(2)]);
    let (status, html) = send(good.clone(), year.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let v = json(sup.get(&format!("/api/v1/land?year={year}")).await).await;
    let lines = v["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 3);
    for l in lines {
        assert_eq!(dec(&l["score"]), Decimal::from(100), "{l}");
        assert_eq!(l["class"], "B");
        assert_eq!(l["rank"], 1, "equal scores share the rank");
    }
    // The same file again changes nothing; a year not finished is refused.
    let (status, _) = send(good.clone(), year.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        json(sup.get(&format!("/api/v1/land?year={year}")).await).await,
        v
    );
    let (status, html) = send(good, this_year.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("年度"), "{html}");

    // Class A from exactly its threshold: the rules lowered to 100, and by the same rules the
    // year after compares.
    let mut lowered = rules["rules"].clone();
    lowered["a"] = json!("100");
    let r = sup
        .send(
            Method::PUT,
            "/api/v1/land/rules",
            json!({"rules": {"a": "80", "b": "90", "c": "50"}, "version": rules["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [("a".into(), "land.thresholds".into())]
    );
    let r = clerk
        .send(
            Method::PUT,
            "/api/v1/land/rules",
            json!({"rules": lowered, "version": rules["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup
        .send(
            Method::PUT,
            "/api/v1/land/rules",
            json!({"rules": lowered, "version": rules["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = json(sup.get(&format!("/api/v1/land?year={year}")).await).await;
    assert!(
        v["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .all(|l| l["class"] == "A")
    );
    // The year before, by API, with the same figures: compared by the same (lowered) rules.
    let figures = |n: usize| {
        json!({"company_id": companies[n].0, "figures": {"land_mu": "100", "tax": "1000",
            "revenue": "10000", "output": "11000", "energy_tce": "500", "rnd": "300",
            "employees": 200, "emissions": "20"}})
    };
    let r = sup
        .send(
            Method::PUT,
            &format!("/api/v1/land/years/{}", this_year - 4),
            json!([figures(0), figures(1), figures(2)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v = json(sup.get(&format!("/api/v1/land?year={year}")).await).await;
    assert!(
        v["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .all(|l| l["last_class"] == "A" && dec(&l["last_score"]) == Decimal::from(100)),
        "{v}"
    );

    // By API: a company not in the library and the same one twice, refused by row.
    let figures = json!({"land_mu": "10", "tax": "1", "revenue": "1", "output": "1",
        "energy_tce": "1", "rnd": "0", "employees": 1, "emissions": "1"});
    let r = sup
        .send(
            Method::PUT,
            &format!("/api/v1/land/years/{year}"),
            json!([{"company_id": 999_999, "figures": figures},
                   {"company_id": companies[0].0, "figures": figures},
                   {"company_id": companies[0].0, "figures": figures}]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [
            ("rows[0].company_id".into(), "choice".into()),
            ("rows[2].company_id".into(), "land.twice".into())
        ]
    );

    // An enterprise's trend: every year it was evaluated, with its rank among how many.
    let t = json(
        sup.get(&format!("/api/v1/land/companies/{}", companies[0].0))
            .await,
    )
    .await;
    let points = t["points"].as_array().expect("points");
    assert!(
        points
            .iter()
            .any(|p| p["year"] == this_year - 3 && p["of"] == 3)
    );

    // Another county reads its own (nothing yet), not this county's enterprises.
    let county = zhaoyin_db::org::get_region(
        &db,
        zhaoyin_db::org::get_unit(&db, supervisor.unit_id)
            .await
            .expect("unit")
            .region_id,
    )
    .await
    .expect("county");
    let neighbour = neighbour_supervisor(&db, &county, "ln-sup").await;
    let neighbour = api_for(&base, &db, &neighbour).await;
    let theirs = json(neighbour.get("/api/v1/land").await).await;
    assert_eq!(
        (&theirs["year"], &theirs["lines"]),
        (&Value::Null, &json!([]))
    );
    let r = neighbour
        .get(&format!("/api/v1/land/companies/{}", companies[0].0))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = neighbour
        .send(
            Method::PUT,
            &format!("/api/v1/land/years/{year}"),
            json!([{"company_id": companies[0].0, "figures": figures}]),
        )
        .await;
    // Its county has no rules yet, and the company is not in its library.
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        [("rules".into(), "land.no_rules".into())]
    );

    // The screens and the workbook.
    let (status, html) = browser.text(&format!("/land?year={year}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("A 类") && html.contains(name(0)), "{html}");
    let (status, html) = browser.text("/land/rules").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("亩均税收"));
    let (status, html) = browser
        .text(&format!("/land/companies/{}", companies[0].0))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&year));
    let r = browser
        .get(&format!("/land/classes.xlsx?year={year}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        first_sheet_text(r.bytes().await.expect("bytes").to_vec()).len(),
        3 + 3
    );
    let r = browser.get("/land/template.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
}
