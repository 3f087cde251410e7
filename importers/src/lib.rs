//! # importers
//!
//! Scanner reports in, normalized [`Finding`]s out. One module per scanner format, all behind one
//! [`Importer`] trait and one registry ([`all`]), with detection by content ([`detect`]).
//!
//! This crate is pure: it never touches a database, the network or the file system beyond the
//! reader it is given, so it can be tested and fuzzed on bytes alone. It streams: findings go to
//! a caller's sink one by one, so a 100,000-finding report never has to sit in memory twice.
//!
//! It is *not* where findings are deduplicated across scans, stored or triaged (that is the
//! `schema` crate), nor where anything is rendered (the `reports` crate).

pub mod acunetix;
pub mod bandit;
pub mod burp;
pub mod checkov;
mod code_context;
mod copies;
pub mod cyclonedx;
pub mod dependabot;
mod dependency;
pub mod ecr;
mod epss;
pub mod error;
pub mod finding;
pub mod fingerprint;
pub mod fossa;
pub mod grype;
pub mod identity;
pub mod input;
pub mod inspector2;
mod json_report;
pub mod kubebench;
pub mod mend;
pub mod nessus;
mod numbering;
pub mod osv_scanner;
mod record;
pub mod sarif;
pub mod securityhub;
pub mod semgrep;
pub mod snyk;
pub mod sonarqube;
pub mod sonarqube_gate;
mod stream;
pub mod text;
pub mod tfsec;
pub mod trivy;
pub mod trivy_operator;
mod unsupported;
pub mod web;
mod xml;
pub mod zap;

pub use error::{ImportError, Position, SinkError};
pub use finding::{Component, Cvss, Epss, Finding, Kind, Location, ScanInfo, Severity};
pub use fingerprint::{FINGERPRINT_VERSION, fingerprint};
pub use identity::Refinement;

use std::io::Read;

/// Where an importer sends each finding. Returning an error stops the import.
pub type Sink<'a> = dyn FnMut(Finding) -> Result<(), SinkError> + 'a;

/// One report format of one tool.
pub trait Importer: Sync {
    /// Stable format name, as shown by `scanledger formats` and stored with each scan
    /// (`trivy-json`, `tfsec-json`, `sarif`, ...).
    fn format(&self) -> &'static str;
    /// The tool family this format belongs to (`trivy`, `tfsec`, ...). SARIF names the tool
    /// per report, in [`ScanInfo::tool`].
    fn tool(&self) -> &'static str;
    /// One line for `scanledger formats`: what it is, which versions.
    fn description(&self) -> &'static str;
    /// A command (or the menu path) that produces this format, for `scanledger formats`.
    fn example(&self) -> &'static str;
    /// The syntax family of the format, for "closest candidates" when nothing matches.
    fn syntax(&self) -> Syntax {
        let name = self.format();
        if name.ends_with("-csv") {
            Syntax::Csv
        } else if name.ends_with("-xml")
            || name.ends_with("-checkstyle")
            || name.ends_with("-junit")
        {
            Syntax::Xml
        } else {
            Syntax::Json
        }
    }
    /// Whether the first bytes (decoded, up to [`input::HEAD_LEN`]) look like this format.
    fn detect(&self, head: &str) -> bool;
    /// Parses the decoded input, sending each finding to `sink`.
    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError>;
}

/// The syntax a format is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Xml,
    Csv,
}

impl Syntax {
    /// What the first non-blank character suggests.
    pub fn guess(head: &str) -> Syntax {
        match head.trim_start().chars().next() {
            Some('{' | '[') => Syntax::Json,
            Some('<') => Syntax::Xml,
            _ => Syntax::Csv,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Syntax::Json => "JSON",
            Syntax::Xml => "XML",
            Syntax::Csv => "CSV or text",
        }
    }
}

/// The formats written in the syntax `head` looks like: the closest candidates when nothing
/// recognizes a file.
pub fn candidates(head: &str) -> Vec<&'static str> {
    let syntax = Syntax::guess(head);
    all()
        .iter()
        .filter(|i| i.syntax() == syntax)
        .map(|i| i.format())
        .collect()
}

