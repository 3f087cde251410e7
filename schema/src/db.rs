//! Connections: one enum over SQLite and PostgreSQL, an r2d2 manager that picks the backend from
//! the URL scheme (and never falls back from one to the other), per-connection SQLite pragmas,
//! embedded migrations, and the macros that run a body on the concrete connection.

use crate::error::StoreError;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConn {
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, DbConn::Postgres(_))
    }
}

/// Runs `$body` with `$c` bound to the concrete connection: for what the multi-backend enum
/// cannot express (multi-row inserts, `ON CONFLICT`).
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use per_backend;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite://PATH` (or a bare path ending in `.db`/`.sqlite`) and `postgres://` /
    /// `postgresql://`. Anything else is refused rather than guessed.
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite://") || url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StoreError::BadUrl(url.chars().take(40).collect()))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// The file a SQLite URL names (`None` for PostgreSQL and for SQLite's in-memory database).
pub fn sqlite_file(url: &str) -> Result<Option<std::path::PathBuf>, StoreError> {
    if Backend::of_url(url)? != Backend::Sqlite {
        return Ok(None);
    }
    let path = sqlite_path(url);
    if path.is_empty() || path == ":memory:" || path.starts_with("file:") {
        return Ok(None);
    }
    Ok(Some(std::path::PathBuf::from(path)))
}

/// Opens connections by URL scheme (the derived `establish` would try each backend in turn).
#[derive(Debug)]
pub struct DbManager {
    url: String,
    backend: Backend,
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        match self.backend {
            Backend::Sqlite => diesel::SqliteConnection::establish(sqlite_path(&self.url))
                .map(DbConn::Sqlite)
                .map_err(diesel::r2d2::Error::ConnectionError),
            Backend::Postgres => diesel::PgConnection::establish(&self.url)
                .map(DbConn::Postgres)
                .map_err(diesel::r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// A SQLite connection's page cache, in KiB.
pub(crate) const SQLITE_CACHE_KIB: i64 = 64 * 1024;

/// SQLite pragmas, per new connection: WAL, foreign keys, a busy timeout, full sync (an evidence
/// store does not lose its last commits on power loss).
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            // page_size applies to a new database only (before WAL is switched on); larger pages
            // suit chunked raw reports. A 64 MiB page cache keeps a large import from spilling
            // pages to the WAL mid-transaction. Temporary storage (statement journals, the
            // sorter a view's window function fills with every occurrence of a release) is a
            // file past what fits in memory: in memory, it made a 1,000,000-finding seal peak
            // at 559 MB instead of 471 (docs/BENCHMARKS.md, "Bundles at scale").
            c.batch_execute(&format!(
                "PRAGMA page_size = 16384; PRAGMA busy_timeout = 60000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                 PRAGMA cache_size = -{SQLITE_CACHE_KIB}; PRAGMA temp_store = FILE;"
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub type DbPool = Pool<DbManager>;

/// Builds the pool and brings the schema up to date.
pub fn connect(url: &str) -> Result<(DbPool, Backend), StoreError> {
    let backend = Backend::of_url(url)?;
    if backend == Backend::Sqlite {
        let path = sqlite_path(url);
        if let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
            && !parent.exists()
        {
            return Err(StoreError::BadUrl(format!(
                "folder {} does not exist",
                parent.display()
            )));
        }
    }
    let manager = DbManager {
        url: url.to_string(),
        backend,
    };
    let pool = Pool::builder()
        .max_size(match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        })
        // No idle connections kept warm: a background thread of the pool opening one while the
        // process exits crashes libpq (a segfault at exit, seen with short CLI runs).
        .min_idle(Some(0))
        // No `SELECT 1` before every use: it was a second round trip on every API request.
        // A connection the database dropped fails the one query that meets it; diesel then
        // reports it broken (libpq no longer knows its transaction state) and the pool drops
        // it. Connections idle for a minute are closed, so one that sat through a database
        // restart is seldom met at all.
        .test_on_check_out(false)
        .idle_timeout(Some(Duration::from_secs(60)))
        .connection_timeout(Duration::from_secs(60))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)
        .map_err(|e| StoreError::Connect(e.to_string()))?;
    let mut conn = pool.get().map_err(|e| StoreError::Connect(e.to_string()))?;
    migrate(&mut conn)?;
    Ok((pool, backend))
}

/// Runs pending migrations. On PostgreSQL an advisory lock makes replicas that start together
/// take turns; on SQLite the write lock does the same.
fn migrate(conn: &mut DbConn) -> Result<(), StoreError> {
    const MIGRATION_LOCK: i64 = 0x5CA7_1ED6;
    let result = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        DbConn::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let outcome = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            outcome
        }
    };
    result.map_err(|e| StoreError::Migration(e.to_string()))
}

/// Whether every migration has been applied (for readiness checks).
pub fn migrations_applied(conn: &mut DbConn) -> Result<bool, StoreError> {
    let pending = match conn {
        DbConn::Sqlite(c) => c.pending_migrations(SQLITE_MIGRATIONS).map(|p| p.len()),
        DbConn::Postgres(c) => c.pending_migrations(POSTGRES_MIGRATIONS).map(|p| p.len()),
    };
    pending
        .map(|n| n == 0)
        .map_err(|e| StoreError::Migration(e.to_string()))
}

pub type PooledConn = diesel::r2d2::PooledConnection<DbManager>;
