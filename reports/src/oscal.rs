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

use crate::controls::{ControlStatus, EvidenceKind, controls_report};
use crate::json_frame::ArrayWriter;
use crate::snapshot::{ReleaseSnapshot, ScanSnapshot};
use crate::{ReportError, canonical_json};
use chrono::NaiveDateTime;
use domain::{Policy, TriageStatus, ViewFinding};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use uuid::Uuid;

/// The OSCAL version the documents declare.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of every UUID ScanLedger writes into OSCAL: UUIDv5 of its URL.
fn namespace() -> Uuid {
    static NAMESPACE: std::sync::OnceLock<Uuid> = std::sync::OnceLock::new();
    *NAMESPACE.get_or_init(|| Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://scanledger.dev/oscal"))
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
    use chrono::{Datelike, Timelike};
    // chrono's `%Y` pads years 0 to 9999 to four digits, as this does, and writes others
    // with a sign: those are left to it. Written by hand, a POA&M of a million findings
    // formats its three million times in a fraction of the time.
    if (0..=9999).contains(&t.year()) {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    } else {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
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
    let mut out = Vec::new();
    write_assessment_results(snap, &mut out)?;
    Ok(out)
}

/// Where the streamed arrays of the assessment results go before the document is written.
const FINDINGS_MARK: &str = "\u{1}findings\u{1}";
const ACCEPTED_MARK: &str = "\u{1}accepted-risks\u{1}";

/// [`assessment_results`] into a writer. Every open blocking finding is a finding and every
/// accepted one a risk, so the two arrays are written one element at a time in the view's
/// order, each in a pass over the findings; nothing is held per finding but the gate's
/// blocking fingerprints the snapshot already holds.
pub fn write_assessment_results(
    snap: &ReleaseSnapshot,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let controls = controls_report(snap)?;
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
    let criteria: Vec<Value> = controls
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
    let is_blocking = |f: &ViewFinding| {
        blocking.contains(f.fingerprint.as_str())
            && matches!(f.status, TriageStatus::Open | TriageStatus::Confirmed)
    };
    let is_accepted = |f: &ViewFinding| f.status == TriageStatus::Accepted;
    let blocking_finding = |f: &ViewFinding| {
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
        finding
    };
    // Whether each array has an element: an empty one is written as it is, not streamed.
    let (mut any_blocking, mut any_accepted) = (false, false);
    snap.findings.try_for_each(|f| {
        any_blocking |= is_blocking(f);
        any_accepted |= is_accepted(f);
        Ok(())
    })?;
    let any_findings = !criteria.is_empty() || any_blocking;

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
        "rlinks": [{"href": crate::controls::MEMBER}, {"href": crate::members::MANIFEST}],
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
        "findings": if any_findings { json!(FINDINGS_MARK) } else { json!([]) },
    });
    if let Some(seal) = &snap.seal {
        result["end"] = json!(time(&seal.sealed_at));
    }
    if !scan_observations.is_empty() {
        result["observations"] = Value::Array(scan_observations);
    }
    if any_accepted {
        result["risks"] = json!(ACCEPTED_MARK);
    }

    let frame = canonical_json(&json!({
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
    }))?;
    // Both arrays are members of the one result, at depth 4 ("findings" sorts before "risks").
    let mut rest: &[u8] = &frame;
    if any_findings {
        rest = write_up_to(out, rest, FINDINGS_MARK)?;
        let mut array = ArrayWriter::new(out, 4)?;
        for finding in &criteria {
            array.push(finding)?;
        }
        for f in snap.findings.iter() {
            let f = f?;
            if is_blocking(&f) {
                array.push(&blocking_finding(&f))?;
            }
        }
        array.finish()?;
    }
    if any_accepted {
        rest = write_up_to(out, rest, ACCEPTED_MARK)?;
        let mut array = ArrayWriter::new(out, 4)?;
        for f in snap.findings.iter() {
            let f = f?;
            if is_accepted(&f) {
                array.push(&accepted_risk(snap, &f))?;
            }
        }
        array.finish()?;
    }
    out.write_all(rest)?;
    Ok(())
}

/// Writes a canonical frame up to the string `mark` stands as in it, and answers what follows.
fn write_up_to<'a>(
    out: &mut dyn Write,
    frame: &'a [u8],
    mark: &str,
) -> Result<&'a [u8], ReportError> {
    let mark = serde_json::to_vec(mark)?;
    let at = frame
        .windows(mark.len())
        .position(|w| w == mark.as_slice())
        .ok_or_else(|| ReportError::Invalid("an OSCAL frame lost its mark".into()))?;
    out.write_all(&frame[..at])?;
    Ok(&frame[at + mark.len()..])
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
    let mut out = Vec::new();
    write_poam(snap, &mut out)?;
    Ok(out)
}

/// An open finding's place in SLA order: breached first, then by due date, then most severe,
/// then its place in the view.
type SlaKey = (
    std::cmp::Reverse<bool>,
    Option<NaiveDateTime>,
    std::cmp::Reverse<domain::Severity>,
    usize,
);

