//! OSCAL 1.1.2 documents of a release (NIST's Open Security Controls Assessment Language):
//!
//! - [`assessment_results`]: the control mapping's criteria as objectives, each with a finding
//!   that says `satisfied` or `not-satisfied`; each scan as an observation whose evidence is its
//!   raw report, a back-matter resource with the SHA-256 the manifest records; every open
//!   blocking finding as a finding `not-satisfied`; every accepted risk as a risk with its
//!   deviation (`deviation-approved` when it names an approver) and the justification as its
//!   remediation;
//! - [`poam`]: the plan of action and milestones: every open finding that counts against the
//!   SLA as a risk whose deadline is its SLA due date, and a POA&M item for it.
//!
//! Deterministic: every UUID is a UUIDv5 of a stable name (project, release, scan SHA-256,
//! finding fingerprint, criterion id) under ScanLedger's namespace, every time is one of the
//! snapshot's, and the JSON is canonical, so exporting the same release again gives the same
//! bytes.

use crate::controls::{ControlStatus, ControlsReport, EvidenceKind, controls_report};
use crate::snapshot::{ReleaseSnapshot, ScanSnapshot};
use crate::{ReportError, canonical_json};
use chrono::NaiveDateTime;
use domain::{Policy, TriageStatus, ViewFinding};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// The OSCAL version the documents declare.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of every UUID ScanLedger writes into OSCAL: UUIDv5 of its URL.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://scanledger.dev/oscal")
}

/// The UUID of a named thing of a release: stable across exports.
fn id(snap: &ReleaseSnapshot, kind: &str, name: &str) -> String {
    let stable = format!(
        "{}\u{0}{}\u{0}{kind}\u{0}{name}",
        snap.project, snap.release
    );
    Uuid::new_v5(&namespace(), stable.as_bytes()).to_string()
}

