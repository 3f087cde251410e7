//! Every verb with a remote mode prints the same thing and exits the same way on the database
//! and through a server (`scanledger serve` on that very database), for every output format.

use crate::serve::{Server, corpus, make_token, remote, scanledger, start, start_in};
use std::process::{Command, Output};

/// The CLI on the server's database, as an operator on its machine runs it.
fn local(server: &Server) -> Command {
    let mut cmd = scanledger();
    cmd.env("DATABASE_URL", &server.db)
        .env_remove("SCANLEDGER_URL")
        .env_remove("SCANLEDGER_TOKEN");
    cmd
}

fn run(mut cmd: Command, args: &[&str]) -> Output {
    let out = cmd.args(args).env("COLUMNS", "120").output().expect("run");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A gate result without its evaluation time, which differs between two evaluations.
fn timeless(mut gate: serde_json::Value) -> serde_json::Value {
    gate.as_object_mut()
        .expect("a gate result is an object")
        .remove("evaluated_at");
    gate
}

#[test]
fn remote_verbs_print_what_local_verbs_print() {
    let server = start();
    let admin = make_token(&server, "admin", None);
    let uploads: [(&str, &[&str], &str); 3] = [
        ("1.0", &[], "trivy/kubernetes_fabricated_subset.json"),
        ("1.1", &[], "trivy/kubernetes.json"),
        (
            "1.1",
            &["--label", "config"],
            "trivy/misconfigurations_and_secrets.json",
        ),
    ];
    for (release, flags, report) in uploads {
        let mut args = vec!["upload", "-p", "shop", "-r", release, "--format", "json"];
        args.extend(flags);
        let report = corpus(report);
        let report = report.to_str().expect("utf-8 path");
        args.push(report);
        let stored = run(remote(&server, &admin), &args);
        assert_eq!(stored.status.code(), Some(0));
        // The same file again is the same scan, and both say so alike.
        let again_remote = run(remote(&server, &admin), &args);
        let again_local = run(local(&server), &args);
        assert_eq!(
            String::from_utf8_lossy(&again_remote.stdout),
            String::from_utf8_lossy(&again_local.stdout),
            "{args:?}"
        );
        assert!(String::from_utf8_lossy(&again_local.stdout).contains("\"duplicate\":true"));
    }
    let verbs: [&[&str]; 9] = [
        &["projects"],
        &["releases", "-p", "shop"],
        &["findings", "-p", "shop", "-r", "1.1"],
        &[
            "findings",
            "-p",
            "shop",
            "-r",
            "1.1",
            "--min-severity",
            "high",
        ],
        &["findings", "-p", "shop", "-r", "1.1", "--kind", "secret"],
        &["diff", "-p", "shop", "--from", "1.0", "--to", "1.1"],
        &[
            "diff", "-p", "shop", "--from", "1.0", "--to", "1.1", "--only", "new",
        ],
        &["findings", "-p", "shop", "-r", "1.0", "--text", "openssl"],
        &["findings", "-p", "shop", "-r", "1.1", "--category", "bug"],
    ];
    for verb in verbs {
        for format in ["json", "csv", "table"] {
            let mut args = verb.to_vec();
            args.extend(["--format", format]);
            let there = run(remote(&server, &admin), &args);
            let here = run(local(&server), &args);
            assert_eq!(there.status.code(), here.status.code(), "{args:?}");
            assert_eq!(
                String::from_utf8_lossy(&there.stdout),
                String::from_utf8_lossy(&here.stdout),
                "{args:?}"
            );
            assert!(!here.stdout.is_empty(), "{args:?}");
        }
    }
    // The gate: the same verdict, reasons and exit code (0 passes, 1 blocks); only the time
    // of the evaluation differs.
    for fail_on in ["critical", "low"] {
        let json = ["gate", "-p", "shop", "-r", "1.1", "--fail-on", fail_on];
        let mut args = json.to_vec();
        args.extend(["--format", "json"]);
        let there = run(remote(&server, &admin), &args);
        let here = run(local(&server), &args);
        assert_eq!(there.status.code(), here.status.code(), "{args:?}");
        let parse = |out: &Output| -> serde_json::Value {
            timeless(serde_json::from_slice(&out.stdout).expect("gate json"))
        };
        assert_eq!(parse(&there), parse(&here), "{args:?}");
        let text = run(remote(&server, &admin), &json);
        let local_text = run(local(&server), &json);
        assert_eq!(text.status.code(), local_text.status.code(), "{json:?}");
        assert_eq!(
            String::from_utf8_lossy(&text.stdout),
            String::from_utf8_lossy(&local_text.stdout),
            "{json:?}"
        );
    }
}

/// A verb both ways: the same exit code and the same standard output; the local run's output.
fn alike(server: &Server, token: &str, args: &[&str]) -> Output {
    let there = run(remote(server, token), args);
    let here = run(local(server), args);
    assert_eq!(there.status.code(), here.status.code(), "{args:?}");
    assert_eq!(
        String::from_utf8_lossy(&there.stdout),
        String::from_utf8_lossy(&here.stdout),
        "{args:?}"
    );
    here
}

/// A verb that fails both ways: exit 2 both ways, and the server's refusal carries the local
/// message (remotely prefixed with who said it: `server answered 404 (not_found): ...`).
fn fails_alike(server: &Server, token: &str, args: &[&str]) {
    let there = remote(server, token).args(args).output().expect("run");
    let here = local(server).args(args).output().expect("run");
    let (there_err, here_err) = (
        String::from_utf8_lossy(&there.stderr),
        String::from_utf8_lossy(&here.stderr),
    );
    assert_eq!(here.status.code(), Some(2), "{args:?} locally: {here_err}");
    assert_eq!(
        there.status.code(),
        Some(2),
        "{args:?} remotely: {there_err}"
    );
    let message = here_err
        .trim()
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("{args:?}: {here_err}"));
    assert!(
        there_err.trim().ends_with(message),
        "{args:?}: remotely {there_err:?}, locally {here_err:?}"
    );
    assert!(
        there.stdout.is_empty() && here.stdout.is_empty(),
        "{args:?}"
    );
}

