//! Importing one report into a release: blob, scan, findings and occurrences in one transaction,
//! or nothing.
//!
//! The report is read three times from its [`ReportSource`]: once to hash it (before any lock is
//! taken, so a repeated upload is answered cheaply), once to store it byte-exact in 1 MiB chunks,
//! and once to stream it through the importer. Findings are written in batches as they arrive,
//! so memory stays bounded by the batch, not the report.

use crate::catalog::{ensure_project, ensure_release};
use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use crate::models::{NewComponent, NewFinding, NewOccurrence, NewScan, ScanRow};
use crate::tables::*;
use crate::tx::write_tx;
use crate::{Store, now};
use diesel::prelude::*;
use importers::{Finding, Severity};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

/// Raw report chunk size in the database.
const CHUNK: usize = 1024 * 1024;
/// Findings per insert statement: within SQLite's 32766 and PostgreSQL's 65535 bind parameters
/// for the widest table (occurrences, 18 columns).
const BATCH: usize = 1500;

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
pub struct SlotComparison {
    pub previous_scan_id: i64,
    pub previous_release: String,
    pub new: u64,
    pub unchanged: u64,
    pub fixed: u64,
}

/// The result of an import. `duplicate` says the same bytes were already in this slot and
/// nothing new was stored; the other fields then describe the existing scan.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ImportOutcome {
    pub scan_id: i64,
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
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
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
                    None => Err(StoreError::Invalid(
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
    release_id: i64,
    sha256: &str,
    label: Option<&str>,
) -> Result<Option<ScanRow>, StoreError> {
    let mut query = scans::table
        .filter(scans::release_id.eq(release_id))
        .filter(scans::blob_sha256.eq(sha256))
        .select(ScanRow::as_select())
        .order(scans::id.desc())
        .into_boxed();
    if let Some(label) = label {
        query = query.filter(scans::label.eq(label));
    }
    Ok(query.first(conn).optional()?)
}

fn severity_counts(conn: &mut DbConn, scan_id: i64) -> Result<BTreeMap<Severity, u64>, StoreError> {
    let rows: Vec<(i16, i64)> = occurrences::table
        .filter(occurrences::scan_id.eq(scan_id))
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
    let started = std::time::Instant::now();
    store_blob(conn, source, sha256, size)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "stored raw report"
    );
    let started = std::time::Instant::now();

    // Detect before inserting the scan, so the scan row starts with its format and tool.
    let peeked = importers::input::peek(source.open()?)?;
    let importer = importers::choose(&peeked.head_text(), req.format)?;
    let uploaded_at = now();
    let placeholder_label = format!("(importing) {sha256}");
    let scan_id: i64 = diesel::insert_into(scans::table)
        .values(NewScan {
            release_id: release.id,
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
        })
        .returning(scans::id)
        .get_result(conn)?;

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
    };
    let mut reader = CountingReader {
        inner: peeked.into_reader(),
        read: 0,
        total: size,
        reported: 0,
        progress: req.progress,
    };
    // The importer parses on a second thread while this one writes batches: on two cores the
    // parse and the inserts overlap. A bounded channel keeps memory to a few batches.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Finding>(BATCH * 2);
    let (parsed, written) = std::thread::scope(|scope| {
        let parser = scope.spawn(move || {
            let mut sink = |finding: Finding| -> Result<(), importers::SinkError> {
                sender
                    .send(finding)
                    .map_err(|_| "the store stopped the import".into())
            };
            importer.import(&mut reader, &mut sink)
        });
        let mut written = Ok(());
        for finding in receiver.iter() {
            if let Err(err) = writer.push(conn, finding) {
                written = Err(err);
                break;
            }
        }
        // Dropping the receiver stops a parser that is still sending.
        drop(receiver);
        let parsed = parser
            .join()
            .unwrap_or_else(|_| Err(importers::ImportError::Sink("the importer panicked".into())));
        (parsed, written)
    });
    // A write error is the cause when both failed (the parser only saw the closed channel).
    written?;
    let info = parsed?;
    writer.flush(conn)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        findings = writer.seen.len(),
        "parsed and stored findings"
    );

    let label = match req.label {
        Some(l) => l.to_string(),
        None => default_label(&info.tool, info.target.as_deref()),
    };
    let warnings = serde_json::to_string(&info.warnings).unwrap_or_else(|_| "[]".into());
    let findings = writer.seen.len() as u64;
    diesel::update(scans::table.find(scan_id))
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
            .filter(findings::first_seen_scan_id.eq(scan_id))
            .set(findings::tool.eq(&info.tool))
            .execute(conn)?;
    }
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
    crate::audit::append(
        conn,
        &[crate::audit::NewAuditEvent {
            actor: req.uploaded_by,
            action: "scan.upload",
            project: Some(req.project),
            subject: format!("{}/{} scan {scan_id}", req.project, req.release),
            before: None,
            after: Some(serde_json::json!({
                "scan_id": scan_id, "tool": info.tool, "format": importer.format(),
                "label": label, "sha256": sha256, "size": size, "findings": findings,
            })),
            request_id: req.request_id,
        }],
    )?;
    tracing::info!(
        scan_id,
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

/// Stores the raw bytes in 1 MiB chunks, unless the same content is already stored.
pub(crate) fn store_blob(
    conn: &mut DbConn,
    source: &dyn ReportSource,
    sha256: &str,
    size: u64,
) -> Result<(), StoreError> {
    let exists = blobs::table
        .find(sha256)
        .select(blobs::sha256)
        .first::<String>(conn)
        .optional()?
        .is_some();
    if exists {
        return Ok(());
    }
    diesel::insert_into(blobs::table)
        .values((
            blobs::sha256.eq(sha256),
            blobs::size.eq(size as i64),
            blobs::created_at.eq(now()),
        ))
        .execute(conn)?;
    let mut reader = source.open()?;
    let mut hasher = Sha256::new();
    let mut seq = 0i32;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let filled = fill(&mut reader, &mut buf)?;
        if filled == 0 {
            break;
        }
        hasher.update(&buf[..filled]);
        diesel::insert_into(blob_chunks::table)
            .values((
                blob_chunks::sha256.eq(sha256),
                blob_chunks::seq.eq(seq),
                blob_chunks::data.eq(&buf[..filled]),
            ))
            .execute(conn)?;
        seq += 1;
    }
    // The file must not have changed between hashing and storing.
    if hex::encode(hasher.finalize()) != sha256 {
        return Err(StoreError::Invalid(
            "the report changed while it was being read".into(),
        ));
    }
    Ok(())
}

