//! VEX in the store: a release's decisions on its vulnerability findings written as a VEX
//! document, and a VEX document's statements applied as triage decisions. The documents
//! themselves (formats, mappings, reading) are `reports::vex`'s; here the findings are loaded,
//! and each statement is matched to the project's findings and applied in one transaction.
//!
//! A statement names a finding by vulnerability (its names against our rule id and aliases)
//! and product: when it names package URLs, the finding's package must be one of them
//! (versions and qualifiers aside); otherwise it covers every finding of that vulnerability.

use crate::catalog::project_id;
use crate::db::DbConn;
use crate::error::StoreError;
use crate::tables::*;
use crate::triage::{Target, apply};
use crate::tx::{read_tx, write_tx};
use crate::view::release_view_in;
use crate::{Store, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::FindingId;
use domain::ProjectId;
use reports::vex::{
    self, ClaimAction, ImportDefaults, VexError, VexFormat, VexHeader, VexKind, purl_base,
};
use serde::{Deserialize, Serialize};

/// How to turn statements into decisions.
#[derive(Debug, Clone, Default)]
pub struct VexImportOptions {
    /// Approver of acceptances, over what the document names (OpenVEX: its `author`).
    pub approver: Option<String>,
    /// Expiry of acceptances, over what the document names; required when a statement
    /// becomes an acceptance and the document names none.
    pub expires: Option<NaiveDate>,
    /// Say what would be decided; store nothing.
    pub dry_run: bool,
}

/// What became of one statement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VexStatementOutcome {
    pub vulnerability: String,
    pub vex_status: String,
    /// Our status, or `None` when the statement was skipped.
    pub status: Option<String>,
    /// Fingerprints of the findings decided.
    pub findings: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VexImportOutcome {
    pub project: String,
    pub format: VexKind,
    pub document_id: Option<String>,
    pub decided: u64,
    pub dry_run: bool,
    pub statements: Vec<VexStatementOutcome>,
}

/// The project's vulnerability findings a statement names.
fn targets_of(
    conn: &mut DbConn,
    pid: ProjectId,
    names: &[String],
    purls: &[String],
) -> Result<Vec<Target>, StoreError> {
    let mut rows: Vec<(i64, String, String, String, String, Option<String>)> = Vec::new();
    for name in names {
        let found: Vec<(i64, String, String, String, String, Option<String>)> = findings::table
            .filter(findings::project_id.eq(pid.get()))
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
    /// The release's decisions on its vulnerability findings as a VEX document in `format`,
    /// written by `author` at `at` (default: now).
    pub fn vex_export(
        &self,
        project: &str,
        release: &str,
        format: VexFormat,
        author: &str,
        at: Option<NaiveDateTime>,
    ) -> Result<serde_json::Value, StoreError> {
        let at = at.unwrap_or_else(now);
        let mut conn = self.conn()?;
        let view = read_tx(&mut conn, |c| release_view_in(c, project, release))?;
        let header = VexHeader {
            project,
            release,
            author,
            at,
        };
        match format {
            VexFormat::OpenVex => vex::openvex::render(&header, &view.findings).map_err(refused),
            VexFormat::CycloneDx(spec) => {
                vex::cyclonedx::render(&header, spec, &serial_number()?, &view.findings)
                    .map_err(refused)
            }
        }
    }

    /// Applies a VEX document's statements (OpenVEX or CycloneDX, told apart by content) as
    /// triage decisions on the project's findings, in one transaction: a statement that cannot
    /// become a decision refuses the document, and nothing is stored.
    pub fn vex_import(
        &self,
        project: &str,
        document: &[u8],
        options: &VexImportOptions,
        actor: &str,
        request_id: Option<&str>,
    ) -> Result<VexImportOutcome, StoreError> {
        let defaults = ImportDefaults {
            approver: options.approver.clone(),
            expires: options.expires,
        };
        let doc = vex::read(document, &defaults).map_err(refused)?;
        let today = now().date();
        for claim in &doc.claims {
            if let ClaimAction::Decide(d) = &claim.action {
                d.validate(today).map_err(|e| {
                    refused(VexError::Statement {
                        place: claim.place.clone(),
                        reason: e.reason,
                    })
                })?;
            }
        }
        let source = format!("vex:{}", doc.id.as_deref().unwrap_or("(no document id)"));
        let mut conn = self.conn()?;
        let run = |c: &mut DbConn| {
            let pid = project_id(c, project)?;
            let mut outcomes = Vec::new();
            let mut decided = 0u64;
            for claim in &doc.claims {
                let vulnerability = claim.names.first().cloned().unwrap_or_default();
                let decision = match &claim.action {
                    ClaimAction::Decide(decision) => decision,
                    ClaimAction::Skip(why) => {
                        outcomes.push(VexStatementOutcome {
                            vulnerability,
                            vex_status: claim.vex_status.clone(),
                            status: None,
                            findings: Vec::new(),
                            note: Some((*why).to_string()),
                        });
                        continue;
                    }
                };
                let targets = targets_of(c, pid, &claim.names, &claim.purls)?;
                let fingerprints: Vec<String> =
                    targets.iter().map(|t| t.fingerprint.clone()).collect();
                if !options.dry_run && !targets.is_empty() {
                    apply(c, project, &targets, decision, actor, &source, request_id)?;
                }
                decided += targets.len() as u64;
                outcomes.push(VexStatementOutcome {
                    vulnerability,
                    vex_status: claim.vex_status.clone(),
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
            format: doc.format,
            document_id: doc.id,
            decided,
            dry_run: options.dry_run,
            statements,
        })
    }
}

/// A new CycloneDX serial number: a random (version 4) UUID, as the specification asks of
/// every BOM, even one whose content has not changed.
fn serial_number() -> Result<String, StoreError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| StoreError::Internal(format!("random numbers: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    Ok(format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// A document the store will not write or apply, as the error its callers map.
fn refused(e: VexError) -> StoreError {
    StoreError::invalid(e.field(), e.to_string())
}
