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
