//! `scanledger policy`: set (validate and store the next version), show, versions, check; the
//! verbs are those of every versioned project document (`document.rs`).

use super::document::{Kind, about};
use crate::ledger::Ledger;
use schema::{Policy, PolicyVersion};

/// Release policies, as the document verbs handle them.
pub const POLICIES: Kind<PolicyVersion> = Kind {
    noun: "policy",
    fetch,
    store: |ledger, project, source, actor| ledger.set_policy(project, source, actor),
    list: |ledger, project| ledger.policy_versions(project),
    about: |v| about!(v, set_at: Some(v.created_at)),
    counted: None,
    summarize,
};

/// A project without a policy (or without that version) has none to show: the gate uses the
/// defaults.
fn fetch(
    ledger: &dyn Ledger,
    project: &str,
    version: Option<i64>,
) -> anyhow::Result<PolicyVersion> {
    match (ledger.policy(project, version)?, version) {
        (Some(stored), _) => Ok(stored),
        (None, Some(v)) => anyhow::bail!("project {project} has no policy version {v}"),
        (None, None) => anyhow::bail!(
            "project {project} has no policy; the gate uses the defaults (docs/TRIAGE.md)"
        ),
    }
}

fn summarize(source: &str) -> anyhow::Result<String> {
    let policy = Policy::parse(source)?;
    Ok(format!(
        "fail_on {}, {} required tool(s), {} ignore rule(s)",
        policy.gate.fail_on,
        policy.gate.required_tools.len(),
        policy.ignore.len()
    ))
}
