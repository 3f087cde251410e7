//! Trivy Operator's reports, as `kubectl get <kind> -o json` writes them: one resource, a
//! `List` of them (`items`), a JSON list of resources, or an object keyed by the resources'
//! plural names (`vulnerabilityreports.aquasecurity.github.io: [...]`, as some exporters
//! write). Read: VulnerabilityReport, ConfigAuditReport, RbacAssessmentReport,
//! InfraAssessmentReport (and their Cluster kinds), ExposedSecretReport and
//! ClusterComplianceReport; SBOM reports hold no findings and are read past.
//!
//! Findings: each vulnerability, each failed check (a check that `success`fully passed is not
//! a problem), each secret, each failed compliance check (normalize.rs says what identifies
//! them). Trivy Operator keeps no status of its own on a finding.
//!
//! Streaming: the lists of resources are read one resource at a time; a resource is read whole
//! before it is converted (its kind may come after its report).

mod normalize;
mod raw;

use crate::error::ImportError;
use crate::finding::{Finding, ScanInfo};
use crate::stream::JsonImport;
use crate::{Importer, Sink};
use normalize::Workload;
use raw::{RawComplianceStatus, RawMetadata, RawReport};
use serde::de::{
    DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use std::fmt;
use std::io::Read;

pub use normalize::TOOL;

const FORMAT: &str = "trivy-operator-json";

pub struct TrivyOperatorJson;

impl Importer for TrivyOperatorJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Trivy Operator resources (vulnerability, config audit, RBAC/infra assessment, exposed secret, cluster compliance reports): one, a List, or many"
    }

    fn example(&self) -> &'static str {
        "kubectl get vulnerabilityreports,configauditreports,exposedsecretreports -A -o json > trivy-operator.json"
    }

    fn detect(&self, head: &str) -> bool {
        // The resources' `apiVersion` value, or the plural names keying an export; never a
        // link to Aqua's documentation, which other tools' reports hold.
        head.trim_start().starts_with(['{', '['])
            && (head.contains("\"aquasecurity.github.io/v1")
                || head.contains(".aquasecurity.github.io\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        JsonImport::new(sink, TOOL).run(FORMAT, input, |import, de| {
            let mut resources = 0usize;
            let mut first_target = None;
            EnvelopeSeed {
                import: &mut *import,
                resources: &mut resources,
                first_target: &mut first_target,
            }
            .deserialize(de)?;
            if resources == 1 {
                import.info.target = first_target;
            }
            Ok(())
        })
    }
}

/// A resource, a `List`, a list of either, or an object of lists keyed by plural names.
struct EnvelopeSeed<'s, 'a, 'b> {
    import: &'s mut JsonImport<'a, 'b>,
    resources: &'s mut usize,
    first_target: &'s mut Option<String>,
}

impl<'a, 'b> EnvelopeSeed<'_, 'a, 'b> {
    fn inner(&mut self) -> EnvelopeSeed<'_, 'a, 'b> {
        EnvelopeSeed {
            import: &mut *self.import,
            resources: &mut *self.resources,
            first_target: &mut *self.first_target,
        }
    }
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EnvelopeSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Trivy Operator resource, a List of them, or a list of them")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self.inner())?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut kind: Option<String> = None;
        let mut metadata = RawMetadata::default();
        let mut report: Option<RawReport> = None;
        let mut status: Option<RawComplianceStatus> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "items" => map.next_value_seed(self.inner())?,
                plural if plural.ends_with(".aquasecurity.github.io") => {
                    map.next_value_seed(self.inner())?
                }
                "kind" => kind = map.next_value()?,
                "metadata" => {
                    metadata = map.next_value::<Option<RawMetadata>>()?.unwrap_or_default()
                }
                "report" => report = map.next_value()?,
                "status" => status = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(kind) = kind else {
            return if report.is_some() || status.is_some() {
                Err(A::Error::missing_field("kind"))
            } else {
                Ok(())
            };
        };
        if kind == "List" {
            return Ok(());
        }
        *self.resources += 1;
        let info = &mut self.import.info;
        if let Some(r) = &report {
            if info.tool_version.is_none() {
                info.tool_version = r.scanner.as_ref().and_then(|s| s.version.clone());
            }
            if info.scanned_at.is_none() {
                info.scanned_at = r.update_timestamp.clone();
            }
        }
        let workload = Workload::new(&kind, &metadata, report.as_ref());
        if self.first_target.is_none() {
            *self.first_target = Some(
                workload
                    .image
                    .clone()
                    .unwrap_or_else(|| workload.display.clone()),
            );
        }
        let converted = convert(&kind, &workload, report, status);
        for finding in converted {
            self.import.emit::<A::Error>(finding)?;
        }
        Ok(())
    }
}

fn convert(
    kind: &str,
    workload: &Workload,
    report: Option<RawReport>,
    status: Option<RawComplianceStatus>,
) -> Vec<Result<Finding, String>> {
    let report = report.unwrap_or_default();
    match kind.strip_prefix("Cluster").unwrap_or(kind) {
        "VulnerabilityReport" => report
            .vulnerabilities
            .into_iter()
            .map(|v| normalize::vulnerability(v, workload))
            .collect(),
        "ConfigAuditReport" | "RbacAssessmentReport" | "InfraAssessmentReport" => report
            .checks
            .into_iter()
            .filter_map(|c| normalize::check(c, workload).transpose())
            .collect(),
        "ExposedSecretReport" => report
            .secrets
            .into_iter()
            .map(|s| normalize::secret(s, workload))
            .collect(),
        "ComplianceReport" => normalize::compliance(status.unwrap_or_default()),
        "SbomReport" => Vec::new(),
        _ => vec![Err(format!(
            "a resource of kind {kind}, which holds no findings we read"
        ))],
    }
}
