//! Evidence: the snapshot of a release that reports are rendered from, sealing a release
//! into a signed bundle, and reading a sealed bundle back.
//!
//! Sealing renders the bundle (`reports`) from a snapshot taken just before, outside any lock,
//! and then, in one write transaction: checks that the release is still open, that its scans
//! are still the snapshot's and that no other bundle joined the project's chain meanwhile;
//! stores the zip byte-exact in the blob store; marks the release sealed; and records the
//! bundle with the gate result at that moment. Any failure leaves the release open. Later,
//! `bundle` writes the stored zip again, byte-identical, whatever changed since (triage,
//! renderers, crate versions).

use crate::audit::{self, AuditEvent, NewAuditEvent};
use crate::blob::{Compression, store_blob, write_blob};
use crate::catalog::{current_scans, project_id, release, scans_of};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::import::ReportSource;
use crate::models::ReleaseRow;
use crate::tables::*;
use crate::tx::{read_tx, write_tx};
use crate::view::ViewFinding;
use crate::{GateOptions, GateReason, GateVerdict, Store, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::{ProjectId, ScanId};
use importers::Severity;
use reports::{
    DiffLine, EvidenceKey, GateReasonLine, GateSummary, PolicySnapshot, PreviousBundle,
    ReleaseSnapshot, ScanSnapshot, Seal,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek, SeekFrom, Write};

/// Who seals what, and under which gate.
#[derive(Debug, Clone)]
pub struct SealRequest<'a> {
    pub project: &'a str,
    pub release: &'a str,
    pub sealed_by: &'a str,
    pub gate: GateOptions,
    /// Seal although the gate blocks; the reason is recorded in the bundle and the store.
    pub allow_blocked_reason: Option<&'a str>,
    /// `scanledger 0.1.0`: written into the bundle.
    pub generator: &'a str,
}

/// A sealed release's bundle as recorded.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleRecord {
    pub project: String,
    pub release: String,
    pub sealed_at: NaiveDateTime,
    pub sealed_by: String,
    pub sha256: String,
    pub size: u64,
    pub sha256sums_sha256: String,
    pub previous_sha256: Option<String>,
    pub key_fingerprint: String,
    pub key_id: String,
    /// The gate's verdict at sealing (`gate_passed` in JSON).
    #[serde(rename = "gate_passed")]
    pub gate: GateVerdict,
    pub allow_blocked_reason: Option<String>,
    pub file_name: String,
}

/// Severity counts of one scan's occurrences.
fn scan_severities(
    conn: &mut DbConn,
    scan_id: ScanId,
) -> Result<BTreeMap<String, u64>, StoreError> {
    let rows: Vec<(i16, i64)> = occurrences::table
        .filter(occurrences::scan_id.eq(scan_id.get()))
        .group_by(occurrences::severity)
        .select((occurrences::severity, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (Severity::from_rank(s).as_str().to_string(), n as u64))
        .collect())
}

/// What a sealed bundle's manifest says of its gate, read without the rest.
#[derive(serde::Deserialize)]
struct ManifestGate {
    gate: GateSummary,
}

/// The audit chain's head a sealed bundle's manifest records, read without the rest.
#[derive(serde::Deserialize)]
struct ManifestAnchor {
    #[serde(default)]
    audit_anchor: Option<reports::AuditAnchor>,
}

fn diff_line(f: &ViewFinding) -> DiffLine {
    let location = f.location();
    DiffLine {
        fingerprint: f.fingerprint.clone(),
        severity: f.severity.as_str().to_string(),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        tool: f.tool.clone(),
        location,
    }
}

/// Gives back a SQLite connection's page cache (up to 64 MiB, `db.rs`), which the pool keeps
/// with the connection: reading every finding of a release fills it, and a seal renders the
/// bundle after. PostgreSQL keeps its cache in the server.
fn shrink_cache(conn: &mut DbConn) -> Result<(), StoreError> {
    if let DbConn::Sqlite(c) = conn {
        diesel::connection::SimpleConnection::batch_execute(c, "PRAGMA shrink_memory;")?;
    }
    Ok(())
}

fn gate_line(reason: &GateReason) -> GateReasonLine {
    // The reason's kind as the gate's JSON names it (`blocking_finding`, `missing_scan`, ...).
    let kind = serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.get("reason").and_then(|r| r.as_str()).map(str::to_string))
        .unwrap_or_else(|| reason.rule().to_string());
    GateReasonLine {
        reason: kind,
        message: reason.message(),
        fingerprint: reason.fingerprint().map(str::to_string),
    }
}

