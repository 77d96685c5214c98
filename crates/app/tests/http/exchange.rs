//! City–county exchange over HTTP between two deployments: the demo county (which signs) and a
//! city (which trusts the county's key). The county's package taken by the city — pushed over
//! HTTP, then again as an uploaded file — gives the city the county's totals, identical both
//! times, and the second time changes nothing; a project the county marks a repeated signing
//! is withdrawn in the city (kept, since a city record names it, and counted nowhere) and comes
//! back when the mark is cleared; a tampered package, and an older one after a
//! newer, are refused and change nothing; the city cannot edit what the county sent.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_core::exchange::Keys;
use zhaoyin_core::org::{RegionInput, RegionLevel, UnitInput};
use zhaoyin_db::audit::Actor;
use zhaoyin_db::org::{self, Region};
use zhaoyin_db::testing::{self, At};

use crate::helpers::*;

async fn api(base: &str, db: &zhaoyin_db::Db, user: &zhaoyin_db::users::User) -> Api {
    let (token, _) = zhaoyin_db::tokens::create(db, &Actor::cli(), user, "test")
        .await
        .expect("token");
    Api {
        base: base.to_string(),
        token,
        client: zhaoyin::http_client().build().expect("client"),
    }
}

/// The same region (code, name, level) in another database, under `parent`.
async fn copy_region(db: &zhaoyin_db::Db, r: &Region, parent: Option<&Region>) -> Region {
    let level = RegionLevel::parse(&r.level).expect("level");
    org::create_region(
        db,
        &Actor::system(),
        parent.map(|p| p.id),
        &RegionInput {
            code: r.code.clone(),
            name: r.name.clone(),
            level: r.level.clone(),
        }
        .validate(level.parent_level())
        .expect("region"),
    )
    .await
    .expect("region")
}

/// The figures a city compares a county on.
fn totals(d: &Value) -> Vec<Value> {
    [
        "projects",
        "total_investment",
        "outside_investment",
        "funds_verified",
        "funds_unverified",
        "signed",
        "started",
    ]
    .iter()
    .map(|k| d["figures"][k]["value"].clone())
    .collect()
}

