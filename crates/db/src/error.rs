//! Storage errors. Constraint violations become domain errors that name the field, so the web
//! layer can say "this code is already used" instead of showing a database message.

use zhaoyin_core::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unsupported database URL scheme: {0} (use sqlite://PATH or postgres://…)")]
    UnsupportedScheme(String),
    #[error("malformed database URL: {0}")]
    BadUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("not found")]
    NotFound,
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Stale,
    #[error("value already used: {field}")]
    Duplicate { field: String },
    #[error("a referenced record does not exist")]
    ForeignKey,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("cannot bind argument: {0}")]
    Bind(String),
    #[error("migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A backup or restore could not be done; `key` is a message in `locales/` (section
    /// `backup`), `detail` the file or tool output it is about.
    #[error("{key}: {detail}")]
    Backup { key: &'static str, detail: String },
}

impl Error {
    /// A validation problem met while writing an import's row, placed at that row.
    pub fn at_row(self, sheet: &str, row: usize) -> Self {
        match self {
            Error::Invalid(i) => Error::Invalid(Invalid(
                i.0.into_iter().map(|e| e.at_row(sheet, row)).collect(),
            )),
            other => other,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return Error::Duplicate {
                    field: unique_field(db.constraint(), db.table(), db.message()),
                };
            }
            if db.is_foreign_key_violation() {
                return Error::ForeignKey;
            }
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return Error::NotFound;
        }
        Error::Sqlx(e)
    }
}

/// The column behind a unique violation. PostgreSQL names the constraint (we name ours
/// `<table>_<column>_key`); SQLite says `UNIQUE constraint failed: <table>.<column>`.
fn unique_field(constraint: Option<&str>, table: Option<&str>, message: &str) -> String {
    if let (Some(c), Some(t)) = (constraint, table)
        && let Some(col) = c
            .strip_prefix(t)
            .and_then(|r| r.strip_prefix('_'))
            .and_then(|r| r.strip_suffix("_key"))
    {
        return col.to_string();
    }
    // Of a composite key (region, code) the last column is the one a person typed.
    if let Some(cols) = message.split("UNIQUE constraint failed: ").nth(1)
        && let Some((_, col)) = cols
            .split(',')
            .next_back()
            .and_then(|c| c.trim().split_once('.'))
    {
        return col.to_string();
    }
    constraint.unwrap_or("unknown").to_string()
}

#[cfg(test)]
mod tests {
    use super::unique_field;

    #[test]
    fn names_the_column() {
        assert_eq!(
            unique_field(Some("units_code_key"), Some("units"), ""),
            "code"
        );
        assert_eq!(
            unique_field(None, None, "UNIQUE constraint failed: users.username"),
            "username"
        );
        assert_eq!(
            unique_field(
                None,
                None,
                "UNIQUE constraint failed: tasks.region_id, tasks.code"
            ),
            "code"
        );
    }
}
