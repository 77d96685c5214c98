//! The `zhaoyin` binary itself: database URLs, accounts, tokens, audit verification, backup and
//! restore while serving, health check, serving and graceful shutdown, and the demo.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use zhaoyin_db::testing::{self, fixture};
use zhaoyin_db::{Kind, Sql};

#[path = "common/sinks.rs"]
mod sinks;

const BIN: &str = env!("CARGO_BIN_EXE_zhaoyin");

struct Out {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn run(url: &str, args: &[&str], stdin: Option<&str>) -> Out {
    let mut cmd = Command::new(BIN);
    cmd.arg("--database-url")
        .arg(url)
        .args(args)
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("ZHAOYIN_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn zhaoyin");
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(input) = stdin {
            pipe.write_all(input.as_bytes()).await.expect("stdin");
        }
        drop(pipe);
    }
    let out = child.wait_with_output().await.expect("wait");
    Out {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test]
async fn an_unknown_database_scheme_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = run("mysql://root:secret@localhost/zhaoyin", &["migrate"], None).await;
    assert!(!out.ok);
    assert!(
        out.stderr.contains("sqlite://PATH or postgres://"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("secret"), "passwords are not echoed");
    let path = dir.path().join("x.db");
    let out = run(&path.display().to_string(), &["migrate"], None).await;
    assert!(!out.ok, "a bare path is not a URL");
    assert!(!path.exists());
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_clear_error() {
    let out = run(
        "postgres://postgres@127.0.0.1:1/zhaoyin",
        &["migrate"],
        None,
    )
    .await;
    assert!(!out.ok);
    assert!(
        out.stderr.contains("cannot connect to the database"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn accounts_from_the_command_line() {
    let t = testing::fresh().await;
    fixture(&t.db).await;
    let url = t.url.as_str();
    let add = [
        "user",
        "add",
        "--username",
        "Zhang.Wei",
        "--name",
        "张伟",
        "--unit",
        "gq-fgj",
        "--role",
        "clerk",
        "--password-stdin",
    ];
    let out = run(url, &add, Some("short\n")).await;
    assert!(
        !out.ok && out.stderr.contains("密码至少 10 位"),
        "{}",
        out.stderr
    );
    let out = run(url, &add, Some("Strong#Pass1\n")).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("已创建账号 zhang.wei，角色：填报员"));
    let out = run(url, &add, Some("Strong#Pass1\n")).await;
    assert!(
        !out.ok && out.stderr.contains("该用户名已被使用"),
        "{}",
        out.stderr
    );
    let u = zhaoyin_db::users::by_username(&t.db, "zhang.wei")
        .await
        .expect("q")
        .expect("user");
    assert!(u.must_change_password);
    let grants = zhaoyin_db::users::grants_of(&t.db, u.id)
        .await
        .expect("grants");
    assert_eq!(
        (grants[0].role.as_str(), grants[0].scope_name.as_str()),
        ("clerk", "县发展和改革局")
    );

    // An administrator role, scoped to the county, and the separation of duties.
    let out = run(
        url,
        &[
            "user",
            "add",
            "--username",
            "sys",
            "--name",
            "系统管理员",
            "--unit",
            "gq-tcj",
            "--role",
            "sysadmin",
            "--scope",
            "370322",
            "--password-stdin",
        ],
        Some("Strong#Pass1\n"),
    )
    .await;
    assert!(out.ok, "{}", out.stderr);
    let out = run(url, &["user", "grant", "sys", "--role", "clerk"], None).await;
    assert!(!out.ok && out.stderr.contains("三员分立"), "{}", out.stderr);

    let out = run(url, &["user", "list"], None).await;
    assert!(
        out.stdout.contains("zhang.wei") && out.stdout.contains("sysadmin@高青县"),
        "{}",
        out.stdout
    );

    let out = run(url, &["user", "token", "zhang.wei", "--name", "脚本"], None).await;
    assert!(out.ok);
    let token = out.stdout.trim();
    assert!(token.starts_with("zy_") && token.len() > 60);
    assert!(
        zhaoyin_db::tokens::lookup(&t.db, token)
            .await
            .expect("lookup")
            .is_some()
    );

    let out = run(
        url,
        &["user", "passwd", "zhang.wei", "--password-stdin"],
        Some("Another#Pass2\n"),
    )
    .await;
    assert!(out.ok, "{}", out.stderr);
    let out = run(url, &["user", "disable", "zhang.wei"], None).await;
    assert!(out.ok);
    assert!(
        zhaoyin_db::tokens::lookup(&t.db, token)
            .await
            .expect("lookup")
            .is_none(),
        "its tokens are revoked"
    );
    let out = run(url, &["user", "disable", "nobody"], None).await;
    assert!(!out.ok && out.stderr.contains("没有用户名为 nobody 的账号"));
}

#[tokio::test]
async fn audit_verify_passes_and_then_finds_a_hand_edit() {
    let t = testing::fresh().await;
    fixture(&t.db).await;
    let out = run(&t.url, &["audit", "verify"], None).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("审计日志完整"));
    match t.db.kind() {
        Kind::Sqlite => {
            t.db.execute(Sql::new("DROP TRIGGER audit_log_no_update"))
                .await
        }
        Kind::Postgres => {
            t.db.execute(Sql::new("DROP TRIGGER audit_log_no_update ON audit_log"))
                .await
        }
    }
    .expect("drop trigger");
    t.db.execute(Sql::new(
        "UPDATE audit_log SET after_json = '{\"name\":\"改\"}' WHERE seq = 4",
    ))
    .await
    .expect("edit");
    let out = run(&t.url, &["audit", "verify"], None).await;
    assert!(!out.ok);
    assert!(
        out.stderr.contains("第 4 条记录的内容与其哈希值不符"),
        "{}",
        out.stderr
    );
}

async fn spawn_serving(url: &str) -> (tokio::process::Child, String) {
    spawn_serving_with(url, &[]).await
}

/// Serves `url` with the given environment (configuration keys as `ZHAOYIN_…`).
async fn spawn_serving_with(url: &str, env: &[(&str, &str)]) -> (tokio::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(["--database-url", url, "serve", "--listen", "127.0.0.1:0"])
        .env("LANG", "zh_CN.UTF-8")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next_line()
            .await
            .expect("read")
            .expect("serving line");
        if let Some(url) = line.strip_prefix("招引已启动：") {
            break url.trim().to_string();
        }
    };
    (child, base)
}

#[tokio::test]
async fn serve_answers_health_checks_and_stops_gracefully() {
    let t = testing::fresh().await;
    let (mut child, base) = spawn_serving(&t.url).await;
    let out = run(&t.url, &["healthcheck", "--url", &base], None).await;
    assert!(out.ok && out.stdout.contains("运行正常"), "{}", out.stderr);
    let pid = child.id().expect("pid").to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().await.expect("wait");
    assert!(exit.success(), "graceful shutdown exits 0");
    let out = run(&t.url, &["healthcheck", "--url", &base], None).await;
    assert!(!out.ok, "nothing listens any more");
}

#[tokio::test]
async fn backup_while_serving_and_restore() {
    let t = testing::fresh().await;
    let fx = fixture(&t.db).await;
    // Writes go on while the backup runs.
    let db = t.db.clone();
    let region = fx.county_a.id;
    let writer = tokio::spawn(async move {
        for i in 0..40 {
            let f = zhaoyin_core::org::UnitInput {
                code: format!("w{i}"),
                name: format!("单位{i}"),
                kind: "office".into(),
                ..Default::default()
            }
            .validate()
            .expect("valid");
            zhaoyin_db::org::create_unit(&db, &zhaoyin_db::audit::Actor::cli(), region, &f)
                .await
                .expect("write");
        }
    });
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("backup.bin");
    let file_s = file.display().to_string();
    if t.db.kind() == Kind::Postgres
        && std::process::Command::new("pg_dump")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("SKIPPED: pg_dump is not installed");
        return;
    }
    let out = run(&t.url, &["backup", &file_s], None).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("备份已写入"));
    writer.await.expect("writer");
    // The backup is consistent: its audit chain verifies.
    let target = match t.db.kind() {
        Kind::Sqlite => format!("sqlite://{}", dir.path().join("restored.db").display()),
        Kind::Postgres => {
            testing::fresh_postgres(&testing::postgres_admin_url().expect("admin"))
                .await
                .url
        }
    };
    let out = run(&target, &["restore", &file_s], None).await;
    assert!(out.ok, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("审计日志完整"), "{}", out.stdout);
    let restored = zhaoyin_db::Db::connect(&target, &Default::default())
        .await
        .expect("open");
    let (n,): (i64,) = restored
        .one(Sql::new("SELECT COUNT(*) FROM units"))
        .await
        .expect("count");
    assert!((3..=43).contains(&n), "{n}");
    // One moment of all tables: every unit in the copy has its audit entry, and no entry
    // names a unit the copy lacks.
    let (audited,): (i64,) = restored
        .one(Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'unit' AND action = 'create'",
        ))
        .await
        .expect("count");
    assert_eq!(
        audited, n,
        "units and their audit entries from the same moment"
    );
    // A file that is not a backup is refused and changes nothing.
    let junk = dir.path().join("junk");
    std::fs::write(&junk, "hello").expect("write");
    let out = run(
        &target,
        &["restore", &junk.display().to_string(), "--force"],
        None,
    )
    .await;
    assert!(!out.ok);
    let (m,): (i64,) = restored
        .one(Sql::new("SELECT COUNT(*) FROM units"))
        .await
        .expect("count");
    assert_eq!(n, m);
}