/// Reads until `buf` is full or the input ends.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Collects findings into batches and writes each batch with a few multi-row statements.
struct FindingWriter {
    project_id: i64,
    /// The importer's tool family; SARIF learns the real tool from the report and fixes it up.
    tool: &'static str,
    scan_id: i64,
    uploaded_at: chrono::NaiveDateTime,
    /// Fingerprints already in this scan: a repeat is merged, not stored twice.
    seen: HashSet<String>,
    batch: Vec<Finding>,
    duplicates: u64,
    by_severity: BTreeMap<Severity, u64>,
    finding_ids: Vec<i64>,
}

impl FindingWriter {
    fn push(&mut self, conn: &mut DbConn, mut finding: Finding) -> Result<(), StoreError> {
        finding.remove_nul_characters();
        if !self.seen.insert(finding.fingerprint.clone()) {
            self.duplicates += 1;
            return Ok(());
        }
        *self.by_severity.entry(finding.severity).or_default() += 1;
        self.batch.push(finding);
        if self.batch.len() >= BATCH {
            self.flush(conn)?;
        }
        Ok(())
    }

    fn flush(&mut self, conn: &mut DbConn) -> Result<(), StoreError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let json = |list: &[String]| serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
        let new_findings: Vec<NewFinding<'_>> = batch
            .iter()
            .map(|f| NewFinding {
                project_id: self.project_id,
                fingerprint: &f.fingerprint,
                fingerprint_version: importers::FINGERPRINT_VERSION,
                tool: self.tool,
                kind: f.kind.as_str(),
                category: f.category.as_deref(),
                rule_id: &f.rule_id,
                title: &f.title,
                description: f.description.as_deref(),
                remediation: f.remediation.as_deref(),
                cwe: json(&f.cwe),
                aliases: json(&f.aliases),
                refs: json(&f.references),
                component_name: f.component.name.as_deref(),
                component_purl: f.component.purl.as_deref(),
                first_seen_scan_id: self.scan_id,
                first_seen_at: self.uploaded_at,
            })
            .collect();
        match conn {
            DbConn::Postgres(c) => insert_findings_unnest(c, &new_findings)?,
            DbConn::Sqlite(c) => diesel::insert_into(findings::table)
                .values(&new_findings)
                .on_conflict((findings::project_id, findings::fingerprint))
                .do_nothing()
                .execute(c)?,
        };
        drop(new_findings);
        let fingerprints: Vec<&str> = batch.iter().map(|f| f.fingerprint.as_str()).collect();
        // On the concrete connection, PostgreSQL gets `= ANY($2)` with one array parameter.
        let ids: HashMap<String, i64> = per_backend!(conn, |c| findings::table
            .filter(findings::project_id.eq(self.project_id))
            .filter(findings::fingerprint.eq_any(&fingerprints))
            .select((findings::fingerprint, findings::id))
            .load::<(String, i64)>(c))?
        .into_iter()
        .collect();

