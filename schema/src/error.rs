//! The store's errors, and the class each belongs to ([`ErrorKind`]): what a caller can do
//! about it. The server maps errors to HTTP statuses and the CLI to exit codes, each in one
//! exhaustive `match`, so no caller reads an error's text to learn what it means.

/// What sort of failure an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The thing asked for is not there (a project, a release, a finding, a database file).
    NotFound,
    /// The request clashes with the store's state (already exists, sealed, blocked, changed
    /// meanwhile): it may succeed once the state changes or when tried again.
    Conflict,
    /// The request or its input is not acceptable as given (a bad name, a bad report, a
    /// missing justification).
    Invalid,
    /// The caller may not do this.
    Forbidden,
    /// Stored data does not match its hash or cannot be read back: never served.
    Corrupt,
    /// The database cannot be reached now; the same request may well succeed later.
    Unavailable,
    /// A fault of ours or of the machine (no randomness, a failed write, a bug).
    Internal,
}

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
    #[error("{what} {key:?} not found")]
    NotFound { what: &'static str, key: String },
    #[error("release {release:?} of project {project:?} is sealed and accepts no more scans")]
    Sealed { project: String, release: String },
    /// A value refused: which field or argument, and why.
    #[error("{reason}")]
    Invalid { field: &'static str, reason: String },
    /// The request clashes with the store's state (it already exists, something changed
    /// meanwhile, the release is not sealed yet, ...).
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A fault of ours or of the machine; the message is for the log, not for the caller.
    #[error("{0}")]
    Internal(String),
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
    Policy(domain::PolicyError),
}

impl StoreError {
    /// The class of this error. Every variant is listed: a new one must be classed here.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotFound { .. } | StoreError::NoDatabase(_) => ErrorKind::NotFound,
            StoreError::Sealed { .. } | StoreError::Blocked { .. } | StoreError::Conflict(_) => {
                ErrorKind::Conflict
            }
            StoreError::Invalid { .. }
            | StoreError::BadUrl(_)
            | StoreError::Import(_)
            | StoreError::ControlCharacter { .. }
            | StoreError::Policy(_) => ErrorKind::Invalid,
            StoreError::Forbidden(_) => ErrorKind::Forbidden,
            StoreError::Corrupt(_) => ErrorKind::Corrupt,
            StoreError::Connect(_) => ErrorKind::Unavailable,
            StoreError::Database(e) if database_unavailable(e) => ErrorKind::Unavailable,
            StoreError::Database(_)
            | StoreError::Migration(_)
            | StoreError::Io(_)
            | StoreError::Internal(_) => ErrorKind::Internal,
        }
    }

    /// A refused value: `field` names it for programs, `reason` says why for people.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// The database could not be reached, or dropped the connection mid-query (a restart): the
    /// same request may well succeed when tried again.
    pub fn is_unavailable(&self) -> bool {
        self.kind() == ErrorKind::Unavailable
    }

    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        StoreError::NotFound {
            what,
            key: key.into(),
        }
    }
}

/// A value the domain refused (an unknown status, a missing justification, ...).
impl From<domain::InvalidValue> for StoreError {
    fn from(e: domain::InvalidValue) -> Self {
        StoreError::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Connect(e.to_string())
    }
}

/// The connection dropped mid-query (a database restart).
fn database_unavailable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
    )
}
