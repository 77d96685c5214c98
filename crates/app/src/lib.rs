//! The `zhaoyin` binary's library: configuration, demo data, and [`launch`], which tests call to
//! start the real application in-process on a port of their choosing.

pub mod config;
pub mod deliver;
pub mod demo;
pub mod demo_pipeline;
pub mod demo_policy;
pub mod generate;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use zhaoyin_db::Db;
use zhaoyin_web::i18n::{Lang, Tr};
use zhaoyin_web::{AppState, WebConfig};

pub use deliver::http_client;

/// How often housekeeping runs; with several instances, once per slot of this length.
const HOUSEKEEPING_SECS: u32 = 600;

/// Purges expired sessions, refreshes the planner's statistics (SQLite), brings task lights up
/// to today and counts their tallies again, unless another instance has already claimed this
/// slot. The run is recorded in `job_runs` and counted in `jobs_total`.
async fn housekeeping(db: &Db, cfg: &WebConfig, instance: &str) {
    const JOB: &str = "housekeeping";
    let slot = zhaoyin_core::jobs::slot(chrono::Utc::now(), HOUSEKEEPING_SECS);
    match zhaoyin_db::jobs::claim(db, JOB, &slot, instance).await {
        Ok(true) => {}
        Ok(false) => {
            metrics::counter!("jobs_total", "job" => JOB, "outcome" => "skipped").increment(1);
            return;
        }
        Err(e) => {
            tracing::warn!("claiming {JOB}: {e}");
            metrics::counter!("jobs_total", "job" => JOB, "outcome" => "failed").increment(1);
            return;
        }
    }
    if let Err(e) = zhaoyin_db::sessions::purge_expired(db, cfg.lifetimes()).await {
        tracing::warn!("purging expired sessions: {e}");
    }
    if let Err(e) = zhaoyin_db::jobs::prune(db, chrono::Duration::days(30)).await {
        tracing::warn!("pruning job runs: {e}");
    }
    if let Err(e) = db.analyze(false).await {
        tracing::warn!("refreshing planner statistics: {e}");
    }
    let refreshed = zhaoyin_db::tasks::refresh_lights(db, cfg.clock()).await;
    match &refreshed {
        Ok(0) => {}
        Ok(n) => tracing::info!(tasks = n, "task lights brought up to date"),
        Err(e) => tracing::warn!("refreshing task lights: {e}"),
    }
    // The figures as of past days, counted again where the lights (or anything else) changed.
    // (Skipped while a long write holds the tallies' lock: the next slot counts them.)
    let retallied = zhaoyin_db::tallies::recount(db, cfg.tz, cfg.today()).await;
    match &retallied {
        Ok(Some(_)) => {}
        Ok(None) => tracing::info!("tallies by day busy: counted in the next slot"),
        Err(e) => tracing::warn!("counting the tallies by day: {e}"),
    }
    let refreshed = refreshed.and_then(|n| retallied.map(|_| n));
    let outcome = if refreshed.is_ok() { "ran" } else { "failed" };
    let finished = refreshed.map_err(|e| e.to_string());
    if let Err(e) = zhaoyin_db::jobs::finish(db, JOB, &slot, finished).await {
        tracing::warn!("recording {JOB}: {e}");
    }
    // Counted once the run is recorded: whoever reads the counter finds the record.
    metrics::counter!("jobs_total", "job" => JOB, "outcome" => outcome).increment(1);
}

/// How many audit records one notice transaction reads, and the most read in one tick.
const NOTICE_BATCH: i64 = 500;
const NOTICE_BATCHES_PER_TICK: usize = 40;
/// The most batches of deliveries one tick of the delivery job sends.
const DELIVERY_ROUNDS: usize = 20;
/// The deadline scan runs once per slot of this length, by whichever instance claims it.
const DEADLINE_SCAN_SECS: u32 = 3_600;

