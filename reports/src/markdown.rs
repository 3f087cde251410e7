//! `forum-post.md`: the Markdown a tester pastes into the Discourse release post.
//!
//! A summary line, the scans table, the gate, what changed since the previous release, accepted
//! risks, a collapsed `[details]` block with the high and critical findings, and how to get and
//! verify the bundle. Discourse caps a post at 32,000 characters by default, so long lists stop
//! at [`MAX_DETAIL_ROWS`] rows and point to `findings.csv` in the bundle.

use crate::format_time;
use crate::severity::{SEVERITIES, severity_rank};
use crate::snapshot::{DiffLine, ReleaseSnapshot};
use domain::TriageStatus;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Rows of the high/critical `[details]` table before it points to the CSV.
pub const MAX_DETAIL_ROWS: usize = 150;
/// Rows of each new/fixed list.
pub const MAX_DIFF_ROWS: usize = 15;

/// Longest text of a cell, in characters, before it is cut at a word with an ellipsis.
pub const MAX_CELL_CHARS: usize = 160;

/// `text` cut to at most `max` characters at a word boundary, with `…` when something was
/// left out. A single word longer than `max` (a fingerprint, a path, a URL) is kept whole
/// rather than cut inside.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    // The byte index of the `max`-th character: everything before it fits.
    let limit = text
        .char_indices()
        .nth(max)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let end = if text[limit..].starts_with(char::is_whitespace) {
        limit
    } else {
        text[..limit]
            .rfind(char::is_whitespace)
            .or_else(|| text.find(char::is_whitespace))
            .unwrap_or(text.len())
    };
    let kept = text[..end].trim_end();
    if kept.len() == text.len() {
        kept.to_string()
    } else {
        format!("{kept}…")
    }
}