#[tokio::test]
async fn the_demo_serves_a_county_you_can_sign_in_to() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}", dir.path().join("zhaoyin-demo.db").display());
    let mut child = Command::new(BIN)
        .args(["--database-url", &url, "demo", "--listen", "127.0.0.1:0"])
        .env("LANG", "zh_CN.UTF-8")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut printed = String::new();
    let base = loop {
        let line = lines.next_line().await.expect("read").expect("line");
        printed.push_str(&line);
        printed.push('\n');
        if let Some(url) = line.strip_prefix("招引已启动：") {
            break url.trim().to_string();
        }
    };
    // The logins follow the URL.
    for _ in 0..9 {
        let line = lines.next_line().await.expect("read").expect("line");
        printed.push_str(&line);
        printed.push('\n');
    }
    assert!(printed.contains("已载入演示数据：高青县"), "{printed}");
    assert!(
        printed.contains("admin") && printed.contains("Zhaoyin@2026"),
        "{printed}"
    );
    let client = zhaoyin::http_client()
        .cookie_store(true)
        .build()
        .expect("client");
    let html = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let r = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", "admin"),
            ("password", zhaoyin::demo::PASSWORD),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .expect("login");
    let html = r.text().await.expect("home");
    assert!(html.contains("系统管理员，您好"), "{html}");
    let units = client
        .get(format!("{base}/org/units"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(units.contains("县投资促进中心") && units.contains("经济开发区"));
    child.kill().await.expect("kill");
}

#[tokio::test]
async fn a_fresh_installation_is_set_up_from_the_command_line() {
    let t = testing::fresh().await;
    let url = t.url.as_str();
    let ok = |o: &Out| assert!(o.ok, "{}{}", o.stdout, o.stderr);
    ok(&run(
        url,
        &[
            "region",
            "add",
            "--code",
            "370000",
            "--name",
            "山东省",
            "--level",
            "province",
        ],
        None,
    )
    .await);
    ok(&run(
        url,
        &[
            "region",
            "add",
            "--code",
            "370300",
            "--name",
            "淄博市",
            "--level",
            "city",
            "--parent",
            "370000",
        ],
        None,
    )
    .await);
    let out = run(
        url,
        &[
            "region",
            "add",
            "--code",
            "370322",
            "--name",
            "高青县",
            "--level",
            "town",
            "--parent",
            "370300",
        ],
        None,
    )
    .await;
    assert!(
        !out.ok && out.stderr.contains("上级区划的级别不对"),
        "{}",
        out.stderr
    );
    ok(&run(
        url,
        &[
            "region",
            "add",
            "--code",
            "370322",
            "--name",
            "高青县",
            "--level",
            "county",
            "--parent",
            "370300",
        ],
        None,
    )
    .await);
    let out = run(
        url,
        &[
            "region", "add", "--code", "370322", "--name", "重复", "--level", "county", "--parent",
            "370300",
        ],
        None,
    )
    .await;
    assert!(
        !out.ok && out.stderr.contains("代码：该值已被使用"),
        "{}",
        out.stderr
    );
    ok(&run(
        url,
        &[
            "unit",
            "add",
            "--code",
            "gq-zhcs",
            "--name",
            "县智慧城市建设管理中心",
            "--kind",
            "office",
            "--region",
            "370322",
        ],
        None,
    )
    .await);
    let out = run(
        url,
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--name",
            "系统管理员",
            "--unit",
            "gq-zhcs",
            "--role",
            "sysadmin",
            "--password-stdin",
        ],
        Some("Gaoqing#Start-1\n"),
    )
    .await;
    ok(&out);
    let u = zhaoyin_db::users::by_username(&t.db, "admin")
        .await
        .expect("q")
        .expect("admin");
    let grants = zhaoyin_db::users::grants_of(&t.db, u.id)
        .await
        .expect("grants");
    assert_eq!(
        grants[0].scope_name, "高青县",
        "an administrator is scoped to the unit's region by default"
    );
}

