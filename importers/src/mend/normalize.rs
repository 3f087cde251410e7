//! Mend's records to normalized findings.
//!
//! - rule: the vulnerability's name (a CVE, or Mend's own `WS-` id).
//! - severity: the CVSS 3 severity when given (`cvss3_severity`), else Mend's `severity`; the
//!   original kept.
//! - CVSS: the CVSS 3 score with `scoreMetadataVector`, and the CVSS 2 `score` of the older
//!   reports; API 3.0's `vulnerabilityScoring`.
//! - EPSS: API 3.0's `threatAssessment.epssPercentage`, written into the description as Mend
//!   gives it, not into the `epss` field: its scale is not documented (the corpus has 0.3 and
//!   2.8999999), so it cannot be read as a probability with confidence.
//! - component: `groupId:artifactId` (one of them when they are equal or one is missing, else the
//!   library's name), its version; no package URL (Mend gives none).
//! - remediation: the top fix's sentence (`Upgrade to version 3.6.0`); Mend gives no bare
//!   fixed version.
//! - tool status: API 3.0's `findingInfo.status` (`ACTIVE`, `IGNORED`), Mend's word, which
//!   `domain::ToolDecision::of` reads no decision from.
//! - identity: [`crate::copies`] over (vulnerability, library type, library name), numbered by
//!   the place of the library's copy (its path and its SHA-1 or key), so two copies or two
//!   versions of one library stay two findings.

use super::TOOL;
use super::raw::*;
use crate::copies::{Copies, PackageIdentity};
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::record::{cvss_version, non_empty, push_distinct};

/// Mend's severity words are ours (`critical` to `low`, in any case); anything else is
/// `unknown`, with the original kept.
fn severity(original: Option<&str>) -> Severity {
    original
        .and_then(Severity::parse)
        .unwrap_or(Severity::Unknown)
}

/// What a Mend vulnerability says, whichever report it came from.
struct Advisory {
    id: String,
    severity: Option<String>,
    cvss: Vec<Cvss>,
    description: Option<String>,
    references: Vec<String>,
    fix: Option<String>,
    tool_status: Option<String>,
}

/// The library a vulnerability was found in.
struct Library<'a> {
    library_type: &'a str,
    group_id: Option<&'a str>,
    artifact_id: Option<&'a str>,
    name: Option<&'a str>,
    version: Option<&'a str>,
    /// The file Mend names the library by (`commons-codec-1.6.jar`), for the title.
    filename: Option<&'a str>,
    /// Where this copy is (a path).
    path: Option<&'a str>,
    /// What tells this copy apart when there is no path: the file's SHA-1, Mend's key.
    key: Option<&'a str>,
}

/// `s` trimmed, unless it is absent or blank.
fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl Library<'_> {
    fn identity_name(&self) -> Option<String> {
        match (blank(self.group_id), blank(self.artifact_id)) {
            (Some(g), Some(a)) if g == a => Some(g.to_string()),
            (Some(g), Some(a)) => Some(format!("{g}:{a}")),
            (one, other) => one
                .or(other)
                .or_else(|| blank(self.name))
                .map(str::to_string),
        }
    }
}

fn score_cvss(vector: Option<&str>, score: Option<f64>, default: &str) -> Option<Cvss> {
    (vector.is_some() || score.is_some()).then(|| Cvss {
        version: cvss_version(vector, default),
        vector: vector.map(str::to_string),
        score,
        source: Some(TOOL.to_string()),
    })
}

fn finding(advisory: Advisory, library: &Library<'_>, copies: &mut Copies) -> Option<Finding> {
    let name = library.identity_name();
    let place = format!(
        "{}\n{}",
        library.path.unwrap_or_default(),
        library.key.unwrap_or_default()
    );
    let fingerprint = copies.fingerprint(&PackageIdentity {
        tool: TOOL,
        kind: Kind::Vulnerability,
        advisory: &advisory.id,
        package_type: library.library_type,
        purl: None,
        name: name.as_deref(),
        place: Some(&place),
    })?;
    let shown = library.filename.or(name.as_deref());
    let title = match shown {
        Some(library) => format!("{} in {library}", advisory.id),
        None => advisory.id.clone(),
    };
    Some(Finding {
        epss: None,
        fingerprint,
        kind: Kind::Vulnerability,
        category: None,
        title,
        description: advisory.description,
        remediation: advisory.fix,
        severity: severity(advisory.severity.as_deref()),
        severity_original: advisory.severity,
        cvss: advisory.cvss,
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: advisory.references,
        component: Component {
            name,
            version: library.version.map(str::to_string),
            purl: None,
            fixed_version: None,
        },
        location: Location {
            file: library.path.map(str::to_string),
            ..Location::default()
        },
        tool_status: advisory.tool_status,
        rule_id: advisory.id,
    })
}

