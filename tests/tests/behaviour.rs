//! Behaviour snapshots: what the CLI prints with `--format json` and what the API answers, for
//! the demo project and for one small corpus file per importer format, kept as `insta`
//! snapshots in `snapshots/behaviour/`. A refactoring that must not change behaviour proves it
//! by leaving them equal; a change that is meant to alter them is reviewed with
//! `cargo insta review`.
//!
//! Only what differs from run to run is redacted (times, audit hashes, token prefixes, the
//! signing key, temporary paths, the server's port); ids, counts, fingerprints, the order of
//! lists and every other field stay, so a change in behaviour shows as a snapshot diff.

use crate::serve::{Server, make_token, scanledger, start};
use serde_json::Value;
use std::path::{Path, PathBuf};

const DEMO: &str = "demo-shop";
const CORPUS: &str = "corpus-formats";

/// One small corpus file per importer format (`importers::all()` order), each uploaded into a
/// release named after its format, so that each keeps its default slot label. The corpus has
/// no Acunetix API export: that one is the `testdata` generator's (6 findings, seed 5).
const CORPUS_FILES: [(&str, Option<&str>); 37] = [
    ("trivy-json", Some("trivy/issue_9263.json")),
    ("acunetix-xml", Some("acunetix/one_finding.xml")),
    (
        "acunetix360-json",
        Some("acunetix/acunetix360_one_finding.json"),
    ),
    ("acunetix-api-json", None),
    ("sonar-report-json", Some("sonarqube/issue_10150.json")),
    (
        "sonarqube-api-json",
        Some("sonarqube-extra/sonarsource_api_issues_search-example_2025.json"),
    ),
    (
        "sonarqube-quality-gate-json",
        Some(
            "sonarqube-quality-gate/api_qualitygates_project_status_HANDWRITTEN_error_3_failed.json",
        ),
    ),
    ("tfsec-json", Some("tfsec/one_finding_legacy.json")),
    (
        "tfsec-csv",
        Some("tfsec-extra/csv_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.csv"),
    ),
    (
        "tfsec-checkstyle",
        Some("tfsec-extra/checkstyle_HANDWRITTEN_from_sarif_v1.28.14_aws_19results.xml"),
    ),
    (
        "tfsec-junit",
        Some("tfsec-extra/junit_v1.28.14_utf16le_windows.xml"),
    ),
    ("burp-xml", Some("burp/one_finding.xml")),
    (
        "burp-dast-json",
        Some("burp/handwritten-burp-dast-graphql-scan-issues.json"),
    ),
    ("zap-xml", Some("zap/zap-xml-plus-format.xml")),
    (
        "zap-json",
        Some("zap/traditional-json-plus_HANDWRITTEN_2.14_one_alert.json"),
    ),
    (
        "nessus-xml",
        Some("tenable/nessus_was/nessus_was_one_vuln.xml"),
    ),
    ("nessus-csv", Some("tenable/issue_9612.csv")),
    (
        "aws-inspector2-json",
        Some("aws_inspector2/aws_inspector2_one_vul.json"),
    ),
    (
        "aws-securityhub-asff-json",
        Some("awssecurityhub/guardduty.json"),
    ),
    ("aws-ecr-scan-json", Some("ecr/basic_HANDWRITTEN_scan.json")),
    (
        "kube-bench-json",
        Some("kubebench/kube-bench-report-one-vuln.json"),
    ),
    (
        "trivy-operator-json",
        Some("trivy_operator/vulnerabilityreport_single_vuln.json"),
    ),
    (
        "fossa-api-issues-json",
        Some("fossa/thirdparty-handmade_defectdojo_api-v2-issues_fossa_one_vuln.json"),
    ),
    (
        "fossa-test-json",
        Some("fossa/handmade-fossa-test-json_v3.18_5issues.json"),
    ),
    (
        "fossa-attribution-json",
        Some("fossa/socket_report-attribution-json_go_1direct_2deep.json"),
    ),
    (
        "fossa-analyze-json",
        Some("fossa/fossa-cli-docs_analyze-output_maven_13deps.json"),
    ),
    (
        "cyclonedx-json",
        Some("cyclonedx/valid-vulnerability-1.4.json"),
    ),
    (
        "cyclonedx-xml",
        Some("cyclonedx/multiple_cwes_fabricated.xml"),
    ),
    (
        "grype-json",
        Some("anchore_grype/check_all_fields_with_ids_fabricated.json"),
    ),
    (
        "osv-scanner-json",
        Some("osv_scanner/multi_cwe_fabricated.json"),
    ),
    ("mend-json", Some("mend/okhttp_one_vuln.json")),
    ("bandit-json", Some("bandit/one_vuln.json")),
    ("semgrep-json", Some("semgrep/one_finding.json")),
    (
        "checkov-json",
        Some("checkov/checkov_HANDWRITTEN_3.2_skipped_secrets_kubernetes_dockerfile.json"),
    ),
    (
        "dependabot-json",
        Some("dependabot/dependabot_HANDWRITTEN_rest_2022-11-28_repo_alerts.json"),
    ),
    ("snyk-json", Some("snyk/snyk_HANDWRITTEN_all_projects.json")),
    ("sarif", Some("sarif/dockle_0_3_15.sarif")),
];