/// The gate's verdict for a snapshot with its reason lines (one per blocking finding).
fn gate_summary(result: crate::GateResult) -> GateSummary {
    let crate::GateResult {
        verdict,
        fail_on,
        required_tools,
        reasons,
        decided_in_tool,
        ..
    } = result;
    // Each reason is dropped as its line is made: the two are never all held at once. Not
    // `collect()`: it would keep the reasons' buffer, several times the lines', for the lines.
    let mut lines = Vec::with_capacity(reasons.len());
    for reason in reasons {
        lines.push(gate_line(&reason));
    }
    GateSummary {
        verdict,
        fail_on: fail_on.as_str().to_string(),
        required_tools,
        reasons: lines,
        decided_in_tool: decided_in_tool
            .iter()
            .map(crate::ToolDecidedFinding::describe)
            .collect(),
    }
}

/// A scan of a release's current view as its bundle describes it.
fn scan_snapshot(c: &mut DbConn, s: &crate::ScanSummary) -> Result<ScanSnapshot, StoreError> {
    let size: i64 = blobs::table.find(&s.sha256).select(blobs::size).first(c)?;
    Ok(ScanSnapshot {
        id: s.id,
        tool: s.tool.clone(),
        format: s.format.clone(),
        label: s.label.clone(),
        target: s.target.clone(),
        tool_version: s.tool_version.clone(),
        scanned_at: s.scanned_at.clone(),
        uploaded_at: s.uploaded_at,
        uploaded_by: s.uploaded_by.clone(),
        sha256: s.sha256.clone(),
        size: size as u64,
        file_name: s.file_name.clone(),
        partial: s.partial,
        by_severity: scan_severities(c, s.id)?,
    })
}

/// The raw reports of a release's current scans, read for a bundle whose time is `time`
/// (see [`reports::PreparedRaw`]).
fn prepare_raw(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    time: NaiveDateTime,
) -> Result<reports::PreparedRaw, StoreError> {
    let scans = read_tx(conn, |c| {
        let rel = release(c, project, release_name)?;
        let all = scans_of(c, rel.id)?;
        crate::view::current_summaries(&current_scans(&all))
            .iter()
            .map(|s| scan_snapshot(c, s))
            .collect::<Result<Vec<_>, _>>()
    })?;
    // Each page of a raw report is read once: a SQLite connection caches a few meanwhile,
    // not 64 MiB beside the snapshot's.
    set_sqlite_cache(conn, ONCE_CACHE_KIB)?;
    let mut raw = |scan: &ScanSnapshot, out: &mut dyn Write| {
        write_blob(conn, &scan.sha256, out)
            .map(|_| ())
            .map_err(std::io::Error::other)
    };
    let prepared = reports::PreparedRaw::read(&scans, time, &mut raw)
        .map_err(|e| StoreError::Internal(format!("reading the raw reports: {e}")));
    set_sqlite_cache(conn, crate::db::SQLITE_CACHE_KIB)?;
    prepared
}

/// The page cache of the SQLite connection reading a release's view for a snapshot, in KiB:
/// beside the raw reports' reader, each page once.
const SNAPSHOT_CACHE_KIB: i64 = 8 * 1024;

/// The page cache of a SQLite connection that reads or writes each page once (the raw reports,
/// the sealed bundle), in KiB: its B-tree's inner pages, not 64 MiB of pages never read again.
const ONCE_CACHE_KIB: i64 = 2 * 1024;

/// Sets a SQLite connection's page cache to `kib` KiB; PostgreSQL caches in the server.
fn set_sqlite_cache(conn: &mut DbConn, kib: i64) -> Result<(), StoreError> {
    if let DbConn::Sqlite(c) = conn {
        diesel::connection::SimpleConnection::batch_execute(
            c,
            &format!("PRAGMA cache_size = -{kib};"),
        )?;
    }
    Ok(())
}

/// The project's most recently sealed bundle: (release name, zip sha256, SHA256SUMS sha256).
fn latest_bundle(
    conn: &mut DbConn,
    project_id: ProjectId,
) -> Result<Option<(String, String, String)>, StoreError> {
    Ok(bundles::table
        .inner_join(releases::table)
        .filter(releases::project_id.eq(project_id.get()))
        .order((bundles::created_at.desc(), bundles::release_id.desc()))
        .select((releases::name, bundles::sha256, bundles::sha256sums_sha256))
        .first(conn)
        .optional()?)
}

