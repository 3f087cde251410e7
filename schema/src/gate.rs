//! The release gate: may this release ship?
//!
//! The gate evaluates the project's active policy (or the defaults, when none is set) against
//! the release's current view and lists every reason it blocks, each naming its finding or
//! scan:
//!
//! - `blocking_finding`: an open or confirmed finding at or above the threshold of its kind;
//! - `missing_scan`: a required tool has no scan in the release;
//! - `stale_scan`: a scan is older than `max_scan_age_days` (the scans of required tools; every
//!   scan when no tool is required);
//! - `expired_acceptance`: an acceptance past its expiry date (when the policy says so);
//! - `denied_license`: a license finding on the deny list, or off a non-empty allow list;
//! - `sla_breach`: an open or confirmed finding past its SLA (when the policy says so).
//!
//! [`GateOptions`] can override the threshold and add required tools (the CLI's `--fail-on`
//! and `--require`). Every evaluation that decides is recorded with the policy version it
//! used: [`Store::gate`] (API, CLI) and sealing ([`record_evaluation`]);
//! [`Store::gate_preview`] evaluates the same way for pages that only show the gate, and
//! records nothing.
//!
//! There is one judgement ([`judge`]: the scans, then each finding in the view's order). It
//! is fed from SQL ([`candidates`]): the current scans, a count of the view's findings, and
//! only the findings that may give a reason or be ignored (open ones at or above the lowest
//! threshold, expired acceptances, licenses, SLA candidates, ignore-rule matches), each as
//! its record in the release view, so nothing else of a large release is read. The preview
//! reads those candidates most severe first in batches and may stop early. `gate_from_view`
//! feeds the same judgement from the whole release view: the definition the tests compare
//! the SQL feed with. A snapshot (reports, bundles, the seal) feeds it the same way, a
//! finding at a time as it spools the view (`domain::Judgement`), with no query of its own.

use crate::catalog::{current_scans, release, row_ids, scans_of};
use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::current_findings_sql;
use crate::policy::{Policy, Threshold, active_policy};
use crate::sql::Bind;
use crate::tables::*;
use crate::tx::{read_tx, write_tx};
use crate::view::{current_summaries, release_view_in, stored_kind, stored_status};
use crate::{ScanSummary, Store};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, SmallInt, Text, Timestamp};
use domain::{
    FindingId, GateFinding, GateSettings, ReleaseId, ScanId, SetAside, judge, judge_finding,
    judge_scans, view_order,
};
pub use domain::{
    GateReason, GateReasonRef, GateResult, GateVerdict, IgnoredFinding, ToolDecidedFinding,
    ToolDecision,
};
use importers::Severity;
use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    /// Overrides the policy's `fail_on` (default: high).
    pub fail_on: Option<Severity>,
    /// Tools that must have a scan in the release, in addition to the policy's.
    pub required_tools: Vec<String>,
    /// Evaluate as of this time (UTC) instead of now: for re-evaluations and tests.
    pub at: Option<NaiveDateTime>,
    /// Who asks; recorded with the evaluation (default `anonymous`).
    pub evaluated_by: Option<String>,
}

/// One recorded gate evaluation ([`Store::gate`]).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateEvaluation {
    pub policy_version: Option<i64>,
    #[serde(rename = "passed")]
    pub verdict: GateVerdict,
    pub reasons: Vec<GateReasonRef>,
    pub evaluated_by: String,
    pub evaluated_at: NaiveDateTime,
}

/// A [`GateFinding`] as the candidates query reads it.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
struct GateRow {
    #[diesel(sql_type = BigInt)]
    finding_id: i64,
    #[diesel(sql_type = Text)]
    fingerprint: String,
    /// The severity's rank ([`Severity::rank`]).
    #[diesel(sql_type = SmallInt)]
    severity: i16,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    rule_id: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    tool: String,
    /// Our triage state (`open` while undecided).
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    tool_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    component: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    target: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    file: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    resource: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    url: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    line_start: Option<i64>,
    #[diesel(sql_type = Timestamp)]
    first_seen_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    approver: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    decided_by: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    expires_at: Option<NaiveDateTime>,
}

impl TryFrom<GateRow> for GateFinding {
    type Error = StoreError;

