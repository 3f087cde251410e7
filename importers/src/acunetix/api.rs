//! Acunetix on-premises REST API (v11+) vulnerability list, saved as JSON: one page
//! `{"vulnerabilities": [...], "pagination": {...}}` of `GET /api/v1/scans/{scan}/results/
//! {result}/vulnerabilities` (or `GET /api/v1/vulnerabilities`), or a list of such pages.
//!
//! No real sample was found (research/formats.md §2.4): the field names come from API clients.
//! Detail fields (`description`, `impact`, `recommendation`, `details`, `references`, `cvss3`)
//! are read when a saved page carries them.

use super::{HtmlText, Merger, TOOL, non_empty};
use crate::error::{ImportError, Position};
use crate::finding::{Component, Cvss, Finding, Kind, Location, ScanInfo, Severity};
use crate::{Importer, Sink, input};
use serde::Deserialize;
use std::io::Read;

const FORMAT: &str = "acunetix-api-json";

pub struct AcunetixApiJson;

impl Importer for AcunetixApiJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Acunetix on-premises API vulnerability list (vulnerabilities[] with vt_id, affects_url; one page or a list of pages)"
    }

    fn example(&self) -> &'static str {
        "curl -k -H \"X-Auth: $ACUNETIX_KEY\" https://acunetix:3443/api/v1/vulnerabilities > acunetix.json"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        (start.starts_with('{') || start.starts_with('['))
            && head.contains("\"vulnerabilities\"")
            && (head.contains("\"vt_id\"") || head.contains("\"pagination\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let text = input::read_to_string(input, FORMAT)?;
        let pages: Vec<RawPage> = if text.trim_start().starts_with('[') {
            serde_json::from_str(&text)
        } else {
            serde_json::from_str::<RawPage>(&text).map(|p| vec![p])
        }
        .map_err(|e| ImportError::from_json(FORMAT, e))?;
        let mut info = ScanInfo {
            tool: TOOL.into(),
            ..ScanInfo::default()
        };
        let mut merger = Merger::default();
        let mut html = HtmlText::default();
        let mut seen_list = false;
        for page in pages {
            let Some(vulns) = page.vulnerabilities else {
                continue;
            };
            seen_list = true;
            for (n, v) in vulns.into_iter().enumerate() {
                match convert(v, &mut html) {
                    Some((finding, details)) => {
                        if info.target.is_none() {
                            info.target = finding.location.target.clone();
                        }
                        merger.add(finding, details);
                    }
                    None => info.warn(format!(
                        "skipped vulnerabilities[{n}] without vt_id or vt_name"
                    )),
                }
            }
        }
        if !seen_list {
            return Err(ImportError::malformed(
                FORMAT,
                Position::default(),
                "no \"vulnerabilities\" list",
            ));
        }
        merger.flush(sink).map_err(ImportError::Sink)?;
        Ok(info)
    }
}

fn convert(v: RawVuln, html: &mut HtmlText) -> Option<(Finding, Option<String>)> {
    let name = non_empty(v.vt_name);
    let rule_id = non_empty(v.vt_id).or_else(|| name.clone())?;
    let title = name.unwrap_or_else(|| rule_id.clone());
    let url = non_empty(v.affects_url);
    let path = super::url_path(url.as_deref().unwrap_or("/"));
    let parameter = non_empty(v.affects_detail);
    let fingerprint = super::web_fingerprint(&rule_id, &path, parameter.as_deref());
    let mut text = |value: Option<String>| html.text(value.as_deref());
    let mut description: Vec<String> = Vec::new();
    description.extend(text(v.description));
    description.extend(text(v.impact).map(|i| format!("Impact: {i}")));
    let (severity, severity_original) = match v.severity {
        Some(level) => (super::severity_from_level(level), Some(level.to_string())),
        None => (Severity::Unknown, None),
    };
    let tags = v.tags.unwrap_or_default();
    let cwe: Vec<String> = tags.iter().filter_map(|t| super::cwe_id(t)).collect();
    let mut cvss = Vec::new();
    if let Some(vector) = non_empty(v.cvss3)
        && let Some(version) = super::cvss_version(&vector)
    {
        cvss.push(Cvss {
            version,
            vector: Some(vector),
            score: v.cvss_score,
            source: None,
        });
    }
    let references = v
        .references
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| non_empty(r.href))
        .collect();
    let finding = Finding {
        epss: None,
        fingerprint,
        kind: Kind::Web,
        category: None,
        rule_id,
        title,
        description: (!description.is_empty()).then(|| description.join("\n\n")),
        remediation: text(v.recommendation),
        severity,
        severity_original,
        cvss,
        cwe,
        aliases: Vec::new(),
        references,
        component: Component::default(),
        location: Location {
            target: url.as_deref().and_then(super::host_of),
            url,
            parameter,
            ..Location::default()
        },
        tool_status: non_empty(v.status),
    };
    Some((finding, text(v.details)))
}

#[derive(Deserialize)]
struct RawPage {
    vulnerabilities: Option<Vec<RawVuln>>,
}

#[derive(Deserialize)]
struct RawVuln {
    vt_id: Option<String>,
    vt_name: Option<String>,
    severity: Option<i64>,
    status: Option<String>,
    affects_url: Option<String>,
    affects_detail: Option<String>,
    tags: Option<Vec<String>>,
    description: Option<String>,
    impact: Option<String>,
    recommendation: Option<String>,
    details: Option<String>,
    references: Option<Vec<RawReference>>,
    cvss3: Option<String>,
    cvss_score: Option<f64>,
}

#[derive(Deserialize)]
struct RawReference {
    href: Option<String>,
}