/// OSCAL's date-time with a time zone: the snapshot's times are UTC.
fn time(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An OSCAL token (`[\p{L}_][\p{L}\p{N}.\-_]*`) made of a criterion id: other characters
/// become `-`, and one that does not start with a letter or `_` gets a `_` in front.
pub fn token(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !out
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
    {
        out.insert(0, '_');
    }
    out
}

fn metadata(snap: &ReleaseSnapshot, title: String) -> Value {
    let mut metadata = json!({
        "title": title,
        "last-modified": time(&snap.reference_time()),
        "version": snap.release,
        "oscal-version": OSCAL_VERSION,
        "props": [
            {"name": "marking", "value": if snap.seal.is_some() { "sealed" } else { "draft" }},
        ],
    });
    if let Some(seal) = &snap.seal {
        let party = id(snap, "party", &seal.sealed_by);
        metadata["parties"] = json!([{"uuid": party, "type": "person", "name": seal.sealed_by}]);
    }
    metadata
}

fn non_empty(s: &str) -> String {
    if s.trim().is_empty() {
        "(none)".to_string()
    } else {
        s.to_string()
    }
}

/// Each scan as an observation; its raw report is the back-matter resource it points to.
fn scan_observation(snap: &ReleaseSnapshot, s: &ScanSnapshot) -> Value {
    json!({
        "uuid": id(snap, "observation", &s.sha256),
        "title": format!("{} scan {}", s.tool, s.label),
        "description": format!(
            "{} report ({}{}), {} findings, uploaded by {}{}.",
            s.tool,
            s.format,
            s.tool_version.as_deref().map(|v| format!(", version {v}")).unwrap_or_default(),
            s.total_findings(),
            s.uploaded_by,
            if s.partial { ", partial" } else { "" }
        ),
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": time(&s.uploaded_at),
        "relevant-evidence": [{
            "href": format!("#{}", id(snap, "resource", &s.sha256)),
            "description": format!("the raw report, {} in the evidence bundle", s.bundle_path()),
        }],
    })
}

fn scan_resource(snap: &ReleaseSnapshot, s: &ScanSnapshot) -> Value {
    json!({
        "uuid": id(snap, "resource", &s.sha256),
        "title": format!("{} raw report {}", s.tool, s.label),
        "rlinks": [{
            "href": s.bundle_path(),
            "hashes": [{"algorithm": "SHA-256", "value": s.sha256}],
        }],
    })
}

/// The observation of the scan a finding was last seen in, when the release has it.
fn observation_of(snap: &ReleaseSnapshot, f: &ViewFinding) -> Vec<Value> {
    snap.scans
        .iter()
        .filter(|s| s.id == f.scan_id)
        .map(|s| json!({"observation-uuid": id(snap, "observation", &s.sha256)}))
        .collect()
}

fn finding_description(f: &ViewFinding) -> String {
    format!(
        "{} {} finding of {} ({}) at {}; fingerprint {}.",
        f.severity.as_str(),
        f.kind,
        f.tool,
        f.rule_id,
        non_empty(&f.location()),
        f.fingerprint
    )
}

/// The objective status of a criterion: OSCAL knows `satisfied` and `not-satisfied`; an
/// exception is not satisfied as the rule asks, with its reason in the remarks.
fn objective_status(status: &ControlStatus) -> Value {
    match status {
        ControlStatus::Met => json!({"state": "satisfied", "reason": "pass"}),
        ControlStatus::Exception { reason } => json!({
            "state": "not-satisfied",
            "reason": "other",
            "remarks": format!("exception: {reason}"),
        }),
        ControlStatus::NotMet { reason } => json!({
            "state": "not-satisfied",
            "reason": "fail",
            "remarks": reason,
        }),
    }
}

fn scan_evidence(kind: EvidenceKind) -> bool {
    matches!(
        kind,
        EvidenceKind::Scans | EvidenceKind::RequiredTools | EvidenceKind::ScanAge
    )
}

/// The assessment results of a release as OSCAL JSON.
pub fn assessment_results(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    let controls = controls_report(snap)?;
    canonical_json(&assessment_results_value(snap, &controls)?)
}

fn assessment_results_value(
    snap: &ReleaseSnapshot,
    controls: &ControlsReport,
) -> Result<Value, ReportError> {
    let scan_observations: Vec<Value> = snap
        .scans
        .iter()
        .map(|s| scan_observation(snap, s))
        .collect();
    let all_scans: Vec<Value> = snap
        .scans
        .iter()
        .map(|s| json!({"observation-uuid": id(snap, "observation", &s.sha256)}))
        .collect();

    // The criteria as objectives, each with the finding that says how it stands.
    let mut findings: Vec<Value> = controls
        .criteria
        .iter()
        .map(|c| {
            let details: Vec<String> = c
                .evidence
                .iter()
                .map(|e| {
                    format!(
                        "{} ({}): {} [{}]",
                        e.kind.as_str(),
                        e.status.as_str(),
                        e.detail,
                        e.members.join(", ")
                    )
                })
                .collect();
            let mut finding = json!({
                "uuid": id(snap, "criterion", &c.id),
                "title": format!("{} {}", c.id, c.title),
                "description": format!("{}: {}", c.framework, details.join("; ")),
                "props": [{"name": "framework", "value": non_empty(&c.framework)}],
                "target": {
                    "type": "objective-id",
                    "target-id": token(&c.id),
                    "status": objective_status(&c.status),
                },
            });
            if c.evidence.iter().any(|e| scan_evidence(e.kind)) && !all_scans.is_empty() {
                finding["related-observations"] = Value::Array(all_scans.clone());
            }
            finding
        })
        .collect();

    // Open blocking findings: not satisfied, against the criteria that judge the gate.
    let gate_objective = controls
        .criteria
        .iter()
        .find(|c| {
            c.evidence
                .iter()
                .any(|e| e.kind == EvidenceKind::GateResult)
        })
        .map_or_else(|| "gate".to_string(), |c| token(&c.id));
    let blocking: BTreeSet<&str> = snap
        .gate
        .reasons
        .iter()
        .filter_map(|r| r.fingerprint.as_deref())
        .collect();
    // The blocking and the accepted findings, read in one pass.
    let mut accepted = Vec::new();
    let mut blocking_open = Vec::new();
    snap.findings.try_for_each(|f| {
        if blocking.contains(f.fingerprint.as_str())
            && matches!(f.status, TriageStatus::Open | TriageStatus::Confirmed)
        {
            blocking_open.push(f.clone());
        }
        if f.status == TriageStatus::Accepted {
            accepted.push(accepted_risk(snap, f));
        }
        Ok(())
    })?;
    for f in &blocking_open {
        let mut finding = json!({
            "uuid": id(snap, "finding", &f.fingerprint),
            "title": non_empty(&f.title),
            "description": finding_description(f),
            "props": [{"name": "severity", "value": f.severity.as_str()}],
            "target": {
                "type": "objective-id",
                "target-id": gate_objective,
                "status": {"state": "not-satisfied", "reason": "fail",
                           "remarks": "open finding that blocks the release gate"},
            },
        });
        let related = observation_of(snap, f);
        if !related.is_empty() {
            finding["related-observations"] = Value::Array(related);
        }
        findings.push(finding);
    }

    // Accepted risks: the deviation and its justification.
    let risks: Vec<Value> = accepted;

    let objectives: Vec<Value> = controls
        .criteria
        .iter()
        .map(|c| json!({"objective-id": token(&c.id)}))
        .collect();
    let controls_selected: Vec<Value> = controls
        .criteria
        .iter()
        .map(|c| json!({"control-id": token(&c.id)}))
        .collect();

    let plan = id(snap, "resource", "assessment-plan");
    let mut resources = vec![json!({
        "uuid": plan,
        "title": "Assessment plan: the project's policy and control mapping",
        "description": format!(
            "The release gate's policy (version {}) and the control mapping {} (version {}, SHA-256 {}), as recorded in the evidence bundle.",
            snap.policy.as_ref().map_or("default", |p| p.version.as_str()),
            controls.mapping.name,
            controls.mapping.version,
            controls.mapping.sha256
        ),
        "rlinks": [{"href": crate::controls::MEMBER}, {"href": crate::bundle::MANIFEST}],
    })];
    resources.extend(snap.scans.iter().map(|s| scan_resource(snap, s)));

    let mut result = json!({
        "uuid": id(snap, "result", "release"),
        "title": format!("{} {} security evidence", snap.project, snap.release),
        "description": format!(
            "Scans, findings and decisions of release {} of {}, evaluated against {}.",
            snap.release, snap.project, controls.mapping.name
        ),
        "start": time(&snap.release_created_at),
        "reviewed-controls": {
            "control-selections": [{"include-controls": controls_selected}],
            "control-objective-selections": [{"include-objectives": objectives}],
        },
        "findings": findings,
    });
    if let Some(seal) = &snap.seal {
        result["end"] = json!(time(&seal.sealed_at));
    }
    if !scan_observations.is_empty() {
        result["observations"] = Value::Array(scan_observations);
    }
    if !risks.is_empty() {
        result["risks"] = Value::Array(risks);
    }

    Ok(json!({
        "assessment-results": {
            "uuid": id(snap, "document", "assessment-results"),
            "metadata": metadata(
                snap,
                format!("{} {} assessment results", snap.project, snap.release)
            ),
            "import-ap": {"href": format!("#{plan}")},
            "results": [result],
            "back-matter": {"resources": resources},
        }
    }))
}

fn accepted_risk(snap: &ReleaseSnapshot, f: &ViewFinding) -> Value {
    let approved = f.approver().is_some_and(|a| !a.trim().is_empty());
    let mut risk = json!({
        "uuid": id(snap, "risk", &f.fingerprint),
        "title": non_empty(&f.title),
        "description": finding_description(f),
        "statement": format!(
            "Accepted{}{}.",
            f.approver().map(|a| format!(" by {a}")).unwrap_or_default(),
            f.expires_at().map(|e| format!(" until {}", time(&e))).unwrap_or_default()
        ),
        "status": if approved { "deviation-approved" } else { "deviation-requested" },
        "props": [{"name": "severity", "value": f.severity.as_str()}],
        "remediations": [{
            "uuid": id(snap, "remediation", &f.fingerprint),
            "lifecycle": "completed",
            "title": "Risk accepted",
            "description": non_empty(f.justification().unwrap_or("")),
        }],
    });
    if let Some(expires) = f.expires_at() {
        risk["deadline"] = json!(time(&expires));
    }
    let related = observation_of(snap, f);
    if !related.is_empty() {
        risk["related-observations"] = Value::Array(related);
    }
    risk
}

/// The policy the SLA's due dates come from: the one the snapshot recorded, else its SLA
/// days, else the defaults.
fn sla_policy(snap: &ReleaseSnapshot) -> Policy {
    if let Some(policy) = snap
        .policy
        .as_ref()
        .and_then(|p| p.text.as_deref())
        .and_then(|t| Policy::parse(t).ok())
    {
        return policy;
    }
    let mut policy = Policy::default();
    if let Some(days) = snap
        .sla
        .as_ref()
        .and_then(|s| s.get("sla_days"))
        .and_then(|d| serde_json::from_value(d.clone()).ok())
    {
        policy.sla = days;
    }
    policy
}

/// The plan of action and milestones of a release as OSCAL JSON.
pub fn poam(snap: &ReleaseSnapshot) -> Result<Vec<u8>, ReportError> {
    let at = snap.reference_time();
    // Every open finding is an item here: this member still holds them (and the document) in
    // memory, which a spooled snapshot otherwise avoids.
    let held;
    let all: &[ViewFinding] = match snap.findings.held() {
        Some(all) => all,
        None => {
            held = snap
                .findings
                .filtered(|f| f.status != TriageStatus::FalsePositive)?;
            &held
        }
    };
    let items = domain::sla_items(all, &sla_policy(snap), at);
    let by_fingerprint: HashMap<&str, &ViewFinding> =
        all.iter().map(|f| (f.fingerprint.as_str(), f)).collect();
    let mut risks = Vec::new();
    let mut poam_items = Vec::new();
    let mut used_scans = BTreeSet::new();
    for item in &items {
        let Some(f) = by_fingerprint.get(item.fingerprint.as_str()) else {
            continue;
        };
        let risk_id = id(snap, "risk", &f.fingerprint);
        let related = observation_of(snap, f);
        used_scans.insert(f.scan_id);
        let mut risk = json!({
            "uuid": risk_id,
            "title": non_empty(&f.title),
            "description": finding_description(f),
            "statement": match (item.due_at, item.breached) {
                (Some(due), true) => format!("Open since {}; past its SLA due date {}.", time(&item.first_seen_at), time(&due)),
                (Some(due), false) => format!("Open since {}; due by {} under the SLA.", time(&item.first_seen_at), time(&due)),
                (None, _) => format!("Open since {}; its severity has no SLA.", time(&item.first_seen_at)),
            },
            "status": "open",
            "props": [{"name": "severity", "value": f.severity.as_str()}],
        });
        if let Some(due) = item.due_at {
            risk["deadline"] = json!(time(&due));
        }
        if !related.is_empty() {
            risk["related-observations"] = Value::Array(related.clone());
        }
        risks.push(risk);
        let mut poam_item = json!({
            "uuid": id(snap, "poam-item", &f.fingerprint),
            "title": non_empty(&f.title),
            "description": format!(
                "Remediate {}{}",
                finding_description(f),
                item.due_at.map(|d| format!(" Due {}.", time(&d))).unwrap_or_default()
            ),
            "related-risks": [{"risk-uuid": risk_id}],
        });
        if !related.is_empty() {
            poam_item["related-observations"] = Value::Array(related);
        }
        poam_items.push(poam_item);
    }
    if poam_items.is_empty() {
        // OSCAL wants at least one item: say there is nothing to plan.
        poam_items.push(json!({
            "uuid": id(snap, "poam-item", "none"),
            "title": "No open finding counts against the SLA",
            "description": format!(
                "Release {} of {} has no open finding that counts against the SLA at {}.",
                snap.release,
                snap.project,
                time(&at)
            ),
        }));
    }
    let scans: Vec<&ScanSnapshot> = snap
        .scans
        .iter()
        .filter(|s| used_scans.contains(&s.id))
        .collect();
    let mut document = json!({
        "uuid": id(snap, "document", "poam"),
        "metadata": metadata(
            snap,
            format!("{} {} plan of action and milestones", snap.project, snap.release)
        ),
        "system-id": {"identifier-type": "https://scanledger.dev/ns/project", "id": snap.project},
        "poam-items": poam_items,
    });
    if !scans.is_empty() {
        document["observations"] =
            Value::Array(scans.iter().map(|s| scan_observation(snap, s)).collect());
        document["back-matter"] =
            json!({"resources": scans.iter().map(|s| scan_resource(snap, s)).collect::<Vec<_>>()});
    }
    if !risks.is_empty() {
        document["risks"] = Value::Array(risks);
    }
    canonical_json(&json!({ "plan-of-action-and-milestones": document }))
}
