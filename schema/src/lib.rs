//! # schema
//!
//! The ScanLedger store: the data model, the migrations for SQLite and PostgreSQL, and every
//! operation on it as one transaction (import a scan, compute a release view, diff two releases,
//! evaluate the gate). This is the only crate that speaks SQL.
//!
//! One binary serves both backends: [`Store::open`] picks SQLite (`sqlite://PATH`, the default)
//! or PostgreSQL (`postgres://...`) from the URL and runs the embedded migrations.
//!
//! Not here: parsing reports (`importers`), rendering anything (`reports`), HTTP (`server`).

mod catalog;
mod db;
mod error;
mod evidence;
mod gate;
mod import;
mod models;
mod tables;
mod tx;
mod view;

pub use catalog::{ProjectSummary, ReleaseSummary, ScanSummary};
pub use db::Backend;
pub use error::StoreError;
pub use evidence::{BundleRecord, SealRequest};
pub use gate::{GateOptions, GateReason, GateResult};
pub use import::{ImportOutcome, ImportRequest, ReportSource, SlotComparison};
pub use view::{Diff, DiffChange, DiffEntry, FindingFilter, ReleaseView, ViewFinding};

use db::DbPool;

/// A handle on the store: a connection pool with the schema migrated. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Store {
    /// Connects to `url` and applies pending migrations.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let (pool, backend) = db::connect(url)?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn conn(&self) -> Result<db::PooledConn, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Whether the database answers and every migration is applied.
    pub fn ready(&self) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        db::migrations_applied(&mut conn)
    }
}

/// The current time as stored: UTC, microsecond precision (what both backends keep).
pub(crate) fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}