/// Runs a verb in `dir` (where `-o` files land) and returns its output, whatever its exit code.
fn run_in(mut cmd: Command, dir: &std::path::Path, args: &[&str]) -> Output {
    cmd.current_dir(dir)
        .args(args)
        .env("COLUMNS", "120")
        .output()
        .expect("run")
}

/// Standard error without the words that say a server refused (`server answered 409
/// (conflict): `): the message after them is the store's, as on the database.
fn refusal_unwrapped(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    match text.find("server answered ") {
        Some(start) => match text[start..].find("): ") {
            Some(end) => format!("{}{}", &text[..start], &text[start + end + 3..]),
            None => text.into_owned(),
        },
        None => text.into_owned(),
    }
}

/// Both outputs, the same: exit code, standard output, and standard error but for the words
/// that name the server as the one refusing.
fn same(there: &Output, here: &Output, args: &[&str]) {
    assert_eq!(there.status.code(), here.status.code(), "{args:?}");
    assert_eq!(
        String::from_utf8_lossy(&there.stdout),
        String::from_utf8_lossy(&here.stdout),
        "{args:?}"
    );
    assert_eq!(
        refusal_unwrapped(&there.stderr),
        String::from_utf8_lossy(&here.stderr),
        "{args:?}"
    );
}

/// JSON output without the keys whose values are the time of the run.
fn without(out: &Output, keys: &[&str]) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    if let Some(object) = value.as_object_mut() {
        for key in keys {
            object.remove(*key);
        }
    }
    value
}