    fn try_from(r: GateRow) -> Result<GateFinding, StoreError> {
        Ok(GateFinding {
            finding_id: Some(FindingId::new(r.finding_id)),
            fingerprint: r.fingerprint,
            severity: Severity::from_rank(r.severity),
            kind: stored_kind(&r.kind)?,
            rule_id: r.rule_id,
            title: r.title,
            tool: r.tool,
            status: stored_status(&r.status)?,
            tool_status: r.tool_status,
            component: r.component,
            target: r.target,
            file: r.file,
            resource: r.resource,
            url: r.url,
            line_start: r.line_start,
            first_seen_at: r.first_seen_at,
            approver: r.approver,
            decided_by: r.decided_by,
            expires_at: r.expires_at,
        })
    }
}

/// The columns of a [`GateRow`], for [`current_findings_sql`].
const GATE_COLUMNS: &str = "o.finding_id, f.fingerprint, o.severity, f.kind, f.rule_id, \
    COALESCE(o.title, f.title) AS title, f.tool, COALESCE(t.status, 'open') AS status, \
    o.tool_status, f.component_name AS component, o.target, o.file, o.resource, o.url, \
    o.line_start, f.first_seen_at, t.approver, t.decided_by, t.expires_at";

/// The gate's settings for a release: its project's active policy with `options` applied.
pub(crate) fn settings(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
) -> Result<(ReleaseId, GateSettings), StoreError> {
    let rel = release(conn, project, release_name)?;
    let (policy_version, policy) = match active_policy(conn, rel.project_id)? {
        Some((v, p)) => (Some(v), p),
        None => (None, Policy::default()),
    };
    let settings = GateSettings::new(
        policy_version,
        policy,
        options.fail_on,
        &options.required_tools,
        options.at.unwrap_or_else(crate::now),
    );
    Ok((rel.id, settings))
}

// ---------------------------------------------------------------- feeding it from SQL

/// The longest run of literal characters a path must contain to match `glob` (outside
/// classes, alternations and escapes; slashes trimmed, because `**/` may match nothing).
fn glob_needle(glob: &str) -> String {
    let mut best = String::new();
    let mut run = String::new();
    let mut alternation = 0usize;
    let mut chars = glob.chars().peekable();
    let flush = |run: &mut String, best: &mut String| {
        let trimmed = run.trim_matches('/');
        if trimmed.len() > best.len() {
            *best = trimmed.to_string();
        }
        run.clear();
    };
    while let Some(ch) = chars.next() {
        match ch {
            '[' => {
                flush(&mut run, &mut best);
                // A class: `[!...]` or `[^...]` negate it, a `]` right at its start is a member.
                chars.next_if(|c| *c == '!' || *c == '^');
                chars.next_if_eq(&']');
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                }
            }
            '{' => {
                flush(&mut run, &mut best);
                alternation += 1;
            }
            '}' => {
                run.clear();
                alternation = alternation.saturating_sub(1);
            }
            '\\' => {
                flush(&mut run, &mut best);
                chars.next();
            }
            '*' | '?' => flush(&mut run, &mut best),
            _ if alternation > 0 => {}
            _ => run.push(ch),
        }
    }
    flush(&mut run, &mut best);
    best
}

/// `%needle%` for LIKE, case kept, wildcards escaped.
fn contains_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for ch in needle.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// The current scans of the release, and how many findings its current view holds.
fn current_of(
    conn: &mut DbConn,
    release_id: ReleaseId,
) -> Result<(Vec<ScanSummary>, Vec<ScanId>, usize), StoreError> {
    let all = scans_of(conn, release_id)?;
    let current = current_scans(&all);
    let ids: Vec<ScanId> = current.iter().map(|s| s.id).collect();
    let findings: i64 = if ids.is_empty() {
        0
    } else {
        occurrences::table
            .filter(occurrences::scan_id.eq_any(row_ids(&ids)))
            .select(diesel::dsl::count(occurrences::finding_id).aggregate_distinct())
            .first(conn)?
    };
    Ok((
        current_summaries(&current),
        ids,
        usize::try_from(findings).unwrap_or(0),
    ))
}

/// A keyset page of candidates: most severe first, then by finding id, descending.
struct Batch {
    /// Continue after this (severity rank, finding id).
    after: Option<(i16, i64)>,
    size: usize,
}

