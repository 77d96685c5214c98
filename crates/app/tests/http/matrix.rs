//! Every role × own scope / other scope × read / write, for every entity that exists, through the
//! pages and through the API. The expected table is written out here by hand, so a change in the
//! rules that is not also a change in this table fails.

use reqwest::{Method, StatusCode};
use serde_json::json;
use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::At;
use zhaoyin_db::{org, users};

use crate::helpers::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum E {
    Region,
    Unit,
    Person,
    User,
    Audit,
}

const ENTITIES: [E; 5] = [E::Region, E::Unit, E::Person, E::User, E::Audit];

/// [read own, read other, write own, write other] per entity, in the order of ENTITIES.
const T: bool = true;
const F: bool = false;
const READ: [bool; 4] = [T, F, F, F];
const NONE: [bool; 4] = [F, F, F, F];
const READ_WRITE: [bool; 4] = [T, F, T, F];

fn expected(role: Role) -> [[bool; 4]; 5] {
    match role {
        Role::Leader | Role::Supervisor | Role::Clerk | Role::Agent | Role::Viewer => {
            [READ, READ, READ, NONE, NONE]
        }
        Role::Sysadmin => [READ_WRITE, READ_WRITE, READ_WRITE, READ_WRITE, NONE],
        Role::Secadmin => [READ, READ, READ, READ, NONE],
        Role::Auditor => [READ, READ, READ, READ, READ],
    }
}

struct Targets {
    region: [i64; 2],
    unit: [i64; 2],
    person: [i64; 2],
    user: [i64; 2],
}

async fn version(app: &TestApp, e: E, id: i64) -> i64 {
    match e {
        E::Region => org::get_region(&app.db, id).await.expect("region").version,
        E::Unit => org::get_unit(&app.db, id).await.expect("unit").version,
        E::Person => org::get_person(&app.db, id).await.expect("person").version,
        E::User => users::get(&app.db, id).await.expect("user").version,
        E::Audit => 0,
    }
}

fn api_path(e: E) -> &'static str {
    match e {
        E::Region => "regions",
        E::Unit => "units",
        E::Person => "people",
        E::User => "users",
        E::Audit => "audit",
    }
}

/// What a list page shows for the record, so its presence can be checked.
async fn marker(app: &TestApp, e: E, id: i64) -> String {
    match e {
        E::Region => format!(
            "<td class=\"mono\">{}</td>",
            org::get_region(&app.db, id).await.expect("r").code
        ),
        E::Unit => format!(
            "<td class=\"mono\">{}</td>",
            org::get_unit(&app.db, id).await.expect("u").code
        ),
        E::Person => format!(
            "<td>{}</td>",
            org::get_person(&app.db, id).await.expect("p").name
        ),
        E::User => format!(
            ">{}</a>",
            users::get(&app.db, id).await.expect("u").username
        ),
        E::Audit => format!(" #{id}</td>"),
    }
}

async fn api_read(app: &TestApp, api: &Api, e: E, id: i64) -> bool {
    if e == E::Audit {
        let r = api
            .get(&format!("/api/v1/audit?entity=unit&entity_id={id}"))
            .await;
        return match r.status() {
            StatusCode::OK => json(r).await["total"].as_i64().unwrap_or(0) > 0,
            StatusCode::FORBIDDEN => false,
            s => panic!("audit read: unexpected {s}"),
        };
    }
    let r = api.get(&format!("/api/v1/{}/{id}", api_path(e))).await;
    match r.status() {
        StatusCode::OK => true,
        StatusCode::NOT_FOUND => {
            let body = r.text().await.expect("body");
            assert!(
                !body.contains(&marker(app, e, id).await),
                "a refused read leaks data"
            );
            false
        }
        s => panic!("{e:?} read: unexpected {s}"),
    }
}

async fn html_read(app: &TestApp, b: &Browser, e: E, id: i64) -> bool {
    let path = match e {
        E::Region => "/org/regions".to_string(),
        E::Unit => "/org/units".to_string(),
        E::Person => "/org/people".to_string(),
        E::User => "/admin/users".to_string(),
        E::Audit => format!("/audit?entity=unit&entity_id={id}"),
    };
    let (status, html) = b.text(&path).await;
    match status {
        StatusCode::OK => html.contains(&marker(app, e, id).await),
        StatusCode::FORBIDDEN => false,
        s => panic!("{e:?} page: unexpected {s}"),
    }
}

fn denied(s: StatusCode) -> bool {
    matches!(
        s,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
    )
}

