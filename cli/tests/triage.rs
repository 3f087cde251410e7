//! `scanledger triage`, `policy`, `gate --format junit|sarif`, `audit`, `vex` and `sla` as users
//! run them.

use crate::commands::{Env, corpus};

fn upload_trivy(env: &Env) {
    let file = corpus("trivy/all_statuses.json").display().to_string();
    let (code, _, err) = env.run(&["upload", "-p", "shop", "-r", "1.0", &file]);
    assert_eq!(code, 0, "{err}");
}

fn findings(env: &Env) -> Vec<serde_json::Value> {
    let (code, out, err) = env.run(&["findings", "-p", "shop", "-r", "1.0", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let view: serde_json::Value = serde_json::from_str(&out).expect("json");
    view.as_array()
        .cloned()
        .or_else(|| view["findings"].as_array().cloned())
        .expect("findings")
}

#[test]
fn triage_single_and_bulk_with_history_and_audit() {
    let env = Env::new();
    upload_trivy(&env);
    let all = findings(&env);
    let fp = all[0]["fingerprint"].as_str().unwrap().to_string();
    let (code, out, err) = env.run(&[
        "triage",
        "-p",
        "shop",
        &fp[..12],
        "--status",
        "accepted",
        "--justification",
        "behind the WAF",
        "--approver",
        "ciso",
        "--expires",
        "2099-03-01",
        "--actor",
        "alice",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("set 1 finding(s) of shop to accepted"),
        "{out}"
    );
    let after = findings(&env);
    let f = after
        .iter()
        .find(|f| f["fingerprint"] == fp.as_str())
        .unwrap();
    assert_eq!(f["status"], "accepted");
    assert_eq!(f["decision"]["approver"], "ciso");
    assert_eq!(f["decision"]["decided_by"], "alice");

    // Missing approver: an error, exit 2, nothing stored.
    let (code, _, err) = env.run(&[
        "triage",
        "-p",
        "shop",
        &fp,
        "--status",
        "accepted",
        "--justification",
        "x",
        "--expires",
        "2099-01-01",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("approver"), "{err}");
    let (code, _, err) = env.run(&["triage", "-p", "shop", &fp, "--status", "fixed"]);
    assert_eq!(code, 2);
    assert!(err.contains("derived") || err.contains("fixed"), "{err}");

    // Bulk: every finding of a tool state, dry run first.
    let will_not_fix = all
        .iter()
        .filter(|f| f["tool_status"] == "will_not_fix")
        .count();
    assert!(will_not_fix > 0);
    let args = [
        "triage",
        "-p",
        "shop",
        "--filter",
        "tool-status=will_not_fix",
        "--filter",
        "kind=vulnerability",
        "--status",
        "confirmed",
        "--format",
        "json",
    ];
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let (code, out, err) = env.run(&dry);
    assert_eq!(code, 0, "{err}");
    let outcome: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(outcome["dry_run"], true);
    assert_eq!(outcome["changes"].as_array().unwrap().len(), will_not_fix);
    let (code, out, _) = env.run(&args);
    assert_eq!(code, 0);
    let outcome: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(outcome["changes"].as_array().unwrap().len(), will_not_fix);
    let (code, _, err) = env.run(&[
        "triage",
        "-p",
        "shop",
        "--filter",
        "colour=red",
        "--status",
        "open",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown key"), "{err}");

    let (code, out, _) = env.run(&["triage", "-p", "shop", &fp, "--history", "--format", "json"]);
    assert_eq!(code, 0);
    let history: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!history.as_array().unwrap().is_empty());

    let (code, out, _) = env.run(&["audit", "list", "-p", "shop", "--format", "json"]);
    assert_eq!(code, 0);
    let events: serde_json::Value = serde_json::from_str(&out).unwrap();
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[..2], ["project.create", "scan.upload"]);
    assert_eq!(
        actions.len(),
        3 + will_not_fix,
        "the project made by the first upload, the upload, one decision, the bulk decisions"
    );
    let (code, out, _) = env.run(&["audit", "list", "--since", "2000-01-01", "--limit", "1"]);
    assert_eq!(code, 0);
    assert!(out.contains("triage.set"), "{out}");
    let (code, out, _) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact"), "{out}");
}

#[test]
fn policy_set_show_and_gate_formats() {
    let env = Env::new();
    upload_trivy(&env);
    let bad = env.write(
        "bad.toml",
        b"[gate]\nfail_on = \"critical\"\nrequired = [\"tfsec\"]\n",
    );
    let (code, _, err) = env.run(&["policy", "set", "-p", "shop", &bad]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 3") && err.contains("gate.required"),
        "{err}"
    );
    let (code, _, err) = env.run(&["policy", "check", &bad]);
    assert_eq!(code, 2);
    assert!(err.contains("line 3"), "{err}");
    let (code, _, err) = env.run(&["policy", "show", "-p", "shop"]);
    assert_eq!(code, 2, "no policy yet");
    assert!(err.contains("no policy"), "{err}");

    let good = env.write(
        "policy.toml",
        b"# shop release policy\n[gate]\nfail_on = \"critical\"\nrequired_tools = [\"trivy\", \"tfsec\"]\n",
    );
    let (code, out, err) = env.run(&["policy", "set", "-p", "shop", &good]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("policy v1"), "{out}");
    let (code, out, _) = env.run(&["policy", "show", "-p", "shop"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("# shop release policy"),
        "comments are kept: {out}"
    );
    let (_, out, _) = env.run(&["policy", "versions", "-p", "shop", "--format", "json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (code, out, _) = env.run(&["gate", "-p", "shop", "-r", "1.0", "--format", "json"]);
    assert_eq!(code, 1);
    let gate: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(gate["policy_version"], 1);
    assert!(
        gate["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["reason"] == "missing_scan" && r["tool"] == "tfsec")
    );

    let (code, out, _) = env.run(&["gate", "-p", "shop", "-r", "1.0", "--format", "junit"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml"), "{out}");
    assert_eq!(
        out.matches("<testsuite ").count(),
        7,
        "one test suite per gate rule: {out}"
    );
    let required = out
        .split("<testsuite ")
        .find(|suite| suite.contains(": required-scans\""))
        .unwrap_or_else(|| panic!("no required-scans test suite: {out}"));
    // One failing test case per reason, named by it.
    let case = required
        .split("<testcase ")
        .find(|case| case.contains("no tfsec scan"))
        .unwrap_or_else(|| panic!("no test case for the missing tfsec scan: {out}"));
    assert!(case.contains("<failure"), "{out}");

    let (code, out, _) = env.run(&["gate", "-p", "shop", "-r", "1.0", "--format", "sarif"]);
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "scanledger/required-scans")
    );
    assert!(
        results
            .iter()
            .all(|r| r["level"] == "error" && r["message"]["text"].is_string())
    );

    // --require adds to the policy; a passing gate exits 0.
    let lenient = env.write("lenient.toml", b"[gate]\nfail_on = \"critical\"\nnon_blocking_tool_statuses = [\"will_not_fix\", \"affected\", \"fixed\", \"unknown\", \"fix_deferred\", \"end_of_life\", \"under_investigation\", \"not_affected\"]\n");
    env.run(&["policy", "set", "-p", "shop", &lenient]);
    let (code, out, _) = env.run(&["gate", "-p", "shop", "-r", "1.0"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("gate PASS") && out.contains("policy v2"),
        "{out}"
    );
    let (code, _, _) = env.run(&["gate", "-p", "shop", "-r", "1.0", "--require", "tfsec"]);
    assert_eq!(code, 1);
}

#[test]
fn audit_verify_exits_1_on_a_tampered_chain() {
    let env = Env::new();
    upload_trivy(&env);
    let path = env.url.trim_start_matches("sqlite://").to_string();
    // Edit the database behind the store's back with the sqlite3 shell, when it is installed
    // (the schema tests cover tampering on both backends without it).
    if std::process::Command::new("sqlite3")
        .arg("-version")
        .output()
        .is_err()
    {
        eprintln!("sqlite3 not installed; skipped");
        return;
    }
    let run = |sql: &str| {
        std::process::Command::new("sqlite3")
            .arg(&path)
            .arg(sql)
            .output()
            .expect("sqlite3")
    };
    let refused = run("UPDATE audit_events SET actor = 'x' WHERE seq = 1");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("append-only"));
    let edited = run(
        "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'mallory' WHERE seq = 1",
    );
    assert!(edited.status.success(), "{edited:?}");
    let (code, out, _) = env.run(&["audit", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BROKEN at event 1"), "{out}");
}

#[test]
fn vex_export_import_and_sla() {
    let env = Env::new();
    upload_trivy(&env);
    let all = findings(&env);
    let vuln = all.iter().find(|f| f["kind"] == "vulnerability").unwrap();
    let fp = vuln["fingerprint"].as_str().unwrap();
    let cve = vuln["rule_id"].as_str().unwrap().to_string();
    env.run(&[
        "triage",
        "-p",
        "shop",
        fp,
        "--status",
        "false_positive",
        "--justification",
        "component_not_present: not shipped",
    ]);
    let out_file = env.dir.path().join("shop.openvex.json");
    let (code, _, err) = env.run(&[
        "vex",
        "export",
        "-p",
        "shop",
        "-r",
        "1.0",
        "-o",
        &out_file.display().to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(doc["@context"], "https://openvex.dev/ns/v0.2.0");
    assert!(
        doc["statements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["vulnerability"]["name"] == cve.as_str() && s["status"] == "not_affected")
    );

    let supplier = env.write(
        "supplier.json",
        serde_json::to_vec(&serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "urn:supplier:1",
            "author": "psirt",
            "statements": [{ "vulnerability": { "name": cve }, "status": "affected", "action_statement": "patch next sprint" }]
        }))
        .unwrap()
        .as_slice(),
    );
    let (code, out, err) = env.run(&["vex", "import", "-p", "shop", &supplier]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("decided"), "{out}");
    let after = findings(&env);
    assert_eq!(
        after.iter().find(|f| f["fingerprint"] == fp).unwrap()["status"],
        "confirmed"
    );

    let (code, out, err) = env.run(&["sla", "-p", "shop", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let sla: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sla["release"], "1.0");
    assert_eq!(sla["sla"]["critical"], 7);
    assert!(!sla["items"].as_array().unwrap().is_empty());
    let (code, out, _) = env.run(&["sla", "-p", "shop"]);
    assert_eq!(code, 0);
    assert!(out.contains("SLA of shop at 1.0"), "{out}");
}

/// The README's tour sets `docs/examples/policy.toml`: it is the commented example of
/// docs/TRIAGE.md, word for word, and the policy checker accepts it.
#[test]
fn the_documented_example_policy_is_the_checked_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = std::fs::read_to_string(root.join("docs/examples/policy.toml")).expect("example");
    let triage_md = std::fs::read_to_string(root.join("docs/TRIAGE.md")).expect("TRIAGE.md");
    let block = triage_md
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block in TRIAGE.md");
    assert_eq!(
        block, example,
        "docs/TRIAGE.md and docs/examples/policy.toml differ"
    );
    let env = Env::new();
    let file = root.join("docs/examples/policy.toml").display().to_string();
    let (code, out, err) = env.run(&["policy", "check", &file]);
    assert_eq!(code, 0, "{out}{err}");
}

/// `vex export --format cyclonedx` and `vex import` of what it wrote into a fresh project
/// holding the same report: the same decisions. Bad documents: exit 2, the file and the place
/// named, nothing decided.
#[test]
fn cyclonedx_vex_round_trip_and_bad_documents() {
    let env = Env::new();
    upload_trivy(&env);
    let vulns: Vec<String> = findings(&env)
        .iter()
        .filter(|f| f["kind"] == "vulnerability")
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    let decisions: [&[&str]; 3] = [
        &["--status", "confirmed", "--justification", "patch in 1.1"],
        &[
            "--status",
            "false_positive",
            "--justification",
            "not in the image",
        ],
        &[
            "--status",
            "accepted",
            "--justification",
            "build stage only",
            "--approver",
            "ciso",
            "--expires",
            "2099-03-01",
        ],
    ];
    for (fp, decision) in vulns.iter().zip(decisions) {
        let mut args = vec!["triage", "-p", "shop", fp.as_str()];
        args.extend_from_slice(decision);
        let (code, _, err) = env.run(&args);
        assert_eq!(code, 0, "{err}");
    }
    let cdx = env.dir.path().join("shop.cdx.json").display().to_string();
    let (code, _, err) = env.run(&[
        "vex",
        "export",
        "-p",
        "shop",
        "-r",
        "1.0",
        "--format",
        "cyclonedx",
        "-o",
        &cdx,
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&cdx).unwrap()).unwrap();
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");

    let file = corpus("trivy/all_statuses.json").display().to_string();
    let (code, _, err) = env.run(&["upload", "-p", "copy", "-r", "1.0", &file]);
    assert_eq!(code, 0, "{err}");
    let decisions_of = |project: &str| {
        let (code, out, err) =
            env.run(&["findings", "-p", project, "-r", "1.0", "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let view: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut list: Vec<String> = view
            .as_array()
            .or_else(|| view["findings"].as_array())
            .unwrap()
            .iter()
            .map(|f| {
                let d = &f["decision"];
                format!(
                    "{} {} {} {} {}",
                    f["fingerprint"],
                    f["status"],
                    d["justification"],
                    d["approver"],
                    d["expires_at"]
                )
            })
            .collect();
        list.sort();
        list
    };

    // Bad documents first: each refused whole, naming the file and where it is wrong.
    let mut unknown_state = doc.clone();
    unknown_state["vulnerabilities"][0]["analysis"]["state"] = "probably".into();
    let mut no_expiry = doc.clone();
    for v in no_expiry["vulnerabilities"].as_array_mut().unwrap() {
        v["properties"] = serde_json::json!([]);
    }
    let bad = [
        (
            "state.cdx.json",
            serde_json::to_vec(&unknown_state).unwrap(),
            "unknown variant `probably`",
        ),
        (
            "expiry.cdx.json",
            serde_json::to_vec(&no_expiry).unwrap(),
            "give an expiry date",
        ),
        (
            "truncated.cdx.json",
            b"{\"bomFormat\": \"CycloneDX\", \"vulnerabilities\": [".to_vec(),
            "line 1",
        ),
    ];
    let before = decisions_of("copy");
    for (name, bytes, says) in bad {
        let path = env.write(name, &bytes);
        let (code, _, err) = env.run(&["vex", "import", "-p", "copy", &path]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
        assert!(err.contains("nothing was decided"), "{err}");
    }
    let (_, _, err) = env.run(&[
        "vex",
        "import",
        "-p",
        "copy",
        &env.write("x.json", &serde_json::to_vec(&no_expiry).unwrap()),
    ]);
    assert!(err.contains("CycloneDX vulnerabilities["), "{err}");
    assert_eq!(
        decisions_of("copy"),
        before,
        "a refused document changes nothing"
    );

    let (code, out, err) = env.run(&["vex", "import", "-p", "copy", &cdx, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let outcome: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(outcome["format"], "cyclonedx");
    assert_eq!(outcome["decided"], 3, "{out}");
    assert_eq!(decisions_of("copy"), decisions_of("shop"));
    let (code, out, _) = env.run(&[
        "audit",
        "list",
        "--project",
        "copy",
        "--action",
        "triage.set",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let events: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(events.as_array().map(Vec::len), Some(3), "{out}");
}

/// An OpenVEX document needs a statement: a release without vulnerability findings is an error
/// that says so, where CycloneDX writes an empty list.
#[test]
fn openvex_export_of_a_release_without_vulnerabilities_is_refused() {
    let env = Env::new();
    let file = corpus("tfsec/one_finding_legacy.json")
        .display()
        .to_string();
    let (code, _, err) = env.run(&["upload", "-p", "infra", "-r", "1", &file]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = env.run(&["vex", "export", "-p", "infra", "-r", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("no vulnerability findings"), "{err}");
    let (code, out, err) = env.run(&[
        "vex",
        "export",
        "-p",
        "infra",
        "-r",
        "1",
        "--format",
        "cyclonedx",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["vulnerabilities"], serde_json::json!([]));
}
