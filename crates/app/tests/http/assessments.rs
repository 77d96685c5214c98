//! Assessment over HTTP on the demo county (both databases): a scheme of three groups is
//! computed over the last complete quarter; every figure read from the platform equals the
//! list or the rows behind it; hand scores need a reason; publication freezes the run, which
//! recomputes to identical figures after new data and a new version of the scheme; a unit
//! appeals, the supervisor upholds, and the change is in the audit log; an overdue task
//! exempted is shown and not deducted.

use chrono::{Datelike, NaiveDate};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use zhaoyin_db::Sql;

use crate::dashboard::{api_for, demo_app, demo_user};
use crate::helpers::*;

fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => s.parse().expect("a decimal"),
        Value::Number(n) => n.to_string().parse().expect("a decimal"),
        other => panic!("not a decimal: {other}"),
    }
}

/// The last complete quarter before `today`, and the running one.
fn quarters(today: NaiveDate) -> (String, String) {
    let q = today.month0() / 3 + 1;
    let (y, last) = if q == 1 {
        (today.year() - 1, 4)
    } else {
        (today.year(), q - 1)
    };
    (format!("{y}-Q{last}"), format!("{}-Q{q}", today.year()))
}

fn scheme(departments: &[i64], parks: &[i64], towns: &[i64]) -> Value {
    let linear = |key: &str, measure: &str, weight: u32, target: u32| {
        json!({"key": key, "name": key, "measure": measure, "weight": weight.to_string(),
               "direction": "higher",
               "method": {"kind": "linear", "target": target.to_string(), "zero": "0"}})
    };
    json!({
        "scheme": {
            "name": "招商引资季度考核",
            "period": "quarter",
            "groups": [
                {"key": "departments", "name": "县直部门", "multiplier": "1", "indicators": [
                    linear("trips", "trips_out", 20, 6),
                    {"key": "talks", "name": "洽谈", "measure": "negotiations", "weight": "20",
                     "direction": "higher", "method": {"kind": "rank", "step": "0.1", "floor": "0.5"}},
                    linear("funds", "funds_verified", 20, 5000),
                    linear("closed", "tasks_closed_on_time", 10, 3),
                    linear("reports", "reports_on_time", 10, 6),
                    {"key": "service", "name": "营商服务", "weight": "20", "direction": "higher",
                     "method": {"kind": "manual"}}
                ]},
                {"key": "parks", "name": "园区", "multiplier": "1.5", "indicators": [
                    linear("signed", "signings", 40, 3),
                    linear("started", "projects_started", 30, 2),
                    linear("solved", "problems_solved_in_time", 30, 3)
                ]},
                {"key": "towns", "name": "乡镇（街道）", "multiplier": "1", "indicators": [
                    {"key": "trips", "name": "外出招商", "measure": "trips_out", "weight": "50",
                     "direction": "higher", "method": {"kind": "points", "per": "5"}},
                    linear("signed", "signings", 50, 2)
                ]}
            ],
            "deductions": [{"cause": "overdue_task", "points": "1", "cap": "5"}]
        },
        "members": {"departments": departments, "parks": parks, "towns": towns}
    })
}

/// Every figure of a run against what is behind it: a list's total (or its verified funds),
/// or as many rows as the figure counts.
async fn check_figures(api: &Api, run: &Value) {
    let groups = run["inputs"]["groups"].as_object().expect("groups");
    let mut checked = 0;
    for subjects in groups.values() {
        for s in subjects.as_array().expect("subjects") {
            let unit = s["id"].as_i64().expect("id").to_string();
            for (key, value) in s["values"].as_object().expect("values") {
                let behind = &run["inputs"]["behind"][&unit][key];
                let value = dec(value);
                let counted = match behind["kind"].as_str() {
                    Some("list") => {
                        let link = behind["api"].as_str().expect("api");
                        let r = api.get(link).await;
                        assert_eq!(r.status(), StatusCode::OK, "{link}");
                        let list = json(r).await;
                        if link.starts_with("/api/v1/funds") {
                            Decimal::from(list["verified"].as_i64().expect("verified"))
                        } else {
                            Decimal::from(list["total"].as_i64().expect("total"))
                        }
                    }
                    Some(_) => Decimal::from(behind["ids"].as_array().expect("ids").len()),
                    None => panic!("nothing behind {unit} {key}: {run}"),
                };
                assert_eq!(counted, value, "unit {unit} {key}: {behind}");
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "{checked} figures checked");
}

fn score_of<'a>(run: &'a Value, group: &str, unit: i64) -> &'a Value {
    run["results"][group]
        .as_array()
        .expect("scores")
        .iter()
        .find(|s| s["subject_id"] == unit)
        .expect("the unit's score")
}