/// One release of an audit period, sealed or not (`Store::period_releases`).
#[derive(Debug, Clone, Serialize)]
pub struct PeriodRelease {
    pub name: String,
    pub created_at: NaiveDateTime,
    /// The bundle as recorded at sealing (sealer, time, hash, gate verdict); `None`: open.
    pub bundle: Option<BundleRecord>,
}

/// An auditor's sample, to record (`Store::record_sample`).
#[derive(Debug, Clone)]
pub struct SampleRecord<'a> {
    pub actor: &'a str,
    pub project: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Releases in the period.
    pub population: usize,
    /// How many were asked for.
    pub n: usize,
    pub seed: u64,
    /// The releases drawn, in population order.
    pub releases: &'a [String],
    pub request_id: Option<&'a str>,
}

/// A `bundles` row as [`bundle_of`] reads it.
type BundleRow = (
    String,
    i64,
    String,
    Option<String>,
    String,
    String,
    bool,
    Option<String>,
);

const BUNDLE_COLUMNS: (
    bundles::sha256,
    bundles::size,
    bundles::sha256sums_sha256,
    bundles::previous_sha256,
    bundles::key_fingerprint,
    bundles::key_id,
    bundles::gate_passed,
    bundles::allow_blocked_reason,
) = (
    bundles::sha256,
    bundles::size,
    bundles::sha256sums_sha256,
    bundles::previous_sha256,
    bundles::key_fingerprint,
    bundles::key_id,
    bundles::gate_passed,
    bundles::allow_blocked_reason,
);

fn bundle_of(project: &str, rel: &ReleaseRow, row: BundleRow) -> BundleRecord {
    let (sha256, size, sums, previous, fingerprint, key_id, passed, reason) = row;
    let file_name = format!(
        "{}-{}-evidence.zip",
        reports::safe_name(project),
        reports::safe_name(&rel.name)
    );
    BundleRecord {
        project: project.to_string(),
        release: rel.name.clone(),
        sealed_at: rel.sealed_at.unwrap_or_default(),
        sealed_by: rel.sealed_by.clone().unwrap_or_default(),
        sha256,
        size: size as u64,
        sha256sums_sha256: sums,
        previous_sha256: previous,
        key_fingerprint: fingerprint,
        key_id,
        gate: GateVerdict::from_passed(passed),
        allow_blocked_reason: reason,
        file_name,
    }
}

/// The audit events that concern a release: its uploads, the decisions on its findings (those
/// of `present`, by fingerprint) and the policy version its gate used, oldest first, as JSON.
/// For a sealed release, only the events before the seal: what came after does not belong in
/// its evidence.
fn release_audit_events(
    events: Vec<crate::AuditEvent>,
    project: &str,
    release: &str,
    present: &HashSet<String>,
    policy_version: Option<i64>,
    sealed_at: Option<NaiveDateTime>,
) -> Vec<serde_json::Value> {
    let scan_prefix = format!("{project}/{release} ");
    let finding_prefix = format!("{project} finding ");
    let policy_subject = policy_version.map(|v| format!("{project} policy v{v}"));
    events
        .into_iter()
        .filter(|e| sealed_at.is_none_or(|sealed| e.at < sealed) && e.action != "release.seal")
        .filter(|e| {
            e.subject.starts_with(&scan_prefix)
                || e.subject
                    .strip_prefix(&finding_prefix)
                    .is_some_and(|fp| present.contains(fp))
                || policy_subject.as_deref() == Some(e.subject.as_str())
        })
        .filter_map(|e| serde_json::to_value(e).ok())
        .collect()
}

/// A rendered bundle in a temporary file, as a source for the blob store.
struct TempBundle(std::fs::File);

impl ReportSource for TempBundle {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        let mut file = self.0.try_clone()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Box::new(file))
    }
}

/// What [`Store::read_release`] reads for a snapshot.
struct ReleaseRead {
    rel: ReleaseRow,
    view: crate::spooled::SpooledView,
    scans: Vec<ScanSnapshot>,
    previous: Option<(String, String, String)>,
    sealed_gate: Option<String>,
    present: HashSet<String>,
    sla_at: NaiveDateTime,
    tally: crate::sla::SlaTally,
    diff: Option<reports::DiffSnapshot>,
    /// The gate, judged on the view as it was read (not recorded).
    gate: crate::GateResult,
    controls: Option<reports::MappingSnapshot>,
    access: reports::AccessSnapshot,
}

