//! Deterministic synthetic reports of every format, for benchmarks, the demo and tests.
//!
//! One module per tool writes that tool's formats with the structure and field richness of the
//! real reports in the corpus (HTML descriptions, request and response excerpts, CVSS vectors,
//! rules with help text, code snippets, ...), so that sizes and parse costs are realistic.
//! Reports are streamed to a [`Write`], record by record. The same options always give the same
//! bytes; another seed gives other bytes.
//!
//! The text reads like the tools' own: packages that exist with versions of their usual shape,
//! advisory titles and descriptions put together from a phrase bank of parts that fit each
//! package (`advisory`), each tool's real rule ids and messages, and sentences of security prose
//! where a tool writes free text. Nothing is a random string of words.
//!
//! Every format that has findings yields exactly [`SyntheticOptions::findings`] of them (each
//! record has its own path or key, so that nothing merges inside a report); the two FOSSA
//! inventories (`fossa-attribution-json`, `fossa-analyze-json`) list that many dependencies
//! instead and yield no findings.

mod acunetix;
mod advisory;
mod aws;
mod bandit;
mod burp;
mod checkov;
mod cyclonedx;
mod dependabot;
mod fossa;
mod grype;
mod kubebench;
mod mend;
mod nessus;
mod osv_scanner;
mod sarif;
mod semgrep;
mod snyk;
mod sonarqube;
mod sonarqube_gate;
mod tfsec;
mod trivy;
mod trivy_operator;
mod web;
mod zap;

pub use advisory::{TITLE_TEMPLATES, is_advisory_title};
pub use trivy::{trivy_report, write_trivy_report};

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use std::fmt::Write as _;
use std::io::{self, Write};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SyntheticOptions {
    pub findings: usize,
    pub seed: u64,
    /// The image name, with its tag (Trivy only; the other formats name their own target).
    pub artifact: String,
    /// Trivy only. 0 for a base report. A later generation of the same seed drops about a
    /// tenth of the findings (fixed) and adds a twentieth (new), like the next release of the
    /// same image.
    pub generation: u32,
}

impl SyntheticOptions {
    /// `findings` records of `seed`, with the default artifact and generation 0.
    pub fn new(findings: usize, seed: u64) -> SyntheticOptions {
        SyntheticOptions {
            findings,
            seed,
            artifact: "registry.example.com/shop/api:4.2.0".into(),
            generation: 0,
        }
    }
}

/// Every format the generator writes: all the importers' formats.
pub const FORMATS: &[&str] = &[
    "trivy-json",
    "acunetix-xml",
    "acunetix360-json",
    "acunetix-api-json",
    "sonar-report-json",
    "sonarqube-api-json",
    "sonarqube-quality-gate-json",
    "tfsec-json",
    "tfsec-csv",
    "tfsec-checkstyle",
    "tfsec-junit",
    "burp-xml",
    "burp-dast-json",
    "zap-xml",
    "zap-json",
    "nessus-xml",
    "nessus-csv",
    "aws-inspector2-json",
    "aws-securityhub-asff-json",
    "aws-ecr-scan-json",
    "kube-bench-json",
    "trivy-operator-json",
    "fossa-api-issues-json",
    "fossa-test-json",
    "fossa-attribution-json",
    "fossa-analyze-json",
    "cyclonedx-json",
    "cyclonedx-xml",
    "grype-json",
    "osv-scanner-json",
    "mend-json",
    "bandit-json",
    "semgrep-json",
    "checkov-json",
    "dependabot-json",
    "snyk-json",
    "sarif",
];

/// Other documents an importer reads, each a shape of one of [`FORMATS`]: `(name, format)`.
/// `gen-report` and the parse benchmark take these names beside the formats'.
pub const SHAPES: &[(&str, &str)] = &[("mend-policy-json", "mend-json")];

/// Whether `format` is an inventory: its records are dependencies, not findings.
pub fn is_inventory(format: &str) -> bool {
    matches!(format, "fossa-attribution-json" | "fossa-analyze-json")
}

