//! The normalized finding: the one record every importer produces (PRODUCT.md, "Normalized finding").

use serde::{Deserialize, Serialize};

pub use domain::{Kind, Severity};

/// One CVSS assessment: v3.x and v4.0 both occur, sometimes in the same finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// `"2.0"`, `"3.0"`, `"3.1"` or `"4.0"`.
    pub version: String,
    pub vector: Option<String>,
    pub score: Option<f64>,
    /// Where the assessment comes from (`nvd`, `ghsa`, a vendor), when the tool says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The package a finding is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    pub name: Option<String>,
    pub version: Option<String>,
    /// Package URL with version, when the tool gives one or it can be derived without guessing.
    pub purl: Option<String>,
    pub fixed_version: Option<String>,
}

impl Component {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.version.is_none() && self.purl.is_none()
    }
}

/// Where a finding is. Only the fields that apply are set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// What the tool scanned inside the report: a Trivy result target, an image, a host.
    pub target: Option<String>,
    pub file: Option<String>,
    pub line_start: Option<i64>,
    pub line_end: Option<i64>,
    /// The column the result starts at, where the tool gives one (SARIF's `startColumn`). Not
    /// stored and not part of any fingerprint: it only tells apart two results of one identity
    /// on one line (`identity.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_start: Option<i64>,
    /// An infrastructure address (`aws_s3_bucket.logs`) or Kubernetes object (`default/Deployment/web`).
    pub resource: Option<String>,
    pub url: Option<String>,
    pub parameter: Option<String>,
    /// Container image layer digest.
    pub layer: Option<String>,
}

/// A normalized finding as one importer saw it in one report (an occurrence, before storage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable identity (see [`crate::fingerprint`]), hex SHA-256.
    pub fingerprint: String,
    pub kind: Kind,
    /// A finer class within the kind, in the tool's terms, lower snake case: SonarQube's
    /// `code_smell`, `bug`, `vulnerability`, `security_hotspot`; FOSSA's issue type. Filters and
    /// policies can use it (for example: code smells never block).
    pub category: Option<String>,
    pub rule_id: String,
    pub title: String,
    pub description: Option<String>,
    pub remediation: Option<String>,
    pub severity: Severity,
    /// The tool's own severity string, unchanged.
    pub severity_original: Option<String>,
    pub cvss: Vec<Cvss>,
    pub cwe: Vec<String>,
    pub aliases: Vec<String>,
    pub references: Vec<String>,
    pub component: Component,
    pub location: Location,
    /// The tool's own state of the finding (Trivy `Status`, SonarQube resolution, ...),
    /// recorded next to ours and never mapped onto our triage state.
    pub tool_status: Option<String>,
    /// The EPSS score the tool gave with this finding (Snyk, Dependabot, Nessus), as of the
    /// scan: it changes daily, so it belongs to the occurrence, never to the identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
}

/// The Exploit Prediction Scoring System's estimate for a vulnerability: the probability of
/// exploitation in the next 30 days and its percentile among all scored CVEs, both in `0..=1`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    pub probability: f64,
    pub percentile: Option<f64>,
}

impl Epss {
    /// The estimate, or `None` when the probability is not in `0..=1` (a percentage, NaN); a
    /// percentile outside `0..=1` is dropped, the probability kept.
    pub fn new(probability: f64, percentile: Option<f64>) -> Option<Epss> {
        let fraction = |x: f64| (0.0..=1.0).contains(&x).then_some(x);
        Some(Epss {
            probability: fraction(probability)?,
            percentile: percentile.and_then(fraction),
        })
    }
}

/// The most a finding keeps of each free-text field, in bytes of UTF-8 (docs/FORMATS.md,
/// "Field limits"). Longer text is cut on a character boundary and ends with
/// [`truncation_marker`]; the raw report keeps every byte.
pub mod limits {
    /// `title`.
    pub const TITLE: usize = 1024;
    /// `description` and `remediation`: prose, code snippets, evidence.
    pub const TEXT: usize = 64 * 1024;
    /// What points somewhere: file, URL, resource, target, layer, parameter, component name
    /// and purl, and each reference.
    pub const LOCATOR: usize = 4096;
    /// Names and short values: rule id, category, severities and statuses as the tool wrote
    /// them, versions, CWE and alias entries, CVSS fields; the scan's tool, version and time.
    pub const SHORT: usize = 1024;
    /// Entries of a list (references, aliases, CWE, CVSS assessments, scan warnings); past
    /// it, the last entry kept is the marker.
    pub const LIST: usize = 200;
}

/// What ends a field cut to its limit: `full_len` is the field's length in the raw report.
pub fn truncation_marker(full_len: usize) -> String {
    format!("… [truncated: {full_len} bytes in the raw report]")
}

