//! The forum post as Discourse renders it: markdown-it (the CommonMark renderer Discourse uses,
//! here its Python port `markdown-it-py`) with GFM tables, raw HTML allowed and a line break
//! per newline, as Discourse configures it (`discourse_markdown.py` beside this file renders
//! and describes the HTML). Tables come out as tables with every row, the `[details]` lines
//! that Discourse's BBCode turns into a collapsed block survive as text around their table, and
//! no scanner's text becomes an HTML tag or breaks a table — whatever `<script>`, `<img
//! onerror>`, pipes or backticks it holds.

use super::{Demo, tool};
use reports::ReleaseSnapshot;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// The elements a post may contain: Markdown's own, none from a scanner's text.
const ALLOWED_TAGS: [&str; 18] = [
    "h2",
    "h3",
    "p",
    "br",
    "strong",
    "em",
    "blockquote",
    "ul",
    "li",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
];
/// Table alignment (`style`) and a code block's language (`class`).
const ALLOWED_ATTRIBUTES: [&str; 2] = ["class", "style"];

/// A post rendered: its top-level blocks in order (`tag`, `text`, `rows`).
struct Rendered {
    blocks: Vec<Value>,
}

impl Rendered {
    fn text(block: &Value) -> &str {
        block["text"].as_str().unwrap_or_default()
    }

    /// Each table's rows (header first), as cell texts.
    fn tables(&self) -> Vec<Vec<Vec<String>>> {
        self.blocks
            .iter()
            .filter(|b| b["tag"] == "table")
            .map(|b| {
                serde_json::from_value(b["rows"].clone()).expect("rows are lists of cell texts")
            })
            .collect()
    }

    /// The table whose header starts with `first`, and its place among the blocks.
    fn table(&self, first: &[&str]) -> (usize, Vec<Vec<String>>) {
        self.blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b["tag"] == "table")
            .find_map(|(i, b)| {
                let rows: Vec<Vec<String>> = serde_json::from_value(b["rows"].clone()).ok()?;
                rows.first()?
                    .starts_with(&first.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                    .then_some((i, rows))
            })
            .unwrap_or_else(|| panic!("no table headed {first:?}"))
    }

    /// The place of the paragraph whose text is exactly `text`.
    fn paragraph(&self, text: &str) -> usize {
        self.blocks
            .iter()
            .position(|b| b["tag"] == "p" && Rendered::text(b).trim() == text)
            .unwrap_or_else(|| panic!("no paragraph {text:?} in {:#?}", self.blocks))
    }
}