/// Writes a report of `format` (one of [`FORMATS`], or a name of [`SHAPES`]) to `out`.
pub fn write_report(
    format: &str,
    out: &mut dyn Write,
    options: &SyntheticOptions,
) -> io::Result<()> {
    match format {
        "trivy-json" => trivy::write_trivy_report(out, options),
        "acunetix-xml" => acunetix::write_xml(out, options),
        "acunetix360-json" => acunetix::write_360(out, options),
        "acunetix-api-json" => acunetix::write_api(out, options),
        "sonar-report-json" => sonarqube::write_sonar_report(out, options),
        "sonarqube-api-json" => sonarqube::write_api(out, options),
        "tfsec-json" => tfsec::write_json(out, options),
        "tfsec-csv" => tfsec::write_csv(out, options),
        "tfsec-checkstyle" => tfsec::write_checkstyle(out, options),
        "tfsec-junit" => tfsec::write_junit(out, options),
        "burp-xml" => burp::write_xml(out, options),
        "burp-dast-json" => burp::write_dast_json(out, options),
        "zap-xml" => zap::write_xml(out, options),
        "zap-json" => zap::write_json(out, options),
        "nessus-xml" => nessus::write_xml(out, options),
        "nessus-csv" => nessus::write_csv(out, options),
        "aws-inspector2-json" => aws::write_inspector2(out, options),
        "aws-securityhub-asff-json" => aws::write_securityhub(out, options),
        "aws-ecr-scan-json" => aws::write_ecr(out, options),
        "kube-bench-json" => kubebench::write_json(out, options),
        "trivy-operator-json" => trivy_operator::write_list(out, options),
        "fossa-api-issues-json" => fossa::write_api_issues(out, options),
        "fossa-test-json" => fossa::write_test(out, options),
        "fossa-attribution-json" => fossa::write_attribution(out, options),
        "fossa-analyze-json" => fossa::write_analyze(out, options),
        "grype-json" => grype::write_json(out, options),
        "osv-scanner-json" => osv_scanner::write_json(out, options),
        "mend-json" => mend::write_json(out, options),
        "mend-policy-json" => mend::write_policy_rejections(out, options),
        "sonarqube-quality-gate-json" => sonarqube_gate::write_json(out, options),
        "bandit-json" => bandit::write_json(out, options),
        "semgrep-json" => semgrep::write_json(out, options),
        "checkov-json" => checkov::write_json(out, options),
        "sarif" => sarif::write_sarif(out, options),
        "snyk-json" => snyk::write_json(out, options),
        "dependabot-json" => dependabot::write_json(out, options),
        "cyclonedx-json" => cyclonedx::write_json(out, options),
        "cyclonedx-xml" => cyclonedx::write_xml(out, options),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "no generator for format {other:?}; known: {}",
                FORMATS.join(", ")
            ),
        )),
    }
}

/// A report in memory (for small ones: tests).
pub fn report(format: &str, options: &SyntheticOptions) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_report(format, &mut out, options)?;
    Ok(out)
}

// ---- shared helpers of the per-tool modules ----

pub(crate) type Rng = Xoshiro256PlusPlus;

/// The random stream of record `i` of a seed, for one format (`stream`): a record does not
/// depend on the records before it.
pub(crate) fn rng(seed: u64, stream: u64, i: usize) -> Rng {
    Rng::seed_from_u64(
        seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)
            ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    )
}

pub(crate) fn pick<'a, T: ?Sized>(rng: &mut Rng, items: &'a [&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

/// An index into `items`.
pub(crate) fn index(rng: &mut Rng, len: usize) -> usize {
    rng.random_range(0..len)
}

/// Sentences of security prose for the free-text fields of code and web scanners. Each reads on
/// its own, so any selection of them reads as a paragraph.
const PROSE: &[&str] = &[
    "Input from the request reaches this point without being validated first.",
    "An attacker who controls that input can change what the application does with it.",
    "The value is written into the page without being encoded for its context.",
    "Validate input against a list of expected values as early as possible.",
    "Prefer the framework's safe APIs, which keep data and code apart.",
    "The finding was confirmed by sending a modified request and comparing the responses.",
    "Other pages that take the same parameter may be affected in the same way.",
    "Error messages reveal details that help an attacker map the application.",
    "Fix the shared helper rather than each caller, so that every path benefits.",
    "Review similar code paths, since the same pattern is often repeated.",
    "Hardening the default configuration removes the risk without code changes.",
    "Logs and error messages must not contain secrets, tokens or personal data.",
    "A regression test for the fix keeps the issue from coming back.",
    "The risk is higher for services that are reachable from the internet.",
    "Session cookies are sent with every request to the affected host.",
    "Encoding on output is more reliable than filtering on input.",
];

/// `n` sentences of plausible security prose, each with its stop, separated by spaces.
pub(crate) fn prose(rng: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(pick(rng, PROSE));
    }
    s
}