#[tokio::test]
async fn configuration_comes_from_a_file_and_the_environment() {
    let dir = tempfile::tempdir().expect("tmp");
    let from_file = dir.path().join("from-file.db");
    let from_env = dir.path().join("from-env.db");
    let config = dir.path().join("zhaoyin.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{}\"\n[session]\nidle_minutes = 20\n",
            from_file.display()
        ),
    )
    .expect("write config");
    let cfg = config.display().to_string();
    let status = Command::new(BIN)
        .args(["--config", &cfg, "migrate"])
        .env_remove("ZHAOYIN_DATABASE_URL")
        .output()
        .await
        .expect("run");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(from_file.exists());
    // The environment overrides the file.
    let status = Command::new(BIN)
        .args(["--config", &cfg, "migrate"])
        .env(
            "ZHAOYIN_DATABASE_URL",
            format!("sqlite://{}", from_env.display()),
        )
        .output()
        .await
        .expect("run");
    assert!(status.status.success());
    assert!(from_env.exists());
    // A bad value names itself.
    std::fs::write(&config, "[session]\nidle_minutes = \"soon\"\n").expect("write");
    let out = Command::new(BIN)
        .args(["--config", &cfg, "migrate"])
        .output()
        .await
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("idle_minutes"));
    let out = Command::new(BIN)
        .args(["--config", "/nonexistent.toml", "migrate"])
        .output()
        .await
        .expect("run");
    assert!(!out.status.success());
}

