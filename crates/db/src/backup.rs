//! Online backup and restore, one function per engine side by side.
//!
//! SQLite: `VACUUM INTO` writes a consistent, compacted copy from a read snapshot while the app
//! keeps serving (WAL lets writers go on). Restore replaces the file while the app is stopped.
//! PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, also while serving) and
//! `pg_restore --clean --single-transaction`; the client tools come with PostgreSQL.

use std::path::{Path, PathBuf};

use crate::{Db, Engine, Error, Result, Sql, Target};

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PGDUMP_MAGIC: &[u8] = b"PGDMP";

/// Writes a backup of `db` to `file`, which must not exist yet.
pub async fn backup(db: &Db, url: &str, file: &Path) -> Result<u64> {
    if file.exists() {
        return Err(Error::Backup {
            key: "backup.exists",
            detail: file.display().to_string(),
        });
    }
    match db.engine() {
        Engine::Sqlite { .. } => {
            let target = file.to_str().ok_or_else(|| Error::Backup {
                key: "backup.path",
                detail: file.display().to_string(),
            })?;
            // A read connection is enough: VACUUM INTO reads a snapshot and writes a new file.
            db.all::<(i64,)>(Sql::new("VACUUM INTO $1").bind(target))
                .await?;
        }
        Engine::Postgres(_) => {
            let Target::Postgres(url) = Target::parse(url)? else {
                return Err(Error::BadUrl(crate::redact(url)));
            };
            run_tool(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    &file.to_string_lossy(),
                    "--dbname",
                    &url,
                ],
            )
            .await?;
        }
    }
    Ok(std::fs::metadata(file)?.len())
}

/// Restores `file` into the database named by `url`. The app must be stopped (for SQLite a
/// `-wal` file beside the database means it is still open somewhere, and restore refuses).
pub async fn restore(url: &str, file: &Path, force: bool) -> Result<()> {
    let head = read_head(file)?;
    match Target::parse(url)? {
        Target::Sqlite(path) => {
            if !head.starts_with(SQLITE_MAGIC) {
                return Err(Error::Backup {
                    key: "backup.not_sqlite",
                    detail: file.display().to_string(),
                });
            }
            let wal = sidecar(&path, "-wal");
            if wal.exists() && !force {
                return Err(Error::Backup {
                    key: "backup.in_use",
                    detail: wal.display().to_string(),
                });
            }
            // Check the copy before it replaces anything.
            let staged = sidecar(&path, ".restoring");
            std::fs::copy(file, &staged)?;
            let check = Db::connect(
                &format!("sqlite://{}", staged.display()),
                &crate::PoolConfig::default(),
            )
            .await?;
            let (ok,): (String,) = check.one(Sql::new("PRAGMA integrity_check")).await?;
            let has_schema: Option<(i64,)> = check
                .optional(Sql::new(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'",
                ))
                .await?;
            check.close().await;
            if ok != "ok" || has_schema.is_none() {
                let _ = std::fs::remove_file(&staged);
                return Err(Error::Backup {
                    key: "backup.damaged",
                    detail: format!("{} ({ok})", file.display()),
                });
            }
            for ext in ["-wal", "-shm"] {
                let f = sidecar(&path, ext);
                if f.exists() {
                    std::fs::remove_file(f)?;
                }
                let f = sidecar(&staged, ext);
                if f.exists() {
                    std::fs::remove_file(f)?;
                }
            }
            std::fs::rename(&staged, &path)?;
            Ok(())
        }
        Target::Postgres(url) => {
            if !head.starts_with(PGDUMP_MAGIC) {
                return Err(Error::Backup {
                    key: "backup.not_pgdump",
                    detail: file.display().to_string(),
                });
            }
            run_tool(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                    &url,
                    &file.to_string_lossy(),
                ],
            )
            .await
        }
    }
}

fn read_head(file: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = vec![0u8; 16];
    let n = std::fs::File::open(file)?.read(&mut head)?;
    head.truncate(n);
    Ok(head)
}

fn sidecar(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

/// Splits the password out of a PostgreSQL URL so it travels in `PGPASSWORD`, not on a command
/// line that every user of the machine can read.
fn without_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end..];
    let Some(at) = rest.find('@') else {
        return (url.to_string(), None);
    };
    match rest[..at].split_once(':') {
        Some((user, password)) => (
            format!("{}{user}{}", &url[..scheme_end], &rest[at..]),
            Some(percent_decode(password)),
        ),
        None => (url.to_string(), None),
    }
}

/// URL passwords are percent-encoded; `PGPASSWORD` takes them as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn run_tool(tool: &str, args: &[&str]) -> Result<()> {
    let mut cmd = tokio::process::Command::new(tool);
    for a in args {
        match a.starts_with("postgres") {
            true => {
                let (url, password) = without_password(a);
                cmd.arg(url);
                if let Some(p) = password {
                    cmd.env("PGPASSWORD", p);
                }
            }
            false => {
                cmd.arg(a);
            }
        }
    }
    let out = cmd.output().await.map_err(|e| Error::Backup {
        key: "backup.tool_missing",
        detail: format!("{tool}: {e}"),
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::Backup {
            key: "backup.tool_failed",
            detail: format!("{tool}: {}", String::from_utf8_lossy(&out.stderr).trim()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_leave_the_url() {
        assert_eq!(
            without_password("postgres://zy:s3cret@db:5432/zhaoyin"),
            (
                "postgres://zy@db:5432/zhaoyin".to_string(),
                Some("s3cret".to_string())
            )
        );
        assert_eq!(
            without_password("postgres://zy@db/z"),
            ("postgres://zy@db/z".to_string(), None)
        );
        assert_eq!(
            without_password("postgres://zy:a%40b@db/z").1.as_deref(),
            Some("a@b")
        );
    }
}