impl Store {
    /// The plain data every report and bundle is rendered from: the release's current view
    /// with triage decisions, its scans, the gate under `gate`, and the diff against the
    /// release before it. For a sealed release the seal is filled in from the store.
    pub fn release_snapshot(
        &self,
        project: &str,
        release_name: &str,
        gate: &GateOptions,
        generator: &str,
    ) -> Result<ReleaseSnapshot, StoreError> {
        let sealed = {
            let mut conn = self.conn()?;
            let rel = release(&mut conn, project, release_name)?;
            match (rel.sealed_at, rel.sealed_by) {
                (Some(at), Some(by)) => {
                    let (reason, manifest): (Option<String>, String) = bundles::table
                        .find(rel.id.get())
                        .select((bundles::allow_blocked_reason, bundles::manifest))
                        .first(&mut conn)
                        .optional()?
                        .unwrap_or_default();
                    // The chain head the bundle signed, as its manifest records it.
                    let anchor = serde_json::from_str::<ManifestAnchor>(&manifest)
                        .ok()
                        .and_then(|m| m.audit_anchor);
                    Some((
                        Seal {
                            sealed_at: at,
                            sealed_by: by,
                            allow_blocked_reason: reason,
                        },
                        anchor,
                    ))
                }
                _ => None,
            }
        };
        let (seal, anchor) = match sealed {
            Some((seal, anchor)) => (Some(seal), anchor),
            None => (None, None),
        };
        // Rendering a report records no gate evaluation; sealing does.
        let mut snap = self.snapshot(project, release_name, gate, generator, seal, false)?;
        snap.audit_anchor = anchor;
        Ok(snap)
    }

    fn snapshot(
        &self,
        project: &str,
        release_name: &str,
        gate: &GateOptions,
        generator: &str,
        seal: Option<Seal>,
        record_gate: bool,
    ) -> Result<ReleaseSnapshot, StoreError> {
        // The project's audit events first: the pass over the findings notes which of the
        // findings they name are in this release.
        let events = self.audit_list(&crate::AuditQuery {
            project: Some(project.to_string()),
            ..Default::default()
        })?;
        let finding_subject = format!("{project} finding ");
        let named: HashSet<&str> = events
            .iter()
            .filter_map(|e| e.subject.strip_prefix(&finding_subject))
            .collect();
        let ReleaseRead {
            rel,
            view,
            scans,
            previous,
            sealed_gate,
            present,
            sla_at,
            tally,
            diff,
            gate: gate_result,
            controls,
            access,
        } = self.read_release(project, release_name, &named, seal.as_ref(), gate)?;
        if record_gate {
            let mut conn = self.conn()?;
            write_tx(&mut conn, |c| {
                crate::gate::record_evaluation(c, rel.id, &gate_result, gate)
            })?;
        }
        let policy_version = gate_result.policy_version;
        let gate_now = gate_summary(gate_result);
        let audit_events = release_audit_events(
            events,
            project,
            release_name,
            &present,
            policy_version,
            rel.sealed_at,
        );
        let step = std::time::Instant::now();
        let sla = self.release_sla(project, release_name, sla_at, tally)?;
        tracing::debug!(
            elapsed_ms = step.elapsed().as_millis() as u64,
            "snapshot: sla"
        );
        // Each finding with its decision as it stands now: a snapshot is taken when a release is
        // sealed, and the sealed bundle is kept as bytes, so later decisions never alter it.
        let findings = view.findings;
        Ok(ReleaseSnapshot {
            generator: generator.to_string(),
            project: project.to_string(),
            release: release_name.to_string(),
            release_created_at: rel.created_at,
            seal,
            // A sealed release shows the gate as it was at sealing.
            gate: match sealed_gate.and_then(|m| serde_json::from_str::<ManifestGate>(&m).ok()) {
                Some(sealed) => sealed.gate,
                None => gate_now,
            },
            // The policy version the gate used, as written.
            policy: match policy_version {
                Some(version) => self
                    .policy(project, Some(version))?
                    .map(|p| PolicySnapshot {
                        version: p.version.to_string(),
                        text: Some(p.source),
                    }),
                None => None,
            },
            scans,
            findings,
            diff,
            previous_bundle: previous.map(|(release, sha256, sums)| PreviousBundle {
                release,
                sha256,
                sha256sums_sha256: sums,
            }),
            audit_events,
            sla: Some(sla),
            // Sealing fills it in; a report rendered from the store signs nothing.
            audit_anchor: None,
            controls,
            access: Some(access),
        })
    }

