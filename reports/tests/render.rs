//! The renderings: PDF (text, fonts, Unicode, pages), forum post, HTML, CSV, SARIF, JSON.

use crate::support::*;
use testdata::sample::sample_snapshot;

fn pdf_text(pdf: &[u8], tool: &str, args: &[&str]) -> Option<String> {
    if !have(tool) {
        eprintln!("skipped: {tool} missing (poppler-utils; scripts/test installs it)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.pdf"), pdf).unwrap();
    let out = std::process::Command::new(tool)
        .args(args)
        .arg("r.pdf")
        .args(if tool == "pdftotext" {
            vec!["-"]
        } else {
            vec![]
        })
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_pdf_has_the_cover_decisions_scans_and_page_numbers() {
    let snap = sample_snapshot(true);
    let pdf = reports::pdf::report_pdf(&snap, Some("SHA256:abc")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        pdf,
        reports::pdf::report_pdf(&snap, Some("SHA256:abc")).unwrap(),
        "PDF not deterministic"
    );
    assert!(pdf.len() < 200_000, "fonts not subset: {} bytes", pdf.len());
    let Some(text) = pdf_text(&pdf, "pdftotext", &["-layout"]) else {
        return;
    };
    for wanted in [
        "Security evidence report",
        "shop 4.2.0",
        "Gate: BLOCKED",
        "2026-11-23 10:00:00 UTC",
        "alice",
        "Emergency fix for CVE-2024-3094",
        "Changes since 4.1.0",
        "CVE-2023-38545",
        "approved by ciso@example.com",
        "false_positive",
        "SHA-256 78de879f46d1",
        "SHA256:abc",
        "Page 1 of 3",
        "Page 2 of 3",
        // The control mapping's page comes last.
        "Page 3 of 3",
        // Unicode survives: Slovene and Japanese titles, not boxes or question marks.
        "čšž ČŠŽ",
        "入力検証の不備",
    ] {
        assert!(text.contains(wanted), "PDF text lacks {wanted:?}:\n{text}");
    }
    assert!(!text.contains("DRAFT"));
    let fonts = pdf_text(&pdf, "pdffonts", &[]).unwrap();
    // Every font is embedded (emb = yes) and has a ToUnicode map (uni = yes).
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 3, "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(cols.contains(&"yes"), "{fonts}");
        assert!(!row.contains(" no  no "), "not embedded: {fonts}");
    }
    assert!(
        fonts.contains("SLFALL"),
        "the CJK fallback font is missing: {fonts}"
    );
}

#[test]
fn an_open_release_is_a_draft_everywhere() {
    let snap = sample_snapshot(false);
    let post = reports::markdown::forum_post(&snap, None).unwrap();
    assert!(post.contains("**Draft**"));
    let html = reports::html::report_html(&snap, None).unwrap();
    assert!(html.contains("DRAFT"));
    let json: serde_json::Value =
        serde_json::from_slice(&reports::findings::findings_json(&snap).unwrap()).unwrap();
    assert_eq!(json["draft"], true);
    let pdf = reports::pdf::report_pdf(&snap, None).unwrap();
    if let Some(text) = pdf_text(&pdf, "pdftotext", &[]) {
        assert!(text.contains("DRAFT"), "{text}");
    }
}