#[test]
fn triage_sla_audit_scans_and_raw_work_remotely_as_locally() {
    let server = start();
    let admin = make_token(&server, "admin", None);
    // 1.1 has critical findings (config) and the tool's own states (statuses).
    for (release, label, report) in [
        ("1.0", "cluster", "trivy/kubernetes_fabricated_subset.json"),
        ("1.1", "cluster", "trivy/kubernetes.json"),
        ("1.1", "config", "trivy/misconfigurations_and_secrets.json"),
        ("1.1", "statuses", "trivy/all_statuses.json"),
    ] {
        let report = corpus(report);
        let report = report.to_str().expect("utf-8 path");
        let stored = run(
            local(&server),
            &["upload", "-p", "shop", "-r", release, "-l", label, report],
        );
        assert_eq!(stored.status.code(), Some(0));
    }
    // A sealed bundle of 1.0, kept outside the database, for the anchored chain check.
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys");
    let keys = keys.to_str().expect("utf-8 path");
    let bundles = dir.path().join("bundles");
    std::fs::create_dir(&bundles).expect("bundles folder");
    let bundle = bundles.join("shop-1.0.zip");
    run(local(&server), &["key", "generate", "--key-dir", keys]);
    let sealed = run(
        local(&server),
        &[
            "seal",
            "-p",
            "shop",
            "-r",
            "1.0",
            "--allow-blocked",
            "--reason",
            "parity test",
            "--key-dir",
            keys,
            "-o",
            bundle.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(sealed.status.code(), Some(0));
    let public = format!("{keys}/evidence-key.pub");
    let bundles = bundles.to_str().expect("utf-8 path");

    // Reading verbs, every output format.
    let listings: [&[&str]; 8] = [
        &["scans", "-p", "shop", "-r", "1.1"],
        &["sla", "-p", "shop"],
        &["sla", "-p", "shop", "-r", "1.0", "--releases", "1"],
        &["audit", "list"],
        &["audit", "list", "-p", "shop"],
        &["audit", "list", "--action", "scan.upload", "--limit", "1"],
        &["audit", "list", "--since", "2000-01-01", "-p", "shop"],
        &["audit", "list", "-p", "no-such-project"],
    ];
    for verb in listings {
        for format in ["csv", "table", "json"] {
            let mut args = verb.to_vec();
            args.extend(["--format", format]);
            if verb[0] == "sla" && format == "json" {
                // `at`, the time the view was computed, is the run's own.
                let there = run(remote(&server, &admin), &args);
                let here = run(local(&server), &args);
                assert_eq!(there.status.code(), here.status.code(), "{args:?}");
                assert_eq!(
                    without(&there, &["at"]),
                    without(&here, &["at"]),
                    "{args:?}"
                );
                continue;
            }
            let here = alike(&server, &admin, &args);
            assert!(!here.stdout.is_empty(), "{args:?}");
        }
    }
    for format in ["text", "json"] {
        alike(&server, &admin, &["audit", "verify", "--format", format]);
        let anchored = alike(
            &server,
            &admin,
            &[
                "audit",
                "verify",
                "--bundles",
                bundles,
                "--key",
                &public,
                "--format",
                format,
            ],
        );
        assert_eq!(anchored.status.code(), Some(0));
        if format == "json" {
            let json: serde_json::Value = serde_json::from_slice(&anchored.stdout).expect("json");
            assert_eq!(json["anchors"], 1, "{json}");
        }
    }

    // Raw reports, to standard output and to a file: the same bytes and the same message.
    let scans: serde_json::Value = serde_json::from_slice(
        &run(
            local(&server),
            &["scans", "-p", "shop", "-r", "1.1", "--format", "json"],
        )
        .stdout,
    )
    .expect("scans json");
    let scan = scans[0]["id"].as_i64().expect("scan id").to_string();
    let raw = alike(&server, &admin, &["raw", "--scan", &scan]);
    assert_eq!(
        raw.stdout,
        std::fs::read(corpus("trivy/kubernetes.json")).expect("report")
    );
    let (there_file, here_file) = (dir.path().join("there.json"), dir.path().join("here.json"));
    let there = run(
        remote(&server, &admin),
        &[
            "raw",
            "--scan",
            &scan,
            "-o",
            there_file.to_str().expect("path"),
        ],
    );
    let here = run(
        local(&server),
        &[
            "raw",
            "--scan",
            &scan,
            "-o",
            here_file.to_str().expect("path"),
        ],
    );
    assert_eq!(
        std::fs::read(&there_file).expect("there"),
        std::fs::read(&here_file).expect("here")
    );
    assert_eq!(
        String::from_utf8_lossy(&there.stderr).replace("there.json", "FILE"),
        String::from_utf8_lossy(&here.stderr).replace("here.json", "FILE")
    );

    // Triage by filter, as a dry run: every filter key the CLI has.
    let findings: serde_json::Value = serde_json::from_slice(
        &run(
            local(&server),
            &["findings", "-p", "shop", "-r", "1.1", "--format", "json"],
        )
        .stdout,
    )
    .expect("findings json");
    let first = &findings[0];
    let fingerprint = first["fingerprint"].as_str().expect("fingerprint");
    let rule = format!("rule={}", first["rule_id"].as_str().expect("rule"));
    let filters: [&[&str]; 6] = [
        &["--filter", "severity=critical,high"],
        &["--filter", "min-severity=high", "--filter", "status=open"],
        &[
            "--filter",
            "kind=vulnerability",
            "--filter",
            "tool=trivy",
            "-r",
            "1.0",
        ],
        &["--filter", &rule, "--filter", "text=a"],
        &["--filter", "path=**"],
        &["--filter", "tool-status=fixed,affected"],
    ];
    for filter in filters {
        for format in ["text", "json"] {
            let mut args = vec!["triage", "-p", "shop", "--status", "confirmed", "--dry-run"];
            args.extend(filter);
            args.extend(["--format", format]);
            let here = alike(&server, &admin, &args);
            if format == "json" {
                // Each filter keeps some findings, and a dry run stores nothing.
                let outcome: serde_json::Value =
                    serde_json::from_slice(&here.stdout).expect("json");
                assert!(
                    outcome["changes"].as_array().is_some_and(|c| !c.is_empty()),
                    "{args:?}: {outcome}"
                );
                assert_eq!(outcome["dry_run"], true);
            }
        }
    }

    // Real decisions: decided through the server, undone on the database, decided there the
    // same way: both say the same (from open to the decision).
    let one: &[&str] = &[
        "triage",
        "-p",
        "shop",
        fingerprint,
        "--status",
        "accepted",
        "--justification",
        "behind the WAF",
        "--approver",
        "ciso",
        "--expires",
        "2099-01-01",
    ];
    let bulk: &[&str] = &[
        "triage",
        "-p",
        "shop",
        "--filter",
        "severity=critical",
        "--status",
        "confirmed",
    ];
    let undo_one = ["triage", "-p", "shop", fingerprint, "--status", "open"];
    let undo_bulk = [
        "triage",
        "-p",
        "shop",
        "--filter",
        "severity=critical",
        "--status",
        "open",
    ];
    for (decide, undo) in [(one, &undo_one[..]), (bulk, &undo_bulk[..])] {
        for format in ["text", "json"] {
            let mut args = decide.to_vec();
            args.extend(["--format", format]);
            let there = run(remote(&server, &admin), &args);
            run(local(&server), undo);
            let here = run(local(&server), &args);
            run(local(&server), undo);
            assert_eq!(there.status.code(), Some(0), "{args:?}");
            assert_eq!(
                String::from_utf8_lossy(&there.stdout),
                String::from_utf8_lossy(&here.stdout),
                "{args:?}"
            );
            assert!(!String::from_utf8_lossy(&here.stdout).contains(" 0 finding"));
        }
    }
    // The history, read both ways; the server recorded its caller, the token, as the decider.
    for format in ["text", "json"] {
        let history = alike(
            &server,
            &admin,
            &[
                "triage",
                "-p",
                "shop",
                fingerprint,
                "--history",
                "--format",
                format,
            ],
        );
        let history = String::from_utf8_lossy(&history.stdout);
        assert!(history.contains("token:"), "{history}");
    }

    // Errors: the same message and exit 2 both ways.
    let failures: [&[&str]; 9] = [
        &["triage", "-p", "nope", fingerprint, "--status", "confirmed"],
        &[
            "triage",
            "-p",
            "shop",
            "0123456789abcdef",
            "--status",
            "confirmed",
        ],
        &["triage", "-p", "shop", fingerprint, "--status", "accepted"],
        &[
            "triage",
            "-p",
            "nope",
            "--filter",
            "severity=high",
            "--status",
            "confirmed",
        ],
        &["triage", "-p", "shop", fingerprint, "--history"][..],
        &["sla", "-p", "nope"],
        &["scans", "-p", "nope", "-r", "1.0"],
        &["scans", "-p", "shop", "-r", "9.9"],
        &["raw", "--scan", "999999"],
    ];
    for args in failures {
        if args.contains(&"--history") {
            // An unknown project's history.
            fails_alike(
                &server,
                &admin,
                &["triage", "-p", "nope", fingerprint, "--history"],
            );
            continue;
        }
        fails_alike(&server, &admin, args);
    }
}

/// Policies, reports (draft and sealed, every format), sealing, bundles and the key: the
/// same output through a server that seals with its own key as on its database.
#[test]
fn policy_seal_bundle_report_and_key_are_the_same_remotely() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys");
    let keys = keys.to_str().expect("utf-8 path").to_string();
    // A rotated key, so that the key has a retired one to list.
    for verb in ["generate", "rotate"] {
        let out = scanledger()
            .args(["key", verb, "--key-dir", &keys])
            .env_remove("SCANLEDGER_SIGNING_KEY")
            .output()
            .expect("key");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let server = start_in(dir, &["--key-dir", &keys]);
    let admin = make_token(&server, "admin", None);
    let (here_dir, there_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let here = |args: &[&str]| run_in(local(&server), here_dir.path(), args);
    let there = |args: &[&str]| run_in(remote(&server, &admin), there_dir.path(), args);
    for (release, report) in [
        ("1.0", "trivy/kubernetes_fabricated_subset.json"),
        ("1.1", "trivy/kubernetes.json"),
    ] {
        let report = corpus(report);
        let args = [
            "upload",
            "-p",
            "shop",
            "-r",
            release,
            report.to_str().unwrap(),
        ];
        assert_eq!(there(&args).status.code(), Some(0));
    }

    // Key: the server's is the key folder's.
    let key = ["key", "show", "--key-dir", &keys];
    let out = here(&key);
    assert!(String::from_utf8_lossy(&out.stdout).contains("retired keys"));
    same(&there(&key), &out, &key);

    // Policies: none yet alike, then set, shown and listed alike.
    let show = ["policy", "show", "-p", "shop"];
    let out = here(&show);
    assert_eq!(out.status.code(), Some(2));
    same(&there(&show), &out, &show);
    let policy = dir_file(
        here_dir.path(),
        "policy.toml",
        "[gate]\nfail_on = \"critical\"\n",
    );
    std::fs::copy(&policy, there_dir.path().join("policy.toml")).unwrap();
    let set = ["policy", "set", "-p", "shop", "policy.toml"];
    let first = there(&set);
    assert_eq!(first.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&first.stdout).contains("stored and active"));
    same(&there(&set), &here(&set), &set);
    let bad = dir_file(here_dir.path(), "bad.toml", "[gate]\nfail_one = 1\n");
    std::fs::copy(&bad, there_dir.path().join("bad.toml")).unwrap();
    let set_bad = ["policy", "set", "-p", "shop", "bad.toml"];
    assert_eq!(there(&set_bad).status.code(), Some(2));
    assert_eq!(here(&set_bad).status.code(), Some(2));
    for args in [
        &["policy", "show", "-p", "shop"][..],
        &["policy", "show", "-p", "shop", "--format", "json"],
        &["policy", "show", "-p", "shop", "--version", "1"],
        &["policy", "versions", "-p", "shop"],
        &["policy", "versions", "-p", "shop", "--format", "json"],
        &["policy", "versions", "-p", "shop", "--format", "csv"],
    ] {
        same(&there(args), &here(args), args);
    }
    let version_9 = ["policy", "show", "-p", "shop", "--version", "9"];
    same(&there(&version_9), &here(&version_9), &version_9);

    // Reports: a draft of the open release, then the sealed release's, byte for byte.
    let reports = |release: &str| {
        for format in ["pdf", "html", "forum-post", "csv", "json", "sarif"] {
            let file = format!("{release}.{format}");
            let args = [
                "report",
                "-p",
                "shop",
                "-r",
                release,
                "--format",
                format,
                "--fail-on",
                "low",
                "-o",
                &file,
            ];
            same(&there(&args), &here(&args), &args);
            let (a, b) = (
                std::fs::read(there_dir.path().join(&file)).expect("remote report"),
                std::fs::read(here_dir.path().join(&file)).expect("local report"),
            );
            assert!(!a.is_empty(), "{file}");
            assert!(a == b, "{file}: the reports differ");
            if format != "pdf" {
                let to_stdout = &args[..args.len() - 2];
                same(&there(to_stdout), &here(to_stdout), to_stdout);
            }
        }
    };
    reports("1.1");

    // Sealing: a blocking gate refuses alike (exit 1, nothing sealed).
    let blocked = [
        "seal",
        "-p",
        "shop",
        "-r",
        "1.0",
        "--fail-on",
        "low",
        "--key-dir",
        &keys,
    ];
    let out = here(&blocked);
    assert_eq!(out.status.code(), Some(1));
    same(&there(&blocked), &out, &blocked);
    let seal = [
        "seal",
        "-p",
        "shop",
        "-r",
        "1.0",
        "--fail-on",
        "low",
        "--allow-blocked",
        "--reason",
        "SEC-1",
        "--key-dir",
        &keys,
        "-o",
        "sealed.zip",
    ];
    let sealed = there(&seal);
    assert_eq!(
        sealed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&sealed.stderr)
    );
    let text = String::from_utf8_lossy(&sealed.stdout);
    assert!(
        text.contains("by token:") && text.contains("sealed anyway: SEC-1"),
        "{text}"
    );
    // Sealed once: a second seal is refused alike.
    same(&there(&seal), &here(&seal), &seal);
    // The bundle: what the seal wrote, and what `bundle` writes either way, byte for byte.
    let bundle = ["bundle", "-p", "shop", "-r", "1.0", "-o", "again.zip"];
    same(&there(&bundle), &here(&bundle), &bundle);
    let sealed_zip = std::fs::read(there_dir.path().join("sealed.zip")).unwrap();
    assert!(sealed_zip == std::fs::read(there_dir.path().join("again.zip")).unwrap());
    assert!(sealed_zip == std::fs::read(here_dir.path().join("again.zip")).unwrap());
    let verify = [
        "verify",
        "sealed.zip",
        "--key",
        &format!("{keys}/evidence-key.pub"),
    ];
    assert_eq!(there(&verify).status.code(), Some(0));
    reports("1.0");
    // An open release has no bundle, alike.
    let none = ["bundle", "-p", "shop", "-r", "1.1", "-o", "none.zip"];
    assert_eq!(there(&none).status.code(), Some(2));
    assert_eq!(here(&none).status.code(), Some(2));
    assert!(!there_dir.path().join("none.zip").exists());
}

fn dir_file(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// A VEX document without what differs between two exports of the same decisions: its id,
/// serial number and the time it was written.
fn vex_without_times(mut doc: serde_json::Value) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for key in ["@id", "timestamp", "serialNumber"] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut doc);
    doc
}

