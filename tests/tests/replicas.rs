//! Two `scanledger serve` processes on one PostgreSQL database: they migrate once when started
//! together, concurrent uploads of the same file to the same slot make one scan, and
//! concurrent uploads of different files all land. Skipped without `TEST_DATABASE_URL`.

use super::serve::{free_port, scanledger};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

struct Replica {
    child: Child,
    base: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A schema of its own in `TEST_DATABASE_URL`'s database, as a URL; `None` without it.
pub fn fresh_database() -> Option<String> {
    let base = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let schema = format!(
        "e2e_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let mut admin = diesel::PgConnection::establish(&base).expect("connect");
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options=-csearch_path%3D{schema}"))
}

fn start(url: &str) -> Replica {
    let port = free_port();
    let child = scanledger()
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start replica");
    Replica {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn wait_ready(replica: &Replica) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = agent().get(&format!("{}/readyz", replica.base)).call()
            && r.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "replica not ready");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn upload(base: &str, token: &str, release: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let mut response = agent()
        .post(&format!(
            "{base}/api/v1/projects/shop/releases/{release}/scans"
        ))
        .header("Authorization", &format!("Bearer {token}"))
        .send(body)
        .expect("upload");
    let status = response.status().as_u16();
    let json = response.body_mut().read_json().expect("json");
    (status, json)
}

fn report(seed: u64, findings: usize) -> Vec<u8> {
    testdata::synthetic::trivy_report(&testdata::synthetic::SyntheticOptions {
        findings,
        seed,
        artifact: format!("shop-{seed}:1"),
        generation: 0,
    })
}

#[test]
fn two_replicas_share_one_postgres_database() {
    let Some(url) = fresh_database() else {
        eprintln!("TEST_DATABASE_URL not set: skipped");
        return;
    };
    // Both start at once on an empty database.
    let a = start(&url);
    let b = start(&url);
    wait_ready(&a);
    wait_ready(&b);
    let mut conn = diesel::PgConnection::establish(&url).expect("connect");
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::RunQueryDsl;
    let migrations: Count =
        diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
            .get_result(&mut conn)
            .expect("migrations table");
    let shipped = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/migrations/postgres"),
    )
    .expect("migrations folder")
    .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
    .count() as i64;
    assert_eq!(migrations.n, shipped, "each migration applied exactly once");

    let output = scanledger()
        .args(["token", "create", "--name", "ci", "--role", "uploader"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("token");
    assert!(
        output.status.success(),
        "token create: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout)
        .expect("utf8")
        .trim()
        .to_string();

    // The same file, to the same slot, through both replicas at once, several times over.
    let same = report(1, 2000);
    let bases = [a.base.clone(), b.base.clone()];
    let results: Vec<(u16, serde_json::Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let base = &bases[i % 2];
                let (token, same) = (&token, &same);
                s.spawn(move || upload(base, token, "1.0", same))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let ids: std::collections::BTreeSet<i64> = results
        .iter()
        .map(|(status, json)| {
            assert!(*status == 200 || *status == 201, "{status} {json}");
            json["scan_id"].as_i64().expect("scan id")
        })
        .collect();
    assert_eq!(ids.len(), 1, "one scan for the same bytes: {results:?}");
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "exactly one upload imported"
    );

    // Different files, both replicas at once: all land.
    let results: Vec<(u16, serde_json::Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u64)
            .map(|i| {
                let base = &bases[(i % 2) as usize];
                let token = &token;
                s.spawn(move || upload(base, token, "1.1", &report(100 + i, 500)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    for (status, json) in &results {
        assert_eq!(*status, 201, "{json}");
    }
    let scans: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM scans")
        .get_result(&mut conn)
        .expect("scans");
    assert_eq!(scans.n, 1 + 8);
}