#[test]
fn the_forum_post_has_every_section() {
    let post = reports::markdown::forum_post(&sample_snapshot(true), Some("SHA256:abc")).unwrap();
    for wanted in [
        "## Security scans: shop 4.2.0",
        "**Gate ❌ BLOCKED** · 2 scans · 7 findings (critical 1 · high 3 · medium 1 · low 1 · info 1) · sealed 2026-11-23 10:00:00 UTC by alice",
        "| Tool | Target | Scanned | Critical | High | Medium | Low | Info |",
        "| trivy 0.58.1 | registry.example.com/shop/api:4.2.0 | 2026-11-20T08:55:00Z | 1 | 2 | 0 | 1 | 0 |",
        "### Gate: ❌ BLOCKED",
        "**Sealed although blocked.** Reason: Emergency fix",
        "### Since 4.1.0",
        "2 new · 1 fixed · 5 still open · 0 not rescanned",
        "### Accepted risks (1)",
        "ciso@example.com | 2026-11-30 |",
        "[details=\"High and critical findings (4)\"]",
        "[/details]",
        "入力検証の不備によるクロスサイトスクリプティング",
        "shop-4.2.0-evidence.zip",
        "scanledger verify shop-4.2.0-evidence.zip",
        "ssh-keygen -Y verify",
        "Signing key: `SHA256:abc`",
    ] {
        assert!(
            post.contains(wanted),
            "forum post lacks {wanted:?}:\n{post}"
        );
    }
    // Table cells cannot break the table or inject HTML.
    assert!(
        post.contains(r#"A local value may contain a secret \| "quoted" &lt;tag&gt;"#)
            || !post.contains("general-secrets")
    );
    assert!(!post.contains("<tag>"));
}

#[test]
fn html_is_self_contained_and_escaped() {
    let html = reports::html::report_html(&sample_snapshot(true), None).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["src=", "href=", "@import", "url(", "<script"] {
        assert!(
            !html.contains(external),
            "external asset or script: {external}"
        );
    }
    assert!(html.contains("&lt;tag&gt;"));
    assert!(!html.contains("<tag>"));
}

#[test]
fn csv_and_json_carry_every_finding() {
    let snap = sample_snapshot(true);
    let csv = reports::findings::findings_csv(&snap).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.len(), reports::findings::CSV_COLUMNS.len());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), snap.findings.len());
    let json: serde_json::Value =
        serde_json::from_slice(&reports::findings::findings_json(&snap).unwrap()).unwrap();
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        snap.findings.len()
    );
    assert_eq!(json["findings"][2]["approver"], "ciso@example.com");
    let triage: serde_json::Value =
        serde_json::from_slice(&reports::findings::triage_json(&snap).unwrap()).unwrap();
    assert_eq!(triage["decisions"].as_array().unwrap().len(), 2);
}

#[test]
fn csv_cells_cannot_become_spreadsheet_formulas() {
    let mut snap = sample_snapshot(true);
    snap.findings.held_mut().unwrap()[0].title = "=HYPERLINK(\"http://evil\")".into();
    let csv = String::from_utf8(reports::findings::findings_csv(&snap).unwrap()).unwrap();
    assert!(csv.contains("'=HYPERLINK"));
}

#[test]
fn sarif_is_what_github_code_scanning_takes() {
    let snap = sample_snapshot(true);
    let sarif: serde_json::Value =
        serde_json::from_slice(&reports::sarif::findings_sarif(&snap).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "one run per tool");
    let mut categories = std::collections::BTreeSet::new();
    let mut results = 0;
    for run in runs {
        assert!(run["tool"]["driver"]["name"].is_string());
        categories.insert(run["automationDetails"]["id"].as_str().unwrap().to_string());
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let sev: f64 = r["properties"]["security-severity"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((0.0..=10.0).contains(&sev));
                r["id"].as_str().unwrap()
            })
            .collect();
        for r in run["results"].as_array().unwrap() {
            results += 1;
            assert!(
                rules.contains(&r["ruleId"].as_str().unwrap()),
                "result without its rule"
            );
            assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
            assert!(!r["message"]["text"].as_str().unwrap().is_empty());
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            // A relative reference under %SRCROOT%, or an absolute URI: never a rooted path.
            assert!(
                !uri.is_empty() && !uri.starts_with('/') && !uri.contains(' '),
                "{uri}"
            );
            let relative = loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%";
            assert!(relative || uri.contains("://"), "{uri}");
            if let Some(region) = loc.get("region") {
                assert!(region["startLine"].as_i64().unwrap() >= 1);
            }
            assert_eq!(
                r["partialFingerprints"]["scanledger/v1"]
                    .as_str()
                    .unwrap()
                    .len(),
                64
            );
        }
    }
    assert_eq!(categories.len(), 2, "each run needs its own category");
    assert_eq!(results, snap.findings.len());
}

