//! SARIF results to normalized findings, with their fingerprints.
//!
//! One finding per result (not per location: a result is one problem, which its tool may show
//! at several places; its `partialFingerprints` identify the result). The first location is the
//! finding's location; the others are listed at the end of the description.
//!
//! Identity (fingerprint parts), after the tool family, kind and rule id:
//! - generic SARIF: the artifact path (resolved against `originalUriBaseIds`, absolute roots
//!   dropped), then either the result's `partialFingerprints` (every key, sorted by name, except
//!   the column-based `primaryLocationStartColumnFingerprint`), else its `fingerprints` (same
//!   rule), else the region's snippet with white space folded. Never the line alone.
//! - Trivy SARIF: per kind, as close to the Trivy JSON importer as SARIF allows (see
//!   [`trivy_parts`]).
//! - tfsec SARIF: [`crate::tfsec::tfsec_fingerprint`], the same rule as tfsec's other formats.

use super::raw::*;
use crate::finding::{Component, Finding, Kind, Location, ScanInfo, Severity};
use crate::fingerprint::{fingerprint, normalize_code_line};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The tool family of a driver name: lower-cased, with tfsec's engine name (`defsec`) mapped to
/// `tfsec`. An unnamed driver is `sarif`.
pub fn tool_family(driver_name: Option<&str>) -> String {
    let name = driver_name
        .map(str::trim)
        .unwrap_or_default()
        .to_lowercase();
    match name.as_str() {
        "" => "sarif".to_string(),
        "defsec" | "tfsec" => "tfsec".to_string(),
        _ => name,
    }
}

/// How a run's results are read: most tools generically, two with their own identity rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Generic,
    Trivy,
    Tfsec,
}

/// Drivers whose every result is of one kind (matched on the lower-cased driver name).
const SECRET_TOOLS: &[&str] = &["gitleaks", "trufflehog", "detect-secrets", "ggshield"];
const VULNERABILITY_TOOLS: &[&str] = &[
    "grype",
    "dependency-check",
    "osv-scanner",
    "pip-audit",
    "govulncheck",
];
const MISCONFIGURATION_TOOLS: &[&str] = &["checkov", "kics", "terrascan", "dockle", "hadolint"];

/// Prefixes of advisory ids: a rule named like this is a known vulnerability.
const ADVISORY_PREFIXES: &[&str] = &[
    "CVE-", "GHSA-", "BDSA-", "RUSTSEC-", "PYSEC-", "GO-", "OSV-", "GMS-", "SNYK-", "DSA-", "DLA-",
    "RHSA-", "ALAS-", "USN-",
];

