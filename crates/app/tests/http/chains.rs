//! Industry chains over HTTP: the supervisor draws a chain's segments as an outline (a bad line
//! is named), companies and projects are put in segments of their own county's chains only, the
//! chain's view counts local companies, targets and projects up the tree and marks 缺链/弱链 with
//! the targets for each; an edit renames in place and keeps what a segment holds, and refuses to
//! drop a segment that still holds something. The same through the pages.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;

use crate::helpers::*;

fn segment<'a>(chain: &'a Value, name: &str) -> &'a Value {
    chain["segment_tree"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no segment {name} in {chain}"))
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn chains_mark_their_gaps_and_keep_their_segments() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let sup = app
        .user("sup", Role::Supervisor, At::Region(&fx.county_a))
        .await;
    let clerk = app.user("clerk-a", Role::Clerk, At::Unit(&fx.unit_a)).await;
    let other = app.user("clerk-b", Role::Clerk, At::Unit(&fx.unit_b)).await;
    let (sup, clerk, other) = (
        Api::for_user(&app, &sup).await,
        Api::for_user(&app, &clerk).await,
        Api::for_user(&app, &other).await,
    );
    let outline = "上游\n  原料\n中游\n  部件\n下游\n";
    let body = json!({"name": "新材料产业链", "lead_unit_id": fx.unit_a.id,
        "leader_id": fx.person_a.id, "unit_ids": [fx.unit_a2.id], "outline": outline});

    // A clerk reads chains but does not draw them; a bad outline names its line.
    let r = clerk
        .send(Method::POST, "/api/v1/chains", body.clone())
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = sup
        .send(
            Method::POST,
            "/api/v1/chains",
            json!({"name": "x", "lead_unit_id": fx.unit_a.id, "outline": "上游\n  原料\n原料\n"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = json(r).await;
    assert_eq!(p["errors"][0]["code"], "outline_duplicate", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("第 3 行")),
        "{p}"
    );
    let r = sup.send(Method::POST, "/api/v1/chains", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let chain_id = json(r).await["id"].as_i64().expect("id");
    let path = format!("/api/v1/chains/{chain_id}");
    let chain = json(clerk.get(&path).await).await;
    assert_eq!(chain["outline"], outline);
    assert_eq!(names(&chain["units"]), vec!["县投资促进中心"]);
    let raw = segment(&chain, "原料")["id"].as_i64().expect("id");
    let part = segment(&chain, "部件")["id"].as_i64().expect("id");
    // Another county's clerk sees nothing of it.
    assert_eq!(other.get(&path).await.status(), StatusCode::NOT_FOUND);

    // Companies in segments: one local (landed), two targets; a project in 部件.
    let company = |name: &'static str, segs: Vec<i64>| {
        let c = &clerk;
        async move {
            let r = c
                .send(
                    Method::POST,
                    "/api/v1/companies",
                    json!({"name": name, "segment_ids": segs}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
            json(r).await
        }
    };
    let local = company("高青本地材料有限公司", vec![raw]).await;
    let target_raw = company("远方原料集团有限公司", vec![raw]).await;
    let target_part = company("远方部件股份有限公司", vec![part, raw]).await;
    assert_eq!(
        target_part["segment_ids"],
        json!([raw.min(part), raw.max(part)])
    );
    let r = clerk
        .send(
            Method::POST,
            &format!("/api/v1/companies/{}/status", local["id"]),
            json!({"status": "landed", "version": local["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = clerk
        .send(
            Method::POST,
            "/api/v1/projects",
            json!({"name": "高性能部件项目", "unit_id": fx.unit_a.id, "segment_id": part,
                   "investor_id": target_part["id"], "total_investment": 5000}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let project = json(r).await;
    assert_eq!(project["segment_name"], "新材料产业链 · 部件");
    // Another county's segments cannot be named.
    let r = other
        .send(
            Method::POST,
            "/api/v1/companies",
            json!({"name": "桓台某公司", "segment_ids": [raw]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(r).await["errors"][0]["field"], "segment_ids");

    // The view: counts up the tree, each company once; gaps with their targets.
    let chain = json(sup.get(&path).await).await;
    assert_eq!(
        (
            &chain["local_companies"],
            &chain["targets"],
            &chain["projects"]
        ),
        (&json!(1), &json!(2), &json!(1))
    );
    let s = segment(&chain, "原料");
    assert_eq!((&s["local_total"], &s["gap"]), (&json!(1), &json!("weak")));
    assert_eq!(s["gap_targets"].as_array().map(Vec::len), Some(2));
    assert!(
        s["targets"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["id"] == target_raw["id"]))
    );
    assert_eq!(names(&s["local_companies"]), vec!["高青本地材料有限公司"]);
    let s = segment(&chain, "上游");
    assert_eq!(
        (&s["local_total"], &s["target_total"], &s["gap"]),
        (&json!(1), &json!(2), &json!("weak"))
    );
    let s = segment(&chain, "部件");
    assert_eq!(
        (&s["gap"], &s["project_total"]),
        (&json!("missing"), &json!(1))
    );
    assert_eq!(names(&s["gap_targets"]), vec!["远方部件股份有限公司"]);
    assert_eq!(segment(&chain, "中游")["project_total"], 1);
    assert_eq!(segment(&chain, "下游")["gap"], "missing");
    assert_eq!((&chain["missing"], &chain["weak"]), (&json!(3), &json!(2)));
    // The lists behind the figures.
    let total = |v: Value| v["total"].clone();
    assert_eq!(
        total(
            json(
                sup.get(&format!("/api/v1/companies?segment_id={raw}"))
                    .await
            )
            .await
        ),
        3
    );
    assert_eq!(
        total(
            json(
                sup.get(&format!(
                    "/api/v1/projects?segment_id={}",
                    segment(&chain, "中游")["id"]
                ))
                .await
            )
            .await
        ),
        1
    );
    let list = json(clerk.get("/api/v1/chains").await).await;
    assert_eq!(list["items"][0]["missing"], 3);

    // An edit renames 部件 in its place (its project stays) and adds a segment; dropping 原料,
    // which holds companies, is refused with its name.
    let version = chain["version"].clone();
    let r = sup
        .send(
            Method::PATCH,
            &path,
            json!({"outline": "上游\n  原料\n中游\n  核心部件\n  辅料\n下游\n", "version": version}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let chain = json(sup.get(&path).await).await;
    let s = segment(&chain, "核心部件");
    assert_eq!((&s["id"], &s["project_total"]), (&json!(part), &json!(1)));
    let p = json(
        clerk
            .get(&format!("/api/v1/projects/{}", project["id"]))
            .await,
    )
    .await;
    assert_eq!(p["segment_name"], "新材料产业链 · 核心部件");
    let r = sup
        .send(
            Method::PATCH,
            &path,
            json!({"outline": "上游\n中游\n  核心部件\n下游\n", "version": chain["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = json(r).await;
    assert_eq!(p["errors"][0]["code"], "segment_in_use", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("原料") && m.contains("3 家企业")),
        "{p}"
    );

    // Dropping a parent whose child moves elsewhere: the child keeps its companies. (Before,
    // 原料 holds companies under 上游; after, it sits under 下游 and 上游 is gone.)
    let chain = json(sup.get(&path).await).await;
    let r = sup
        .send(
            Method::PATCH,
            &path,
            json!({"outline": "中游\n  核心部件\n  辅料\n下游\n  原料\n", "version": chain["version"]}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let chain = json(sup.get(&path).await).await;
    let s = segment(&chain, "原料");
    assert_eq!((&s["id"], &s["local_total"]), (&json!(raw), &json!(1)));
    assert_eq!(segment(&chain, "下游")["local_total"], 1);
    // Names that look like markup stay text in the page's data.
    let r = sup
        .send(
            Method::PATCH,
            &path,
            json!({"outline": "中游\n  核心部件\n  辅料\n下游\n  原料\n<!--<script>\n", "version": chain["version"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The pages: the list, the chain page with its tree data and table, the form.
    let b = app.login("sup").await;
    let (code, html) = b.text("/chains").await;
    assert_eq!(code, StatusCode::OK);
    assert!(html.contains("新材料产业链"));
    let (code, html) = b.text(&format!("/chains/{chain_id}")).await;
    assert_eq!(code, StatusCode::OK);
    for s in [
        "缺链",
        "弱链",
        "高性能部件项目",
        "高青本地材料有限公司",
        "远方部件股份有限公司",
        "echarts.min.js",
        "id=\"chain-tree\"",
        "\\u003c!--\\u003cscript\\u003e",
    ] {
        assert!(html.contains(s), "chain page lacks {s}");
    }
    let (code, html) = b.text(&format!("/companies?segment_id={raw}")).await;
    assert_eq!(code, StatusCode::OK);
    assert!(html.contains("远方原料集团有限公司"));
    let unit_a2 = fx.unit_a2.id.to_string();
    let unit_a = fx.unit_a.id.to_string();
    let r = b
        .post(
            "/chains",
            &[
                ("name", "高端装备产业链"),
                ("lead_unit_id", &unit_a),
                ("unit_ids", &unit_a2),
                ("unit_ids", &unit_a),
                ("outline", "上游\n  零部件\n下游\n  整机\n"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = b
        .post(
            "/chains",
            &[
                ("name", "坏的产业链"),
                ("lead_unit_id", &unit_a),
                ("outline", "上游\n  a\n    b\n      c\n"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap_or_default();
    assert!(html.contains("第 4 行"), "{html}");
    let (_, html) = b.text("/companies/new").await;
    assert!(html.contains("<optgroup label=\"高端装备产业链\">"));
}
