//! `scanledger controls`: set (check and store the next version of a project's control
//! mapping), show, versions, check (docs/CONTROLS.md), the verbs of every versioned project
//! document (`document.rs`); and `scanledger audit-pack`, the signed
//! list of a period's releases with their control statuses (docs/EVIDENCE.md).

use super::document::{Kind, about};
use crate::Outcome;
use crate::args::AuditPackArgs;
use crate::ledger::Ledger;
use anyhow::Context;
use reports::controls::ControlMapping;
use schema::ControlMappingVersion;

/// Control mappings, as the document verbs handle them: a project that set none shows the
/// built-in one, which nobody set.
pub const CONTROLS: Kind<ControlMappingVersion> = Kind {
    noun: "control mapping",
    fetch: |ledger, project, version| ledger.controls(project, version),
    store: |ledger, project, source, actor| ledger.set_controls(project, source, actor),
    list: |ledger, project| ledger.control_versions(project),
    about: |v| about!(v, set_at: v.created_at.filter(|_| !v.builtin)),
    counted: Some(("criteria", |v| v.criteria.len())),
    summarize: |source| {
        let mapping = ControlMapping::parse(source)?;
        Ok(format!(
            "{}, {} criteria",
            mapping.name,
            mapping.criteria.len()
        ))
    },
};

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
