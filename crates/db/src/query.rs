//! One query, two engines. [`Sql`] holds the text (with `$1`, `$2`… placeholders, which both
//! engines read by number) and its arguments as [`Value`]s; running it on a [`Db`] or a [`Tx`]
//! binds them for whichever engine is underneath. Reads on SQLite go to the reader pool;
//! writes go through [`Tx`], which on SQLite starts with `BEGIN IMMEDIATE` on the single writer
//! connection so that concurrent writers queue instead of failing.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, AssertSqlSafe, Postgres, Sqlite};

use crate::{Db, Engine, Error, Result};

/// An argument, typed so that a NULL still has a type (PostgreSQL needs one).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    I64(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Bytes(Option<Vec<u8>>),
}

macro_rules! value_from {
    ($variant:ident, $t:ty) => {
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(Some(v.into()))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Value::$variant(v.map(Into::into))
            }
        }
    };
}
value_from!(I64, i64);
value_from!(I64, i32);
value_from!(I64, u32);
value_from!(Text, String);
value_from!(Text, &str);
value_from!(Bool, bool);
value_from!(Time, DateTime<Utc>);
value_from!(Date, NaiveDate);
value_from!(Bytes, Vec<u8>);

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<&String>> for Value {
    fn from(v: Option<&String>) -> Self {
        Value::Text(v.cloned())
    }
}

