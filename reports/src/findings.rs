//! Machine-readable renderings of the current view: `findings.json`, `findings.csv` and
//! `triage.json` (`findings.sarif` is [`crate::sarif`]).

use crate::csv_writer::CsvWriter;
use crate::snapshot::{ReleaseSnapshot, ViewFinding};
use crate::{ReportError, canonical_json};
use serde_json::json;
use std::io::Write;

/// `findings.json`: release header and every finding, one per line (valid JSON, diffable).
pub fn findings_json(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::with_capacity(snap.findings.len().min(100_000) * 700 + 256);
    write_findings_json(snap, &mut out)?;
    Ok(out)
}

/// [`findings_json`] into a writer, one finding at a time.
pub fn write_findings_json(snap: &ReleaseSnapshot, out: &mut dyn Write) -> Result<(), ReportError> {
    write!(
        out,
        "{{\"project\":{},\"release\":{},\"draft\":{},\"count\":{},\"findings\":[",
        serde_json::to_string(&snap.project)?,
        serde_json::to_string(&snap.release)?,
        snap.seal.is_none(),
        snap.findings.len()
    )?;
    for (i, f) in snap.findings.iter().enumerate() {
        let f = f?;
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &FindingLine::of(&f))?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

/// One finding of `findings.json`, in the layout bundles have had from the start: the
/// finding's fields, then its decision's fields beside them (`null` when undecided) rather
/// than nested as the API sends them. Sealed bundles keep this layout, so scripts that read
/// them keep working.
#[derive(serde::Serialize)]
struct FindingLine<'a> {
    #[serde(flatten)]
    finding: ViewFinding,
    justification: Option<&'a str>,
    approver: Option<&'a str>,
    expires_at: Option<chrono::NaiveDateTime>,
    decided_by: Option<&'a str>,
    decided_at: Option<chrono::NaiveDateTime>,
}

impl<'a> FindingLine<'a> {
    fn of(f: &'a ViewFinding) -> FindingLine<'a> {
        FindingLine {
            // The decision's fields are written beside the others instead.
            finding: ViewFinding {
                decision: None,
                ..f.clone()
            },
            justification: f.justification(),
            approver: f.approver(),
            expires_at: f.expires_at(),
            decided_by: f.decided_by(),
            decided_at: f.decided_at(),
        }
    }
}

pub const CSV_COLUMNS: [&str; 28] = [
    "severity",
    "status",
    "tool",
    "kind",
    "rule_id",
    "title",
    "location",
    "component",
    "component_version",
    "fixed_version",
    "cvss_score",
    "cwe",
    "target",
    "file",
    "line_start",
    "url",
    "parameter",
    "scan_label",
    "fingerprint",
    "first_seen_at",
    "justification",
    "approver",
    "expires_at",
    "decided_by",
    "decided_at",
    "severity_original",
    "epss",
    "epss_percentile",
];

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn time(value: &Option<chrono::NaiveDateTime>) -> String {
    value.map(|t| t.to_string()).unwrap_or_default()
}

/// `findings.csv`: one row per finding, the columns of [`CSV_COLUMNS`].
pub fn findings_csv(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::with_capacity(snap.findings.len().min(100_000) * 400);
    write_findings_csv(snap, &mut out)?;
    Ok(out)
}

/// [`findings_csv`] into a writer, one row at a time.
pub fn write_findings_csv(snap: &ReleaseSnapshot, out: &mut dyn Write) -> Result<(), ReportError> {
    let mut w = CsvWriter::new(out);
    w.write_record(CSV_COLUMNS)?;
    for f in snap.findings.iter() {
        let f = f?;
        w.write_record([
            f.severity.as_str().to_string(),
            f.status.as_str().to_string(),
            f.tool.clone(),
            f.kind.as_str().to_string(),
            f.rule_id.clone(),
            f.title.clone(),
            f.location(),
            opt(&f.component),
            opt(&f.component_version),
            opt(&f.fixed_version),
            f.cvss_score.map(|s| s.to_string()).unwrap_or_default(),
            f.cwe.join(" "),
            opt(&f.target),
            opt(&f.file),
            f.line_start.map(|l| l.to_string()).unwrap_or_default(),
            opt(&f.url),
            opt(&f.parameter),
            f.scan_label.clone(),
            f.fingerprint.clone(),
            f.first_seen_at.to_string(),
            f.justification().unwrap_or_default().to_string(),
            f.approver().unwrap_or_default().to_string(),
            time(&f.expires_at()),
            f.decided_by().unwrap_or_default().to_string(),
            time(&f.decided_at()),
            opt(&f.severity_original),
            f.epss.map(|s| s.to_string()).unwrap_or_default(),
            f.epss_percentile.map(|s| s.to_string()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// `triage.json`: every finding someone decided on, with the decision.
pub fn triage_json(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    let decisions: Vec<serde_json::Value> = snap
        .findings
        .filtered(ViewFinding::has_decision)?
        .iter()
        .map(|f| {
            json!({
                "fingerprint": f.fingerprint,
                "severity": f.severity,
                "tool": f.tool,
                "rule_id": f.rule_id,
                "title": f.title,
                "status": f.status,
                "justification": f.justification(),
                "approver": f.approver(),
                "expires_at": f.expires_at(),
                "decided_by": f.decided_by(),
                "decided_at": f.decided_at(),
            })
        })
        .collect();
    canonical_json(&json!({
        "project": snap.project,
        "release": snap.release,
        "decisions": decisions,
    }))
}

/// `audit-events.json`: the release's audit events as the audit log keeps them.
pub fn audit_events_json(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    canonical_json(&json!({
        "project": snap.project,
        "release": snap.release,
        "events": snap.audit_events,
    }))
}

/// `sla.json`: the release's SLA status, when the snapshot has one.
pub fn sla_json(snap: &ReleaseSnapshot) -> Result<Option<Vec<u8>>, ReportError> {
    snap.sla
        .as_ref()
        .map(|sla| {
            canonical_json(&json!({
                "project": snap.project,
                "release": snap.release,
                "sla": sla,
            }))
        })
        .transpose()
}