#[tokio::test]
async fn a_county_package_gives_the_city_its_totals_once_and_only_when_signed() {
    let key = zhaoyin_core::exchange::signing_key(&"2a".repeat(32)).expect("key");

    // The county: the demo, signing with its key.
    let county_db = testing::fresh().await;
    let mut county_cfg = zhaoyin_web::WebConfig::default();
    zhaoyin::demo::load(&county_db.db, &county_cfg)
        .await
        .expect("demo");
    county_cfg.exchange = Keys {
        signing: Some(key.clone()),
        ..Default::default()
    };
    let (county_base, _county) = start(county_db.db.clone(), county_cfg).await;
    let supervisor = zhaoyin_db::users::by_username(&county_db.db, "supervisor")
        .await
        .expect("lookup")
        .expect("demo supervisor");
    let county_api = api(&county_base, &county_db.db, &supervisor).await;
    let county_region = org::get_region(
        &county_db.db,
        org::get_unit(&county_db.db, supervisor.unit_id)
            .await
            .expect("unit")
            .region_id,
    )
    .await
    .expect("county");
    let city_region = org::get_region(&county_db.db, county_region.parent_id.expect("city"))
        .await
        .expect("city");
    let province = org::get_region(&county_db.db, city_region.parent_id.expect("province"))
        .await
        .expect("province");

    // The city: the same regions, trusting the county's key.
    let city_db = testing::fresh().await;
    let p = copy_region(&city_db.db, &province, None).await;
    let c = copy_region(&city_db.db, &city_region, Some(&p)).await;
    let k = copy_region(&city_db.db, &county_region, Some(&c)).await;
    let office = org::create_unit(
        &city_db.db,
        &Actor::system(),
        c.id,
        &UnitInput {
            code: "city-tcz".into(),
            name: "市双招双引工作专班".into(),
            short_name: String::new(),
            kind: "office".into(),
            phone: String::new(),
            sort_order: None,
        }
        .validate()
        .expect("unit"),
    )
    .await
    .expect("unit");
    let mut city_cfg = zhaoyin_web::WebConfig::default();
    city_cfg
        .exchange
        .trusted
        .insert(county_region.code.clone(), key.verifying_key());
    let (city_base, _city) = start(city_db.db.clone(), city_cfg).await;
    let city_sup = testing::user_with(
        &city_db.db,
        "city-sup",
        &office,
        Role::Supervisor,
        At::Region(&c),
    )
    .await;
    let city_api = api(&city_base, &city_db.db, &city_sup).await;

    // What the county says of itself.
    let at_county = totals(&json(county_api.get("/api/v1/dashboard").await).await);
    let r = county_api
        .get(&format!(
            "/api/v1/exchange/package?region_id={}",
            county_region.id
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let package = json(r).await;

    // Pushed over HTTP: the city now shows the county's totals.
    let r = city_api
        .send(Method::POST, "/api/v1/exchange/packages", package.clone())
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let first = json(r).await;
    let n = first["created"].as_i64().expect("created");
    assert!(n > 50, "{first}");
    assert_eq!(first["unchanged"], 0);
    let county_view = format!("/api/v1/dashboard?region_id={}", k.id);
    assert_eq!(
        totals(&json(city_api.get(&county_view).await).await),
        at_county
    );
    // And the city's own dashboard sums it, side by side.
    let d = json(city_api.get("/api/v1/dashboard").await).await;
    assert_eq!(d["region_id"], c.id);
    assert_eq!(totals(&d["areas"][0]), at_county);

    // The same package again, as an uploaded file: nothing changes.
    let b = Browser::new(&city_base);
    assert_eq!(
        b.login("city-sup", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let file = reqwest::multipart::Part::bytes(serde_json::to_vec(&package).expect("json"))
        .file_name("package.json");
    let r = multipart(
        &b,
        "/exchange",
        reqwest::multipart::Form::new().part("file", file),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("page");
    assert!(html.contains("id=\"taken\""), "{html}");
    let (audits,): (i64,) = city_db
        .db
        .one(zhaoyin_db::Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'exchange_import'",
        ))
        .await
        .expect("audit");
    assert_eq!(audits, 2);
    let again = json(
        city_api
            .send(Method::POST, "/api/v1/exchange/packages", package.clone())
            .await,
    )
    .await;
    assert_eq!(
        again,
        json!({"created": 0, "updated": 0, "withdrawn": 0, "unchanged": n})
    );
    assert_eq!(
        totals(&json(city_api.get(&county_view).await).await),
        at_county
    );

    // A tampered package is refused, and changes nothing.
    let mut tampered = package.clone();
    let text = tampered["payload"].as_str().expect("payload").to_string();
    tampered["payload"] = json!(text.replacen("\"amount\":", "\"amount\":9", 1));
    let r = city_api
        .send(Method::POST, "/api/v1/exchange/packages", tampered)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("signature".into(), "exchange_signature".into())]
    );
    assert_eq!(
        totals(&json(city_api.get(&county_view).await).await),
        at_county
    );

    // The county's projects are the county's: the city cannot edit them.
    let list = json(
        city_api
            .get(&format!("/api/v1/projects?region_id={}", k.id))
            .await,
    )
    .await;
    let one = &list["items"][0];
    let r = city_api
        .send(
            Method::PATCH,
            &format!("/api/v1/projects/{}", one["id"]),
            json!({"version": one["version"], "name": "改名"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("project".into(), "project_from_county".into())]
    );

    // A newer package (the county added a project) is taken; the older one after it is not.
    let county_unit = supervisor.unit_id;
    let r = county_api
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "交换测试新项目", "unit_id": county_unit, "total_investment": 1234}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let added = json(r).await;
    let newer = json(
        county_api
            .get(&format!(
                "/api/v1/exchange/package?region_id={}",
                county_region.id
            ))
            .await,
    )
    .await;
    let taken = json(
        city_api
            .send(Method::POST, "/api/v1/exchange/packages", newer)
            .await,
    )
    .await;
    assert_eq!(taken["created"], 1);
    assert_eq!(taken["unchanged"], n);
    let r = city_api
        .send(Method::POST, "/api/v1/exchange/packages", package)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&json(r).await),
        vec![("generated_at".into(), "exchange_stale".into())]
    );
    let now_county = totals(&json(county_api.get("/api/v1/dashboard").await).await);
    assert_eq!(
        totals(&json(city_api.get(&county_view).await).await),
        now_county
    );

    // The project gets its national code: the city keeps the same project under its new key.
    let r = county_api
        .send(
            Method::PATCH,
            &format!("/api/v1/projects/{}", added["id"]),
            json!({"version": added["version"], "national_code": "2026-370322-04-01-000777"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let coded = json(
        county_api
            .get(&format!(
                "/api/v1/exchange/package?region_id={}",
                county_region.id
            ))
            .await,
    )
    .await;
    let taken = json(
        city_api
            .send(Method::POST, "/api/v1/exchange/packages", coded)
            .await,
    )
    .await;
    assert_eq!(
        taken,
        json!({"created": 0, "updated": 1, "withdrawn": 0, "unchanged": n})
    );
    assert_eq!(
        totals(&json(city_api.get(&county_view).await).await),
        now_county
    );

    // The county marks a project a repeated signing of another: its next package leaves it
    // out, and the city withdraws it — kept (a record of the city names it), counted nowhere —
    // then brings it back when the county clears the mark.
    let signed = json(
        county_api
            .get("/api/v1/projects?stage=signed&distinct=1&per_page=100")
            .await,
    )
    .await;
    let with_investor: Vec<&Value> = signed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|p| p["investor_id"].is_i64() && p["is_major"] == false)
        .collect();
    let (first, again) = (with_investor[0], with_investor[1]);
    let take = |pkg: Value| {
        let city_api = &city_api;
        async move {
            json(
                city_api
                    .send(Method::POST, "/api/v1/exchange/packages", pkg)
                    .await,
            )
            .await
        }
    };
    let package_now = || async {
        json(
            county_api
                .get(&format!(
                    "/api/v1/exchange/package?region_id={}",
                    county_region.id
                ))
                .await,
        )
        .await
    };
    let repeat = |version: &Value, of: &Value| {
        json!({
            "version": version,
            "investor_id": of["investor_id"],
            "name": of["name"],
            "total_investment": of["total_investment"],
            "outside_investment": of["outside_investment"],
            "contract_amount": of["contract_amount"],
        })
    };
    let r = county_api
        .send(
            Method::PATCH,
            &format!("/api/v1/projects/{}", again["id"]),
            repeat(&again["version"], first),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let flagged = json(r).await;
    assert_eq!(flagged["duplicate_of"], first["id"], "{flagged}");
    let key = again["national_code"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| format!("id:{}", again["id"]));
    let (in_city,): (i64,) = city_db
        .db
        .one(
            zhaoyin_db::Sql::new("SELECT id FROM projects WHERE origin = $1")
                .bind(format!("{}/{key}", county_region.code)),
        )
        .await
        .expect("the project in the city");
    let (ex_unit,): (i64,) = city_db
        .db
        .one(zhaoyin_db::Sql::new("SELECT unit_id FROM projects WHERE id = $1").bind(in_city))
        .await
        .expect("the county's unit in the city");
    let r = city_api
        .send(
            Method::POST,
            "/api/v1/talents",
            json!({"name": "交换测试专家", "unit_id": ex_unit, "project_id": in_city}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", json(r).await);
    let taken = take(package_now().await).await;
    assert_eq!(
        taken,
        json!({"created": 0, "updated": 0, "withdrawn": 1, "unchanged": n})
    );
    let now_county = totals(&json(county_api.get("/api/v1/dashboard").await).await);
    assert_eq!(
        totals(&json(city_api.get(&county_view).await).await),
        now_county
    );
    let kept = json(city_api.get(&format!("/api/v1/projects/{in_city}")).await).await;
    assert!(kept["withdrawn_at"].is_string(), "{kept}");
    let listed = json(
        city_api
            .get(&format!(
                "/api/v1/projects?region_id={}&distinct=1&per_page=200",
                k.id
            ))
            .await,
    )
    .await;
    assert!(
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|p| p["id"] != in_city)
    );
    let (_, page) = b.text(&format!("/projects/{in_city}")).await;
    assert!(page.contains("交换包中不再包含它"), "{page}");
    assert_eq!(
        take(package_now().await).await,
        json!({"created": 0, "updated": 0, "withdrawn": 0, "unchanged": n})
    );

    // The county clears the mark: the project is counted again.
    let flagged_again = json(
        county_api
            .get(&format!("/api/v1/projects/{}", again["id"]))
            .await,
    )
    .await;
    let r = county_api
        .send(
            Method::PATCH,
            &format!("/api/v1/projects/{}", again["id"]),
            repeat(&flagged_again["version"], again),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["duplicate_of"], Value::Null);
    assert_eq!(
        take(package_now().await).await,
        json!({"created": 0, "updated": 1, "withdrawn": 0, "unchanged": n})
    );
    let now_county = totals(&json(county_api.get("/api/v1/dashboard").await).await);
    assert_eq!(
        totals(&json(city_api.get(&county_view).await).await),
        now_county
    );

    // The county moves a national code to another project (entered on the wrong one): the code
    // names the project, so the city's row that had it becomes that project, the project that
    // lost it comes as a new one (keyed by the county's id), and the taker's old row is
    // withdrawn. The totals still agree.
    let coded_now = json(
        county_api
            .get(&format!("/api/v1/projects/{}", added["id"]))
            .await,
    )
    .await;
    let r = county_api
        .send(
            Method::PATCH,
            &format!("/api/v1/projects/{}", added["id"]),
            json!({"version": coded_now["version"], "national_code": null}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let other = signed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["id"] != first["id"] && p["id"] != again["id"] && p["national_code"].is_null())
        .expect("another signed project");
    let r = county_api
        .send(
            Method::PATCH,
            &format!("/api/v1/projects/{}", other["id"]),
            json!({"version": other["version"], "national_code": "2026-370322-04-01-000777"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", json(r).await);
    assert_eq!(
        take(package_now().await).await,
        json!({"created": 1, "updated": 1, "withdrawn": 1, "unchanged": n - 1})
    );
    assert_eq!(
        totals(&json(city_api.get(&county_view).await).await),
        totals(&json(county_api.get("/api/v1/dashboard").await).await)
    );

    // The county hands in a fund's evidence after the city took the fund: the city counts it
    // verified from then on, while a day before reads it as it was, unverified. (The city's
    // projects and funds are moved a month back, as if taken then.)
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    city_db
        .db
        .execute(
            zhaoyin_db::Sql::new(
                "UPDATE project_funds SET created_at = $1, origin_verified_at = CASE WHEN \
                 origin_verified_at IS NULL THEN NULL ELSE $1 END",
            )
            .bind(month_ago),
        )
        .await
        .expect("moved back");
    city_db
        .db
        .execute(
            zhaoyin_db::Sql::new("UPDATE projects SET created_at = $1, updated_at = $1")
                .bind(month_ago),
        )
        .await
        .expect("moved back");
    let day = (chrono::Utc::now() - chrono::Duration::days(10)).date_naive();
    let funds_of = |q: String| {
        let city_api = &city_api;
        async move {
            let f = json(city_api.get(&format!("/api/v1/funds{q}")).await).await;
            (f["verified"].as_i64(), f["unverified"].as_i64())
        }
    };
    let county_funds = format!("?region_id={}", k.id);
    let then_q = format!("{county_funds}&as_of={day}");
    let (then, before) = (
        funds_of(then_q.clone()).await,
        funds_of(county_funds.clone()).await,
    );
    assert_eq!(then, before, "nothing changed since");
    let pending = json(county_api.get("/api/v1/funds?verified=0&per_page=1").await).await;
    let fund = &pending["items"][0];
    let amount = fund["amount"].as_i64().expect("a fund without evidence");
    let r = county_api
        .send(
            Method::POST,
            &format!(
                "/api/v1/projects/{}/funds/{}/evidence",
                fund["project_id"], fund["id"]
            ),
            json!([{"filename": "到账凭证.pdf", "content_base64": "JVBERi0xLjQ="}]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", json(r).await);
    assert_eq!(
        take(package_now().await).await["updated"],
        1,
        "the fund's project changed"
    );
    assert_eq!(
        funds_of(then_q).await,
        then,
        "the past day reads it unverified"
    );
    assert_eq!(
        funds_of(county_funds).await,
        (before.0.map(|v| v + amount), before.1.map(|u| u - amount)),
        "verified from now on"
    );
    // The city rewrote the projects' stage entries on each import: each still knows whether it
    // was its project's first of its stage.
    assert_eq!(
        zhaoyin_db::testing::stages_off_their_firsts(&city_db.db).await,
        Vec::<i64>::new()
    );

    // Without a signing key, a deployment exports nothing.
    let r = city_api
        .get(&format!("/api/v1/exchange/package?region_id={}", k.id))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
