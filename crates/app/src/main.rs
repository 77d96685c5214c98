//! `zhaoyin`: the one binary. `zhaoyin demo` runs with demo data on SQLite; `zhaoyin serve` runs
//! against the configured database; the other subcommands administer it from the server.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use zhaoyin::config::Config;
use zhaoyin::{demo, launch, tr};
use zhaoyin_core::audit::Broken;
use zhaoyin_core::authz::{Grant, Role, Scope, check_separation};
use zhaoyin_core::paging::Page;
use zhaoyin_db::audit::{self, Actor, Verification};
use zhaoyin_db::users::{self, GrantRow, NewGrant, NewUser};
use zhaoyin_db::{Db, backup, org, tokens};
use zhaoyin_web::i18n::Tr;

#[derive(Parser)]
#[command(
    name = "zhaoyin",
    version,
    about = "招引 · 双招双引督导服务平台 / Zhaoyin supervision platform"
)]
struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "ZHAOYIN_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://…
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the platform.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Serve with demo data (creates zhaoyin-demo.db if absent). With --scale, fills the empty
    /// database with a large generated dataset instead (for benchmarks).
    Demo {
        #[arg(long)]
        listen: Option<String>,
        /// county (≈60 units, 1,000 tasks, 20,000 reports), city (10 counties) or province (150).
        #[arg(long, value_enum)]
        scale: Option<zhaoyin::generate::Scale>,
        /// Seed of the generated data: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Fill the database and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Check that a running instance answers /healthz (exit 0 when healthy).
    Healthcheck {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Add regions (for a new installation; afterwards use the pages).
    #[command(subcommand)]
    Region(RegionCommand),
    /// Add units (for a new installation; afterwards use the pages or the XLSX import).
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Write an online backup to FILE.
    Backup { file: PathBuf },
    /// Restore FILE into the database (stop the service first).
    Restore {
        file: PathBuf,
        /// Restore even if the SQLite database looks open.
        #[arg(long)]
        force: bool,
    },
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Policy documents.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// City–county exchange packages (for counties on their own deployments).
    #[command(subcommand)]
    Exchange(ExchangeCommand),
}

#[derive(Subcommand)]
enum ExchangeCommand {
    /// Make a county's signing key: writes it to FILE (readable by its owner only) and prints
    /// the public key the city puts in its `[[exchange.trusted]]`.
    Keygen { file: PathBuf },
    /// Write the signed package of a county's projects to FILE (needs `[exchange]
    /// signing_key_file`).
    Export {
        /// Code of the county.
        #[arg(long)]
        region: String,
        file: PathBuf,
    },
    /// Take a county's package from FILE (its county must be in `[[exchange.trusted]]`).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Show what the parser finds in a policy document (text as pasted from a portal).
    Parse {
        file: PathBuf,
        /// Print the structure as JSON (the same as the import preview).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with one role.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// Code of the account's unit.
        #[arg(long)]
        unit: String,
        /// leader, supervisor, clerk, agent, viewer, sysadmin, secadmin or auditor.
        #[arg(long)]
        role: String,
        /// Unit or region code the role applies to (default: the unit for clerk and agent,
        /// the unit's region otherwise).
        #[arg(long)]
        scope: Option<String>,
        /// Read the initial password from standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a new password (read from standard input).
    Passwd {
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account (its sessions end, its tokens are revoked).
    Disable { username: String },
    /// Print a new personal API token for scripts.
    Token {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Grant a role (the three administrator roles are granted only here).
    Grant {
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        scope: Option<String>,
    },
}

#[derive(Subcommand)]
enum RegionCommand {
    /// Add a region: a province has no parent, a city's is a province, and so on.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// province, city, county or town.
        #[arg(long)]
        level: String,
        /// Code of the parent region.
        #[arg(long)]
        parent: Option<String>,
    },
}

#[derive(Subcommand)]
enum UnitCommand {
    /// Add a unit in a region.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// department, park, town or office.
        #[arg(long)]
        kind: String,
        /// Code of the unit's region.
        #[arg(long)]
        region: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the audit log.
    Verify,
}

fn init_logs(cfg: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&cfg.log_level));
    // Colour codes only on a terminal, not in files and journals.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    if cfg.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(cfg: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&cfg.database_url, &cfg.pool()).await?;
    db.migrate().await?;
    Ok(db)
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let pw = s.lines().next().unwrap_or("").to_string();
    if pw.is_empty() {
        bail!("{}", tr().t("cli.password_empty"));
    }
    Ok(pw)
}

/// glibc raises its threshold for mapping a block on its own to the size of the largest mapped
/// block freed. The password workers give their 19 MiB argon2 blocks back between sign-ins, so
/// from the second sign-in on glibc would serve the block from the worker's heap and keep it
/// resident when freed (40 MB on two cores). A fixed threshold (glibc's default, 128 KiB) maps
/// each large block on its own and unmaps it when freed (docs/PERFORMANCE.md, "Memory after
/// the load").
fn keep_large_blocks_mapped() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; glibc serialises it with allocations.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    keep_large_blocks_mapped();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e:#}", tr().t("cli.error"));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut cfg = Config::load(cli.config.as_deref())?;
    let url_given = cli.database_url.is_some() || std::env::var("ZHAOYIN_DATABASE_URL").is_ok();
    if let Some(url) = cli.database_url {
        cfg.database_url = url;
    }
    let t = tr();
    match cli.command {
        Command::Serve { listen } => {
            init_logs(&cfg);
            if let Some(l) = listen {
                cfg.listen = l;
            }
            serve(cfg, None).await?;
        }
        Command::Demo {
            listen,
            scale,
            seed,
            no_serve,
        } => {
            init_logs(&cfg);
            if let Some(l) = listen {
                cfg.listen = l;
            }
            if !url_given && cli.config.is_none() {
                cfg.database_url = "sqlite://zhaoyin-demo.db".into();
            }
            let db = open(&cfg).await?;
            let web = cfg.web()?;
            match (scale, demo::is_empty(&db).await?) {
                (Some(scale), true) => generate(&db, &t, scale, seed, &web).await?,
                (Some(_), false) => {
                    eprintln!("{}", t.t("cli.generate_not_empty"));
                    std::process::exit(1);
                }
                (None, true) => {
                    let n = demo::load(&db, &web).await?;
                    println!(
                        "{}",
                        t.tf2("cli.demo_loaded", "n", n.units, "tasks", n.tasks)
                    );
                    println!(
                        "{}",
                        t.tf(
                            "cli.demo_pipeline",
                            &[
                                ("companies", n.companies.to_string()),
                                ("projects", n.projects.to_string()),
                                ("chains", n.chains.to_string()),
                                ("talents", n.talents.to_string()),
                                ("activities", n.activities.to_string()),
                                ("problems", n.problems.to_string()),
                                ("updates", n.updates.to_string()),
                                ("meetings", n.meetings.to_string()),
                            ]
                        )
                    );
                }
                (None, false) => {}
            }
            if no_serve {
                // Checkpoints SQLite's write-ahead log into the database file.
                db.close().await;
            } else {
                serve(cfg, Some(db)).await?;
            }
        }
        Command::Migrate => {
            open(&cfg).await?;
            println!("{}", t.t("cli.migrated"));
        }
        Command::Healthcheck { url } => {
            let url = format!("{}/healthz", url.trim_end_matches('/'));
            let client = zhaoyin::http_client()
                .timeout(std::time::Duration::from_secs(5))
                .build()?;
            return Ok(match client.get(&url).send().await {
                Ok(r) if r.status().is_success() => {
                    println!("{}", t.t("cli.healthy"));
                    ExitCode::SUCCESS
                }
                Ok(r) => {
                    eprintln!("{} ({})", t.t("cli.unhealthy"), r.status());
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("{} ({e})", t.t("cli.unhealthy"));
                    ExitCode::FAILURE
                }
            });
        }
        Command::User(cmd) => user(&cfg, cmd, &t).await?,
        Command::Region(RegionCommand::Add {
            code,
            name,
            level,
            parent,
        }) => {
            let db = open(&cfg).await?;
            let parent = match parent {
                Some(p) => Some(org::region_by_code(&db, &p).await?.ok_or_else(|| {
                    anyhow::anyhow!("{}", t.tf1("cli.unknown_scope", "code", &p))
                })?),
                None => None,
            };
            let fields = zhaoyin_core::org::RegionInput { code, name, level }
                .validate(
                    parent
                        .as_ref()
                        .and_then(|p| zhaoyin_core::org::RegionLevel::parse(&p.level)),
                )
                .map_err(|e| invalid(&t, &e))?;
            let r = org::create_region(&db, &Actor::cli(), parent.map(|p| p.id), &fields)
                .await
                .map_err(|e| duplicate(&t, e))?;
            println!(
                "{}",
                t.tf2("cli.region_added", "code", &r.code, "name", &r.name)
            );
        }
        Command::Unit(UnitCommand::Add {
            code,
            name,
            kind,
            region,
        }) => {
            let db = open(&cfg).await?;
            let r = org::region_by_code(&db, &region).await?.ok_or_else(|| {
                anyhow::anyhow!("{}", t.tf1("cli.unknown_scope", "code", &region))
            })?;
            let fields = zhaoyin_core::org::UnitInput {
                code,
                name,
                kind,
                ..Default::default()
            }
            .validate()
            .map_err(|e| invalid(&t, &e))?;
            let u = org::create_unit(&db, &Actor::cli(), r.id, &fields)
                .await
                .map_err(|e| duplicate(&t, e))?;
            println!(
                "{}",
                t.tf2("cli.unit_added", "code", &u.code, "name", &u.name)
            );
        }
        Command::Backup { file } => {
            let db = Db::connect(&cfg.database_url, &cfg.pool()).await?;
            let size = backup::backup(&db, &cfg.database_url, &file)
                .await
                .map_err(|e| explain(&t, e))?;
            println!(
                "{}",
                t.tf2("cli.backup_done", "file", file.display(), "size", size)
            );
        }
        Command::Restore { file, force } => {
            backup::restore(&cfg.database_url, &file, force)
                .await
                .map_err(|e| explain(&t, e))?;
            let db = open(&cfg).await?;
            let v = audit::verify(&db).await?;
            println!("{}", t.tf1("cli.restored", "file", file.display()));
            return Ok(report_verification(&t, &v));
        }
        Command::Policy(PolicyCommand::Parse { file, json }) => {
            use zhaoyin_office::text::{Format, extract};
            let bytes = std::fs::read(&file)
                .with_context(|| t.tf1("cli.cannot_read", "file", file.display()))?;
            // .html and .docx are read as such; anything else as text (UTF-8 or GBK).
            let format = Format::from_name(&file.to_string_lossy()).unwrap_or(Format::Text);
            let text = extract(format, &bytes)
                .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), t.t(e.key())))?;
            let parsed = zhaoyin_core::policy::parse(&text);
            if json {
                println!("{}", serde_json::to_string_pretty(&parsed)?);
            } else {
                print_policy(&t, &parsed);
            }
        }
        Command::Exchange(cmd) => exchange(&t, &cfg, cmd).await?,
        Command::Audit(AuditCommand::Verify) => {
            let db = Db::connect(&cfg.database_url, &cfg.pool()).await?;
            let v = audit::verify(&db).await?;
            return Ok(report_verification(&t, &v));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_policy(t: &Tr, p: &zhaoyin_core::policy::ParsedPolicy) {
    use std::fmt::Write as _;
    let mut o = String::new();
    let none = t.t("common.none");
    let _ = writeln!(
        o,
        "{}：{}",
        t.t("policy.title_field"),
        p.title.as_deref().unwrap_or(none)
    );
    let _ = writeln!(
        o,
        "{}：{}",
        t.t("policy.date"),
        p.date
            .map(|d| d.to_string())
            .unwrap_or_else(|| none.to_string())
    );
    let _ = writeln!(
        o,
        "{}",
        t.tf2(
            "policy.found",
            "chapters",
            p.chapters.len(),
            "measures",
            p.measures().count()
        )
    );
    for c in &p.chapters {
        let _ = writeln!(o, "\n{}、{}", c.number, c.title);
        for m in &c.measures {
            let _ = writeln!(o, "  {}. {}", m.number, m.title);
            let join = |v: &[String]| {
                if v.is_empty() {
                    none.to_string()
                } else {
                    v.join("、")
                }
            };
            let _ = writeln!(o, "     {}：{}", t.t("policy.leaders"), join(&m.leaders));
            let _ = writeln!(
                o,
                "     {}：{}",
                t.t("policy.lead_units"),
                join(&m.lead_units)
            );
            let _ = writeln!(
                o,
                "     {}：{}",
                t.t("policy.support_units"),
                join(&m.support_units)
            );
            if let Some(text) = &m.deadline_text {
                let date = m
                    .deadline
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "?".into());
                let _ = writeln!(o, "     {}：{text}（{date}）", t.t("policy.deadline"));
            }
            if !m.cadences.is_empty() {
                let c: Vec<String> = m
                    .cadences
                    .iter()
                    .map(|c| t.label("cadence", c.id()))
                    .collect();
                let _ = writeln!(o, "     {}：{}", t.t("policy.cadences"), c.join("、"));
            }
            for target in &m.targets {
                let _ = writeln!(o, "     {}：{}", t.t("policy.target"), target.text);
            }
        }
    }
    if !p.ignored.is_empty() {
        let _ = writeln!(o, "\n{}", t.t("policy.ignored"));
        for line in &p.ignored {
            let _ = writeln!(o, "  {line}");
        }
    }
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), o.as_bytes());
}

