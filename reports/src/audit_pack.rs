//! The audit pack of a period: one signed, deterministic zip that lists every release of a
//! project created in the period, each sealed one with its bundle's SHA-256 and the status of
//! each control mapping criterion in its `controls.json`, and each criterion's status over the
//! period. A release of the period that is not sealed, or a sealed one whose bundle holds no
//! control statuses, is an exception the pack names.
//!
//! Members: `audit-pack.json` (canonical JSON), `signing-key.pem`, `signing-key.pub`,
//! `allowed_signers`, `SHA256SUMS` (of the others) and its signatures `SHA256SUMS.sig` (raw
//! Ed25519) and `SHA256SUMS.sshsig` (namespace `scanledger-evidence`), checked with the same
//! commands as a bundle's (docs/EVIDENCE.md). Pure: the same releases, period and key give the
//! same bytes.

use crate::controls::{ControlStatus, ControlsReport};
use crate::keys::{EvidenceKey, SSH_NAMESPACE};
use crate::{ReportError, canonical_json};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The pack's `format`.
pub const FORMAT: &str = "scanledger-audit-pack/1";

/// One release of the period, as the caller read it from the ledger.
#[derive(Debug, Clone)]
pub struct PackRelease {
    pub name: String,
    pub created_at: NaiveDateTime,
    /// `None`: the release is open.
    pub sealed: Option<PackSeal>,
}

/// A sealed release's bundle, as stored.
#[derive(Debug, Clone)]
pub struct PackSeal {
    pub sealed_at: NaiveDateTime,
    pub sealed_by: String,
    /// SHA-256 of the bundle zip.
    pub bundle_sha256: String,
    /// The bundle's `controls.json`; `None` when it has none (sealed before control mappings).
    pub controls: Option<ControlsReport>,
}

/// What the pack covers.
#[derive(Debug, Clone)]
pub struct PackInput {
    pub generator: String,
    pub project: String,
    /// First and last day of the period (UTC), both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The releases created in the period, oldest first.
    pub releases: Vec<PackRelease>,
}

#[derive(Debug, Clone, Serialize)]
struct PeriodCriterion {
    id: String,
    framework: String,
    title: String,
    #[serde(flatten)]
    status: ControlStatus,
    /// Each sealed release's status of the criterion.
    releases: BTreeMap<String, String>,
}

fn worse(a: ControlStatus, b: ControlStatus) -> ControlStatus {
    let rank = |s: &ControlStatus| match s {
        ControlStatus::Met => 0,
        ControlStatus::Exception { .. } => 1,
        ControlStatus::NotMet { .. } => 2,
    };
    if rank(&b) > rank(&a) { b } else { a }
}

fn with_reason(status: ControlStatus, reason: String) -> ControlStatus {
    match status {
        ControlStatus::Met => ControlStatus::Exception { reason },
        ControlStatus::Exception { reason: r } => ControlStatus::Exception {
            reason: format!("{r}; {reason}"),
        },
        ControlStatus::NotMet { reason: r } => ControlStatus::NotMet {
            reason: format!("{r}; {reason}"),
        },
    }
}