/// Cuts `s` to at most `max` bytes, marker included, on a character boundary.
fn limit(s: &mut String, max: usize) {
    if s.len() <= max {
        return;
    }
    let marker = truncation_marker(s.len());
    let mut end = max.saturating_sub(marker.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push_str(&marker);
}

fn limit_opt(s: &mut Option<String>, max: usize) {
    if let Some(s) = s {
        limit(s, max);
    }
}

/// Keeps at most [`limits::LIST`] entries, each cut to `max`; a longer list ends with a marker
/// entry saying how many more the raw report has.
fn limit_list(list: &mut Vec<String>, max: usize) {
    if list.len() > limits::LIST {
        let more = list.len() - (limits::LIST - 1);
        list.truncate(limits::LIST - 1);
        list.push(format!("… [truncated: {more} more in the raw report]"));
    }
    list.iter_mut().for_each(|s| limit(s, max));
}

impl Finding {
    /// What every finding goes through once, after its importer made it and before anyone
    /// else sees it ([`crate::import_with`]): NUL characters replaced, then every free-text
    /// field cut to its [`limits`]. The fingerprint was computed before, from the full text.
    pub fn finish(&mut self) {
        self.remove_nul_characters();
        let Finding {
            fingerprint: _,
            kind: _,
            category,
            rule_id,
            title,
            description,
            remediation,
            severity: _,
            severity_original,
            cvss,
            cwe,
            aliases,
            references,
            component,
            location,
            tool_status,
            epss: _,
        } = self;
        limit(rule_id, limits::SHORT);
        limit(title, limits::TITLE);
        limit_opt(description, limits::TEXT);
        limit_opt(remediation, limits::TEXT);
        for s in [category, severity_original, tool_status] {
            limit_opt(s, limits::SHORT);
        }
        limit_list(cwe, limits::SHORT);
        limit_list(aliases, limits::SHORT);
        limit_list(references, limits::LOCATOR);
        cvss.truncate(limits::LIST);
        for c in cvss.iter_mut() {
            limit(&mut c.version, limits::SHORT);
            limit_opt(&mut c.vector, limits::SHORT);
            limit_opt(&mut c.source, limits::SHORT);
        }
        limit_opt(&mut component.name, limits::LOCATOR);
        limit_opt(&mut component.purl, limits::LOCATOR);
        limit_opt(&mut component.version, limits::SHORT);
        limit_opt(&mut component.fixed_version, limits::SHORT);
        for s in [
            &mut location.target,
            &mut location.file,
            &mut location.resource,
            &mut location.url,
            &mut location.parameter,
            &mut location.layer,
        ] {
            limit_opt(s, limits::LOCATOR);
        }
    }

    /// Replaces NUL characters (which PostgreSQL cannot store in text, and no person needs to
    /// read) with U+FFFD in every text field. The raw report keeps the original bytes.
    pub fn remove_nul_characters(&mut self) {
        fn clean(s: &mut String) {
            if s.contains('\0') {
                *s = s.replace('\0', "\u{FFFD}");
            }
        }
        fn clean_opt(s: &mut Option<String>) {
            if let Some(s) = s {
                clean(s);
            }
        }
        let Finding {
            fingerprint: _,
            kind: _,
            category,
            rule_id,
            title,
            description,
            remediation,
            severity: _,
            severity_original,
            cvss,
            cwe,
            aliases,
            references,
            component,
            location,
            tool_status,
            epss: _,
        } = self;
        for s in [rule_id, title] {
            clean(s);
        }
        for s in [
            category,
            description,
            remediation,
            severity_original,
            tool_status,
        ] {
            clean_opt(s);
        }
        for list in [cwe, aliases, references] {
            list.iter_mut().for_each(clean);
        }
        for c in cvss.iter_mut() {
            clean(&mut c.version);
            clean_opt(&mut c.vector);
            clean_opt(&mut c.source);
        }
        for s in [
            &mut component.name,
            &mut component.version,
            &mut component.purl,
            &mut component.fixed_version,
        ] {
            clean_opt(s);
        }
        for s in [
            &mut location.target,
            &mut location.file,
            &mut location.resource,
            &mut location.url,
            &mut location.parameter,
            &mut location.layer,
        ] {
            clean_opt(s);
        }
    }
}

/// A finding's `category` from a tool's own class name (`Security Hub`, `Kubernetes Security
/// Check`): lower snake case, every character but ASCII letters and digits an underscore;
/// `None` for a blank name.
pub fn category_name(name: &str) -> Option<String> {
    let name = name.trim();
    (!name.is_empty()).then(|| {
        name.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect()
    })
}

/// What a report says about the scan as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInfo {
    /// Tool family: `trivy`, `tfsec`, `sonarqube`, ... (SARIF: the driver's name, lower-cased).
    pub tool: String,
    pub tool_version: Option<String>,
    /// What was scanned: image name, repository path, URL.
    pub target: Option<String>,
    /// When the tool says the scan ran (RFC 3339 as the tool wrote it).
    pub scanned_at: Option<String>,
    /// Records that were skipped, and why (at most [`ScanInfo::MAX_WARNINGS`] are kept).
    pub warnings: Vec<String>,
    /// The report says it holds only part of the tool's results (a saved SonarQube API page with
    /// `paging.total` larger than its content): findings absent from it must not be taken as
    /// fixed.
    #[serde(default)]
    pub partial: bool,
}

impl ScanInfo {
    pub const MAX_WARNINGS: usize = 20;

    /// Cuts what the report says about the scan to the [`limits`], like [`Finding::finish`].
    pub fn finish(&mut self) {
        let ScanInfo {
            tool,
            tool_version,
            target,
            scanned_at,
            warnings,
            partial: _,
        } = self;
        limit(tool, limits::SHORT);
        limit_opt(tool_version, limits::SHORT);
        limit_opt(scanned_at, limits::SHORT);
        limit_opt(target, limits::LOCATOR);
        limit_list(warnings, limits::LOCATOR);
    }

    /// Records a skipped record, keeping the list short.
    pub fn warn(&mut self, message: impl Into<String>) {
        if self.warnings.len() < Self::MAX_WARNINGS {
            self.warnings.push(message.into());
        }
    }
}
