//! `/metrics` as Prometheus reads it: `promtool check metrics` (the linter Prometheus ships)
//! accepts the exposition of a real `scanledger serve` after the demo load — metric names,
//! units, help texts, counters ending in `_total`. Any line promtool prints is a problem, so
//! the test fails on any output at all, not only on its exit status.

use super::tool;
use crate::deploy::metrics_after_demo_load;
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn promtool_accepts_metrics_after_a_demo_load() {
    let metrics = metrics_after_demo_load();
    assert!(
        metrics.contains("scanledger_http_requests_total"),
        "the demo load left no request counter:\n{metrics}"
    );

    let mut child = Command::new(tool("promtool"))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start promtool");
    child
        .stdin
        .take()
        .expect("promtool's stdin")
        .write_all(metrics.as_bytes())
        .expect("write the metrics to promtool");
    let out = child.wait_with_output().expect("promtool ran");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool check metrics found problems (exit {}):\n{said}\nin:\n{metrics}",
        out.status
    );
}
