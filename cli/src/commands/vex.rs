//! `scanledger vex`: export a release's decisions as OpenVEX or CycloneDX; import either as
//! decisions.

use crate::Outcome;
use crate::args::{CycloneDxVersion, TextOrJson, VexDocumentFormat, VexExportArgs, VexImportArgs};
use crate::ledger::Ledger;
use crate::output;
use anyhow::Context;
use reports::vex::cyclonedx::SpecVersion;
use schema::{VexFormat, VexImportOptions};
use std::io::Write;

pub fn export(ledger: &dyn Ledger, args: &VexExportArgs) -> anyhow::Result<Outcome> {
    let format = match args.format {
        VexDocumentFormat::Openvex => VexFormat::OpenVex,
        VexDocumentFormat::Cyclonedx => VexFormat::CycloneDx(match args.spec_version {
            CycloneDxVersion::V1_5 => SpecVersion::V1_5,
            CycloneDxVersion::V1_6 => SpecVersion::V1_6,
        }),
    };
    let doc = ledger.vex_export(
        &args.project,
        &args.release,
        format,
        args.author.as_deref(),
        &args.actor,
    )?;
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            // OpenVEX has a statement per finding; CycloneDX a vulnerability per rule and decision.
            let statements = doc["statements"]
                .as_array()
                .or_else(|| doc["vulnerabilities"].as_array())
                .map_or(0, Vec::len);
            tell!("wrote {statements} statement(s) to {}", path.display());
        }
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(Outcome::Ok)
}

pub fn import(ledger: &dyn Ledger, args: &VexImportArgs) -> anyhow::Result<Outcome> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let outcome = ledger
        .vex_import(
            &args.project,
            &bytes,
            &VexImportOptions {
                approver: args.approver.clone(),
                expires: args.expires,
                dry_run: args.dry_run,
            },
            &args.actor,
        )
        .with_context(|| format!("{}: nothing was decided", args.file.display()))?;
    match args.format {
        TextOrJson::Json => output::json(&outcome)?,
        TextOrJson::Text => {
            say!(
                "{} {} finding(s) of {} from {} document {}",
                if outcome.dry_run {
                    "would decide"
                } else {
                    "decided"
                },
                outcome.decided,
                outcome.project,
                outcome.format,
                outcome.document_id.as_deref().unwrap_or("(without id)")
            );
            for s in &outcome.statements {
                say!(
                    "  {:<20} {:<20} -> {:<15} {} finding(s){}",
                    s.vulnerability,
                    s.vex_status,
                    s.status.as_deref().unwrap_or("-"),
                    s.findings.len(),
                    s.note
                        .as_deref()
                        .map(|n| format!("  ({n})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(Outcome::Ok)
}