#[tokio::test]
async fn policy_parse_prints_the_structure_as_json() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/policies/linhe-2021-talent.txt"
    );
    let out = Command::new(BIN)
        .args(["policy", "parse", file, "--json"])
        .output()
        .await
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["date"], "2021-03-15");
    let m = &doc["chapters"][0]["measures"][0];
    for key in [
        "number",
        "title",
        "text",
        "leaders",
        "lead_units",
        "support_units",
        "unit_groups",
        "deadline",
        "cadences",
        "targets",
    ] {
        assert!(!m[key].is_null() || key == "deadline", "missing {key}");
    }
    assert_eq!(m["deadline"], "2021-06-30");
    assert_eq!(m["targets"][0]["comparator"], ">=");
    assert_eq!(m["targets"][0]["value"], 100.0);
    assert_eq!(m["targets"][0]["unit"], "万元");
    assert_eq!(
        doc["chapters"][0]["measures"][2]["cadences"][0].as_str(),
        None,
        "the third measure is in chapter two"
    );
    assert_eq!(
        doc["chapters"][1]["measures"][0]["cadences"][0],
        "quarterly"
    );
    // The readable form, in Chinese.
    let out = Command::new(BIN)
        .args(["policy", "parse", file])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .await
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("共 2 章、4 条措施") && text.contains("牵头单位：县委组织部（县委人才办）"),
        "{text}"
    );
    // A file that is not text.
    let out = Command::new(BIN)
        .args(["policy", "parse", BIN])
        .output()
        .await
        .expect("run");
    assert!(!out.status.success());
}

#[tokio::test]
async fn policy_parse_reads_web_pages_and_word_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let html = dir.path().join("policy.html");
    std::fs::write(
        &html,
        "<html><head><meta charset=utf-8><title>x</title></head><body><ul><li><a href='/'>首页</a></li></ul>\
         <h2>某县推进招商引资的若干措施</h2><p>2023-02-01</p><p>一、项目招引</p><p>1.强化招商。每季度调度一次。</p>\
         <p>责任人:张三</p><p>责任单位:县商务局,县财政局</p><div>上一页 下一页</div></body></html>",
    )
    .expect("write");
    let out = Command::new(BIN)
        .args(["policy", "parse", &html.display().to_string(), "--json"])
        .output()
        .await
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        doc["chapters"][0]["measures"][0]["lead_units"][0],
        "县商务局"
    );
    assert_eq!(
        doc["chapters"][0]["measures"][0]["cadences"][0],
        "quarterly"
    );
    // An old binary .doc renamed to .docx is refused with a message.
    let doc_file = dir.path().join("policy.docx");
    std::fs::write(&doc_file, b"\xD0\xCF\x11\xE0 old word").expect("write");
    let out = Command::new(BIN)
        .args(["policy", "parse", &doc_file.display().to_string()])
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .await
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法读取该 Word 文件"));
}

/// `demo --scale county --no-serve` fills an empty database, says what it made and exits; on a
/// database that already holds data it refuses and changes nothing.
#[tokio::test]
async fn demo_scale_fills_an_empty_database_only() {
    let t = testing::fresh().await;
    let out = run(&t.url, &["demo", "--scale", "county", "--no-serve"], None).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("1000 项任务"), "{}", out.stdout);
    let (n,): (i64,) =
        t.db.one(Sql::new("SELECT COUNT(*) FROM tasks"))
            .await
            .expect("count");
    assert_eq!(n, 1000);
    let again = run(&t.url, &["demo", "--scale", "county", "--no-serve"], None).await;
    assert!(!again.ok);
    assert!(again.stderr.contains("数据库不是空的"), "{}", again.stderr);
    let (n,): (i64,) =
        t.db.one(Sql::new("SELECT COUNT(*) FROM tasks"))
            .await
            .expect("count");
    assert_eq!(n, 1000);
}

