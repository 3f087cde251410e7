//! Read-only verbs: projects, releases, scans, findings, diff, raw, formats.

use crate::Outcome;
use crate::args::{
    DiffArgs, FindingsArgs, ListArgs, OutputFormat, RawArgs, ReleaseArgs, ReleasesArgs,
};
use crate::ledger::Ledger;
use crate::output::{self, opt};
use anyhow::Context;
use schema::{FindingFilter, ViewFinding};

pub fn projects(ledger: &dyn Ledger, args: &ListArgs) -> anyhow::Result<Outcome> {
    show_projects(&ledger.projects()?, args.format)
}

fn show_projects(
    projects: &[schema::ProjectSummary],
    format: OutputFormat,
) -> anyhow::Result<Outcome> {
    let headers = ["project", "releases", "latest release", "created"];
    let rows = projects
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.releases.to_string(),
                opt(&p.latest_release),
                p.created_at.format("%Y-%m-%d %H:%M").to_string(),
            ]
        })
        .collect();
    emit(format, &projects, &headers, rows)
}

pub fn releases(ledger: &dyn Ledger, args: &ReleasesArgs) -> anyhow::Result<Outcome> {
    show_releases(&ledger.releases(&args.project)?, args.format)
}

fn show_releases(
    releases: &[schema::ReleaseSummary],
    format: OutputFormat,
) -> anyhow::Result<Outcome> {
    let headers = ["release", "scans", "sealed", "created"];
    let rows = releases
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.scans.to_string(),
                if r.sealed { "yes" } else { "no" }.into(),
                r.created_at.format("%Y-%m-%d %H:%M").to_string(),
            ]
        })
        .collect();
    emit(format, &releases, &headers, rows)
}

pub fn scans(ledger: &dyn Ledger, args: &ReleaseArgs) -> anyhow::Result<Outcome> {
    let scans = ledger.scans(&args.project, &args.release)?;
    let headers = [
        "scan", "tool", "format", "label", "target", "findings", "uploaded", "sha256", "current",
    ];
    let rows = scans
        .iter()
        .map(|s| {
            vec![
                s.id.to_string(),
                s.tool.clone(),
                s.format.clone(),
                s.label.clone(),
                opt(&s.target),
                s.findings.to_string(),
                s.uploaded_at.format("%Y-%m-%d %H:%M").to_string(),
                s.sha256.clone(),
                if s.superseded { "superseded" } else { "yes" }.into(),
            ]
        })
        .collect();
    match args.format {
        // Narrow: scan, tool, label, findings, current.
        OutputFormat::Table => {
            output::fitted_table(&headers, rows, &[0, 1, 3, 5, 8], 3, args.wide)?
        }
        format => {
            emit(format, &scans, &headers, rows)?;
        }
    }
    Ok(Outcome::Ok)
}

const FINDING_HEADERS: [&str; 12] = [
    "severity",
    "kind",
    "tool",
    "rule_id",
    "title",
    "status",
    "tool_status",
    "component",
    "version",
    "fixed_version",
    "location",
    "fingerprint",
];

fn location(f: &ViewFinding) -> String {
    let line = match (f.line_start, f.line_end) {
        (Some(a), Some(b)) if a != b => format!(":{a}-{b}"),
        (Some(a), _) => format!(":{a}"),
        _ => String::new(),
    };
    if let Some(file) = &f.file {
        return format!("{file}{line}");
    }
    [&f.resource, &f.url, &f.target]
        .into_iter()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_default()
}

fn finding_row(f: &ViewFinding, short: bool) -> Vec<String> {
    vec![
        f.severity.to_string(),
        f.kind.to_string(),
        f.tool.clone(),
        f.rule_id.clone(),
        if short {
            output::shorten(&f.title, 60)
        } else {
            f.title.clone()
        },
        f.status.to_string(),
        match (&f.tool_status, short) {
            (Some(status), true) => reports::tool_status_label(status).to_string(),
            (status, _) => opt(status),
        },
        opt(&f.component),
        opt(&f.component_version),
        opt(&f.fixed_version),
        location(f),
        if short {
            f.fingerprint.chars().take(12).collect()
        } else {
            f.fingerprint.clone()
        },
    ]
}

fn finding_filter(args: &FindingsArgs) -> FindingFilter {
    FindingFilter {
        severities: args.severity.clone(),
        min_severity: args.min_severity,
        kinds: args.kind.clone(),
        categories: args.category.clone(),
        tools: args.tool.clone(),
        statuses: args.status.clone(),
        text: args.text.clone(),
    }
}

