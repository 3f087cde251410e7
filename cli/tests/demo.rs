//! `scanledger demo --no-serve` and `--write-samples`, and tables sized to the terminal.

use crate::commands::Env;

#[test]
fn the_demo_loads_once_and_says_so_the_second_time() {
    let env = Env::new();
    let (code, out, err) = env.run(&["demo", "--no-serve"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("accepted") && out.contains("false_positive"),
        "{out}"
    );
    assert!(out.contains("demo-shop 1.0.0: sealed"), "{out}");
    // The key was made beside the database, since none was configured.
    assert!(
        env.dir
            .path()
            .join("scanledger-keys/evidence-key.pem")
            .exists()
    );

    let (code, out, _) = env.run(&["releases", "-p", "demo-shop", "--format", "json"]);
    assert_eq!(code, 0);
    let releases: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(releases[0]["sealed"], true, "{out}");
    assert_eq!(releases[1]["sealed"], false, "{out}");

    let (code, out, _) = env.run(&[
        "findings",
        "-p",
        "demo-shop",
        "-r",
        "1.0.0",
        "--status",
        "accepted,false_positive",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let decided: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert_eq!(decided.len(), 2, "{out}");
    let accepted = decided
        .iter()
        .find(|f| f["status"] == "accepted")
        .expect("an accepted risk");
    assert!(accepted["decision"]["approver"].is_string(), "{accepted}");
    assert!(accepted["decision"]["expires_at"].is_string(), "{accepted}");
    let (code, out, _) = env.run(&["policy", "versions", "-p", "demo-shop"]);
    assert_eq!(code, 0, "{out}");

    let (code, out, err) = env.run(&["demo", "--no-serve"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("already there"), "{out}");
    assert!(!out.contains("imported"), "{out}");
    let (code, out, _) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn written_samples_upload() {
    let env = Env::new();
    let (code, out, err) = env.run(&["demo", "--write-samples", "samples"]);
    assert_eq!(code, 0, "{err}");
    let files: Vec<&str> = out.lines().collect();
    assert_eq!(files.len(), 8, "{out}");
    for release in ["1.0.0", "1.1.0"] {
        for name in [
            "trivy-image.json",
            "tfsec.json",
            "sonar-issues.json",
            "acunetix.xml",
        ] {
            let path = env.dir.path().join("samples").join(release).join(name);
            assert!(path.is_file(), "{}", path.display());
        }
    }
    // Nothing was loaded: the database does not even have the demo project.
    let (_, out, _) = env.run(&["projects", "--format", "json"]);
    assert!(!out.contains("demo-shop"), "{out}");
    // The README's tour: two releases from the samples, and a diff with something to say.
    for (release, folder) in [("4.2.0", "1.0.0"), ("4.3.0", "1.1.0")] {
        let mut upload = vec!["upload", "--project", "shop", "--release", release];
        let paths: Vec<String> = files
            .iter()
            .filter(|f| f.contains(&format!("/{folder}/")))
            .map(|f| f.to_string())
            .collect();
        upload.extend(paths.iter().map(String::as_str));
        let (code, out, err) = env.run(&upload);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out.matches("imported").count(), 4, "{out}");
    }
    let (code, out, err) = env.run(&[
        "diff",
        "--project",
        "shop",
        "--from",
        "4.2.0",
        "--to",
        "4.3.0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let diff: serde_json::Value = serde_json::from_str(&out).expect("json");
    let changes: Vec<&str> = diff["entries"]
        .as_array()
        .or_else(|| diff.as_array())
        .expect("diff entries")
        .iter()
        .filter_map(|e| e["change"].as_str())
        .collect();
    assert!(
        changes.contains(&"new") && changes.contains(&"fixed"),
        "{out}"
    );
}

#[test]
fn tables_fit_a_narrow_terminal_unless_wide() {
    let env = Env::new();
    assert_eq!(env.run(&["demo", "--no-serve"]).0, 0);
    let findings = ["findings", "-p", "demo-shop", "-r", "1.1.0"];
    let narrow = env
        .cmd()
        .args(findings)
        .env("COLUMNS", "80")
        .output()
        .expect("run");
    assert!(narrow.status.success());
    let out = String::from_utf8_lossy(&narrow.stdout);
    let header = out.lines().nth(1).expect("header");
    for column in ["severity", "rule_id", "title", "component", "fingerprint"] {
        assert!(header.contains(column), "{column} in {header}");
    }
    for column in ["tool_status", "fixed_version", "location"] {
        assert!(!header.contains(column), "{column} in {header}");
    }
    for line in out.lines() {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
    }
    assert!(out.contains('…'), "no title was cut: {out}");

    let wide = env
        .cmd()
        .args(findings)
        .arg("--wide")
        .env("COLUMNS", "80")
        .output()
        .expect("run");
    let out = String::from_utf8_lossy(&wide.stdout);
    let header = out.lines().nth(1).expect("header");
    for column in ["tool_status", "fixed_version", "location", "kind", "tool"] {
        assert!(header.contains(column), "{column} in {header}");
    }
    assert!(out.lines().any(|l| l.chars().count() > 80));

    // Without COLUMNS and without a terminal: 100 columns.
    let default = env
        .cmd()
        .args(findings)
        .env_remove("COLUMNS")
        .output()
        .expect("run");
    let out = String::from_utf8_lossy(&default.stdout);
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");

    // The diff table narrows the same way; CSV keeps every column.
    let diff = env
        .cmd()
        .args([
            "diff",
            "-p",
            "demo-shop",
            "--from",
            "1.0.0",
            "--to",
            "1.1.0",
        ])
        .env("COLUMNS", "80")
        .output()
        .expect("run");
    let out = String::from_utf8_lossy(&diff.stdout);
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
    let csv = env
        .cmd()
        .args(findings)
        .args(["--format", "csv"])
        .env("COLUMNS", "80")
        .output()
        .expect("run");
    let out = String::from_utf8_lossy(&csv.stdout);
    assert!(
        out.starts_with("severity,kind,tool,rule_id,title,status,tool_status"),
        "{out}"
    );
}

/// Issue 18's regression: the demo's 1.1.0 has three critical `python:S5131` findings, one
/// open in SonarQube, one resolved there as a false positive and one as won't fix. The gate
/// blocks on the open one only and names the other two as decided in SonarQube.
#[test]
fn the_gate_honours_what_sonarqube_decided_and_blocks_on_the_rest() {
    let env = Env::new();
    let (code, _, err) = env.run(&["demo", "--no-serve"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = env.run(&["gate", "-p", "demo-shop", "-r", "1.1.0", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let gate: serde_json::Value = serde_json::from_str(&out).expect("json");
    let blocking: Vec<&serde_json::Value> = gate["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter(|r| r["rule_id"] == "python:S5131")
        .collect();
    assert_eq!(blocking.len(), 1, "{out}");
    assert_eq!(blocking[0]["tool_status"], "OPEN", "{out}");
    let decided = gate["decided_in_tool"].as_array().expect("decided_in_tool");
    let mut s5131: Vec<(&str, &str)> = decided
        .iter()
        .filter(|d| d["rule_id"] == "python:S5131")
        .map(|d| {
            (
                d["decision"].as_str().unwrap_or_default(),
                d["tool_status"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    s5131.sort();
    assert_eq!(
        s5131,
        [
            ("false_positive", "RESOLVED/FALSE-POSITIVE"),
            ("wont_fix", "RESOLVED/WONTFIX")
        ],
        "{out}"
    );
    // People read it as SonarQube's decision, apart from the reasons.
    let (_, text, _) = env.run(&["gate", "-p", "demo-shop", "-r", "1.1.0"]);
    assert!(
        text.contains("decided in the tools, not blocking"),
        "{text}"
    );
    assert!(
        text.contains("decided in SonarQube: false positive"),
        "{text}"
    );
}
