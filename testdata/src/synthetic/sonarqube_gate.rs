//! Synthetic SonarQube quality gate responses (`sonarqube-quality-gate-json`): as many failed
//! conditions as findings asked for, beside passed ones. A real gate has a handful of
//! conditions, one per metric; beyond the usual metrics the generator names custom ones.

use std::io::{self, Write};

use super::{Obj, SyntheticOptions, index, rng, write_records};

/// (metric, comparator, threshold)
const METRICS: &[(&str, &str, &str)] = &[
    ("new_coverage", "LT", "80"),
    ("new_security_rating", "GT", "1"),
    ("new_reliability_rating", "GT", "1"),
    ("new_maintainability_rating", "GT", "1"),
    ("new_duplicated_lines_density", "GT", "3"),
    ("new_security_hotspots_reviewed", "LT", "100"),
    ("new_violations", "GT", "0"),
];

/// `GET api/qualitygates/project_status?projectKey=...`.
pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let status = if options.findings > 0 { "ERROR" } else { "OK" };
    write!(
        out,
        "{{\"projectStatus\": {{\"status\": \"{status}\", \"conditions\": ["
    )?;
    write_records(out, options.findings + 1, "  ", |i| {
        let mut r = rng(options.seed, 83, i);
        let (metric, comparator, threshold) = METRICS[i % METRICS.len()];
        let metric = if i < METRICS.len() {
            metric.to_string()
        } else {
            format!("{metric}_{i}")
        };
        let failed = i < options.findings;
        Obj::new()
            .s("status", if failed { "ERROR" } else { "OK" })
            .s("metricKey", &metric)
            .s("comparator", comparator)
            .raw("periodIndex", 1)
            .s("errorThreshold", threshold)
            .s("actualValue", &format!("{}", 1 + index(&mut r, 60)))
            .done()
    })?;
    out.write_all(b"\n], \"ignoredConditions\": false, \"period\": {\"mode\": \"PREVIOUS_VERSION\", \"date\": \"2026-11-02T09:14:51+0000\", \"parameter\": \"4.1.0\"}}}\n")
}
