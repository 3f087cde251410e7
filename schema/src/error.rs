//! The store's errors.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    BadUrl(String),
    /// A verb that only reads was pointed at a SQLite file that is not there; nothing was
    /// created.
    #[error(
        "the database file {0} does not exist (nothing was created; `scanledger upload` or `scanledger demo` creates one)"
    )]
    NoDatabase(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{what} {name:?} not found")]
    NotFound { what: &'static str, name: String },
    #[error("release {release:?} of project {project:?} is sealed and accepts no more scans")]
    Sealed { project: String, release: String },
    #[error("{0}")]
    Invalid(String),
    /// Stored evidence does not match its SHA-256 (or cannot be decoded): never served.
    #[error("corrupt evidence: {0}")]
    Corrupt(String),
    /// Sealing refused: the gate blocks and no reason to seal anyway was given.
    #[error(
        "release {release:?} of project {project:?} is blocked by the gate ({reasons} reasons): fix it, or seal with --allow-blocked --reason \"...\""
    )]
    Blocked {
        project: String,
        release: String,
        reasons: usize,
    },
    /// The report could not be imported; nothing was stored.
    #[error(transparent)]
    Import(#[from] importers::ImportError),
    #[error("reading the report: {0}")]
    Io(#[from] std::io::Error),
    /// A label or a target with a control character (NUL included): PostgreSQL cannot store
    /// NUL in text and SQLite would, so both refuse it the same way; nothing was stored.
    #[error(
        "the {field} {value:?} contains a control character (U+0000 to U+001F or U+007F to U+009F); nothing was stored"
    )]
    ControlCharacter { field: &'static str, value: String },
    /// A policy file that cannot be used; the active policy is unchanged.
    #[error(transparent)]
    Policy(crate::policy::PolicyError),
}

impl StoreError {
    /// The database could not be reached, or dropped the connection mid-query (a restart): the
    /// same request may well succeed when tried again.
    pub fn is_unavailable(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        matches!(
            self,
            StoreError::Connect(_)
                | StoreError::Database(Error::DatabaseError(
                    DatabaseErrorKind::ClosedConnection,
                    _
                ))
        )
    }

    pub fn not_found(what: &'static str, name: impl Into<String>) -> Self {
        StoreError::NotFound {
            what,
            name: name.into(),
        }
    }
}

/// A value the domain refused (an unknown status, a missing justification, ...).
impl From<domain::InvalidValue> for StoreError {
    fn from(e: domain::InvalidValue) -> Self {
        StoreError::Invalid(e.reason)
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Connect(e.to_string())
    }
}
