//! CycloneDX VEX (specification 1.5 and 1.6): a release's decisions as a BOM whose
//! `vulnerabilities` carry an `analysis`, and such a BOM's analyses as claims.
//!
//! Export: one vulnerability per rule id and decision, `affects` naming the packages (the
//! BOM's `components`, by package URL) it covers; findings without a package URL name their
//! scan target, else the release (`metadata.component`).
//!
//! | ours | `analysis` |
//! |---|---|
//! | `false_positive` | `state` `false_positive`, `detail` = our justification |
//! | `accepted` | `state` `exploitable`, `response` [`will_not_fix`], `detail` = our justification; the vulnerability's `properties` `scanledger:approver` and `scanledger:expires` (YYYY-MM-DD) |
//! | `confirmed` | `state` `exploitable`, `detail` = our justification if any |
//! | `open` | `state` `in_triage` |
//!
//! `lastUpdated` is when the decision was made.
//!
//! Import: each vulnerability's `analysis` (a vulnerability without one is a listing, not a
//! statement, and is skipped). Our justification is the analysis `justification` and `detail`
//! joined by ": " (so an exported `detail` comes back word for word), or, when both are
//! missing, a sentence naming the state and responses.
//!
//! | `analysis` | ours |
//! |---|---|
//! | `false_positive`; `not_affected` + `code_not_present` | `false_positive` |
//! | `not_affected` + any other justification, or a `detail` only | `accepted` |
//! | `exploitable` + `response` `will_not_fix` or `can_not_fix` | `accepted` |
//! | `exploitable` otherwise | `confirmed` |
//! | `in_triage`; `resolved`, `resolved_with_pedigree` | skipped: no decision; fixed is derived from scans |
//!
//! An acceptance's approver is the importer's `--approver`, else the vulnerability's
//! `scanledger:approver` property, else the BOM's first `metadata.authors` name; its expiry the
//! importer's `--expires`, else the `scanledger:expires` property; without one the document is
//! refused. A vulnerability names findings by its `id` and `references[].id` and by the package
//! URLs of the components its `affects` refer to (a `ref` that is itself a package URL counts too).
//!
//! The document model is serde structs of our own, named as in the specification, rather than
//! the `cyclonedx-bom` crate: that crate stops at specification 1.5, and it brings a model of
//! the whole BOM (licenses, hashes, XML) when VEX needs five objects.

use super::{
    Claim, ClaimAction, ImportDefaults, VexDocument, VexError, VexHeader, joined, package_purl,
    purl_base, sorted, stamp,
};
use chrono::NaiveDate;
use domain::{Kind, TriageDecision, TriageStatus, ViewFinding};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The property that carries an acceptance's approver.
pub const APPROVER_PROPERTY: &str = "scanledger:approver";
/// The property that carries an acceptance's expiry date (YYYY-MM-DD).
pub const EXPIRES_PROPERTY: &str = "scanledger:expires";

/// The CycloneDX specification versions ScanLedger writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpecVersion {
    V1_5,
    #[default]
    V1_6,
}

impl SpecVersion {
    /// As `specVersion` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
        }
    }

    fn schema_url(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "http://cyclonedx.org/schema/bom-1.5.schema.json",
            SpecVersion::V1_6 => "http://cyclonedx.org/schema/bom-1.6.schema.json",
        }
    }
}

/// The BOM: only what a VEX document needs. Unknown fields are ignored when reading.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    #[serde(
        rename = "$schema",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    schema: Option<&'static str>,
    bom_format: String,
    #[serde(default)]
    spec_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial_number: Option<String>,
    #[serde(default = "first_version")]
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

fn first_version() -> u32 {
    1
}

#[derive(Debug, Serialize, Deserialize)]
struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    /// Written only: older BOMs have a list here, newer ones an object, and neither matters
    /// to an import.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    tools: Option<Tools>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<Component>,
}

