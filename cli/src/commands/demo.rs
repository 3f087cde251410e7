//! `scanledger demo`: a project with two releases of realistic reports from four scanners, so a
//! newcomer sees imports, slots, a diff and a gate on the first run.

use crate::Outcome;
use crate::args::{DiffArgs, GateArgs, GateFormat, GateOptionArgs, OutputFormat};
use importers::synthetic::{SyntheticOptions, report};
use schema::{ImportRequest, Store};

pub const PROJECT: &str = "demo-shop";
const RELEASES: [&str; 2] = ["1.0.0", "1.1.0"];

/// (format, findings, seed, file name) of the reports each release gets besides Trivy's.
/// Same seeds in both releases: these scanners found the same things twice.
const OTHER_SCANS: [(&str, usize, u64, &str); 3] = [
    ("tfsec-json", 12, 7, "tfsec.json"),
    ("sonarqube-api-json", 25, 11, "sonar-issues.json"),
    ("acunetix-xml", 8, 13, "acunetix.xml"),
];

pub fn run(store: &Store) -> anyhow::Result<Outcome> {
    for (generation, release) in RELEASES.iter().enumerate() {
        // The image scan changes between releases: some findings fixed, some new.
        let trivy = SyntheticOptions {
            findings: 120,
            seed: 42,
            artifact: format!("registry.example.com/demo-shop/api:{release}"),
            generation: generation as u32,
        };
        let mut reports = vec![("trivy-image.json", report("trivy-json", &trivy)?)];
        for (format, findings, seed, file) in OTHER_SCANS {
            reports.push((
                file,
                report(format, &SyntheticOptions::new(findings, seed))?,
            ));
        }
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
            say!(
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
    say!();
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
    say!();
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
    say!();
    say!(
        "Next: scanledger findings --project {PROJECT} --release {} --severity critical,high",
        RELEASES[1]
    );
    Ok(Outcome::Ok)
}
