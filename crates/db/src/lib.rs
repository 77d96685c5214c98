//! Zhaoyin storage: `Db` over SQLite (default, one file, no setup) and PostgreSQL (a city or a
//! province with several app instances). SQL is written once with `$1` placeholders; the
//! [`Sql`] value carries its arguments as engine-neutral [`Value`]s and runs unchanged on
//! either engine. What must differ between engines lives side by side in one file per concern
//! (`backup.rs`, the two migration folders).

pub mod activities;
pub mod approvals;
pub mod assessments;
pub mod audit;
pub mod backup;
pub mod chains;
pub mod companies;
pub mod complaints;
pub mod deliveries;
pub mod display;
mod error;
pub mod exchange;
pub mod financing;
pub mod follow_up;
pub mod history;
pub mod incentives;
pub mod jobs;
pub mod land;
pub mod meetings;
pub mod notices;
pub mod org;
pub mod portal;
pub mod problems;
pub mod progress;
pub mod projects;
mod query;
pub mod sessions;
pub mod talents;
pub mod tallies;
pub mod targets;
pub mod tasks;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod users;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use error::Error;
pub use query::{FromRows, Sql, Tx, Value, escape_like};
pub use sqlx::Error as SqlxError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which engine a [`Db`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

pub(crate) enum Engine {
    /// One writer connection (SQLite allows one writer; queueing here instead of failing with
    /// "database is locked") and a pool of readers, which WAL lets run beside the writer.
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
    },
    Postgres(PgPool),
}

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Db(std::sync::Arc<Engine>);

/// Pool tuning from configuration.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// Snapshot of pool use for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// What a database URL names, checked before anything touches the disk or the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    /// `sqlite://PATH` (also `sqlite:PATH`) or `postgres://…` / `postgresql://…`. Anything else
    /// is refused: a typo must never silently create a new empty SQLite file.
    pub fn parse(url: &str) -> Result<Target> {
        let url = url.trim();
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(Error::BadUrl(url.to_string()));
            }
            return Ok(Target::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_string()));
        }
        Err(Error::UnsupportedScheme(redact(url)))
    }
}

/// The URL with any password replaced, for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s + 3 => {
            let cred = &url[s + 3..at];
            match cred.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// How much of a SQLite file each reader maps (SQLite's `mmap_size`): the most the bundled
/// SQLite allows (2 GB), more than a province's database.
pub const READER_MMAP_BYTES: i64 = 0x7fff_0000;