/// Where an open finding's two elements were written: its POA&M item and its risk.
#[derive(Clone, Copy)]
struct Written {
    item: (u64, u32),
    risk: (u64, u32),
}

/// The POA&M item and the risk of each open finding, written as they will be in the document,
/// in the view's order, to two temporary files; then copied out in SLA order.
struct Elements {
    items: Spill,
    risks: Spill,
    pretty: Vec<u8>,
    text: Vec<u8>,
}

/// Elements written one after another to a temporary file, and read back by place.
struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    at: u64,
}

impl Spill {
    fn new() -> Result<Spill, ReportError> {
        Ok(Spill {
            file: std::io::BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?),
            at: 0,
        })
    }

    fn push(&mut self, bytes: &[u8]) -> Result<(u64, u32), ReportError> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| ReportError::Invalid("a POA&M element over 4 GiB".into()))?;
        self.file.write_all(bytes)?;
        let place = (self.at, len);
        self.at += u64::from(len);
        Ok(place)
    }

    fn into_file(self) -> Result<std::fs::File, ReportError> {
        self.file
            .into_inner()
            .map_err(|e| ReportError::Io(e.into_error()))
    }
}

impl Elements {
    fn push(
        &mut self,
        item: &impl serde::Serialize,
        risk: &impl serde::Serialize,
    ) -> Result<Written, ReportError> {
        // Both arrays are at depth 2.
        self.text.clear();
        crate::json_frame::write_indented(item, 2, &mut self.pretty, &mut self.text)?;
        let item = self.items.push(&self.text)?;
        self.text.clear();
        crate::json_frame::write_indented(risk, 2, &mut self.pretty, &mut self.text)?;
        let risk = self.risks.push(&self.text)?;
        Ok(Written { item, risk })
    }
}

/// Copies the elements at `places` out of `file`, in their order, into an array at depth 2.
fn copy_array(
    out: &mut dyn Write,
    file: &mut std::fs::File,
    places: impl Iterator<Item = (u64, u32)>,
) -> Result<(), ReportError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut array = ArrayWriter::new(out, 2)?;
    let mut element = Vec::new();
    for (at, len) in places {
        element.resize(len as usize, 0);
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut element)?;
        array.push_indented(&element)?;
    }
    array.finish()
}

/// A POA&M item, its fields in the order canonical JSON sorts them.
#[derive(serde::Serialize)]
struct PoamItem<'a> {
    description: String,
    #[serde(
        rename = "related-observations",
        skip_serializing_if = "Option::is_none"
    )]
    related_observations: Option<[RelatedObservation<'a>; 1]>,
    #[serde(rename = "related-risks")]
    related_risks: [RelatedRisk<'a>; 1],
    title: String,
    uuid: String,
}

/// A POA&M risk, its fields in the order canonical JSON sorts them.
#[derive(serde::Serialize)]
struct PoamRisk<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
    description: String,
    props: [Prop<'a>; 1],
    #[serde(
        rename = "related-observations",
        skip_serializing_if = "Option::is_none"
    )]
    related_observations: Option<[RelatedObservation<'a>; 1]>,
    statement: String,
    status: &'static str,
    title: String,
    uuid: &'a str,
}

#[derive(serde::Serialize, Clone, Copy)]
struct RelatedObservation<'a> {
    #[serde(rename = "observation-uuid")]
    observation_uuid: &'a str,
}

#[derive(serde::Serialize)]
struct RelatedRisk<'a> {
    #[serde(rename = "risk-uuid")]
    risk_uuid: &'a str,
}

#[derive(serde::Serialize)]
struct Prop<'a> {
    name: &'static str,
    value: &'a str,
}

/// Writes the POA&M item and the risk of an open finding; `observations` holds each scan's
/// observation UUID.
fn push_poam_elements(
    elements: &mut Elements,
    snap: &ReleaseSnapshot,
    observations: &BTreeMap<domain::ScanId, String>,
    f: &ViewFinding,
    item: &domain::SlaItem,
) -> Result<Written, ReportError> {
    let risk_id = id(snap, "risk", &f.fingerprint);
    // The observation of the scan the finding was last seen in, when the release has it.
    let related = observations.get(&f.scan_id).map(|uuid| {
        [RelatedObservation {
            observation_uuid: uuid,
        }]
    });
    let description = finding_description(f);
    let due = item.due_at.map(|d| time(&d));
    let poam_item = PoamItem {
        description: format!(
            "Remediate {description}{}",
            due.as_ref()
                .map(|d| format!(" Due {d}."))
                .unwrap_or_default()
        ),
        related_observations: related,
        related_risks: [RelatedRisk {
            risk_uuid: &risk_id,
        }],
        title: non_empty(&f.title),
        uuid: id(snap, "poam-item", &f.fingerprint),
    };
    let since = time(&item.first_seen_at);
    let risk = PoamRisk {
        statement: match (&due, item.breached) {
            (Some(due), true) => format!("Open since {since}; past its SLA due date {due}."),
            (Some(due), false) => format!("Open since {since}; due by {due} under the SLA."),
            (None, _) => format!("Open since {since}; its severity has no SLA."),
        },
        deadline: due,
        description,
        props: [Prop {
            name: "severity",
            value: f.severity.as_str(),
        }],
        related_observations: related,
        status: "open",
        title: non_empty(&f.title),
        uuid: &risk_id,
    };
    elements.push(&poam_item, &risk)
}

