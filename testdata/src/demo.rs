//! The reports `scanledger demo` loads: per release, a Trivy image scan that changes between
//! releases (some findings fixed, some new) and three scanners that find the same things twice.

use crate::synthetic::{SyntheticOptions, report};
use std::io;

/// The demo's releases, oldest first.
pub const RELEASES: [&str; 2] = ["1.0.0", "1.1.0"];

/// (format, findings, seed, file name) of the reports each release gets besides Trivy's.
/// Same seeds in both releases: these scanners found the same things twice.
const OTHER_SCANS: [(&str, usize, u64, &str); 3] = [
    ("tfsec-json", 12, 7, "tfsec.json"),
    ("sonarqube-api-json", 25, 11, "sonar-issues.json"),
    ("acunetix-xml", 8, 13, "acunetix.xml"),
];

/// The reports of release number `generation` (an index into [`RELEASES`]) of project
/// `project`, as (file name, bytes).
pub fn reports(project: &str, generation: usize) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let release = RELEASES.get(generation).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the demo has no release number {generation}"),
        )
    })?;
    let trivy = SyntheticOptions {
        findings: 120,
        seed: 42,
        artifact: format!("registry.example.com/{project}/api:{release}"),
        generation: generation as u32,
    };
    let mut reports = vec![("trivy-image.json", report("trivy-json", &trivy)?)];
    for (format, findings, seed, file) in OTHER_SCANS {
        reports.push((
            file,
            report(format, &SyntheticOptions::new(findings, seed))?,
        ));
    }
    Ok(reports)
}