/// Makes the notices of what happened (the audit log past the cursor) and, once an hour, of
/// deadlines. Safe to run on every instance at once: each notice exists once. Returns how many
/// notices were made.
pub async fn notices_tick(db: &Db, cfg: &WebConfig, instance: &str) -> zhaoyin_db::Result<u64> {
    let mut made = 0;
    for _ in 0..NOTICE_BATCHES_PER_TICK {
        let (n, more) = zhaoyin_db::notices::scan_audit(db, NOTICE_BATCH, cfg.tz).await?;
        made += n;
        if !more {
            break;
        }
    }
    const JOB: &str = "notice_deadlines";
    let slot = zhaoyin_core::jobs::slot(chrono::Utc::now(), DEADLINE_SCAN_SECS);
    if zhaoyin_db::jobs::claim(db, JOB, &slot, instance).await? {
        let scanned = zhaoyin_db::notices::scan_deadlines(
            db,
            cfg.today(),
            cfg.light_warn_days,
            &cfg.approval_rules,
            cfg.tz,
        )
        .await;
        let outcome = match &scanned {
            Ok(n) => Ok(*n),
            Err(e) => Err(e.to_string()),
        };
        zhaoyin_db::jobs::finish(db, JOB, &slot, outcome).await?;
        made += scanned?;
    }
    metrics::counter!("notices_made_total").increment(made);
    Ok(made)
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: JoinHandle<std::io::Result<()>>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Running {
    /// Stops accepting connections and lets requests in flight finish.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(true);
        self.handle.await.unwrap_or(Ok(()))
    }
}

/// The console's language: English when `LANG` says so, Chinese otherwise.
pub fn tr() -> Tr {
    let lang = std::env::var("LANG")
        .ok()
        .and_then(|l| Lang::parse(&l))
        .filter(|l| *l == Lang::En)
        .unwrap_or(Lang::Zh);
    Tr::new(lang, chrono_tz::Asia::Shanghai)
}

/// Serves the application on `listener` until `stop` (or the returned handle is dropped with
/// the runtime). Also starts the periodic housekeeping (sessions, task lights).
pub fn launch(db: Db, cfg: WebConfig, listener: TcpListener) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    // The state installs the metrics recorder: built first, so that the first housekeeping
    // tick (run at once) is counted.
    let app = zhaoyin_web::app(AppState::new(db.clone(), cfg.clone()));
    let (tx, mut rx) = tokio::sync::watch::channel(false);
    let mut housekeeping_rx = rx.clone();
    let instance = format!("{addr}#{}", std::process::id());
    // Notices: every instance ticks; the cursor's row lock and the notices' unique keys make
    // each notice once.
    {
        let (db, cfg, instance) = (db.clone(), cfg.clone(), instance.clone());
        let mut stop = rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(cfg.notice_scan);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // The first run one period after the start, not at once: a test that makes notices
            // itself meets no run of the server's own.
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if let Err(e) = notices_tick(&db, &cfg, &instance).await {
                            tracing::warn!("making notices: {e}");
                            metrics::counter!("notices_failed_total").increment(1);
                        }
                    }
                    _ = stop.changed() => break,
                }
            }
        });
    }
    // Deliveries: every instance leases its own batches of those due.
    {
        let sender = deliver::Sender::new(&cfg, &instance).map_err(std::io::Error::other)?;
        let (db, every) = (db.clone(), cfg.outbound.every);
        let mut stop = rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // As the notice job: the first run one period after the start.
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if let Err(e) = deliver::deliver_tick(&db, &sender, DELIVERY_ROUNDS).await {
                            tracing::warn!("sending notices: {e}");
                            metrics::counter!("deliveries_job_failed_total").increment(1);
                        }
                    }
                    _ = stop.changed() => break,
                }
            }
        });
    }
    // Periodic work: every instance ticks, the first to claim a slot does the work.
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(HOUSEKEEPING_SECS.into()));
        loop {
            tokio::select! {
                _ = tick.tick() => housekeeping(&db, &cfg, &instance).await,
                _ = housekeeping_rx.changed() => break,
            }
        }
    });
    let handle = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.changed().await;
        })
        .await
    });
    Ok(Running {
        addr,
        handle,
        shutdown: tx,
    })
}