/// `audit-pack.json`.
pub fn pack_json(input: &PackInput, key: &EvidenceKey) -> Result<Vec<u8>, ReportError> {
    let mut exceptions = Vec::new();
    if input.releases.is_empty() {
        exceptions.push(format!(
            "no release of {} was created from {} to {}",
            input.project, input.from, input.to
        ));
    }
    let mut criteria: Vec<PeriodCriterion> = Vec::new();
    let mut releases = Vec::new();
    for r in &input.releases {
        match &r.sealed {
            None => {
                exceptions.push(format!("release {} is not sealed", r.name));
                releases
                    .push(json!({"release": r.name, "created_at": r.created_at, "sealed": false}));
            }
            Some(seal) => {
                let mut statuses = BTreeMap::new();
                match &seal.controls {
                    None => exceptions.push(format!(
                        "the bundle of release {} holds no controls.json",
                        r.name
                    )),
                    Some(report) => {
                        for c in &report.criteria {
                            statuses.insert(c.id.clone(), c.status.as_str());
                            let line = match criteria.iter_mut().find(|p| p.id == c.id) {
                                Some(line) => line,
                                None => {
                                    criteria.push(PeriodCriterion {
                                        id: c.id.clone(),
                                        framework: c.framework.clone(),
                                        title: c.title.clone(),
                                        status: ControlStatus::Met,
                                        releases: BTreeMap::new(),
                                    });
                                    let last = criteria.len() - 1;
                                    &mut criteria[last]
                                }
                            };
                            line.releases
                                .insert(r.name.clone(), c.status.as_str().to_string());
                            let status = match &c.status {
                                ControlStatus::Met => ControlStatus::Met,
                                ControlStatus::Exception { reason } => ControlStatus::Exception {
                                    reason: format!("{}: {reason}", r.name),
                                },
                                ControlStatus::NotMet { reason } => ControlStatus::NotMet {
                                    reason: format!("{}: {reason}", r.name),
                                },
                            };
                            let current = std::mem::replace(&mut line.status, ControlStatus::Met);
                            line.status = match (current, status) {
                                (
                                    ControlStatus::Exception { reason: a },
                                    ControlStatus::Exception { reason: b },
                                )
                                | (
                                    ControlStatus::NotMet { reason: a },
                                    ControlStatus::NotMet { reason: b },
                                ) => {
                                    // Same rank: keep both releases' reasons.
                                    if matches!(c.status, ControlStatus::NotMet { .. }) {
                                        ControlStatus::NotMet {
                                            reason: format!("{a}; {b}"),
                                        }
                                    } else {
                                        ControlStatus::Exception {
                                            reason: format!("{a}; {b}"),
                                        }
                                    }
                                }
                                (current, status) => worse(current, status),
                            };
                        }
                    }
                }
                releases.push(json!({
                    "release": r.name,
                    "created_at": r.created_at,
                    "sealed": true,
                    "sealed_at": seal.sealed_at,
                    "sealed_by": seal.sealed_by,
                    "bundle_sha256": seal.bundle_sha256,
                    "mapping": seal.controls.as_ref().map(|c| &c.mapping),
                    "criteria": statuses,
                }));
            }
        }
    }
    // What the period lacks, every criterion lacks: its evidence does not cover the population.
    if !exceptions.is_empty() {
        let gap = exceptions.join("; ");
        for c in &mut criteria {
            let status = std::mem::replace(&mut c.status, ControlStatus::Met);
            c.status = with_reason(status, gap.clone());
        }
    }
    let mut summary: BTreeMap<&str, u64> = [("met", 0), ("exception", 0), ("not_met", 0)]
        .into_iter()
        .collect();
    for c in &criteria {
        *summary.entry(c.status.as_str()).or_default() += 1;
    }
    let public = key.public();
    canonical_json(&json!({
        "format": FORMAT,
        "generator": input.generator,
        "project": input.project,
        "from": input.from,
        "to": input.to,
        "releases": releases,
        "exceptions": exceptions,
        "criteria": criteria,
        "summary": summary,
        "signing_key": {
            "algorithm": "ed25519",
            "fingerprint": public.fingerprint(),
            "key_id": public.key_id(),
        },
    }))
}

/// The zip's timestamp: the end of the period (a pure function of the input).
fn zip_time(to: NaiveDate) -> DateTime {
    use chrono::Datelike;
    DateTime::from_date_and_time(
        to.year().clamp(1980, 2107) as u16,
        to.month() as u8,
        to.day() as u8,
        23,
        59,
        58,
    )
    .unwrap_or_default()
}

/// Writes the signed pack into `out`; answers the zip's SHA-256.
pub fn write_audit_pack(
    input: &PackInput,
    key: &EvidenceKey,
    out: &mut dyn Write,
) -> Result<String, ReportError> {
    let public = key.public();
    let mut members: Vec<(String, Vec<u8>)> = vec![
        ("audit-pack.json".into(), pack_json(input, key)?),
        ("signing-key.pem".into(), public.to_pem().into_bytes()),
        (
            "signing-key.pub".into(),
            format!("{}\n", public.to_openssh()).into_bytes(),
        ),
        (
            "allowed_signers".into(),
            format!("{}\n", public.allowed_signers_line()).into_bytes(),
        ),
    ];
    members.sort();
    let mut sums = String::new();
    for (name, bytes) in &members {
        sums.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(bytes))));
    }
    let sums = sums.into_bytes();
    members.push(("SHA256SUMS.sig".into(), key.sign_raw(&sums).to_vec()));
    members.push((
        "SHA256SUMS.sshsig".into(),
        key.sshsig(SSH_NAMESPACE, &sums).into_bytes(),
    ));
    members.push(("SHA256SUMS".into(), sums));
    members.sort();

    // A pack is a few kilobytes per release: built in memory, then written.
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .last_modified_time(zip_time(input.to))
        .unix_permissions(0o644)
        .compression_method(CompressionMethod::Stored);
    for (name, bytes) in &members {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    let bytes = zip.finish()?.into_inner();
    out.write_all(&bytes)?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}