    /// What a snapshot reads of a release, in one read transaction: its view spooled (with the
    /// gate judged, the SLA tallied, the audit events' findings noted and the diff against
    /// the release before counted on the way), its scans, its chain link, its sealed gate,
    /// and the control mapping and access as of the seal.
    fn read_release(
        &self,
        project: &str,
        release_name: &str,
        named: &HashSet<&str>,
        seal: Option<&Seal>,
        gate: &GateOptions,
    ) -> Result<ReleaseRead, StoreError> {
        let mut conn = self.conn()?;
        // Every page of the view is read once, beside the raw reports' reader: a small page
        // cache (its B-tree's inner pages) while it is read.
        set_sqlite_cache(&mut conn, SNAPSHOT_CACHE_KIB)?;
        let read = read_tx(&mut conn, |c| {
            let rel = release(c, project, release_name)?;
            // The gate is judged on the view as it is read, in its order: the definition
            // the SQL-fed gate is tested against (`Store::gate_from_view`), with no query
            // of its own and none of the view's findings held.
            let (_, settings) = crate::gate::settings(c, project, release_name, gate)?;
            let mut judgement = domain::Judgement::new(&settings);
            // The SLA as of the seal for a sealed release, else now; by the policy the
            // gate judges by (the project's active one, or the defaults).
            let sla_at = rel.sealed_at.unwrap_or_else(now);
            let policy = &settings.policy;
            let mut tally = crate::sla::SlaTally::default();
            let mut present: HashSet<String> = HashSet::new();
            // Against the release before: what it has that this one does not, read now;
            // this one's findings are counted as they are spooled.
            let step = std::time::Instant::now();
            let mut diff = crate::snapshot_diff::DiffCounter::read(
                c,
                project,
                release_name,
                reports::DIFF_LINES,
                diff_line,
            )?;
            tracing::debug!(
                elapsed_ms = step.elapsed().as_millis() as u64,
                "snapshot: the release before, for the diff"
            );
            // The findings, spooled: read a page at a time, never all held.
            let view = crate::spooled::spool_view_in(c, project, release_name, |f| {
                tally.add(f, policy, sla_at);
                if named.contains(f.fingerprint.as_str()) {
                    present.insert(f.fingerprint.clone());
                }
                if let Some(diff) = diff.as_mut() {
                    diff.add(f, diff_line);
                }
                judgement.add(&domain::GateFinding::from(f));
            })?;
            let diff = diff.map(crate::snapshot_diff::DiffCounter::finish);
            let gate = judgement.finish(project, release_name, &view.scans, view.findings.len());
            let scans = view
                .scans
                .iter()
                .map(|s| scan_snapshot(c, s))
                .collect::<Result<Vec<_>, _>>()?;
            // A sealed release keeps the link it was sealed with; an open one would chain to
            // the project's latest bundle.
            let own: Option<Option<String>> = bundles::table
                .find(rel.id.get())
                .select(bundles::previous_sha256)
                .first(c)
                .optional()?;
            let previous = match own {
                None => latest_bundle(c, rel.project_id)?,
                Some(None) => None,
                Some(Some(sha)) => bundles::table
                    .inner_join(releases::table)
                    .filter(bundles::sha256.eq(&sha))
                    .select((releases::name, bundles::sha256, bundles::sha256sums_sha256))
                    .first(c)
                    .optional()?,
            };
            // The gate as the bundle signed it: its manifest's (the `gate` column holds it
            // without the reason lines since those can number a line per finding).
            let sealed_gate: Option<String> = bundles::table
                .find(rel.id.get())
                .select(bundles::manifest)
                .first(c)
                .optional()?;
            // The control mapping and who could act, as of the seal (or now, for a draft).
            let as_of = rel
                .sealed_at
                .or(seal.as_ref().map(|s| s.sealed_at))
                .unwrap_or_else(now);
            Ok(ReleaseRead {
                controls: crate::controls::mapping_at(c, rel.project_id, as_of)?,
                access: crate::controls::access_at(c, project, rel.project_id, as_of)?,
                rel,
                view,
                scans,
                previous,
                sealed_gate,
                present,
                sla_at,
                tally,
                diff,
                gate,
            })
        });
        // The cache is given back whether or not the read succeeded.
        set_sqlite_cache(&mut conn, crate::db::SQLITE_CACHE_KIB)?;
        shrink_cache(&mut conn)?;
        read
    }