/// Escapes text for a Markdown table cell: no pipes, no line breaks, no HTML (nor entities: `&`
/// is written `&amp;`, so `&lt;` in a scanner's text shows as it is), no emphasis, no
/// mentions (a zero-width space after an `@` that starts a word: `@alice`, `@here` ping nobody;
/// `ciso@example.com` stays as it is). Long text is cut at a word ([`shorten`]) before it is
/// escaped, so no escape is cut in two.
pub fn cell(text: &str) -> String {
    let text = shorten(text, MAX_CELL_CHARS);
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let starts_word = !prev.is_some_and(char::is_alphanumeric);
        prev = Some(c);
        match c {
            '@' if starts_word => out.push_str("@\u{200b}"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' | '_' | '`' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Text as inline code (`` `text` ``): a backtick in it would end the span early and a line
/// break would let the next line start a block of its own (raw HTML among them), so backticks
/// become `'` and line breaks spaces. Cut like a cell.
pub fn code_span(text: &str) -> String {
    let text: String = shorten(text, MAX_CELL_CHARS)
        .chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("`{}`", text.trim())
}

/// A gate reason's line: its message cut like any cell, but the finding's short fingerprint at
/// its end always shown whole, since that is how a reader finds the finding.
fn reason_line(r: &crate::snapshot::GateReasonLine) -> String {
    let short = r
        .fingerprint
        .as_deref()
        .map(|fp| fp.chars().take(12).collect::<String>());
    let text = short
        .as_deref()
        .and_then(|short| r.message.strip_suffix(&format!(" ({short})")));
    match (text, short) {
        (Some(text), Some(short)) => format!("{} ({})", cell(text), cell(&short)),
        _ => cell(&r.message),
    }
}

/// `critical 2 · high 5` (zeros left out) or `none`.
pub fn severity_line(counts: &BTreeMap<impl AsRef<str> + Ord, u64>) -> String {
    let parts: Vec<String> = SEVERITIES
        .iter()
        .filter_map(|s| {
            counts
                .iter()
                .find(|(k, _)| k.as_ref() == *s)
                .filter(|(_, n)| **n > 0)
                .map(|(_, n)| format!("{s} {n}"))
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(" · ")
    }
}

fn count(counts: &BTreeMap<String, u64>, severity: &str) -> u64 {
    counts.get(severity).copied().unwrap_or(0)
}

/// The forum post. `key_fingerprint` names the signing key when the post goes into a bundle.
pub fn forum_post(
    snap: &ReleaseSnapshot,
    key_fingerprint: Option<&str>,
) -> Result<String, crate::ReportError> {
    let mut md = String::new();
    let verdict = if snap.gate.verdict.is_passed() {
        "✅ PASSED"
    } else {
        "❌ BLOCKED"
    };
    let _ = writeln!(
        md,
        "## Security scans: {} {}\n",
        cell(&snap.project),
        cell(&snap.release)
    );
    if snap.seal.is_none() {
        let _ = writeln!(
            md,
            "> **Draft**: release {} is still open; scans and decisions may change before it is sealed.\n",
            cell(&snap.release)
        );
    }
    let totals = snap.counts_by_severity();
    let _ = writeln!(
        md,
        "**Gate {verdict}** · {} scans · {} findings ({}){}\n",
        snap.scans.len(),
        snap.findings.len(),
        severity_line(&totals),
        match &snap.seal {
            Some(seal) => format!(
                " · sealed {} by {}",
                format_time(&seal.sealed_at),
                cell(&seal.sealed_by)
            ),
            None => String::new(),
        }
    );

    md.push_str("### Scans\n\n| Tool | Target | Scanned | Critical | High | Medium | Low | Info |\n|---|---|---|--:|--:|--:|--:|--:|\n");
    for s in &snap.scans {
        let when = s
            .scanned_at
            .clone()
            .unwrap_or_else(|| format_time(&s.uploaded_at));
        let _ = writeln!(
            md,
            "| {}{} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&s.tool),
            s.tool_version
                .as_deref()
                .map(|v| format!(" {}", cell(v)))
                .unwrap_or_default(),
            cell(s.target.as_deref().unwrap_or(&s.label)),
            cell(&when),
            count(&s.by_severity, "critical"),
            count(&s.by_severity, "high"),
            count(&s.by_severity, "medium"),
            count(&s.by_severity, "low"),
            count(&s.by_severity, "info") + count(&s.by_severity, "unknown"),
        );
    }
    if snap.scans.is_empty() {
        md.push_str("| (no scans) | | | | | | | |\n");
    }

    let _ = writeln!(md, "\n### Gate: {verdict}\n");
    let _ = writeln!(
        md,
        "Blocking: open findings at **{}** or above{}.",
        snap.gate.fail_on,
        if snap.gate.required_tools.is_empty() {
            String::new()
        } else {
            format!(
                "; required scans: {}",
                cell(&snap.gate.required_tools.join(", "))
            )
        }
    );
    if let Some(policy) = &snap.policy {
        let _ = writeln!(md, "Policy version {}.", cell(&policy.version));
    }
    if !snap.gate.reasons.is_empty() {
        md.push('\n');
        for r in snap.gate.reasons.iter().take(MAX_DIFF_ROWS) {
            let _ = writeln!(md, "- {}", reason_line(r));
        }
        if snap.gate.reasons.len() > MAX_DIFF_ROWS {
            let _ = writeln!(
                md,
                "- … and {} more (see the high and critical list below)",
                snap.gate.reasons.len() - MAX_DIFF_ROWS
            );
        }
    }
    if !snap.gate.decided_in_tool.is_empty() {
        let _ = writeln!(md, "\nDecided in the tools, not blocking:");
        for line in snap.gate.decided_in_tool.iter().take(MAX_DIFF_ROWS) {
            let _ = writeln!(md, "- {}", cell(line));
        }
    }
    if let Some(reason) = snap
        .seal
        .as_ref()
        .and_then(|s| s.allow_blocked_reason.as_ref())
    {
        let _ = writeln!(
            md,
            "\n**Sealed although blocked.** Reason: {}",
            cell(reason)
        );
    }

    if let Some(diff) = &snap.diff {
        let _ = writeln!(
            md,
            "\n### Since {}\n\n{} new · {} fixed · {} still open · {} not rescanned{}\n",
            cell(&diff.previous_release),
            diff.new,
            diff.fixed,
            diff.still_open,
            diff.not_rescanned,
            diff.refined_note()
        );
        diff_list(&mut md, "New", &diff.new_findings, diff.new);
        diff_list(&mut md, "Fixed", &diff.fixed_findings, diff.fixed);
    }

    // The accepted and the severe findings, counted, and the first of each kept for their
    // tables: one reading of the findings.
    let (mut accepted, mut accepted_count) = (Vec::new(), 0usize);
    let (mut severe, mut severe_count) = (Vec::new(), 0usize);
    snap.findings.try_for_each(|f| {
        if f.status == TriageStatus::Accepted {
            accepted_count += 1;
            if accepted.len() < MAX_DETAIL_ROWS {
                accepted.push(f.clone());
            }
        }
        if severity_rank(f.severity.as_str()) <= 1 {
            severe_count += 1;
            if severe.len() < MAX_DETAIL_ROWS {
                severe.push(f.clone());
            }
        }
        Ok(())
    })?;
    let _ = writeln!(md, "\n### Accepted risks ({accepted_count})\n");
    if accepted.is_empty() {
        md.push_str("None.\n");
    } else {
        md.push_str(
            "| Severity | Finding | Approver | Expires | Justification |\n|---|---|---|---|---|\n",
        );
        for f in &accepted {
            let _ = writeln!(
                md,
                "| {} | {} {} | {} | {} | {} |",
                f.severity,
                cell(&f.rule_id),
                cell(&f.title),
                cell(f.approver().or(f.decided_by()).unwrap_or("")),
                f.expires_at()
                    .map(|t| t.date().to_string())
                    .unwrap_or_else(|| "never".into()),
                cell(f.justification().unwrap_or("")),
            );
        }
    }

    let _ = writeln!(
        md,
        "\n[details=\"High and critical findings ({severe_count})\"]\n"
    );
    if severe.is_empty() {
        md.push_str("None.\n");
    } else {
        md.push_str(
            "| Severity | Tool | Rule | Title | Location | Status |\n|---|---|---|---|---|---|\n",
        );
        for f in &severe {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                f.severity,
                cell(&f.tool),
                cell(&f.rule_id),
                cell(&f.title),
                cell(&f.location()),
                f.status
            );
        }
        if severe_count > MAX_DETAIL_ROWS {
            let _ = writeln!(
                md,
                "\n… and {} more: every finding is in `findings.csv` in the evidence bundle.",
                severe_count - MAX_DETAIL_ROWS
            );
        }
    }
    md.push_str("\n[/details]\n");

    let bundle = snap.bundle_file_name();
    let _ = writeln!(md, "\n### Evidence\n");
    let _ = writeln!(
        md,
        "The signed evidence bundle is `{bundle}` (attached); it holds every raw report, the findings as JSON, CSV and SARIF, the PDF report and `VERIFY.md`."
    );
    if let Some(fp) = key_fingerprint {
        let _ = writeln!(md, "Signing key: `{fp}`.");
    }
    let _ = writeln!(
        md,
        "\nGet it with `scanledger bundle --project {p} --release {r} -o {bundle}` and verify it against the evidence key's published fingerprint (not the key inside the bundle) with `scanledger verify {bundle} --key PUBLISHED.pub`, or without ScanLedger as `VERIFY.md` describes (it also checks that the zip holds nothing `SHA256SUMS` does not list):\n\n```sh\nunzip -d evidence {bundle} && cd evidence\nexport TRUSTED='SHA256:...'   # the published fingerprint\nsha256sum -c SHA256SUMS\nssh-keygen -Y verify -f allowed_signers -I evidence@scanledger -n scanledger-evidence -s SHA256SUMS.sshsig < SHA256SUMS | grep -F \"key $TRUSTED\"\n```",
        p = shell_word(&snap.project),
        r = shell_word(&snap.release),
    );
    Ok(md)
}

fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':'))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn diff_list(md: &mut String, title: &str, lines: &[DiffLine], total: u64) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(md, "**{title}** ({total}):\n");
    for l in lines.iter().take(MAX_DIFF_ROWS) {
        let _ = writeln!(
            md,
            "- {} {} {} ({}{})",
            l.severity,
            code_span(&l.rule_id),
            cell(&l.title),
            cell(&l.tool),
            if l.location.is_empty() {
                String::new()
            } else {
                format!(", {}", cell(&l.location))
            }
        );
    }
    if total as usize > MAX_DIFF_ROWS {
        let _ = writeln!(md, "- … and {} more", total as usize - MAX_DIFF_ROWS);
    }
    md.push('\n');
}