/// Where the streamed arrays go in the document before it is written.
const ITEMS_MARK: &str = "\u{1}poam-items\u{1}";
const RISKS_MARK: &str = "\u{1}risks\u{1}";

/// [`poam`] into a writer. Every open finding is a risk and an item, so the two arrays are
/// written one element at a time, in SLA order (breached first, then by due date, then most
/// severe; the view's order among equals). One pass over the findings writes each open
/// finding's two elements to temporary files; what is held is a small key per open finding.
pub fn write_poam(snap: &ReleaseSnapshot, out: &mut dyn Write) -> Result<(), ReportError> {
    let at = snap.reference_time();
    let policy = sla_policy(snap);
    // The open findings' SLA order, with where their elements were written.
    let mut order: Vec<(SlaKey, Written)> = Vec::new();
    let mut used_scans = BTreeSet::new();
    let observations: BTreeMap<domain::ScanId, String> = snap
        .scans
        .iter()
        .map(|s| (s.id, id(snap, "observation", &s.sha256)))
        .collect();
    let mut elements = Elements {
        items: Spill::new()?,
        risks: Spill::new()?,
        pretty: Vec::new(),
        text: Vec::new(),
    };
    for (index, f) in snap.findings.iter().enumerate() {
        let f = f?;
        if let Some(item) = domain::sla_item(&f, &policy, at) {
            used_scans.insert(f.scan_id);
            let written = push_poam_elements(&mut elements, snap, &observations, &f, &item)?;
            order.push((
                (
                    std::cmp::Reverse(item.breached),
                    item.due_at,
                    std::cmp::Reverse(item.severity),
                    index,
                ),
                written,
            ));
        }
    }
    order.sort_unstable_by_key(|(key, _)| *key);
    let mut items = elements.items.into_file()?;
    let mut risks = elements.risks.into_file()?;
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
        "poam-items": ITEMS_MARK,
    });
    if !scans.is_empty() {
        document["observations"] =
            Value::Array(scans.iter().map(|s| scan_observation(snap, s)).collect());
        document["back-matter"] =
            json!({"resources": scans.iter().map(|s| scan_resource(snap, s)).collect::<Vec<_>>()});
    }
    if !order.is_empty() {
        document["risks"] = json!(RISKS_MARK);
    }
    let frame = canonical_json(&json!({ "plan-of-action-and-milestones": document }))?;
    // The document around the two arrays, cut at their marks ("poam-items" sorts first).
    let items_mark = serde_json::to_vec(ITEMS_MARK)?;
    let risks_mark = serde_json::to_vec(RISKS_MARK)?;
    let cut = |bytes: &[u8], mark: &[u8]| -> Result<usize, ReportError> {
        bytes
            .windows(mark.len())
            .position(|w| w == mark)
            .ok_or_else(|| ReportError::Invalid("the POA&M frame lost its mark".into()))
    };
    let at_items = cut(&frame, &items_mark)?;
    out.write_all(&frame[..at_items])?;
    // Both arrays are at depth 2: elements indented by 6 spaces, the bracket by 4.
    if order.is_empty() {
        // OSCAL wants at least one item: say there is nothing to plan.
        let none = json!({
            "uuid": id(snap, "poam-item", "none"),
            "title": "No open finding counts against the SLA",
            "description": format!(
                "Release {} of {} has no open finding that counts against the SLA at {}.",
                snap.release,
                snap.project,
                time(&at)
            ),
        });
        write_array(out, [Ok(none)].into_iter())?;
    } else {
        copy_array(out, &mut items, order.iter().map(|(_, w)| w.item))?;
    }
    let rest = &frame[at_items + items_mark.len()..];
    if order.is_empty() {
        out.write_all(rest)?;
    } else {
        let at_risks = cut(rest, &risks_mark)?;
        out.write_all(&rest[..at_risks])?;
        copy_array(out, &mut risks, order.iter().map(|(_, w)| w.risk))?;
        out.write_all(&rest[at_risks + risks_mark.len()..])?;
    }
    Ok(())
}

/// A non-empty array of a canonical JSON document at depth 2, one element at a time, as
/// [`canonical_json`] would write it there.
fn write_array(
    out: &mut dyn Write,
    elements: impl Iterator<Item = Result<Value, ReportError>>,
) -> Result<(), ReportError> {
    let mut array = ArrayWriter::new(out, 2)?;
    for element in elements {
        array.push(&element?)?;
    }
    array.finish()
}
