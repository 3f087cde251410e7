//! Test stores on both backends.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use schema::Store;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A store under test; its SQLite file lives as long as it does.
pub struct TestStore {
    pub name: &'static str,
    pub store: Store,
    /// The database URL, for a second store on the same database or for raw SQL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh SQLite store in a temporary folder.
pub fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    TestStore {
        name: "sqlite",
        store: Store::open(&url).expect("open sqlite"),
        url,
        _dir: Some(dir),
    }
}

/// The PostgreSQL URL for tests, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh PostgreSQL store: a new schema in the test database, found through `search_path`.
pub fn postgres() -> Option<TestStore> {
    let url = postgres_schema_url()?;
    Some(TestStore {
        name: "postgres",
        store: Store::open(&url).expect("open postgres"),
        url,
        _dir: None,
    })
}

/// The URL of a new, empty schema in the test database (found through `search_path`), for tests
/// that run the migrations themselves; `None` when PostgreSQL is not configured.
pub fn postgres_schema_url() -> Option<String> {
    let base = postgres_url()?;
    let schema_name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let mut admin = diesel::PgConnection::establish(&base).expect("connect to TEST_DATABASE_URL");
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema_name}"))
        .expect("create schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!(
        "{base}{separator}options=-csearch_path%3D{schema_name}"
    ))
}

/// Every backend available: SQLite always, PostgreSQL when configured.
pub fn backends() -> Vec<TestStore> {
    let mut stores = vec![sqlite()];
    stores.extend(postgres());
    stores
}

/// Runs `test` on every backend, naming the backend in a failure.
pub fn on_each_backend(test: impl Fn(&TestStore)) {
    for store in backends() {
        eprintln!("-- backend {}", store.name);
        test(&store);
    }
}

impl TestStore {
    /// A second store on this PostgreSQL database, its URL extended by `parameter`
    /// (`application_name=...`, say).
    pub fn postgres_with(&self, parameter: &str) -> TestStore {
        let url = format!("{}&{parameter}", self.url);
        TestStore {
            name: self.name,
            store: Store::open(&url).expect("open postgres"),
            url,
            _dir: None,
        }
    }

    /// Runs SQL directly on the database, around the store: what someone with database access
    /// could do.
    pub fn raw_sql(&self, sql: &str) -> Result<(), diesel::result::Error> {
        if self.name == "postgres" {
            diesel::PgConnection::establish(&self.url)
                .expect("connect")
                .batch_execute(sql)
        } else {
            let path = self.url.trim_start_matches("sqlite://");
            diesel::SqliteConnection::establish(path)
                .expect("connect")
                .batch_execute(sql)
        }
    }
}

/// A file of the scanner corpus (`testdata::corpus_dir`); fails the test naming the file when
/// it is missing, or the corpus when that is.
pub fn corpus(relative: &str) -> PathBuf {
    let path = testdata::corpus_dir().join(relative);
    assert!(path.exists(), "corpus fixture missing: {}", path.display());
    path
}

pub fn request<'a>(project: &'a str, release: &'a str) -> schema::ImportRequest<'a> {
    schema::ImportRequest {
        project,
        release,
        label: None,
        format: None,
        file_name: None,
        uploaded_by: "test",
        request_id: None,
        progress: None,
    }
}

/// The diff a snapshot of `to` carries, read from the two releases' views spooled, is what
/// `Store::diff` says from `from`: the same counts, and its first new and fixed findings in
/// its order.
pub fn assert_snapshot_diff_is_the_diff(store: &Store, project: &str, from: &str, to: &str) {
    let snap = store
        .release_snapshot(project, to, &schema::GateOptions::default(), "t")
        .expect("snapshot");
    let got = snap.diff.expect("a diff against the release before");
    let want = store.diff(project, from, to).expect("diff");
    assert_eq!(got.previous_release, from);
    assert_eq!(
        (
            got.new,
            got.identity_refined,
            got.still_open,
            got.fixed,
            got.not_rescanned
        ),
        (
            want.new,
            want.identity_refined,
            want.still_open,
            want.fixed,
            want.not_rescanned
        ),
    );
    let first = |change: schema::DiffChange| -> Vec<String> {
        want.entries
            .iter()
            .filter(|e| e.change == change)
            .take(reports::DIFF_LINES)
            .map(|e| e.finding.fingerprint.clone())
            .collect()
    };
    let lines = |lines: &[reports::DiffLine]| -> Vec<String> {
        lines.iter().map(|l| l.fingerprint.clone()).collect()
    };
    assert_eq!(lines(&got.new_findings), first(schema::DiffChange::New));
    assert_eq!(lines(&got.fixed_findings), first(schema::DiffChange::Fixed));
}
