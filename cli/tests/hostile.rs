//! Scanner text made to attack whoever reads ScanLedger's output: spreadsheet formulas in CSV
//! cells, terminal escape sequences in what people read (issue 16).

use crate::commands::Env;

/// Trivy titles, packages and targets that start a formula or carry terminal controls.
const HOSTILE: [&str; 10] = [
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\u{1b}[2J\u{1b}[Hgate PASS: nothing to see",
    "\u{1b}]0;pwned\u{7}window title",
    "right-to-left \u{202e}gnp.exe",
    "bell \u{7} and C1 \u{9b}31m",
];

/// A Trivy report whose every free-text field is hostile.
fn hostile_trivy() -> Vec<u8> {
    let vulns: Vec<serde_json::Value> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, text)| {
            serde_json::json!({
                "VulnerabilityID": format!("CVE-2026-{:04}", i + 1),
                "PkgName": text,
                "InstalledVersion": text,
                "FixedVersion": text,
                "Title": text,
                "Description": text,
                "Severity": "CRITICAL",
                "References": [text],
            })
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({
        "SchemaVersion": 2,
        // Targets with control characters are refused at upload (server/tests/hardening.rs);
        // a target may still start a formula.
        "ArtifactName": HOSTILE[0],
        "ArtifactType": "container_image",
        "Results": [{
            "Target": HOSTILE[1],
            "Class": "os-pkgs",
            "Type": "alpine",
            "Vulnerabilities": vulns,
        }],
    }))
    .unwrap()
}

fn uploaded() -> Env {
    let env = Env::new();
    let file = env.write("hostile.json", &hostile_trivy());
    let (code, out, err) = env.run(&["upload", "-p", "shop", "-r", "1", &file]);
    assert_eq!(code, 0, "{out}{err}");
    env
}

fn assert_no_formula(csv_text: &str, what: &str) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: a cell starts a formula: {cell:?}"
            );
        }
    }
    assert!(cells > 100, "{what}: {cells} cells");
}

#[test]
fn no_csv_cell_starts_a_formula() {
    let env = uploaded();
    let (code, out, err) = env.run(&["findings", "-p", "shop", "-r", "1", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_no_formula(&out, "findings --format csv");
    // The guard only adds a quote: the text itself is all there.
    assert!(out.contains("'=HYPERLINK("), "{out}");

    let (code, out, err) = env.run(&["scans", "-p", "shop", "-r", "1", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(",=") && !out.contains("\n="), "{out}");

    let (code, out, err) = env.run(&["report", "-p", "shop", "-r", "1", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_no_formula(&out, "report --format csv");
}

/// What a terminal must never receive from report text.
fn assert_inert(text: &str, what: &str) {
    for c in text.chars() {
        let control = (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!control, "{what} prints {c:?}:\n{text}");
    }
}

#[test]
fn people_never_get_terminal_controls_from_reports() {
    let env = uploaded();
    for args in [
        &["findings", "-p", "shop", "-r", "1"][..],
        &["scans", "-p", "shop", "-r", "1"],
        &["gate", "-p", "shop", "-r", "1"],
    ] {
        let (code, out, err) = env.run(args);
        assert!(code == 0 || code == 1, "{args:?}: {err}");
        assert_inert(&out, &format!("{args:?}"));
        assert_inert(&err, &format!("{args:?} (stderr)"));
        // Shown, not dropped: an operator sees that something was there. (`scans` shows labels
        // and targets, where control characters are refused at upload.)
        if args[0] != "scans" {
            assert!(out.contains("\\e["), "{args:?}: {out}");
        }
    }
    let (_, out, _) = env.run(&["gate", "-p", "shop", "-r", "1"]);
    assert!(out.contains("\\u{202e}gnp.exe"), "{out}");
    assert!(out.contains("\\x07"), "{out}");

    // The upload summary, and an error that quotes the report.
    let file = env.write("again.json", &hostile_trivy().repeat(1));
    let (_, out, err) = env.run(&["upload", "-p", "shop", "-r", "2", &file]);
    assert_inert(&out, "upload");
    assert_inert(&err, "upload (stderr)");
    let broken = env.write("broken.json", b"\x1b]0;pwned\x07\x1b[2J not a report");
    let (code, out, err) = env.run(&["upload", "-p", "shop", "-r", "3", &broken]);
    assert_eq!(code, 2, "{out}{err}");
    assert_inert(&err, "upload error");

    // JSON stays exact: the escape is there, as JSON writes it.
    let (code, out, _) = env.run(&["findings", "-p", "shop", "-r", "1", "--format", "json"]);
    assert_eq!(code, 0);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["title"] == "\u{1b}[2J\u{1b}[Hgate PASS: nothing to see")
    );
}