fn report_verification(t: &Tr, v: &Verification) -> ExitCode {
    match v {
        Verification::Intact { entries } => {
            println!("{}", t.tf1("cli.audit_ok", "n", entries));
            ExitCode::SUCCESS
        }
        Verification::Broken { checked, at } => {
            let (key, seq) = match at {
                Broken::Content { seq } => ("cli.audit_edited", *seq),
                Broken::Link { seq } => ("cli.audit_link", *seq),
                Broken::Gap { expected, .. } => ("cli.audit_gap", *expected),
            };
            eprintln!("{}", t.tf2(key, "seq", seq, "checked", checked));
            ExitCode::FAILURE
        }
        Verification::HeadMismatch { head_seq, last_seq } => {
            eprintln!(
                "{}",
                t.tf2("cli.audit_tail", "head", head_seq, "last", last_seq)
            );
            ExitCode::FAILURE
        }
    }
}

async fn serve(cfg: Config, db: Option<Db>) -> anyhow::Result<()> {
    let t = tr();
    let web = cfg.web()?;
    let db = match db {
        Some(db) => db,
        None => open(&cfg).await?,
    };
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| t.tf1("cli.bind_failed", "addr", &cfg.listen))?;
    let addr: SocketAddr = listener.local_addr()?;
    // A changed major-project rule applies to every project, not only to those edited later.
    let remarked = zhaoyin_db::projects::apply_major_rule(&db, &web.major_rule).await?;
    if remarked > 0 {
        tracing::info!(
            projects = remarked,
            "major-project marks follow the configured rule"
        );
    }
    let running = launch(db.clone(), web, listener)?;
    println!("{}", t.tf1("cli.serving", "url", format!("http://{addr}")));
    if !demo::is_empty(&db).await? && cfg.database_url.contains("zhaoyin-demo.db") {
        println!("{}", t.tf1("cli.demo_logins", "password", demo::PASSWORD));
        for (username, name, _, role, _) in demo::ACCOUNTS {
            println!("  {username:<12} {name:<8} {}", t.label("role", role.id()));
        }
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await?;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The scope a CLI grant names: a unit or region code; by default the unit (clerk, agent) or
/// the unit's region (other roles).
async fn scope_for(
    db: &Db,
    role: Role,
    code: Option<&str>,
    unit: &org::Unit,
) -> anyhow::Result<(Grant, NewGrant)> {
    let t = tr();
    let as_unit = |u: &org::Unit| {
        (
            Grant {
                role,
                scope: Scope::Unit {
                    id: u.id,
                    region_path: u.region_path.clone(),
                },
            },
            NewGrant {
                role,
                scope_unit_id: Some(u.id),
                scope_region_id: None,
            },
        )
    };
    let as_region = |r: &org::Region| {
        (
            Grant {
                role,
                scope: Scope::Region {
                    id: r.id,
                    path: r.path.clone(),
                },
            },
            NewGrant {
                role,
                scope_unit_id: None,
                scope_region_id: Some(r.id),
            },
        )
    };
    match code {
        Some(code) => {
            if let Some(u) = org::unit_by_code(db, code).await? {
                return Ok(as_unit(&u));
            }
            if let Some(r) = org::region_by_code(db, code).await? {
                return Ok(as_region(&r));
            }
            bail!("{}", t.tf1("cli.unknown_scope", "code", code))
        }
        None if matches!(role, Role::Clerk | Role::Agent) => Ok(as_unit(unit)),
        None => Ok(as_region(&org::get_region(db, unit.region_id).await?)),
    }
}

fn parse_role(s: &str) -> anyhow::Result<Role> {
    Role::parse(s.trim())
        .ok_or_else(|| anyhow::anyhow!("{}", tr().tf1("cli.unknown_role", "role", s)))
}

async fn find_user(db: &Db, username: &str) -> anyhow::Result<users::User> {
    users::by_username(db, username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{}", tr().tf1("cli.unknown_user", "username", username)))
}

async fn user(cfg: &Config, cmd: UserCommand, t: &Tr) -> anyhow::Result<()> {
    let db = open(cfg).await?;
    let actor = Actor::cli();
    let policy = cfg.web()?.password;
    match cmd {
        UserCommand::Add {
            username,
            name,
            unit,
            role,
            scope,
            password_stdin: _,
        } => {
            let role = parse_role(&role)?;
            let unit = org::unit_by_code(&db, &unit)
                .await?
                .ok_or_else(|| anyhow::anyhow!("{}", t.tf1("cli.unknown_unit", "code", &unit)))?;
            let mut e = zhaoyin_core::Invalid::default();
            let username = zhaoyin_core::validation::username(&mut e, "username", &username);
            let name = zhaoyin_core::validation::required(&mut e, "display_name", &name, 30);
            e.into_result().map_err(|e| invalid(t, &e))?;
            let password = read_password()?;
            policy
                .check("password", &username, &password)
                .map_err(|e| invalid(t, &e))?;
            let (grant, new) = scope_for(&db, role, scope.as_deref(), &unit).await?;
            check_separation(&[], &grant).map_err(|r| anyhow::anyhow!("{}", t.t(r.key())))?;
            let hash = zhaoyin_core::password::hash(&password)?;
            let u = users::create(
                &db,
                &actor,
                &NewUser {
                    username,
                    display_name: name,
                    unit_id: unit.id,
                    person_id: None,
                    password_hash: hash,
                    must_change_password: true,
                },
                &[new],
            )
            .await
            .map_err(|e| match e {
                zhaoyin_db::Error::Duplicate { .. } => {
                    anyhow::anyhow!("{}", t.t("cli.username_taken"))
                }
                other => other.into(),
            })?;
            println!(
                "{}",
                t.tf2(
                    "cli.user_added",
                    "username",
                    &u.username,
                    "role",
                    t.label("role", role.id())
                )
            );
        }
        UserCommand::Passwd {
            username,
            password_stdin: _,
        } => {
            let u = find_user(&db, &username).await?;
            let password = read_password()?;
            policy
                .check("password", &u.username, &password)
                .map_err(|e| invalid(t, &e))?;
            let hash = zhaoyin_core::password::hash(&password)?;
            users::set_password(&db, &actor, u.id, &hash, false, None).await?;
            println!("{}", t.tf1("cli.password_set", "username", &u.username));
        }
        UserCommand::List => {
            let all = zhaoyin_core::authz::Visibility::everywhere();
            let mut page = 1;
            loop {
                let (list, total) = users::list(
                    &db,
                    &all,
                    &users::UserFilter {
                        include_inactive: true,
                        ..Default::default()
                    },
                    Page::new(Some(page), Some(200)),
                )
                .await?;
                for u in &list {
                    let grants = users::grants_of(&db, u.id).await?;
                    let roles: Vec<String> = grants
                        .iter()
                        .map(|g: &GrantRow| format!("{}@{}", g.role, g.scope_name))
                        .collect();
                    println!(
                        "{:<16} {:<10} {:<16} {:<6} {}",
                        u.username,
                        u.display_name,
                        u.unit_name,
                        if u.active {
                            t.t("common.active")
                        } else {
                            t.t("common.inactive")
                        },
                        roles.join(", ")
                    );
                }
                if i64::from(page) * 200 >= total {
                    break;
                }
                page += 1;
            }
        }
        UserCommand::Disable { username } => {
            let u = find_user(&db, &username).await?;
            users::set_active(&db, &actor, u.id, u.version, false).await?;
            println!("{}", t.tf1("cli.user_disabled", "username", &u.username));
        }
        UserCommand::Token { username, name } => {
            let u = find_user(&db, &username).await?;
            if !u.active {
                bail!("{}", t.tf1("cli.user_inactive", "username", &u.username));
            }
            let (token, _) = tokens::create(&db, &actor, &u, &name).await?;
            println!("{token}");
        }
        UserCommand::Grant {
            username,
            role,
            scope,
        } => {
            let u = find_user(&db, &username).await?;
            let role = parse_role(&role)?;
            let unit = org::get_unit(&db, u.unit_id).await?;
            let (grant, new) = scope_for(&db, role, scope.as_deref(), &unit).await?;
            let existing: Vec<Grant> = users::grants_of(&db, u.id)
                .await?
                .iter()
                .filter_map(GrantRow::to_grant)
                .collect();
            check_separation(&existing, &grant).map_err(|r| anyhow::anyhow!("{}", t.t(r.key())))?;
            users::grant(&db, &actor, &u, &new).await?;
            println!(
                "{}",
                t.tf2(
                    "cli.user_granted",
                    "username",
                    &u.username,
                    "role",
                    t.label("role", role.id())
                )
            );
        }
    }
    Ok(())
}

/// `zhaoyin exchange …`: a county's key, its package to a file, a county's package from a file.
async fn exchange(t: &Tr, cfg: &Config, cmd: ExchangeCommand) -> anyhow::Result<()> {
    use zhaoyin_core::exchange::{self as ex, Package};
    match cmd {
        ExchangeCommand::Keygen { file } => {
            let seed = zhaoyin_db::sessions::random_token();
            let key = ex::signing_key(&seed).context("key")?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options
                .open(&file)
                .with_context(|| t.tf1("cli.cannot_write", "file", file.display()))?;
            std::io::Write::write_all(&mut f, format!("{seed}\n").as_bytes())?;
            println!(
                "{}",
                t.tf2(
                    "cli.exchange_key",
                    "file",
                    file.display(),
                    "key",
                    ex::public_hex(&key)
                )
            );
        }
        ExchangeCommand::Export { region, file } => {
            let keys = cfg.exchange.keys()?;
            let key = keys
                .signing
                .as_ref()
                .with_context(|| t.t("err.exchange_no_key").to_string())?;
            let db = open(cfg).await?;
            let county = zhaoyin_db::org::region_by_code(&db, &region)
                .await?
                .with_context(|| t.tf1("err.unknown_region", "code", &region))?;
            let payload = ex::Payload {
                county_code: county.code.clone(),
                county_name: county.name.clone(),
                generated_at: chrono::Utc::now(),
                projects: zhaoyin_db::exchange::snapshot(&db, &county).await?,
            };
            let pkg = ex::seal(&payload, key)?;
            std::fs::write(&file, serde_json::to_vec_pretty(&pkg)?)
                .with_context(|| t.tf1("cli.cannot_write", "file", file.display()))?;
            println!(
                "{}",
                t.tf2(
                    "cli.exchange_exported",
                    "n",
                    payload.projects.len(),
                    "file",
                    file.display()
                )
            );
        }
        ExchangeCommand::Import { file } => {
            let bytes = std::fs::read(&file)
                .with_context(|| t.tf1("cli.cannot_read", "file", file.display()))?;
            let pkg: Package = serde_json::from_slice(&bytes)
                .map_err(|_| anyhow::anyhow!("{}", t.t("err.exchange_format")))?;
            let payload = ex::open(&pkg, &cfg.exchange.keys()?)
                .map_err(|r| anyhow::anyhow!("{}", t.t(r.code())))?;
            if let Err(i) = ex::check(&payload) {
                let lines: Vec<String> = i.0.iter().map(|e| t.field_error_full(e)).collect();
                anyhow::bail!("{}", lines.join("\n"));
            }
            let db = open(cfg).await?;
            let county = zhaoyin_db::org::region_by_code(&db, &payload.county_code)
                .await?
                .with_context(|| t.t("err.exchange_county").to_string())?;
            let k = zhaoyin_db::exchange::take(&db, &Actor::cli(), &county, &payload)
                .await
                .map_err(|e| match e {
                    zhaoyin_db::Error::Invalid(i) => anyhow::anyhow!(
                        "{}",
                        i.0.iter()
                            .map(|e| t.field_error_full(e))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ),
                    other => other.into(),
                })?;
            println!("{}", zhaoyin_web::service::exchange::describe(t, &k));
        }
    }
    Ok(())
}

/// Storage errors the person at the console can act on, in their language.
fn explain(t: &Tr, e: zhaoyin_db::Error) -> anyhow::Error {
    match e {
        zhaoyin_db::Error::Backup { key, detail } => {
            anyhow::anyhow!("{}", t.tf1(key, "detail", detail))
        }
        other => other.into(),
    }
}

fn duplicate(t: &Tr, e: zhaoyin_db::Error) -> anyhow::Error {
    match e {
        zhaoyin_db::Error::Duplicate { field } => {
            anyhow::anyhow!("{}：{}", t.label("field", &field), t.t("err.duplicate"))
        }
        other => other.into(),
    }
}

fn invalid(t: &Tr, e: &zhaoyin_core::Invalid) -> anyhow::Error {
    anyhow::anyhow!(
        "{}",
        e.0.iter()
            .map(|x| t.field_error_full(x))
            .collect::<Vec<_>>()
            .join("；")
    )
}

/// `demo --scale`: the generated dataset, with a progress bar, and what it made.
async fn generate(
    db: &Db,
    t: &zhaoyin_web::i18n::Tr,
    scale: zhaoyin::generate::Scale,
    seed: u64,
    web: &zhaoyin_web::WebConfig,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(scale.counties() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(t.t("cli.generate_counties").to_string());
    let made = zhaoyin::generate::generate(
        db,
        scale,
        seed,
        web.today(),
        web.tz,
        web.light_rules(),
        |done, _| bar.set_position(done),
    )
    .await?;
    bar.finish_and_clear();
    println!(
        "{}",
        t.tf(
            "cli.generated",
            &[
                ("counties", made.counties.to_string()),
                ("regions", made.regions.to_string()),
                ("units", made.units.to_string()),
                ("people", made.people.to_string()),
                ("accounts", made.accounts.to_string()),
                ("tasks", made.tasks.to_string()),
                ("reports", made.reports.to_string()),
                ("events", made.events.to_string()),
                ("companies", made.companies.to_string()),
                ("projects", made.projects.to_string()),
                ("problems", made.problems.to_string()),
                ("funds", made.funds.to_string()),
                ("activities", made.activities.to_string()),
                ("seconds", format!("{:.1}", started.elapsed().as_secs_f64())),
                ("password", zhaoyin::demo::PASSWORD.to_string()),
            ],
        )
    );
    Ok(())
}
