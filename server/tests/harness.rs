//! Test stores on both backends, an app around each, and requests.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use schema::{Grant, ImportOutcome, ImportRequest, Role, Store};
use server::{AppState, ServerConfig};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct TestStore {
    pub name: &'static str,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    TestStore {
        name: "sqlite",
        store: Store::open(&url).expect("open sqlite"),
        _dir: Some(dir),
    }
}

fn postgres() -> Option<TestStore> {
    let base = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let schema_name = format!(
        "srv_{}_{}_{}",
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
    let url = format!("{base}{separator}options=-csearch_path%3D{schema_name}");
    Some(TestStore {
        name: "postgres",
        store: Store::open(&url).expect("open postgres"),
        _dir: None,
    })
}

/// SQLite always, PostgreSQL when configured.
pub fn backends() -> Vec<TestStore> {
    let mut stores = vec![sqlite()];
    stores.extend(postgres());
    stores
}

pub fn state(store: &Store, config: ServerConfig) -> AppState {
    AppState::new(store.clone(), config).expect("state")
}

pub fn token(store: &Store, role: Role, project: Option<&str>) -> String {
    store
        .create_token(
            &Grant {
                name: &format!("{role}-{}", project.unwrap_or("all")),
                role,
                project,
                created_by: "test",
            },
            None,
        )
        .expect("token")
        .token
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

/// The scanner corpus (`testdata::corpus_dir`): a missing corpus fails the test with the path
/// it looked for; no test skips silently.
pub fn corpus_dir() -> PathBuf {
    testdata::corpus_dir()
}

/// Stores [`report`]`(seed)` in `project` `release`, uploaded by `fixture`.
pub fn import_fixture(store: &Store, project: &str, release: &str, seed: u64) -> ImportOutcome {
    store
        .import_scan(
            &ImportRequest {
                project,
                release,
                label: None,
                format: None,
                file_name: None,
                uploaded_by: "fixture",
                request_id: None,
                progress: None,
            },
            &report(seed).as_slice(),
        )
        .expect("fixture upload")
}

/// Seals `project` `release` with `key`, as `alice`, whatever the gate says.
pub fn seal(store: &Store, project: &str, release: &str, key: &reports::EvidenceKey) {
    store
        .seal(
            &schema::SealRequest {
                project,
                release,
                sealed_by: "alice",
                gate: schema::GateOptions::default(),
                allow_blocked_reason: Some("test"),
                generator: "scanledger test",
            },
            key,
        )
        .expect("seal");
}

/// A small Trivy report, different for every `seed`.
pub fn report(seed: u64) -> Vec<u8> {
    testdata::synthetic::trivy_report(&testdata::synthetic::SyntheticOptions {
        findings: 5,
        seed,
        artifact: format!("shop:{seed}"),
        generation: 0,
    })
}
