//! The import's writer: findings collected into batches, each written with a few multi-row
//! statements (findings, components, occurrences), with the ids it draws itself.

use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use crate::models::{NewComponent, NewFinding, NewOccurrence};
use crate::tables::*;
use diesel::prelude::*;
use domain::{FindingId, ProjectId, ScanId};
use importers::{Finding, Severity};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Findings per insert statement: within SQLite's 32766 and PostgreSQL's 65535 bind parameters
/// for the widest table (occurrences, 19 columns).
pub(crate) const BATCH: usize = 1500;

/// Labels and targets are names people read and filter on: a control character in one is an
/// attack or an accident, and PostgreSQL cannot store NUL at all.
pub(crate) fn refuse_control(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.chars().any(char::is_control) {
        return Err(StoreError::ControlCharacter {
            field,
            value: value.chars().take(200).collect(),
        });
    }
    Ok(())
}

/// Collects findings into batches and writes each batch with a few multi-row statements.
pub(crate) struct FindingWriter {
    pub(crate) project_id: ProjectId,
    /// The importer's tool family; SARIF learns the real tool from the report and fixes it up.
    pub(crate) tool: &'static str,
    pub(crate) scan_id: ScanId,
    pub(crate) uploaded_at: chrono::NaiveDateTime,
    /// Fingerprints already in this scan: a repeat is merged, not stored twice.
    pub(crate) seen: HashSet<String>,
    pub(crate) batch: Vec<Finding>,
    pub(crate) duplicates: u64,
    pub(crate) by_severity: BTreeMap<Severity, u64>,
    pub(crate) finding_ids: Vec<FindingId>,
    pub(crate) timings: WriteTimings,
}

/// Where the writer's time goes (logged at debug level, for profiling imports).
#[derive(Default, Debug)]
pub(crate) struct WriteTimings {
    pub(crate) findings: std::time::Duration,
    pub(crate) components: std::time::Duration,
    pub(crate) occurrences: std::time::Duration,
}

