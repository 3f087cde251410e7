//! `scanledger demo`: a project with two releases of realistic reports, so a newcomer sees
//! imports, a diff and a gate on the first run.

use crate::Outcome;
use crate::args::{DiffArgs, GateArgs, GateFormat, GateOptionArgs, OutputFormat};
use importers::synthetic::{SyntheticOptions, trivy_report};
use schema::{ImportRequest, Store};

pub const PROJECT: &str = "demo-shop";
const RELEASES: [&str; 2] = ["1.0.0", "1.1.0"];

pub fn run(store: &Store) -> anyhow::Result<Outcome> {
    for (generation, release) in RELEASES.iter().enumerate() {
        let report = trivy_report(&SyntheticOptions {
            findings: 120,
            seed: 42,
            artifact: format!("registry.example.com/demo-shop/api:{release}"),
            generation: generation as u32,
        });
        let outcome = store.import_scan(
            &ImportRequest {
                project: PROJECT,
                release,
                label: None,
                format: None,
                file_name: Some("trivy-image.json"),
                uploaded_by: "demo",
                request_id: None,
                progress: None,
            },
            &report,
        )?;
        println!(
            "{PROJECT} {release}: scan {} {} ({} findings: {})",
            outcome.scan_id,
            if outcome.duplicate {
                "already loaded"
            } else {
                "imported"
            },
            outcome.findings,
            crate::output::severity_counts(&outcome.by_severity)
        );
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
                require: vec!["trivy".into()],
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