pub fn findings(ledger: &dyn Ledger, args: &FindingsArgs) -> anyhow::Result<Outcome> {
    let findings = ledger.findings(&args.project, &args.release, &finding_filter(args))?;
    show_findings(&findings, args.format, args.wide)
}

/// The finding columns a narrow table keeps: severity, rule, title, component, fingerprint.
const FINDING_NARROW: [usize; 5] = [0, 3, 4, 7, 11];
const FINDING_TITLE: usize = 4;

fn show_findings(
    findings: &[ViewFinding],
    format: OutputFormat,
    wide: bool,
) -> anyhow::Result<Outcome> {
    match format {
        OutputFormat::Json => output::json(findings)?,
        OutputFormat::Csv => output::csv(
            &FINDING_HEADERS,
            findings.iter().map(|f| finding_row(f, false)).collect(),
        )?,
        OutputFormat::Table => {
            output::fitted_table(
                &FINDING_HEADERS,
                findings.iter().map(|f| finding_row(f, true)).collect(),
                &FINDING_NARROW,
                FINDING_TITLE,
                wide,
            )?;
            let mut counts = std::collections::BTreeMap::new();
            for f in findings {
                *counts.entry(f.severity).or_default() += 1;
            }
            say!(
                "{} findings: {}",
                findings.len(),
                output::severity_counts(&counts)
            );
        }
    }
    Ok(Outcome::Ok)
}

pub fn diff(ledger: &dyn Ledger, args: &DiffArgs) -> anyhow::Result<Outcome> {
    let mut diff = ledger.diff(&args.project, &args.from, &args.to)?;
    if !args.only.is_empty() {
        diff.entries.retain(|e| {
            args.only
                .iter()
                .any(|o| Some(o.as_str()) == change_name(e.change).as_deref())
        });
    }
    let mut headers = vec!["change"];
    headers.extend(FINDING_HEADERS);
    let rows = |short: bool| {
        diff.entries
            .iter()
            .map(|e| {
                let mut row = vec![change_name(e.change).unwrap_or_default()];
                row.extend(finding_row(&e.finding, short));
                row
            })
            .collect::<Vec<_>>()
    };
    match args.format {
        OutputFormat::Json => output::json(&diff)?,
        OutputFormat::Csv => output::csv(&headers, rows(false))?,
        OutputFormat::Table => {
            // The change column, then a finding's.
            let narrow: Vec<usize> = std::iter::once(0)
                .chain(FINDING_NARROW.iter().map(|i| i + 1))
                .collect();
            output::fitted_table(&headers, rows(true), &narrow, FINDING_TITLE + 1, args.wide)?;
            say!("{} → {}: {}", diff.from, diff.to, diff.summary());
        }
    }
    Ok(Outcome::Ok)
}

fn change_name(change: schema::DiffChange) -> Option<String> {
    serde_json::to_value(change)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

pub fn raw(ledger: &dyn Ledger, args: &RawArgs) -> anyhow::Result<Outcome> {
    match &args.output {
        Some(path) => {
            let mut file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            let sha = ledger.raw_report(domain::ScanId::new(args.scan), &mut file)?;
            tell!(
                "wrote scan {} to {} (sha256 {sha})",
                args.scan,
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            ledger.raw_report(domain::ScanId::new(args.scan), &mut out)?;
        }
    }
    Ok(Outcome::Ok)
}

#[derive(serde::Serialize)]
struct FormatInfo {
    format: &'static str,
    tool: &'static str,
    description: &'static str,
    example: &'static str,
}

pub fn formats(args: &ListArgs) -> anyhow::Result<Outcome> {
    let list: Vec<FormatInfo> = importers::all()
        .iter()
        .map(|i| FormatInfo {
            format: i.format(),
            tool: i.tool(),
            description: i.description(),
            example: i.example(),
        })
        .collect();
    let rows = list
        .iter()
        .map(|f| {
            vec![
                f.format.to_string(),
                f.tool.to_string(),
                f.description.to_string(),
                f.example.to_string(),
            ]
        })
        .collect();
    emit(
        args.format,
        &list,
        &["format", "tool", "description", "how to produce it"],
        rows,
    )
}

fn emit<T: serde::Serialize>(
    format: OutputFormat,
    value: &T,
    headers: &[&str],
    rows: Vec<Vec<String>>,
) -> anyhow::Result<Outcome> {
    match format {
        OutputFormat::Json => output::json(value)?,
        OutputFormat::Csv => output::csv(headers, rows)?,
        OutputFormat::Table => output::table(headers, rows)?,
    }
    Ok(Outcome::Ok)
}