#[derive(Debug, Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Contact {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Component {
    /// `application`, `library`, ...: required by the specification, not needed to import.
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Vulnerability {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    /// Other names of the vulnerability (`id`; `source` is not needed to match).
    #[serde(default, skip_serializing)]
    references: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<Analysis>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    affects: Vec<Affects>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

impl Vulnerability {
    fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reference {
    id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Affects {
    #[serde(rename = "ref")]
    target: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Property {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

/// The impact analysis: the VEX statement proper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Analysis {
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<State>,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<Justification>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    response: Vec<Response>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
}

/// `analysis.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum State {
    Resolved,
    ResolvedWithPedigree,
    Exploitable,
    InTriage,
    FalsePositive,
    NotAffected,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Resolved => "resolved",
            State::ResolvedWithPedigree => "resolved_with_pedigree",
            State::Exploitable => "exploitable",
            State::InTriage => "in_triage",
            State::FalsePositive => "false_positive",
            State::NotAffected => "not_affected",
        }
    }
}

/// `analysis.justification`: why a component is not affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Justification {
    CodeNotPresent,
    CodeNotReachable,
    RequiresConfiguration,
    RequiresDependency,
    RequiresEnvironment,
    ProtectedByCompiler,
    ProtectedAtRuntime,
    ProtectedAtPerimeter,
    ProtectedByMitigatingControl,
}

impl Justification {
    fn as_str(self) -> &'static str {
        match self {
            Justification::CodeNotPresent => "code_not_present",
            Justification::CodeNotReachable => "code_not_reachable",
            Justification::RequiresConfiguration => "requires_configuration",
            Justification::RequiresDependency => "requires_dependency",
            Justification::RequiresEnvironment => "requires_environment",
            Justification::ProtectedByCompiler => "protected_by_compiler",
            Justification::ProtectedAtRuntime => "protected_at_runtime",
            Justification::ProtectedAtPerimeter => "protected_at_perimeter",
            Justification::ProtectedByMitigatingControl => "protected_by_mitigating_control",
        }
    }
}

/// `analysis.response`: what the supplier does about an exploitable vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Response {
    CanNotFix,
    WillNotFix,
    Update,
    Rollback,
    WorkaroundAvailable,
}

impl Response {
    fn as_str(self) -> &'static str {
        match self {
            Response::CanNotFix => "can_not_fix",
            Response::WillNotFix => "will_not_fix",
            Response::Update => "update",
            Response::Rollback => "rollback",
            Response::WorkaroundAvailable => "workaround_available",
        }
    }
}

/// The analysis and properties that say one finding's decision.
fn analysis_of(f: &ViewFinding) -> (Analysis, Vec<Property>) {
    let d = f.decision.as_ref();
    let detail = d
        .and_then(|d| d.justification.clone())
        .filter(|j| !j.trim().is_empty());
    let (state, response) = match f.status {
        TriageStatus::Open => (State::InTriage, vec![]),
        TriageStatus::Confirmed => (State::Exploitable, vec![]),
        TriageStatus::FalsePositive => (State::FalsePositive, vec![]),
        TriageStatus::Accepted => (State::Exploitable, vec![Response::WillNotFix]),
    };
    let mut properties = Vec::new();
    if f.status == TriageStatus::Accepted
        && let Some(d) = d
    {
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                properties.push(Property {
                    name: name.to_string(),
                    value: Some(value),
                });
            }
        };
        add(APPROVER_PROPERTY, d.approver.clone());
        add(
            EXPIRES_PROPERTY,
            d.expires_at.map(|e| e.format("%Y-%m-%d").to_string()),
        );
    }
    let analysis = Analysis {
        state: Some(state),
        justification: None,
        response,
        detail,
        last_updated: d.map(|d| stamp(d.decided_at)),
    };
    (analysis, properties)
}

/// The component a finding is in: its package, else its scan target, else `None` (the
/// release itself).
fn component_of(f: &ViewFinding) -> Option<Component> {
    if let Some(purl) = &f.purl {
        // A package URL without a version gets the finding's, as OpenVEX's product ids do.
        let bom_ref = match &f.component_version {
            Some(v) if purl_base(purl) == purl.to_ascii_lowercase() => format!("{purl}@{v}"),
            _ => purl.clone(),
        };
        return Some(Component {
            kind: "library".into(),
            name: f.component.clone().unwrap_or_else(|| purl.clone()),
            version: f.component_version.clone(),
            bom_ref: Some(bom_ref.clone()),
            purl: Some(bom_ref),
            components: vec![],
        });
    }
    f.target.as_ref().map(|target| Component {
        kind: "application".into(),
        name: target.clone(),
        version: None,
        bom_ref: Some(format!("target:{target}")),
        purl: None,
        components: vec![],
    })
}