/// Crash safety: progress reports are written through the API while the server is killed with
/// SIGKILL at varying moments, twenty times. Every report that was answered 201 is there
/// afterwards, each with its timeline entry and its audit entry (nothing half-written), the
/// audit chain is whole, and SQLite's integrity check passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9() {
    use zhaoyin_core::authz::Role;
    use zhaoyin_core::task::{LightRules, TaskCadence};
    use zhaoyin_db::audit::{Actor, Verification};
    use zhaoyin_db::tasks::{self, Clock, NewClause, NewPolicy, NewTask};
    use zhaoyin_db::testing::{At, user_with};

    let t = testing::fresh().await;
    let fx = fixture(&t.db).await;
    let clerk = user_with(
        &t.db,
        "clerk",
        &fx.unit_a,
        Role::Clerk,
        At::Unit(&fx.unit_a),
    )
    .await;
    let (token, _) = zhaoyin_db::tokens::create(&t.db, &Actor::cli(), &clerk, "crash")
        .await
        .expect("token");
    let clock = Clock {
        today: chrono::Utc::now().date_naive(),
        now: zhaoyin_db::now(),
        rules: LightRules::default(),
    };
    let policy = NewPolicy {
        status: "active".into(),
        region_id: fx.county_a.id,
        title: "崩溃测试".into(),
        issuer: None,
        doc_number: None,
        issued_on: None,
        source_text: String::new(),
        clauses: vec![NewClause {
            chapter_number: String::new(),
            chapter_title: String::new(),
            number: "1".into(),
            title: "一".into(),
            text: "一。".into(),
            // One task per write: a second report for the same period would replace the first.
            tasks: (1..=120)
                .map(|i| NewTask {
                    code: format!("CRASH-{i}"),
                    title: format!("任务{i}"),
                    content: String::new(),
                    cadence: TaskCadence::Monthly,
                    deadline: None,
                    lead_units: vec![fx.unit_a.id],
                    support_units: vec![],
                    leaders: vec![],
                    unit_groups: vec![],
                    indicators: vec![],
                })
                .collect(),
        }],
    };
    let (_, ids) = tasks::create_policy(&t.db, &Actor::cli(), &policy, clock)
        .await
        .expect("policy");
    // Signed for (签收) already: reports are taken from then on.
    t.db.execute(Sql::new("UPDATE tasks SET status = 'in_progress'"))
        .await
        .expect("in progress");
    let client = zhaoyin::http_client().build().expect("client");
    let mut acknowledged: Vec<(i64, String)> = Vec::new();
    let mut next = ids.iter().copied();
    let mut n = 0u32;
    for round in 0..20u64 {
        let (mut child, base) = spawn_serving(&t.url).await;
        // A varying number of answered writes, then one more in flight while the process is
        // killed: the kill lands wherever that request happens to be.
        let writes = 1 + (round * 7) % 5;
        let post = |task: i64, progress: String| {
            client
                .post(format!("{base}/api/v1/tasks/{task}/reports"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"progress": progress, "percent": 50}))
                .send()
        };
        for _ in 0..writes {
            n += 1;
            let task = next.next().expect("a task left");
            let progress = format!("第{n}次进展");
            let r = post(task, progress.clone()).await.expect("served");
            let status = r.status();
            assert_eq!(status, reqwest::StatusCode::CREATED, "{:?}", r.text().await);
            acknowledged.push((task, progress));
        }
        n += 1;
        let task = next.next().expect("a task left");
        let progress = format!("第{n}次进展");
        let in_flight = tokio::spawn(post(task, progress.clone()));
        let pid = child.id().expect("pid").to_string();
        let killed = Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .await
            .expect("kill");
        assert!(killed.success());
        let _ = child.wait().await;
        if let Ok(Ok(r)) = in_flight.await
            && r.status() == reqwest::StatusCode::CREATED
        {
            acknowledged.push((task, progress));
        }
    }
    assert!(acknowledged.len() > 20, "writes got through between kills");
    let stored: Vec<(i64, String)> =
        t.db.all(Sql::new(
            "SELECT task_id, progress FROM task_reports ORDER BY id",
        ))
        .await
        .expect("reports");
    for write in &acknowledged {
        assert!(stored.contains(write), "acknowledged {write:?} is lost");
    }
    let (events,): (i64,) =
        t.db.one(Sql::new(
            "SELECT COUNT(*) FROM task_events WHERE kind = 'report'",
        ))
        .await
        .expect("events");
    let (audited,): (i64,) =
        t.db.one(Sql::new(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'report'",
        ))
        .await
        .expect("audit");
    assert_eq!(
        (events as usize, audited as usize),
        (stored.len(), stored.len()),
        "every report with its timeline and audit entries"
    );
    assert!(matches!(
        zhaoyin_db::audit::verify(&t.db).await,
        Ok(Verification::Intact { .. })
    ));
    if t.db.kind() == Kind::Sqlite {
        let (check,): (String,) =
            t.db.one(Sql::new("PRAGMA integrity_check"))
                .await
                .expect("integrity");
        assert_eq!(check, "ok");
    }
}

