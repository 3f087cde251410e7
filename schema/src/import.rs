//! Importing one report into a release: blob, scan, findings and occurrences in one transaction,
//! or nothing.
//!
//! The report is read three times from its [`ReportSource`]: once to hash it (before any lock is
//! taken, so a repeated upload is answered cheaply), once to store it byte-exact in 1 MiB chunks,
//! and once to stream it through the importer. Findings are written in batches as they arrive,
//! so memory stays bounded by the batch, not the report.

use crate::blob;
use crate::catalog::{ensure_project, ensure_release};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::import_writer::{BATCH, FindingWriter, WriteTimings, refuse_control};
use crate::models::{NewScan, ScanRow};
use crate::tables::*;
use crate::tx::write_tx;
use crate::{Store, now};
use diesel::prelude::*;
use domain::{FindingId, ProjectId, ReleaseId, ScanId};
use importers::{Finding, Severity};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;

/// Where the raw report comes from. It is opened several times (hash, store, parse).
pub trait ReportSource {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>>;
}

impl ReportSource for &std::path::Path {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(std::fs::File::open(self)?))
    }
}

impl ReportSource for std::path::PathBuf {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(std::fs::File::open(self)?))
    }
}

impl ReportSource for &[u8] {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(*self))
    }
}

impl ReportSource for Vec<u8> {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        Ok(Box::new(self.as_slice()))
    }
}

/// What to import, where, and as whom.
pub struct ImportRequest<'a> {
    pub project: &'a str,
    pub release: &'a str,
    /// The slot label; by default the tool and the scan's target without tag or digest.
    pub label: Option<&'a str>,
    /// A format name to force; detected from content when `None`.
    pub format: Option<&'a str>,
    pub file_name: Option<&'a str>,
    pub uploaded_by: &'a str,
    /// The request that uploads (recorded in the audit event).
    pub request_id: Option<&'a str>,
    /// Called with (bytes parsed, total bytes) while the report streams through its importer.
    pub progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
}

/// New, unchanged and fixed findings against the previous scan of the same slot.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotComparison {
    pub previous_scan_id: domain::ScanId,
    pub previous_release: String,
    pub new: u64,
    pub unchanged: u64,
    pub fixed: u64,
}

/// The result of an import. `duplicate` says the same bytes were already in this slot and
/// nothing new was stored; the other fields then describe the existing scan.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    pub scan_id: domain::ScanId,
    pub duplicate: bool,
    pub project: String,
    pub release: String,
    pub sha256: String,
    pub size: u64,
    pub tool: String,
    pub format: String,
    pub label: String,
    pub target: Option<String>,
    pub tool_version: Option<String>,
    /// Distinct findings (fingerprints) in the scan.
    pub findings: u64,
    /// Records of the report that repeated a fingerprint already seen in the same report.
    pub duplicates_merged: u64,
    /// The report says it is incomplete: findings it lacks are not counted as fixed.
    pub partial: bool,
    pub by_severity: BTreeMap<Severity, u64>,
    pub compared_to: Option<SlotComparison>,
    pub warnings: Vec<String>,
}

/// The stable part of a scan target for the default slot label: no image tag or digest, which
/// change every release (`registry/shop:4.2.0@sha256:..` → `registry/shop`).
pub fn stable_target(target: &str) -> &str {
    let target = target.trim();
    let target = target.split_once('@').map_or(target, |(head, _)| head);
    let last_slash = target.rfind('/').map_or(0, |i| i + 1);
    match target[last_slash..].rfind(':') {
        // `host:port/...` has its colon before the last slash, so it stays.
        Some(colon) if !target.contains("://") => &target[..last_slash + colon],
        _ => target,
    }
}

fn default_label(tool: &str, target: Option<&str>) -> String {
    match target.map(stable_target).filter(|t| !t.is_empty()) {
        Some(t) => format!("{tool}:{t}"),
        None => tool.to_string(),
    }
}