/// The release's decisions on its vulnerability findings as a CycloneDX BOM of `spec`, with
/// `serial` (a `urn:uuid:` the caller draws) as its serial number.
pub fn render(
    header: &VexHeader<'_>,
    spec: SpecVersion,
    serial: &str,
    findings: &[ViewFinding],
) -> Result<serde_json::Value, VexError> {
    let release_ref = format!("release:{}@{}", header.project, header.release);
    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    let mut vulnerabilities: Vec<Vulnerability> = Vec::new();
    // Findings with the same rule id and decision share one vulnerability (its `affects`
    // lists their components): the key is the vulnerability without `affects`.
    let mut index: HashMap<String, usize> = HashMap::new();
    for f in findings.iter().filter(|f| f.kind == Kind::Vulnerability) {
        let target = match component_of(f) {
            Some(c) => {
                let r = c.bom_ref.clone().unwrap_or_default();
                components.entry(r.clone()).or_insert(c);
                r
            }
            None => release_ref.clone(),
        };
        let (analysis, properties) = analysis_of(f);
        let vulnerability = Vulnerability {
            id: Some(f.rule_id.clone()),
            references: vec![],
            analysis: Some(analysis),
            affects: vec![],
            properties,
        };
        let key = serde_json::to_string(&vulnerability)
            .map_err(|e| VexError::Document(format!("CycloneDX: {e}")))?;
        let at = *index.entry(key).or_insert_with(|| {
            vulnerabilities.push(vulnerability);
            vulnerabilities.len() - 1
        });
        if let Some(v) = vulnerabilities.get_mut(at)
            && !v.affects.iter().any(|a| a.target == target)
        {
            v.affects.push(Affects { target });
        }
    }
    let bom = Bom {
        schema: Some(spec.schema_url()),
        bom_format: "CycloneDX".into(),
        spec_version: spec.as_str().into(),
        serial_number: Some(serial.to_string()),
        version: 1,
        metadata: Some(Metadata {
            timestamp: Some(stamp(header.at)),
            tools: Some(Tools {
                components: vec![Component {
                    kind: "application".into(),
                    name: "ScanLedger".into(),
                    version: Some(env!("CARGO_PKG_VERSION").into()),
                    bom_ref: None,
                    purl: None,
                    components: vec![],
                }],
            }),
            authors: vec![Contact {
                name: Some(header.author.to_string()),
            }],
            component: Some(Component {
                kind: "application".into(),
                name: header.project.to_string(),
                version: Some(header.release.to_string()),
                bom_ref: Some(release_ref),
                purl: None,
                components: vec![],
            }),
        }),
        components: components.into_values().collect(),
        vulnerabilities,
    };
    serde_json::to_value(&bom).map_err(|e| VexError::Document(format!("CycloneDX: {e}")))
}

/// Every component of the BOM by `bom-ref`, with its package URL if any.
fn purls_by_ref<'a>(
    components: impl Iterator<Item = &'a Component>,
    out: &mut HashMap<String, Option<String>>,
) {
    for c in components {
        if let Some(r) = &c.bom_ref {
            out.insert(r.clone(), c.purl.clone());
        }
        purls_by_ref(c.components.iter(), out);
    }
}