/// The findings of the current view (`scan_ids`, not empty) that may give a reason or be
/// ignored under these settings: a superset that [`judge_finding`] narrows. Each condition
/// is on the finding's view record, so each candidate is judged as on the whole view.
fn candidates(
    conn: &mut DbConn,
    scan_ids: &[ScanId],
    s: &GateSettings,
    batch: Option<&Batch>,
) -> Result<Vec<GateFinding>, StoreError> {
    let policy = &s.policy;
    // Comparisons with the clock get a second of slack: the judgement is exact, the query
    // only has to miss nothing.
    let slack = TimeDelta::seconds(1);
    let mut sql = current_findings_sql(GATE_COLUMNS, scan_ids, None);
    let undecided = "COALESCE(t.status, 'open') NOT IN ('false_positive', 'accepted')";
    // Blocking findings: open or confirmed, at or above the lowest threshold of any kind.
    let lowest = policy
        .gate
        .kinds
        .values()
        .filter_map(|t| match t {
            Threshold::AtLeast(severity) => Some(*severity),
            Threshold::Never => None,
        })
        .chain([s.fail_on])
        .min()
        .unwrap_or(s.fail_on);
    sql.push(&format!(
        " AND (({undecided} AND o.severity >= {})",
        lowest.rank()
    ));
    if policy.gate.block_expired_acceptances {
        sql.push(" OR (t.status = 'accepted' AND t.expires_at <= ");
        sql.bind(Bind::Time(s.at + slack));
        sql.push(")");
    }
    if policy.licenses.is_set() {
        sql.push(&format!(" OR ({undecided} AND f.kind = 'license')"));
    }
    // Failed conditions of a required quality gate block whatever their severity.
    for scanner in &policy.gate.require_quality_gate {
        sql.push(&format!(" OR ({undecided} AND LOWER(f.tool) = "));
        sql.bind(Bind::Text(domain::quality_gate_tool(scanner)));
        sql.push(")");
    }
    if policy.gate.block_sla_breaches {
        for severity in Severity::DESCENDING {
            if let Some(days) = policy.sla.days(severity) {
                sql.push(&format!(
                    " OR ({undecided} AND o.severity = {} AND f.first_seen_at < ",
                    severity.rank()
                ));
                sql.bind(Bind::Time(s.at - TimeDelta::days(i64::from(days)) + slack));
                sql.push(")");
            }
        }
    }
    // Ignored findings, whatever their state: the rule's tool and rule id exactly, its path
    // glob by a literal part every matching path contains.
    for rule in &policy.ignore {
        sql.push(" OR (1 = 1");
        if let Some(tool) = &rule.tool {
            sql.push(" AND LOWER(f.tool) = LOWER(");
            sql.bind(Bind::Text(tool.clone()));
            sql.push(")");
        }
        if let Some(id) = &rule.rule {
            sql.push(" AND f.rule_id = ");
            sql.bind(Bind::Text(id.clone()));
        }
        if let Some(glob) = &rule.path {
            let needle = glob_needle(glob);
            if needle.is_empty() {
                sql.push(" AND COALESCE(o.file, o.resource) IS NOT NULL");
            } else {
                sql.push(" AND COALESCE(o.file, o.resource) LIKE ");
                sql.bind(Bind::Text(contains_pattern(&needle)));
                sql.push(" ESCAPE '\\'");
            }
        }
        sql.push(")");
    }
    sql.push(")");
    if let Some(batch) = batch {
        if let Some((rank, id)) = batch.after {
            sql.push(&format!(
                " AND (o.severity < {rank} OR (o.severity = {rank} AND o.finding_id < "
            ));
            sql.bind(Bind::Int(id));
            sql.push("))");
        }
        // The index on (scan_id, severity, finding_id), read backwards.
        sql.push(&format!(
            " ORDER BY o.severity DESC, o.finding_id DESC LIMIT {}",
            batch.size
        ));
    }
    let mut candidates = Vec::new();
    sql.for_each(conn, |row: GateRow| {
        candidates.push(GateFinding::try_from(row)?);
        Ok(())
    })?;
    Ok(candidates)
}

/// Evaluates the gate on every candidate, fed from SQL; does not record it.
fn evaluate(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
) -> Result<(GateResult, ReleaseId), StoreError> {
    let (release_id, s) = settings(conn, project, release_name, options)?;
    let (scans, ids, findings) = current_of(conn, release_id)?;
    let mut all = if ids.is_empty() {
        Vec::new()
    } else {
        candidates(conn, &ids, &s, None)?
    };
    all.sort_by(view_order);
    Ok((
        judge(project, release_name, &s, &scans, findings, &all),
        release_id,
    ))
}

