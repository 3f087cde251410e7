//! `scanledger upload`: import report files, print what each one brought.

use crate::Outcome;
use crate::args::{TextOrJson, UploadArgs};
use crate::output;
use indicatif::{ProgressBar, ProgressStyle};
use schema::{ImportOutcome, ImportRequest, Store};
use std::io::IsTerminal;
use std::path::Path;

/// Files above this size get a progress bar on a terminal.
const PROGRESS_THRESHOLD: u64 = 8 * 1024 * 1024;

pub fn run(store: &Store, args: &UploadArgs) -> anyhow::Result<Outcome> {
    let mut failed = 0usize;
    let mut done = Vec::new();
    for file in &args.files {
        match upload_one(store, args, file) {
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
        return super::gate::run(store, &gate_args(args));
    }
    Ok(Outcome::Ok)
}

/// The last word on a batch in which `failed` of `total` files failed: each file is its own
/// transaction, so the others may well have been stored, and this says which.
pub fn batch_summary(failed: usize, total: usize, done: &[ImportOutcome]) -> String {
    let was = |n: usize| if n == 1 { "was" } else { "were" };
    let scans = |ids: Vec<i64>| {
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
pub fn gate_args(args: &UploadArgs) -> crate::args::GateArgs {
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

fn upload_one(store: &Store, args: &UploadArgs, file: &Path) -> anyhow::Result<ImportOutcome> {
    let size = std::fs::metadata(file)?.len();
    let bar = (std::io::stderr().is_terminal() && size >= PROGRESS_THRESHOLD).then(|| {
        let bar = ProgressBar::new(size);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(file.display().to_string());
        bar
    });
    let progress = |done: u64, _total: u64| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    };
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let request = ImportRequest {
        project: &args.project,
        release: &args.release,
        label: args.label.as_deref(),
        format: args.report_type.as_deref(),
        file_name: file_name.as_deref(),
        uploaded_by: &args.uploaded_by,
        request_id: None,
        progress: Some(&progress),
    };
    let outcome = store.import_scan(&request, &file);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(outcome?)
}

pub fn print_outcome(file: &Path, o: &ImportOutcome) {
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