fn hash_source(source: &dyn ReportSource) -> Result<(String, u64), StoreError> {
    let mut reader = source.open()?;
    Ok(reports::bundle::sha256_of_reader(&mut reader)?)
}

/// Reports parse progress as bytes go by.
struct CountingReader<'a, R> {
    inner: R,
    read: u64,
    total: u64,
    reported: u64,
    progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if let Some(progress) = self.progress
            && (self.read - self.reported >= 1 << 20 || n == 0)
        {
            self.reported = self.read;
            progress(self.read, self.total);
        }
        Ok(n)
    }
}

impl Store {
    /// Imports one report into a release (creating project and release when missing).
    pub fn import_scan(
        &self,
        req: &ImportRequest<'_>,
        source: &dyn ReportSource,
    ) -> Result<ImportOutcome, StoreError> {
        if let Some(label) = req.label {
            refuse_control("label", label)?;
        }
        let started = std::time::Instant::now();
        let (sha256, size) = hash_source(source)?;
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            size,
            "hashed report"
        );
        if size == 0 {
            return Err(StoreError::Import(importers::ImportError::Empty));
        }
        let mut conn = self.conn()?;
        let result = write_tx(&mut conn, |c| import_in_tx(c, req, source, &sha256, size));
        match result {
            // Another replica stored the same bytes in the same slot at the same moment: the
            // unique key turned ours away, and theirs is the answer.
            Err(StoreError::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ))) => write_tx(&mut conn, |c| {
                let project_id = ensure_project(c, req.project, req.actor())?;
                let release = ensure_release(c, project_id, req.release)?;
                match find_duplicate(c, release.id, &sha256, req.label)? {
                    Some(existing) => describe_existing(c, req, existing, size),
                    None => Err(StoreError::Conflict(
                        "concurrent upload conflict; retry".into(),
                    )),
                }
            }),
            other => other,
        }
    }
}

fn find_duplicate(
    conn: &mut DbConn,
    release_id: ReleaseId,
    sha256: &str,
    label: Option<&str>,
) -> Result<Option<ScanRow>, StoreError> {
    let mut query = scans::table
        .filter(scans::release_id.eq(release_id.get()))
        .filter(scans::blob_sha256.eq(sha256))
        .select(ScanRow::as_select())
        .order(scans::id.desc())
        .into_boxed();
    if let Some(label) = label {
        query = query.filter(scans::label.eq(label));
    }
    Ok(query.first(conn).optional()?)
}

fn severity_counts(
    conn: &mut DbConn,
    scan_id: ScanId,
) -> Result<BTreeMap<Severity, u64>, StoreError> {
    let rows: Vec<(i16, i64)> = occurrences::table
        .filter(occurrences::scan_id.eq(scan_id.get()))
        .group_by(occurrences::severity)
        .select((occurrences::severity, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (Severity::from_rank(s), n as u64))
        .collect())
}

fn describe_existing(
    conn: &mut DbConn,
    req: &ImportRequest<'_>,
    scan: ScanRow,
    size: u64,
) -> Result<ImportOutcome, StoreError> {
    Ok(ImportOutcome {
        by_severity: severity_counts(conn, scan.id)?,
        scan_id: scan.id,
        duplicate: true,
        project: req.project.to_string(),
        release: req.release.to_string(),
        sha256: scan.blob_sha256,
        size,
        tool: scan.tool,
        format: scan.format,
        label: scan.label,
        target: scan.target,
        tool_version: scan.tool_version,
        findings: scan.finding_count as u64,
        duplicates_merged: scan.duplicates_merged as u64,
        partial: scan.partial,
        compared_to: None,
        warnings: serde_json::from_str(&scan.warnings).unwrap_or_default(),
    })
}

