//! # schema
//!
//! The ScanLedger store: the data model, the migrations for SQLite and PostgreSQL, and every
//! operation on it as one transaction (import a scan, compute a release view, diff two releases,
//! evaluate the gate). This is the only crate that speaks SQL.
//!
//! One binary serves both backends: [`Store::open`] picks SQLite (`sqlite://PATH`, the default)
//! or PostgreSQL (`postgres://...`) from the URL and runs the embedded migrations.
//!
//! The store loads and stores; what the data means and the rules that judge it (types, ids,
//! the gate's judgement, the policy model) are `domain`'s. Errors are classed by
//! [`StoreError::kind`].
//!
//! Not here: parsing reports (`importers`), HTTP (`server`), the renderings themselves
//! (`reports`). Sealing is the one place the store calls `reports`: it renders and signs the
//! bundle from the snapshot it took, then stores those bytes in the seal's transaction.

mod auth;
mod blob;
mod catalog;
mod db;
mod error;
mod evidence;
mod gate;
mod identity;
mod import;
mod import_writer;
mod models;
mod page;
mod report;
mod sql;
mod tables;
mod tx;
mod view;
// The triage, policy and audit issue.
mod audit;
mod policy;
// The controls issue.
mod controls;
// What policies and control mappings share: a versioned TOML document per project.
mod document;
mod sla;
mod snapshot_diff;
mod spooled;
mod triage;
mod vex;
// The web UI issue.
mod lookup;
mod session;
// OIDC sign-in for the web UI.
mod oidc;

pub use audit::{
    AnchorProblem, AnchoredVerification, AuditEvent, AuditQuery, AuditVerification, BrokenEvent,
    BundleAnchor, GENESIS_HASH,
};
pub use auth::{
    ExchangedJob, Grant, NewToken, Permission, Principal, PrincipalId, Role, TOKEN_CACHE_SECS,
    TokenId, TokenInfo, UserId, UserInfo, dummy_verifications,
};
pub use catalog::{ProjectOverview, ProjectSummary, ReleaseSummary, ScanSummary};
pub use controls::ControlMappingVersion;
pub use db::Backend;
pub use error::{ErrorKind, StoreError};
pub use evidence::{BundleRecord, PeriodRelease, SampleRecord, SealRequest};
pub use gate::{
    GateEvaluation, GateOptions, GatePreview, GateReason, GateReasonRef, GateResult, GateVerdict,
    IgnoredFinding, ToolDecidedFinding, ToolDecision,
};
pub use import::{ImportOutcome, ImportRequest, ReportSource, SlotComparison};
pub use lookup::{FindingOccurrence, OpenCounts};
pub use oidc::{OIDC_LOGIN_MINUTES, OidcAccount, OidcOutcome, OidcPending};
pub use page::{FindingSort, FindingsPage, MAX_PAGE, PageRequest};
pub use policy::{
    GatePolicy, IgnoreRule, LicensePolicy, LicenseVerdict, Policy, PolicyError, PolicyVersion,
    SlaPolicy, SpdxId, Threshold,
};
pub use report::ReleaseReport;
pub use reports::vex::VexFormat;
pub use session::{
    ADDRESS_WINDOW_MINUTES, AuthLimits, LOCKOUT_MINUTES, LOGIN_FORM_MINUTES, LoginForm,
    LoginOutcome, MAX_ADDRESS_FAILURES, MAX_FAILURES, NewSession, PasswordCheck, SESSION_HOURS,
    SessionInfo,
};
pub use sla::{Acceptance, MttrEntry, SlaItem, SlaReport, SlaSummary};
pub use triage::{
    TriageChange, TriageDecision, TriageFilter, TriageHistoryEntry, TriageOutcome, TriageStatus,
};
pub use vex::{VexImportOptions, VexImportOutcome, VexStatementOutcome};
pub use view::{Decision, Diff, DiffChange, DiffEntry, FindingFilter, ReleaseView, ViewFinding};

use db::DbPool;

/// The connection pool's state.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub connections: u32,
    pub idle: u32,
    pub max: u32,
}

/// A handle on the store: a connection pool with the schema migrated. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    backend: Backend,
    /// Tokens recently found valid (see [`auth::TokenCache`]), shared by the clones.
    tokens: std::sync::Arc<auth::TokenCache>,
    /// Releases' scans as findings pages last saw them (see [`page::ScansCache`]).
    scans: std::sync::Arc<page::ScansCache>,
    /// The password limits (see [`session::AuthLimits`]).
    limits: AuthLimits,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Store {
    /// Like [`Store::open`], but a SQLite file that does not exist yet is an error
    /// ([`StoreError::NoDatabase`]) instead of a new, empty database: for verbs that only read.
    pub fn open_existing(url: &str) -> Result<Store, StoreError> {
        if let Some(path) = db::sqlite_file(url)?
            && !path.exists()
        {
            return Err(StoreError::NoDatabase(path.display().to_string()));
        }
        Store::open(url)
    }

    /// Connects to `url` and applies pending migrations.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let (pool, backend) = db::connect(url)?;
        Ok(Store {
            pool,
            backend,
            tokens: Default::default(),
            scans: Default::default(),
            limits: AuthLimits::default(),
        })
    }

    /// The same store with other password limits (tests lower them).
    pub fn with_auth_limits(mut self, limits: AuthLimits) -> Store {
        self.limits = limits;
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn conn(&self) -> Result<db::PooledConn, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Connections open and idle in the pool (for metrics).
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            connections: state.connections,
            idle: state.idle_connections,
            max: self.pool.max_size(),
        }
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
