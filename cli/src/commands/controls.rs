//! `scanledger controls`: set (check and store the next version of a project's control
//! mapping), show, versions, check (docs/CONTROLS.md); and `scanledger audit-pack`, the signed
//! list of a period's releases with their control statuses (docs/EVIDENCE.md).

use crate::Outcome;
use crate::args::{
    AuditPackArgs, ControlsSetArgs, PolicyCheckArgs, PolicyFormat, PolicyShowArgs, ReleasesArgs,
};
use crate::ledger::Ledger;
use crate::output;
use anyhow::Context;
use reports::controls::ControlMapping;

fn read(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub fn set(ledger: &dyn Ledger, args: &ControlsSetArgs) -> anyhow::Result<Outcome> {
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

/// Reads each sealed release's stored bundle (its SHA-256 and `controls.json`) through the
/// ledger, so it works on a database and through a server alike, and signs the pack locally.
pub fn audit_pack(ledger: &dyn Ledger, args: &AuditPackArgs) -> anyhow::Result<Outcome> {
    use reports::audit_pack::{
        PackInput, PackRelease, PackSeal, bundle_controls, in_period, write_audit_pack,
    };
    use std::io::{Seek, SeekFrom};
    if args.from > args.to {
        anyhow::bail!("--from {} is after --to {}", args.from, args.to);
    }
    let key = crate::key_dir::load(&args.keys.key_dir)?;
    let mut releases = ledger.releases(&args.project)?;
    releases.retain(|r| in_period(r.created_at, args.from, args.to));
    releases.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.name.cmp(&b.name)));
    let mut pack = Vec::with_capacity(releases.len());
    for r in &releases {
        let sealed = match (r.sealed, r.sealed_at, &r.sealed_by) {
            (true, Some(sealed_at), Some(sealed_by)) => {
                let mut file = tempfile::tempfile().context("a temporary file for a bundle")?;
                let bundle_sha256 = ledger.write_bundle(&args.project, &r.name, &mut file)?;
                file.seek(SeekFrom::Start(0))?;
                let controls = bundle_controls(std::io::BufReader::new(file))
                    .with_context(|| format!("the controls.json of {}'s bundle", r.name))?;
                Some(PackSeal {
                    sealed_at,
                    sealed_by: sealed_by.clone(),
                    bundle_sha256,
                    controls,
                })
            }
            _ => None,
        };
        pack.push(PackRelease {
            name: r.name.clone(),
            created_at: r.created_at,
            sealed,
        });
    }
    let input = PackInput {
        generator: format!("scanledger {}", env!("CARGO_PKG_VERSION")),
        project: args.project.clone(),
        from: args.from,
        to: args.to,
        releases: pack,
    };
    let mut out = std::fs::File::create(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let sha256 = write_audit_pack(&input, &key, &mut out)?;
    let unsealed = input.releases.iter().filter(|r| r.sealed.is_none()).count();
    say!(
        "{}: {} release(s) of {} from {} to {}, {} not sealed (sha256 {})",
        args.out.display(),
        input.releases.len(),
        args.project,
        args.from,
        args.to,
        unsealed,
        sha256
    );
    Ok(Outcome::Ok)
}
