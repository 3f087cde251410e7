//! OWASP ZAP: the traditional XML report (`<OWASPZAPReport>`, with or without requests and
//! responses) and the traditional JSON report (`{"@programName": "ZAP", "site": [...]}`, with
//! or without them). Both list, per site, alerts (a scan rule's finding of one name and risk)
//! each with its instances (the requests it was seen in).
//!
//! One finding per alert per site per URL path per method per parameter: an alert's instances
//! that share these (the same page with another query string) are merged into one finding whose
//! description lists each instance. DefectDojo keeps one finding per alert with every instance
//! as an endpoint, so a fix on one page is invisible until all are fixed.
//!
//! Streamed: an alert is read whole (its solution, references and CWE follow its instances),
//! made into findings and handed on before the next is read; nothing else is held. Requests and
//! responses (the "plus" variants) are read past, never copied.

mod json;
mod xml;

pub use json::ZapJson;
pub use xml::ZapXml;

use crate::Sink;
use crate::error::SinkError;
use crate::finding::{Component, Finding, Kind, Location, ScanInfo, Severity};
use crate::fingerprint::fingerprint;
use crate::web::{self, HtmlText, Merger};
use serde::Deserialize;

/// Tool family of ZAP's formats.
pub const TOOL: &str = "zap";

/// One alert, as both formats give it; every field optional.
#[derive(Debug, Default, Deserialize)]
struct Alert {
    #[serde(default, deserialize_with = "text")]
    pluginid: Option<String>,
    #[serde(default, rename = "alertRef", deserialize_with = "text")]
    alert_ref: Option<String>,
    #[serde(default, deserialize_with = "text")]
    alert: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    riskcode: Option<String>,
    #[serde(default, deserialize_with = "text")]
    confidence: Option<String>,
    #[serde(default, deserialize_with = "text")]
    riskdesc: Option<String>,
    #[serde(default, deserialize_with = "text")]
    desc: Option<String>,
    #[serde(default, deserialize_with = "instances")]
    instances: Vec<Instance>,
    #[serde(default, deserialize_with = "text")]
    solution: Option<String>,
    #[serde(default, deserialize_with = "text")]
    otherinfo: Option<String>,
    #[serde(default, deserialize_with = "text")]
    reference: Option<String>,
    #[serde(default, deserialize_with = "text")]
    cweid: Option<String>,
    /// Older ZAP versions wrote one instance's fields on the alert itself.
    #[serde(default, deserialize_with = "text")]
    uri: Option<String>,
    #[serde(default, deserialize_with = "text")]
    method: Option<String>,
    #[serde(default, deserialize_with = "text")]
    param: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attack: Option<String>,
    #[serde(default, deserialize_with = "text")]
    evidence: Option<String>,
}

/// Where an alert was seen: one request.
#[derive(Debug, Default, Deserialize)]
struct Instance {
    #[serde(default, deserialize_with = "text")]
    uri: Option<String>,
    #[serde(default, deserialize_with = "text")]
    method: Option<String>,
    #[serde(default, deserialize_with = "text")]
    param: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attack: Option<String>,
    #[serde(default, deserialize_with = "text")]
    evidence: Option<String>,
    #[serde(default, deserialize_with = "text")]
    otherinfo: Option<String>,
}

impl Alert {
    /// The alert's instances; the one older ZAP versions wrote on the alert itself; or, with
    /// neither, one without a request (the finding is then at the site).
    fn take_instances(&mut self) -> Vec<Instance> {
        let mut instances = std::mem::take(&mut self.instances);
        if instances.is_empty() {
            instances.push(Instance {
                uri: self.uri.take(),
                method: self.method.take(),
                param: self.param.take(),
                attack: self.attack.take(),
                evidence: self.evidence.take(),
                otherinfo: None,
            });
        }
        instances
    }
}

