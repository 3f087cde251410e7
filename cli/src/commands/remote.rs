//! The verbs in remote mode: the same flags and output as locally, over the server's API.

use super::{gate, query, upload};
use crate::Outcome;
use crate::args::{
    DiffArgs, FindingsArgs, GateArgs, ListArgs, ReleasesArgs, TextOrJson, UploadArgs,
};
use crate::output;
use crate::ledger::remote::Remote;
use schema::{FindingsPage, ImportOutcome};

fn list(items: &[impl ToString]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn projects(remote: &Remote, args: &ListArgs) -> anyhow::Result<Outcome> {
    let projects: Vec<schema::ProjectSummary> = remote.get(&Remote::path(&["projects"]), &[])?;
    query::show_projects(&projects, args.format)
}

pub fn releases(remote: &Remote, args: &ReleasesArgs) -> anyhow::Result<Outcome> {
    let releases: Vec<schema::ReleaseSummary> =
        remote.get(&Remote::path(&["projects", &args.project, "releases"]), &[])?;
    query::show_releases(&releases, args.format)
}

pub fn findings(remote: &Remote, args: &FindingsArgs) -> anyhow::Result<Outcome> {
    let path = Remote::path(&[
        "projects",
        &args.project,
        "releases",
        &args.release,
        "findings",
    ]);
    let mut base = vec![("limit", "1000".to_string())];
    if !args.severity.is_empty() {
        base.push(("severity", list(&args.severity)));
    }
    if let Some(min) = args.min_severity {
        base.push(("min_severity", min.to_string()));
    }
    if !args.kind.is_empty() {
        base.push(("kind", list(&args.kind)));
    }
    if !args.tool.is_empty() {
        base.push(("tool", args.tool.join(",")));
    }
    if !args.status.is_empty() {
        let statuses: Vec<&str> = args.status.iter().map(|s| s.as_str()).collect();
        base.push(("status", statuses.join(",")));
    }
    if let Some(text) = &args.text {
        base.push(("text", text.clone()));
    }
    let mut findings = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = base.clone();
        if let Some(c) = &cursor {
            q.push(("cursor", c.clone()));
        }
        let page: FindingsPage = remote.get(&path, &q)?;
        findings.extend(page.findings);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    // The local order: most severe first, then by rule and fingerprint.
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    query::show_findings(&findings, args.format, args.wide)
}

pub fn diff(remote: &Remote, args: &DiffArgs) -> anyhow::Result<Outcome> {
    let diff: schema::Diff = remote.get(
        &Remote::path(&["projects", &args.project, "diff"]),
        &[("from", args.from.clone()), ("to", args.to.clone())],
    )?;
    query::show_diff(diff, args)
}

pub fn gate(remote: &Remote, args: &GateArgs) -> anyhow::Result<Outcome> {
    let mut q = Vec::new();
    if let Some(fail_on) = args.options.fail_on {
        q.push(("fail_on", fail_on.to_string()));
    }
    if !args.options.require.is_empty() {
        q.push(("require", args.options.require.join(",")));
    }
    // Recorded, like the local `gate`; a caller whose role may not record (an auditor) gets
    // the same answer from the read, and nothing is recorded.
    let path = Remote::path(&["projects", &args.project, "releases", &args.release, "gate"]);
    let result: schema::GateResult = match remote.post(&path, &q) {
        Err(err)
            if err
                .downcast_ref::<crate::ledger::remote::Refused>()
                .is_some_and(|r| r.status == 403) =>
        {
            tell!("note: this evaluation is not recorded (recording needs the uploader role)");
            remote.get(&path, &q)?
        }
        answer => answer?,
    };
    gate::show(&result, args.format)
}

pub fn upload(remote: &Remote, args: &UploadArgs) -> anyhow::Result<Outcome> {
    let path = Remote::path(&[
        "projects",
        &args.project,
        "releases",
        &args.release,
        "scans",
    ]);
    let mut failed = 0usize;
    let mut done = Vec::new();
    for file in &args.files {
        let mut q = Vec::new();
        if let Some(label) = &args.label {
            q.push(("label", label.clone()));
        }
        if let Some(t) = &args.report_type {
            q.push(("type", t.clone()));
        }
        if let Some(name) = file.file_name() {
            q.push(("file_name", name.to_string_lossy().into_owned()));
        }
        match remote.upload::<ImportOutcome>(&path, &q, file) {
            Ok(outcome) => {
                match args.format {
                    TextOrJson::Json => output::json_line(&outcome)?,
                    TextOrJson::Text => upload::print_outcome(file, &outcome),
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
        anyhow::bail!("{}", upload::batch_summary(failed, args.files.len(), &done));
    }
    if args.gate {
        return gate(remote, &upload::gate_args(args));
    }
    Ok(Outcome::Ok)
}