        let component_ids = self.components(conn, &batch)?;
        let mut new_occurrences = Vec::with_capacity(batch.len());
        for f in &batch {
            let Some(&finding_id) = ids.get(&f.fingerprint) else {
                return Err(StoreError::Invalid(format!(
                    "finding {} vanished during import",
                    f.fingerprint
                )));
            };
            self.finding_ids.push(finding_id);
            let primary_score = f.cvss.iter().filter_map(|c| c.score).reduce(f64::max);
            new_occurrences.push(NewOccurrence {
                scan_id: self.scan_id,
                finding_id,
                component_id: f
                    .component
                    .purl
                    .as_ref()
                    .and_then(|p| component_ids.get(p.as_str()).copied()),
                severity: f.severity.rank(),
                severity_original: f.severity_original.as_deref(),
                cvss: (!f.cvss.is_empty())
                    .then(|| serde_json::to_string(&f.cvss).unwrap_or_default()),
                cvss_score: primary_score,
                component_version: f.component.version.as_deref(),
                fixed_version: f.component.fixed_version.as_deref(),
                target: f.location.target.as_deref(),
                file: f.location.file.as_deref(),
                line_start: f.location.line_start,
                line_end: f.location.line_end,
                resource: f.location.resource.as_deref(),
                url: f.location.url.as_deref(),
                parameter: f.location.parameter.as_deref(),
                layer: f.location.layer.as_deref(),
                tool_status: f.tool_status.as_deref(),
            });
        }
        // Occurrences are always new rows of a new scan: PostgreSQL takes them by binary COPY.
        match conn {
            DbConn::Postgres(c) => diesel::copy_from(occurrences::table)
                .from_insertable(&new_occurrences)
                .execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_into(occurrences::table)
                .values(&new_occurrences)
                .execute(c)?,
        };
        Ok(())
    }

    /// Ids of the batch's components (by versioned purl), created when new.
    fn components<'b>(
        &self,
        conn: &mut DbConn,
        batch: &'b [Finding],
    ) -> Result<HashMap<&'b str, i64>, StoreError> {
        let mut unique: BTreeMap<&str, &Finding> = BTreeMap::new();
        for f in batch {
            if let Some(purl) = f.component.purl.as_deref() {
                unique.entry(purl).or_insert(f);
            }
        }
        if unique.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<NewComponent<'_>> = unique
            .iter()
            .map(|(purl, f)| NewComponent {
                project_id: self.project_id,
                purl,
                name: f.component.name.as_deref(),
                version: f.component.version.as_deref(),
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(components::table)
            .values(&rows)
            .on_conflict((components::project_id, components::purl))
            .do_nothing()
            .execute(c))?;
        let purls: Vec<&str> = unique.keys().copied().collect();
        let found: Vec<(String, i64)> = per_backend!(conn, |c| components::table
            .filter(components::project_id.eq(self.project_id))
            .filter(components::purl.eq_any(&purls))
            .select((components::purl, components::id))
            .load(c))?;
        Ok(found
            .into_iter()
            .filter_map(|(purl, id)| unique.get_key_value(purl.as_str()).map(|(k, _)| (*k, id)))
            .collect())
    }
}