fn import_in_tx(
    conn: &mut DbConn,
    req: &ImportRequest<'_>,
    source: &dyn ReportSource,
    sha256: &str,
    size: u64,
) -> Result<ImportOutcome, StoreError> {
    // Before the project may be created: creating takes the audit chain's lock, which every
    // import takes last, so this order (project, then chain) is the same for all.
    lock_project_imports(conn, req.project)?;
    let project_id = ensure_project(conn, req.project, req.actor())?;
    let release = ensure_release(conn, project_id, req.release)?;
    if release.sealed_at.is_some() {
        return Err(StoreError::Sealed {
            project: req.project.into(),
            release: req.release.into(),
        });
    }
    if let Some(existing) = find_duplicate(conn, release.id, sha256, req.label)? {
        return describe_existing(conn, req, existing, size);
    }
    // The blob's row first: the scan row refers to it. Its chunks are written below, while the
    // report is parsed.
    let blob_is_new = !blob::blob_exists(conn, sha256)?;
    if blob_is_new {
        blob::insert_blob_row(conn, sha256, size)?;
    }
    let started = std::time::Instant::now();

    // Detect before inserting the scan, so the scan row starts with its format and tool.
    let peeked = importers::input::peek(source.open()?)?;
    let importer = importers::choose(&peeked.head_text(), req.format)?;
    let uploaded_at = now();
    let placeholder_label = format!("(importing) {sha256}");
    let scan_id: ScanId = diesel::insert_into(scans::table)
        .values(NewScan {
            release_id: release.id.get(),
            tool: importer.tool(),
            format: importer.format(),
            label: req.label.unwrap_or(&placeholder_label),
            target: None,
            tool_version: None,
            scanned_at: None,
            blob_sha256: sha256,
            file_name: req.file_name,
            uploaded_at,
            uploaded_by: req.uploaded_by,
            finding_count: 0,
            duplicates_merged: 0,
            warnings: "[]",
            fingerprint_version: importers::FINGERPRINT_VERSION,
        })
        .returning(scans::id)
        .get_result::<i64>(conn)
        .map(ScanId::new)?;

    let mut writer = FindingWriter {
        project_id,
        tool: importer.tool(),
        scan_id,
        uploaded_at,
        seen: HashSet::new(),
        batch: Vec::with_capacity(BATCH),
        duplicates: 0,
        by_severity: BTreeMap::new(),
        finding_ids: Vec::new(),
        timings: WriteTimings::default(),
    };
    let mut reader = CountingReader {
        inner: peeked.into_reader(),
        read: 0,
        total: size,
        reported: 0,
        progress: req.progress,
    };
    let raw_reader = blob_is_new.then(|| source.open()).transpose()?;
    // Three threads: the importer parses, another reads, hashes and compresses the raw chunks,
    // and this one, the only one with the connection, writes whatever is ready. On two cores
    // the parse and the compression hide behind the inserts. Bounded channels keep memory to a
    // few batches of findings and a few chunks.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Finding>(BATCH * 2);
    let (chunk_sender, chunks) = std::sync::mpsc::sync_channel::<blob::EncodedChunk>(4);
    let (parsed, encoded, written) = std::thread::scope(|scope| {
        let encoder = raw_reader.map(|raw| {
            scope.spawn(move || {
                blob::encode_chunks(raw, sha256, blob::Compression::IfSmaller, |chunk| {
                    chunk_sender
                        .send(chunk)
                        .map_err(|_| StoreError::Internal("the import stopped".into()))
                })
            })
        });
        let parser = scope.spawn(move || {
            let mut sink = |finding: Finding| -> Result<(), importers::SinkError> {
                sender
                    .send(finding)
                    .map_err(|_| "the store stopped the import".into())
            };
            importers::import_with(importer, &mut reader, &mut sink)
        });
        let mut written = Ok(());
        for finding in receiver.iter() {
            let step = writer.push(conn, finding).and_then(|()| {
                chunks
                    .try_iter()
                    .try_for_each(|chunk| blob::insert_chunk(conn, sha256, &chunk))
            });
            if let Err(err) = step {
                written = Err(err);
                break;
            }
        }
        // Dropping the receiver stops a parser that is still sending.
        drop(receiver);
        let parsed = parser
            .join()
            .unwrap_or_else(|_| Err(importers::ImportError::Sink("the importer panicked".into())));
        // The rest of the chunks, unless the import failed already.
        if written.is_ok() && parsed.is_ok() {
            written = chunks
                .iter()
                .try_for_each(|chunk| blob::insert_chunk(conn, sha256, &chunk));
        }
        drop(chunks);
        let encoded = match encoder {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(StoreError::Internal("the chunk encoder panicked".into()))),
            None => Ok(()),
        };
        (parsed, encoded, written)
    });
    // A write error is the cause when several failed (the others only saw a closed channel);
    // then a bad report; then a report that changed under us.
    written?;
    let importers::Parsed { info, refinements } = parsed?;
    encoded?;
    writer.flush(conn)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        findings = writer.seen.len(),
        timings = ?writer.timings,
        "parsed and stored findings"
    );

    if let Some(target) = &info.target {
        refuse_control("scan target", target)?;
    }
    let label = match req.label {
        Some(l) => l.to_string(),
        None => default_label(&info.tool, info.target.as_deref()),
    };
    let warnings = serde_json::to_string(&info.warnings).unwrap_or_else(|_| "[]".into());
    let findings = writer.seen.len() as u64;
    diesel::update(scans::table.find(scan_id.get()))
        .set((
            scans::tool.eq(&info.tool),
            scans::label.eq(&label),
            scans::target.eq(info.target.as_deref()),
            scans::tool_version.eq(info.tool_version.as_deref()),
            scans::scanned_at.eq(info.scanned_at.as_deref()),
            scans::finding_count.eq(findings as i64),
            scans::duplicates_merged.eq(writer.duplicates as i64),
            scans::warnings.eq(&warnings),
            scans::partial.eq(info.partial),
        ))
        .execute(conn)?;

    if info.tool != importer.tool() {
        diesel::update(findings::table)
            .filter(findings::first_seen_scan_id.eq(scan_id.get()))
            .set(findings::tool.eq(&info.tool))
            .execute(conn)?;
    }
    let refined = crate::identity::mark_refined(
        conn,
        &crate::identity::ImportedSlot {
            project_id,
            release_id: release.id,
            scan_id,
            tool: &info.tool,
            label: &label,
        },
        &refinements,
    )?;
    let compared_to = compare_with_previous_scan(
        conn,
        &NewScanSlot {
            project_id,
            release_id: release.id,
            scan_id,
            tool: &info.tool,
            label: &label,
            partial: info.partial,
        },
        &writer.finding_ids,
    )?;
    let mut uploaded = serde_json::json!({
        "scan_id": scan_id, "tool": info.tool, "format": importer.format(),
        "label": label, "sha256": sha256, "size": size, "findings": findings,
    });
    if refined > 0 {
        uploaded["identity_refined"] = refined.into();
    }
    crate::audit::append(
        conn,
        &[crate::audit::NewAuditEvent {
            actor: req.uploaded_by,
            action: "scan.upload",
            project: Some(req.project),
            subject: format!("{}/{} scan {scan_id}", req.project, req.release),
            before: None,
            after: Some(uploaded),
            request_id: req.request_id,
        }],
    )?;
    tracing::info!(
        scan_id = scan_id.get(),
        project = req.project,
        release = req.release,
        findings,
        "imported scan"
    );
    Ok(ImportOutcome {
        scan_id,
        duplicate: false,
        project: req.project.to_string(),
        release: req.release.to_string(),
        sha256: sha256.to_string(),
        size,
        tool: info.tool,
        format: importer.format().to_string(),
        label,
        target: info.target,
        tool_version: info.tool_version,
        findings,
        duplicates_merged: writer.duplicates,
        partial: info.partial,
        by_severity: writer.by_severity,
        compared_to,
        warnings: info.warnings,
    })
}