/// Several instances on one database, with nothing in front but their ports: a session made on
/// one is good on the others, two instances editing the same task cannot both win (the stale
/// move is refused with 409, the first is kept), and housekeeping runs once per slot however
/// many instances tick (its runs together refreshed each stale light once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_one_database() {
    let t = testing::fresh().await;
    let out = run(&t.url, &["demo", "--no-serve"], None).await;
    assert!(out.ok, "{}", out.stderr);
    // Lights due to be recomputed, as if the instances had been down since yesterday (an
    // older date would make each catch-up replay years of days).
    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let stale =
        t.db.execute(Sql::new("UPDATE tasks SET light_next_change = $1").bind(yesterday))
            .await
            .expect("stale");
    assert!(stale > 0);
    let mut children = Vec::new();
    let mut bases = Vec::new();
    for _ in 0..3 {
        let (child, base) = spawn_serving(&t.url).await;
        children.push(child);
        bases.push(base);
    }

    // Each instance has ticked once: it either ran housekeeping or found its slot taken.
    let scraper = zhaoyin::http_client().build().expect("client");
    let mut ran = 0u64;
    for base in &bases {
        let mut ticked = false;
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < give_up {
            let text = get_text(&scraper, &format!("{base}/metrics")).await;
            if text.lines().any(|l| l.starts_with("jobs_total{")) {
                ticked = true;
                ran += text
                    .lines()
                    .filter(|l| l.starts_with("jobs_total{") && l.contains("outcome=\"ran\""))
                    .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
                    .sum::<u64>();
                break;
            }
        }
        assert!(ticked, "{base} ran its first housekeeping tick");
    }
    let runs: Vec<(String, String, Option<i64>)> =
        t.db.all(Sql::new(
            "SELECT slot, instance, affected FROM job_runs WHERE job = 'housekeeping' ORDER BY slot",
        ))
        .await
        .expect("runs");
    assert!(
        !runs.is_empty() && runs.len() <= 2,
        "three instances, one run per slot: {runs:?}"
    );
    assert_eq!(ran as usize, runs.len(), "only the claiming instance ran");
    let refreshed: i64 = runs.iter().filter_map(|r| r.2).sum();
    assert_eq!(refreshed as u64, stale, "each stale light refreshed once");

    // Signed in on the first instance; the same cookie works on the other two.
    let client = zhaoyin::http_client()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let csrf = csrf_in(&get_text(&client, &format!("{}/login", bases[0])).await);
    let r = client
        .post(format!("{}/login", bases[0]))
        .form(&[
            ("username", "supervisor"),
            ("password", zhaoyin::demo::PASSWORD),
            ("next", "/"),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    for base in &bases {
        let me = client
            .get(format!("{base}/api/v1/account"))
            .send()
            .await
            .expect("account");
        assert_eq!(me.status(), reqwest::StatusCode::OK, "{base}");
    }

    // The same move, decided on the same version, sent to two instances.
    let csrf = csrf_in(&get_text(&client, &format!("{}/account/password", bases[1])).await);
    let tasks = get_json(&client, &format!("{}/api/v1/tasks?per_page=200", bases[1])).await;
    let mut chosen = None;
    for row in tasks["items"].as_array().expect("items") {
        let id = row["id"].as_i64().expect("id");
        let detail = get_json(&client, &format!("{}/api/v1/tasks/{id}", bases[1])).await;
        if let Some(m) = detail["available"].as_array().and_then(|a| a.first()) {
            let version = detail["task"]["version"].as_i64().expect("version");
            chosen = Some((id, m.as_str().expect("move").to_string(), version));
            break;
        }
    }
    let (id, transition, version) = chosen.expect("a task the supervisor can move");
    let body = serde_json::json!({
        "transition": transition,
        "version": version,
        "comment": "多实例测试",
        "evidence": "多实例测试",
    });
    let send = |base: &str| {
        client
            .post(format!("{base}/api/v1/tasks/{id}/transitions"))
            .header("X-CSRF-Token", &csrf)
            .json(&body)
            .send()
    };
    let first = send(&bases[1]).await.expect("first");
    assert_eq!(first.status(), reqwest::StatusCode::OK, "{transition}");
    let second = send(&bases[2]).await.expect("second");
    assert_eq!(second.status(), reqwest::StatusCode::CONFLICT);
    let (now,): (i64,) =
        t.db.one(Sql::new("SELECT version FROM tasks WHERE id = $1").bind(id))
            .await
            .expect("version");
    assert_eq!(
        now,
        version + 1,
        "the first move is kept, the second not applied"
    );
    for mut child in children {
        let _ = child.kill().await;
    }
}

/// The CSRF token of a page: the sign-in form's `_csrf` field, or a signed-in page's meta tag.
fn csrf_in(html: &str) -> String {
    ["name=\"_csrf\" value=\"", "name=\"csrf-token\" content=\""]
        .iter()
        .find_map(|marker| html.split(marker).nth(1)?.split('"').next())
        .map(str::to_string)
        .expect("csrf token on the page")
}

async fn get_text(client: &reqwest::Client, url: &str) -> String {
    let r = client.get(url).send().await.expect("get");
    r.text().await.expect("body")
}

async fn get_json(client: &reqwest::Client, url: &str) -> serde_json::Value {
    let r = client.get(url).send().await.expect("get");
    r.json().await.expect("json")
}

/// The offline exchange from the command line: a county makes its key, exports its package to
/// a file; the city, trusting that key, imports it (twice: the second changes nothing); with
/// another key configured the city refuses the file.
#[tokio::test]
async fn a_county_package_travels_by_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = dir.path().join("county.key");
    let county = testing::fresh().await;
    zhaoyin::demo::load(&county.db, &zhaoyin_web::WebConfig::default())
        .await
        .expect("demo");
    let out = run(
        &county.url,
        &["exchange", "keygen", &key.display().to_string()],
        None,
    )
    .await;
    assert!(out.ok, "{}", out.stderr);
    let public = out
        .stdout
        .trim()
        .rsplit('：')
        .next()
        .expect("public key")
        .to_string();
    assert_eq!(public.len(), 64, "{}", out.stdout);
    // A second keygen never overwrites the key.
    let out = run(
        &county.url,
        &["exchange", "keygen", &key.display().to_string()],
        None,
    )
    .await;
    assert!(!out.ok);

    let county_cfg = dir.path().join("county.toml");
    std::fs::write(
        &county_cfg,
        format!("[exchange]\nsigning_key_file = \"{}\"\n", key.display()),
    )
    .expect("config");
    let file = dir.path().join("package.json");
    let (code,): (String,) = county
        .db
        .one(Sql::new("SELECT code FROM regions WHERE level = 'county'"))
        .await
        .expect("county code");
    let out = run(
        &county.url,
        &[
            "--config",
            &county_cfg.display().to_string(),
            "exchange",
            "export",
            "--region",
            &code,
            &file.display().to_string(),
        ],
        None,
    )
    .await;
    assert!(out.ok, "{}", out.stderr);

    // The city: the county's line of regions, and its key trusted.
    let city = testing::fresh().await;
    let mut parent: Option<i64> = None;
    for level in ["province", "city", "county"] {
        let (c, name): (String, String) = county
            .db
            .one(Sql::new("SELECT code, name FROM regions WHERE level = $1").bind(level))
            .await
            .expect("region");
        let r = zhaoyin_db::org::create_region(
            &city.db,
            &zhaoyin_db::audit::Actor::system(),
            parent,
            &zhaoyin_core::org::RegionInput {
                code: c,
                name,
                level: level.into(),
            }
            .validate(zhaoyin_core::org::RegionLevel::parse(level).and_then(|l| l.parent_level()))
            .expect("region"),
        )
        .await
        .expect("region");
        parent = Some(r.id);
    }
    let city_cfg = dir.path().join("city.toml");
    let trust = |key: &str| {
        std::fs::write(
            &city_cfg,
            format!("[[exchange.trusted]]\nregion_code = \"{code}\"\npublic_key = \"{key}\"\n"),
        )
        .expect("config");
    };
    let (city_cfg_s, file_s) = (city_cfg.display().to_string(), file.display().to_string());
    let args = ["--config", &city_cfg_s, "exchange", "import", &file_s];
    let import = || run(&city.url, &args, None);
    // Another county's key: the file does not verify.
    let other = zhaoyin_core::exchange::signing_key(&"11".repeat(32)).expect("key");
    trust(&zhaoyin_core::exchange::public_hex(&other));
    let out = import().await;
    assert!(!out.ok);
    assert!(out.stderr.contains("签名验证不通过"), "{}", out.stderr);
    trust(&public);
    let out = import().await;
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("0 个没有变化"), "{}", out.stdout);
    let out = import().await;
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stdout.contains("新增 0 个项目，更新 0 个，撤回 0 个"),
        "{}",
        out.stdout
    );
    let count = |db: zhaoyin_db::Db| async move {
        let (n,): (i64,) = db
            .one(Sql::new(
                "SELECT COUNT(*) FROM projects WHERE duplicate_of IS NULL AND origin IS NULL",
            ))
            .await
            .expect("count");
        n
    };
    let (mirrored,): (i64,) = city
        .db
        .one(Sql::new(
            "SELECT COUNT(*) FROM projects WHERE origin IS NOT NULL",
        ))
        .await
        .expect("count");
    assert_eq!(mirrored, count(county.db.clone()).await);
}

