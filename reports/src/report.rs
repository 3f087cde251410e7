//! One report of a release in one format: what `scanledger report` writes and the API's report
//! route sends. An open release's report is rendered now from its snapshot (a draft); a sealed
//! release's is the member of its bundle, byte for byte as it was signed.

use crate::snapshot::ReleaseSnapshot;
use crate::{ReportError, findings, html, markdown, pdf};
use std::io::{Read, Seek, Write};

/// The formats of a release's report, each also a member of its sealed bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// The auditor's PDF.
    Pdf,
    /// One self-contained HTML page.
    Html,
    /// The Discourse forum post (Markdown).
    ForumPost,
    /// The findings as CSV.
    Csv,
    /// The findings as JSON (`findings.json`).
    Json,
    /// The findings as SARIF 2.1.0.
    Sarif,
    /// OSCAL 1.1.2 assessment results: the control mapping's criteria, scans, blocking
    /// findings and accepted risks.
    OscalAr,
    /// OSCAL 1.1.2 plan of action and milestones: the open findings with their SLA due dates.
    OscalPoam,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 8] = [
        ReportFormat::Pdf,
        ReportFormat::Html,
        ReportFormat::ForumPost,
        ReportFormat::Csv,
        ReportFormat::Json,
        ReportFormat::Sarif,
        ReportFormat::OscalAr,
        ReportFormat::OscalPoam,
    ];

    /// The name the CLI's `--format` and the API's `format` take.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Html => "html",
            ReportFormat::ForumPost => "forum-post",
            ReportFormat::Csv => "csv",
            ReportFormat::Json => "json",
            ReportFormat::Sarif => "sarif",
            ReportFormat::OscalAr => "oscal-ar",
            ReportFormat::OscalPoam => "oscal-poam",
        }
    }

    pub fn parse(s: &str) -> Option<ReportFormat> {
        ReportFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
    }

    /// Its file in a sealed bundle.
    pub fn member_name(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "report.pdf",
            ReportFormat::Html => "report.html",
            ReportFormat::ForumPost => "forum-post.md",
            ReportFormat::Csv => "findings.csv",
            ReportFormat::Json => "findings.json",
            ReportFormat::Sarif => "findings.sarif",
            ReportFormat::OscalAr => "oscal-assessment-results.json",
            ReportFormat::OscalPoam => "oscal-poam.json",
        }
    }

    /// Its media type, for HTTP.
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::ForumPost => "text/markdown; charset=utf-8",
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::Json => "application/json",
            ReportFormat::Sarif => "application/sarif+json",
            ReportFormat::OscalAr | ReportFormat::OscalPoam => "application/oscal+json",
        }
    }
}

impl std::fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Renders the draft report of an open release into `out`. The findings formats are written
/// finding by finding; the PDF and forum post are drawn whole first.
pub fn write_report(
    snap: &ReleaseSnapshot,
    format: ReportFormat,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    match format {
        ReportFormat::Pdf => out.write_all(&pdf::report_pdf(snap, None)?)?,
        ReportFormat::Html => html::write_report_html(snap, None, out)?,
        ReportFormat::ForumPost => out.write_all(markdown::forum_post(snap, None)?.as_bytes())?,
        ReportFormat::Csv => findings::write_findings_csv(snap, out)?,
        ReportFormat::Json => findings::write_findings_json(snap, out)?,
        ReportFormat::Sarif => crate::sarif::write_findings_sarif(snap, out)?,
        ReportFormat::OscalAr => crate::oscal::write_assessment_results(snap, out)?,
        ReportFormat::OscalPoam => crate::oscal::write_poam(snap, out)?,
    }
    Ok(())
}

/// Copies the report of `format` out of a sealed bundle into `out`, as it was signed, without
/// holding it whole.
pub fn write_bundle_member(
    bundle: impl Read + Seek,
    format: ReportFormat,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let mut archive = zip::ZipArchive::new(bundle)?;
    let mut member = archive.by_name(format.member_name())?;
    std::io::copy(&mut member, out)?;
    Ok(())
}
