//! Row structs for reading and inserting.

use crate::tables::*;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{ProjectId, ReleaseId, ScanId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = releases)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ReleaseRow {
    #[diesel(deserialize_as = i64)]
    pub id: ReleaseId,
    #[diesel(deserialize_as = i64)]
    pub project_id: ProjectId,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub sealed_at: Option<NaiveDateTime>,
    pub sealed_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = scans)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ScanRow {
    #[diesel(deserialize_as = i64)]
    pub id: ScanId,
    pub tool: String,
    pub format: String,
    pub label: String,
    pub target: Option<String>,
    pub tool_version: Option<String>,
    pub scanned_at: Option<String>,
    pub blob_sha256: String,
    pub file_name: Option<String>,
    pub uploaded_at: NaiveDateTime,
    pub uploaded_by: String,
    pub finding_count: i64,
    pub duplicates_merged: i64,
    pub warnings: String,
    pub partial: bool,
}

#[derive(Insertable)]
#[diesel(table_name = scans)]
pub struct NewScan<'a> {
    pub release_id: i64,
    pub tool: &'a str,
    pub format: &'a str,
    pub label: &'a str,
    pub target: Option<&'a str>,
    pub tool_version: Option<&'a str>,
    pub scanned_at: Option<&'a str>,
    pub blob_sha256: &'a str,
    pub file_name: Option<&'a str>,
    pub uploaded_at: NaiveDateTime,
    pub uploaded_by: &'a str,
    pub finding_count: i64,
    pub duplicates_merged: i64,
    pub warnings: &'a str,
    /// The fingerprint version that identified the scan's findings.
    pub fingerprint_version: i16,
}

#[derive(Insertable)]
#[diesel(table_name = findings)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewFinding<'a> {
    /// Drawn beforehand ([`crate::import`] numbers its rows itself, under its lock), so that
    /// PostgreSQL can take the rows by `COPY`, which returns nothing.
    pub id: i64,
    pub project_id: i64,
    pub fingerprint: &'a str,
    pub fingerprint_version: i16,
    pub tool: &'a str,
    pub kind: &'a str,
    pub category: Option<&'a str>,
    pub rule_id: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub remediation: Option<&'a str>,
    pub cwe: String,
    pub aliases: String,
    pub refs: String,
    pub component_name: Option<&'a str>,
    pub component_purl: Option<&'a str>,
    pub first_seen_scan_id: i64,
    pub first_seen_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = components)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewComponent<'a> {
    /// As [`NewFinding::id`].
    pub id: i64,
    pub project_id: i64,
    pub purl: &'a str,
    pub name: Option<&'a str>,
    pub version: Option<&'a str>,
}

#[derive(Insertable)]
#[diesel(table_name = occurrences)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewOccurrence<'a> {
    pub scan_id: i64,
    pub finding_id: i64,
    pub component_id: Option<i64>,
    pub severity: i16,
    pub severity_original: Option<&'a str>,
    pub cvss: Option<String>,
    pub cvss_score: Option<f64>,
    pub component_version: Option<&'a str>,
    pub fixed_version: Option<&'a str>,
    pub target: Option<&'a str>,
    pub file: Option<&'a str>,
    pub line_start: Option<i64>,
    pub line_end: Option<i64>,
    pub resource: Option<&'a str>,
    pub url: Option<&'a str>,
    pub parameter: Option<&'a str>,
    pub layer: Option<&'a str>,
    pub tool_status: Option<&'a str>,
    pub epss: Option<f64>,
    pub epss_percentile: Option<f64>,
    /// The title as this scan words it (see the `occurrences.title` migration).
    pub title: Option<&'a str>,
}