/// The gate judged on the whole release view: the definition [`evaluate`] must match.
fn evaluate_on_view(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
) -> Result<GateResult, StoreError> {
    let (_, s) = settings(conn, project, release_name, options)?;
    let view = release_view_in(conn, project, release_name)?;
    let findings = view.findings.len();
    let all: Vec<GateFinding> = view.findings.iter().map(GateFinding::from).collect();
    Ok(judge(
        project,
        release_name,
        &s,
        &view.scans,
        findings,
        &all,
    ))
}

/// A gate evaluation for showing, not recorded; it may stop early (see
/// [`Store::gate_preview`]).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatePreview {
    /// `passed` is exact. `reasons` and `ignored` are complete only when `complete` is.
    pub result: GateResult,
    /// Every candidate was judged: `result` is what [`Store::gate`] would answer.
    pub complete: bool,
}

fn preview(
    conn: &mut DbConn,
    project: &str,
    release_name: &str,
    options: &GateOptions,
    max_reasons: usize,
) -> Result<GatePreview, StoreError> {
    let (release_id, s) = settings(conn, project, release_name, options)?;
    let (scans, ids, findings) = current_of(conn, release_id)?;
    let mut found = judge_scans(&s, &scans).len();
    // Candidates that gave a reason or were ignored, each judged once.
    let mut kept: Vec<GateFinding> = Vec::new();
    let mut complete = ids.is_empty();
    let mut batch = Batch {
        after: None,
        size: max_reasons.saturating_add(20).clamp(50, 1000),
    };
    while !complete && found < max_reasons.max(1) {
        let page = candidates(conn, &ids, &s, Some(&batch))?;
        complete = page.len() < batch.size;
        for f in page {
            batch.after = Some((f.severity.rank(), f.finding_id.map_or(0, FindingId::get)));
            let (mut reasons, mut set_aside) = (Vec::new(), SetAside::default());
            judge_finding(&s, &f, &mut reasons, &mut set_aside);
            found += reasons.len();
            if !reasons.is_empty() || !set_aside.is_empty() {
                kept.push(f);
            }
        }
    }
    kept.sort_by(view_order);
    Ok(GatePreview {
        result: judge(project, release_name, &s, &scans, findings, &kept),
        complete,
    })
}

/// Whether a gate evaluation is recorded ([`Store::gate`]) or only shown
/// ([`Store::gate_unrecorded`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Record {
    Yes,
    No,
}

/// [`Store::gate`] (`Record::Yes`) or [`Store::gate_unrecorded`] through `conn`.
pub(crate) fn gate_in(
    conn: &mut DbConn,
    project: &str,
    release: &str,
    options: &GateOptions,
    record: Record,
) -> Result<GateResult, StoreError> {
    if record == Record::No {
        return read_tx(conn, |c| {
            evaluate(c, project, release, options).map(|(result, _)| result)
        });
    }
    write_tx(conn, |c| {
        let (result, release_id) = evaluate(c, project, release, options)?;
        record_evaluation(c, release_id, &result, options)?;
        Ok(result)
    })
}

/// Records an evaluation of a release's gate: the policy version it used, its verdict, a
/// reference to what each reason names, and who asked.
pub(crate) fn record_evaluation(
    conn: &mut DbConn,
    release_id: ReleaseId,
    result: &GateResult,
    options: &GateOptions,
) -> Result<(), StoreError> {
    let refs: Vec<GateReasonRef> = result.reasons.iter().map(GateReasonRef::from).collect();
    diesel::insert_into(gate_evaluations::table)
        .values((
            gate_evaluations::release_id.eq(release_id.get()),
            gate_evaluations::policy_version.eq(result.policy_version),
            gate_evaluations::passed.eq(result.verdict.is_passed()),
            gate_evaluations::reason_refs.eq(serde_json::to_string(&refs)
                .map_err(|e| StoreError::Internal(format!("gate reasons: {e}")))?),
            gate_evaluations::evaluated_by
                .eq(options.evaluated_by.as_deref().unwrap_or("anonymous")),
            gate_evaluations::evaluated_at.eq(result.evaluated_at),
        ))
        .execute(conn)?;
    Ok(())
}

impl Store {
    /// Evaluates the gate for a release and records the evaluation (policy version, verdict,
    /// and a reference to what each reason names): for the CLI's `gate`, the API's
    /// `POST .../gate` and sealing, whose answers are decisions. Reads that only show the gate
    /// use [`Store::gate_unrecorded`] or [`Store::gate_preview`].
    pub fn gate(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
    ) -> Result<GateResult, StoreError> {
        gate_in(&mut *self.conn()?, project, release, options, Record::Yes)
    }

