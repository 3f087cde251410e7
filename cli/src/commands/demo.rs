//! `scanledger demo`: a project with two releases of realistic reports from four scanners,
//! triage decisions, a policy and a sealed release, served with the web UI so a newcomer sees
//! imports, slots, a diff, a gate and an evidence bundle on the first run.
//!
//! Everything is loaded through the store's own operations, so the audit log tells the story
//! too. A second run on the same database finds the demo there and serves it as it is, with
//! fresh passwords for the demo users.

use crate::Outcome;
use crate::args::{DemoArgs, DiffArgs, GateArgs, GateFormat, GateOptionArgs, OutputFormat};
use anyhow::Context;
use schema::{
    FindingFilter, GateOptions, Grant, ImportRequest, Role, SealRequest, Store, StoreError,
    TriageDecision, TriageStatus, ViewFinding,
};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use testdata::demo::RELEASES;

pub const PROJECT: &str = "demo-shop";
/// Who the demo acts as in the audit log.
const ACTOR: &str = "demo";

/// The demo project's policy (docs/TRIAGE.md describes every key).
const POLICY: &str = r#"# demo-shop release policy, set by `scanledger demo`.
[gate]
fail_on = "critical"
required_tools = ["trivy", "tfsec", "sonarqube"]
block_expired_acceptances = true

[gate.kinds]
# Code findings block when critical; what SonarQube's users resolved there (false positive,
# won't fix) is honoured by default (`honour_tool_decisions`).
code = "critical"

[sla]
critical = 7
high = 30
medium = 90

[[ignore]]
path = "test/**"
reason = "test fixtures never ship"
"#;

/// The demo's users: (role, name, project scope).
const USERS: [(Role, &str, Option<&str>); 3] = [
    (Role::Auditor, "demo-auditor", Some(PROJECT)),
    (Role::Triager, "demo-triager", Some(PROJECT)),
    (Role::Admin, "demo-admin", None),
];

pub fn run(database_url: &str, args: &DemoArgs) -> anyhow::Result<Outcome> {
    if let Some(dir) = &args.write_samples {
        return write_samples(dir);
    }
    let file = super::serve::file_config(&args.serve)?;
    if let Some(dir) = &args.serve.key_dir {
        // Made before the server's settings read it.
        signing_key(dir)?;
    }
    let (database_url, mut config) = super::serve::settings(database_url, &args.serve, file)?;
    let key_dir = args
        .serve
        .key_dir
        .clone()
        .unwrap_or_else(|| key_dir_beside(&database_url));
    let store = super::open(&database_url)?;
    if is_loaded(&store)? {
        say!(
            "the demo is already there: project {PROJECT}, releases {} (sealed) and {}",
            RELEASES[0],
            RELEASES[1]
        );
    } else {
        load(&store, &key_dir)?;
        if args.no_serve {
            summary(&store)?;
        }
    }
    if args.no_serve {
        say!();
        say!(
            "Next: scanledger findings --project {PROJECT} --release {} --severity critical,high",
            RELEASES[1]
        );
        return Ok(Outcome::Ok);
    }
    // The demo's server seals with the demo's key, made by the load if there was none.
    if config.signing_key.is_none() && key_dir.join(crate::key_dir::PRIVATE).exists() {
        config.signing_key = Some(super::serve::server_key(&key_dir)?);
    }
    let passwords = users(&store)?;
    super::serve::serve(store, config, |addrs| welcome(addrs, &passwords))
}

/// The reports of release number `generation` (0 or 1), with their file names.
fn reports(generation: usize) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    Ok(testdata::demo::reports(PROJECT, generation)?)
}

