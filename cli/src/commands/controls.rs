//! `scanledger controls`: set (check and store the next version of a project's control
//! mapping), show, versions, check (docs/CONTROLS.md).

use crate::Outcome;
use crate::args::{PolicyCheckArgs, PolicyFormat, PolicySetArgs, PolicyShowArgs, ReleasesArgs};
use crate::ledger::Ledger;
use crate::output;
use anyhow::Context;
use reports::controls::ControlMapping;

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub fn set(ledger: &dyn Ledger, args: &PolicySetArgs) -> anyhow::Result<Outcome> {
    let source = read(&args.file)?;
    let stored = ledger
        .set_controls(&args.project, &source, &args.actor)
        .with_context(|| {
            format!(
                "{} not stored; the active control mapping is unchanged",
                args.file.display()
            )
        })?;
    if stored.unchanged {
        say!(
            "control mapping v{} of {} is already this text; nothing stored",
            stored.version,
            stored.project
        );
    } else {
        say!(
            "control mapping v{} of {} stored and active: {} criteria (sha256 {})",
            stored.version,
            stored.project,
            stored.criteria.len(),
            stored.sha256.get(..12).unwrap_or(&stored.sha256)
        );
    }
    Ok(Outcome::Ok)
}

pub fn show(ledger: &dyn Ledger, args: &PolicyShowArgs) -> anyhow::Result<Outcome> {
    let version = ledger.controls(&args.project, args.version)?;
    match args.format {
        PolicyFormat::Toml => {
            match version.created_at {
                Some(at) if !version.builtin => say!(
                    "# control mapping v{} of {}, set by {} at {} UTC",
                    version.version,
                    version.project,
                    version.created_by,
                    at.format("%Y-%m-%d %H:%M:%S")
                ),
                _ => say!(
                    "# {} has set no control mapping: the built-in one",
                    version.project
                ),
            }
            output::verbatim(&version.source)?;
            if !version.source.ends_with('\n') {
                say!();
            }
        }
        PolicyFormat::Json => output::json(&version)?,
    }
    Ok(Outcome::Ok)
}

pub fn versions(ledger: &dyn Ledger, args: &ReleasesArgs) -> anyhow::Result<Outcome> {
    let versions = ledger.control_versions(&args.project)?;
    let last = versions.last().map(|v| v.version);
    match args.format {
        crate::args::OutputFormat::Json => output::json(&versions)?,
        format => {
            let headers = [
                "version", "active", "set by", "set at", "criteria", "sha256",
            ];
            let rows = versions
                .iter()
                .map(|v| {
                    vec![
                        v.version.to_string(),
                        if Some(v.version) == last { "yes" } else { "" }.to_string(),
                        v.created_by.clone(),
                        v.created_at
                            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                            .unwrap_or_default(),
                        v.criteria.len().to_string(),
                        v.sha256.clone(),
                    ]
                })
                .collect();
            if format == crate::args::OutputFormat::Csv {
                output::csv(&headers, rows)?;
            } else {
                output::table(&headers, rows)?;
            }
        }
    }
    Ok(Outcome::Ok)
}

pub fn check(args: &PolicyCheckArgs) -> anyhow::Result<Outcome> {
    let source = read(&args.file)?;
    let mapping =
        ControlMapping::parse(&source).with_context(|| format!("{}", args.file.display()))?;
    say!(
        "{}: valid ({}, {} criteria)",
        args.file.display(),
        mapping.name,
        mapping.criteria.len()
    );
    Ok(Outcome::Ok)
}
