//! `scanledger upload`: import report files, print what each one brought.

use crate::Outcome;
use crate::args::{TextOrJson, UploadArgs};
use crate::ledger::{Ledger, Upload};
use crate::output;
use schema::ImportOutcome;
use std::path::Path;

pub fn run(ledger: &dyn Ledger, args: &UploadArgs) -> anyhow::Result<Outcome> {
    let mut failed = 0usize;
    let mut done = Vec::new();
    for file in &args.files {
        let upload = Upload {
            project: &args.project,
            release: &args.release,
            label: args.label.as_deref(),
            report_type: args.report_type.as_deref(),
            uploaded_by: &args.uploaded_by,
            file,
        };
        match ledger.upload(&upload) {
            Ok(outcome) => {
                match args.format {
                    TextOrJson::Json => output::json_line(&outcome)?,
                    TextOrJson::Text => print_outcome(file, &outcome),
                }
                done.push(outcome);
            }
            Err(err) => {
                failed += 1;
                tell!("error: {}: {err:#}", file.display());
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{}", batch_summary(failed, args.files.len(), &done));
    }
    if args.gate {
        return super::gate::run(ledger, &gate_args(args));
    }
    Ok(Outcome::Ok)
}

/// The last word on a batch in which `failed` of `total` files failed: each file is its own
/// transaction, so the others may well have been stored, and this says which.
fn batch_summary(failed: usize, total: usize, done: &[ImportOutcome]) -> String {
    let was = |n: usize| if n == 1 { "was" } else { "were" };
    let scans = |ids: Vec<domain::ScanId>| {
        let list = ids
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        format!("{} {list}", if ids.len() == 1 { "scan" } else { "scans" })
    };
    let mut parts = vec![if failed == 1 {
        format!("1 of {total} files was not imported and nothing of it was stored")
    } else {
        format!("{failed} of {total} files were not imported and nothing of them was stored")
    }];
    let (repeated, stored): (Vec<&ImportOutcome>, Vec<&ImportOutcome>) =
        done.iter().partition(|o| o.duplicate);
    if !stored.is_empty() {
        parts.push(format!(
            "{} {} stored as {}",
            stored.len(),
            was(stored.len()),
            scans(stored.iter().map(|o| o.scan_id).collect())
        ));
    }
    if !repeated.is_empty() {
        parts.push(format!(
            "{} {} already stored as {}",
            repeated.len(),
            was(repeated.len()),
            scans(repeated.iter().map(|o| o.scan_id).collect())
        ));
    }
    parts.join("; ")
}

/// The gate that `upload --gate` evaluates.
fn gate_args(args: &UploadArgs) -> crate::args::GateArgs {
    crate::args::GateArgs {
        project: args.project.clone(),
        release: args.release.clone(),
        options: crate::args::GateOptionArgs {
            fail_on: args.gate_options.fail_on,
            require: args.gate_options.require.clone(),
        },
        format: match args.format {
            crate::args::TextOrJson::Text => crate::args::GateFormat::Text,
            crate::args::TextOrJson::Json => crate::args::GateFormat::Json,
        },
        actor: args.uploaded_by.clone(),
    }
}

fn print_outcome(file: &Path, o: &ImportOutcome) {
    let state = if o.duplicate {
        "already uploaded, nothing stored"
    } else {
        "imported"
    };
    say!("{}: scan {} {state}", file.display(), o.scan_id);
    say!(
        "  format {}  tool {}{}  slot {}",
        o.format,
        o.tool,
        o.tool_version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default(),
        o.label
    );
    say!("  sha256 {}  {} bytes", o.sha256, o.size);
    let merged = if o.duplicates_merged > 0 {
        format!(" ({} repeated records merged)", o.duplicates_merged)
    } else {
        String::new()
    };
    say!(
        "  findings {}: {}{merged}",
        o.findings,
        output::severity_counts(&o.by_severity)
    );
    match &o.compared_to {
        Some(c) => say!(
            "  since scan {} ({}): {} new, {} unchanged, {} fixed",
            c.previous_scan_id,
            c.previous_release,
            c.new,
            c.unchanged,
            c.fixed
        ),
        None if !o.duplicate => say!("  first scan of this slot"),
        None => {}
    }
    if o.partial {
        say!("  partial report: findings it lacks are not counted as fixed");
    }
    for w in &o.warnings {
        say!("  warning: {w}");
    }
}
