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

/// A criterion's status over a period: the worst of its releases' statuses, every reason kept.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodCriterion {
    pub id: String,
    pub framework: String,
    pub title: String,
    #[serde(flatten)]
    pub status: ControlStatus,
    /// Each sealed release's status of the criterion.
    pub releases: BTreeMap<String, String>,
}

/// The controls of a period: each criterion's status over it, and what the period lacks (an
/// unsealed release, a bundle without `controls.json`, no release at all), which every
/// criterion's status carries as an exception. `scanledger audit-pack` signs it; the auditor's
/// page shows it.
#[derive(Debug, Clone, Default)]
pub struct PeriodControls {
    pub criteria: Vec<PeriodCriterion>,
    pub exceptions: Vec<String>,
}

/// The period's control statuses, from its releases as the pack lists them.
pub fn period_controls(input: &PackInput) -> PeriodControls {
    let mut exceptions = Vec::new();
    if input.releases.is_empty() {
        exceptions.push(format!(
            "no release of {} was created from {} to {}",
            input.project, input.from, input.to
        ));
    }
    let mut criteria: Vec<PeriodCriterion> = Vec::new();
    for r in &input.releases {
        let Some(seal) = &r.sealed else {
            exceptions.push(format!("release {} is not sealed", r.name));
            continue;
        };
        let Some(report) = &seal.controls else {
            exceptions.push(format!(
                "the bundle of release {} holds no controls.json",
                r.name
            ));
            continue;
        };
        for c in &report.criteria {
            let line = match criteria.iter_mut().position(|p| p.id == c.id) {
                Some(i) => &mut criteria[i],
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
                ) => {
                    // Same rank: keep both releases' reasons.
                    ControlStatus::Exception {
                        reason: format!("{a}; {b}"),
                    }
                }
                (ControlStatus::NotMet { reason: a }, ControlStatus::NotMet { reason: b }) => {
                    ControlStatus::NotMet {
                        reason: format!("{a}; {b}"),
                    }
                }
                (current, status) => worse(current, status),
            };
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
    PeriodControls {
        criteria,
        exceptions,
    }
}

/// `audit-pack.json`.
pub fn pack_json(input: &PackInput, key: &EvidenceKey) -> Result<Vec<u8>, ReportError> {
    let PeriodControls {
        criteria,
        exceptions,
    } = period_controls(input);
    let mut releases = Vec::new();
    for r in &input.releases {
        match &r.sealed {
            None => {
                releases
                    .push(json!({"release": r.name, "created_at": r.created_at, "sealed": false}));
            }
            Some(seal) => {
                let statuses: BTreeMap<&str, &str> = seal
                    .controls
                    .iter()
                    .flat_map(|report| &report.criteria)
                    .map(|c| (c.id.as_str(), c.status.as_str()))
                    .collect();
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

/// The period's rule: a release belongs to the period when it was created (UTC) on a day from
/// `from` to `to`, both included. As instants: `[from 00:00, to + 1 day 00:00)`.
pub fn period_bounds(from: NaiveDate, to: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let start = from.and_time(chrono::NaiveTime::MIN);
    let end = to
        .succ_opt()
        .map_or(NaiveDateTime::MAX, |d| d.and_time(chrono::NaiveTime::MIN));
    (start, end)
}

/// Whether a release created at `created_at` belongs to the period (see [`period_bounds`]).
pub fn in_period(created_at: NaiveDateTime, from: NaiveDate, to: NaiveDate) -> bool {
    let (start, end) = period_bounds(from, to);
    created_at >= start && created_at < end
}

/// A bundle's `controls.json`, as the pack lists it; `None` when the bundle has none (sealed
/// before control mappings).
pub fn bundle_controls<R: std::io::Read + std::io::Seek>(
    zip: R,
) -> Result<Option<ControlsReport>, ReportError> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(zip)?;
    let mut member = match archive.by_name(crate::controls::MEMBER) {
        Ok(member) => member,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut bytes = Vec::new();
    member.read_to_end(&mut bytes)?;
    Ok(Some(serde_json::from_slice(&bytes)?))
}

/// An auditor's sample: `n` of a population of `len` releases drawn at random with `seed`,
/// answered as positions in the population, in population order. ChaCha8 seeded from the
/// 64-bit seed, and `rand`'s index sampling without replacement: the same seed and population
/// give the same sample with this version of ScanLedger (the audit event records the releases
/// drawn, so a later version need not reproduce it). `n` at or above `len` is the whole
/// population.
pub fn sample(len: usize, n: usize, seed: u64) -> Vec<usize> {
    use rand::SeedableRng;
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    let mut chosen = rand::seq::index::sample(&mut rng, len, n.min(len)).into_vec();
    chosen.sort_unstable();
    chosen
}
