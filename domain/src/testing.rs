//! Builders of plain values for the rules' unit tests.

use crate::{Kind, ScanId, ScanSummary, Severity, TriageStatus, ViewFinding};
use chrono::{NaiveDate, NaiveDateTime};

/// Midnight (UTC) of a day of 2026.
pub fn day(month: u32, day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, month, day)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// An undecided vulnerability first seen on 1 January, reported by scan `scan_id`.
pub fn finding(fingerprint: &str, severity: Severity, scan_id: i64) -> ViewFinding {
    ViewFinding {
        fingerprint: fingerprint.into(),
        severity,
        severity_original: None,
        kind: Kind::Vulnerability,
        category: None,
        rule_id: "CVE-2026-0001".into(),
        title: "a problem".into(),
        tool: "trivy".into(),
        status: TriageStatus::Open,
        tool_status: None,
        component: None,
        component_version: None,
        purl: None,
        fixed_version: None,
        cvss_score: None,
        epss: None,
        epss_percentile: None,
        cwe: Vec::new(),
        target: None,
        file: None,
        line_start: None,
        line_end: None,
        resource: None,
        url: None,
        parameter: None,
        scan_id: ScanId::new(scan_id),
        scan_label: String::new(),
        first_seen_at: day(1, 1),
        decision: None,
        finding_id: None,
    }
}

/// A complete (or partial) scan of `tool`, labelled by its tool, uploaded at `uploaded_at`.
pub fn scan(id: i64, tool: &str, partial: bool, uploaded_at: NaiveDateTime) -> ScanSummary {
    ScanSummary {
        id: ScanId::new(id),
        tool: tool.into(),
        format: "json".into(),
        label: tool.into(),
        target: None,
        tool_version: None,
        scanned_at: None,
        sha256: String::new(),
        file_name: None,
        uploaded_at,
        uploaded_by: "ci".into(),
        findings: 0,
        superseded: false,
        partial,
    }
}