    /// The release's SLA status for its bundle: the policy's days, counts per severity, the
    /// breached findings with their due dates, and the mean time to remediate. As of the seal
    /// for a sealed release.
    fn release_sla(
        &self,
        project: &str,
        release: &str,
        at: NaiveDateTime,
        tally: crate::sla::SlaTally,
    ) -> Result<serde_json::Value, StoreError> {
        let mut conn = self.conn()?;
        let sla = read_tx(&mut conn, |c| {
            crate::sla::sla_in(
                c,
                project,
                Some(release),
                10,
                at,
                crate::sla::CurrentFindings::Tally(tally),
            )
        })?;
        shrink_cache(&mut conn)?;
        let breached: Vec<serde_json::Value> = sla
            .items
            .iter()
            .filter(|i| i.days_left.is_some_and(|d| d < 0))
            .map(|i| {
                serde_json::json!({
                    "fingerprint": i.fingerprint,
                    "rule_id": i.rule_id,
                    "title": i.title,
                    "severity": i.severity,
                    "status": i.status,
                    "first_seen_at": i.first_seen_at,
                    "due_at": i.due_at,
                })
            })
            .collect();
        Ok(serde_json::json!({
            "policy_version": sla.policy_version,
            "sla_days": sla.sla,
            "summary": sla.summary,
            "breaches": sla.breaches,
            "breached": breached,
            "mttr_releases": sla.mttr_releases,
            "mttr": sla.mttr,
        }))
    }