/// `--write-samples DIR`: each demo release's reports as files in `DIR/RELEASE/`, for
/// `scanledger upload` (two releases, so that a diff has something to say).
fn write_samples(dir: &Path) -> anyhow::Result<Outcome> {
    for (generation, release) in RELEASES.iter().enumerate() {
        let folder = dir.join(release);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        for (file_name, bytes) in reports(generation)? {
            let path = folder.join(file_name);
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
            say!("{}", path.display());
        }
    }
    Ok(Outcome::Ok)
}

/// Whether an earlier run loaded the demo to the end (its last step seals the first release).
fn is_loaded(store: &Store) -> anyhow::Result<bool> {
    match store.bundle_record(PROJECT, RELEASES[0]) {
        Ok(record) => Ok(record.is_some()),
        Err(StoreError::NotFound { .. }) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// `scanledger-keys` in the folder of a SQLite database file, else in the current folder.
fn key_dir_beside(database_url: &str) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .or_else(|| (!database_url.contains("://")).then_some(database_url));
    path.and_then(|p| Path::new(p).parent())
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("scanledger-keys")
}

/// The signing key: SCANLEDGER_SIGNING_KEY or the one in `dir`, created when there is none.
fn signing_key(dir: &Path) -> anyhow::Result<reports::EvidenceKey> {
    let configured = std::env::var(crate::key_dir::KEY_ENV).is_ok_and(|k| !k.trim().is_empty());
    if configured || dir.join(crate::key_dir::PRIVATE).exists() {
        return crate::key_dir::load(dir);
    }
    let key = super::key::create(dir)?;
    say!(
        "created an evidence signing key in {} (fingerprint {})",
        dir.display(),
        key.public().fingerprint()
    );
    Ok(key)
}

/// Loads what is missing; every step is one of the store's audited operations, and a step an
/// interrupted earlier run did already changes nothing.
fn load(store: &Store, key_dir: &Path) -> anyhow::Result<()> {
    let policy = store.set_policy(PROJECT, POLICY, ACTOR, None)?;
    say!("{PROJECT}: policy version {}", policy.version);
    for (generation, release) in RELEASES.iter().enumerate() {
        for (file_name, bytes) in &reports(generation)? {
            let outcome = store.import_scan(
                &ImportRequest {
                    project: PROJECT,
                    release,
                    label: None,
                    format: None,
                    file_name: Some(file_name),
                    uploaded_by: ACTOR,
                    request_id: None,
                    progress: None,
                },
                bytes,
            )?;
            say!(
                "{PROJECT} {release}: {file_name:<18} scan {:>2} {} ({} {} findings: {})",
                outcome.scan_id,
                if outcome.duplicate {
                    "already loaded"
                } else {
                    "imported"
                },
                outcome.findings,
                outcome.tool,
                crate::output::severity_counts(&outcome.by_severity)
            );
        }
        if generation == 0 {
            triage(store, release)?;
        }
    }
    let key = signing_key(key_dir)?;
    let generator = format!("scanledger {}", env!("CARGO_PKG_VERSION"));
    let record = store.seal(
        &SealRequest {
            project: PROJECT,
            release: RELEASES[0],
            sealed_by: "demo-admin",
            gate: GateOptions {
                evaluated_by: Some("demo-admin".into()),
                ..GateOptions::default()
            },
            allow_blocked_reason: Some(
                "demo: released with its open criticals scheduled for 1.1.0",
            ),
            generator: &generator,
        },
        &key,
    )?;
    say!(
        "{PROJECT} {}: sealed, bundle {} bytes, sha256 {}",
        RELEASES[0],
        record.size,
        record.sha256
    );
    Ok(())
}

/// Two decisions on the first release: an accepted risk (approver, expiry) on a critical
/// vulnerability, and a false positive on a code finding.
fn triage(store: &Store, release: &str) -> anyhow::Result<()> {
    let view = store.release_view(PROJECT, release, &FindingFilter::default())?;
    let first = |pick: &dyn Fn(&ViewFinding) -> bool| {
        let mut found: Vec<&ViewFinding> = view.findings.iter().filter(|f| pick(f)).collect();
        found.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        found.first().map(|f| (*f).clone())
    };
    let accepted = first(&|f| f.tool == "trivy" && f.severity == importers::Severity::Critical);
    let false_positive = first(&|f| f.tool == "sonarqube" && f.kind == importers::Kind::Code);
    let expires = chrono::Utc::now().date_naive() + chrono::Duration::days(90);
    let decisions = [
        (
            accepted,
            TriageDecision {
                status: TriageStatus::Accepted,
                justification: Some(
                    "the vulnerable code path is not reachable: the service never parses \
                     untrusted archives"
                        .into(),
                ),
                approver: Some("demo-admin (CISO)".into()),
                expires: Some(expires),
            },
        ),
        (
            false_positive,
            TriageDecision {
                status: TriageStatus::FalsePositive,
                justification: Some("the value is a test constant, never a credential".into()),
                approver: None,
                expires: None,
            },
        ),
    ];
    for (finding, decision) in decisions {
        let Some(finding) = finding else { continue };
        if finding.status == decision.status {
            continue;
        }
        store.triage(
            PROJECT,
            &finding.fingerprint,
            &decision,
            "demo-triager",
            None,
        )?;
        say!(
            "{PROJECT}: {} {} ({})",
            decision.status.as_str(),
            &finding.fingerprint[..12.min(finding.fingerprint.len())],
            finding.rule_id
        );
    }
    Ok(())
}

/// What `--no-serve` prints after loading: the diff between the releases and the gate.
fn summary(store: &Store) -> anyhow::Result<()> {
    // The handle is a pool: the clone is the same database.
    let ledger = crate::ledger::Local::new(store.clone());
    say!();
    super::query::diff(
        &ledger,
        &DiffArgs {
            project: PROJECT.into(),
            from: RELEASES[0].into(),
            to: RELEASES[1].into(),
            only: vec!["new".into(), "fixed".into()],
            format: OutputFormat::Table,
            wide: false,
        },
    )?;
    say!();
    super::gate::run(
        &ledger,
        &GateArgs {
            project: PROJECT.into(),
            release: RELEASES[1].into(),
            options: GateOptionArgs {
                fail_on: None,
                require: Vec::new(),
            },
            format: GateFormat::Text,
            actor: ACTOR.into(),
        },
    )?;
    Ok(())
}

/// Creates the demo users, or gives them new passwords when they exist; (role, name, password).
fn users(store: &Store) -> anyhow::Result<Vec<(Role, &'static str, String)>> {
    let existing: Vec<String> = store.users()?.into_iter().map(|u| u.name).collect();
    let mut out = Vec::new();
    for (role, name, project) in USERS {
        let password = new_password()?;
        if existing.iter().any(|n| n == name) {
            store.set_password(name, &password, ACTOR)?;
        } else {
            store.create_user(
                &Grant {
                    name,
                    role,
                    project,
                    created_by: ACTOR,
                },
                &password,
            )?;
        }
        out.push((role, name, password));
    }
    Ok(out)
}

/// 20 random characters from 32 that are hard to confuse (100 bits).
fn new_password() -> anyhow::Result<String> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect())
}

/// What the demo prints once it listens: where, and who may sign in with what.
fn welcome(addrs: &[SocketAddr], passwords: &[(Role, &str, String)]) {
    let Some(addr) = addrs.first() else { return };
    let mut addr = *addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let base = format!("http://{addr}");
    say!();
    say!("ScanLedger demo: {base}/ui");
    say!(
        "release page:    {base}/ui/projects/{PROJECT}/releases/{}",
        RELEASES[1]
    );
    say!();
    say!("Sign in with these one-time passwords (a new run of `scanledger demo` replaces them):");
    for (role, name, password) in passwords {
        say!("  {:<8} user {name:<13} password {password}", role.as_str());
    }
    say!();
    say!("Press Ctrl-C to stop.");
}