    /// [`Store::gate`]'s result, every reason, without recording it: for the API's
    /// `GET .../gate` (a read never writes evidence).
    pub fn gate_unrecorded(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
    ) -> Result<GateResult, StoreError> {
        gate_in(&mut *self.conn()?, project, release, options, Record::No)
    }

    /// Evaluates the gate like [`Store::gate`] without recording it, for pages that show
    /// it (browsing must not grow `gate_evaluations`). It judges the findings most severe
    /// first and stops once it has `max_reasons` reasons (or somewhat more: it judges whole
    /// batches), so its cost follows `max_reasons` rather than the size of the release;
    /// `passed` is exact either way. With `usize::MAX` it judges everything and its result
    /// is [`Store::gate`]'s.
    pub fn gate_preview(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
        max_reasons: usize,
    ) -> Result<GatePreview, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            preview(c, project, release, options, max_reasons)
        })
    }

    /// The gate judged on the whole release view, not recorded: the reference that the
    /// SQL-fed evaluation is tested against. Slow on large releases; not for serving.
    #[doc(hidden)]
    pub fn gate_from_view(
        &self,
        project: &str,
        release: &str,
        options: &GateOptions,
    ) -> Result<GateResult, StoreError> {
        let mut conn = self.conn()?;
        read_tx(&mut conn, |c| {
            evaluate_on_view(c, project, release, options)
        })
    }

    /// The gate evaluations recorded for a release, oldest first.
    pub fn gate_evaluations(
        &self,
        project: &str,
        release_name: &str,
    ) -> Result<Vec<GateEvaluation>, StoreError> {
        let mut conn = self.conn()?;
        let rel = release(&mut conn, project, release_name)?;
        let rows: Vec<(Option<i64>, bool, String, String, NaiveDateTime)> = gate_evaluations::table
            .filter(gate_evaluations::release_id.eq(rel.id.get()))
            .order(gate_evaluations::id)
            .select((
                gate_evaluations::policy_version,
                gate_evaluations::passed,
                gate_evaluations::reason_refs,
                gate_evaluations::evaluated_by,
                gate_evaluations::evaluated_at,
            ))
            .load(&mut conn)?;
        rows.into_iter()
            .map(
                |(policy_version, passed, refs, evaluated_by, evaluated_at)| {
                    Ok(GateEvaluation {
                        policy_version,
                        verdict: GateVerdict::from_passed(passed),
                        reasons: serde_json::from_str(&refs).map_err(|e| {
                            StoreError::Corrupt(format!(
                                "a recorded gate evaluation's reasons: {e}"
                            ))
                        })?,
                        evaluated_by,
                        evaluated_at,
                    })
                },
            )
            .collect()
    }

    /// How many gate evaluations are recorded for a release.
    pub fn gate_evaluation_count(
        &self,
        project: &str,
        release_name: &str,
    ) -> Result<i64, StoreError> {
        let mut conn = self.conn()?;
        let rel = release(&mut conn, project, release_name)?;
        Ok(gate_evaluations::table
            .filter(gate_evaluations::release_id.eq(rel.id.get()))
            .count()
            .get_result(&mut conn)?)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::glob_needle;

    /// Every path a glob matches contains its needle (the candidate query relies on it).
    #[test]
    fn a_glob_needle_is_in_every_path_the_glob_matches() {
        let paths = [
            "test/a.js",
            "lib/test/a.js",
            "lib/test/deep/a.js",
            "src/app.js",
            "src/deep/b.js",
            "vendor/x.js",
            "third_party/y/z.py",
            "lib/x.c",
            "ib/x",
            "a*b",
            "a]b/c",
            "x]b/c",
            "x]y",
            "Dockerfile",
            "infra/main.tf",
        ];
        for (glob, needle) in [
            ("**/test/**", "test"),
            ("src/*.js", "src"),
            ("{vendor,third_party}/**", ""),
            ("[!x]ib/**", "ib"),
            ("a\\*b", "a"),
            ("[]x]]b/**", "]b"),
            ("**/Dockerfile", "Dockerfile"),
            ("infra/**/*.tf", "infra"),
            ("*", ""),
        ] {
            assert_eq!(glob_needle(glob), needle, "{glob}");
            let matcher = globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .build()
                .expect("glob")
                .compile_matcher();
            for path in paths {
                if matcher.is_match(path) {
                    assert!(
                        path.contains(needle),
                        "{glob} matches {path} without {needle:?}"
                    );
                }
            }
        }
    }
}
