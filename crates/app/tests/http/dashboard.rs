//! The dashboard over HTTP, on the demo county and a second county of the same city: every
//! figure equals the count (or the total) of the list it links to, for the county's supervisor,
//! a unit's clerk, a leader and the city's supervisor (who sees the counties side by side and
//! summed); another county's reader cannot open the demo county's dashboard; the page renders
//! every figure as a link.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_core::org::{RegionInput, RegionLevel, UnitInput};
use zhaoyin_db::audit::Actor;
use zhaoyin_db::org;
use zhaoyin_db::testing::{self, At};
use zhaoyin_db::users::User;

use crate::helpers::*;

/// The app on the demo data.
pub(crate) async fn demo_app() -> (String, zhaoyin_db::Db, testing::TestDb, zhaoyin::Running) {
    let t = testing::fresh().await;
    let web = zhaoyin_web::WebConfig::default();
    zhaoyin::demo::load(&t.db, &web).await.expect("demo data");
    // Each task's row is its histories' latest entries (what a day's list reads).
    assert_eq!(
        testing::tasks_off_their_histories(&t.db).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        testing::stages_off_their_firsts(&t.db).await,
        Vec::<i64>::new()
    );
    assert_eq!(testing::tallies_off(&t.db, 200).await, vec![]);
    assert_eq!(testing::task_tallies_off(&t.db, 200).await, vec![]);
    assert_eq!(testing::entry_tallies_off(&t.db, 200).await, vec![]);
    assert_eq!(testing::fund_tallies_off(&t.db, 200).await, vec![]);
    let (base, running) = start(t.db.clone(), web).await;
    (base, t.db.clone(), t, running)
}

pub(crate) async fn api_for(base: &str, db: &zhaoyin_db::Db, user: &User) -> Api {
    let (token, _) = zhaoyin_db::tokens::create(db, &Actor::cli(), user, "test")
        .await
        .expect("token");
    Api {
        base: base.to_string(),
        token,
        client: zhaoyin::http_client().build().expect("client"),
    }
}

pub(crate) async fn demo_user(db: &zhaoyin_db::Db, name: &str) -> User {
    zhaoyin_db::users::by_username(db, name)
        .await
        .expect("lookup")
        .expect("demo account")
}

/// Every figure in `v` (an object with `value`, `href` and `api`), with the name it has in
/// its parent.
fn figures<'a>(v: &'a Value, name: &str, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("value") && m.contains_key("api") {
                out.push((name.to_string(), v));
                return;
            }
            for (k, x) in m {
                figures(x, k, out);
            }
        }
        Value::Array(a) => {
            for x in a {
                figures(x, name, out);
            }
        }
        _ => {}
    }
}

/// Checks every figure of the dashboard at `query` against its list; returns the dashboard.
async fn figures_match_lists(api: &Api, query: &str) -> Value {
    let r = api.get(&format!("/api/v1/dashboard{query}")).await;
    assert_eq!(r.status(), StatusCode::OK, "dashboard{query}");
    let d = json(r).await;
    let mut all = Vec::new();
    figures(&d, "", &mut all);
    assert!(all.len() > 20, "figures found: {}", all.len());
    for (name, f) in all {
        let link = f["api"].as_str().expect("api link");
        let value = &f["value"];
        let got = match name.as_str() {
            // Sums of investment: the list's totals by stage, terminated ones left out.
            "total_investment" | "outside_investment" => {
                let stages = link.replacen("/api/v1/projects", "/api/v1/projects/stages", 1);
                let rows = json(api.get(&stages).await).await;
                let sum: i64 = rows
                    .as_array()
                    .expect("stages")
                    .iter()
                    .filter(|r| r["stage"] != "terminated")
                    .map(|r| r[name.as_str()].as_i64().unwrap_or_default())
                    .sum();
                json!(sum)
            }
            "funds_verified" => json(api.get(link).await).await["verified"].clone(),
            "funds_unverified" => json(api.get(link).await).await["unverified"].clone(),
            _ => {
                let r = api.get(link).await;
                assert_eq!(r.status(), StatusCode::OK, "{link}");
                json(r).await["total"].clone()
            }
        };
        assert_eq!(&got, value, "{name} at {link}");
    }
    d
}