/// Renders `post` as Discourse does and checks what every post must be: only Markdown's own
/// tags and attributes, and every table line of the Markdown a row of a table as wide as its
/// header.
fn render(post: &str) -> Rendered {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/consumers/discourse_markdown.py");
    let mut child = Command::new(tool("python3"))
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python3");
    child
        .stdin
        .take()
        .expect("python's stdin")
        .write_all(post.as_bytes())
        .expect("write the post");
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success(),
        "markdown-it failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let described: Value = serde_json::from_slice(&out.stdout).expect("the description is JSON");
    let html = described["html"].as_str().unwrap_or_default();
    let names = |key: &str| -> BTreeSet<String> {
        serde_json::from_value(described[key].clone()).expect("a list of names")
    };
    let unexpected: Vec<String> = names("tags")
        .into_iter()
        .filter(|t| !ALLOWED_TAGS.contains(&t.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "HTML elements {unexpected:?} in:\n{html}"
    );
    let unexpected: Vec<String> = names("attributes")
        .into_iter()
        .filter(|a| !ALLOWED_ATTRIBUTES.contains(&a.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "HTML attributes {unexpected:?} in:\n{html}"
    );

    let rendered = Rendered {
        blocks: serde_json::from_value(described["blocks"].clone()).expect("blocks"),
    };
    let mut rows = 0;
    for table in rendered.tables() {
        let width = table.first().map_or(0, Vec::len);
        for row in &table {
            assert_eq!(
                row.len(),
                width,
                "a row of another width than its header: {row:?}\n{html}"
            );
        }
        rows += table.len();
    }
    // A table line of the Markdown that is not a row of a rendered table broke out of it.
    let lines = post
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .count();
    assert_eq!(
        rows, lines,
        "table lines that are no table rows:\n{post}\n{html}"
    );
    rendered
}

/// The high and critical findings' table sits between its `[details]` lines, one row for each.
fn details_block(rendered: &Rendered, severe: usize) -> Vec<Vec<String>> {
    let open = rendered.paragraph(&format!(
        "[details=\"High and critical findings ({severe})\"]"
    ));
    let close = rendered.paragraph("[/details]");
    let (at, rows) = rendered.table(&["Severity", "Tool", "Rule", "Title"]);
    assert!(
        open < at && at < close,
        "the table is not inside its [details] block"
    );
    assert_eq!(rows.len(), 1 + severe, "{rows:?}");
    rows
}

fn severe(snap: &ReleaseSnapshot) -> usize {
    snap.findings
        .held()
        .unwrap()
        .iter()
        .filter(|f| matches!(f.severity.as_str(), "critical" | "high"))
        .count()
}

#[test]
fn the_sample_post_renders_its_tables_and_details_block() {
    for sealed in [true, false] {
        let snap = testdata::sample::sample_snapshot(sealed);
        let rendered = render(&reports::markdown::forum_post(&snap, Some("SHA256:abc")).unwrap());
        let (_, scans) = rendered.table(&["Tool", "Target", "Scanned"]);
        assert_eq!(scans.len(), 1 + snap.scans.len());
        let (_, accepted) = rendered.table(&["Severity", "Finding", "Approver"]);
        assert_eq!(accepted.len(), 2);
        let rows = details_block(&rendered, severe(&snap));
        assert!(
            rows.iter()
                .any(|r| r[3] == "入力検証の不備によるクロスサイトスクリプティング"),
            "{rows:?}"
        );
    }
}

#[test]
fn a_scanners_html_pipes_and_backticks_stay_text() {
    let mut snap = testdata::sample::sample_snapshot(true);
    let script = "<script>alert(1)</script>";
    let img = "<img src=x onerror=alert(1)> a | b `c` d";
    let accepted = "pipe | and `tick` and \\ and *star* _under_ &lt;i&gt;";
    let justification = "<iframe src=//evil.example> | `j`";
    snap.findings.held_mut().unwrap()[0].title = script.into();
    snap.findings.held_mut().unwrap()[3].title = img.into();
    snap.findings.held_mut().unwrap()[2].title = accepted.into();
    if let Some(decision) = &mut snap.findings.held_mut().unwrap()[2].decision {
        decision.justification = Some(justification.into());
    }
    snap.findings.held_mut().unwrap()[1].rule_id = "rule`\n<script>alert(2)</script>".into();
    snap.findings.held_mut().unwrap()[1].tool = "<b>tfsec</b>".into();
    snap.scans[0].tool = "<b>trivy</b>".into();
    snap.gate.reasons[0].message = "<script>alert(3)</script> | `x`".into();
    if let Some(diff) = &mut snap.diff {
        diff.new_findings[0].rule_id = "r`\n<script>alert(4)</script>".into();
        diff.new_findings[0].title = "<img src=x onerror=alert(5)>".into();
    }
    let post = reports::markdown::forum_post(&snap, None).unwrap();
    let rendered = render(&post);

    let rows = details_block(&rendered, severe(&snap));
    for title in [script, img] {
        assert!(
            rows.iter().any(|r| r[3] == title),
            "no title cell {title:?}: {rows:?}"
        );
    }
    let (_, accepted_rows) = rendered.table(&["Severity", "Finding", "Approver"]);
    assert_eq!(accepted_rows[1][1], format!("CVE-2024-5535 {accepted}"));
    assert_eq!(accepted_rows[1][4], justification);
    let (_, scans) = rendered.table(&["Tool", "Target", "Scanned"]);
    assert_eq!(scans[1][0], "<b>trivy</b> 0.58.1");
    let reasons = rendered
        .blocks
        .iter()
        .find(|b| b["tag"] == "ul")
        .map(Rendered::text)
        .unwrap_or_default();
    assert!(
        reasons.contains("<script>alert(3)</script> | `x`"),
        "{reasons}"
    );
    // Only the post's own [details] lines: a title cannot open or close the block.
    assert_eq!(post.matches("[/details]").count(), 1, "{post}");
}

#[test]
fn a_non_latin_post_keeps_its_titles() {
    let snap = testdata::sample::non_latin_snapshot();
    let rendered = render(&reports::markdown::forum_post(&snap, None).unwrap());
    let rows = details_block(&rendered, severe(&snap));
    let titles: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    for (finding, title) in snap
        .findings
        .held()
        .unwrap()
        .iter()
        .zip(testdata::sample::NON_LATIN_TITLES)
    {
        if matches!(finding.severity.as_str(), "critical" | "high") {
            assert!(titles.contains(&title), "{title:?} not in {titles:?}");
        }
    }
}

#[test]
fn the_demos_posts_render_with_their_tables() {
    let demo = Demo::load();
    for post in [
        demo.draft_report("forum-post"),
        demo.bundle_member("forum-post.md"),
    ] {
        let post = String::from_utf8(post).expect("the post is UTF-8");
        let rendered = render(&post);
        assert!(rendered.tables().len() >= 3, "{post}");
        rendered.paragraph("[/details]");
    }
}
