//! Triage: our decisions on findings, which follow a finding (project + fingerprint) into every
//! later release where it appears.
//!
//! States: `open`, `confirmed`, `false_positive`, `accepted` (justification, approver and
//! expiry date required). `fixed` is never stored: a finding is fixed when the slot that
//! reported it was scanned again and no longer does (see [`crate::Diff`]). Re-opening is a
//! decision like any other. The tool's own state (Trivy `will_not_fix`, SonarQube resolution,
//! FOSSA ignored) stays in the occurrence's `tool_status` and is never turned into ours.
//!
//! Every decision writes the current state (`triage`), a history row (`triage_events`) and an
//! audit event, in one transaction; a bulk decision by filter is one transaction too.

use crate::audit::{self, NewAuditEvent};
use crate::catalog::{project_id, releases_of};
use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use crate::tables::*;
use crate::tx::{read_tx, write_tx};
use crate::view::{FindingFilter, ViewFinding, release_view_in, stored_status};
use crate::{Store, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;
use domain::FindingId;
use domain::ProjectId;
use serde::Serialize;

pub use domain::{TriageDecision, TriageStatus};

/// Rows per multi-row statement.
const CHUNK: usize = 1000;

/// Which findings a bulk decision covers, in a release's current view. At least one criterion
/// is required.
#[derive(Debug, Clone, Default)]
pub struct TriageFilter {
    /// The release whose current view is filtered; the project's latest when `None`.
    pub release: Option<String>,
    /// Kinds, tools, severities, our statuses, text.
    pub findings: FindingFilter,
    /// Rule ids (exact).
    pub rules: Vec<String>,
    /// A glob on the file (or resource, when there is no file): `vendor/**`.
    pub path: Option<String>,
    /// The tool's own states (`will_not_fix`).
    pub tool_statuses: Vec<String>,
}

impl TriageFilter {
    fn is_empty(&self) -> bool {
        let f = &self.findings;
        f.severities.is_empty()
            && f.min_severity.is_none()
            && f.kinds.is_empty()
            && f.categories.is_empty()
            && f.tools.is_empty()
            && f.statuses.is_empty()
            && f.text.is_none()
            && self.rules.is_empty()
            && self.path.is_none()
            && self.tool_statuses.is_empty()
    }

    fn matcher(&self) -> Result<Option<globset::GlobMatcher>, StoreError> {
        self.path
            .as_deref()
            .map(|glob| {
                globset::GlobBuilder::new(glob)
                    .literal_separator(true)
                    .build()
                    .map(|g| g.compile_matcher())
                    .map_err(|e| {
                        StoreError::invalid("path", format!("bad path glob {glob:?}: {e}"))
                    })
            })
            .transpose()
    }
}

/// One finding whose state a decision set.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageChange {
    pub fingerprint: String,
    pub rule_id: String,
    pub title: String,
    pub previous_status: TriageStatus,
    pub status: TriageStatus,
}

/// What a decision did.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageOutcome {
    pub project: String,
    pub status: TriageStatus,
    /// Findings the decision applied to (also those already in that state: their decision is
    /// recorded again, with the new justification and decider).
    pub changes: Vec<TriageChange>,
    /// Nothing was stored (`--dry-run`).
    pub dry_run: bool,
}

/// One entry of a finding's decision history.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageHistoryEntry {
    pub previous_status: Option<TriageStatus>,
    pub status: TriageStatus,
    pub justification: Option<String>,
    pub approver: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub decided_by: String,
    pub decided_at: NaiveDateTime,
    pub source: String,
    pub request_id: Option<String>,
}

/// A finding to decide on, as the store knows it.
pub(crate) struct Target {
    pub finding_id: FindingId,
    pub fingerprint: String,
    pub rule_id: String,
    pub title: String,
}

impl TryFrom<&ViewFinding> for Target {
    type Error = StoreError;