/// `n` random lower-case hex digits.
pub(crate) fn hex(rng: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    for _ in 0..n {
        let d = rng.random_range(0..16u32);
        s.push(char::from_digit(d, 16).unwrap_or('0'));
    }
    s
}

/// A random UUID in the usual 8-4-4-4-12 form.
pub(crate) fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 4),
        hex(rng, 4),
        hex(rng, 12)
    )
}

/// Appends `s` as a JSON string literal.
pub(crate) fn json_str(buf: &mut String, s: &str) {
    buf.push('"');
    for c in s.chars() {
        match c {
            '"' => buf.push_str("\\\""),
            '\\' => buf.push_str("\\\\"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            '\t' => buf.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(buf, "\\u{:04x}", c as u32);
            }
            c => buf.push(c),
        }
    }
    buf.push('"');
}

/// `s` as a JSON string literal.
pub(crate) fn js(s: &str) -> String {
    let mut buf = String::with_capacity(s.len() + 2);
    json_str(&mut buf, s);
    buf
}

/// A JSON object written key by key, in the order given (as the tools write them).
pub(crate) struct Obj {
    buf: String,
}

impl Obj {
    pub(crate) fn new() -> Obj {
        Obj {
            buf: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) {
        if self.buf.len() > 1 {
            self.buf.push_str(", ");
        }
        json_str(&mut self.buf, key);
        self.buf.push_str(": ");
    }

    /// A string value.
    pub(crate) fn s(mut self, key: &str, value: &str) -> Obj {
        self.key(key);
        json_str(&mut self.buf, value);
        self
    }

    /// A string, or `null`.
    pub(crate) fn opt(mut self, key: &str, value: Option<&str>) -> Obj {
        self.key(key);
        match value {
            Some(v) => json_str(&mut self.buf, v),
            None => self.buf.push_str("null"),
        }
        self
    }

    /// A value already in JSON: a number, `true`, `null`, a nested object or list.
    pub(crate) fn raw(mut self, key: &str, value: impl std::fmt::Display) -> Obj {
        self.key(key);
        let _ = write!(self.buf, "{value}");
        self
    }

    /// A list of strings.
    pub(crate) fn strs<S: AsRef<str>>(
        mut self,
        key: &str,
        items: impl IntoIterator<Item = S>,
    ) -> Obj {
        self.key(key);
        self.buf.push_str(&str_list(items));
        self
    }

    pub(crate) fn done(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

/// A JSON list of strings.
pub(crate) fn str_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut buf = String::from("[");
    for (k, item) in items.into_iter().enumerate() {
        if k > 0 {
            buf.push_str(", ");
        }
        json_str(&mut buf, item.as_ref());
    }
    buf.push(']');
    buf
}

/// A JSON list of values already in JSON.
pub(crate) fn raw_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut buf = String::from("[");
    for (k, item) in items.into_iter().enumerate() {
        if k > 0 {
            buf.push_str(", ");
        }
        buf.push_str(item.as_ref());
    }
    buf.push(']');
    buf
}

/// `s` escaped for XML text and attribute values.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("&#xA;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` in a CDATA section (a `]]>` inside is split over two sections).
pub(crate) fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

/// Writes `n` records produced by `record(i)`, separated by `,\n` and indented by `indent`.
pub(crate) fn write_records(
    out: &mut dyn Write,
    n: usize,
    indent: &str,
    mut record: impl FnMut(usize) -> String,
) -> io::Result<()> {
    for i in 0..n {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        out.write_all(indent.as_bytes())?;
        out.write_all(record(i).as_bytes())?;
    }
    Ok(())
}

/// A date in 2026 for record `i`, ISO 8601 with seconds.
pub(crate) fn iso_date(rng: &mut Rng) -> String {
    format!(
        "2026-{:02}-{:02}T{:02}:{:02}:{:02}",
        rng.random_range(1..=10),
        rng.random_range(1..=28),
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60)
    )
}

/// A weighted choice: `weights` are relative.
pub(crate) fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (k, w) in weights.iter().enumerate() {
        if roll < *w {
            return k;
        }
        roll -= w;
    }
    weights.len().saturating_sub(1)
}
