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
//!   `identity::trivy_parts`).
//! - tfsec SARIF: [`crate::tfsec::tfsec_fingerprint`], the same rule as tfsec's other formats.

use super::identity::{message_field, tool_fingerprints, trivy_parts};
use super::location::identity_path;
use super::message::{first_line, non_empty};
use super::raw::*;
use super::run::{Flavor, Run};
use super::severity::severity;
use super::status::tool_status;
use super::taxonomy::{cve_ids, cwe_ids_in, strings_of};
use crate::finding::{Component, Finding, Kind, Location, ScanInfo};
use crate::fingerprint::{fingerprint, normalize_code_line};
use serde_json::Value;

impl<'r> Run<'r> {
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
        // A column only counts on a line: it tells two results on one line apart.
        let column_start = region
            .and_then(|r| r.start_column)
            .filter(|c| *c > 0 && line_start.is_some());
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
            epss: None,
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
                column_start,
                ..Location::default()
            },
            tool_status: tool_status(result, result_kind),
        }))
    }
}
