//! Every verb with a remote mode prints the same thing and exits the same way on the database
//! and through a server (`scanledger serve` on that very database), for every output format.

use crate::serve::{Server, corpus, make_token, remote, scanledger, start};
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