    /// A finding the store read always has its id; one without cannot be decided on.
    fn try_from(f: &ViewFinding) -> Result<Target, StoreError> {
        let Some(finding_id) = f.finding_id else {
            return Err(StoreError::Internal(format!(
                "finding {} was read without its id",
                f.fingerprint
            )));
        };
        Ok(Target {
            finding_id,
            fingerprint: f.fingerprint.clone(),
            rule_id: f.rule_id.clone(),
            title: f.title.clone(),
        })
    }
}

/// The shortest fingerprint prefix that names a finding: shorter ones would match too often.
pub const MIN_PREFIX: usize = 8;

/// A finding of the project by full fingerprint or by a unique prefix of at least
/// [`MIN_PREFIX`] characters.
pub(crate) fn resolve(
    conn: &mut DbConn,
    project_id: ProjectId,
    project: &str,
    fingerprint: &str,
) -> Result<Target, StoreError> {
    let fingerprint = fingerprint.trim();
    let row = |r: (i64, String, String, String)| Target {
        finding_id: FindingId::new(r.0),
        fingerprint: r.1,
        rule_id: r.2,
        title: r.3,
    };
    let select = (
        findings::id,
        findings::fingerprint,
        findings::rule_id,
        findings::title,
    );
    let exact: Option<(i64, String, String, String)> = findings::table
        .filter(findings::project_id.eq(project_id.get()))
        .filter(findings::fingerprint.eq(fingerprint))
        .select(select)
        .first(conn)
        .optional()?;
    if let Some(found) = exact {
        return Ok(row(found));
    }
    let not_found = || StoreError::not_found("finding", format!("{project}/{fingerprint}"));
    if !fingerprint.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    if fingerprint.len() < MIN_PREFIX {
        return Err(StoreError::invalid(
            "fingerprint",
            format!(
                "fingerprint prefix {fingerprint:?} is too short: give at least {MIN_PREFIX} \
             characters of it, or the whole fingerprint"
            ),
        ));
    }
    let mut candidates: Vec<(i64, String, String, String)> = findings::table
        .filter(findings::project_id.eq(project_id.get()))
        .filter(findings::fingerprint.like(format!("{fingerprint}%")))
        .select(select)
        .limit(2)
        .load(conn)?;
    match candidates.len() {
        0 => Err(not_found()),
        1 => Ok(row(candidates.remove(0))),
        _ => Err(StoreError::invalid(
            "fingerprint",
            format!(
                "fingerprint prefix {fingerprint:?} matches more than one finding; give more of it"
            ),
        )),
    }
}