/// VEX export (every format) and import (a dry run, then a real one) through a server as on
/// its database.
#[test]
fn vex_export_and_import_are_the_same_remotely() {
    let server = start();
    let admin = make_token(&server, "admin", None);
    let report = corpus("trivy/kubernetes.json");
    let report = report.to_str().expect("utf-8 path");
    assert_eq!(
        run(
            local(&server),
            &["upload", "-p", "shop", "-r", "1.0", report]
        )
        .status
        .code(),
        Some(0)
    );
    // One decision to export: the first vulnerability, a false positive.
    let findings: serde_json::Value = serde_json::from_slice(
        &run(
            local(&server),
            &["findings", "-p", "shop", "-r", "1.0", "--format", "json"],
        )
        .stdout,
    )
    .expect("findings json");
    let fingerprint = findings
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["kind"] == "vulnerability")
        .and_then(|f| f["fingerprint"].as_str())
        .expect("a vulnerability");
    let decided = run(
        local(&server),
        &[
            "triage",
            "-p",
            "shop",
            fingerprint,
            "--status",
            "false_positive",
            "--justification",
            "not reachable",
        ],
    );
    assert_eq!(decided.status.code(), Some(0));

    let dir = tempfile::tempdir().expect("tempdir");
    let exports: [&[&str]; 3] = [
        &[],
        &["--format", "cyclonedx", "--spec-version", "1.5"],
        &["--format", "cyclonedx"],
    ];
    for format in exports {
        let mut args = vec![
            "vex", "export", "-p", "shop", "-r", "1.0", "--author", "sec",
        ];
        args.extend_from_slice(format);
        let there = run(remote(&server, &admin), &args);
        let here = run(local(&server), &args);
        assert_eq!(there.status.code(), Some(0), "{args:?}");
        let parse = |out: &Output| -> serde_json::Value {
            serde_json::from_slice(&out.stdout).expect("a VEX document")
        };
        assert_eq!(
            vex_without_times(parse(&there)),
            vex_without_times(parse(&here)),
            "{args:?}"
        );
        // A document the server wrote imports back, both ways, as the same decisions.
        let file = dir.path().join("exported.json");
        std::fs::write(&file, &there.stdout).expect("write");
        let file = file.to_str().expect("utf-8 path");
        for output in ["text", "json"] {
            alike(
                &server,
                &admin,
                &[
                    "vex",
                    "import",
                    "-p",
                    "shop",
                    "--expires",
                    "2099-01-01",
                    "--dry-run",
                    "--format",
                    output,
                    file,
                ],
            );
        }
    }
    // A real import through the server decides, and records the server's caller.
    let file = dir.path().join("exported.json");
    let file = file.to_str().expect("utf-8 path");
    let imported = run(
        remote(&server, &admin),
        &[
            "vex",
            "import",
            "-p",
            "shop",
            "--expires",
            "2099-01-01",
            "--format",
            "json",
            file,
        ],
    );
    assert_eq!(imported.status.code(), Some(0));
    let outcome: serde_json::Value = serde_json::from_slice(&imported.stdout).expect("json");
    assert_eq!(outcome["dry_run"], false, "{outcome}");
    // Broken documents and unknown releases fail alike (exit 2, the store's message).
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, b"{\"@context\": ").expect("write");
    let broken = broken.to_str().expect("utf-8 path");
    let failing: [&[&str]; 2] = [
        &["vex", "import", "-p", "shop", broken],
        &["vex", "export", "-p", "shop", "-r", "9.9"],
    ];
    for args in failing {
        let there = run_in(remote(&server, &admin), dir.path(), args);
        let here = run_in(local(&server), dir.path(), args);
        assert_eq!(here.status.code(), Some(2), "{args:?}");
        same(&there, &here, args);
    }
}
