//! VEX: a release's triage decisions as an OpenVEX document, and OpenVEX documents as triage
//! decisions.
//!
//! Export (one statement per vulnerability finding in the release's current view):
//!
//! | ours | OpenVEX |
//! |---|---|
//! | `false_positive` | `not_affected`, `impact_statement` = our justification |
//! | `accepted` | `affected`, `action_statement` = approver, expiry and justification |
//! | `confirmed` | `affected`, `action_statement` = "confirmed, remediation pending" |
//! | `open` | `under_investigation` |
//!
//! Import (every vulnerability finding of the project that a statement names):
//!
//! | OpenVEX | ours |
//! |---|---|
//! | `not_affected` + `component_not_present` / `vulnerable_code_not_present` | `false_positive` |
//! | `not_affected` + any other justification, or only an impact statement | `accepted` (approver: the document's author unless given; expiry: required) |
//! | `affected` | `confirmed` |
//! | `fixed`, `under_investigation` | skipped: `fixed` is derived from scans, and an investigation is no decision |
//!
//! A statement names a finding by vulnerability (its `name` or `aliases` against our rule id
//! and aliases) and product: when its products or subcomponents carry package URLs (other than
//! `pkg:oci`, the image itself), the finding's package must be one of them (versions and
//! qualifiers aside); otherwise the statement covers every finding of that vulnerability.

