//! `scanledger policy`: set (validate and store the next version), show, versions, check.

use crate::Outcome;
use crate::args::{PolicyCheckArgs, PolicyFormat, PolicySetArgs, PolicyShowArgs, ReleasesArgs};
use crate::ledger::Ledger;
use crate::output;
use anyhow::Context;
use schema::Policy;

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub fn set(ledger: &dyn Ledger, args: &PolicySetArgs) -> anyhow::Result<Outcome> {
    let source = read(&args.file)?;
    let stored = ledger
        .set_policy(&args.project, &source, &args.actor)
        .with_context(|| {
            format!(
                "{} not stored; the active policy is unchanged",
                args.file.display()
            )
        })?;
    if stored.unchanged {
        say!(
            "policy v{} of {} is already this text; nothing stored",
            stored.version,
            stored.project
        );
    } else {
        say!(
            "policy v{} of {} stored and active (sha256 {})",
            stored.version,
            stored.project,
            &stored.sha256[..12]
        );
    }
    Ok(Outcome::Ok)
}

pub fn show(ledger: &dyn Ledger, args: &PolicyShowArgs) -> anyhow::Result<Outcome> {
    let Some(version) = ledger.policy(&args.project, args.version)? else {
        match args.version {
            Some(v) => anyhow::bail!("project {} has no policy version {v}", args.project),
            None => anyhow::bail!(
                "project {} has no policy; the gate uses the defaults (docs/TRIAGE.md)",
                args.project
            ),
        }
    };
    match args.format {
        PolicyFormat::Toml => {
            say!(
                "# policy v{} of {}, set by {} at {} UTC",
                version.version,
                version.project,
                version.created_by,
                version.created_at.format("%Y-%m-%d %H:%M:%S")
            );
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
    let versions = ledger.policy_versions(&args.project)?;
    let last = versions.last().map(|v| v.version);
    match args.format {
        crate::args::OutputFormat::Json => output::json(&versions)?,
        format => {
            let headers = ["version", "active", "set by", "set at", "sha256"];
            let rows = versions
                .iter()
                .map(|v| {
                    vec![
                        v.version.to_string(),
                        if Some(v.version) == last { "yes" } else { "" }.to_string(),
                        v.created_by.clone(),
                        v.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
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
    let policy = Policy::parse(&source).with_context(|| format!("{}", args.file.display()))?;
    say!(
        "{}: valid (fail_on {}, {} required tool(s), {} ignore rule(s))",
        args.file.display(),
        policy.gate.fail_on,
        policy.gate.required_tools.len(),
        policy.ignore.len()
    );
    Ok(Outcome::Ok)
}
