//! SonarQube records (Web API and sonar-report alike) to normalized findings: one severity table,
//! one fingerprint scheme.
//!
//! Identity (fingerprint parts): the rule, the project-relative file path (the component with
//! its `projectKey:` prefix removed, so renaming the project key does not split history) and an
//! anchor:
//! - `hash:` + SonarQube's line hash when the record has one (issues from the Web API): the line's
//!   content with white space ignored, so findings survive lines moving and reformatting;
//! - else `key:` + the issue or hotspot key (hotspots, sonar-report exports, file- and
//!   project-level issues have no line hash). SonarQube tracks issues across analyses and keeps
//!   their keys, so the key is stable for one server and project; it changes only when the project
//!   is re-created or moved to another server.
//!
//! Several issues of one rule on lines with the same content in one file (duplicate CSS
//! selectors, ...) share rule, file and hash: the second and later distinct issue keys get an
//! ordinal part (`#1`, `#2`, ...) in report order. The same issue key seen twice (overlapping
//! pages) keeps one fingerprint.

use super::raw::{RawImpact, RawRecord};
use crate::finding::{Finding, Kind, Location, Severity};
use crate::fingerprint::fingerprint;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

pub const TOOL: &str = "sonarqube";

/// Legacy `severity` (and hotspot `vulnerabilityProbability`, and sonar-report's newer
/// HIGH/MEDIUM/LOW): BLOCKER → critical, CRITICAL → high, MAJOR → medium, MINOR → low,
/// INFO → info; HIGH → high, MEDIUM → medium, LOW → low.
pub fn legacy_severity(original: &str) -> Option<Severity> {
    match original.trim().to_ascii_uppercase().as_str() {
        "BLOCKER" => Some(Severity::Critical),
        "CRITICAL" | "HIGH" => Some(Severity::High),
        "MAJOR" | "MEDIUM" => Some(Severity::Medium),
        "MINOR" | "LOW" => Some(Severity::Low),
        "INFO" => Some(Severity::Info),
        _ => None,
    }
}

/// 10.2+ impact severities: BLOCKER → critical, HIGH → high, MEDIUM → medium, LOW → low,
/// INFO → info.
pub fn impact_severity(original: &str) -> Option<Severity> {
    match original.trim().to_ascii_uppercase().as_str() {
        "BLOCKER" => Some(Severity::Critical),
        "HIGH" => Some(Severity::High),
        "MEDIUM" => Some(Severity::Medium),
        "LOW" => Some(Severity::Low),
        "INFO" => Some(Severity::Info),
        _ => None,
    }
}

/// A severity and the field that decided it.
pub struct Decided {
    pub severity: Severity,
    pub original: Option<String>,
    /// One sentence for the description: which field decided, and what the other said.
    pub note: Option<String>,
}

/// An issue's severity: the highest of its `impacts` when it has any (10.2+), else the legacy
/// `severity`. The note records which field decided.
pub fn issue_severity(raw: &RawRecord) -> Decided {
    let best = raw
        .impacts
        .iter()
        .flatten()
        .filter_map(|i: &RawImpact| {
            let sev = impact_severity(i.severity.as_deref()?)?;
            Some((sev, i))
        })
        .max_by_key(|(sev, _)| *sev);
    let legacy = non_empty(raw.severity.as_deref());
    if let Some((severity, impact)) = best {
        let quality = impact.software_quality.as_deref().unwrap_or("?");
        let original = impact.severity.clone().unwrap_or_default();
        let also = legacy
            .map(|l| format!("; legacy `severity` is {l}"))
            .unwrap_or_default();
        return Decided {
            severity,
            note: Some(format!(
                "Severity from `impacts` ({quality} {original}){also}."
            )),
            original: Some(original),
        };
    }
    match legacy {
        Some(l) => Decided {
            severity: legacy_severity(l).unwrap_or(Severity::Unknown),
            original: Some(l.to_string()),
            note: Some(format!("Severity from `severity` ({l}).")),
        },
        None => Decided {
            severity: Severity::Unknown,
            original: None,
            note: None,
        },
    }
}

