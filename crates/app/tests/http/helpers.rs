//! `spawn_app()` and a browser-like client (cookies, CSRF tokens, no automatic redirects).

use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use tokio::net::TcpListener;
use zhaoyin::Running;
use zhaoyin_core::authz::Role;
use zhaoyin_db::Db;
use zhaoyin_db::testing::{self, At, Fixture, TestDb};
use zhaoyin_db::users::User;
use zhaoyin_web::WebConfig;

pub use zhaoyin_db::testing::PASSWORD;

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub fx: Fixture,
    /// Kept so the database (and its temporary directory) lives as long as the app.
    pub _test_db: TestDb,
    pub _running: Option<Running>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(WebConfig::default()).await
}

pub async fn spawn_app_with(cfg: WebConfig) -> TestApp {
    let test_db = testing::fresh().await;
    let fx = testing::fixture(&test_db.db).await;
    let (base, running) = start(test_db.db.clone(), cfg).await;
    TestApp {
        base,
        db: test_db.db.clone(),
        fx,
        _test_db: test_db,
        _running: Some(running),
    }
}

/// Another instance of the app on the same database (as a second server would be).
pub async fn start(db: Db, cfg: WebConfig) -> (String, Running) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let running = zhaoyin::launch(db, cfg, listener).expect("launch");
    (format!("http://{}", running.addr), running)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn user(&self, username: &str, role: Role, at: At<'_>) -> User {
        let unit = match &at {
            At::Unit(u) => (*u).clone(),
            At::Region(r) if r.id == self.fx.county_b.id => self.fx.unit_b.clone(),
            At::Region(_) => self.fx.unit_a.clone(),
        };
        testing::user_with(&self.db, username, &unit, role, at).await
    }

    /// A browser signed in as `username`.
    pub async fn login(&self, username: &str) -> Browser {
        let b = Browser::new(&self.base);
        let r = b.login(username, PASSWORD).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "login of {username} failed"
        );
        b
    }
}

/// Finds `name="_csrf" value="…"` or the csrf meta tag in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    for marker in ["name=\"_csrf\" value=\"", "name=\"csrf-token\" content=\""] {
        if let Some(rest) = html.split(marker).nth(1) {
            return rest.split('"').next().map(str::to_string);
        }
    }
    None
}

pub struct Browser {
    pub base: String,
    pub client: Client,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_string(),
            client: zhaoyin::http_client()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .expect("client"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("get")
    }

    pub async fn text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.text().await.expect("body"))
    }

    /// The CSRF token of the current page state (signed in or not).
    pub async fn csrf(&self) -> String {
        let path = "/login";
        let (_, html) = self.text(path).await;
        if let Some(t) = csrf_in(&html) {
            return t;
        }
        // Signed in: /login redirects; the password page is open even before a forced change.
        let (_, html) = self.text("/account/password").await;
        csrf_in(&html).expect("csrf token on page")
    }

    /// POSTs a form with the page's CSRF token added.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("_csrf", &token));
        self.client
            .post(self.url(path))
            .form(&fields)
            .send()
            .await
            .expect("post")
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

/// An API client with a bearer token.
pub struct Api {
    pub base: String,
    pub token: String,
    pub client: Client,
}

impl Api {
    pub async fn for_user(app: &TestApp, user: &User) -> Api {
        let (token, _) =
            zhaoyin_db::tokens::create(&app.db, &zhaoyin_db::audit::Actor::cli(), user, "test")
                .await
                .expect("token");
        Api {
            base: app.base.clone(),
            token,
            client: zhaoyin::http_client()
                .redirect(Policy::none())
                .build()
                .expect("client"),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("get")
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> Response {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("send")
    }
}

pub async fn json(r: Response) -> serde_json::Value {
    r.json().await.expect("json body")
}

/// A workbook of one sheet: its name, header row and data rows (as typed in Excel).
pub fn workbook<const N: usize>(sheet: &str, headers: [&str; N], rows: &[[&str; N]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).expect("name");
    for (r, row) in std::iter::once(&headers).chain(rows).enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write(
                u32::try_from(r).expect("row"),
                u16::try_from(c).expect("col"),
                *v,
            )
            .expect("write");
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

/// Uploads a workbook to an import page; its status and page.
pub async fn upload(b: &Browser, path: &str, bytes: Vec<u8>) -> (StatusCode, String) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("upload.xlsx"),
    );
    let r = multipart(b, path, form).await;
    let status = r.status();
    (status, r.text().await.expect("body"))
}

/// POSTs a multipart form with the page's CSRF token added.
pub async fn multipart(
    b: &Browser,
    path: &str,
    form: reqwest::multipart::Form,
) -> reqwest::Response {
    let token = b.csrf().await;
    b.client
        .post(b.url(path))
        .multipart(form.text("_csrf", token))
        .send()
        .await
        .expect("post")
}

/// The (field, code) pairs of a problem+json body's errors.
pub fn codes(v: &serde_json::Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_string(),
                        e["code"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Today where the county is (deadlines are days there).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// The cells of a workbook's first sheet, row by row.
pub fn first_sheet(bytes: Vec<u8>) -> Vec<Vec<calamine::Data>> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("sheet")
        .expect("range");
    sheet.rows().map(|r| r.to_vec()).collect()
}

/// The first sheet as the text of its cells.
pub fn first_sheet_text(bytes: Vec<u8>) -> Vec<Vec<String>> {
    first_sheet(bytes)
        .into_iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// A unit named after `code` in region `region` (an office).
pub async fn office_in(db: &Db, region: i64, code: &str) -> zhaoyin_db::org::Unit {
    let f = zhaoyin_core::org::UnitInput {
        code: code.into(),
        name: format!("{code} 单位"),
        kind: "office".into(),
        ..Default::default()
    }
    .validate()
    .expect("unit");
    zhaoyin_db::org::create_unit(db, &zhaoyin_db::audit::Actor::cli(), region, &f)
        .await
        .expect("unit")
}

/// Another county beside `county` (邻县, under the same city), with a supervisor over it: the
/// account `username`.
pub async fn neighbour_supervisor(
    db: &Db,
    county: &zhaoyin_db::org::Region,
    username: &str,
) -> User {
    let f = zhaoyin_core::org::RegionInput {
        code: "370399".into(),
        name: "邻县".into(),
        level: "county".into(),
    }
    .validate(Some(zhaoyin_core::org::RegionLevel::City))
    .expect("region");
    let other =
        zhaoyin_db::org::create_region(db, &zhaoyin_db::audit::Actor::cli(), county.parent_id, &f)
            .await
            .expect("another county");
    let unit = office_in(db, other.id, "ln-tcz").await;
    testing::user_with(db, username, &unit, Role::Supervisor, At::Region(&other)).await
}