#[tokio::test]
async fn every_figure_equals_the_list_behind_it() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let county_id = supervisor.unit_id;
    let county = org::get_unit(&db, county_id).await.expect("unit").region_id;
    let county = org::get_region(&db, county).await.expect("county");
    let city = org::get_region(&db, county.parent_id.expect("a city above"))
        .await
        .expect("city");

    // A second county in the same city, with one unit and one project.
    let a = Actor::system();
    let other = org::create_region(
        &db,
        &a,
        Some(city.id),
        &RegionInput {
            code: "370399".into(),
            name: "示例县".into(),
            level: RegionLevel::County.id().into(),
        }
        .validate(Some(RegionLevel::City))
        .expect("region"),
    )
    .await
    .expect("county");
    let other_unit = org::create_unit(
        &db,
        &a,
        other.id,
        &UnitInput {
            code: "sl-zsj".into(),
            name: "示例县招商服务中心".into(),
            short_name: String::new(),
            kind: "department".into(),
            phone: String::new(),
            sort_order: None,
        }
        .validate()
        .expect("unit"),
    )
    .await
    .expect("unit");
    let other_sup = testing::user_with(
        &db,
        "other-sup",
        &other_unit,
        Role::Supervisor,
        At::Region(&other),
    )
    .await;
    let other_api = api_for(&base, &db, &other_sup).await;
    let r = other_api
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "示例县新材料项目", "unit_id": other_unit.id, "total_investment": 5000,
                   "outside_investment": 3000}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // The county's supervisor: the county's own figures, every one equal to its list.
    let sup = api_for(&base, &db, &supervisor).await;
    let d = figures_match_lists(&sup, "").await;
    assert_eq!(d["region_id"], county.id);
    assert!(d["areas"].as_array().expect("areas").is_empty());
    assert!(d["figures"]["projects"]["value"].as_i64().unwrap_or(0) > 10);
    assert!(
        d["figures"]["funds_verified"]["value"]
            .as_i64()
            .unwrap_or(0)
            > 0
    );
    assert!(
        d["figures"]["funds_unverified"]["value"]
            .as_i64()
            .unwrap_or(0)
            > 0
    );
    assert!(d["figures"]["problems_red"]["value"].as_i64().unwrap_or(0) > 0);
    assert!(!d["overdue"].as_array().expect("overdue").is_empty());
    // Filtered by a unit, and by a past year.
    let unit = d["task_units"][0]["unit_id"]
        .as_i64()
        .expect("a unit with red tasks");
    figures_match_lists(&sup, &format!("?unit_id={unit}")).await;
    let last_year = d["year"].as_i64().unwrap_or(2026) - 1;
    figures_match_lists(&sup, &format!("?year={last_year}")).await;

    // As of a past day: every figure still equals its list read as of that day; and writes made
    // since (a project terminated, a red problem's deadline moved, funds and an activity dated
    // before the day, funds it counted taken back) change nothing in it, while today's dashboard
    // sees them.
    let today = chrono::NaiveDate::parse_from_str(d["today"].as_str().expect("today"), "%Y-%m-%d")
        .expect("today");
    let day = today - chrono::Duration::days(20);
    let then_q = format!("?as_of={day}");
    let then = figures_match_lists(&sup, &then_q).await;
    assert_eq!(then["as_of"], json!(day.to_string()));
    assert!(then["quotas"].is_null(), "quotas are only read now");
    assert!(then["figures"]["projects"]["value"].as_i64().unwrap_or(0) > 10);
    let live = json(sup.get("/api/v1/projects?stage=started").await).await;
    let project = live["items"][0]["id"].as_i64().expect("a started project");
    // A unit that shares a live project only from now on: the past day, filtered by the unit,
    // counts the project as it was then (the project's earlier units are kept).
    let shared = &live["items"][1];
    let sharing = unit;
    assert_ne!(shared["unit_id"].as_i64(), Some(sharing));
    let unit_then_q = format!("?as_of={day}&unit_id={sharing}");
    let unit_then = figures_match_lists(&sup, &unit_then_q).await;
    let unit_now = figures_match_lists(&sup, &format!("?unit_id={sharing}")).await;
    let mut others: Vec<i64> = json(sup.get(&format!("/api/v1/projects/{}", shared["id"])).await)
        .await["other_units"]
        .as_array()
        .expect("other units")
        .iter()
        .filter_map(|u| u["id"].as_i64())
        .collect();
    assert!(!others.contains(&sharing), "the unit does not share it yet");
    others.push(sharing);
    let r = sup
        .send(
            Method::PATCH,
            &format!("/api/v1/projects/{}", shared["id"]),
            json!({"other_unit_ids": others, "version": shared["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", json(r).await);
    assert_eq!(
        figures_match_lists(&sup, &unit_then_q).await,
        unit_then,
        "the past day by unit never changes"
    );
    assert_eq!(
        figures_match_lists(&sup, &format!("?unit_id={sharing}")).await["figures"]["projects"]
            ["value"]
            .as_i64(),
        unit_now["figures"]["projects"]["value"]
            .as_i64()
            .map(|n| n + 1),
        "read now, the unit shares the project"
    );
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/projects/{project}/stage"),
            json!({"stage": "terminated", "reason": "企业战略调整，项目终止",
                   "version": live["items"][0]["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", json(r).await);
    let red = json(sup.get("/api/v1/problems?light=red").await).await;
    let problem = &red["items"][0];
    let r = sup
        .send(
            Method::PATCH,
            &format!("/api/v1/problems/{}", problem["id"]),
            json!({"category": problem["category"], "description": problem["description"],
                   "unit_id": problem["unit_id"], "deadline": today + chrono::Duration::days(90),
                   "blocking": problem["blocking"], "version": problem["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", json(r).await);
    let earlier = day - chrono::Duration::days(3);
    let r = sup
        .send(
            Method::POST,
            &format!("/api/v1/projects/{project}/funds"),
            json!({"received_on": earlier, "amount": 321, "evidence_type": "other"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", json(r).await);
    let r = sup
        .send(
            Method::POST,
            "/api/v1/activities",
            json!({"kind": "visit", "title": "补记的来访", "place": "县招商局",
                   "starts_on": earlier, "ends_on": earlier}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // A signing recorded now but dated before the day: that day's signings of the month stay as
    // they were (it was not recorded then), today's count it. Paused and resumed, the project
    // enters the stage again: not a signing of this month.
    let signings = |month: chrono::NaiveDate, q: String| {
        let sup = &sup;
        let month = month.format("%Y-%m");
        async move {
            json(
                sup.get(&format!("/api/v1/projects?entered=signed&month={month}{q}"))
                    .await,
            )
            .await["total"]
                .as_i64()
        }
    };
    let (signed_then, signed_now, signed_this_month) = (
        signings(earlier, format!("&as_of={day}")).await,
        signings(earlier, String::new()).await,
        signings(today, String::new()).await,
    );
    let negotiating = json(
        sup.get("/api/v1/projects?stage=negotiating&per_page=100")
            .await,
    )
    .await;
    let talks = negotiating["items"]
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["stage_on"].as_str() <= Some(earlier.to_string().as_str()))
        .expect("a project negotiating since before the day");
    let mut version = talks["version"].clone();
    for body in [
        json!({"stage": "signed", "on": earlier, "contract_amount": 8000}),
        json!({"stage": "paused", "reason": "投资方资金调整，暂缓推进"}),
        json!({"stage": "signed"}),
    ] {
        let mut body = body;
        body["version"] = version;
        let r = sup
            .send(
                Method::POST,
                &format!("/api/v1/projects/{}/stage", talks["id"]),
                body,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        version = json(r).await["version"].clone();
    }
    // A project signed and started on earlier days, handed to a town's unit: the town's from now
    // on (its entries leave the county's tallies and join the town's).
    let (town_unit,): (i64,) = db
        .one(zhaoyin_db::Sql::new(
            "SELECT id FROM units WHERE code = 'gq-tz'",
        ))
        .await
        .expect("a town's unit");
    let moved = json(sup.get(&format!("/api/v1/projects/{}", shared["id"])).await).await;
    let r = sup
        .send(
            Method::PATCH,
            &format!("/api/v1/projects/{}", shared["id"]),
            json!({"unit_id": town_unit, "version": moved["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", json(r).await);
    assert_eq!(
        signings(earlier, format!("&as_of={day}")).await,
        signed_then
    );
    assert_eq!(
        signings(earlier, String::new()).await,
        signed_now.map(|n| n + 1)
    );
    // (The backdated signing itself counts in this month too when the day is in it.)
    let backdated_here =
        i64::from(earlier.format("%Y-%m").to_string() == today.format("%Y-%m").to_string());
    assert_eq!(
        signings(today, String::new()).await,
        signed_this_month.map(|n| n + backdated_here)
    );
    assert_eq!(
        testing::stages_off_their_firsts(&db).await,
        Vec::<i64>::new()
    );
    assert_eq!(testing::tallies_off(&db, 200).await, vec![]);
    // Funds the past day counted are taken back: today's list has one fewer, that day's the same.
    let total = |q: String| {
        let sup = &sup;
        async move { json(sup.get(&format!("/api/v1/funds{q}")).await).await["total"].clone() }
    };
    let (then_total, now_total) = (total(then_q.clone()).await, total(String::new()).await);
    assert!(
        then_total.as_i64() > Some(0) && now_total.is_i64(),
        "{then_total} {now_total}"
    );
    let counted = json(sup.get(&format!("/api/v1/funds{then_q}&per_page=1")).await).await;
    let fund = &counted["items"][0];
    let path = format!(
        "/api/v1/projects/{}/funds/{}",
        fund["project_id"], fund["id"]
    );
    let take_back = || sup.send(Method::DELETE, &path, json!({}));
    assert_eq!(take_back().await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        take_back().await.status(),
        StatusCode::NOT_FOUND,
        "taken back once"
    );
    assert_eq!(total(then_q.clone()).await, then_total);
    assert_eq!(
        total(String::new()).await.as_i64(),
        now_total.as_i64().map(|n| n - 1)
    );
    // Read before these writes from the tallies by day, after them from the rows (the writes
    // marked their days out of date), and again from the tallies once counted again.
    zhaoyin_db::tallies::recount(&db, chrono_tz::Asia::Shanghai, today)
        .await
        .expect("recount")
        .expect("not busy");
    assert_eq!(testing::task_tallies_off(&db, 200).await, vec![]);
    assert_eq!(testing::entry_tallies_off(&db, 200).await, vec![]);
    assert_eq!(testing::fund_tallies_off(&db, 200).await, vec![]);
    let again = figures_match_lists(&sup, &then_q).await;
    assert_eq!(again, then, "a past day's dashboard never changes");
    let now = figures_match_lists(&sup, "").await;
    for key in ["projects", "problems_red"] {
        assert_eq!(
            now["figures"][key]["value"].as_i64().unwrap_or(0),
            d["figures"][key]["value"].as_i64().unwrap_or(0) - 1,
            "{key} now"
        );
    }
    // The city's supervisor reads the past day the same way.
    let city_sup = testing::user_with(
        &db,
        "city-sup",
        &other_unit,
        Role::Supervisor,
        At::Region(&city),
    )
    .await;
    let city_api = api_for(&base, &db, &city_sup).await;
    let city_then = figures_match_lists(&city_api, &then_q).await;
    let area = city_then["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .find(|a| a["region_id"] == county.id)
        .expect("the demo county")
        .clone();
    assert_eq!(
        area["figures"]["projects"]["value"],
        then["figures"]["projects"]["value"]
    );

    // A unit's clerk and a leader: what they read, the same rule.
    for name in ["clerk", "leader"] {
        let api = api_for(&base, &db, &demo_user(&db, name).await).await;
        figures_match_lists(&api, "").await;
    }

    // The city's supervisor: both counties side by side, the city summing them.
    let d = figures_match_lists(&city_api, "").await;
    assert_eq!(d["region_id"], city.id);
    let areas = d["areas"].as_array().expect("areas");
    assert_eq!(areas.len(), 2);
    let of = |id: i64| {
        areas
            .iter()
            .find(|a| a["region_id"] == id)
            .expect("area")
            .clone()
    };
    assert_eq!(of(other.id)["figures"]["projects"]["value"], 1);
    assert_eq!(of(other.id)["figures"]["total_investment"]["value"], 5000);
    let sum = |key: &str| -> i64 {
        areas
            .iter()
            .map(|a| a["figures"][key]["value"].as_i64().unwrap_or(0))
            .sum()
    };
    for key in [
        "projects",
        "total_investment",
        "funds_verified",
        "tasks_red",
        "problems_red",
    ] {
        assert_eq!(d["figures"][key]["value"], sum(key), "{key}");
    }
    // The demo county's figures are the same seen from the city and from the county.
    let from_county = figures_match_lists(&sup, "").await;
    assert_eq!(
        of(county.id)["figures"]["projects"]["value"],
        from_county["figures"]["projects"]["value"]
    );

    // The other county's supervisor cannot open the demo county.
    let r = other_api
        .get(&format!("/api/v1/dashboard?region_id={}", county.id))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = other_api.get("/api/v1/dashboard?year=19").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&json(r).await), vec![("year".into(), "year".into())]);

    // The page: every headline figure is a link to its list.
    let b = Browser::new(&base);
    let r = b.login("supervisor", zhaoyin::demo::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = b.text("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    let html = html.replace("&#38;", "&").replace("&amp;", "&");
    for key in ["projects", "funds_verified", "tasks_red", "problems_red"] {
        let href = from_county["figures"][key]["href"].as_str().expect("href");
        assert!(html.contains(&format!("href=\"{href}\"")), "{key}: {href}");
    }
    assert!(html.contains("data-chart=\"funnel\""));
    // The page's choices are kept while nothing changes: a unit added to the county is offered
    // on the next request.
    let added = "县新设招商专班";
    assert!(!html.contains(added));
    org::create_unit(
        &db,
        &a,
        county.id,
        &UnitInput {
            code: "xs-zb".into(),
            name: added.into(),
            short_name: String::new(),
            kind: "department".into(),
            phone: String::new(),
            sort_order: None,
        }
        .validate()
        .expect("unit"),
    )
    .await
    .expect("unit");
    let (_, html) = b.text("/dashboard").await;
    assert!(html.contains(&format!(">{added}</option>")), "{html}");
    // A figure's page lists the same number.
    let href = from_county["figures"]["funds_verified"]["href"]
        .as_str()
        .expect("href");
    let (status, html) = b.text(href).await;
    assert_eq!(status, StatusCode::OK);
    let verified = from_county["figures"]["funds_verified"]["value"].clone();
    assert!(html.contains(&format!("data-verified=\"{verified}\"")));
    // The same funds as a workbook: its amounts add up to the figure.
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let r = b.get(&format!("/funds/export.xlsx?{query}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let rows = first_sheet_text(bytes);
    assert_eq!(rows[0][3], "金额（万元）");
    let sum: i64 = rows[1..]
        .iter()
        .map(|r| r[3].parse::<i64>().expect("amount"))
        .sum();
    assert_eq!(json!(sum), verified);
}

#[tokio::test]
async fn a_display_link_opens_the_big_screen_without_signing_in_until_revoked_or_expired() {
    let (base, db, _t, _running) = demo_app().await;
    let supervisor = demo_user(&db, "supervisor").await;
    let county = org::get_unit(&db, supervisor.unit_id)
        .await
        .expect("unit")
        .region_id;
    let sup = api_for(&base, &db, &supervisor).await;
    let d = json(sup.get("/api/v1/dashboard").await).await;
    let projects = d["figures"]["projects"]["value"].clone();

    // The supervisor opens the screen signed in, and finds the display links from the dashboard.
    let b = Browser::new(&base);
    assert_eq!(
        b.login("supervisor", zhaoyin::demo::PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let (status, html) = b.text("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    let links = format!("/screen/links?region_id={county}");
    assert!(html.contains(&links.replace('&', "&amp;")) || html.contains(&links));
    let (status, html) = b.text("/screen").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("<span class=\"n\">{projects}</span>")));

    // A link needs a name and a last day after today, within three years (a year unless its
    // maker says otherwise); then its address is shown once.
    let county_s = county.to_string();
    let (_, html) = b.text(&links).await;
    let in_a_year = (today() + chrono::Days::new(365)).to_string();
    assert!(html.contains(&format!("value=\"{in_a_year}\"")), "{html}");
    let tomorrow = (today() + chrono::Days::new(1)).to_string();
    for (name, last, field) in [
        ("", tomorrow.as_str(), "name"),
        ("指挥中心大屏", "", "expires_on"),
        ("指挥中心大屏", "2026-13-01", "expires_on"),
        ("指挥中心大屏", &today().to_string(), "expires_on"),
        ("指挥中心大屏", "2099-01-01", "expires_on"),
    ] {
        let r = b
            .post(
                "/screen/links",
                &[
                    ("region_id", &county_s),
                    ("name", name),
                    ("expires_on", last),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{last}");
        let html = r.text().await.expect("page");
        assert!(html.contains(&format!("name=\"{field}\"")), "{html}");
    }
    assert!(
        zhaoyin_db::display::of_region(&db, county)
            .await
            .expect("links")
            .is_empty()
    );
    let r = b
        .post(
            "/screen/links",
            &[
                ("region_id", &county_s),
                ("name", "指挥中心大屏"),
                ("expires_on", &tomorrow),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("page");
    let start = html.find("/screen/open?token=").expect("the new address");
    let address: String = html[start..]
        .chars()
        .take_while(|c| *c != '"' && *c != '<')
        .collect();

    // Anyone with the address sees the county's screen, and nothing else.
    let anonymous = Browser::new(&base);
    let (status, html) = anonymous.text(&address).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("<span class=\"n\">{projects}</span>")));
    assert!(html.contains("http-equiv=\"refresh\""));
    assert!(
        !html.contains("href=\"/projects"),
        "a display has nothing to open"
    );
    let r = anonymous.get("/dashboard").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = anonymous.get("/api/v1/dashboard").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = anonymous.text("/screen/open?token=zd_nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Only a supervisor over the region makes or revokes links.
    for name in ["clerk", "leader"] {
        let other = Browser::new(&base);
        other.login(name, zhaoyin::demo::PASSWORD).await;
        let r = other
            .post("/screen/links", &[("region_id", &county_s), ("name", "x")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let link = zhaoyin_db::display::of_region(&db, county)
        .await
        .expect("links")
        .remove(0);
    assert!(address.starts_with(&format!("/screen/open?token={}", link.prefix)));
    let r = b
        .post(&format!("/screen/links/{}/revoke", link.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) = anonymous.text(&address).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A link opens its screen through its last day, not after.
    let region = org::get_region(&db, county).await.expect("region");
    let last = today() + chrono::Days::new(1);
    let (token, _) = zhaoyin_db::display::create(&db, &Actor::cli(), &region, "会议室", last)
        .await
        .expect("link");
    let opens = |day| zhaoyin_db::display::lookup(&db, &token, day);
    assert!(opens(last).await.expect("lookup").is_some());
    assert!(
        opens(last + chrono::Days::new(1))
            .await
            .expect("lookup")
            .is_none()
    );
    db.execute(
        zhaoyin_db::Sql::new("UPDATE display_links SET expires_on = $1 WHERE prefix = $2")
            .bind(today() - chrono::Days::new(1))
            .bind(
                token
                    .chars()
                    .take(zhaoyin_db::display::PREFIX.len() + 6)
                    .collect::<String>(),
            ),
    )
    .await
    .expect("a day passes");
    let (status, _) = anonymous.text(&format!("/screen/open?token={token}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, html) = b.text(&links).await;
    assert!(html.contains("已过期"), "{html}");

    // Both are in the audit log.
    let (n,): (i64,) = db
        .one(zhaoyin_db::Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'display_link'",
        ))
        .await
        .expect("audit");
    assert_eq!(n, 3);
}