/// What one vulnerability's analysis asks for.
fn action_of(
    v: &Vulnerability,
    author: Option<&str>,
    defaults: &ImportDefaults,
    place: &str,
) -> Result<ClaimAction, VexError> {
    let Some(analysis) = &v.analysis else {
        return Ok(ClaimAction::Skip("skipped: no analysis, no decision"));
    };
    let Some(state) = analysis.state else {
        return Ok(ClaimAction::Skip(
            "skipped: an analysis without a state is no decision",
        ));
    };
    let justification = analysis.justification.map(Justification::as_str);
    let given = joined(&[justification, analysis.detail.as_deref()]);
    let said = || {
        let responses: Vec<&str> = analysis.response.iter().map(|r| r.as_str()).collect();
        let mut text = format!("CycloneDX VEX: {}", state.as_str());
        if !responses.is_empty() {
            text.push_str(&format!(" ({})", responses.join(", ")));
        }
        text
    };
    let decided = |status: TriageStatus, justification: Option<String>| {
        let mut d = TriageDecision::new(status);
        d.justification = justification;
        ClaimAction::Decide(d)
    };
    let accept = |why: String| -> Result<ClaimAction, VexError> {
        let approver = defaults
            .approver
            .clone()
            .or_else(|| v.property(APPROVER_PROPERTY).map(str::to_string))
            .or_else(|| author.map(str::to_string));
        let expires = match (defaults.expires, v.property(EXPIRES_PROPERTY)) {
            (Some(date), _) => date,
            (None, Some(text)) => {
                NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                    VexError::statement(
                        place,
                        format!("property {EXPIRES_PROPERTY} is {text:?}, not a date YYYY-MM-DD"),
                    )
                })?
            }
            (None, None) => {
                return Err(VexError::statement(
                    place,
                    format!(
                        "becomes an acceptance ({}): give an expiry date (the document has no \
                         {EXPIRES_PROPERTY} property)",
                        said()
                    ),
                ));
            }
        };
        Ok(ClaimAction::Decide(TriageDecision {
            status: TriageStatus::Accepted,
            justification: Some(why),
            approver,
            expires: Some(expires),
        }))
    };
    match state {
        State::InTriage => Ok(ClaimAction::Skip("skipped: in triage is no decision")),
        State::Resolved | State::ResolvedWithPedigree => {
            Ok(ClaimAction::Skip("skipped: resolved is derived from scans"))
        }
        State::FalsePositive => Ok(decided(
            TriageStatus::FalsePositive,
            Some(given.unwrap_or_else(said)),
        )),
        State::NotAffected => match (analysis.justification, given) {
            (Some(Justification::CodeNotPresent), given) => Ok(decided(
                TriageStatus::FalsePositive,
                Some(given.unwrap_or_else(said)),
            )),
            (_, Some(why)) => accept(why),
            (_, None) => Err(VexError::statement(
                place,
                "not_affected needs a justification or a detail",
            )),
        },
        State::Exploitable => {
            let accepted = analysis
                .response
                .iter()
                .any(|r| matches!(r, Response::WillNotFix | Response::CanNotFix));
            if accepted {
                accept(given.unwrap_or_else(said))
            } else {
                Ok(decided(TriageStatus::Confirmed, given))
            }
        }
    }
}

/// Reads a CycloneDX BOM (JSON, `bomFormat` `CycloneDX`) as claims, one per vulnerability.
pub fn read(bytes: &[u8], defaults: &ImportDefaults) -> Result<VexDocument, VexError> {
    let bom: Bom = serde_json::from_slice(bytes)
        .map_err(|e| VexError::Document(format!("not a valid CycloneDX document: {e}")))?;
    if bom.bom_format != "CycloneDX" {
        return Err(VexError::Document(format!(
            "not a CycloneDX document: bomFormat is {:?}",
            bom.bom_format
        )));
    }
    let mut refs = HashMap::new();
    let metadata_component = bom.metadata.as_ref().and_then(|m| m.component.as_ref());
    purls_by_ref(
        metadata_component.into_iter().chain(&bom.components),
        &mut refs,
    );
    let author = bom
        .metadata
        .as_ref()
        .and_then(|m| m.authors.iter().find_map(|a| a.name.as_deref()));
    let mut claims = Vec::with_capacity(bom.vulnerabilities.len());
    for (index, v) in bom.vulnerabilities.iter().enumerate() {
        let names = sorted(
            v.id.iter()
                .chain(v.references.iter().map(|r| &r.id))
                .filter(|n| !n.trim().is_empty())
                .cloned()
                .collect(),
        );
        if names.is_empty() {
            return Err(VexError::statement(
                &format!("CycloneDX vulnerabilities[{index}]"),
                "has no id",
            ));
        }
        let place = format!("CycloneDX vulnerabilities[{index}] ({})", names.join(", "));
        let action = action_of(v, author, defaults, &place)?;
        let purls = sorted(
            v.affects
                .iter()
                .filter_map(|a| match refs.get(&a.target) {
                    Some(purl) => purl.as_deref().and_then(package_purl),
                    None => package_purl(&a.target),
                })
                .collect(),
        );
        claims.push(Claim {
            place,
            names,
            purls,
            vex_status: analysis_state(v),
            action,
        });
    }
    Ok(VexDocument {
        format: super::VexKind::CycloneDx,
        id: bom.serial_number,
        claims,
    })
}

/// The analysis state as the document says it (`none` without one).
fn analysis_state(v: &Vulnerability) -> String {
    v.analysis
        .as_ref()
        .and_then(|a| a.state)
        .map_or("none", State::as_str)
        .to_string()
}