/// PostgreSQL: one import at a time per project, across replicas, until the transaction ends.
/// Imports of a project add findings and components that the next one must see (the bulk
/// `COPY` cannot skip a row another import added meanwhile); other projects go on in parallel.
/// SQLite's write transaction is exclusive already. Keyed by the project's name (it may not
/// exist yet) and the schema (advisory locks are per database); two names that hash alike
/// only wait for each other.
fn lock_project_imports(conn: &mut DbConn, project: &str) -> Result<(), StoreError> {
    if let DbConn::Postgres(c) = conn {
        // The two-key form lives in its own key space: no clash with the one-key locks.
        diesel::sql_query(
            "SELECT pg_advisory_xact_lock($1, hashtext(current_schema() || '/' || $2))",
        )
        .bind::<diesel::sql_types::Integer, _>(IMPORT_LOCK_CLASS)
        .bind::<diesel::sql_types::Text, _>(project)
        .execute(c)?;
    }
    Ok(())
}

/// First key of the per-project import lock.
const IMPORT_LOCK_CLASS: i32 = 0x5CA7_1390;

/// The just-imported scan and its slot.
struct NewScanSlot<'a> {
    project_id: ProjectId,
    release_id: ReleaseId,
    scan_id: ScanId,
    tool: &'a str,
    label: &'a str,
    partial: bool,
}