use crate::catalog::project_id;
use crate::db::DbConn;
use crate::error::StoreError;
use crate::tables::*;
use crate::triage::{Target, TriageDecision, TriageStatus, apply};
use crate::tx::{read_tx, write_tx};
use crate::view::release_view_in;
use crate::{Store, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::{FindingId, Kind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const OPENVEX_CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// Justifications that say the finding is wrong (the thing is not there).
const NOT_PRESENT: [&str; 2] = ["component_not_present", "vulnerable_code_not_present"];
const JUSTIFICATIONS: [&str; 5] = [
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

#[derive(Debug, Deserialize)]
struct Document {
    #[serde(rename = "@context")]
    context: Option<String>,
    #[serde(rename = "@id")]
    id: Option<String>,
    author: Option<String>,
    #[serde(default)]
    statements: Vec<Statement>,
}

#[derive(Debug, Deserialize)]
struct Statement {
    vulnerability: Vulnerability,
    #[serde(default)]
    products: Vec<Product>,
    status: String,
    justification: Option<String>,
    impact_statement: Option<String>,
    action_statement: Option<String>,
    status_notes: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Vulnerability {
    name: Option<String>,
    #[serde(rename = "@id")]
    id: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Product {
    #[serde(rename = "@id")]
    id: Option<String>,
    #[serde(default)]
    identifiers: BTreeMap<String, String>,
    #[serde(default)]
    subcomponents: Vec<Product>,
}

impl Product {
    fn purls(&self, out: &mut Vec<String>) {
        for id in self.id.iter().chain(self.identifiers.get("purl")) {
            if id.starts_with("pkg:") && !id.starts_with("pkg:oci/") {
                out.push(purl_base(id));
            }
        }
        for sub in &self.subcomponents {
            sub.purls(out);
        }
    }
}

/// A package URL without version, qualifiers and subpath, lowercased, for matching.
fn purl_base(purl: &str) -> String {
    let purl = purl.split(['?', '#']).next().unwrap_or(purl);
    let last_slash = purl.rfind('/').unwrap_or(0);
    let purl = match purl[last_slash..].find('@') {
        Some(at) => &purl[..last_slash + at],
        None => purl,
    };
    purl.to_ascii_lowercase()
}

/// How to turn statements into decisions.
#[derive(Debug, Clone, Default)]
pub struct VexImportOptions {
    /// Approver of acceptances; default: the document's `author`.
    pub approver: Option<String>,
    /// Expiry of acceptances; required when a statement becomes an acceptance.
    pub expires: Option<NaiveDate>,
    /// Say what would be decided; store nothing.
    pub dry_run: bool,
}

/// What became of one statement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VexStatementOutcome {
    pub vulnerability: String,
    pub vex_status: String,
    /// Our status, or `None` when the statement was skipped.
    pub status: Option<String>,
    /// Fingerprints of the findings decided.
    pub findings: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VexImportOutcome {
    pub project: String,
    pub document_id: Option<String>,
    pub decided: u64,
    pub dry_run: bool,
    pub statements: Vec<VexStatementOutcome>,
}

fn decision_for(
    st: &Statement,
    author: Option<&str>,
    options: &VexImportOptions,
    index: usize,
) -> Result<Option<TriageDecision>, StoreError> {
    let text = |parts: &[Option<&str>]| {
        let joined: Vec<&str> = parts
            .iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        (!joined.is_empty()).then(|| format!("VEX: {}", joined.join(": ")))
    };
    let justification = st.justification.as_deref();
    match st.status.as_str() {
        "not_affected" => {
            if justification.is_some_and(|j| !JUSTIFICATIONS.contains(&j)) {
                return Err(StoreError::invalid(
                    "statement",
                    format!("statement {index}: unknown justification {justification:?}"),
                ));
            }
            let why = text(&[justification, st.impact_statement.as_deref()]).ok_or_else(|| {
                StoreError::invalid("statement", format!(
                    "statement {index}: not_affected needs a justification or an impact_statement"
                ))
            })?;
            if justification.is_some_and(|j| NOT_PRESENT.contains(&j)) {
                let mut d = TriageDecision::new(TriageStatus::FalsePositive);
                d.justification = Some(why);
                return Ok(Some(d));
            }
            let approver = options
                .approver
                .clone()
                .or_else(|| author.map(str::to_string));
            let Some(expires) = options.expires else {
                return Err(StoreError::invalid(
                    "statement",
                    format!(
                        "statement {index} becomes an acceptance (not_affected, {}): give an \
                     expiry date",
                        justification.unwrap_or("impact statement only")
                    ),
                ));
            };
            Ok(Some(TriageDecision {
                status: TriageStatus::Accepted,
                justification: Some(why),
                approver,
                expires: Some(expires),
            }))
        }
        "affected" => {
            let mut d = TriageDecision::new(TriageStatus::Confirmed);
            d.justification = text(&[st.action_statement.as_deref(), st.status_notes.as_deref()]);
            Ok(Some(d))
        }
        "fixed" | "under_investigation" => Ok(None),
        other => Err(StoreError::invalid(
            "statement",
            format!("statement {index}: unknown status {other:?}"),
        )),
    }
}

/// The project's vulnerability findings a statement names.
fn targets_of(
    conn: &mut DbConn,
    pid: i64,
    names: &[String],
    purls: &[String],
) -> Result<Vec<Target>, StoreError> {
    let mut rows: Vec<(i64, String, String, String, String, Option<String>)> = Vec::new();
    for name in names {
        let found: Vec<(i64, String, String, String, String, Option<String>)> = findings::table
            .filter(findings::project_id.eq(pid))
            .filter(findings::kind.eq("vulnerability"))
            .filter(
                findings::rule_id
                    .eq(name)
                    .or(findings::aliases.like(format!("%\"{}\"%", name.replace('%', "")))),
            )
            .select((
                findings::id,
                findings::fingerprint,
                findings::rule_id,
                findings::title,
                findings::aliases,
                findings::component_purl,
            ))
            .load(conn)?;
        rows.extend(found);
    }
    rows.sort_by_key(|r| r.0);
    rows.dedup_by_key(|r| r.0);
    Ok(rows
        .into_iter()
        .filter(|(_, _, rule_id, _, aliases, _)| {
            // LIKE is only a prefilter: check the alias list exactly.
            let aliases: Vec<String> = serde_json::from_str(aliases).unwrap_or_default();
            names.iter().any(|n| n == rule_id || aliases.contains(n))
        })
        .filter(|(.., purl)| {
            purls.is_empty()
                || purl
                    .as_deref()
                    .is_some_and(|p| purls.contains(&purl_base(p)))
        })
        .map(|(finding_id, fingerprint, rule_id, title, ..)| Target {
            finding_id: FindingId::new(finding_id),
            fingerprint,
            rule_id,
            title,
        })
        .collect())
}

impl Store {
    /// The release's decisions on its vulnerability findings as an OpenVEX (v0.2.0) document.
    pub fn vex_export(
        &self,
        project: &str,
        release: &str,
        author: &str,
        at: Option<NaiveDateTime>,
    ) -> Result<serde_json::Value, StoreError> {
        let at = at.unwrap_or_else(now);
        let stamp = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut conn = self.conn()?;
        let view = read_tx(&mut conn, |c| release_view_in(c, project, release))?;
        let mut statements = Vec::new();
        for f in view
            .findings
            .iter()
            .filter(|f| f.kind == Kind::Vulnerability)
        {
            let product_id = match (&f.purl, &f.component_version) {
                (Some(p), Some(v)) if purl_base(p) == p.to_ascii_lowercase() => {
                    format!("{p}@{v}")
                }
                (Some(p), _) => p.clone(),
                (None, _) => f
                    .target
                    .clone()
                    .unwrap_or_else(|| format!("urn:scanledger:{project}:{release}")),
            };
            let d = f.decision.as_ref();
            let just = d.and_then(|d| d.justification.clone());
            let mut st = serde_json::json!({
                "vulnerability": { "name": f.rule_id },
                "products": [{ "@id": product_id }],
            });
            let expired = d.and_then(|d| d.expires_at).is_some_and(|e| e <= at);
            let fields: Vec<(&str, serde_json::Value)> = match f.status {
                TriageStatus::FalsePositive => {
                    let text = just.unwrap_or_default();
                    let mut v = vec![("status", "not_affected".into())];
                    if let Some(j) = JUSTIFICATIONS.iter().find(|j| text.contains(*j)) {
                        v.push(("justification", (*j).into()));
                    }
                    v.push(("impact_statement", text.into()));
                    v
                }
                TriageStatus::Accepted => vec![
                    ("status", "affected".into()),
                    (
                        "action_statement",
                        format!(
                            "Risk accepted{} by {} until {}: {}",
                            if expired { " (expired)" } else { "" },
                            d.and_then(|d| d.approver.clone()).unwrap_or_default(),
                            d.and_then(|d| d.expires_at)
                                .map(|e| e.format("%Y-%m-%d").to_string())
                                .unwrap_or_default(),
                            just.unwrap_or_default()
                        )
                        .into(),
                    ),
                ],
                TriageStatus::Confirmed => vec![
                    ("status", "affected".into()),
                    (
                        "action_statement",
                        just.map_or_else(
                            || "Confirmed; remediation pending".to_string(),
                            |j| format!("Confirmed; remediation pending: {j}"),
                        )
                        .into(),
                    ),
                ],
                TriageStatus::Open => vec![("status", "under_investigation".into())],
            };
            if let Some(obj) = st.as_object_mut() {
                for (k, v) in fields {
                    obj.insert(k.to_string(), v);
                }
                if let Some(d) = d {
                    obj.insert(
                        "timestamp".into(),
                        d.decided_at.format("%Y-%m-%dT%H:%M:%SZ").to_string().into(),
                    );
                }
            }
            statements.push(st);
        }
        let id_safe = |s: &str| s.replace(|c: char| c.is_whitespace() || c == ':', "-");
        Ok(serde_json::json!({
            "@context": OPENVEX_CONTEXT,
            "@id": format!(
                "urn:scanledger:vex:{}:{}:{}",
                id_safe(project),
                id_safe(release),
                at.format("%Y%m%dT%H%M%SZ")
            ),
            "author": author,
            "timestamp": stamp,
            "version": 1,
            "tooling": "ScanLedger",
            "statements": statements,
        }))
    }

    /// Applies an OpenVEX document's statements as triage decisions on the project's findings,
    /// in one transaction (see the module docs for the mapping).
    pub fn vex_import(
        &self,
        project: &str,
        document: &[u8],
        options: &VexImportOptions,
        actor: &str,
        request_id: Option<&str>,
    ) -> Result<VexImportOutcome, StoreError> {
        let doc: Document = serde_json::from_slice(document).map_err(|e| {
            StoreError::invalid("document", format!("not an OpenVEX document: {e}"))
        })?;
        if !doc
            .context
            .as_deref()
            .is_some_and(|c| c.starts_with("https://openvex.dev/ns"))
        {
            return Err(StoreError::invalid(
                "document",
                "not an OpenVEX document: @context is not https://openvex.dev/ns/...",
            ));
        }
        let today = now().date();
        let mut plan = Vec::new();
        for (index, st) in doc.statements.iter().enumerate() {
            let decision = decision_for(st, doc.author.as_deref(), options, index)?;
            if let Some(d) = &decision {
                d.validate(today).map_err(|e| {
                    StoreError::invalid("statement", format!("statement {index}: {e}"))
                })?;
            }
            plan.push(decision);
        }
        let source = format!("vex:{}", doc.id.as_deref().unwrap_or("(no @id)"));
        let mut conn = self.conn()?;
        let run = |c: &mut DbConn| {
            let pid = project_id(c, project)?;
            let mut outcomes = Vec::new();
            let mut decided = 0u64;
            for (st, decision) in doc.statements.iter().zip(&plan) {
                let mut names: Vec<String> = st
                    .vulnerability
                    .name
                    .iter()
                    .chain(st.vulnerability.id.iter())
                    .chain(st.vulnerability.aliases.iter())
                    .cloned()
                    .collect();
                names.sort();
                names.dedup();
                let vulnerability = names.first().cloned().unwrap_or_default();
                let Some(decision) = decision else {
                    outcomes.push(VexStatementOutcome {
                        vulnerability,
                        vex_status: st.status.clone(),
                        status: None,
                        findings: Vec::new(),
                        note: Some(if st.status == "fixed" {
                            "skipped: fixed is derived from scans".into()
                        } else {
                            "skipped: under investigation is no decision".into()
                        }),
                    });
                    continue;
                };
                let mut purls = Vec::new();
                for p in &st.products {
                    p.purls(&mut purls);
                }
                let targets = targets_of(c, pid, &names, &purls)?;
                let fingerprints: Vec<String> =
                    targets.iter().map(|t| t.fingerprint.clone()).collect();
                if !options.dry_run && !targets.is_empty() {
                    apply(c, project, &targets, decision, actor, &source, request_id)?;
                }
                decided += targets.len() as u64;
                outcomes.push(VexStatementOutcome {
                    vulnerability,
                    vex_status: st.status.clone(),
                    status: Some(decision.status.as_str().to_string()),
                    note: targets
                        .is_empty()
                        .then(|| "no finding of this project matches".to_string()),
                    findings: fingerprints,
                });
            }
            Ok((outcomes, decided))
        };
        let (statements, decided) = if options.dry_run {
            read_tx(&mut conn, run)?
        } else {
            write_tx(&mut conn, run)?
        };
        Ok(VexImportOutcome {
            project: project.to_string(),
            document_id: doc.id,
            decided,
            dry_run: options.dry_run,
            statements,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::purl_base;

    #[test]
    fn purls_lose_version_and_qualifiers() {
        assert_eq!(purl_base("pkg:npm/lodash@4.17.20"), "pkg:npm/lodash");
        assert_eq!(
            purl_base("pkg:npm/%40angular/core@1.0?x=y#a"),
            "pkg:npm/%40angular/core"
        );
        assert_eq!(
            purl_base("pkg:deb/debian/libc6@2.36-9?arch=amd64"),
            "pkg:deb/debian/libc6"
        );
        assert_eq!(purl_base("pkg:golang/x"), "pkg:golang/x");
    }
}