/// A JSON string or number as text (ZAP writes numbers as strings; other writers may not);
/// `null` and blank strings as `None`. A visitor rather than an untagged enum, which would
/// buffer and copy every value.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Text;

    impl serde::de::Visitor<'_> for Text {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string, a number or null")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            Ok((!v.is_empty()).then(|| v.to_string()))
        }

        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
            if v.trim().len() == v.len() {
                Ok((!v.is_empty()).then_some(v))
            } else {
                self.visit_str(&v)
            }
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    d.deserialize_any(Text)
}

/// `instances`, or `null` as none.
fn instances<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Instance>, D::Error> {
    Ok(Option::<Vec<Instance>>::deserialize(d)?.unwrap_or_default())
}

/// Severity by the one table (PRODUCT.md): `riskcode` 3 → high, 2 → medium, 1 → low,
/// 0 → info.
fn severity(riskcode: Option<&str>) -> Severity {
    match riskcode.map(str::trim) {
        Some("3") => Severity::High,
        Some("2") => Severity::Medium,
        Some("1") => Severity::Low,
        Some("0") => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// ZAP's `confidence` as the tool's status: 0 is a user's "false positive", 4 a user's
/// "confirmed", 1-3 how sure the scan rule is.
fn status(confidence: Option<&str>) -> Option<String> {
    let status = match confidence?.trim() {
        "0" => "false_positive",
        "1" => "confidence_low",
        "2" => "confidence_medium",
        "3" => "confidence_high",
        "4" => "confirmed",
        _ => return None,
    };
    Some(status.to_string())
}

/// What both formats' readers keep while walking one report.
struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    info: ScanInfo,
    html: HtmlText,
    /// Alerts read so far, for warnings.
    alerts: usize,
}

impl<'a, 'b> Walker<'a, 'b> {
    fn new(sink: &'a mut Sink<'b>) -> Self {
        Walker {
            sink,
            info: ScanInfo {
                tool: TOOL.into(),
                ..ScanInfo::default()
            },
            html: HtmlText::default(),
            alerts: 0,
        }
    }

    /// The site a report names (`<site name=...>`, `"@name"`): the scan's target when it is
    /// the first.
    fn site(&mut self, name: Option<&str>) -> Option<String> {
        let origin = name.and_then(web::origin);
        if self.info.target.is_none() {
            self.info.target.clone_from(&origin);
        }
        origin
    }

    /// `@generated` (`Tue, 12 May 2020 20:57:30`) as ISO 8601 without offset, unless the
    /// report's `created` (ISO 8601 with zone, ZAP 2.16+) is known.
    fn generated(&mut self, text: &str) {
        if self.info.scanned_at.is_some() {
            return;
        }
        let fields: Vec<&str> = text.split_whitespace().collect();
        if let [_, day, month, year, time] = fields.as_slice() {
            self.info.scanned_at = web::english_date(day, month, year, time);
        }
    }

    /// Makes an alert's findings and hands them on.
    fn alert(&mut self, mut alert: Alert, site: Option<&str>) -> Result<(), SinkError> {
        self.alerts += 1;
        let Some(rule_id) = alert
            .alert_ref
            .clone()
            .or_else(|| alert.pluginid.clone())
            .or_else(|| alert.name.clone())
            .or_else(|| alert.alert.clone())
        else {
            self.info.warn(format!(
                "skipped alert #{} without pluginid or name",
                self.alerts
            ));
            return Ok(());
        };
        let html = &mut self.html;
        let title = alert
            .name
            .clone()
            .or_else(|| alert.alert.clone())
            .unwrap_or_else(|| rule_id.clone());
        let mut description: Vec<String> = Vec::new();
        description.extend(html.text(alert.desc.as_deref()));
        description.extend(
            html.text(alert.otherinfo.as_deref())
                .map(|o| format!("Other info: {o}")),
        );
        let description = (!description.is_empty()).then(|| description.join("\n\n"));
        let remediation = html.text(alert.solution.as_deref());
        let references = html
            .text(alert.reference.as_deref())
            .map(|t| links(&t))
            .unwrap_or_default();
        let cwe = alert
            .cweid
            .as_deref()
            .and_then(web::cwe_id)
            .filter(|c| c != "CWE-0")
            .into_iter()
            .collect::<Vec<_>>();
        let mut aliases = Vec::new();
        for text in [&alert.reference, &alert.otherinfo, &alert.name] {
            for id in text.as_deref().map(web::cve_ids).unwrap_or_default() {
                if !aliases.contains(&id) {
                    aliases.push(id);
                }
            }
        }
        let severity_original = alert
            .riskdesc
            .as_deref()
            .map(|r| r.split(" (").next().unwrap_or(r).trim().to_string())
            .filter(|r| !r.is_empty())
            .or_else(|| alert.riskcode.clone());
        let template = Finding {
            epss: None,
            fingerprint: String::new(),
            kind: Kind::Web,
            category: None,
            rule_id,
            title,
            description,
            remediation,
            severity: severity(alert.riskcode.as_deref()),
            severity_original,
            cvss: Vec::new(),
            cwe,
            aliases,
            references,
            component: Component::default(),
            location: Location::default(),
            tool_status: status(alert.confidence.as_deref()),
        };
        let mut merger = Merger::default();
        for instance in alert.take_instances() {
            let (finding, details) = located(&template, instance, site);
            merger.add(finding, details);
        }
        merger.flush(self.sink)
    }
}

/// The finding of one instance: `template` (the alert's) placed at the instance's request,
/// and the instance's line for the merged description.
fn located(
    template: &Finding,
    instance: Instance,
    site: Option<&str>,
) -> (Finding, Option<String>) {
    let uri = instance.uri.or_else(|| site.map(str::to_string));
    let origin = uri
        .as_deref()
        .and_then(web::origin)
        .or_else(|| site.map(str::to_string));
    let path = web::url_path(uri.as_deref().unwrap_or("/"));
    let method = instance
        .method
        .map(|m| m.to_ascii_uppercase())
        .unwrap_or_default();
    let param = instance.param.unwrap_or_default();
    let mut finding = template.clone();
    finding.fingerprint = fingerprint(
        TOOL,
        Kind::Web,
        &template.rule_id,
        &[
            origin.as_deref().unwrap_or_default(),
            &path,
            &method,
            &param,
        ],
    );
    // The instance's lines, written into one string.
    let mut lines = String::new();
    if let Some(uri) = uri.as_deref() {
        if !method.is_empty() {
            lines.push_str(&method);
            lines.push(' ');
        }
        lines.push_str(uri);
    }
    push_line(&mut lines, "Parameter: ", Some(&param));
    push_line(&mut lines, "Attack: ", instance.attack.as_deref());
    push_line(&mut lines, "Evidence: ", instance.evidence.as_deref());
    push_line(&mut lines, "Other info: ", instance.otherinfo.as_deref());
    finding.location = Location {
        target: origin,
        url: uri,
        parameter: (!param.is_empty()).then_some(param),
        ..Location::default()
    };
    (finding, (!lines.is_empty()).then_some(lines))
}

/// Appends `label` and `value` as a line of their own, unless `value` is empty.
fn push_line(out: &mut String, label: &str, value: Option<&str>) {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return;
    };
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(label);
    out.push_str(value);
}

/// The links in ZAP's `reference` text (one URL per line or paragraph), once each.
fn links(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if (word.starts_with("http://") || word.starts_with("https://"))
            && !out.iter().any(|l| l == word)
        {
            out.push(word.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risks_and_confidences() {
        assert_eq!(severity(Some("3")), Severity::High);
        assert_eq!(severity(Some("0")), Severity::Info);
        assert_eq!(severity(Some("9")), Severity::Unknown);
        assert_eq!(severity(None), Severity::Unknown);
        assert_eq!(status(Some("0")).as_deref(), Some("false_positive"));
        assert_eq!(status(Some("2")).as_deref(), Some("confidence_medium"));
        assert_eq!(status(Some("x")), None);
    }

    #[test]
    fn reference_links() {
        assert_eq!(
            links("https://a.example/x\nhttp://b.example https://a.example/x not-a-link"),
            ["https://a.example/x", "http://b.example"]
        );
    }
}