/// PostgreSQL: the batch as one array per column, unnested server-side, with `ON CONFLICT DO
/// NOTHING` (another import may add the same fingerprint at the same moment). Several times
/// faster than a multi-row `VALUES` list with tens of thousands of bind parameters.
fn insert_findings_unnest<'a>(
    conn: &mut diesel::PgConnection,
    rows: &'a [NewFinding<'a>],
) -> Result<usize, StoreError> {
    use diesel::sql_types::{Array, BigInt, Nullable, SmallInt, Text, Timestamp};
    let Some(first) = rows.first() else {
        return Ok(0);
    };
    let column =
        |get: fn(&'a NewFinding<'a>) -> &'a str| rows.iter().map(get).collect::<Vec<&str>>();
    let nullable = |get: fn(&'a NewFinding<'a>) -> Option<&'a str>| {
        rows.iter().map(get).collect::<Vec<Option<&str>>>()
    };
    Ok(diesel::sql_query(
        "INSERT INTO findings (project_id, fingerprint_version, tool, first_seen_scan_id, first_seen_at, \
         fingerprint, kind, rule_id, title, cwe, aliases, refs, \
         category, description, remediation, component_name, component_purl) \
         SELECT $1, $2, $3, $4, $5, u.* FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], \
         $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[]) AS u \
         ON CONFLICT (project_id, fingerprint) DO NOTHING",
    )
    .bind::<BigInt, _>(first.project_id)
    .bind::<SmallInt, _>(first.fingerprint_version)
    .bind::<Text, _>(first.tool)
    .bind::<BigInt, _>(first.first_seen_scan_id)
    .bind::<Timestamp, _>(first.first_seen_at)
    .bind::<Array<Text>, _>(column(|r| r.fingerprint))
    .bind::<Array<Text>, _>(column(|r| r.kind))
    .bind::<Array<Text>, _>(column(|r| r.rule_id))
    .bind::<Array<Text>, _>(column(|r| r.title))
    .bind::<Array<Text>, _>(column(|r| &r.cwe))
    .bind::<Array<Text>, _>(column(|r| &r.aliases))
    .bind::<Array<Text>, _>(column(|r| &r.refs))
    .bind::<Array<Nullable<Text>>, _>(nullable(|r| r.category))
    .bind::<Array<Nullable<Text>>, _>(nullable(|r| r.description))
    .bind::<Array<Nullable<Text>>, _>(nullable(|r| r.remediation))
    .bind::<Array<Nullable<Text>>, _>(nullable(|r| r.component_name))
    .bind::<Array<Nullable<Text>>, _>(nullable(|r| r.component_purl))
    .execute(conn)?)
}

/// The just-imported scan and its slot.
struct NewScanSlot<'a> {
    project_id: i64,
    release_id: i64,
    scan_id: i64,
    tool: &'a str,
    label: &'a str,
    partial: bool,
}

/// Compares the new scan with the previous scan of its slot: the one before it in this release,
/// else the newest of the slot in the nearest earlier release.
fn compare_with_previous_scan(
    conn: &mut DbConn,
    scan: &NewScanSlot<'_>,
    finding_ids: &[i64],
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
        .filter(releases::project_id.eq(project_id))
        .filter(releases::id.le(release_id))
        .filter(scans::id.ne(scan_id))
        .filter(scans::tool.eq(tool))
        .filter(scans::label.eq(label))
        .order((releases::id.desc(), scans::id.desc()))
        .select((scans::id, releases::name))
        .first(conn)
        .optional()?;
    let Some((previous_scan_id, previous_release)) = previous else {
        return Ok(None);
    };
    let before: HashSet<i64> = occurrences::table
        .filter(occurrences::scan_id.eq(previous_scan_id))
        .select(occurrences::finding_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let now: HashSet<i64> = finding_ids.iter().copied().collect();
    let unchanged = now.intersection(&before).count() as u64;
    Ok(Some(SlotComparison {
        previous_scan_id,
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