#[test]
fn the_forum_post_cuts_long_titles_at_a_word_and_keeps_fingerprints_whole() {
    let mut snap = sample_snapshot(true);
    let long_title = "Improper neutralization of input during web page generation in the legacy \
                      checkout flow, which renders customer supplied delivery addresses without \
                      escaping them and so lets an attacker run script in the browser of staff";
    assert!(long_title.chars().count() > 160);
    let severe = snap
        .findings
        .held()
        .unwrap()
        .iter()
        .position(|f| f.severity == domain::Severity::Critical)
        .expect("a critical finding");
    snap.findings.held_mut().unwrap()[severe].title = long_title.into();
    let fingerprint = "0123456789abcdef0123456789abcdef".to_string();
    let reason = &mut snap.gate.reasons[0];
    reason.fingerprint = Some(fingerprint.clone());
    reason.message = format!(
        "critical finding CVE-2026-0001 \"{long_title}\" [trivy, open] at or above high (0123456789ab)"
    );

    let post = reports::markdown::forum_post(&snap, None).unwrap();
    // The title row: whole words, then an ellipsis.
    let shown = post
        .lines()
        .filter(|l| l.starts_with("| critical"))
        .flat_map(|l| l.split(" | "))
        .find(|c| c.starts_with("Improper"))
        .expect("the critical finding's title cell");
    assert!(shown.ends_with('…'), "{shown}");
    let kept = shown.trim_end_matches('…').trim_end();
    assert!(long_title.starts_with(kept), "{shown}");
    assert_eq!(
        long_title.as_bytes().get(kept.len()),
        Some(&b' '),
        "cut inside a word: {shown}"
    );
    // The gate reason keeps its fingerprint however long its title.
    let line = post
        .lines()
        .find(|l| l.starts_with("- critical finding CVE-2026-0001"))
        .expect("the gate reason");
    assert!(line.contains("0123456789ab"), "{line}");
    assert!(line.contains('…'), "{line}");
}

#[test]
fn the_forum_post_pings_nobody() {
    let mut snap = sample_snapshot(true);
    snap.findings.held_mut().unwrap()[0].title = "@alice look, cc @here @all (@team)".into();
    snap.findings.held_mut().unwrap()[0].tool = "@bob".into();
    snap.gate.reasons[0].message = "blocked by @carol".into();
    let post = reports::markdown::forum_post(&snap, None).unwrap();
    for name in ["alice", "here", "all", "team", "bob", "carol"] {
        assert!(
            !post.contains(&format!("@{name}")),
            "@{name} would be a mention:\n{post}"
        );
        assert!(post.contains(&format!("@\u{200b}{name}")), "{post}");
    }
    // An address is not a mention, and stays as it was.
    assert!(post.contains("ciso@example.com"), "{post}");
}

#[test]
fn the_forum_posts_code_spans_and_entities_stay_closed() {
    let mut snap = sample_snapshot(true);
    let diff = snap.diff.as_mut().unwrap();
    diff.new_findings[0].rule_id = "r`1\n<script>alert(1)</script>".into();
    snap.findings.held_mut().unwrap()[0].title = "&lt;b&gt; &amp;".into();
    let post = reports::markdown::forum_post(&snap, None).unwrap();
    // One code span on one line: no backtick ends it early, no line break lets HTML start a line.
    assert!(
        post.lines()
            .any(|l| l.starts_with("- critical `r'1 <script>alert(1)</script>` ")),
        "{post}"
    );
    assert!(!post.lines().any(|l| l.starts_with("<script>")), "{post}");
    // An entity in a scanner's text shows as written, not as the character it names.
    assert!(post.contains("&amp;lt;b&amp;gt; &amp;amp;"), "{post}");
}

#[test]
fn a_100000_finding_release_keeps_within_githubs_limits_and_says_what_it_left_out() {
    let snap = testdata::sample::large_snapshot(100_000);
    let bytes = reports::sarif::findings_sarif(&snap).unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let limits = reports::sarif::Limits::GITHUB;
    let runs = sarif["runs"].as_array().unwrap();
    assert!(runs.len() <= limits.runs_per_file);
    let mut written = 0;
    let mut left_out = 0;
    for run in runs {
        let results = run["results"].as_array().unwrap().len();
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap().len();
        assert!(results <= limits.results_per_run && rules <= results);
        written += results;
        if let Some(n) = run["properties"]["leftOutResults"].as_u64() {
            left_out += n as usize;
            let note = run["conversion"]["invocation"]["toolExecutionNotifications"][0]["message"]
                ["text"]
                .as_str()
                .unwrap();
            assert!(note.contains(&format!("left out {n}")), "{note}");
        }
    }
    assert_eq!(written + left_out, 100_000);
    assert!(left_out > 0, "two tools cannot hold 100,000 results");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &bytes).unwrap();
    let compressed = gz.finish().unwrap().len() as u64;
    assert!(compressed <= limits.compressed_bytes, "{compressed}");
}