/// Object keys whose values differ from run to run (clock times, dates computed from them,
/// the audit chain's hashes, what the random signing key makes): replaced by `[redacted]`
/// wherever they occur, also inside the JSON text of audit events' `before` and `after`.
const VOLATILE_KEYS: &[&str] = &[
    "at",
    "created_at",
    "decided_at",
    "due_at",
    "evaluated_at",
    "expires_at",
    "first_seen_at",
    "sealed_at",
    "timestamp",
    "uploaded_at",
    "last_used_at",
    "revoked_at",
    "hash",
    "prev_hash",
    "head",
    "bundle_sha256",
    "key_fingerprint",
    // The key of a `first_seen` page cursor.
    "Time",
];

/// The prefix of OpenVEX document ids, which end in the export's time.
const VEX_ID: &str = "urn:scanledger:vex:";

#[test]
fn cli_and_api_outputs_match_their_snapshots() {
    let server = start();
    let work = tempfile::tempdir().expect("tempdir");
    let token = make_token(&server, "admin", None);
    let mut run = Run::new(&server, work.path(), &token);

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/behaviour");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        load(&mut run);
        cli_snapshots(&run);
        api_snapshots(&run, &server, &token);
    });
}

/// Where this run keeps its database and files, and what its output must not keep.
struct Run {
    db: String,
    work: PathBuf,
    /// (text, placeholder): temporary paths, the server's address, the token's prefix.
    replacements: Vec<(String, &'static str)>,
    /// When the run began: no time from then on may be left in a snapshot.
    started: chrono::DateTime<chrono::Utc>,
}

impl Run {
    fn new(server: &Server, work: &Path, token: &str) -> Run {
        let started = chrono::Utc::now();
        let db_dir = server
            .db
            .strip_prefix("sqlite://")
            .and_then(|p| Path::new(p).parent())
            .map(|p| p.display().to_string())
            .expect("a SQLite database in a folder");
        // `slt_` and 8 hex digits: what lists, the audit log and error messages show.
        let prefix: String = token.chars().take(12).collect();
        assert!(prefix.starts_with("slt_"), "token {prefix}...");
        Run {
            db: server.db.clone(),
            work: work.to_path_buf(),
            replacements: vec![
                (work.display().to_string(), "[work]"),
                (db_dir, "[db-dir]"),
                (server.addr.clone(), "[addr]"),
                (prefix, "[token-prefix]"),
            ],
            started,
        }
    }