/// The load of the delivery tests: a generic JSON bot for the demo clerk's unit, told of tasks
/// coming due, and `n` tasks of that unit due in three days (written directly, as a bulk load).
/// Returns the bot's id.
async fn due_load(db: &zhaoyin_db::Db, hook: &str, n: usize) -> i64 {
    let clerk = zhaoyin_db::users::by_username(db, "clerk")
        .await
        .expect("lookup")
        .expect("demo clerk");
    let (region,): (i64,) = db
        .one(Sql::new("SELECT region_id FROM units WHERE id = $1").bind(clerk.unit_id))
        .await
        .expect("region");
    let now = chrono::Utc::now();
    let due = now.date_naive() + chrono::Duration::days(3);
    let mut tx = db.begin().await.expect("begin");
    let (bot,): (i64,) = tx
        .one(
            Sql::new(
                "INSERT INTO unit_bots (unit_id, name, channel, url, kinds, created_at) \
                 VALUES ($1, 'load', 'generic', $2, 'task_due', $3) RETURNING id",
            )
            .bind(clerk.unit_id)
            .bind(hook)
            .bind(now),
        )
        .await
        .expect("bot");
    for i in 0..n {
        let (task,): (i64,) = tx
            .one(
                Sql::new(
                    "INSERT INTO tasks (region_id, code, title, content, cadence, assigned_on, \
                     deadline, original_deadline, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, '', 'once', $4, $5, $5, 'assigned', $6, $6) RETURNING id",
                )
                .bind(region)
                .bind(format!("LOAD-{i:04}"))
                .bind(format!("到期任务 {i}"))
                .bind(now.date_naive())
                .bind(due)
                .bind(now),
            )
            .await
            .expect("task");
        tx.execute(
            Sql::new("INSERT INTO task_units (task_id, unit_id, role) VALUES ($1, $2, 'lead')")
                .bind(task)
                .bind(clerk.unit_id),
        )
        .await
        .expect("lead unit");
    }
    tx.commit().await.expect("commit");
    bot
}