impl Db {
    /// Opens the database named by `url` (creating a SQLite file if needed) without migrating.
    pub async fn connect(url: &str, cfg: &PoolConfig) -> Result<Db> {
        match Target::parse(url)? {
            Target::Sqlite(path) => {
                let opts = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
                    .pragma("temp_store", "memory");
                // Page caches are per connection: the writer keeps 16 MB, each reader 4 MB, so
                // that a full reader pool stays within tens of megabytes on a province-sized
                // file. Readers map the file instead of copying its pages: a statement that
                // walks more than 4 MB (a province's past day) reads the operating system's
                // file cache in place, shared by every reader, rather than evicting and reading
                // again its own copies. Mapped pages are the file cache, not the process's own
                // memory; the kernel reclaims them like any cached file.
                let writer_opts = opts.clone().pragma("cache_size", "-16000");
                let reader_opts = opts
                    .pragma("cache_size", "-4000")
                    .pragma("mmap_size", READER_MMAP_BYTES.to_string())
                    .read_only(true)
                    .create_if_missing(false);
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(60))
                    .connect_with(writer_opts)
                    .await
                    .map_err(|e| Error::Connect(format!("{}: {e}", path.display())))?;
                // SQLite reads are CPU work once the file is in the OS cache: readers beyond two
                // per core add page caches (memory) and thread switches, not throughput.
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
                let readers = cfg
                    .max_connections
                    .min(u32::try_from(2 * cores).unwrap_or(u32::MAX))
                    .max(1);
                let reader = SqlitePoolOptions::new()
                    .max_connections(readers)
                    .acquire_timeout(cfg.acquire_timeout)
                    .connect_with(reader_opts)
                    .await
                    .map_err(|e| Error::Connect(format!("{}: {e}", path.display())))?;
                Ok(Db(std::sync::Arc::new(Engine::Sqlite { writer, reader })))
            }
            Target::Postgres(url) => {
                let opts = PgConnectOptions::from_str(&url)
                    .map_err(|e| Error::Connect(format!("{}: {e}", redact(&url))))?
                    // No JIT compilation: the statements a request runs take at most about a
                    // second, and compiling the costliest (a province as of a past day) took
                    // 0.3–0.9 s more than running them (docs/PERFORMANCE.md).
                    .options([("timezone", "UTC"), ("jit", "off")]);
                let pool = PgPoolOptions::new()
                    .max_connections(cfg.max_connections.max(2))
                    .acquire_timeout(cfg.acquire_timeout)
                    .connect_with(opts)
                    .await
                    .map_err(|e| Error::Connect(format!("{}: {e}", redact(&url))))?;
                Ok(Db(std::sync::Arc::new(Engine::Postgres(pool))))
            }
        }
    }

    /// Applies pending migrations (several instances may start at once: the migrator locks).
    pub async fn migrate(&self) -> Result<()> {
        match &*self.0 {
            Engine::Sqlite { writer, .. } => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(writer)
                    .await
                    .map_err(Error::Migrate)?;
                self.analyze(false).await
            }
            Engine::Postgres(pool) => sqlx::migrate!("./migrations/postgres")
                .run(pool)
                .await
                .map_err(Error::Migrate),
        }
    }

    /// Keeps the query planner's statistics fresh, so that a county's list starts from its
    /// regions' rows and a province's walks the list's order. SQLite: `PRAGMA optimize` over
    /// every table (run at start and by housekeeping; it analyses only tables that grew, reading
    /// at most 100,000 rows of an index), or a full `ANALYZE` after a bulk load.
    /// PostgreSQL's autovacuum keeps its own statistics, so there this runs `ANALYZE` only
    /// after a bulk load.
    pub async fn analyze(&self, after_bulk_load: bool) -> Result<()> {
        match &*self.0 {
            Engine::Sqlite { writer, .. } => {
                // A sampled analysis misjudges how rows spread over regions (it reads an index
                // from its start); after a bulk load every row is read once.
                let (limit, q) = if after_bulk_load {
                    ("PRAGMA analysis_limit = 0", "ANALYZE")
                } else {
                    (
                        "PRAGMA analysis_limit = 100000",
                        "PRAGMA optimize = 0x10002",
                    )
                };
                let mut c = writer.acquire().await?;
                sqlx::query(limit).execute(&mut *c).await?;
                sqlx::query(q).execute(&mut *c).await?;
            }
            // Vacuumed too, so that the pages just loaded are marked all-visible and a read
            // served by an index alone (the stage entries of a period) skips the table.
            Engine::Postgres(pool) if after_bulk_load => {
                sqlx::query("VACUUM ANALYZE").execute(pool).await?;
            }
            Engine::Postgres(_) => {}
        }
        Ok(())
    }

    pub fn kind(&self) -> Kind {
        match &*self.0 {
            Engine::Sqlite { .. } => Kind::Sqlite,
            Engine::Postgres(_) => Kind::Postgres,
        }
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.0
    }

    /// A trivial round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        self.one::<(i64,)>(Sql::new("SELECT CAST(1 AS BIGINT)"))
            .await
            .map(|_| ())
    }

    pub fn pool_stats(&self) -> PoolStats {
        match &*self.0 {
            Engine::Sqlite { writer, reader, .. } => PoolStats {
                size: writer.size() + reader.size(),
                idle: u32::try_from(writer.num_idle() + reader.num_idle()).unwrap_or(u32::MAX),
                max: writer.options().get_max_connections()
                    + reader.options().get_max_connections(),
            },
            Engine::Postgres(p) => PoolStats {
                size: p.size(),
                idle: u32::try_from(p.num_idle()).unwrap_or(u32::MAX),
                max: p.options().get_max_connections(),
            },
        }
    }

    /// After rows were inserted with explicit ids (the bulk generator), moves PostgreSQL's
    /// identity sequence of `table` past them; SQLite needs nothing. `table` is one of ours.
    pub async fn sync_identity(&self, table: &'static str) -> Result<()> {
        if self.kind() == Kind::Postgres {
            self.execute(Sql::new(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )))
            .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &*self.0 {
            Engine::Sqlite { writer, reader, .. } => {
                reader.close().await;
                writer.close().await;
            }
            Engine::Postgres(p) => p.close().await,
        }
    }
}

/// Lists stop counting past this many matches; screens say "more than 10,000".
pub const COUNT_BOUND: i64 = 10_001;

/// Current time at the precision both engines store exactly.
pub fn now() -> DateTime<Utc> {
    zhaoyin_core::audit::truncate_to_micros(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            Target::parse("sqlite://zhaoyin.db").ok(),
            Some(Target::Sqlite("zhaoyin.db".into()))
        );
        assert_eq!(
            Target::parse("sqlite:///var/lib/z.db?mode=rwc").ok(),
            Some(Target::Sqlite("/var/lib/z.db".into()))
        );
        assert!(matches!(
            Target::parse("postgres://u:p@h/db"),
            Ok(Target::Postgres(_))
        ));
        assert!(matches!(
            Target::parse("mysql://root:secret@h/db"),
            Err(Error::UnsupportedScheme(s)) if s == "mysql://root:***@h/db"
        ));
        assert!(matches!(
            Target::parse("zhaoyin.db"),
            Err(Error::UnsupportedScheme(_))
        ));
    }
}