async fn api_write(app: &TestApp, api: &Api, e: E, id: i64, n: usize) -> bool {
    if e == E::Audit {
        for m in [Method::PATCH, Method::DELETE, Method::POST] {
            let r = api.send(m, &format!("/api/v1/audit/{id}"), json!({})).await;
            assert!(denied(r.status()), "the audit log has no write route");
        }
        return false;
    }
    let v = version(app, e, id).await;
    let body = match e {
        E::User => json!({"version": v, "display_name": format!("改名{n}")}),
        _ => json!({"version": v, "name": format!("改名{n}")}),
    };
    let r = api
        .send(
            Method::PATCH,
            &format!("/api/v1/{}/{id}", api_path(e)),
            body,
        )
        .await;
    let s = r.status();
    if s == StatusCode::OK {
        return true;
    }
    assert!(denied(s), "{e:?} API write: unexpected {s}");
    assert_eq!(
        version(app, e, id).await,
        v,
        "a refused write changes nothing"
    );
    false
}

async fn html_write(app: &TestApp, b: &Browser, e: E, id: i64, n: usize) -> bool {
    let v = version(app, e, id).await.to_string();
    let name = format!("网页改名{n}");
    let r = match e {
        E::Region => {
            let r = org::get_region(&app.db, id).await.expect("r");
            b.post(
                &format!("/org/regions/{id}"),
                &[("code", &r.code), ("name", &name), ("version", &v)],
            )
            .await
        }
        E::Unit => {
            let u = org::get_unit(&app.db, id).await.expect("u");
            let region = u.region_id.to_string();
            b.post(
                &format!("/org/units/{id}"),
                &[
                    ("code", &u.code),
                    ("name", &name),
                    ("kind", &u.kind),
                    ("region_id", &region),
                    ("version", &v),
                ],
            )
            .await
        }
        E::Person => {
            let p = org::get_person(&app.db, id).await.expect("p");
            let unit = p.unit_id.to_string();
            b.post(
                &format!("/org/people/{id}"),
                &[("name", &name), ("unit_id", &unit), ("version", &v)],
            )
            .await
        }
        E::User => {
            let u = users::get(&app.db, id).await.expect("u");
            let unit = u.unit_id.to_string();
            b.post(
                &format!("/admin/users/{id}"),
                &[("display_name", &name), ("unit_id", &unit), ("version", &v)],
            )
            .await
        }
        E::Audit => {
            let r = b.post("/audit", &[]).await;
            assert!(denied(r.status()), "the audit log has no write page");
            return false;
        }
    };
    let s = r.status();
    if s == StatusCode::SEE_OTHER {
        return true;
    }
    assert!(denied(s), "{e:?} page write: unexpected {s}");
    false
}

#[tokio::test]
async fn every_role_in_and_out_of_its_scope_through_pages_and_api() {
    let app = spawn_app().await;
    let fx = &app.fx;
    let target_a = app
        .user("target-a", Role::Viewer, At::Unit(&fx.unit_a))
        .await;
    let target_b = app
        .user("target-b", Role::Viewer, At::Unit(&fx.unit_b))
        .await;
    let t = Targets {
        region: [fx.county_a.id, fx.county_b.id],
        unit: [fx.unit_a.id, fx.unit_b.id],
        person: [fx.person_a.id, fx.person_b.id],
        user: [target_a.id, target_b.id],
    };
    let mut failures = Vec::new();
    let mut n = 0;
    for role in Role::ALL {
        let username = format!("m-{}", role.id());
        let user = if matches!(role, Role::Clerk | Role::Agent) {
            app.user(&username, *role, At::Unit(&fx.unit_a)).await
        } else {
            app.user(&username, *role, At::Region(&fx.county_a)).await
        };
        let api = Api::for_user(&app, &user).await;
        let browser = app.login(&username).await;
        for (ei, e) in ENTITIES.iter().enumerate() {
            let ids = match e {
                E::Region => t.region,
                E::Unit | E::Audit => t.unit,
                E::Person => t.person,
                E::User => t.user,
            };
            let want = expected(*role)[ei];
            for (si, scope) in ["own", "other"].iter().enumerate() {
                n += 1;
                let got = [
                    (
                        "api read",
                        api_read(&app, &api, *e, ids[si]).await,
                        want[si],
                    ),
                    (
                        "page read",
                        html_read(&app, &browser, *e, ids[si]).await,
                        want[si],
                    ),
                    (
                        "api write",
                        api_write(&app, &api, *e, ids[si], n).await,
                        want[2 + si],
                    ),
                    (
                        "page write",
                        html_write(&app, &browser, *e, ids[si], n).await,
                        want[2 + si],
                    ),
                ];
                for (what, got, want) in got {
                    if got != want {
                        failures.push(format!(
                            "{} {e:?} {scope} {what}: got {got}, expected {want}",
                            role.id()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