    /// Seals a release: freezes it, signs its bundle with `key`, stores the bundle and chains
    /// it to the project's previous one. Refuses a sealed release, and a blocked one unless
    /// `allow_blocked_reason` says why.
    pub fn seal(
        &self,
        req: &SealRequest<'_>,
        key: &EvidenceKey,
    ) -> Result<BundleRecord, StoreError> {
        {
            let mut conn = self.conn()?;
            let rel = release(&mut conn, req.project, req.release)?;
            if let (Some(at), by) = (rel.sealed_at, rel.sealed_by) {
                return Err(StoreError::Conflict(format!(
                    "release {:?} of project {:?} was sealed at {at} by {}",
                    req.release,
                    req.project,
                    by.unwrap_or_default()
                )));
            }
        }
        if req
            .allow_blocked_reason
            .is_some_and(|r| r.trim().is_empty())
        {
            return Err(StoreError::invalid(
                "reason",
                "sealing a blocked release needs a reason",
            ));
        }
        let started = std::time::Instant::now();
        let sealed_at = now();
        let seal = Seal {
            sealed_at,
            sealed_by: req.sealed_by.to_string(),
            allow_blocked_reason: None,
        };
        // The raw reports are read, checked and deflated on another core while the snapshot
        // is taken, each through its own connection.
        let (snapshot, prepared) = std::thread::scope(|scope| {
            let raw = scope.spawn(|| {
                let mut conn = self.conn()?;
                let prepared = prepare_raw(&mut conn, req.project, req.release, sealed_at)?;
                shrink_cache(&mut conn)?;
                Ok(prepared)
            });
            let snapshot = self.snapshot(
                req.project,
                req.release,
                &req.gate,
                req.generator,
                Some(seal),
                true,
            );
            let prepared = raw.join().unwrap_or_else(|_| {
                Err(StoreError::Internal(
                    "reading the raw reports panicked".into(),
                ))
            });
            (snapshot, prepared)
        });
        let mut snapshot = snapshot?;
        let prepared = prepared?;
        if !prepared.is_for(&snapshot) {
            return Err(StoreError::Conflict(
                "a scan arrived while sealing; seal again".into(),
            ));
        }
        if !snapshot.gate.verdict.is_passed() {
            match req.allow_blocked_reason {
                None => {
                    return Err(StoreError::Blocked {
                        project: req.project.into(),
                        release: req.release.into(),
                        reasons: snapshot.gate.reasons.len(),
                    });
                }
                Some(reason) => {
                    if let Some(seal) = snapshot.seal.as_mut() {
                        seal.allow_blocked_reason = Some(reason.trim().to_string());
                    }
                }
            }
        }

        // The chain head as of now goes into the signed manifest: an outside anchor for the
        // log (the seal's own event follows it).
        snapshot.audit_anchor = Some(self.audit_head()?);
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "snapshot taken"
        );
        // Render and sign outside the write lock.
        let file = tempfile_in_temp_dir()?;
        let outcome = {
            reports::write_prepared_bundle(&snapshot, key, prepared, &file)
                .map_err(|e| StoreError::Internal(format!("writing the bundle: {e}")))?
        };
        let source = TempBundle(file);
        // The gate's reason lines are in the manifest now; not held while it is stored.
        drop(std::mem::take(&mut snapshot.gate.reasons));
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            size = outcome.size,
            "bundle rendered and signed"
        );

        let mut conn = self.conn()?;
        set_sqlite_cache(&mut conn, ONCE_CACHE_KIB)?;
        let stored = write_tx(&mut conn, |c| {
            let rel = release(c, req.project, req.release)?;
            if rel.sealed_at.is_some() {
                return Err(StoreError::Conflict(format!(
                    "release {:?} was sealed by someone else meanwhile",
                    req.release
                )));
            }
            let all = scans_of(c, rel.id)?;
            let now_ids: Vec<i64> = current_scans(&all).iter().map(|s| s.id.get()).collect();
            let snap_ids: Vec<i64> = snapshot.scans.iter().map(|s| s.id.get()).collect();
            if now_ids != snap_ids {
                return Err(StoreError::Conflict(
                    "a scan arrived while sealing; seal again".into(),
                ));
            }
            let latest = latest_bundle(c, rel.project_id)?.map(|(_, sha, _)| sha);
            if latest != snapshot.previous_bundle.as_ref().map(|p| p.sha256.clone()) {
                return Err(StoreError::Conflict(
                    "another release of the project was sealed meanwhile; seal again".into(),
                ));
            }
            store_blob(
                c,
                source.open()?,
                &outcome.sha256,
                outcome.size,
                Compression::Never,
            )?;
            let updated = diesel::update(
                releases::table
                    .filter(releases::id.eq(rel.id.get()))
                    .filter(releases::sealed_at.is_null()),
            )
            .set((
                releases::sealed_at.eq(sealed_at),
                releases::sealed_by.eq(req.sealed_by),
            ))
            .execute(c)?;
            if updated != 1 {
                return Err(StoreError::Conflict(
                    "the release could not be sealed".into(),
                ));
            }
            // The gate without its reason lines (a line per blocking finding): the full gate
            // is in the manifest, which is stored beside it.
            let gate_json = serde_json::to_string(&snapshot.gate.without_reasons())
                .unwrap_or_else(|_| "{}".into());
            diesel::insert_into(bundles::table)
                .values((
                    bundles::release_id.eq(rel.id.get()),
                    bundles::sha256.eq(&outcome.sha256),
                    bundles::size.eq(outcome.size as i64),
                    bundles::sha256sums_sha256.eq(&outcome.sha256sums_sha256),
                    bundles::previous_sha256.eq(latest.as_deref()),
                    bundles::manifest.eq(String::from_utf8_lossy(&outcome.manifest).as_ref()),
                    bundles::key_fingerprint.eq(&outcome.key_fingerprint),
                    bundles::key_id.eq(&outcome.key_id),
                    bundles::gate_passed.eq(snapshot.gate.verdict.is_passed()),
                    bundles::gate.eq(&gate_json),
                    bundles::allow_blocked_reason.eq(snapshot
                        .seal
                        .as_ref()
                        .and_then(|s| s.allow_blocked_reason.as_deref())),
                    bundles::created_at.eq(sealed_at),
                ))
                .execute(c)?;
            crate::audit::append(
                c,
                &[crate::audit::NewAuditEvent {
                    actor: req.sealed_by,
                    action: "release.seal",
                    project: Some(req.project),
                    subject: format!("{}/{} bundle", req.project, req.release),
                    before: None,
                    after: Some(serde_json::json!({
                        "bundle_sha256": outcome.sha256,
                        "previous_sha256": latest,
                        "key_fingerprint": outcome.key_fingerprint,
                        "gate_passed": snapshot.gate.verdict,
                        "allow_blocked_reason": snapshot.seal.as_ref().and_then(|s| s.allow_blocked_reason.clone()),
                    })),
                    request_id: None,
                }],
            )?;
            Ok(())
        });
        set_sqlite_cache(&mut conn, crate::db::SQLITE_CACHE_KIB)?;
        shrink_cache(&mut conn)?;
        stored?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            project = req.project,
            release = req.release,
            sha256 = %outcome.sha256,
            "sealed release"
        );
        self.bundle_record(req.project, req.release)?
            .ok_or_else(|| StoreError::Internal("the bundle vanished after sealing".into()))
    }

    /// The bundle of a sealed release, if it is sealed.
    pub fn bundle_record(
        &self,
        project: &str,
        release_name: &str,
    ) -> Result<Option<BundleRecord>, StoreError> {
        let mut conn = self.conn()?;
        let rel = release(&mut conn, project, release_name)?;
        let row: Option<BundleRow> = bundles::table
            .find(rel.id.get())
            .select(BUNDLE_COLUMNS)
            .first(&mut conn)
            .optional()?;
        Ok(row.map(|row| bundle_of(project, &rel, row)))
    }

    /// The releases of an audit period: every release of `project` created from `from` to
    /// `to` (UTC days, both included: `reports::audit_pack::period_bounds`, the rule
    /// `scanledger audit-pack` applies), oldest first, each with its bundle as recorded once
    /// sealed. One read transaction.
    pub fn period_releases(
        &self,
        project: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PeriodRelease>, StoreError> {
        let (start, end) = reports::audit_pack::period_bounds(from, to);
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let pid = project_id(c, project)?;
            let rows: Vec<(ReleaseRow, Option<BundleRow>)> = releases::table
                .left_join(bundles::table)
                .filter(releases::project_id.eq(pid.get()))
                .filter(releases::created_at.ge(start))
                .filter(releases::created_at.lt(end))
                .order((releases::created_at.asc(), releases::name.asc()))
                .select((ReleaseRow::as_select(), BUNDLE_COLUMNS.nullable()))
                .load(c)?;
            Ok(rows
                .into_iter()
                .map(|(rel, row)| PeriodRelease {
                    bundle: row.map(|row| bundle_of(project, &rel, row)),
                    name: rel.name,
                    created_at: rel.created_at,
                })
                .collect())
        })
    }

    /// The project's bundle whose zip hashes to `sha256` (a bundle's `previous_sha256` names
    /// the one before it in the chain), if the store holds it.
    pub fn bundle_with_sha256(
        &self,
        project: &str,
        sha256: &str,
    ) -> Result<Option<BundleRecord>, StoreError> {
        let name: Option<String> = {
            let mut conn = self.conn()?;
            let pid = project_id(&mut conn, project)?;
            bundles::table
                .inner_join(releases::table)
                .filter(releases::project_id.eq(pid.get()))
                .filter(bundles::sha256.eq(sha256))
                .select(releases::name)
                .first(&mut conn)
                .optional()?
        };
        match name {
            Some(name) => self.bundle_record(project, &name),
            None => Ok(None),
        }
    }

    /// Records an auditor's sample of a period's releases in the audit log (`audit.sample`):
    /// the period, the population's size, how many were asked for, the seed and the releases
    /// drawn. One write transaction.
    pub fn record_sample(&self, sample: &SampleRecord<'_>) -> Result<AuditEvent, StoreError> {
        let mut conn = self.conn()?;
        write_tx(&mut conn, |c| {
            project_id(c, sample.project)?;
            let event = audit::append(
                c,
                &[NewAuditEvent {
                    actor: sample.actor,
                    action: "audit.sample",
                    project: Some(sample.project),
                    subject: format!(
                        "{} {}..{} sample of {}",
                        sample.project, sample.from, sample.to, sample.n
                    ),
                    before: None,
                    after: Some(serde_json::json!({
                        "from": sample.from,
                        "to": sample.to,
                        "population": sample.population,
                        "n": sample.n,
                        "seed": sample.seed.to_string(),
                        "releases": sample.releases,
                    })),
                    request_id: sample.request_id,
                }],
            )?;
            event
                .into_iter()
                .next()
                .ok_or_else(|| StoreError::Internal("the sample's audit event vanished".into()))
        })
    }

    /// Every sealed bundle, oldest first (the server checks the audit log against them).
    pub fn bundle_records(&self) -> Result<Vec<BundleRecord>, StoreError> {
        let names: Vec<(String, String)> = {
            let mut conn = self.conn()?;
            bundles::table
                .inner_join(releases::table.inner_join(projects::table))
                .order((bundles::created_at.asc(), bundles::release_id.asc()))
                .select((projects::name, releases::name))
                .load(&mut conn)?
        };
        let mut out = Vec::with_capacity(names.len());
        for (project, release) in names {
            out.extend(self.bundle_record(&project, &release)?);
        }
        Ok(out)
    }

    /// Writes a sealed release's bundle, byte-identical to the one made at sealing.
    pub fn write_bundle(
        &self,
        project: &str,
        release_name: &str,
        out: &mut dyn Write,
    ) -> Result<BundleRecord, StoreError> {
        let record = self.bundle_record(project, release_name)?.ok_or_else(|| {
            StoreError::Conflict(format!(
                "release {release_name:?} of project {project:?} is not sealed: seal it first (scanledger seal)"
            ))
        })?;
        let mut conn = self.conn()?;
        let written = write_blob(&mut conn, &record.sha256, out)?;
        if written != record.size {
            return Err(StoreError::Corrupt(format!(
                "the stored bundle has {written} bytes, {} were recorded",
                record.size
            )));
        }
        Ok(record)
    }
}

/// An anonymous temporary file (removed when dropped).
fn tempfile_in_temp_dir() -> Result<std::fs::File, StoreError> {
    Ok(tempfile::tempfile()?)
}
