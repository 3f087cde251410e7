//! OpenVEX v0.2.0: a release's decisions as statements, and statements as claims.
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

use super::{
    Claim, ClaimAction, ImportDefaults, VexDocument, VexError, VexHeader, joined, package_purl,
    purl_base, sorted, stamp,
};
use domain::{Kind, TriageDecision, TriageStatus, ViewFinding};
use percent_encoding::{AsciiSet, utf8_percent_encode};
use serde::Deserialize;
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
            out.extend(package_purl(id));
        }
        for sub in &self.subcomponents {
            sub.purls(out);
        }
    }
}

/// What one statement asks for.
fn action_of(
    st: &Statement,
    author: Option<&str>,
    defaults: &ImportDefaults,
    place: &str,
) -> Result<ClaimAction, VexError> {
    let text = |parts: &[Option<&str>]| joined(parts).map(|j| format!("VEX: {j}"));
    let justification = st.justification.as_deref();
    match st.status.as_str() {
        "not_affected" => {
            if justification.is_some_and(|j| !JUSTIFICATIONS.contains(&j)) {
                return Err(VexError::statement(
                    place,
                    format!("unknown justification {justification:?}"),
                ));
            }
            let why = text(&[justification, st.impact_statement.as_deref()]).ok_or_else(|| {
                VexError::statement(
                    place,
                    "not_affected needs a justification or an impact_statement",
                )
            })?;
            if justification.is_some_and(|j| NOT_PRESENT.contains(&j)) {
                let mut d = TriageDecision::new(TriageStatus::FalsePositive);
                d.justification = Some(why);
                return Ok(ClaimAction::Decide(d));
            }
            let approver = defaults
                .approver
                .clone()
                .or_else(|| author.map(str::to_string));
            let Some(expires) = defaults.expires else {
                return Err(VexError::statement(
                    place,
                    format!(
                        "becomes an acceptance (not_affected, {}): give an expiry date",
                        justification.unwrap_or("impact statement only")
                    ),
                ));
            };
            Ok(ClaimAction::Decide(TriageDecision {
                status: TriageStatus::Accepted,
                justification: Some(why),
                approver,
                expires: Some(expires),
            }))
        }
        "affected" => {
            let mut d = TriageDecision::new(TriageStatus::Confirmed);
            d.justification = text(&[st.action_statement.as_deref(), st.status_notes.as_deref()]);
            Ok(ClaimAction::Decide(d))
        }
        "fixed" => Ok(ClaimAction::Skip("skipped: fixed is derived from scans")),
        "under_investigation" => Ok(ClaimAction::Skip(
            "skipped: under investigation is no decision",
        )),
        other => Err(VexError::statement(
            place,
            format!("unknown status {other:?}"),
        )),
    }
}

/// Reads an OpenVEX document (its `@context` must be OpenVEX's) as claims.
pub fn read(bytes: &[u8], defaults: &ImportDefaults) -> Result<VexDocument, VexError> {
    let doc: Document = serde_json::from_slice(bytes)
        .map_err(|e| VexError::Document(format!("not an OpenVEX document: {e}")))?;
    if !doc
        .context
        .as_deref()
        .is_some_and(|c| c.starts_with("https://openvex.dev/ns"))
    {
        return Err(VexError::Document(
            "not an OpenVEX document: @context is not https://openvex.dev/ns/...".into(),
        ));
    }
    let mut claims = Vec::with_capacity(doc.statements.len());
    for (index, st) in doc.statements.iter().enumerate() {
        let place = format!("OpenVEX statement {index}");
        let action = action_of(st, doc.author.as_deref(), defaults, &place)?;
        let names = sorted(
            st.vulnerability
                .name
                .iter()
                .chain(st.vulnerability.id.iter())
                .chain(st.vulnerability.aliases.iter())
                .cloned()
                .collect(),
        );
        let mut purls = Vec::new();
        for p in &st.products {
            p.purls(&mut purls);
        }
        claims.push(Claim {
            place,
            names,
            purls,
            vex_status: st.status.clone(),
            action,
        });
    }
    Ok(VexDocument {
        format: super::VexKind::OpenVex,
        id: doc.id,
        claims,
    })
}

/// The release's decisions on its vulnerability findings as an OpenVEX (v0.2.0) document.
///
/// What the OpenVEX schema asks is kept: product ids are IRIs (a scan target without a
/// package URL is written as a `urn:scanledger:target:` with its spaces and other characters
/// an IRI cannot hold percent-encoded), statements are unique (findings that would say the
/// same thing give one statement), and there is at least one: a release without vulnerability
/// findings has nothing to state, which is an error.
pub fn render(
    header: &VexHeader<'_>,
    findings: &[ViewFinding],
) -> Result<serde_json::Value, VexError> {
    let VexHeader {
        project,
        release,
        author,
        at,
    } = *header;
    let mut statements = Vec::new();
    for f in findings.iter().filter(|f| f.kind == Kind::Vulnerability) {
        let product_id = match (&f.purl, &f.component_version) {
            (Some(p), Some(v)) if purl_base(p) == p.to_ascii_lowercase() => {
                format!("{p}@{v}")
            }
            (Some(p), _) => p.clone(),
            (None, _) => match &f.target {
                Some(target) => format!("urn:scanledger:target:{}", iri_part(target)),
                None => format!("urn:scanledger:{}:{}", iri_part(project), iri_part(release)),
            },
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
                obj.insert("timestamp".into(), stamp(d.decided_at).into());
            }
        }
        if !statements.contains(&st) {
            statements.push(st);
        }
    }
    if statements.is_empty() {
        return Err(VexError::Empty(format!(
            "release {release} of {project} has no vulnerability findings, and an OpenVEX \
             document needs at least one statement (a CycloneDX one may be empty: --format \
             cyclonedx)"
        )));
    }
    let id_safe = |s: &str| iri_part(&s.replace(|c: char| c.is_whitespace() || c == ':', "-"));
    Ok(serde_json::json!({
        "@context": OPENVEX_CONTEXT,
        "@id": format!(
            "urn:scanledger:vex:{}:{}:{}",
            id_safe(project),
            id_safe(release),
            at.format("%Y%m%dT%H%M%SZ")
        ),
        "author": author,
        "timestamp": stamp(at),
        "version": 1,
        "tooling": "ScanLedger",
        "statements": statements,
    }))
}

/// What an IRI cannot hold unescaped (RFC 3987): controls, the space, `"`, `<`, `>`, `\`,
/// `^`, the backquote, `{`, `|`, `}`; and `%`, `#`, `?`, `[`, `]`, which would change what the
/// rest means.
const NOT_IN_IRI: &AsciiSet = &crate::uri::NEVER_IN_URI
    .add(b'%')
    .add(b'#')
    .add(b'?')
    .add(b'[')
    .add(b']');

/// Text as part of an IRI: percent-encoded where an IRI cannot hold it.
fn iri_part(text: &str) -> String {
    utf8_percent_encode(text, NOT_IN_IRI).to_string()
}
