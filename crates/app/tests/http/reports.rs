//! Reports over HTTP on the demo county: every figure of a month's table and of a quarter's
//! equals the list it links to; a past quarter's report gives the same figures after new data
//! dated in it is recorded, while the running month's report counts the new data; the workbook
//! and the Word notice carry the report's figures.

use chrono::{Datelike, NaiveDate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;

/// The report at `query`, each of its figures checked against its list: the region's line, and
/// every unit's line (zeros too for the first units, every non-zero figure for the others).
async fn checked_report(api: &Api, query: &str) -> Value {
    let r = api.get(&format!("/api/v1/reports{query}")).await;
    let status = r.status();
    let rep = json(r).await;
    assert_eq!(status, StatusCode::OK, "reports{query}: {rep}");
    let columns: Vec<String> = rep["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c.as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(columns.len(), 13);
    let mut lines = vec![&rep["total"]];
    lines.extend(rep["lines"].as_array().expect("lines"));
    assert!(lines.len() > 1, "a line per unit or region beneath");
    for (n, line) in lines.iter().enumerate() {
        for (column, f) in columns
            .iter()
            .zip(line["figures"].as_array().expect("figures"))
        {
            let value = f["value"].as_i64().expect("value");
            if n > 4 && value == 0 {
                continue;
            }
            let link = f["api"].as_str().expect("api link");
            let r = api.get(link).await;
            assert_eq!(r.status(), StatusCode::OK, "{link}");
            let list = json(r).await;
            let got = match column.as_str() {
                "funds" => {
                    list["verified"].as_i64().unwrap_or(-1)
                        + list["unverified"].as_i64().unwrap_or(-1)
                }
                "funds_verified" => list["verified"].as_i64().unwrap_or(-1),
                _ => list["total"].as_i64().unwrap_or(-1),
            };
            assert_eq!(got, value, "{} {column} at {link}", line["name"]);
        }
    }
    let overdue = rep["overdue_total"]["api"].as_str().expect("overdue link");
    assert_eq!(
        json(api.get(overdue).await).await["total"],
        rep["overdue_total"]["value"],
        "{overdue}"
    );
    rep
}

/// The region's figure `column` of a report.
fn total_figure<'a>(rep: &'a Value, column: &str) -> &'a Value {
    let i = rep["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .position(|c| c == column)
        .expect("column");
    &rep["total"]["figures"][i]
}

fn total(rep: &Value, column: &str) -> i64 {
    total_figure(rep, column)["value"].as_i64().expect("value")
}

#[tokio::test]
async fn report_figures_equal_their_lists_and_a_past_quarter_never_changes() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;

    // The last complete month by default; this month; the last complete quarter.
    let last_month = checked_report(&sup, "").await;
    let last_day =
        NaiveDate::parse_from_str(last_month["last"].as_str().expect("last"), "%Y-%m-%d")
            .expect("a day");
    assert_eq!(last_month["as_of"], last_month["last"]);
    let this_month = last_day.succ_opt().expect("a day");
    let month = format!("{:04}-{:02}", this_month.year(), this_month.month());
    let running = checked_report(&sup, &format!("?period={month}")).await;
    let quarter = {
        let q = (this_month.month0() / 3) as i32; // the running quarter, 0-based
        let (y, q) = if q == 0 {
            (this_month.year() - 1, 4)
        } else {
            (this_month.year(), q)
        };
        format!("{y:04}-Q{q}")
    };
    let past = checked_report(&sup, &format!("?period={quarter}")).await;
    // The demo records its activities, signings and funds on their days: the quarter has them.
    assert!(total(&past, "talks") > 0, "talks in {quarter}");
    assert!(total(&past, "funds") > 0, "funds in {quarter}");
    let entered: i64 = ["signed", "registered", "started"]
        .iter()
        .map(|c| total(&past, c))
        .sum();
    assert!(entered > 0, "projects moving on in {quarter}");
    assert_eq!(
        past["facts"].as_array().expect("facts").len(),
        8,
        "the facts against the quarter before"
    );

    // The city's supervisor: a line per county, the demo county's equal to its own total.
    let unit = zhaoyin_db::org::get_unit(&db, supervisor.unit_id)
        .await
        .expect("unit");
    let county = zhaoyin_db::org::get_region(&db, unit.region_id)
        .await
        .expect("county");
    let city = zhaoyin_db::org::get_region(&db, county.parent_id.expect("a city above"))
        .await
        .expect("city");
    let city_sup = zhaoyin_db::testing::user_with(
        &db,
        "city-sup",
        &unit,
        zhaoyin_core::authz::Role::Supervisor,
        zhaoyin_db::testing::At::Region(&city),
    )
    .await;
    let city_api = api_for(&base, &db, &city_sup).await;
    let of_city = checked_report(&city_api, &format!("?period={quarter}")).await;
    assert_eq!(of_city["region_id"], city.id);
    let county_line = of_city["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["region_id"] == county.id)
        .expect("the county's line");
    let values = |line: &Value| -> Vec<i64> {
        line["figures"]
            .as_array()
            .expect("figures")
            .iter()
            .map(|f| f["value"].as_i64().unwrap_or(-1))
            .collect()
    };
    assert_eq!(values(county_line), values(&past["total"]));

    // New data dated inside the past quarter, recorded now: talks, and funds of a project.
    let first = NaiveDate::parse_from_str(past["first"].as_str().expect("first"), "%Y-%m-%d")
        .expect("first day");
    let in_quarter = first + chrono::Duration::days(20);
    let talks = |day: NaiveDate| {
        json!({"kind": "talks", "title": "补记的洽谈", "place": "县政务中心",
               "starts_on": day, "ends_on": day})
    };
    let r = sup
        .send(Method::POST, "/api/v1/activities", talks(in_quarter))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let projects = json(sup.get("/api/v1/projects?stage=started").await).await;
    let project = projects["items"][0]["id"]
        .as_i64()
        .expect("a started project");
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/projects/{project}/funds"),
            json!({"received_on": in_quarter, "amount": 777, "evidence_type": "bank_receipt"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", json(r).await);

    // The past quarter: the same report, figure for figure, and its lists still agree.
    let again = checked_report(&sup, &format!("?period={quarter}")).await;
    assert_eq!(again, past);
    // Read now (no `as_of`), the lists behind it do count the new rows.
    let link = |rep: &Value, column: &str| {
        total_figure(rep, column)["api"]
            .as_str()
            .expect("api")
            .split("&as_of=")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let now = json(sup.get(&link(&past, "talks")).await).await;
    assert_eq!(now["total"].as_i64(), Some(total(&past, "talks") + 1));

    // Talks the quarter counted, changed later: another unit joins, they become a visit, and
    // they are cancelled. The quarter still counts them where it did (activities keep their
    // versions, with the units then taking part), its lists as of its end agree with every
    // figure, and only read now do they leave the talks.
    let changed = now["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["title"] != "补记的洽谈")
        .expect("talks the quarter counted")
        .clone();
    let id = changed["id"].as_i64().expect("id");
    let had: Vec<i64> = changed["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter_map(|u| u["id"].as_i64())
        .collect();
    let joining = past["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["unit_id"].as_i64())
        .find(|u| !had.contains(u))
        .expect("a unit not taking part");
    let mut units = had.clone();
    units.push(joining);
    let r = sup
        .send(
            Method::PATCH,
            &format!("/api/v1/activities/{id}"),
            json!({"unit_ids": units, "version": changed["version"]}),
        )
        .await;
    let joined = json(r).await;
    assert_eq!(
        joined["units"].as_array().map(Vec::len),
        Some(units.len()),
        "{joined}"
    );
    let again = checked_report(&sup, &format!("?period={quarter}")).await;
    assert_eq!(again, past);
    // The joining unit's talks, listed as of the quarter's end: without these.
    let line = again["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["unit_id"] == joining)
        .expect("the joining unit's line");
    let talks_column = again["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .position(|c| c == "talks")
        .expect("talks");
    let listed_link = line["figures"][talks_column]["api"]
        .as_str()
        .expect("api")
        .to_string();
    assert!(listed_link.contains("as_of="), "{listed_link}");
    let listed = json(sup.get(&format!("{listed_link}&per_page=200")).await).await;
    assert!(
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|a| a["id"] != id),
        "as of the quarter's end the unit had not joined: {listed}"
    );
    // Read now, the unit took part.
    let now_link = listed_link.split("&as_of=").next().unwrap_or_default();
    let listed = json(sup.get(&format!("{now_link}&per_page=200")).await).await;
    assert!(
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|a| a["id"] == id),
        "read now the unit took part: {listed}"
    );
    let r = sup
        .send(
            Method::PATCH,
            &format!("/api/v1/activities/{id}"),
            json!({"kind": "visit", "version": joined["version"]}),
        )
        .await;
    let edited = json(r).await;
    assert_eq!(edited["kind"], "visit", "{edited}");
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/activities/{id}/status"),
            json!({"status": "cancelled", "reason": "录入有误", "outcome": "",
                   "version": edited["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", json(r).await);
    let again = checked_report(&sup, &format!("?period={quarter}")).await;
    assert_eq!(again, past);
    let now = json(sup.get(&link(&past, "talks")).await).await;
    assert_eq!(now["total"].as_i64(), Some(total(&past, "talks")));

    // The running month counts what is recorded in it.
    let r = sup
        .send(Method::POST, "/api/v1/activities", talks(this_month))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let after = checked_report(&sup, &format!("?period={month}")).await;
    assert_eq!(total(&after, "talks"), total(&running, "talks") + 1);

    // The workbook and the notice carry the past quarter's figures.
    let b = Browser::new(&base);
    let r = b.login("supervisor", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = b.text(&format!("/reports?period={quarter}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"report-table\""));
    let r = b
        .get(&format!("/reports/table.xlsx?period={quarter}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = first_sheet(r.bytes().await.expect("bytes").to_vec());
    assert_eq!(rows[2][0].to_string(), "单位");
    let last_row = rows.last().expect("the total line");
    assert_eq!(last_row[0].to_string(), "合计");
    let figures: Vec<i64> = past["total"]["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .map(|f| f["value"].as_i64().unwrap_or_default())
        .collect();
    let cells: Vec<i64> = last_row[1..]
        .iter()
        .map(|c| match c {
            calamine::Data::Float(f) => *f as i64,
            calamine::Data::Int(i) => *i,
            other => panic!("not a number: {other:?}"),
        })
        .collect();
    assert_eq!(cells, figures);
    let r = b
        .get(&format!("/reports/notice.docx?period={quarter}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = zhaoyin_office::text::docx(&r.bytes().await.expect("bytes")).expect("a Word file");
    for part in [
        "调度通报",
        "一、总体情况",
        "二、各单位情况",
        "三、逾期任务",
        "合计",
    ] {
        assert!(text.contains(part), "{part} in the notice");
    }
    let signed = total(&past, "signed");
    assert!(
        text.contains(&format!("新签约项目{signed}个")),
        "the signings in the narrative: {text}"
    );

    // A future period, a week, nonsense: refused with the field named.
    for bad in ["2999-01", "2026-W3", "abc"] {
        let r = sup.get(&format!("/api/v1/reports?period={bad}")).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(codes(&json(r).await)[0].0, "period");
    }
}
