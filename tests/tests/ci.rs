//! The CI templates' steps (`ci/scanledger-ci.sh`, which the GitHub Action and the GitLab
//! template run) against a real `scanledger serve`: a release that passes (exit 0), one the
//! gate blocks (exit 1) and a refused token (exit 2), with the Markdown summary and the JUnit
//! report they leave. The same script without a stored token, exchanging the job's OIDC
//! token, is run in `workload.rs` (with the test issuer).

use super::serve::{make_token, scanledger, start};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

pub struct Run {
    pub code: i32,
    pub summary: String,
    pub junit: Option<String>,
    pub stderr: String,
}

fn ci_step(base: &str, token: &str, release: &str, reports: &str, fail_on: &str) -> Run {
    script(
        base,
        &[("SCANLEDGER_TOKEN", token)],
        release,
        reports,
        fail_on,
    )
}

/// `ci/scanledger-ci.sh` as a CI job runs it, in a clean environment with `env` added: project
/// `shop`, tfsec required, the summary and JUnit report written.
pub fn script(
    base: &str,
    env: &[(&str, &str)],
    release: &str,
    reports: &str,
    fail_on: &str,
) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    let junit = dir.path().join("gate.xml");
    let output = Command::new("bash")
        .arg(repo("ci/scanledger-ci.sh"))
        .current_dir(repo("."))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SCANLEDGER_BIN", scanledger().get_program())
        .env("SCANLEDGER_URL", base)
        .envs(env.iter().copied())
        .env("SCANLEDGER_PROJECT", "shop")
        .env("SCANLEDGER_RELEASE", release)
        .env("SCANLEDGER_REPORTS", reports)
        .env("SCANLEDGER_FAIL_ON", fail_on)
        .env("SCANLEDGER_REQUIRE", "tfsec")
        .env("SCANLEDGER_SUMMARY", &summary)
        .env("SCANLEDGER_JUNIT", &junit)
        .output()
        .expect("run ci/scanledger-ci.sh");
    let stderr = String::from_utf8_lossy(&output.stderr);
    Run {
        code: output
            .status
            .code()
            .unwrap_or_else(|| panic!("killed: {stderr}")),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        junit: std::fs::read_to_string(&junit).ok(),
        stderr: stderr.into_owned(),
    }
}

#[test]
fn ci_step_uploads_gates_and_summarizes() {
    let server = start();
    let token = make_token(&server, "uploader", Some("shop"));
    let token = token.as_str();
    let base = format!("http://{}", server.addr);

    // A release whose one finding is below the threshold passes.
    let passed = ci_step(
        &base,
        token,
        "1.0",
        "corpus/tfsec/one_finding_legacy.json",
        "critical",
    );
    assert_eq!(passed.code, 0, "summary:\n{}", passed.summary);
    assert!(
        passed.summary.starts_with(
            "## ScanLedger gate: passed\n\nProject `shop`, release `1.0`, 1 report(s) uploaded."
        ),
        "{}",
        passed.summary
    );
    assert!(passed.junit.is_some_and(|x| x.contains("<testsuite")));

    // A release with critical findings is blocked; its summary gives the reasons.
    let blocked = ci_step(
        &base,
        token,
        "2.0",
        "corpus/trivy-0.76/image-all-scanners-minidb.json corpus/tfsec/many_findings_*.json",
        "critical",
    );
    assert_eq!(blocked.code, 1, "summary:\n{}", blocked.summary);
    assert!(
        blocked.summary.starts_with(
            "## ScanLedger gate: blocked\n\nProject `shop`, release `2.0`, 3 report(s) uploaded."
        ),
        "{}",
        blocked.summary
    );
    assert!(blocked.summary.contains("critical"), "{}", blocked.summary);
    let junit = blocked.junit.expect("junit written");
    assert!(junit.contains("<failure"), "{junit}");

    // A token the server refuses is an error, never a pass.
    let refused = ci_step(&base, "slt_not_a_token", "3.0", "", "critical");
    assert_eq!(refused.code, 2, "summary:\n{}", refused.summary);
    assert!(refused.summary.starts_with("## ScanLedger gate: error"));
}