/// Waits until none of the bot's deliveries is pending (and at least `at_least` exist), and
/// gives their ids.
async fn all_sent(db: &zhaoyin_db::Db, bot: i64, at_least: i64) -> Vec<i64> {
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let (all, pending): (i64, i64) = db
            .one(
                Sql::new(
                    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'sent' THEN 0 ELSE 1 END), 0) \
                     FROM deliveries WHERE bot_id = $1",
                )
                .bind(bot),
            )
            .await
            .expect("count");
        if all >= at_least && pending == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < give_up,
            "{pending} of {all} deliveries still not sent"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let ids: Vec<(i64,)> = db
        .all(Sql::new("SELECT id FROM deliveries WHERE bot_id = $1 ORDER BY id").bind(bot))
        .await
        .expect("ids");
    ids.into_iter().map(|(id,)| id).collect()
}

/// The delivery ids the receiver got, each as many times as it got it.
fn received(sink: &sinks::Sink) -> std::collections::BTreeMap<i64, usize> {
    let mut got = std::collections::BTreeMap::new();
    for r in sink.records() {
        for id in r["body"]["ids"].as_array().expect("ids") {
            *got.entry(id.as_i64().expect("id")).or_insert(0) += 1;
        }
    }
    got
}

const FAST_JOBS: [(&str, &str); 4] = [
    ("ZHAOYIN_NOTICES__SCAN_SECONDS", "5"),
    ("ZHAOYIN_DELIVERY__SEND_SECONDS", "1"),
    ("ZHAOYIN_DELIVERY__LEASE_SECONDS", "5"),
    ("ZHAOYIN_DELIVERY__BATCH", "25"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_deliver_a_thousand_due_notices_once_each() {
    let t = testing::fresh().await;
    let out = run(&t.url, &["demo", "--no-serve"], None).await;
    assert!(out.ok, "{}", out.stderr);
    let sink = sinks::Sink::webhook("", &[]).await;
    let bot = due_load(&t.db, &sink.url("/load"), 1_000).await;
    let (_a, _) = spawn_serving_with(&t.url, &FAST_JOBS).await;
    let (_b, _) = spawn_serving_with(&t.url, &FAST_JOBS).await;
    let ids = all_sent(&t.db, bot, 1_000).await;
    let got = received(&sink);
    let twice: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(
        got.keys().copied().collect::<Vec<_>>(),
        ids,
        "every delivery, once"
    );
    let owners: std::collections::BTreeSet<String> =
        t.db.all::<(Option<String>,)>(
            Sql::new("SELECT leased_by FROM deliveries WHERE bot_id = $1").bind(bot),
        )
        .await
        .expect("owners")
        .into_iter()
        .filter_map(|(o,)| o.and_then(|o| o.rsplit_once('#').map(|(i, _)| i.to_string())))
        .collect();
    eprintln!(
        "{} deliveries sent by {} instances",
        ids.len(),
        owners.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_killed_mid_batch_loses_nothing() {
    let t = testing::fresh().await;
    let out = run(&t.url, &["demo", "--no-serve"], None).await;
    assert!(out.ok, "{}", out.stderr);
    // A slow receiver, so that the kill lands in the middle of a batch.
    let mut sink = sinks::Sink::webhook("", &["--delay-ms", "5"]).await;
    let bot = due_load(&t.db, &sink.url("/load"), 300).await;
    let (mut first, _) = spawn_serving_with(&t.url, &FAST_JOBS).await;
    for _ in 0..100 {
        sink.next().await;
    }
    first.start_kill().expect("kill -9");
    first.wait().await.expect("killed");
    let (pending,): (i64,) =
        t.db.one(
            Sql::new("SELECT COUNT(*) FROM deliveries WHERE bot_id = $1 AND state = 'pending'")
                .bind(bot),
        )
        .await
        .expect("pending");
    assert!(pending > 0, "killed before the end");
    // Another instance takes what the dead one had leased once its lease runs out.
    let (_second, _) = spawn_serving_with(&t.url, &FAST_JOBS).await;
    let ids = all_sent(&t.db, bot, 300).await;
    let got = received(&sink);
    assert_eq!(got.keys().copied().collect::<Vec<_>>(), ids, "nothing lost");
    // At most the one message in flight at the kill arrives again, with the same id, which the
    // receiver tells as a repeat.
    let again: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        again.len() <= 1 && again.iter().all(|(_, n)| **n == 2),
        "{again:?}"
    );
}