    /// `scanledger ARGS` on the run's database: exit code and standard output.
    fn cli(&self, args: &[&str]) -> (i32, String) {
        let out = scanledger()
            .args(args)
            .env("DATABASE_URL", &self.db)
            .env_remove("SCANLEDGER_URL")
            .env_remove("SCANLEDGER_TOKEN")
            .env_remove("SCANLEDGER_USER")
            .env_remove("SCANLEDGER_KEY_DIR")
            .env_remove("SCANLEDGER_SIGNING_KEY")
            .current_dir(&self.work)
            .output()
            .expect("run scanledger");
        let code = out.status.code().expect("exit code");
        assert!(
            code == 0 || code == 1,
            "scanledger {args:?} exited {code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (code, String::from_utf8(out.stdout).expect("utf-8"))
    }

    /// `scanledger ARGS` that must succeed and print one JSON document: that, normalized.
    fn cli_json(&self, args: &[&str]) -> Value {
        let (code, stdout) = self.cli(args);
        assert_eq!(code, 0, "scanledger {args:?}: {stdout}");
        let value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("scanledger {args:?} printed no JSON ({e}): {stdout}"));
        self.normalize(value)
    }

    /// `value` without what differs from run to run (see [`normalize`]).
    fn normalize(&self, mut value: Value) -> Value {
        normalize(&mut value, &self.replacements);
        assert_no_run_times(&value, self.started);
        value
    }
}

/// The demo (`scanledger demo --no-serve`: two releases, triage, a policy, a sealed release)
/// and the corpus files, each into its own release of a second project.
fn load(run: &mut Run) {
    let keys = run.work.join("keys").display().to_string();
    let (code, _) = run.cli(&["demo", "--no-serve", "--key-dir", &keys]);
    assert_eq!(code, 0);
    // The demo's acceptance expires 90 days after the run; OpenVEX writes that date in text.
    let (_, accepted) = run.cli(&[
        "findings", "-p", DEMO, "-r", "1.0.0", "--status", "accepted", "--format", "json",
    ]);
    let accepted: Value = serde_json::from_str(&accepted).expect("findings JSON");
    let expires = accepted[0]["decision"]["expires_at"]
        .as_str()
        .and_then(|t| t.get(..10))
        .unwrap_or_else(|| panic!("no accepted finding with an expiry: {accepted}"));
    run.replacements.push((expires.to_string(), "[expires]"));
    let mut uploads = serde_json::Map::new();
    for (format, file) in CORPUS_FILES {
        let path = match file {
            Some(file) => {
                let path = testdata::corpus_dir().join(file);
                assert!(path.exists(), "corpus fixture missing: {}", path.display());
                path
            }
            None => {
                let options = testdata::synthetic::SyntheticOptions::new(6, 5);
                let bytes = testdata::synthetic::report(format, &options).expect("generate");
                let path = run.work.join(format!("{format}.report"));
                std::fs::write(&path, bytes).expect("write the report");
                path
            }
        };
        let path = path.display().to_string();
        let outcome = run.cli_json(&[
            "upload", "-p", CORPUS, "-r", format, "--format", "json", &path,
        ]);
        assert_eq!(outcome["format"], format, "{path}: {outcome}");
        uploads.insert(format.to_string(), outcome);
    }
    insta::assert_json_snapshot!("cli_upload_corpus", uploads);
}

/// Every format of the registry has its corpus file here.
#[test]
fn the_corpus_files_cover_every_importer_format() {
    let formats: Vec<&str> = importers::all().iter().map(|i| i.format()).collect();
    let covered: Vec<&str> = CORPUS_FILES.iter().map(|(format, _)| *format).collect();
    assert_eq!(covered, formats);
}

/// `scanledger VERB --format json` for each read verb, on both projects.
fn cli_snapshots(run: &Run) {
    let snap = |name: &str, args: &[&str]| {
        insta::assert_json_snapshot!(name, run.cli_json(args));
    };
    snap("cli_projects", &["projects", "--format", "json"]);
    for project in [DEMO, CORPUS] {
        snap(
            &format!("cli_releases_{project}"),
            &["releases", "--project", project, "--format", "json"],
        );
    }
    for release in ["1.0.0", "1.1.0"] {
        snap(
            &format!("cli_scans_{DEMO}_{release}"),
            &["scans", "-p", DEMO, "-r", release, "--format", "json"],
        );
        snap(
            &format!("cli_findings_{DEMO}_{release}"),
            &["findings", "-p", DEMO, "-r", release, "--format", "json"],
        );
    }
    snap(
        "cli_findings_demo-shop_1.1.0_filtered",
        &[
            "findings",
            "-p",
            DEMO,
            "-r",
            "1.1.0",
            "--severity",
            "critical,high",
            "--tool",
            "trivy",
            "--format",
            "json",
        ],
    );
    snap(
        "cli_findings_demo-shop_1.0.0_triaged",
        &[
            "findings",
            "-p",
            DEMO,
            "-r",
            "1.0.0",
            "--status",
            "accepted,false_positive",
            "--format",
            "json",
        ],
    );
    for only in [None, Some("new,fixed")] {
        let mut args = vec!["diff", "-p", DEMO, "--from", "1.0.0", "--to", "1.1.0"];
        args.extend(only.iter().flat_map(|o| ["--only", *o]));
        args.extend(["--format", "json"]);
        let name = match only {
            None => "cli_diff".to_string(),
            Some(o) => format!("cli_diff_only_{}", o.replace(',', "_")),
        };
        snap(&name, &args);
    }
    // The gate: its JSON and its exit code, with the policy's options and with flags.
    for (name, extra) in [
        ("cli_gate_1.0.0", vec!["-r", "1.0.0"]),
        ("cli_gate_1.1.0", vec!["-r", "1.1.0"]),
        (
            "cli_gate_1.1.0_fail_on_low_require_zap",
            vec!["-r", "1.1.0", "--fail-on", "low", "--require", "zap"],
        ),
    ] {
        let mut args = vec!["gate", "-p", DEMO, "--format", "json"];
        args.extend(extra);
        let (code, stdout) = run.cli(&args);
        let gate = run.normalize(serde_json::from_str(&stdout).expect("gate JSON"));
        insta::assert_json_snapshot!(name, serde_json::json!({"exit_code": code, "gate": gate}));
    }
    snap("cli_sla", &["sla", "-p", DEMO, "--format", "json"]);
    snap(
        "cli_sla_1.0.0",
        &["sla", "-p", DEMO, "-r", "1.0.0", "--format", "json"],
    );
    snap(
        "cli_policy_show",
        &["policy", "show", "-p", DEMO, "--format", "json"],
    );
    snap(
        "cli_policy_versions",
        &["policy", "versions", "-p", DEMO, "--format", "json"],
    );
    // The decision history of each triaged finding.
    let triaged = run.cli_json(&[
        "findings",
        "-p",
        DEMO,
        "-r",
        "1.0.0",
        "--status",
        "accepted,false_positive",
        "--format",
        "json",
    ]);
    let mut histories = serde_json::Map::new();
    for finding in triaged.as_array().expect("a list") {
        let fingerprint = finding["fingerprint"].as_str().expect("fingerprint");
        let history = run.cli_json(&[
            "triage",
            "-p",
            DEMO,
            fingerprint,
            "--history",
            "--format",
            "json",
        ]);
        histories.insert(fingerprint.to_string(), history);
    }
    assert_eq!(histories.len(), 2, "the demo triages two findings");
    insta::assert_json_snapshot!("cli_triage_history", histories);
    snap(
        "cli_triage_bulk_dry_run",
        &[
            "triage",
            "-p",
            DEMO,
            "--filter",
            "kind=code",
            "--filter",
            "severity=medium,low",
            "-r",
            "1.1.0",
            "--status",
            "false_positive",
            "--justification",
            "snapshot",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    snap(
        "cli_vex_export",
        &[
            "vex",
            "export",
            "-p",
            DEMO,
            "-r",
            "1.0.0",
            "--author",
            "snapshots",
        ],
    );
    snap("cli_audit_list", &["audit", "list", "--format", "json"]);
    snap("cli_audit_verify", &["audit", "verify", "--format", "json"]);
    // Each corpus release: its scan and its findings, one snapshot per format.
    for (format, _) in CORPUS_FILES {
        let scans = run.cli_json(&["scans", "-p", CORPUS, "-r", format, "--format", "json"]);
        let findings = run.cli_json(&["findings", "-p", CORPUS, "-r", format, "--format", "json"]);
        insta::assert_json_snapshot!(
            format!("cli_corpus_{format}"),
            serde_json::json!({"scans": scans, "findings": findings})
        );
    }
}

/// The API's JSON GET routes with an admin token: status and body.
fn api_snapshots(run: &Run, server: &Server, token: &str) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    // Status and body as the server sent them.
    let fetch = |path: &str| -> (u16, Value) {
        let mut response = agent
            .get(&format!("http://{}{path}", server.addr))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let body: Value = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_json()
            .unwrap_or_else(|e| panic!("GET {path}: no JSON ({e})"));
        (status, body)
    };
    let get = |path: &str| -> Value {
        let (status, body) = fetch(path);
        serde_json::json!({"status": status, "body": run.normalize(body)})
    };
    let snap = |name: &str, path: &str| {
        insta::assert_json_snapshot!(name, get(path));
    };
    let demo = format!("/api/v1/projects/{DEMO}");
    snap("api_projects", "/api/v1/projects");
    for project in [DEMO, CORPUS] {
        snap(
            &format!("api_releases_{project}"),
            &format!("/api/v1/projects/{project}/releases"),
        );
    }
    for release in ["1.0.0", "1.1.0"] {
        snap(
            &format!("api_scans_{DEMO}_{release}"),
            &format!("{demo}/releases/{release}/scans"),
        );
        // Every page, 40 findings at a time, following the cursors.
        let mut pages = Vec::new();
        let mut query = "limit=40".to_string();
        loop {
            let (status, body) = fetch(&format!("{demo}/releases/{release}/findings?{query}"));
            let next = body["next_cursor"].as_str().map(str::to_string);
            pages.push(serde_json::json!({"status": status, "body": run.normalize(body)}));
            match next {
                Some(cursor) => query = format!("limit=40&cursor={cursor}"),
                None => break,
            }
            assert!(pages.len() < 50, "the cursors do not end");
        }
        insta::assert_json_snapshot!(format!("api_findings_{DEMO}_{release}"), pages);
    }
    for (name, query) in [
        ("severity", "severity=critical,high&tool=trivy"),
        ("status", "status=accepted,false_positive"),
        ("sort_rule_id", "sort=rule_id&limit=25&kind=code"),
        (
            "sort_first_seen",
            "sort=first_seen&limit=25&min_severity=high",
        ),
        ("text", "text=openssl"),
        ("bad_severity", "severity=urgent"),
    ] {
        snap(
            &format!("api_findings_{DEMO}_1.1.0_{name}"),
            &format!("{demo}/releases/1.1.0/findings?{query}"),
        );
    }
    snap("api_diff", &format!("{demo}/diff?from=1.0.0&to=1.1.0"));
    snap("api_gate_1.0.0", &format!("{demo}/releases/1.0.0/gate"));
    snap("api_gate_1.1.0", &format!("{demo}/releases/1.1.0/gate"));
    snap(
        "api_gate_1.1.0_fail_on_low_require_zap",
        &format!("{demo}/releases/1.1.0/gate?fail_on=low&require=zap"),
    );
    snap("api_sla", &format!("{demo}/sla"));
    snap("api_vex_1.0.0", &format!("{demo}/releases/1.0.0/vex"));
    snap("api_audit", &format!("{demo}/audit"));
    let triaged = get(&format!(
        "{demo}/releases/1.0.0/findings?status=accepted,false_positive"
    ));
    let mut histories = serde_json::Map::new();
    for finding in triaged["body"]["findings"].as_array().expect("findings") {
        let fingerprint = finding["fingerprint"].as_str().expect("fingerprint");
        histories.insert(
            fingerprint.to_string(),
            get(&format!("{demo}/findings/{fingerprint}/history")),
        );
    }
    assert_eq!(histories.len(), 2, "the demo triages two findings");
    insta::assert_json_snapshot!("api_triage_history", histories);
    for (format, _) in CORPUS_FILES {
        let base = format!("/api/v1/projects/{CORPUS}/releases/{format}");
        let scans = get(&format!("{base}/scans"));
        let findings = get(&format!("{base}/findings?limit=1000"));
        insta::assert_json_snapshot!(
            format!("api_corpus_{format}"),
            serde_json::json!({"scans": scans, "findings": findings})
        );
    }
}

/// Replaces the values of [`VOLATILE_KEYS`], the time at the end of OpenVEX ids and the
/// `replacements` in every string. The JSON text of audit events (`before`, `after`) is
/// normalized as JSON and written back as compact JSON text.
fn normalize(value: &mut Value, replacements: &[(String, &'static str)]) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if VOLATILE_KEYS.contains(&key.as_str()) && !item.is_null() {
                    *item = Value::from("[redacted]");
                    continue;
                }
                // A page cursor is hex-encoded JSON that may hold a time: shown decoded.
                if key == "next_cursor"
                    && let Some(mut cursor) = item.as_str().and_then(decode_cursor)
                {
                    normalize(&mut cursor, replacements);
                    *item = serde_json::json!({ "decoded": cursor });
                    continue;
                }
                if key == "before" || key == "after" {
                    let parsed = item.as_str().and_then(|t| serde_json::from_str(t).ok());
                    if let Some(mut inner) = parsed {
                        normalize(&mut inner, replacements);
                        *item = Value::from(inner.to_string());
                        continue;
                    }
                }
                normalize(item, replacements);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| normalize(i, replacements)),
        Value::String(text) => {
            for (from, to) in replacements {
                if text.contains(from.as_str()) {
                    *text = text.replace(from.as_str(), to);
                }
            }
            if let Some(rest) = text.strip_prefix(VEX_ID)
                && let Some((id, _time)) = rest.rsplit_once(':')
            {
                *text = format!("{VEX_ID}{id}:[time]");
            }
        }
        _ => {}
    }
}

/// A findings page's cursor as the JSON it encodes in hex, if it is that.
fn decode_cursor(hex: &str) -> Option<Value> {
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    serde_json::from_slice(&bytes).ok()
}

/// Fails when a string still holds a time of this run (to the minute, in the forms the store,
/// the API and OpenVEX write): a volatile value that [`VOLATILE_KEYS`] misses would make the
/// snapshots differ from one run to the next. (No check on dates alone: a report's own dates
/// would trip it on the day they name.)
fn assert_no_run_times(value: &Value, started: chrono::DateTime<chrono::Utc>) {
    let now = chrono::Utc::now();
    let mut minute = started - chrono::Duration::minutes(1);
    let mut stamps = Vec::new();
    while minute <= now + chrono::Duration::minutes(1) {
        for form in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y%m%dT%H%M"] {
            stamps.push(minute.format(form).to_string());
        }
        minute += chrono::Duration::minutes(1);
    }
    let mut strings = Vec::new();
    collect_strings(value, &mut strings);
    for text in strings {
        if let Some(stamp) = stamps.iter().find(|s| text.contains(s.as_str())) {
            panic!("a time of this run ({stamp}) is left in {text:?}: redact it");
        }
    }
}

fn collect_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}
