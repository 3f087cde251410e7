//! Acunetix 360 (Invicti Enterprise family) JSON: `{"Generated", "Target": {...},
//! "Vulnerabilities": [...]}`. `HttpResponse` (the bulk of a report) is skipped unread; the
//! request is read only for the names of the vulnerable parameters.

use super::{HtmlText, Merger, TOOL, non_empty};
use crate::error::ImportError;
use crate::finding::{Component, Cvss, Finding, Kind, Location, ScanInfo, Severity};
use crate::{Importer, Sink, input};
use serde::Deserialize;
use std::io::Read;

const FORMAT: &str = "acunetix360-json";

pub struct Acunetix360Json;

impl Importer for Acunetix360Json {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Acunetix 360 / Invicti Enterprise JSON report (Generated, Target, Vulnerabilities[] with LookupId)"
    }

    fn example(&self) -> &'static str {
        "Acunetix 360 / Invicti: scan report > Export > JSON"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && head.contains("\"Vulnerabilities\"")
            && !head.contains("\"SchemaVersion\"")
            && (head.contains("\"LookupId\"")
                || (head.contains("\"Generated\"") && head.contains("\"ScanId\"")))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let text = input::read_to_string(input, FORMAT)?;
        let report: RawReport =
            serde_json::from_str(&text).map_err(|e| ImportError::from_json(FORMAT, e))?;
        let target = report.target.unwrap_or_default();
        let mut info = ScanInfo {
            tool: TOOL.into(),
            target: non_empty(target.url),
            scanned_at: target.initiated.as_deref().and_then(super::day_first_date),
            ..ScanInfo::default()
        };
        let scan_host = info.target.as_deref().and_then(super::host_of);
        let mut merger = Merger::default();
        let mut html = HtmlText::default();
        for (n, vuln) in report
            .vulnerabilities
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            match convert(vuln, scan_host.as_deref(), &mut html) {
                Some((finding, details)) => merger.add(finding, details),
                None => info.warn(format!("skipped Vulnerabilities[{n}] without Type or Name")),
            }
        }
        merger.flush(sink).map_err(ImportError::Sink)?;
        Ok(info)
    }
}

fn convert(
    v: RawVuln,
    scan_host: Option<&str>,
    html: &mut HtmlText,
) -> Option<(Finding, Option<String>)> {
    let name = non_empty(v.name);
    let rule_id = non_empty(v.vuln_type).or_else(|| name.clone())?;
    let title = name.unwrap_or_else(|| rule_id.clone());
    let url = non_empty(v.url);
    let path = super::url_path(url.as_deref().unwrap_or("/"));
    let mut params: Vec<String> = v
        .http_request
        .and_then(|r| r.parameters)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.vulnerable == Some(true))
        .filter_map(|p| non_empty(p.name))
        .collect();
    params.sort();
    params.dedup();
    let parameter = (!params.is_empty()).then(|| params.join(","));
    let fingerprint = super::web_fingerprint(&rule_id, &path, parameter.as_deref());

    let mut text = |value: Option<String>| html.text(value.as_deref());
    let mut description: Vec<String> = Vec::new();
    description.extend(text(v.description));
    description.extend(text(v.impact).map(|i| format!("Impact: {i}")));
    let mut remediation: Vec<String> = Vec::new();
    remediation.extend(text(v.remedial_actions));
    remediation.extend(text(v.remedial_procedure));
    let mut details: Vec<String> = v
        .extra_information
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| {
            let name = non_empty(e.name)?;
            Some(format!(
                "{name}: {}",
                e.value.map(StrOrNum::into_string).unwrap_or_default()
            ))
        })
        .collect();
    details.extend(text(v.proof_of_concept));

    let classification = v.classification.unwrap_or_default();
    let mut cvss = Vec::new();
    for raw in [classification.cvss31, classification.cvss]
        .into_iter()
        .flatten()
    {
        let Some(vector) = non_empty(raw.vector) else {
            continue;
        };
        let Some(version) = super::cvss_version(&vector) else {
            continue;
        };
        if cvss
            .iter()
            .any(|c: &Cvss| c.vector.as_deref() == Some(&vector))
        {
            continue;
        }
        cvss.push(Cvss {
            version,
            vector: Some(vector),
            score: raw
                .base_score
                .and_then(|s| s.value)
                .and_then(|v| v.into_string().trim().parse().ok()),
            source: None,
        });
    }
    let cwe: Vec<String> = classification
        .cwe
        .map(StrOrNum::into_string)
        .unwrap_or_default()
        .split(',')
        .filter_map(super::cwe_id)
        .collect();
    let mut references = Vec::new();
    for html in [v.external_references, v.remedy_references]
        .into_iter()
        .flatten()
    {
        for link in super::hrefs(&html) {
            if !references.contains(&link) {
                references.push(link);
            }
        }
    }
    let severity_original = non_empty(v.severity);
    let finding = Finding {
        epss: None,
        fingerprint,
        kind: Kind::Web,
        category: None,
        rule_id,
        title,
        description: (!description.is_empty()).then(|| description.join("\n\n")),
        remediation: (!remediation.is_empty()).then(|| remediation.join("\n\n")),
        severity: severity_original
            .as_deref()
            .map_or(Severity::Unknown, super::severity),
        severity_original,
        cvss,
        cwe,
        aliases: Vec::new(),
        references,
        component: Component::default(),
        location: Location {
            target: url
                .as_deref()
                .and_then(super::host_of)
                .or_else(|| scan_host.map(str::to_string)),
            url,
            parameter,
            ..Location::default()
        },
        tool_status: non_empty(v.state),
    };
    Some((finding, (!details.is_empty()).then(|| details.join("\n"))))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawReport {
    target: Option<RawTarget>,
    vulnerabilities: Option<Vec<RawVuln>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RawTarget {
    url: Option<String>,
    initiated: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawVuln {
    name: Option<String>,
    #[serde(rename = "Type")]
    vuln_type: Option<String>,
    url: Option<String>,
    severity: Option<String>,
    state: Option<String>,
    classification: Option<RawClassification>,
    description: Option<String>,
    impact: Option<String>,
    remedial_actions: Option<String>,
    remedial_procedure: Option<String>,
    external_references: Option<String>,
    remedy_references: Option<String>,
    proof_of_concept: Option<String>,
    extra_information: Option<Vec<RawExtra>>,
    http_request: Option<RawRequest>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RawClassification {
    cwe: Option<StrOrNum>,
    cvss: Option<RawCvss>,
    cvss31: Option<RawCvss>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawCvss {
    vector: Option<String>,
    base_score: Option<RawScore>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawScore {
    value: Option<StrOrNum>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawExtra {
    name: Option<String>,
    value: Option<StrOrNum>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawRequest {
    parameters: Option<Vec<RawParameter>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawParameter {
    name: Option<String>,
    vulnerable: Option<bool>,
}

/// A value the tool writes as a string in one version and a number in another (`Cwe`,
/// `BaseScore.Value`).
#[derive(Deserialize)]
#[serde(untagged)]
enum StrOrNum {
    Str(String),
    Num(serde_json::Number),
    Bool(bool),
}

impl StrOrNum {
    fn into_string(self) -> String {
        match self {
            StrOrNum::Str(s) => s,
            StrOrNum::Num(n) => n.to_string(),
            StrOrNum::Bool(b) => b.to_string(),
        }
    }
}