/// A vulnerability of the Unified Agent or CLI report, found in `library` (the CLI's; the
/// Unified Agent's own `library` wins). `Ok(None)` for a repeat of an earlier record.
pub fn agent_finding(
    mut raw: RawVulnerability,
    outer: Option<&RawLibrary>,
    copies: &mut Copies,
) -> Result<Option<Finding>, &'static str> {
    let Some(id) = non_empty(raw.name.take()) else {
        return Err("a Mend vulnerability without name");
    };
    let own = raw.library.take();
    let lib = own.as_ref().or(outer);
    let mut cvss = Vec::new();
    cvss.extend(score_cvss(
        raw.score_metadata_vector.as_deref(),
        raw.cvss3_score.as_ref().and_then(Score::value),
        "3.0",
    ));
    if let Some(v2) = raw.score.as_ref().and_then(Score::value) {
        cvss.extend(score_cvss(None, Some(v2), "2.0"));
    }
    let mut references = Vec::new();
    push_distinct(&mut references, raw.url.take());
    let top = raw.top_fix.take().unwrap_or_default();
    push_distinct(&mut references, top.url);
    for fix in raw.all_fixes.take().into_iter().flatten() {
        push_distinct(&mut references, fix.url);
    }
    let path = raw
        .locations
        .as_ref()
        .and_then(|l| l.iter().find_map(|p| non_empty(p.path.clone())));
    let advisory = Advisory {
        id,
        severity: non_empty(raw.cvss3_severity.take()).or_else(|| non_empty(raw.severity.take())),
        cvss,
        description: non_empty(raw.description.take()),
        references,
        fix: non_empty(top.fix_resolution),
        tool_status: None,
    };
    let library = Library {
        library_type: lib.and_then(|l| l.library_type.as_deref()).unwrap_or(""),
        group_id: lib.and_then(|l| l.group_id.as_deref()),
        artifact_id: lib.and_then(|l| l.artifact_id.as_deref()),
        name: lib.and_then(|l| l.name.as_deref()),
        version: lib.and_then(|l| l.version.as_deref()),
        filename: lib.and_then(|l| l.filename.as_deref()),
        path: path.as_deref(),
        key: lib.and_then(|l| l.sha1.as_deref().or(l.key_uuid.as_deref())),
    };
    Ok(finding(advisory, &library, copies))
}

/// An API 3.0 finding: `Ok(None)` for a repeat, or for a library Mend says is gone
/// (`LIBRARY_REMOVED`: not a finding of this scan).
pub fn api_finding(
    mut raw: RawApiFinding,
    copies: &mut Copies,
) -> Result<Option<Finding>, &'static str> {
    let status = raw.finding_info.take().and_then(|i| non_empty(i.status));
    if status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("LIBRARY_REMOVED"))
    {
        return Ok(None);
    }
    if let Some(other) = raw.finding_type.as_deref()
        && !other.eq_ignore_ascii_case("SECURITY_VULNERABILITY")
    {
        return Err("a Mend API finding that is not a security vulnerability");
    }
    let mut vulnerability = raw.vulnerability.take().unwrap_or_default();
    let Some(id) = non_empty(vulnerability.name.take()).or_else(|| non_empty(raw.name.take()))
    else {
        return Err("a Mend API finding without vulnerability name");
    };
    let vector = non_empty(raw.score_metadata_vector.take());
    let mut cvss = Vec::new();
    for scoring in vulnerability
        .vulnerability_scoring
        .take()
        .into_iter()
        .flatten()
    {
        let score = scoring.score.as_ref().and_then(Score::value);
        let version2 = scoring
            .scoring_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("CVSS_2"));
        let entry = if version2 {
            score_cvss(None, score, "2.0")
        } else {
            score_cvss(vector.as_deref(), score, "3.1")
        };
        cvss.extend(entry);
    }
    if cvss.is_empty() {
        cvss.extend(score_cvss(
            vector.as_deref(),
            vulnerability.score.as_ref().and_then(Score::value),
            "3.1",
        ));
    }
    let threat = raw.threat_assessment.take().unwrap_or_default();
    let mut paragraphs: Vec<String> = non_empty(vulnerability.description.take())
        .into_iter()
        .collect();
    if let Some(epss) = threat.epss_percentage.as_ref().and_then(Score::value) {
        paragraphs.push(format!("EPSS percentage (Mend): {epss}"));
    }
    if let Some(maturity) = non_empty(threat.exploit_code_maturity) {
        paragraphs.push(format!("Exploit code maturity (Mend): {maturity}"));
    }
    let component = raw.component.take().unwrap_or_default();
    if let Some(dependency) = component.dependency_type.as_deref() {
        paragraphs.push(format!("Dependency: {dependency}"));
    }
    let top = raw.top_fix.take().unwrap_or_default();
    let mut references = Vec::new();
    push_distinct(&mut references, top.url);
    let advisory = Advisory {
        id,
        severity: non_empty(vulnerability.severity.take()),
        cvss,
        description: (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n")),
        references,
        fix: non_empty(top.fix_resolution),
        tool_status: status,
    };
    let library = Library {
        library_type: component.library_type.as_deref().unwrap_or(""),
        group_id: component.group_id.as_deref(),
        artifact_id: component.artifact_id.as_deref(),
        name: component.name.as_deref(),
        version: component.version.as_deref(),
        filename: component.name.as_deref(),
        path: component.path.as_deref(),
        key: component.uuid.as_deref(),
    };
    Ok(finding(advisory, &library, copies))
}