/// SQL text with its arguments.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Value>,
    /// Planned with its arguments each time it runs ([`Sql::planned_each_run`]).
    each_run: bool,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            args: Vec::new(),
            each_run: false,
        }
    }

    /// Plans the statement with its arguments each time it runs, rather than by the plan
    /// PostgreSQL caches for a prepared statement after five runs, which it makes without
    /// them. For statements whose best plan depends on their values, the past instant a read
    /// is as of and how much of the province a region's path pattern covers: with the cached
    /// plan, a province's count of lights as of a past day took 1.0–1.2 s instead of 0.24–0.3 s
    /// (planning takes a few milliseconds).
    pub fn planned_each_run(mut self) -> Self {
        self.each_run = true;
        self
    }

    /// Adds the next positional argument (`$1` is the first `bind`).
    pub fn bind(mut self, v: impl Into<Value>) -> Self {
        self.args.push(v.into());
        self
    }

    /// Appends text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Replaces every `from` in the text after byte `start` by `to` (text only: no argument
    /// moves).
    pub(crate) fn replace_after(&mut self, start: usize, from: &str, to: &str) {
        if let Some(tail) = self.text.get(start..) {
            let replaced = tail.replace(from, to);
            self.text.truncate(start);
            self.text.push_str(&replaced);
        }
    }

    /// Appends a placeholder for `v` (`$N`, N being its position).
    pub fn push_bind(&mut self, v: impl Into<Value>) -> &mut Self {
        self.args.push(v.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Appends `($a, $b, …)` binding each of `values`, for `IN` lists.
    pub fn push_list<V: Into<Value> + Clone>(&mut self, values: &[V]) -> &mut Self {
        self.text.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.push_bind(v.clone());
        }
        self.text.push(')');
        self
    }

    /// The page of rows of this `FROM … WHERE …` fragment: `select` it, sorted by `order`.
    pub fn page(&self, select: &str, order: &str, page: zhaoyin_core::paging::Page) -> Sql {
        let mut q = self.prefixed(select);
        q.push(" ORDER BY ")
            .push(order)
            .push(" LIMIT ")
            .push_bind(page.limit())
            .push(" OFFSET ")
            .push_bind(page.offset());
        q
    }

    /// The placeholder of the argument last added (`$N`), to use it again.
    pub fn last_placeholder(&self) -> String {
        format!("${}", self.args.len())
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// `prefix` followed by this fragment, with the same arguments. A `FROM … WHERE …` fragment
    /// built once serves both the count and the page of a list.
    pub fn prefixed(&self, prefix: &str) -> Sql {
        Sql {
            text: format!("{prefix}{}", self.text),
            args: self.args.clone(),
            each_run: self.each_run,
        }
    }

    /// A `COUNT(*)` of this `FROM … WHERE …` fragment that stops at `bound` rows, so counting a
    /// big table costs no more than reading `bound` index entries.
    pub fn bounded_count(&self, bound: i64) -> Sql {
        let mut q = self.prefixed("SELECT COUNT(*) FROM (SELECT 1");
        q.push(" LIMIT ").push_bind(bound).push(") AS bounded");
        q
    }

    fn sqlite_args(&self) -> Result<SqliteArguments> {
        let mut a = SqliteArguments::default();
        for v in &self.args {
            match v {
                Value::I64(x) => a.add(*x),
                Value::Text(x) => a.add(x.clone()),
                Value::Bool(x) => a.add(*x),
                Value::Time(x) => a.add(*x),
                Value::Date(x) => a.add(*x),
                Value::Bytes(x) => a.add(x.clone()),
            }
            .map_err(|e| Error::Bind(e.to_string()))?;
        }
        Ok(a)
    }

    fn pg_args(&self) -> Result<PgArguments> {
        let mut a = PgArguments::default();
        for v in &self.args {
            match v {
                Value::I64(x) => a.add(*x),
                Value::Text(x) => a.add(x.clone()),
                Value::Bool(x) => a.add(*x),
                Value::Time(x) => a.add(*x),
                Value::Date(x) => a.add(*x),
                Value::Bytes(x) => a.add(x.clone()),
            }
            .map_err(|e| Error::Bind(e.to_string()))?;
        }
        Ok(a)
    }
}

/// Escapes `%`, `_` and `\\` for a `LIKE … ESCAPE '\\'` pattern.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A row type both engines can decode (derive `sqlx::FromRow` with field types both know).
pub trait FromRows:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> FromRows for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

/// Runs `$body` with `$q` bound as a `query_as` / `query` for the engine of `$exec`.
macro_rules! run {
    (sqlite, $q:expr, $exec:expr, as $t:ty, $method:ident) => {
        sqlx::query_as_with::<Sqlite, $t, _>(AssertSqlSafe($q.text.clone()), $q.sqlite_args()?)
            .persistent(!$q.each_run)
            .$method($exec)
            .await
            .map_err(Error::from)
    };
    (postgres, $q:expr, $exec:expr, as $t:ty, $method:ident) => {
        sqlx::query_as_with::<Postgres, $t, _>(AssertSqlSafe($q.text.clone()), $q.pg_args()?)
            .persistent(!$q.each_run)
            .$method($exec)
            .await
            .map_err(Error::from)
    };
    (sqlite, $q:expr, $exec:expr, execute) => {
        sqlx::query_with::<Sqlite, _>(AssertSqlSafe($q.text.clone()), $q.sqlite_args()?)
            .persistent(!$q.each_run)
            .execute($exec)
            .await
            .map(|r| r.rows_affected())
            .map_err(Error::from)
    };
    (postgres, $q:expr, $exec:expr, execute) => {
        sqlx::query_with::<Postgres, _>(AssertSqlSafe($q.text.clone()), $q.pg_args()?)
            .persistent(!$q.each_run)
            .execute($exec)
            .await
            .map(|r| r.rows_affected())
            .map_err(Error::from)
    };
}

impl Db {
    /// All rows (reader pool on SQLite).
    pub async fn all<T: FromRows>(&self, q: Sql) -> Result<Vec<T>> {
        match self.engine() {
            Engine::Sqlite { reader, .. } => run!(sqlite, q, reader, as T, fetch_all),
            Engine::Postgres(p) => run!(postgres, q, p, as T, fetch_all),
        }
    }

    /// At most one row.
    pub async fn optional<T: FromRows>(&self, q: Sql) -> Result<Option<T>> {
        match self.engine() {
            Engine::Sqlite { reader, .. } => run!(sqlite, q, reader, as T, fetch_optional),
            Engine::Postgres(p) => run!(postgres, q, p, as T, fetch_optional),
        }
    }

    /// Exactly one row; none is [`Error::NotFound`].
    pub async fn one<T: FromRows>(&self, q: Sql) -> Result<T> {
        self.optional(q).await?.ok_or(Error::NotFound)
    }

    /// A write outside an explicit transaction (for housekeeping such as purging expired
    /// sessions; anything audited goes through [`Tx`]).
    pub async fn execute(&self, q: Sql) -> Result<u64> {
        match self.engine() {
            Engine::Sqlite { writer, .. } => run!(sqlite, q, writer, execute),
            Engine::Postgres(p) => run!(postgres, q, p, execute),
        }
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        match self.engine() {
            Engine::Sqlite { writer, .. } => {
                Ok(Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?))
            }
            Engine::Postgres(p) => Ok(Tx::Postgres(p.begin().await?)),
        }
    }
}

/// A write transaction on either engine. Dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn all<T: FromRows>(&mut self, q: Sql) -> Result<Vec<T>> {
        match self {
            Tx::Sqlite(tx) => run!(sqlite, q, &mut **tx, as T, fetch_all),
            Tx::Postgres(tx) => run!(postgres, q, &mut **tx, as T, fetch_all),
        }
    }

    pub async fn optional<T: FromRows>(&mut self, q: Sql) -> Result<Option<T>> {
        match self {
            Tx::Sqlite(tx) => run!(sqlite, q, &mut **tx, as T, fetch_optional),
            Tx::Postgres(tx) => run!(postgres, q, &mut **tx, as T, fetch_optional),
        }
    }

    pub async fn one<T: FromRows>(&mut self, q: Sql) -> Result<T> {
        self.optional(q).await?.ok_or(Error::NotFound)
    }

    pub async fn execute(&mut self, q: Sql) -> Result<u64> {
        match self {
            Tx::Sqlite(tx) => run!(sqlite, q, &mut **tx, execute),
            Tx::Postgres(tx) => run!(postgres, q, &mut **tx, execute),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