/// Every importer, in detection order: more specific formats before more general ones.
pub fn all() -> &'static [&'static dyn Importer] {
    &[
        &trivy::TrivyJson,
        &acunetix::AcunetixXml,
        &acunetix::Acunetix360Json,
        &acunetix::AcunetixApiJson,
        &sonarqube::SonarReportJson,
        &sonarqube::SonarQubeApiJson,
        &sonarqube_gate::SonarQubeQualityGateJson,
        &tfsec::TfsecJson,
        &tfsec::TfsecCsv,
        &tfsec::TfsecCheckstyle,
        &tfsec::TfsecJunit,
        &burp::BurpXml,
        &burp::BurpDastJson,
        &zap::ZapXml,
        &zap::ZapJson,
        &nessus::NessusXml,
        &nessus::NessusCsv,
        &inspector2::Inspector2Json,
        &securityhub::SecurityHubAsff,
        &ecr::EcrScanJson,
        &kubebench::KubeBenchJson,
        &trivy_operator::TrivyOperatorJson,
        // FOSSA: the API export before the CLI report (both have `issues`; only the API's
        // issues have `source`), the inventories last.
        &fossa::FossaApiIssuesJson,
        &fossa::FossaTestJson,
        &fossa::FossaAttributionJson,
        &fossa::FossaAnalyzeJson,
        &cyclonedx::CycloneDxJson,
        &cyclonedx::CycloneDxXml,
        &grype::GrypeJson,
        &osv_scanner::OsvScannerJson,
        &mend::MendJson,
        // Bandit before Semgrep: a clean Bandit report has `results` and `errors` too.
        &bandit::BanditJson,
        &semgrep::SemgrepJson,
        &checkov::CheckovJson,
        &dependabot::DependabotJson,
        &snyk::SnykJson,
        // SARIF last: any tool can write it, and its driver names the tool.
        &sarif::Sarif,
    ]
}

/// The importer for a format name.
pub fn by_format(format: &str) -> Option<&'static dyn Importer> {
    all().iter().copied().find(|i| i.format() == format)
}

/// The first importer that recognizes `head`.
pub fn detect(head: &str) -> Option<&'static dyn Importer> {
    all().iter().copied().find(|i| i.detect(head))
}

/// The importer for `format` when given, else the one that recognizes `head`.
pub fn choose(head: &str, format: Option<&str>) -> Result<&'static dyn Importer, ImportError> {
    match format {
        Some(name) => by_format(name).ok_or_else(|| ImportError::UnknownFormat(name.to_string())),
        None => detect(head).ok_or_else(|| match unsupported::looks_like(head) {
            Some(what) => ImportError::unsupported(what, head),
            None => ImportError::unrecognized(head),
        }),
    }
}

/// The result of [`import`].
#[derive(Debug, Clone)]
pub struct Imported {
    pub format: &'static str,
    pub info: ScanInfo,
    /// Results told apart from others with the same fingerprint ([`identity`]).
    pub refinements: Vec<Refinement>,
}

/// What [`import_with`] returns besides the findings it streamed.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub info: ScanInfo,
    /// Results told apart from others with the same fingerprint ([`identity`]).
    pub refinements: Vec<Refinement>,
}

/// Decodes `raw`, detects its format (or uses `format` when given) and streams its findings into
/// `sink`.
pub fn import(
    raw: impl Read,
    format: Option<&str>,
    sink: &mut Sink<'_>,
) -> Result<Imported, ImportError> {
    let peeked = input::peek(raw)?;
    let importer = choose(&peeked.head_text(), format)?;
    let mut reader = peeked.into_reader();
    let parsed = import_with(importer, &mut reader, sink)?;
    Ok(Imported {
        format: importer.format(),
        info: parsed.info,
        refinements: parsed.refinements,
    })
}

/// Runs `importer` on decoded input and finishes what it made ([`Finding::finish`],
/// [`ScanInfo::finish`]: NUL characters replaced, free text cut to the field limits; results
/// that share a fingerprint at distinct places told apart, [`identity`]), so every caller gets
/// the same bounded findings with the same identities from every format.
pub fn import_with(
    importer: &dyn Importer,
    input: &mut dyn Read,
    sink: &mut Sink<'_>,
) -> Result<Parsed, ImportError> {
    let mut ordinals = identity::Ordinals::default();
    let mut finishing = |mut finding: Finding| {
        finding.finish();
        ordinals.apply(&mut finding);
        sink(finding)
    };
    let mut info = importer.import(input, &mut finishing)?;
    info.finish();
    Ok(Parsed {
        info,
        refinements: ordinals.into_refinements(),
    })
}

/// Collects every finding of a report in memory: for tests and small files.
pub fn import_to_vec(
    raw: impl Read,
    format: Option<&str>,
) -> Result<(Imported, Vec<Finding>), ImportError> {
    let mut findings = Vec::new();
    let imported = import(raw, format, &mut |f| {
        findings.push(f);
        Ok(())
    })?;
    Ok((imported, findings))
}