#[tokio::test]
async fn a_quarter_is_computed_published_recomputed_identically_and_appealed() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let clerk_user = demo_user(&db, "clerk").await;
    let clerk = api_for(&base, &db, &clerk_user).await;
    let units: Vec<(i64, String)> = db
        .all(Sql::new(
            "SELECT id, kind FROM units WHERE active ORDER BY id",
        ))
        .await
        .expect("units");
    let of_kind = |k: &str| -> Vec<i64> {
        units
            .iter()
            .filter(|(_, kind)| kind == k)
            .map(|(id, _)| *id)
            .collect()
    };
    let (departments, parks, towns) = (of_kind("department"), of_kind("park"), of_kind("town"));
    assert!(departments.contains(&clerk_user.unit_id));
    let county = zhaoyin_db::org::get_unit(&db, supervisor.unit_id)
        .await
        .expect("unit")
        .region_id;

    let before = json(sup.get("/api/v1/assessments").await).await;
    // Refused, with the place of each problem, and nothing kept: a unit in two groups, the same
    // cause deducted twice, a weight of nothing; a clerk may not.
    let mut bad = scheme(&departments, &parks, &towns);
    bad["region_id"] = json!(county);
    bad["members"]["towns"] = json!([departments[0]]);
    bad["scheme"]["deductions"] = json!([{"cause": "upheld_complaint", "points": "2", "cap": null},
               {"cause": "upheld_complaint", "points": "1", "cap": null}]);
    bad["scheme"]["groups"][0]["indicators"][0]["weight"] = json!("0");
    let r = sup.send(Method::POST, "/api/v1/assessments", bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = json(r).await["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_string())
        .collect();
    for f in [
        "members.towns",
        "scheme.deductions[1].cause",
        "scheme.groups[0].indicators[0].weight",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
    }
    let mut body = scheme(&departments, &parks, &towns);
    body["region_id"] = json!(county);
    let r = clerk
        .send(Method::POST, "/api/v1/assessments", body.clone())
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        json(sup.get("/api/v1/assessments").await).await,
        before,
        "nothing kept"
    );

    let r = sup.send(Method::POST, "/api/v1/assessments", body).await;
    let status = r.status();
    let created = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["version"], 1);

    // A month is not a quarter.
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessments/{id}/runs"),
            json!({"period": "2026-09"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let (quarter, running) = quarters(today());
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessments/{id}/runs"),
            json!({"period": quarter}),
        )
        .await;
    let status = r.status();
    let run = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    let run_id = run["id"].as_i64().expect("run id");
    assert_eq!(run["status"], "computed");
    check_figures(&sup, &run).await;
    // The demo's quarter has talks and funds: departments are told apart.
    let depts = run["results"]["departments"]
        .as_array()
        .expect("departments");
    assert_eq!(depts.len(), departments.len());
    assert_eq!(depts[0]["rank"], 1);
    assert!(dec(&depts[0]["total"]) > dec(&depts[depts.len() - 1]["total"]));
    // A draft is the supervisor's: the clerk does not see it.
    let r = clerk
        .get(&format!("/api/v1/assessment-runs/{run_id}"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A hand score needs a reason, and stays within the weight.
    let hand = |points: &str, reason: &str, version: i64| {
        json!({"version": version, "unit_id": clerk_user.unit_id, "indicator": "service",
               "points": points, "reason": reason})
    };
    let path = format!("/api/v1/assessment-runs/{run_id}/hand-scores");
    let version = run["version"].as_i64().expect("version");
    let r = sup.send(Method::PUT, &path, hand("15", " ", version)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sup
        .send(Method::PUT, &path, hand("25", "超出", version))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = clerk
        .send(Method::PUT, &path, hand("20", "自评", version))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = sup
        .send(Method::PUT, &path, hand("15", "服务企业获表扬", version))
        .await;
    let status = r.status();
    let run = json(r).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    let line = |run: &Value, key: &str| -> Value {
        score_of(run, "departments", clerk_user.unit_id)["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .find(|l| l["key"] == key)
            .cloned()
            .expect("line")
    };
    assert_eq!(dec(&line(&run, "service")["points"]), Decimal::from(15));
    // A stale version is refused.
    let r = sup
        .send(Method::PUT, &path, hand("10", "再评", version))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // Computed again, the hand score is kept.
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessments/{id}/runs"),
            json!({"period": quarter}),
        )
        .await;
    let run = json(r).await;
    assert_eq!(run["id"], run_id);
    assert_eq!(dec(&line(&run, "service")["points"]), Decimal::from(15));

    // Published: frozen, and the clerk reads it.
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessment-runs/{run_id}/publish"),
            json!({"version": run["version"]}),
        )
        .await;
    let status = r.status();
    let published = json(r).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["status"], "published");
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessments/{id}/runs"),
            json!({"period": quarter}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let seen = json(
        clerk
            .get(&format!("/api/v1/assessment-runs/{run_id}"))
            .await,
    )
    .await;
    assert_eq!(seen["results"], published["results"]);

    // New data dated in the quarter, and a new version of the scheme: the published run keeps
    // its figures and version, and recomputes to exactly its scores.
    let first = {
        let (y, q) = quarter.split_once("-Q").expect("quarter");
        let q: u32 = q.parse().expect("q");
        NaiveDate::from_ymd_opt(y.parse().expect("year"), (q - 1) * 3 + 1, 1).expect("day")
    };
    let day = first + chrono::Duration::days(10);
    let r = sup
        .send(
            Method::POST,
            "/api/v1/activities",
            json!({"kind": "talks", "title": "补记的洽谈", "place": "县政务中心",
                   "starts_on": day, "ends_on": day}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut v2 = scheme(&departments, &parks, &towns);
    v2["version"] = json!(1);
    v2["scheme"]["groups"][0]["indicators"][0]["weight"] = json!("30");
    let r = sup
        .send(
            Method::PUT,
            &format!("/api/v1/assessments/{id}"),
            v2.clone(),
        )
        .await;
    let status = r.status();
    let revised = json(r).await;
    assert_eq!(status, StatusCode::OK, "{revised}");
    assert_eq!(revised["version"], 2);
    let r = sup
        .send(Method::PUT, &format!("/api/v1/assessments/{id}"), v2)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "made from version 1 again"
    );
    let again = json(sup.get(&format!("/api/v1/assessment-runs/{run_id}")).await).await;
    assert_eq!(again["results"], published["results"]);
    assert_eq!(again["inputs"], published["inputs"]);
    assert_eq!(again["scheme_version"], 1);
    let recomputed = json(
        clerk
            .get(&format!("/api/v1/assessment-runs/{run_id}/recompute"))
            .await,
    )
    .await;
    assert_eq!(recomputed["identical"], true);
    assert_eq!(recomputed["results"], published["results"]);

    // The clerk appeals for the unit (not for another); the supervisor upholds.
    let trips = dec(&line(&published, "trips")["value"]);
    let asked = trips + Decimal::from(3);
    let appeal = |unit: i64| {
        json!({"unit_id": unit, "indicator": "trips", "reason": "三次外出招商漏报",
               "asked": asked.to_string()})
    };
    let appeals = format!("/api/v1/assessment-runs/{run_id}/appeals");
    let other = departments
        .iter()
        .find(|u| **u != clerk_user.unit_id)
        .copied()
        .expect("another department");
    let r = clerk.send(Method::POST, &appeals, appeal(other)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = clerk
        .send(Method::POST, &appeals, appeal(clerk_user.unit_id))
        .await;
    let status = r.status();
    let filed = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["status"], "pending");
    assert_eq!(
        dec(&filed["figure"]),
        trips,
        "the figure appealed against is kept"
    );
    // One appeal at a time against one figure.
    let r = clerk
        .send(Method::POST, &appeals, appeal(clerk_user.unit_id))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let decision = format!("/api/v1/assessment-appeals/{}/decision", filed["id"]);
    let decide = json!({"version": filed["version"], "run_version": published["version"],
                        "upheld": true, "decision": "经核实，补录三次外出"});
    let r = clerk.send(Method::POST, &decision, decide.clone()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup.send(Method::POST, &decision, decide.clone()).await;
    let status = r.status();
    let decided = json(r).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "upheld");
    let r = sup.send(Method::POST, &decision, decide).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "decided once");
    let amended = json(sup.get(&format!("/api/v1/assessment-runs/{run_id}")).await).await;
    assert_eq!(dec(&line(&amended, "trips")["value"]), asked);
    assert_eq!(
        amended["inputs"]["amended"][clerk_user.unit_id.to_string()]["trips"],
        filed["id"],
        "the figure is marked as amended by the appeal"
    );
    assert!(
        dec(&score_of(&amended, "departments", clerk_user.unit_id)["earned"])
            >= dec(&score_of(&published, "departments", clerk_user.unit_id)["earned"])
    );
    assert_eq!(amended["appeals"][0]["status"], "upheld");
    let recomputed = json(
        sup.get(&format!("/api/v1/assessment-runs/{run_id}/recompute"))
            .await,
    )
    .await;
    assert_eq!(recomputed["identical"], true);
    let (n,): (i64,) = db
        .one(
            Sql::new(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'decide_appeal' \
                 AND entity = 'assessment_run' AND entity_id = $1",
            )
            .bind(run_id.to_string()),
        )
        .await
        .expect("audit");
    assert_eq!(n, 1);

    // The running quarter: overdue tasks deduct, unless exempted.
    let compute_running = || async {
        let r = sup
            .send(
                Method::POST,
                &format!("/api/v1/assessments/{id}/runs"),
                json!({"period": running}),
            )
            .await;
        let status = r.status();
        let run = json(r).await;
        assert_eq!(status, StatusCode::CREATED, "{run}");
        run
    };
    let run = compute_running().await;
    // A period still running is not published.
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessment-runs/{}/publish", run["id"]),
            json!({"version": run["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let deducted = run["results"]
        .as_object()
        .expect("groups")
        .values()
        .flat_map(|g| g.as_array().cloned().unwrap_or_default())
        .find_map(|s| {
            let d = s["deductions"][0].clone();
            let task = d["items"].as_array()?.first()?.as_i64()?;
            Some((s["subject_id"].as_i64()?, task, dec(&d["points"])))
        });
    let Some((unit, task, points)) = deducted else {
        panic!("the demo has overdue tasks: {}", run["results"]);
    };
    assert!(points > Decimal::ZERO);
    let r = sup
        .send(
            Method::POST,
            "/api/v1/assessment-exemptions",
            json!({"task_id": task, "reason": "汛期停工，经县政府批准"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = sup
        .send(
            Method::POST,
            "/api/v1/assessment-exemptions",
            json!({"task_id": task, "reason": "再次"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let run = compute_running().await;
    let group = run["results"]
        .as_object()
        .expect("groups")
        .iter()
        .find(|(_, scores)| {
            scores
                .as_array()
                .is_some_and(|a| a.iter().any(|s| s["subject_id"] == unit))
        })
        .map(|(k, _)| k.clone())
        .expect("the unit's group");
    let d = &score_of(&run, &group, unit)["deductions"][0];
    assert!(
        d["exempted"]
            .as_array()
            .expect("exempted")
            .contains(&json!(task))
    );
    assert!(!d["items"].as_array().expect("items").contains(&json!(task)));
}

/// The `Location` of a redirect, without its flash.
fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_demo_scheme_is_computed_published_exported_and_appealed_on_its_screens() {
    let (base, db, _t, _running) = demo_app().await;
    let sup = Browser::new(&base);
    let r = sup.login("supervisor", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = sup.text("/assessments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("“双招双引”季度考核（示例）"), "{html}");
    let (id,): (i64,) = db
        .one(Sql::new("SELECT id FROM assessment_schemes"))
        .await
        .expect("the demo scheme");
    let (status, html) = sup.text(&format!("/assessments/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "县直部门",
        "系数 1.5",
        "奖分制：每项 5 分",
        "牵头任务逾期每项扣 1 分，最多扣 5 分",
    ] {
        assert!(html.contains(text), "{text} in {html}");
    }

    // A period that is not one is refused on the form, with its message.
    let r = sup
        .post(&format!("/assessments/{id}/runs"), &[("period", "2026-13")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .expect("page")
            .contains("考核期须与方案的周期一致")
    );
    let (quarter, _) = quarters(today());
    let r = sup
        .post(&format!("/assessments/{id}/runs"), &[("period", &quarter)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let run = location(&r);
    let run_id: i64 = run
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("the run's page");
    let (status, html) = sup.text(&run).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "名次",
        "草稿",
        "按所用方案版本复算，结果完全一致",
        "县直部门",
        "园区",
        "手工评分",
    ] {
        assert!(html.contains(text), "{text} in the run's page");
    }

    // A hand score without a reason is refused, on the page.
    let version = |db: zhaoyin_db::Db| async move {
        let (v,): (i64,) = db
            .one(Sql::new("SELECT version FROM assessment_runs WHERE id = $1").bind(run_id))
            .await
            .expect("run");
        v.to_string()
    };
    let clerk_unit = demo_user(&db, "clerk").await.unit_id.to_string();
    let v = version(db.clone()).await;
    let r = sup
        .post(
            &format!("{run}/hand-scores"),
            &[
                ("version", &v),
                ("unit_id", &clerk_unit),
                ("indicator", "service"),
                ("points", "8"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sup
        .post(
            &format!("{run}/hand-scores"),
            &[
                ("version", &v),
                ("unit_id", &clerk_unit),
                ("indicator", "service"),
                ("points", "8"),
                ("reason", "主动上门服务重点企业"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let v = version(db.clone()).await;
    let r = sup
        .post(&format!("{run}/publish"), &[("version", &v)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = sup.text(&run).await;
    for text in ["已发布", "红榜", "黑榜"] {
        assert!(html.contains(text), "{text} once published");
    }

    // The ranking as a workbook: the departments' sheet, a line per department.
    let r = sup.get(&format!("{run}/ranking.xlsx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let sheet = first_sheet_text(r.bytes().await.expect("bytes").to_vec());
    assert_eq!(sheet[2][0], "名次");
    let departments: (i64,) = db
        .one(Sql::new(
            "SELECT COUNT(*) FROM units WHERE kind = 'department' AND active",
        ))
        .await
        .expect("count");
    assert_eq!(sheet.len() as i64, 3 + departments.0);

    // The clerk appeals on the page; the supervisor upholds there.
    let clerk = Browser::new(&base);
    clerk.login("clerk", zhaoyin::demo::PASSWORD).await;
    let (_, html) = clerk.text(&run).await;
    assert!(html.contains("提出申诉"));
    let r = clerk
        .post(
            &format!("{run}/appeals"),
            &[
                ("unit_id", &clerk_unit),
                ("indicator", "trips"),
                ("asked", "9"),
                ("reason", "三次外出招商漏报，附行程单"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (appeal, appeal_version): (i64, i64) = db
        .one(Sql::new("SELECT id, version FROM assessment_appeals"))
        .await
        .expect("appeal");
    let (_, html) = sup.text(&run).await;
    assert!(html.contains("待处理") && html.contains("三次外出招商漏报"));
    let v = version(db.clone()).await;
    let r = sup
        .post(
            &format!("/assessment-appeals/{appeal}/decision"),
            &[
                ("version", &appeal_version.to_string()),
                ("run_version", &v),
                ("run_id", &run_id.to_string()),
                ("decision", "经核实成立"),
                ("upheld", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = sup.text(&run).await;
    assert!(html.contains("经核实成立") && html.contains("成立"));
    assert!(html.contains("申诉更正"), "the amended figure is marked");
    assert!(html.contains("按所用方案版本复算，结果完全一致"));
}

/// "In time" is by the end of the due day in the county's time zone (Asia/Shanghai): a task
/// closed, a problem solved or a report submitted at 23:30 on its day counts, at 00:30 the day
/// after it does not — though both are the same UTC date.
#[tokio::test]
async fn in_time_means_by_the_end_of_the_due_day_in_the_county() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let unit = demo_user(&db, "clerk").await.unit_id;
    let (quarter, _) = quarters(today());
    let (y, q) = quarter.split_once("-Q").expect("quarter");
    let first = NaiveDate::from_ymd_opt(
        y.parse().expect("year"),
        (q.parse::<u32>().expect("q") - 1) * 3 + 1,
        1,
    )
    .expect("day");
    let due = first + chrono::Duration::days(20);
    // 23:30 and 00:30 the next day in Shanghai: 15:30 and 16:30 UTC of the due day.
    let at = |h: u32, m: u32| due.and_hms_opt(h, m, 0).expect("time").and_utc();
    let (on_time, late) = (at(15, 30), at(16, 30));

    let ids = |sql: &'static str| {
        let db = db.clone();
        async move {
            let rows: Vec<(i64,)> = db.all(Sql::new(sql)).await.expect("ids");
            rows.into_iter().map(|(id,)| id).collect::<Vec<i64>>()
        }
    };
    let tasks = ids("SELECT id FROM tasks ORDER BY id LIMIT 2").await;
    for (task, closed) in tasks.iter().zip([on_time, late]) {
        db.execute(Sql::new("DELETE FROM task_units WHERE task_id = $1").bind(*task))
            .await
            .expect("units");
        db.execute(
            Sql::new("INSERT INTO task_units (task_id, unit_id, role) VALUES ($1, $2, 'lead')")
                .bind(*task)
                .bind(unit),
        )
        .await
        .expect("lead");
        db.execute(
            Sql::new(
                "UPDATE tasks SET status = 'closed', deadline = $1, closed_at = $2 WHERE id = $3",
            )
            .bind(due)
            .bind(closed)
            .bind(*task),
        )
        .await
        .expect("closed");
    }
    let problems = ids("SELECT id FROM project_problems ORDER BY id LIMIT 2").await;
    for (problem, solved) in problems.iter().zip([on_time, late]) {
        db.execute(
            Sql::new(
                "UPDATE project_problems SET unit_id = $1, deadline = $2, status = 'solved', \
                 solved_at = $3 WHERE id = $4",
            )
            .bind(unit)
            .bind(due)
            .bind(solved)
            .bind(*problem),
        )
        .await
        .expect("solved");
    }
    let reports =
        ids("SELECT MIN(id) FROM task_reports GROUP BY task_id ORDER BY MIN(id) LIMIT 2").await;
    for (report, submitted) in reports.iter().zip([on_time, late]) {
        db.execute(
            Sql::new(
                "UPDATE task_reports SET unit_id = $1, period_end = $2, submitted_at = $3 \
                 WHERE id = $4",
            )
            .bind(unit)
            .bind(due)
            .bind(submitted)
            .bind(*report),
        )
        .await
        .expect("submitted");
    }

    let linear = |key: &str, measure: &str| {
        json!({"key": key, "name": key, "measure": measure, "weight": "10",
               "direction": "higher", "method": {"kind": "linear", "target": "5", "zero": "0"}})
    };
    let county = zhaoyin_db::org::get_unit(&db, supervisor.unit_id)
        .await
        .expect("unit")
        .region_id;
    let r = sup
        .send(
            Method::POST,
            "/api/v1/assessments",
            json!({"region_id": county,
                   "scheme": {"name": "按期", "period": "quarter", "deductions": [],
                              "groups": [{"key": "d", "name": "部门", "multiplier": "1",
                                          "indicators": [
                                              linear("closed", "tasks_closed_on_time"),
                                              linear("solved", "problems_solved_in_time"),
                                              linear("reports", "reports_on_time")]}]},
                   "members": {"d": [unit]}}),
        )
        .await;
    let status = r.status();
    let scheme = json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{scheme}");
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessments/{}/runs", scheme["id"]),
            json!({"period": quarter}),
        )
        .await;
    let run = json(r).await;
    let behind = |key: &str| -> Vec<i64> {
        run["inputs"]["behind"][unit.to_string()][key]["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .filter_map(Value::as_i64)
            .collect()
    };
    for (key, rows) in [
        ("closed", &tasks),
        ("solved", &problems),
        ("reports", &reports),
    ] {
        let counted = behind(key);
        assert!(
            counted.contains(&rows[0]),
            "{key}: {} in time, {counted:?}",
            rows[0]
        );
        assert!(
            !counted.contains(&rows[1]),
            "{key}: {} late, {counted:?}",
            rows[1]
        );
        let value = dec(&run["inputs"]["groups"]["d"][0]["values"][key]);
        assert_eq!(value, Decimal::from(counted.len()), "{key}");
    }
}

/// A sheet: its name, header and rows.
type SheetRows<'a> = (&'a str, &'a [&'a str], &'a [&'a [&'a str]]);

/// A workbook of sheets.
fn sheets(sheets: &[SheetRows]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, header, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("name");
        for (r, row) in std::iter::once(*header)
            .chain(rows.iter().copied())
            .enumerate()
        {
            for (c, v) in row.iter().enumerate() {
                ws.write(
                    u32::try_from(r).expect("row"),
                    u16::try_from(c).expect("col"),
                    *v,
                )
                .expect("write");
            }
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn a_scheme_is_edited_in_excel_and_a_bad_workbook_is_refused_row_by_row() {
    let (base, db, _t, _running) = demo_app().await;
    let sup = Browser::new(&base);
    sup.login("supervisor", zhaoyin::demo::PASSWORD).await;
    let (id,): (i64,) = db
        .one(Sql::new("SELECT id FROM assessment_schemes"))
        .await
        .expect("the demo scheme");
    let r = sup.get(&format!("/assessments/{id}/scheme.xlsx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let indicators = first_sheet_text(bytes.clone());
    assert_eq!(indicators[0][0], "组代码*");
    assert_eq!(indicators.len(), 1 + 6 + 6 + 3, "a row per indicator");
    assert!(indicators.iter().any(|r| r.iter().any(|c| c == "奖分制")));
    // A clerk may not have it.
    let clerk = Browser::new(&base);
    clerk.login("clerk", zhaoyin::demo::PASSWORD).await;
    let r = clerk.get(&format!("/assessments/{id}/scheme.xlsx")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let body = |version: i64| {
        let db = db.clone();
        async move {
            let (b,): (String,) = db
                .one(
                    Sql::new(
                        "SELECT body FROM assessment_scheme_versions \
                         WHERE scheme_id = $1 AND version = $2",
                    )
                    .bind(id)
                    .bind(version),
                )
                .await
                .expect("version");
            serde_json::from_str::<Value>(&b).expect("json")
        }
    };
    let form = |bytes: Vec<u8>, version: &str, listed: &str| {
        reqwest::multipart::Form::new()
            .text("version", version.to_string())
            .text("name", "“双招双引”季度考核（修订）")
            .text("period", "quarter")
            .text("listed", listed.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("scheme.xlsx"),
            )
    };
    // Uploaded back as it came, with another name and lists: the same rules, as version 2.
    let path = format!("/assessments/{id}/scheme.xlsx");
    let r = multipart(&sup, &path, form(bytes.clone(), "1", "2")).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let (one, two) = (body(1).await, body(2).await);
    assert_eq!(one["members"], two["members"]);
    assert_eq!(one["scheme"]["groups"], two["scheme"]["groups"]);
    assert_eq!(one["scheme"]["deductions"], two["scheme"]["deductions"]);
    assert_eq!(two["scheme"]["listed"], 2);
    assert_eq!(two["scheme"]["name"], "“双招双引”季度考核（修订）");
    // Made from version 1 again: stale.
    let r = multipart(&sup, &path, form(bytes, "1", "2")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // Every problem by sheet, row and column, and nothing saved.
    let bad = sheets(&[
        (
            "考核指标",
            &[
                "组代码",
                "组名称",
                "系数",
                "指标代码",
                "指标名称",
                "数据来源",
                "分值",
                "方向",
                "计分方法",
                "目标值",
                "零分值",
                "每名次递减（%）",
                "保底（%）",
                "分档（达到值:得分%）",
                "每项得分",
            ],
            &[
                &[
                    "d",
                    "部门",
                    "1",
                    "trips",
                    "外出",
                    "外出招引次数",
                    "0",
                    "",
                    "按比例",
                    "6",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                &[
                    "d",
                    "部门",
                    "2",
                    "talks",
                    "洽谈",
                    "洽谈对接次数",
                    "10",
                    "",
                    "飞升",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                &[
                    "d",
                    "",
                    "",
                    "level",
                    "档",
                    "签约项目数",
                    "10",
                    "",
                    "分档",
                    "",
                    "",
                    "",
                    "",
                    "3-50",
                    "",
                ],
            ],
        ),
        (
            "参评单位",
            &["组代码", "单位代码"],
            &[&["d", "nope"], &["x", "gq-fgj"]],
        ),
        ("扣分", &["扣分原因", "每项扣分"], &[&["迟到", "1"]]),
    ]);
    let r = multipart(&sup, &path, form(bad, "2", "3")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("page");
    for text in [
        "与本组第一行填写的不一致",
        "分档写成",
        "本县没有代码为“nope”的在用单位",
        "方案中没有这个考核组",
        "第 2 行",
        "第 3 行",
        "第 4 行",
    ] {
        assert!(html.contains(text), "{text} in the problems");
    }
    let (versions,): (i64,) = db
        .one(
            Sql::new("SELECT COUNT(*) FROM assessment_scheme_versions WHERE scheme_id = $1")
                .bind(id),
        )
        .await
        .expect("count");
    assert_eq!(versions, 2, "nothing saved");
}

/// Another county's supervisor, and a town's, reach nothing of the county's assessment: its
/// runs, their publication and appeals, its exemptions.
#[tokio::test]
async fn another_countys_supervisor_and_a_towns_reach_nothing() {
    use zhaoyin_core::authz::Role;
    use zhaoyin_db::testing::{At, user_with};

    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let sup = api_for(&base, &db, &supervisor).await;
    let unit = zhaoyin_db::org::get_unit(&db, supervisor.unit_id)
        .await
        .expect("unit");
    let county = zhaoyin_db::org::get_region(&db, unit.region_id)
        .await
        .expect("county");
    let neighbour = neighbour_supervisor(&db, &county, "ln-sup").await;
    let neighbour = api_for(&base, &db, &neighbour).await;
    // A town's supervisor of the county.
    let town: (i64,) = db
        .one(Sql::new(
            "SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1",
        ))
        .await
        .expect("a town");
    let town = zhaoyin_db::org::get_region(&db, town.0)
        .await
        .expect("town");
    let town_unit: (i64,) = db
        .one(Sql::new("SELECT id FROM units WHERE region_id = $1 LIMIT 1").bind(town.id))
        .await
        .expect("a town's unit");
    let town_unit = zhaoyin_db::org::get_unit(&db, town_unit.0)
        .await
        .expect("unit");
    let town_sup = user_with(
        &db,
        "town-sup",
        &town_unit,
        Role::Supervisor,
        At::Region(&town),
    )
    .await;
    let town_sup = api_for(&base, &db, &town_sup).await;

    let (id,): (i64,) = db
        .one(Sql::new("SELECT id FROM assessment_schemes"))
        .await
        .expect("the demo scheme");
    let (quarter, _) = quarters(today());
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/assessments/{id}/runs"),
            json!({"period": quarter}),
        )
        .await;
    let run = json(r).await;
    let run_id = run["id"].as_i64().expect("run");
    // The county's scheme is read from beneath (a town's), not from beside.
    let r = neighbour.get(&format!("/api/v1/assessments/{id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = neighbour
        .get(&format!("/api/v1/assessment-runs/{run_id}"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = town_sup.get(&format!("/api/v1/assessments/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    for api in [&neighbour, &town_sup] {
        let r = api
            .send(
                Method::POST,
                &format!("/api/v1/assessments/{id}/runs"),
                json!({"period": quarter}),
            )
            .await;
        assert!(matches!(
            r.status(),
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
        ));
        let r = api
            .send(
                Method::POST,
                &format!("/api/v1/assessment-runs/{run_id}/publish"),
                json!({"version": run["version"]}),
            )
            .await;
        assert!(matches!(
            r.status(),
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
        ));
    }
    // Neither exempts the county's overdue tasks.
    let (task,): (i64,) = db
        .one(Sql::new(
            "SELECT id FROM tasks WHERE status <> 'closed' AND deadline IS NOT NULL \
             ORDER BY deadline LIMIT 1",
        ))
        .await
        .expect("a task");
    let exempt = json!({"task_id": task, "reason": "不可抗力"});
    let r = neighbour
        .send(
            Method::POST,
            "/api/v1/assessment-exemptions",
            exempt.clone(),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "not a task of its county"
    );
    let r = town_sup
        .send(Method::POST, "/api/v1/assessment-exemptions", exempt)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a town keeps no scheme");
    // Nor creates a scheme for the county; the county's own supervisor not for a town.
    let mut body = scheme(&[unit.id], &[], &[]);
    body["region_id"] = json!(county.id);
    let r = neighbour
        .send(Method::POST, "/api/v1/assessments", body)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut body = scheme(&[town_unit.id], &[], &[]);
    body["region_id"] = json!(town.id);
    let r = sup.send(Method::POST, "/api/v1/assessments", body).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// On a draft's page the supervisor exempts an overdue task it deducts for; the draft is
/// computed again and shows it exempted.
#[tokio::test]
async fn an_overdue_task_is_exempted_on_the_drafts_page() {
    let (base, db, _t, _running) = demo_app().await;
    let sup = Browser::new(&base);
    sup.login("supervisor", zhaoyin::demo::PASSWORD).await;
    let (id,): (i64,) = db
        .one(Sql::new("SELECT id FROM assessment_schemes"))
        .await
        .expect("the demo scheme");
    let (_, running) = quarters(today());
    let r = sup
        .post(&format!("/assessments/{id}/runs"), &[("period", &running)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let run = location(&r);
    let (results,): (String,) = db
        .one(Sql::new("SELECT results FROM assessment_runs"))
        .await
        .expect("run");
    let results: Value = serde_json::from_str(&results).expect("json");
    let task = results
        .as_object()
        .expect("groups")
        .values()
        .flat_map(|g| g.as_array().cloned().unwrap_or_default())
        .find_map(|s| s["deductions"][0]["items"][0].as_i64())
        .expect("the demo has overdue tasks deducted for");
    let (_, html) = sup.text(&run).await;
    assert!(html.contains("免扣理由"));
    let r = sup
        .post(
            &format!("{run}/exemptions"),
            &[
                ("task_id", &task.to_string()),
                ("reason", "汛期停工，经县政府批准"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (results,): (String,) = db
        .one(Sql::new("SELECT results FROM assessment_runs"))
        .await
        .expect("run");
    let results: Value = serde_json::from_str(&results).expect("json");
    let exempted = results
        .as_object()
        .expect("groups")
        .values()
        .flat_map(|g| g.as_array().cloned().unwrap_or_default())
        .any(|s| {
            s["deductions"][0]["exempted"]
                .as_array()
                .is_some_and(|e| e.contains(&json!(task)))
        });
    assert!(exempted, "computed again with the task exempted");
}