impl FindingWriter {
    pub(crate) fn push(&mut self, conn: &mut DbConn, finding: Finding) -> Result<(), StoreError> {
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

    pub(crate) fn flush(&mut self, conn: &mut DbConn) -> Result<(), StoreError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let started = std::time::Instant::now();
        let json = |list: &[String]| serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
        let new_findings: Vec<NewFinding<'_>> = batch
            .iter()
            .map(|f| NewFinding {
                id: 0,
                project_id: self.project_id.get(),
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
                first_seen_scan_id: self.scan_id.get(),
                first_seen_at: self.uploaded_at,
            })
            .collect();
        // Ids of the batch's findings: the known ones looked up, the new ones inserted.
        let ids: HashMap<String, i64> = insert_new_findings(conn, new_findings)?
            .into_iter()
            .collect();

        let components_started = std::time::Instant::now();
        self.timings.findings += components_started - started;
        let component_ids = self.components(conn, &batch)?;
        let occurrences_started = std::time::Instant::now();
        self.timings.components += occurrences_started - components_started;
        let mut new_occurrences = Vec::with_capacity(batch.len());
        for f in &batch {
            let Some(&finding_id) = ids.get(&f.fingerprint) else {
                return Err(StoreError::Conflict(format!(
                    "finding {} vanished during import",
                    f.fingerprint
                )));
            };
            self.finding_ids.push(FindingId::new(finding_id));
            if let Some(target) = &f.location.target {
                refuse_control("finding target", target)?;
            }
            let primary_score = f.cvss.iter().filter_map(|c| c.score).reduce(f64::max);
            new_occurrences.push(NewOccurrence {
                scan_id: self.scan_id.get(),
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
                epss: f.epss.map(|e| e.probability),
                epss_percentile: f.epss.and_then(|e| e.percentile),
                title: Some(&f.title),
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
        self.timings.occurrences += occurrences_started.elapsed();
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
                id: 0,
                project_id: self.project_id.get(),
                purl,
                name: f.component.name.as_deref(),
                version: f.component.version.as_deref(),
            })
            .collect();
        let found = insert_new_components(conn, rows)?;
        Ok(found
            .into_iter()
            .filter_map(|(purl, id)| unique.get_key_value(purl.as_str()).map(|(k, _)| (*k, id)))
            .collect())
    }
}

/// Defines `fn $name(conn, rows) -> Vec<(key, id)>`: the ids of a batch's rows of `$table`
/// (keyed by the project and `$key`), inserting the ones new to the project.
///
/// The import draws the new ids itself ([`next_ids`]) so that PostgreSQL can take the rows by
/// binary `COPY`, which writes whole pages at a time but returns nothing and cannot skip a
/// conflict: the known rows are looked up first, and nobody adds rows to the project meanwhile
/// (the import holds [`lock_project_imports`]). SQLite, where that lookup would be a second
/// index probe per row, inserts with `ON CONFLICT DO NOTHING RETURNING` and looks up only the
/// rows that were skipped. (A macro: diesel's table types make a generic function unwieldy.)
macro_rules! insert_new_rows {
    ($name:ident, $row:ident, $table:ident, $key:ident, $sequence:expr) => {
        fn $name(
            conn: &mut DbConn,
            mut rows: Vec<$row<'_>>,
        ) -> Result<Vec<(String, i64)>, StoreError> {
            let Some(project_id) = rows.first().map(|r| r.project_id) else {
                return Ok(Vec::new());
            };
            let known =
                |conn: &mut DbConn, keys: &[&str]| -> Result<Vec<(String, i64)>, StoreError> {
                    // On the concrete connection, PostgreSQL gets `= ANY($2)` with one array.
                    Ok(per_backend!(conn, |c| $table::table
                        .filter($table::project_id.eq(project_id))
                        .filter($table::$key.eq_any(keys))
                        .select(($table::$key, $table::id))
                        .load(c))?)
                };
            let mut ids = Vec::with_capacity(rows.len());
            if conn.is_postgres() {
                let keys: Vec<&str> = rows.iter().map(|r| r.$key).collect();
                ids = known(conn, &keys)?;
                let seen: HashSet<String> = ids.iter().map(|(key, _)| key.clone()).collect();
                rows.retain(|r| !seen.contains(r.$key));
            }
            if rows.is_empty() {
                return Ok(ids);
            }
            let fresh = next_ids(conn, $sequence, rows.len())?;
            rows.iter_mut().zip(fresh).for_each(|(row, id)| row.id = id);
            match conn {
                DbConn::Postgres(c) => {
                    diesel::copy_from($table::table)
                        .from_insertable(&rows)
                        .execute(c)?;
                    ids.extend(rows.iter().map(|r| (r.$key.to_string(), r.id)));
                }
                DbConn::Sqlite(c) => {
                    ids = diesel::insert_into($table::table)
                        .values(&rows)
                        .on_conflict(($table::project_id, $table::$key))
                        .do_nothing()
                        .returning(($table::$key, $table::id))
                        .load(c)?;
                    if ids.len() < rows.len() {
                        let inserted: HashSet<&str> =
                            ids.iter().map(|(key, _)| key.as_str()).collect();
                        let skipped: Vec<&str> = rows
                            .iter()
                            .map(|r| r.$key)
                            .filter(|key| !inserted.contains(key))
                            .collect();
                        let more = known(conn, &skipped)?;
                        ids.extend(more);
                    }
                }
            }
            Ok(ids)
        }
    };
}

insert_new_rows!(
    insert_new_findings,
    NewFinding,
    findings,
    fingerprint,
    IdSequence::Findings
);
insert_new_rows!(
    insert_new_components,
    NewComponent,
    components,
    purl,
    IdSequence::Components
);

/// A table whose ids the import draws itself.
#[derive(Clone, Copy)]
enum IdSequence {
    Findings,
    Components,
}

/// `count` new ids for a table, in one round trip: from its sequence on PostgreSQL; on SQLite
/// the ones after both the largest id and the `AUTOINCREMENT` high-water mark (the write
/// transaction is exclusive, so nobody else draws meanwhile).
fn next_ids(conn: &mut DbConn, table: IdSequence, count: usize) -> Result<Vec<i64>, StoreError> {
    use diesel::sql_types::{BigInt, Text};
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let name = match table {
        IdSequence::Findings => "findings",
        IdSequence::Components => "components",
    };
    match conn {
        DbConn::Postgres(c) => Ok(diesel::sql_query(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)",
        )
        .bind::<Text, _>(name)
        .bind::<BigInt, _>(count as i64)
        .load::<Id>(c)?
        .into_iter()
        .map(|row| row.id)
        .collect()),
        DbConn::Sqlite(c) => {
            let largest = match table {
                IdSequence::Findings => findings::table
                    .select(diesel::dsl::max(findings::id))
                    .first::<Option<i64>>(c)?,
                IdSequence::Components => components::table
                    .select(diesel::dsl::max(components::id))
                    .first::<Option<i64>>(c)?,
            };
            let high_water = diesel::sql_query(
                "SELECT COALESCE(MAX(seq), 0) AS id FROM sqlite_sequence WHERE name = ?",
            )
            .bind::<Text, _>(name)
            .get_result::<Id>(c)?
            .id;
            let first = largest.unwrap_or(0).max(high_water) + 1;
            Ok((first..first + count as i64).collect())
        }
    }
}