/// Sets the decision on the targets: current state, history and audit, in the caller's
/// transaction. Returns one change per target.
pub(crate) fn apply(
    conn: &mut DbConn,
    project: &str,
    targets: &[Target],
    decision: &TriageDecision,
    actor: &str,
    source: &str,
    request_id: Option<&str>,
) -> Result<Vec<TriageChange>, StoreError> {
    let decided_at = now();
    let expires_at = decision.expires_at();
    let status = decision.status.as_str();
    let mut changes = Vec::with_capacity(targets.len());
    let mut events = Vec::with_capacity(targets.len());
    for chunk in targets.chunks(CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|t| t.finding_id.get()).collect();
        type Current = (
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<NaiveDateTime>,
            String,
        );
        let before: std::collections::HashMap<i64, Current> = triage::table
            .filter(triage::finding_id.eq_any(&ids))
            .select((
                triage::finding_id,
                triage::status,
                triage::justification,
                triage::approver,
                triage::expires_at,
                triage::decided_by,
            ))
            .load::<Current>(conn)?
            .into_iter()
            .map(|row| (row.0, row))
            .collect();
        let rows: Vec<_> = ids
            .iter()
            .map(|id| {
                (
                    triage::finding_id.eq(*id),
                    triage::status.eq(status),
                    triage::justification.eq(decision.justification.as_deref()),
                    triage::approver.eq(decision.approver.as_deref()),
                    triage::expires_at.eq(expires_at),
                    triage::decided_by.eq(actor),
                    triage::decided_at.eq(decided_at),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(triage::table)
            .values(&rows)
            .on_conflict(triage::finding_id)
            .do_update()
            .set((
                triage::status.eq(excluded(triage::status)),
                triage::justification.eq(excluded(triage::justification)),
                triage::approver.eq(excluded(triage::approver)),
                triage::expires_at.eq(excluded(triage::expires_at)),
                triage::decided_by.eq(excluded(triage::decided_by)),
                triage::decided_at.eq(excluded(triage::decided_at)),
            ))
            .execute(c))?;
        let history: Vec<_> = chunk
            .iter()
            .map(|t| {
                (
                    triage_events::finding_id.eq(t.finding_id.get()),
                    triage_events::previous_status
                        .eq(before.get(&t.finding_id.get()).map(|b| b.1.clone())),
                    triage_events::status.eq(status),
                    triage_events::justification.eq(decision.justification.as_deref()),
                    triage_events::approver.eq(decision.approver.as_deref()),
                    triage_events::expires_at.eq(expires_at),
                    triage_events::decided_by.eq(actor),
                    triage_events::decided_at.eq(decided_at),
                    triage_events::source.eq(source),
                    triage_events::request_id.eq(request_id),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(triage_events::table)
            .values(&history)
            .execute(c))?;
        for t in chunk {
            let previous = before.get(&t.finding_id.get());
            let previous_status = match previous {
                Some(b) => crate::view::stored_status(&b.1)?,
                None => TriageStatus::Open,
            };
            events.push(NewAuditEvent {
                actor,
                action: "triage.set",
                project: Some(project),
                subject: format!("{project} finding {}", t.fingerprint),
                before: Some(match previous {
                    Some((_, st, just, appr, exp, by)) => serde_json::json!({
                        "status": st, "justification": just, "approver": appr,
                        "expires_at": exp, "decided_by": by,
                    }),
                    None => serde_json::json!({ "status": "open" }),
                }),
                after: Some(serde_json::json!({
                    "status": status,
                    "justification": decision.justification,
                    "approver": decision.approver,
                    "expires_at": expires_at,
                    "source": source,
                })),
                request_id,
            });
            changes.push(TriageChange {
                fingerprint: t.fingerprint.clone(),
                rule_id: t.rule_id.clone(),
                title: t.title.clone(),
                previous_status,
                status: decision.status,
            });
        }
    }
    audit::append(conn, &events)?;
    Ok(changes)
}

/// The project's latest release, for bulk decisions without `--release`.
fn latest_release(conn: &mut DbConn, project: &str) -> Result<String, StoreError> {
    let pid = project_id(conn, project)?;
    releases_of(conn, pid)?
        .pop()
        .map(|r| r.name)
        .ok_or_else(|| StoreError::not_found("release", format!("{project}/(latest)")))
}

/// Whether a view finding passes a bulk filter.
fn keeps(filter: &TriageFilter, glob: Option<&globset::GlobMatcher>, f: &ViewFinding) -> bool {
    filter.findings.keeps(f)
        && (filter.rules.is_empty() || filter.rules.iter().any(|r| r == &f.rule_id))
        && (filter.tool_statuses.is_empty()
            || f.tool_status.as_deref().is_some_and(|ts| {
                filter
                    .tool_statuses
                    .iter()
                    .any(|want| want.eq_ignore_ascii_case(ts))
            }))
        && glob.is_none_or(|m| {
            f.file
                .as_deref()
                .or(f.resource.as_deref())
                .is_some_and(|p| m.is_match(p.trim_start_matches("./")))
        })
}

impl Store {
    /// Decides on one finding of a project (by fingerprint or a unique prefix of at least 8
    /// characters). The decision applies in every release where the finding appears.
    pub fn triage(
        &self,
        project: &str,
        fingerprint: &str,
        decision: &TriageDecision,
        actor: &str,
        request_id: Option<&str>,
    ) -> Result<TriageOutcome, StoreError> {
        decision.validate(now().date())?;
        let mut conn = self.conn()?;
        let changes = write_tx(&mut conn, |c| {
            let pid = project_id(c, project)?;
            let target = resolve(c, pid, project, fingerprint)?;
            apply(c, project, &[target], decision, actor, "single", request_id)
        })?;
        Ok(TriageOutcome {
            project: project.to_string(),
            status: decision.status,
            changes,
            dry_run: false,
        })
    }

    /// Decides on every finding of a release's current view (`filter.release`, else the
    /// latest release) that passes the filter, in one transaction. With `dry_run`, says what it would change
    /// and stores nothing.
    pub fn triage_bulk(
        &self,
        project: &str,
        filter: &TriageFilter,
        decision: &TriageDecision,
        actor: &str,
        request_id: Option<&str>,
        dry_run: bool,
    ) -> Result<TriageOutcome, StoreError> {
        decision.validate(now().date())?;
        if filter.is_empty() {
            return Err(StoreError::invalid(
                "filter",
                "a bulk decision needs at least one filter (kind, rule, path, tool, severity, \
                 status, tool status or text)",
            ));
        }
        let glob = filter.matcher()?;
        let mut conn = self.conn()?;
        let run = |c: &mut DbConn| {
            let release = match &filter.release {
                Some(r) => r.clone(),
                None => latest_release(c, project)?,
            };
            let view = release_view_in(c, project, &release)?;
            let matching: Vec<&ViewFinding> = view
                .findings
                .iter()
                .filter(|f| keeps(filter, glob.as_ref(), f))
                .collect();
            if dry_run {
                return Ok(matching
                    .iter()
                    .map(|f| TriageChange {
                        fingerprint: f.fingerprint.clone(),
                        rule_id: f.rule_id.clone(),
                        title: f.title.clone(),
                        previous_status: f.status,
                        status: decision.status,
                    })
                    .collect());
            }
            let targets = matching
                .into_iter()
                .map(Target::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            apply(c, project, &targets, decision, actor, "bulk", request_id)
        };
        let changes = if dry_run {
            read_tx(&mut conn, run)?
        } else {
            write_tx(&mut conn, run)?
        };
        Ok(TriageOutcome {
            project: project.to_string(),
            status: decision.status,
            changes,
            dry_run,
        })
    }

    /// Every decision on a finding, oldest first.
    pub fn triage_history(
        &self,
        project: &str,
        fingerprint: &str,
    ) -> Result<Vec<TriageHistoryEntry>, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            let pid = project_id(c, project)?;
            let target = resolve(c, pid, project, fingerprint)?;
            type Row = (
                Option<String>,
                String,
                Option<String>,
                Option<String>,
                Option<NaiveDateTime>,
                String,
                NaiveDateTime,
                String,
                Option<String>,
            );
            let rows: Vec<Row> = triage_events::table
                .filter(triage_events::finding_id.eq(target.finding_id.get()))
                .order(triage_events::id.asc())
                .select((
                    triage_events::previous_status,
                    triage_events::status,
                    triage_events::justification,
                    triage_events::approver,
                    triage_events::expires_at,
                    triage_events::decided_by,
                    triage_events::decided_at,
                    triage_events::source,
                    triage_events::request_id,
                ))
                .load(c)?;
            rows.into_iter()
                .map(|r| {
                    Ok(TriageHistoryEntry {
                        previous_status: r.0.as_deref().map(stored_status).transpose()?,
                        status: stored_status(&r.1)?,
                        justification: r.2,
                        approver: r.3,
                        expires_at: r.4,
                        decided_by: r.5,
                        decided_at: r.6,
                        source: r.7,
                        request_id: r.8,
                    })
                })
                .collect::<Result<_, StoreError>>()
        })
    }
}