/// Whether `id` starts like an advisory id (`CVE-2021-44228`, `GHSA-xxxx-...`, `BDSA-2020-1001`).
pub fn is_advisory_id(id: &str) -> bool {
    let id = id.trim();
    ADVISORY_PREFIXES.iter().any(|prefix| {
        id.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
            && id[prefix.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Every `CVE-YYYY-NNNN` inside `text`, upper-cased, in order, without repeats.
fn cve_ids(text: &str) -> Vec<String> {
    let upper = text.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(at) = upper.get(from..).and_then(|s| s.find("CVE-")) {
        let start = from + at;
        let mut end = start + 4;
        let year = bytes[end..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        end += year;
        if year == 4 && bytes.get(end) == Some(&b'-') {
            let number = bytes[end + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if number >= 4 {
                let id = upper[start..end + 1 + number].to_string();
                if !found.contains(&id) {
                    found.push(id);
                }
                end += 1 + number;
            }
        }
        from = end;
    }
    found
}

/// Every `CWE-N` mentioned in `text` (`CWE-79`, `external/cwe/cwe-079`, `CWE-532: Insertion...`).
fn cwe_ids_in(text: &str, out: &mut Vec<String>) {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|s| s.find("cwe-")) {
        let start = from + at + 4;
        let digits = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 0 {
            let number = lower[start..start + digits].trim_start_matches('0');
            let id = format!("CWE-{}", if number.is_empty() { "0" } else { number });
            if !out.contains(&id) {
                out.push(id);
            }
        }
        from = start + digits;
    }
}

/// The strings of a property that may be a string or a list of strings.
fn strings_of(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The level's severity. Unknown words are `unknown`.
fn level_severity(level: &str) -> Severity {
    match level.trim().to_ascii_lowercase().as_str() {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        "none" => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// `security-severity`: a CVSS-like number (GitHub's convention), or a severity word.
fn security_severity(value: &Value) -> Option<(Severity, String)> {
    let (number, original) = match value {
        Value::Number(n) => (n.as_f64(), n.to_string()),
        Value::String(s) => (s.trim().parse::<f64>().ok(), s.clone()),
        _ => return None,
    };
    if let Some(score) = number {
        let severity = if !score.is_finite() || score < 0.0 {
            return None;
        } else if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        };
        return Some((severity, original));
    }
    let word = original.trim().to_ascii_lowercase();
    let severity = match word.as_str() {
        "moderate" => Severity::Medium,
        "informational" | "information" => Severity::Info,
        _ => Severity::parse(&word).filter(|s| *s != Severity::Unknown)?,
    };
    Some((severity, original))
}

/// Replaces `{0}`, `{1}`, ... by the message arguments; `{{` and `}}` are literal braces.
fn format_message(template: &str, arguments: &[Value]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(close) = tail.find('}').filter(|_| tail.starts_with('{')) {
            let inside = &tail[1..close];
            if let Some(arg) = inside.parse::<usize>().ok().and_then(|n| arguments.get(n)) {
                match arg {
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                rest = &tail[close + 1..];
                continue;
            }
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// A path for display: `file://` dropped (and the slash before a Windows drive), `%XX` decoded.
fn display_path(uri: &str) -> String {
    let mut path = uri.trim();
    if let Some(rest) = path
        .get(..7)
        .filter(|h| h.eq_ignore_ascii_case("file://"))
        .map(|_| &path[7..])
    {
        path = rest;
        let b = path.as_bytes();
        if b.len() >= 3 && b[0] == b'/' && b[1].is_ascii_alphabetic() && b[2] == b':' {
            path = &path[1..];
        }
    }
    percent_decode(path)
}

/// Decodes `%XX` escapes; text that would not be UTF-8 afterwards is kept as it was.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_string(), std::borrow::Cow::into_owned)
}

/// A path as identity: backslashes as slashes, no leading `./`.
fn identity_path(path: &str) -> String {
    let slashed = path.trim().replace('\\', "/");
    let mut p = slashed.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}

/// Whether a URI is absolute: a scheme (`file:`, `https:`), a Windows drive or a rooted path.
fn is_absolute(uri: &str) -> bool {
    if uri.starts_with('/') || uri.starts_with('\\') {
        return true;
    }
    match uri.find(':') {
        Some(colon) => {
            let scheme = &uri[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Where a rule lives: the driver or one of the extensions.
type RuleRef<'r> = (&'r RawRule, Option<&'r RawToolComponent>);

/// Everything a run's results share.
pub struct Run<'r> {
    tool: String,
    flavor: Flavor,
    driver: Option<&'r RawToolComponent>,
    extensions: &'r [RawToolComponent],
    rules_by_id: HashMap<&'r str, RuleRef<'r>>,
    bases: Option<&'r BTreeMap<String, RawArtifactLocation>>,
    artifacts: &'r [RawArtifact],
}

impl<'r> Run<'r> {
    pub fn new(run: &'r RawRun) -> Run<'r> {
        let driver = run.tool.as_ref().and_then(|t| t.driver.as_ref());
        let extensions = run
            .tool
            .as_ref()
            .and_then(|t| t.extensions.as_deref())
            .unwrap_or_default();
        let tool = tool_family(driver.and_then(|d| d.name.as_deref()));
        let flavor = match tool.as_str() {
            "trivy" => Flavor::Trivy,
            "tfsec" => Flavor::Tfsec,
            _ => Flavor::Generic,
        };
        let mut rules_by_id: HashMap<&str, RuleRef<'_>> = HashMap::new();
        // Extensions first, so that the driver's rules win on a shared id.
        for component in extensions.iter().chain(driver) {
            for rule in component.rules.as_deref().unwrap_or_default() {
                if let Some(id) = rule.id.as_deref() {
                    rules_by_id.insert(id, (rule, Some(component)));
                }
            }
        }
        Run {
            tool,
            flavor,
            driver,
            extensions,
            rules_by_id,
            bases: run.original_uri_base_ids.as_ref(),
            artifacts: run.artifacts.as_deref().unwrap_or_default(),
        }
    }

    pub fn tool(&self) -> &str {
        &self.tool
    }

    /// What the run says about the scan.
    pub fn scan_info(&self, run: &RawRun) -> ScanInfo {
        let target = run
            .version_control_provenance
            .iter()
            .flatten()
            .find_map(|v| non_empty(v.repository_uri.as_deref()))
            .map(str::to_string)
            .or_else(|| {
                run.properties
                    .as_ref()
                    .and_then(|p| p.image_name.as_ref())
                    .and_then(Value::as_str)
                    .and_then(|s| non_empty(Some(s)))
                    .map(str::to_string)
            });
        let scanned_at = run
            .invocations
            .iter()
            .flatten()
            .find_map(|i| non_empty(i.start_time_utc.as_deref().or(i.end_time_utc.as_deref())))
            .map(str::to_string);
        ScanInfo {
            tool: self.tool.clone(),
            tool_version: self
                .driver
                .and_then(|d| non_empty(d.version.as_deref().or(d.semantic_version.as_deref())))
                .map(str::to_string),
            target,
            scanned_at,
            warnings: Vec::new(),
            partial: false,
        }
    }

    /// The rule of a result: by `rule.index` (in the component named by `toolComponent`) or
    /// `ruleIndex` when the rule there has the result's id (or the result has none), else by id
    /// (a hierarchical id `A/B` falls back to `A`).
    fn rule(&self, result: &RawResult, id: Option<&str>) -> Option<RuleRef<'r>> {
        let reference = result.rule.as_ref();
        let index = reference
            .and_then(|r| r.index)
            .or(result.rule_index)
            .and_then(|i| usize::try_from(i).ok());
        let component = match reference
            .and_then(|r| r.tool_component.as_ref())
            .and_then(|c| c.index)
        {
            Some(i) => usize::try_from(i).ok().and_then(|i| self.extensions.get(i)),
            None => self.driver,
        };
        if let (Some(index), Some(component)) = (index, component)
            && let Some(rule) = component
                .rules
                .as_deref()
                .and_then(|rules| rules.get(index))
            && (id.is_none() || rule.id.as_deref() == id)
        {
            return Some((rule, Some(component)));
        }
        let id = id?;
        self.rules_by_id.get(id).copied().or_else(|| {
            id.split_once('/')
                .and_then(|(head, _)| self.rules_by_id.get(head).copied())
        })
    }

    /// For producers that write no rule id (Gitleaks 7: `AWS Access Key secret detected`): the
    /// longest rule id that occurs in the message as whole words.
    fn rule_from_message(&self, message: Option<&str>) -> Option<RuleRef<'r>> {
        let message = message?;
        let whole_word = |id: &str| {
            message.match_indices(id).any(|(at, _)| {
                let before = message[..at].chars().next_back();
                let after = message[at + id.len()..].chars().next();
                before.is_none_or(|c| !c.is_alphanumeric())
                    && after.is_none_or(|c| !c.is_alphanumeric())
            })
        };
        self.rules_by_id
            .iter()
            .filter(|(id, _)| !id.trim().is_empty() && whole_word(id))
            .max_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| b.0.cmp(a.0)))
            .map(|(_, rule)| *rule)
    }

    /// The text of a message: `text`, else `markdown`, else the rule's (or the tool's global)
    /// message string named by `id`; arguments filled in.
    fn message_text(&self, message: &RawMessage, rule: Option<RuleRef<'_>>) -> Option<String> {
        let arguments = message.arguments.as_deref().unwrap_or_default();
        let fill = |template: &str| {
            if arguments.is_empty() {
                template.to_string()
            } else {
                format_message(template, arguments)
            }
        };
        if let Some(text) = non_empty(message.text.as_deref()) {
            return Some(fill(text));
        }
        if let Some(markdown) = non_empty(message.markdown.as_deref()) {
            return Some(fill(markdown));
        }
        let id = message.id.as_deref()?;
        let lookup = |strings: Option<&BTreeMap<String, RawMessage>>| {
            strings
                .and_then(|s| s.get(id))
                .and_then(|m| non_empty(m.text.as_deref()).or(non_empty(m.markdown.as_deref())))
                .map(fill)
        };
        rule.and_then(|(r, _)| lookup(r.message_strings.as_ref()))
            .or_else(|| {
                rule.and_then(|(_, c)| c)
                    .and_then(|c| lookup(c.global_message_strings.as_ref()))
            })
            .or_else(|| {
                self.driver
                    .and_then(|d| lookup(d.global_message_strings.as_ref()))
            })
    }

    /// An artifact location as a path: relative bases from `originalUriBaseIds` are prefixed;
    /// an absolute base (the checkout folder of one machine) is dropped.
    fn path(&self, location: &RawArtifactLocation) -> Option<String> {
        let artifact = location
            .index
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.artifacts.get(i))
            .and_then(|a| a.location.as_ref());
        let uri = non_empty(location.uri.as_deref())
            .or_else(|| artifact.and_then(|a| non_empty(a.uri.as_deref())))?
            .trim();
        let mut path = uri.to_string();
        if is_absolute(uri) {
            return Some(display_path(&path));
        }
        let mut base_id = location
            .uri_base_id
            .as_deref()
            .or_else(|| artifact.and_then(|a| a.uri_base_id.as_deref()));
        for _ in 0..8 {
            let Some(base) = base_id.and_then(|id| self.bases.and_then(|b| b.get(id))) else {
                break;
            };
            let Some(prefix) = non_empty(base.uri.as_deref()).map(str::trim) else {
                base_id = base.uri_base_id.as_deref();
                continue;
            };
            if is_absolute(prefix) {
                break;
            }
            path = if prefix.ends_with('/') || prefix.ends_with('\\') {
                format!("{prefix}{path}")
            } else {
                format!("{prefix}/{path}")
            };
            base_id = base.uri_base_id.as_deref();
        }
        Some(display_path(&path))
    }

    /// Converts one result. `Ok(None)`: not a finding (passed, not applicable, absent from this
    /// scan). `Err`: skipped, with the reason.
    pub fn result(&self, result: &RawResult) -> Result<Option<Finding>, String> {
        let result_kind = result.kind.as_deref().map(str::trim).unwrap_or("fail");
        if matches!(result_kind, "pass" | "notApplicable")
            || result.baseline_state.as_deref() == Some("absent")
        {
            return Ok(None);
        }
        let given_id = non_empty(result.rule_id.as_deref()).or_else(|| {
            result
                .rule
                .as_ref()
                .and_then(|r| non_empty(r.id.as_deref()))
        });
        let mut rule = self.rule(result, given_id);
        let raw_message = result.message.as_ref();
        let message_plain = raw_message.and_then(|m| non_empty(m.text.as_deref()));
        if given_id.is_none() && rule.is_none() {
            rule = self.rule_from_message(message_plain);
        }
        let rule_id = given_id
            .or_else(|| rule.and_then(|(r, _)| non_empty(r.id.as_deref())))
            .map(str::trim)
            .ok_or_else(|| "a result without a rule id".to_string())?
            .to_string();
        let raw_rule = rule.map(|(r, _)| r);
        let message = raw_message.and_then(|m| self.message_text(m, rule));

        let kind = self.kind(&rule_id, raw_rule);
        let (severity, severity_original) = severity(result, raw_rule, result_kind);

        // Location: the first location with an artifact, else the analysis target.
        let locations = result.locations.as_deref().unwrap_or_default();
        let primary = locations.first();
        let physical = primary.and_then(|l| l.physical_location.as_ref());
        let file = physical
            .and_then(|p| p.artifact_location.as_ref())
            .and_then(|a| self.path(a))
            .or_else(|| result.analysis_target.as_ref().and_then(|a| self.path(a)));
        let region = physical.and_then(|p| p.region.as_ref());
        let line_start = region.and_then(|r| r.start_line).filter(|l| *l > 0);
        let line_end = region
            .and_then(|r| r.end_line)
            .filter(|l| *l > 0)
            .or(line_start);
        let snippet = region
            .and_then(|r| r.snippet.as_ref())
            .and_then(|s| non_empty(s.text.as_deref()));
        let logical = primary
            .and_then(|l| l.logical_locations.as_deref())
            .and_then(|l| l.first())
            .and_then(|l| {
                non_empty(l.fully_qualified_name.as_deref()).or(non_empty(l.name.as_deref()))
            });

        // Texts.
        let short = raw_rule
            .and_then(|r| r.short_description.as_ref())
            .and_then(|m| non_empty(m.text.as_deref()));
        let full = raw_rule
            .and_then(|r| r.full_description.as_ref())
            .and_then(|m| non_empty(m.text.as_deref()));
        let title_source = short
            .or(message.as_deref().and_then(|m| non_empty(Some(m))))
            .or(raw_rule.and_then(|r| non_empty(r.name.as_deref())))
            .unwrap_or(&rule_id);
        let title = first_line(title_source);
        let mut description = String::new();
        for part in [message.as_deref(), full].into_iter().flatten() {
            let part = part.trim();
            if !part.is_empty() && !description.contains(part) {
                if !description.is_empty() {
                    description.push_str("\n\n");
                }
                description.push_str(part);
            }
        }
        if locations.len() > 1 {
            description.push_str(&self.other_locations(&locations[1..]));
        }
        let remediation = result
            .fixes
            .iter()
            .flatten()
            .filter_map(|f| f.description.as_ref())
            .filter_map(|m| self.message_text(m, rule))
            .collect::<Vec<_>>()
            .join("\n");

        // Lists.
        let mut cwe = Vec::new();
        for props in [
            raw_rule.and_then(|r| r.properties.as_ref()),
            result.properties.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            for text in strings_of(props.tags.as_ref())
                .into_iter()
                .chain(strings_of(props.cwe.as_ref()))
            {
                cwe_ids_in(text, &mut cwe);
            }
        }
        for relationship in raw_rule
            .and_then(|r| r.relationships.as_deref())
            .unwrap_or_default()
        {
            if let Some(target) = &relationship.target
                && target
                    .tool_component
                    .as_ref()
                    .and_then(|c| c.name.as_deref())
                    .is_some_and(|n| n.eq_ignore_ascii_case("cwe"))
                && let Some(id) = target.id.as_deref()
            {
                cwe_ids_in(id, &mut cwe);
            }
        }
        let aliases = if kind == Kind::Vulnerability {
            cve_ids(&rule_id)
                .into_iter()
                .filter(|id| !id.eq_ignore_ascii_case(&rule_id))
                .collect()
        } else {
            Vec::new()
        };
        let references = raw_rule
            .and_then(|r| non_empty(r.help_uri.as_deref()))
            .map(|u| vec![u.trim().to_string()])
            .unwrap_or_default();

        // Trivy writes package details into the message.
        let mut component = Component::default();
        let mut target = None;
        let mut file = file;
        if self.flavor == Flavor::Trivy {
            let text = message.as_deref().unwrap_or_default();
            match kind {
                Kind::Vulnerability => {
                    component.name = message_field(text, "Package");
                    component.version = message_field(text, "Installed Version");
                    component.fixed_version = message_field(text, "Fixed Version");
                    target = file.take();
                }
                Kind::License => {
                    component.name = message_field(text, "PkgName");
                    target = file.take();
                }
                _ => {}
            }
        }

        let fingerprint = match self.flavor {
            Flavor::Tfsec => {
                crate::tfsec::tfsec_fingerprint(&rule_id, file.as_deref().unwrap_or_default(), "")
            }
            Flavor::Trivy => {
                let (rule_key, parts) = trivy_parts(
                    kind,
                    &rule_id,
                    target.as_deref().or(file.as_deref()),
                    component.name.as_deref(),
                    message.as_deref(),
                );
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                fingerprint(&self.tool, kind, &rule_key, &parts)
            }
            Flavor::Generic => {
                let place = file
                    .as_deref()
                    .map(identity_path)
                    .or_else(|| logical.map(str::to_string))
                    .unwrap_or_default();
                let mut parts: Vec<String> = vec![place];
                let partial = tool_fingerprints(result.partial_fingerprints.as_ref());
                let full_fps = tool_fingerprints(result.fingerprints.as_ref());
                if !partial.is_empty() {
                    parts.push("partialFingerprints".into());
                    parts.extend(partial);
                } else if !full_fps.is_empty() {
                    parts.push("fingerprints".into());
                    parts.extend(full_fps);
                } else if let Some(snippet) = snippet {
                    parts.push("snippet".into());
                    parts.push(normalize_code_line(snippet));
                }
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                fingerprint(&self.tool, kind, &rule_id, &parts)
            }
        };

        Ok(Some(Finding {
            fingerprint,
            kind,
            category: None,
            rule_id,
            title,
            description: (!description.is_empty()).then_some(description),
            remediation: (!remediation.trim().is_empty()).then_some(remediation),
            severity,
            severity_original,
            cvss: Vec::new(),
            cwe,
            aliases,
            references,
            component,
            location: Location {
                target,
                file,
                line_start,
                line_end,
                ..Location::default()
            },
            tool_status: tool_status(result, result_kind),
        }))
    }

    /// The kind: Trivy by rule tag, tfsec always misconfiguration, others by tool name, then
    /// advisory-like rule ids are vulnerabilities and everything else is code.
    fn kind(&self, rule_id: &str, rule: Option<&RawRule>) -> Kind {
        match self.flavor {
            Flavor::Tfsec => return Kind::Misconfiguration,
            Flavor::Trivy => {
                let tags = rule.and_then(|r| r.properties.as_ref());
                let tags = strings_of(tags.and_then(|p| p.tags.as_ref()));
                let name = rule.and_then(|r| r.name.as_deref()).unwrap_or_default();
                for (tag, kind) in [
                    ("vulnerability", Kind::Vulnerability),
                    ("misconfiguration", Kind::Misconfiguration),
                    ("secret", Kind::Secret),
                    ("license", Kind::License),
                ] {
                    if tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
                        || name.to_ascii_lowercase().contains(tag)
                    {
                        return kind;
                    }
                }
                return if is_advisory_id(rule_id) {
                    Kind::Vulnerability
                } else {
                    Kind::Misconfiguration
                };
            }
            Flavor::Generic => {}
        }
        let tool = self.tool.as_str();
        if SECRET_TOOLS.contains(&tool) {
            Kind::Secret
        } else if VULNERABILITY_TOOLS.contains(&tool) || is_advisory_id(rule_id) {
            Kind::Vulnerability
        } else if MISCONFIGURATION_TOOLS.contains(&tool) {
            Kind::Misconfiguration
        } else {
            Kind::Code
        }
    }

    /// `Other locations:` and one line per further location (at most 50).
    fn other_locations(&self, others: &[RawLocation]) -> String {
        const MAX: usize = 50;
        let mut out = String::from("\n\nOther locations:");
        for location in others.iter().take(MAX) {
            let physical = location.physical_location.as_ref();
            let path = physical
                .and_then(|p| p.artifact_location.as_ref())
                .and_then(|a| self.path(a));
            let line = physical
                .and_then(|p| p.region.as_ref())
                .and_then(|r| r.start_line);
            out.push_str("\n- ");
            out.push_str(path.as_deref().unwrap_or("(no file)"));
            if let Some(line) = line {
                out.push_str(&format!(":{line}"));
            }
        }
        if others.len() > MAX {
            out.push_str(&format!("\n- ... and {} more", others.len() - MAX));
        }
        out
    }
}

/// Severity: `security-severity` (result, then rule), else `level`, else the rule's default
/// level, else the standard's default (`warning` for a failure, `none` otherwise).
fn severity(
    result: &RawResult,
    rule: Option<&RawRule>,
    result_kind: &str,
) -> (Severity, Option<String>) {
    for props in [
        result.properties.as_ref(),
        rule.and_then(|r| r.properties.as_ref()),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(found) = props.security_severity.as_ref().and_then(security_severity) {
            return (found.0, Some(found.1));
        }
    }
    let level = non_empty(result.level.as_deref()).or_else(|| {
        rule.and_then(|r| r.default_configuration.as_ref())
            .and_then(|c| non_empty(c.level.as_deref()))
    });
    match level {
        Some(level) => (level_severity(level), Some(level.to_string())),
        None if result_kind == "fail" => (Severity::Medium, None),
        None => (Severity::Info, None),
    }
}

/// `suppressed` when a suppression is accepted (a missing status means accepted),
/// `suppression_under_review` when one is under review; else the result kind when it is not a
/// plain failure (`review`, `open`, `informational`).
fn tool_status(result: &RawResult, result_kind: &str) -> Option<String> {
    let suppressions = result.suppressions.as_deref().unwrap_or_default();
    let status = |s: &RawSuppression| {
        s.status
            .as_deref()
            .or(s.state.as_deref())
            .map(|x| x.trim().to_ascii_lowercase())
    };
    if suppressions
        .iter()
        .any(|s| status(s).is_none_or(|x| x == "accepted"))
    {
        return Some("suppressed".into());
    }
    if suppressions
        .iter()
        .any(|s| status(s).as_deref() == Some("underreview"))
    {
        return Some("suppression_under_review".into());
    }
    (result_kind != "fail").then(|| result_kind.to_string())
}

/// A tool's fingerprints as sorted `key, value` parts. `primaryLocationStartColumnFingerprint`
/// (CodeQL: a column number, which re-indenting changes) is left out. Values that are not
/// strings are written as compact JSON (a `{"value": ...}` wrapper is unwrapped).
fn tool_fingerprints(map: Option<&BTreeMap<String, Value>>) -> Vec<String> {
    let mut parts = Vec::new();
    for (key, value) in map.into_iter().flatten() {
        if key == "primaryLocationStartColumnFingerprint" {
            continue;
        }
        let value = match value {
            Value::Object(o) if o.len() == 1 => o.get("value").unwrap_or(value),
            other => other,
        };
        let text = match value {
            Value::String(s) => s.trim().to_string(),
            Value::Null => continue,
            other => other.to_string(),
        };
        if text.is_empty() {
            continue;
        }
        parts.push(key.clone());
        parts.push(text);
    }
    parts
}

/// The first non-blank line of a text, at most 300 characters.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

/// `Name: value` from a Trivy message line.
fn message_field(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        line.trim()
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    })
}

/// Trivy SARIF identity, per kind (rule key, parts):
/// - vulnerability: advisory id, the artifact (image, lock file or language), package name;
/// - misconfiguration: the check id in canonical form (`DS002` = `DS-0002` = `AVD-DS-0002`), file;
/// - secret: rule, file, the matched line as Trivy redacts it, white space folded;
/// - license: rule (`package:license`), artifact.
///
/// SARIF lacks the package ecosystem and the cloud resource, so these are not the fingerprints
/// of the same scan imported as Trivy JSON.
fn trivy_parts(
    kind: Kind,
    rule_id: &str,
    place: Option<&str>,
    package: Option<&str>,
    message: Option<&str>,
) -> (String, Vec<String>) {
    let place = place.map(identity_path).unwrap_or_default();
    match kind {
        Kind::Vulnerability => (
            rule_id.to_string(),
            vec![place, package.unwrap_or_default().to_string()],
        ),
        Kind::Misconfiguration => (crate::trivy::canonical_check_id(rule_id), vec![place]),
        Kind::Secret => {
            let matched = message
                .and_then(|m| message_field(m, "Match"))
                .map(|m| normalize_code_line(&m))
                .unwrap_or_default();
            (rule_id.to_string(), vec![place, matched])
        }
        _ => (rule_id.to_string(), vec![place]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_ids() {
        assert!(is_advisory_id("CVE-2021-44228"));
        assert!(is_advisory_id("CVE-2008-0732-geronimo"));
        assert!(is_advisory_id("GHSA-jfh8-c2jp-5v3q"));
        assert!(is_advisory_id("BDSA-2020-1001 (CVE-2020-11022)"));
        assert!(!is_advisory_id("CVE"));
        assert!(!is_advisory_id("py/empty-except"));
        assert!(!is_advisory_id("GOTO-1"));
    }

    #[test]
    fn cve_ids_inside_text() {
        assert_eq!(
            cve_ids("BDSA-2020-1001 (CVE-2020-11022) and cve-2021-1234"),
            vec!["CVE-2020-11022", "CVE-2021-1234"]
        );
        assert!(cve_ids("CVE-20-1").is_empty());
    }

    #[test]
    fn cwe_ids() {
        let mut out = Vec::new();
        for t in [
            "external/cwe/cwe-079",
            "CWE-532 Insertion",
            "CWE-79",
            "cwe-",
        ] {
            cwe_ids_in(t, &mut out);
        }
        assert_eq!(out, vec!["CWE-79", "CWE-532"]);
    }

    #[test]
    fn security_severity_scores_and_words() {
        let s = |v: Value| security_severity(&v).map(|x| x.0);
        assert_eq!(s(Value::from("9.0")), Some(Severity::Critical));
        assert_eq!(s(Value::from(8.9)), Some(Severity::High));
        assert_eq!(s(Value::from("4")), Some(Severity::Medium));
        assert_eq!(s(Value::from("0.1")), Some(Severity::Low));
        assert_eq!(s(Value::from("0")), Some(Severity::Info));
        assert_eq!(s(Value::from("MEDIUM")), Some(Severity::Medium));
        assert_eq!(s(Value::from("-1")), None);
        assert_eq!(s(Value::from("NaN")), None);
        assert_eq!(s(Value::from("whatever")), None);
        assert_eq!(s(Value::Bool(true)), None);
    }

    #[test]
    fn message_templates() {
        let args = [Value::from("ptr"), Value::from(0)];
        assert_eq!(
            format_message("Variable \"{0}\" declared [here]({1}). {{x}} {7} {", &args),
            "Variable \"ptr\" declared [here](0). {x} {7} {"
        );
    }

    #[test]
    fn paths() {
        assert_eq!(display_path("file:///C:/code/a%20b.c"), "C:/code/a b.c");
        assert_eq!(display_path("file:///home/x.sh"), "/home/x.sh");
        assert_eq!(display_path("src/%ZZ.c"), "src/%ZZ.c");
        assert_eq!(display_path("a%ff.c"), "a%ff.c");
        assert_eq!(identity_path(".\\dir\\main.tf"), "dir/main.tf");
        assert!(is_absolute("file:///x"));
        assert!(is_absolute("C:\\x"));
        assert!(is_absolute("/x"));
        assert!(!is_absolute("src/x"));
    }

    #[test]
    fn tool_families() {
        assert_eq!(tool_family(Some("defsec")), "tfsec");
        assert_eq!(tool_family(Some(" Trivy ")), "trivy");
        assert_eq!(tool_family(None), "sarif");
    }
}