/// Compares the new scan with the previous scan of its slot: the one before it in this release,
/// else the newest of the slot in the nearest earlier release.
fn compare_with_previous_scan(
    conn: &mut DbConn,
    scan: &NewScanSlot<'_>,
    finding_ids: &[FindingId],
) -> Result<Option<SlotComparison>, StoreError> {
    let NewScanSlot {
        project_id,
        release_id,
        scan_id,
        tool,
        label,
        partial,
    } = *scan;
    let previous: Option<(i64, String)> = scans::table
        .inner_join(releases::table)
        .filter(releases::project_id.eq(project_id.get()))
        .filter(releases::id.le(release_id.get()))
        .filter(scans::id.ne(scan_id.get()))
        .filter(scans::tool.eq(tool))
        .filter(scans::label.eq(label))
        .order((releases::id.desc(), scans::id.desc()))
        .select((scans::id, releases::name))
        .first(conn)
        .optional()?;
    let Some((previous_scan_id, previous_release)) = previous else {
        return Ok(None);
    };
    let before: HashSet<FindingId> = occurrences::table
        .filter(occurrences::scan_id.eq(previous_scan_id))
        .select(occurrences::finding_id)
        .load::<i64>(conn)?
        .into_iter()
        .map(FindingId::new)
        .collect();
    let now: HashSet<FindingId> = finding_ids.iter().copied().collect();
    let unchanged = now.intersection(&before).count() as u64;
    Ok(Some(SlotComparison {
        previous_scan_id: domain::ScanId::new(previous_scan_id),
        previous_release,
        new: now.len() as u64 - unchanged,
        unchanged,
        // A partial report cannot tell what is gone.
        fixed: if partial {
            0
        } else {
            before.len() as u64 - unchanged
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::stable_target;

    #[test]
    fn targets_lose_tags_and_digests() {
        assert_eq!(
            stable_target("registry.example.com:5000/shop/api:4.2.0"),
            "registry.example.com:5000/shop/api"
        );
        assert_eq!(stable_target("shop:4.2.0@sha256:abc"), "shop");
        assert_eq!(stable_target("shop@sha256:abc"), "shop");
        assert_eq!(stable_target("."), ".");
        assert_eq!(
            stable_target("https://example.com:8443/app"),
            "https://example.com:8443/app"
        );
    }
}