/// A hotspot's severity: `vulnerabilityProbability`, else (sonar-report) `severity`.
pub fn hotspot_severity(raw: &RawRecord) -> Decided {
    let (field, value) = match (
        non_empty(raw.vulnerability_probability.as_deref()),
        non_empty(raw.severity.as_deref()),
    ) {
        (Some(p), _) => ("vulnerabilityProbability", p),
        (None, Some(s)) => ("severity", s),
        (None, None) => {
            return Decided {
                severity: Severity::Unknown,
                original: None,
                note: None,
            };
        }
    };
    Decided {
        severity: legacy_severity(value).unwrap_or(Severity::Unknown),
        original: Some(value.to_string()),
        note: Some(format!("Severity from `{field}` ({value}).")),
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

fn owned(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// `CODE_SMELL` → `code_smell`: the Sonar type in our lower snake case (an open set).
pub fn category_of(issue_type: &str) -> String {
    issue_type
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
}

/// The category of an issue: its `type`, else (2025.x responses omit `type`) the type SonarQube
/// pairs with its single impact's software quality. Several impacts and no type: left empty.
fn issue_category(raw: &RawRecord) -> Option<String> {
    if let Some(t) = non_empty(raw.issue_type.as_deref()) {
        return Some(category_of(t));
    }
    match raw.impacts.as_deref() {
        Some([only]) => match only.software_quality.as_deref() {
            Some("SECURITY") => Some("vulnerability".into()),
            Some("RELIABILITY") => Some("bug".into()),
            Some("MAINTAINABILITY") => Some("code_smell".into()),
            _ => None,
        },
        _ => None,
    }
}

/// The project-relative file: the component without the `project:` prefix. A component that is
/// the project itself (project-level issue) has no file.
pub fn file_of(component: Option<&str>, project: Option<&str>) -> Option<String> {
    let component = non_empty(component)?;
    if let Some(project) = non_empty(project) {
        if component == project {
            return None;
        }
        if let Some(rest) = component
            .strip_prefix(project)
            .and_then(|r| r.strip_prefix(':'))
        {
            return non_empty(Some(rest)).map(str::to_string);
        }
    }
    Some(component.to_string())
}

/// Status and resolution as SonarQube writes them: `OPEN`, `RESOLVED/WONTFIX`, `TO_REVIEW`,
/// `REVIEWED/SAFE`; 2025.x responses without `status`: `issueStatus` (`ACCEPTED`).
fn tool_status(raw: &RawRecord) -> Option<String> {
    match (
        non_empty(raw.status.as_deref()),
        non_empty(raw.resolution.as_deref()),
    ) {
        (Some(s), Some(r)) => Some(format!("{s}/{r}")),
        (Some(s), None) => Some(s.to_string()),
        (None, _) => non_empty(raw.issue_status.as_deref()).map(str::to_string),
    }
}

/// Whether SonarQube says the issue is gone from the code: `CLOSED` (fixed or removed), or in
/// 2025.x responses without `status`, `issueStatus` FIXED. Such records are not findings.
fn is_closed(raw: &RawRecord) -> bool {
    match non_empty(raw.status.as_deref()) {
        Some(s) => s.eq_ignore_ascii_case("CLOSED"),
        None => raw
            .issue_status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("FIXED")),
    }
}

/// CWE ids and advisory ids from the messages of the OWASP dependency-check plugin
/// (`Filename: x | Reference: CVE-2024-2529 | CVSS Score: 6.4 | Category: CWE-120 | ...`).
fn dependency_check_ids(message: &str) -> (Vec<String>, Vec<String>) {
    let mut cwe = Vec::new();
    let mut aliases = Vec::new();
    for segment in message.split(" | ") {
        let segment = segment.trim();
        if let Some(rest) = segment.strip_prefix("Category:") {
            let id = rest.trim();
            if id.starts_with("CWE-") && !cwe.iter().any(|c| c == id) {
                cwe.push(id.to_string());
            }
        } else if let Some(rest) = segment
            .strip_prefix("References:")
            .or_else(|| segment.strip_prefix("Reference:"))
        {
            for part in rest.split(',') {
                // `CVE-2023-52428 (7.5)`
                let id = part.split_whitespace().next().unwrap_or_default();
                if !id.is_empty() && !aliases.iter().any(|a| a == id) {
                    aliases.push(id.to_string());
                }
            }
        }
    }
    (cwe, aliases)
}

/// The CWE ids a rule description cites (`[MITRE, CWE-352]` in its "See" section), in order.
pub fn cwe_in_text(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("CWE-") {
        let after = rest.get(at + 4..).unwrap_or_default();
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            let id = format!("CWE-{digits}");
            if !out.contains(&id) {
                out.push(id);
            }
        }
        rest = after;
    }
    out
}

pub(super) fn hash64(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Fingerprints handed out in one import, to tell apart distinct issues with the same identity
/// (see the module docs). Memory: a few dozen bytes per distinct identity.
#[derive(Default)]
pub struct Identities {
    /// Identity → (first issue key seen, number of distinct keys seen).
    first: HashMap<u64, (u64, u32)>,
    /// (identity, later key) → its ordinal.
    later: HashMap<(u64, u64), u32>,
}

impl Identities {
    fn ordinal(&mut self, identity: &str, key: &str) -> u32 {
        let (id, key) = (hash64(identity), hash64(key));
        match self.first.get_mut(&id) {
            None => {
                self.first.insert(id, (key, 1));
                0
            }
            Some((first, _)) if *first == key => 0,
            Some((_, count)) => *self.later.entry((id, key)).or_insert_with(|| {
                let ordinal = *count;
                *count += 1;
                ordinal
            }),
        }
    }
}

/// What a record inherits from the report it sits in.
#[derive(Default)]
pub struct Extras<'a> {
    /// sonar-report: the rule's description (already text) by rule key.
    pub rule_description: Option<&'a str>,
    /// sonar-report: the server, for a link to the rule.
    pub base_url: Option<&'a str>,
}

/// Converts one issue or hotspot. `Ok(None)`: not a finding (closed); `Err`: skipped, with why.
pub fn convert(
    raw: RawRecord,
    hotspot: bool,
    extras: &Extras<'_>,
    ids: &mut Identities,
) -> Result<Option<Finding>, String> {
    if is_closed(&raw) {
        return Ok(None);
    }
    let rule_id = if hotspot {
        owned(raw.rule_key.clone())
            .or_else(|| owned(raw.rule.clone()))
            // 8.x hotspots/search names no rule: the security category is the best the tool says.
            .or_else(|| owned(raw.security_category.clone()).map(|c| format!("hotspot:{c}")))
    } else {
        owned(raw.rule.clone())
    };
    let Some(rule_id) = rule_id else {
        let what = if hotspot { "a hotspot" } else { "an issue" };
        return Err(match non_empty(raw.key.as_deref()) {
            Some(k) => format!("{what} without a rule (key {k})"),
            None => format!("{what} without a rule"),
        });
    };
    let decided = if hotspot {
        hotspot_severity(&raw)
    } else {
        issue_severity(&raw)
    };
    let file = file_of(raw.component.as_deref(), raw.project.as_deref());
    let key = non_empty(raw.key.as_deref())
        .unwrap_or_default()
        .to_string();
    let anchor = match non_empty(raw.hash.as_deref()) {
        Some(h) => format!("hash:{}", h.trim()),
        None => format!("key:{key}"),
    };
    let path = file.clone().unwrap_or_default();
    let base = fingerprint(TOOL, Kind::Code, &rule_id, &[&path, &anchor]);
    let fp = match ids.ordinal(&base, &key) {
        0 => base,
        n => fingerprint(
            TOOL,
            Kind::Code,
            &rule_id,
            &[&path, &anchor, &format!("#{n}")],
        ),
    };

    let category = if hotspot {
        Some("security_hotspot".to_string())
    } else {
        issue_category(&raw)
    };
    let message = owned(raw.message.clone());
    let (mut cwe, aliases) = match &message {
        Some(m) if rule_id.starts_with("OWASP:") => dependency_check_ids(m),
        _ => (Vec::new(), Vec::new()),
    };
    if cwe.is_empty() {
        cwe = extras.rule_description.map(cwe_in_text).unwrap_or_default();
    }
    let title = message
        .clone()
        .or_else(|| owned(raw.description.clone()))
        .unwrap_or_else(|| rule_id.clone());

    let mut lines: Vec<String> = Vec::new();
    // sonar-report: the rule's name, unless it already serves as the title.
    if let (Some(name), Some(_)) = (non_empty(raw.description.as_deref()), &message) {
        lines.push(name.to_string());
    }
    if let Some(text) = extras.rule_description.filter(|t| !t.trim().is_empty()) {
        lines.push(text.trim().to_string());
    }
    let mut facts: Vec<String> = Vec::new();
    if let Some(note) = decided.note {
        facts.push(note);
    }
    let impacts: Vec<String> = raw
        .impacts
        .iter()
        .flatten()
        .map(|i| {
            format!(
                "{} {}",
                i.software_quality.as_deref().unwrap_or("?"),
                i.severity.as_deref().unwrap_or("?")
            )
        })
        .collect();
    if impacts.len() > 1 {
        facts.push(format!("Impacts: {}.", impacts.join(", ")));
    }
    if let Some(t) = non_empty(raw.issue_type.as_deref()) {
        facts.push(format!("Type: {t}."));
    }
    if let Some(attr) = non_empty(raw.clean_code_attribute.as_deref()) {
        match non_empty(raw.clean_code_attribute_category.as_deref()) {
            Some(cat) => facts.push(format!("Clean Code attribute: {attr} ({cat}).")),
            None => facts.push(format!("Clean Code attribute: {attr}.")),
        }
    }
    if let Some(c) = non_empty(raw.security_category.as_deref()) {
        facts.push(format!("Security category: {c}."));
    }
    let tags: Vec<&str> = raw.tags.iter().flatten().map(String::as_str).collect();
    if !tags.is_empty() {
        facts.push(format!("Tags: {}.", tags.join(", ")));
    }
    if !facts.is_empty() {
        lines.push(facts.join("\n"));
    }
    let description = (!lines.is_empty()).then(|| lines.join("\n\n"));

    let references = match extras.base_url.map(|u| u.trim().trim_end_matches('/')) {
        Some(base) if !base.is_empty() => {
            vec![format!(
                "{base}/coding_rules?open={rule_id}&rule_key={rule_id}"
            )]
        }
        _ => Vec::new(),
    };
    let range = raw.text_range.as_ref();
    let line_start = range
        .and_then(|r| r.start_line)
        .and_then(|l| l.0)
        .or(raw.line.and_then(|l| l.0));
    let line_end = range.and_then(|r| r.end_line).and_then(|l| l.0);

    Ok(Some(Finding {
        epss: None,
        fingerprint: fp,
        kind: Kind::Code,
        category,
        rule_id,
        title,
        description,
        remediation: None,
        severity: decided.severity,
        severity_original: decided.original,
        cvss: Vec::new(),
        cwe,
        aliases,
        references,
        component: Default::default(),
        location: Location {
            target: owned(raw.project.clone()),
            file: file.or_else(|| owned(raw.component.clone())),
            line_start,
            line_end,
            ..Location::default()
        },
        tool_status: tool_status(&raw),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_prefix_is_stripped_even_with_colons() {
        assert_eq!(
            file_of(Some("g:a:src/Main.java"), Some("g:a")).as_deref(),
            Some("src/Main.java")
        );
        assert_eq!(file_of(Some("proj"), Some("proj")), None);
        assert_eq!(file_of(Some("app.py"), None).as_deref(), Some("app.py"));
        assert_eq!(
            file_of(Some("other:x"), Some("proj")).as_deref(),
            Some("other:x")
        );
    }

    #[test]
    fn dependency_check_messages_give_ids() {
        let (cwe, aliases) = dependency_check_ids(
            "Filename: p:1 | Reference: CVE-2024-2529 | CVSS Score: 6.4 | Category: CWE-120 | Category: CWE-79 | x",
        );
        assert_eq!(cwe, ["CWE-120", "CWE-79"]);
        assert_eq!(aliases, ["CVE-2024-2529"]);
        let (_, aliases) = dependency_check_ids(
            "Filename: a.jar | Highest CVSS Score: 7.5 | References: CVE-2023-52428 (7.5), CVE-1 (1.0)",
        );
        assert_eq!(aliases, ["CVE-2023-52428", "CVE-1"]);
    }

    #[test]
    fn cwe_ids_are_found_in_rule_text() {
        assert_eq!(
            cwe_in_text("* [MITRE, CWE-117][8]\n* [MITRE, CWE-532][9] CWE-117 CWE-"),
            ["CWE-117", "CWE-532"]
        );
    }

    #[test]
    fn ordinals_tell_distinct_keys_apart() {
        let mut ids = Identities::default();
        assert_eq!(ids.ordinal("x", "k1"), 0);
        assert_eq!(ids.ordinal("x", "k2"), 1);
        assert_eq!(ids.ordinal("x", "k1"), 0);
        assert_eq!(ids.ordinal("x", "k3"), 2);
        assert_eq!(ids.ordinal("x", "k2"), 1);
        assert_eq!(ids.ordinal("y", "k2"), 0);
    }
}
