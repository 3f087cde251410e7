//! One page of a release's findings, filtered, sorted and paginated in SQL (keyset cursor), for
//! the API: the release view ([`Store::release_view`]) loads every finding and filters in Rust,
//! which is right for the CLI and too slow for a server answering many clients.
//!
//! The page covers the release's current scans (the newest of each slot). A finding reported by
//! two slots shows once, at its most severe occurrence, as in the release view. With one current
//! scan the query walks the `occurrences_scan_severity` index and stops after one page.
//!
//! A page is one query in the steady state: the release's scans are remembered
//! ([`KnownScans`]), and the page query counts them again in its own snapshot to show that
//! they are still the same.

use crate::Store;
use crate::catalog::{current_scans, release, scans_of};
use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use crate::sql::{Bind, Sql, like_pattern};
use crate::tables::*;
use crate::view::{Decision, FindingFilter, ViewFinding, stored_kind, stored_status};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, SmallInt, Text, Timestamp};
use domain::{FindingId, ReleaseId, ScanId, TriageStatus};
use importers::Severity;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// The order of a findings page. Each order ends with the finding id, so it is total and a
/// cursor names one position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingSort {
    /// Most severe first (the default).
    #[default]
    Severity,
    /// By rule id, A to Z.
    RuleId,
    /// Most recently first seen first.
    FirstSeen,
}

impl FindingSort {
    pub fn parse(s: &str) -> Option<FindingSort> {
        match s {
            "severity" => Some(FindingSort::Severity),
            "rule_id" => Some(FindingSort::RuleId),
            "first_seen" => Some(FindingSort::FirstSeen),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            FindingSort::Severity => "severity",
            FindingSort::RuleId => "rule_id",
            FindingSort::FirstSeen => "first_seen",
        }
    }
}

/// Largest page.
pub const MAX_PAGE: u32 = 1000;

