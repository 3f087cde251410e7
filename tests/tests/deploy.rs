//! The deployment files name only metrics the server really exposes: every `scanledger_*`
//! metric in the Grafana dashboard (`deploy/grafana/scanledger.json`) and in the alert rules
//! (`deploy/kubernetes/base/prometheusrule.yaml`) appears on `/metrics` of a real
//! `scanledger serve` after a small demo load (uploads of two tools, a passing and a blocked
//! gate). The manifests themselves are rendered and validated by `scripts/deploy-check`.

use super::serve::{make_token, start};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Every `scanledger_*` name in a text (PromQL inside JSON or YAML).
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("scanledger_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        // A bare `scanledger_` is prose (`scanledger_*`), not a metric.
        if end > "scanledger_".len() {
            names.insert(tail[..end].to_string());
        }
        rest = &tail[end..];
    }
    names
}

/// The sample names of a Prometheus text exposition.
fn exposed(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(str::to_string)
        .collect()
}

/// The text of `/metrics` after the demo load on a fresh `scanledger serve`: uploads of two
/// tools into two releases, a passing and a blocked gate, and one error response.
pub fn metrics_after_demo_load() -> String {
    let server = start();
    let token = make_token(&server, "admin", None);
    let token = token.as_str();
    let base = format!("http://{}", server.addr);
    let auth = format!("Bearer {token}");

    // The demo load: two tools into two releases, and gates that pass and block.
    for (release, file) in [
        ("1.0", "corpus/trivy-0.76/image-all-scanners-minidb.json"),
        ("1.0", "corpus/tfsec/many_findings_current.json"),
        ("2.0", "corpus/tfsec/one_finding_legacy.json"),
    ] {
        let body = std::fs::read(repo(file)).expect("corpus file");
        let status = agent()
            .post(&format!(
                "{base}/api/v1/projects/demo/releases/{release}/scans"
            ))
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(&body[..])
            .expect("upload")
            .status()
            .as_u16();
        assert_eq!(status, 201, "upload of {file}");
    }
    let mut results = BTreeSet::new();
    for (release, fail_on) in [("1.0", "critical"), ("2.0", "critical"), ("2.0", "info")] {
        // CI's gate: a POST records the evaluation (a GET only reads).
        let mut response = agent()
            .post(&format!(
                "{base}/api/v1/projects/demo/releases/{release}/gate?fail_on={fail_on}"
            ))
            .header("Authorization", &auth)
            .send_empty()
            .expect("gate");
        assert_eq!(response.status().as_u16(), 200);
        let gate: serde_json::Value = response.body_mut().read_json().expect("json");
        results.insert(gate["passed"].as_bool().expect("passed"));
    }
    assert_eq!(
        results.len(),
        2,
        "the demo load has a passing and a blocked gate"
    );
    // One error response, so the error series exist too.
    let _ = agent().get(&format!("{base}/api/v1/projects")).call();

    let mut response = agent()
        .get(&format!("{base}/metrics"))
        .call()
        .expect("metrics");
    response.body_mut().read_to_string().expect("text")
}

#[test]
fn dashboard_and_alerts_use_only_metrics_the_server_exposes() {
    let metrics = metrics_after_demo_load();
    let exposed = exposed(&metrics);

    let dashboard =
        std::fs::read_to_string(repo("deploy/grafana/scanledger.json")).expect("dashboard");
    let _: serde_json::Value = serde_json::from_str(&dashboard).expect("dashboard is JSON");
    let rules = std::fs::read_to_string(repo("deploy/kubernetes/base/prometheusrule.yaml"))
        .expect("alert rules");
    for (what, text) in [("dashboard", &dashboard), ("alert rules", &rules)] {
        let used = metric_names(text);
        assert!(used.len() >= 3, "{what} names too few metrics: {used:?}");
        let missing: Vec<_> = used.difference(&exposed).collect();
        assert!(
            missing.is_empty(),
            "{what} uses metrics /metrics does not expose: {missing:?}\nexposed: {exposed:?}"
        );
    }
    // The one metric from elsewhere: kube-state-metrics' view of the audit-verify CronJob.
    assert!(rules.contains("kube_job_status_failed{job_name=~\"scanledger-audit-verify-.*\"}"));

    // The findings gauges count the demo's open findings.
    let open: f64 = metrics
        .lines()
        .filter(|l| l.starts_with("scanledger_open_findings{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(open > 0.0, "open findings gauge is zero:\n{metrics}");
}
