//! `scanledger demo`: a project with two releases of realistic reports from four scanners, so a
//! newcomer sees imports, slots, a diff and a gate on the first run.

use crate::Outcome;
use crate::args::{DiffArgs, GateArgs, GateFormat, GateOptionArgs, OutputFormat};
use schema::{ImportRequest, Store};
use testdata::demo::RELEASES;

pub const PROJECT: &str = "demo-shop";
pub fn run(store: &Store) -> anyhow::Result<Outcome> {
    for (generation, release) in RELEASES.iter().enumerate() {
        // The image scan changes between releases (some findings fixed, some new); the other
        // scanners find the same things twice.
        let reports = testdata::demo::reports(PROJECT, generation)?;
        for (file_name, bytes) in &reports {
            let outcome = store.import_scan(
                &ImportRequest {
                    project: PROJECT,
                    release,
                    label: None,
                    format: None,
                    file_name: Some(file_name),
                    uploaded_by: "demo",
                    request_id: None,
                    progress: None,
                },
                bytes,
            )?;
            println!(
                "{PROJECT} {release}: {file_name:<18} scan {:>2} {} ({} {} findings: {})",
                outcome.scan_id,
                if outcome.duplicate {
                    "already loaded"
                } else {
                    "imported"
                },
                outcome.findings,
                outcome.tool,
                crate::output::severity_counts(&outcome.by_severity)
            );
        }
    }
    println!();
    super::query::diff(
        store,
        &DiffArgs {
            project: PROJECT.into(),
            from: RELEASES[0].into(),
            to: RELEASES[1].into(),
            only: vec!["new".into(), "fixed".into()],
            format: OutputFormat::Table,
        },
    )?;
    println!();
    super::gate::run(
        store,
        &GateArgs {
            project: PROJECT.into(),
            release: RELEASES[1].into(),
            options: GateOptionArgs {
                fail_on: Some(importers::Severity::Critical),
                require: vec!["trivy".into(), "tfsec".into(), "fossa".into()],
            },
            format: GateFormat::Text,
            actor: "demo".into(),
        },
    )?;
    println!(
        "\nNext: scanledger findings --project {PROJECT} --release {} --severity critical,high",
        RELEASES[1]
    );
    Ok(Outcome::Ok)
}