/// What page to read.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub filter: FindingFilter,
    pub sort: FindingSort,
    /// From a previous page's `next_cursor`; `None` for the first page.
    pub cursor: Option<String>,
    /// 1 to [`MAX_PAGE`].
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingsPage {
    pub project: String,
    pub release: String,
    pub sort: FindingSort,
    pub findings: Vec<ViewFinding>,
    /// Pass as `cursor` to read the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A position in an order: the sort key of the last row and its finding id.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct Cursor {
    sort: FindingSort,
    key: CursorKey,
    id: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
enum CursorKey {
    Rank(i16),
    Text(String),
    Time(NaiveDateTime),
}

impl Cursor {
    fn encode(&self) -> String {
        hex::encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(s: &str, sort: FindingSort) -> Result<Cursor, StoreError> {
        let bad = || {
            StoreError::invalid(
                "cursor",
                format!("cursor {s:?} is not one this server gave out"),
            )
        };
        let bytes = hex::decode(s).map_err(|_| bad())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if cursor.sort != sort {
            return Err(StoreError::invalid(
                "cursor",
                format!(
                    "cursor belongs to sort {:?}, not {:?}",
                    cursor.sort.name(),
                    sort.name()
                ),
            ));
        }
        Ok(cursor)
    }
}

/// One row of the current view as [`current_findings_sql`] selects it ([`COLUMNS`]): by name
/// (`QueryableByName`), or by position (`Queryable`, [`PageSql`]), which the findings page uses
/// because it is cheaper: diesel looks each name up among the columns, field by field, row by
/// row.
#[derive(Debug, QueryableByName, Queryable)]
pub(crate) struct PageRow {
    #[diesel(sql_type = BigInt)]
    finding_id: i64,
    #[diesel(sql_type = SmallInt)]
    severity: i16,
    #[diesel(sql_type = Nullable<Text>)]
    severity_original: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    cvss_score: Option<f64>,
    #[diesel(embed)]
    epss: EpssCols,
    #[diesel(sql_type = Nullable<Text>)]
    component_version: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    fixed_version: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    target: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    file: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    line_start: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    line_end: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    resource: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    url: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    parameter: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    tool_status: Option<String>,
    #[diesel(sql_type = BigInt)]
    scan_id: i64,
    #[diesel(sql_type = Text)]
    fingerprint: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    category: Option<String>,
    #[diesel(sql_type = Text)]
    rule_id: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    tool: String,
    #[diesel(sql_type = Text)]
    cwe: String,
    #[diesel(sql_type = Nullable<Text>)]
    component_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    component_purl: Option<String>,
    #[diesel(sql_type = Timestamp)]
    first_seen_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    justification: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    approver: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    expires_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    decided_by: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    decided_at: Option<NaiveDateTime>,
}

/// The occurrence's EPSS, nested in [`PageRow`] so that its positional form stays within
/// diesel's 32-column tuples.
#[derive(Debug, QueryableByName, Queryable)]
pub(crate) struct EpssCols {
    #[diesel(sql_type = Nullable<Double>)]
    epss: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    epss_percentile: Option<f64>,
}

/// The SQL types of [`COLUMNS`], in order: what [`PageRow`] reads by position.
type PageSql = (
    BigInt,
    SmallInt,
    Nullable<Text>,
    Nullable<Double>,
    (Nullable<Double>, Nullable<Double>),
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<BigInt>,
    Nullable<BigInt>,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Text>,
    BigInt,
    Text,
    Text,
    Nullable<Text>,
    Text,
    Text,
    Text,
    Text,
    Nullable<Text>,
    Nullable<Text>,
    Timestamp,
    Text,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Timestamp>,
    Nullable<Text>,
    Nullable<Timestamp>,
);

/// The columns of a [`PageRow`].
pub(crate) const COLUMNS: &str = "o.finding_id, o.severity, o.severity_original, o.cvss_score, \
    o.epss, o.epss_percentile, o.component_version, o.fixed_version, o.target, o.file, o.line_start, o.line_end, \
    o.resource, o.url, o.parameter, o.tool_status, o.scan_id, f.fingerprint, f.kind, \
    f.category, f.rule_id, COALESCE(o.title, f.title) AS title, f.tool, f.cwe, \
    f.component_name, f.component_purl, f.first_seen_at, COALESCE(t.status, 'open') AS status, \
    t.justification, t.approver, t.expires_at, t.decided_by, t.decided_at";

/// `SELECT columns` of the current view's findings of `scan_ids` (a release's current scans, not
/// empty), one row per finding at its most severe occurrence (lowest scan id among equals), as
/// the release view dedups; `only_finding` narrows it to one finding. Callers append
/// ` AND ...` conditions on `o` (the occurrence), `f` (the finding) and `t` (its triage, may
/// be NULL), then an order and a limit.
pub(crate) fn current_findings_sql(
    columns: &str,
    scan_ids: &[ScanId],
    only_finding: Option<FindingId>,
) -> Sql {
    let mut sql = Sql::new();
    sql.push("SELECT ");
    sql.push(columns);
    current_findings_from(sql, scan_ids, only_finding)
}

/// Appends the `FROM ... WHERE` of [`current_findings_sql`] to a select list.
fn current_findings_from(
    mut sql: Sql,
    scan_ids: &[ScanId],
    only_finding: Option<FindingId>,
) -> Sql {
    if let [only] = scan_ids {
        sql.push(" FROM occurrences o");
        sql.push(" JOIN findings f ON f.id = o.finding_id");
        sql.push(" LEFT JOIN triage t ON t.finding_id = o.finding_id");
        sql.push(" WHERE o.scan_id = ");
        sql.bind(Bind::Int(only.get()));
        if let Some(id) = only_finding {
            sql.push(" AND o.finding_id = ");
            sql.bind(Bind::Int(id.get()));
        }
    } else {
        sql.push(
            " FROM (SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.finding_id \
             ORDER BY x.severity DESC, x.scan_id) AS best FROM occurrences x \
             WHERE x.scan_id IN ",
        );
        sql.bind_values(scan_ids.iter().map(|id| Bind::Int(id.get())));
        if let Some(id) = only_finding {
            sql.push(" AND x.finding_id = ");
            sql.bind(Bind::Int(id.get()));
        }
        sql.push(") o");
        sql.push(" JOIN findings f ON f.id = o.finding_id");
        sql.push(" LEFT JOIN triage t ON t.finding_id = o.finding_id");
        sql.push(" WHERE o.best = 1");
    }
    sql
}

/// A row of [`current_findings_sql`] as a view finding.
pub(crate) fn view_finding(
    r: PageRow,
    labels: &HashMap<ScanId, String>,
) -> Result<ViewFinding, StoreError> {
    Ok(ViewFinding {
        fingerprint: r.fingerprint,
        severity: Severity::from_rank(r.severity),
        severity_original: r.severity_original,
        kind: stored_kind(&r.kind)?,
        category: r.category,
        rule_id: r.rule_id,
        title: r.title,
        tool: r.tool,
        status: if r.status.is_empty() {
            TriageStatus::Open
        } else {
            stored_status(&r.status)?
        },
        tool_status: r.tool_status,
        component: r.component_name,
        component_version: r.component_version,
        purl: r.component_purl,
        fixed_version: r.fixed_version,
        cvss_score: r.cvss_score,
        epss: r.epss.epss,
        epss_percentile: r.epss.epss_percentile,
        cwe: serde_json::from_str(&r.cwe).unwrap_or_default(),
        target: r.target,
        file: r.file,
        line_start: r.line_start,
        line_end: r.line_end,
        resource: r.resource,
        url: r.url,
        parameter: r.parameter,
        scan_label: labels
            .get(&ScanId::new(r.scan_id))
            .cloned()
            .unwrap_or_default(),
        scan_id: ScanId::new(r.scan_id),
        first_seen_at: r.first_seen_at,
        finding_id: Some(FindingId::new(r.finding_id)),
        decision: r
            .decided_by
            .zip(r.decided_at)
            .map(|(decided_by, decided_at)| Decision {
                justification: r.justification,
                approver: r.approver,
                expires_at: r.expires_at,
                decided_by,
                decided_at,
            }),
    })
}

fn build(
    known: &KnownScans,
    req: &PageRequest,
    cursor: Option<&Cursor>,
) -> Result<Sql, StoreError> {
    let mut head = Sql::new();
    // An uncorrelated subquery: evaluated once per query, by an index on scans(release_id).
    head.push("SELECT (SELECT COUNT(*) FROM scans WHERE release_id = ");
    head.bind(Bind::Int(known.release_id.get()));
    head.push(") AS release_scans, ");
    head.push(COLUMNS);
    // Kept prepared: every value is bound but severity ranks (a handful of shapes).
    let mut sql = current_findings_from(head, &known.current_ids, None).prepared();
    let filter = &req.filter;
    if !filter.severities.is_empty() {
        let ranks = filter
            .severities
            .iter()
            .map(|s| s.rank().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        sql.push(&format!(" AND o.severity IN ({ranks})"));
    }
    if let Some(min) = filter.min_severity {
        sql.push(&format!(" AND o.severity >= {}", min.rank()));
    }
    if !filter.kinds.is_empty() {
        sql.push(" AND f.kind IN ");
        sql.bind_list(filter.kinds.iter().map(|k| k.as_str().to_string()));
    }
    if !filter.categories.is_empty() {
        sql.push(" AND f.category IN ");
        sql.bind_list(filter.categories.iter().cloned());
    }
    if !filter.tools.is_empty() {
        sql.push(" AND LOWER(f.tool) IN ");
        sql.bind_list(filter.tools.iter().map(|t| t.to_lowercase()));
    }
    if !filter.statuses.is_empty() {
        sql.push(" AND COALESCE(t.status, 'open') IN ");
        sql.bind_list(filter.statuses.iter().map(|s| s.as_str().to_string()));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.is_empty()) {
        let pattern = like_pattern(text);
        sql.push(" AND (");
        for (i, column) in [
            "COALESCE(o.title, f.title)",
            "f.rule_id",
            "f.component_name",
            "o.file",
            "o.url",
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push(&format!("LOWER(COALESCE({column}, '')) LIKE "));
            sql.bind(Bind::Text(pattern.clone()));
            sql.push(" ESCAPE '\\'");
        }
        sql.push(")");
    }
    if let Some(c) = cursor {
        match (req.sort, &c.key) {
            (FindingSort::Severity, CursorKey::Rank(rank)) => {
                // A row comparison, which the index on (scan_id, severity, finding_id) seeks
                // to directly; the equivalent OR form made later pages scan the earlier ones.
                sql.push(&format!(" AND (o.severity, o.finding_id) < ({rank}, "));
                sql.bind(Bind::Int(c.id));
                sql.push(")");
            }
            (FindingSort::RuleId, CursorKey::Text(rule)) => {
                sql.push(" AND (f.rule_id > ");
                sql.bind(Bind::Text(rule.clone()));
                sql.push(" OR (f.rule_id = ");
                sql.bind(Bind::Text(rule.clone()));
                sql.push(" AND o.finding_id > ");
                sql.bind(Bind::Int(c.id));
                sql.push("))");
            }
            (FindingSort::FirstSeen, CursorKey::Time(at)) => {
                sql.push(" AND (f.first_seen_at < ");
                sql.bind(Bind::Time(*at));
                sql.push(" OR (f.first_seen_at = ");
                sql.bind(Bind::Time(*at));
                sql.push(" AND o.finding_id < ");
                sql.bind(Bind::Int(c.id));
                sql.push("))");
            }
            _ => {
                return Err(StoreError::invalid(
                    "cursor",
                    "cursor does not match the sort",
                ));
            }
        }
    }
    sql.push(match req.sort {
        // Both descending: the index on (scan_id, severity, finding_id) read backwards.
        FindingSort::Severity => " ORDER BY o.severity DESC, o.finding_id DESC",
        FindingSort::RuleId => " ORDER BY f.rule_id ASC, o.finding_id ASC",
        FindingSort::FirstSeen => " ORDER BY f.first_seen_at DESC, o.finding_id DESC",
    });
    // The limit is written into the text: with it bound, PostgreSQL's generic plan cannot
    // weigh it and the planner re-plans every request (clients use a handful of limits).
    sql.push(&format!(" LIMIT {}", req.limit.clamp(1, MAX_PAGE) + 1));
    Ok(sql)
}

/// What a page needs to know of its release: the scans, counted, and the current ones.
pub(crate) struct KnownScans {
    release_id: ReleaseId,
    /// How many scans the release had. Scans are append-only, so a later count that is equal
    /// means the very same scans.
    scan_count: i64,
    current_ids: Vec<ScanId>,
    labels: HashMap<ScanId, String>,
}

impl KnownScans {
    fn load(conn: &mut DbConn, project: &str, release_name: &str) -> Result<Self, StoreError> {
        let rel = release(conn, project, release_name)?;
        let all = scans_of(conn, rel.id)?;
        let current = current_scans(&all);
        Ok(KnownScans {
            release_id: rel.id,
            scan_count: all.len() as i64,
            current_ids: current.iter().map(|s| s.id).collect(),
            labels: current.iter().map(|s| (s.id, s.label.clone())).collect(),
        })
    }
}

/// The [`KnownScans`] of releases paged lately, shared by a store's clones. Never stale in
/// effect: a page checks its entry (see [`page_in`]) and reloads it when the count moved.
pub(crate) struct ScansCache(mini_moka::sync::Cache<(String, String), Arc<KnownScans>>);

impl Default for ScansCache {
    fn default() -> Self {
        ScansCache(mini_moka::sync::Cache::new(Self::CAPACITY))
    }
}

impl ScansCache {
    /// Entries kept; past this the least used go (releases paged at once are few).
    const CAPACITY: u64 = 4096;

    fn get(&self, project: &str, release: &str) -> Option<Arc<KnownScans>> {
        self.0.get(&(project.to_string(), release.to_string()))
    }

    fn put(&self, project: &str, release: &str, known: Arc<KnownScans>) {
        self.0
            .insert((project.to_string(), release.to_string()), known);
    }
}

/// The page's rows for `known`'s current scans, and whether the query's snapshot held the
/// same scans as `known` (not known when the page is empty: then it says no).
fn page_rows(
    conn: &mut DbConn,
    known: &KnownScans,
    req: &PageRequest,
    cursor: Option<&Cursor>,
) -> Result<(Vec<PageRow>, bool), StoreError> {
    if known.current_ids.is_empty() {
        return Ok((Vec::new(), false));
    }
    // Each row comes with the number of the release's scans (the same in every row).
    let query = build(known, req, cursor)?.typed::<(BigInt, PageSql)>();
    let rows: Vec<(i64, PageRow)> = per_backend!(conn, |c| RunQueryDsl::load(query, c))?;
    let same = rows
        .first()
        .is_some_and(|(release_scans, _)| *release_scans == known.scan_count);
    Ok((rows.into_iter().map(|(_, row)| row).collect(), same))
}

fn page_in(
    conn: &mut DbConn,
    cache: &ScansCache,
    project: &str,
    release_name: &str,
    req: &PageRequest,
) -> Result<FindingsPage, StoreError> {
    let cursor = req
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, req.sort))
        .transpose()?;
    // One query when the release's scans are known and unchanged.
    if let Some(known) = cache.get(project, release_name) {
        let (rows, same) = page_rows(conn, &known, req, cursor.as_ref())?;
        if same {
            return finish_page(project, release_name, req, rows, &known);
        }
    }
    // Otherwise the scans are read afresh and the page follows without a transaction: scans
    // and their occurrences are append-only, so the page is the view as of that scan list
    // whatever lands meanwhile.
    let known = Arc::new(KnownScans::load(conn, project, release_name)?);
    if !known.current_ids.is_empty() {
        cache.put(project, release_name, known.clone());
    }
    let (rows, _) = page_rows(conn, &known, req, cursor.as_ref())?;
    finish_page(project, release_name, req, rows, &known)
}

/// Rows (one more than the limit, when there is a next page) as a page with its cursor.
fn finish_page(
    project: &str,
    release_name: &str,
    req: &PageRequest,
    rows: Vec<PageRow>,
    known: &KnownScans,
) -> Result<FindingsPage, StoreError> {
    let mut findings: Vec<ViewFinding> = rows
        .into_iter()
        .map(|r| view_finding(r, &known.labels))
        .collect::<Result<_, _>>()?;
    let limit = req.limit.clamp(1, MAX_PAGE) as usize;
    let next_cursor = if findings.len() > limit {
        findings.truncate(limit);
        findings.last().map(|last| {
            Cursor {
                sort: req.sort,
                key: match req.sort {
                    FindingSort::Severity => CursorKey::Rank(last.severity.rank()),
                    FindingSort::RuleId => CursorKey::Text(last.rule_id.clone()),
                    FindingSort::FirstSeen => CursorKey::Time(last.first_seen_at),
                },
                id: last.finding_id.map_or(0, FindingId::get),
            }
            .encode()
        })
    } else {
        None
    };
    Ok(FindingsPage {
        project: project.to_string(),
        release: release_name.to_string(),
        sort: req.sort,
        findings,
        next_cursor,
    })
}

impl Store {
    /// One page of a release's current findings, filtered and sorted in the database.
    pub fn findings_page(
        &self,
        project: &str,
        release: &str,
        req: &PageRequest,
    ) -> Result<FindingsPage, StoreError> {
        let mut conn = self.conn()?;
        page_in(&mut conn, &self.scans, project, release, req)
    }

    /// The project a scan belongs to (to check access before handing out its report).
    pub fn scan_project(&self, scan_id: ScanId) -> Result<String, StoreError> {
        let mut conn = self.conn()?;
        scans::table
            .inner_join(releases::table.inner_join(projects::table))
            .filter(scans::id.eq(scan_id.get()))
            .select(projects::name)
            .first(&mut conn)
            .optional()?
            .ok_or_else(|| StoreError::not_found("scan", scan_id.to_string()))
    }
}
