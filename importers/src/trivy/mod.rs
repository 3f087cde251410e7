//! Trivy JSON (`trivy image|fs|rootfs|repo|config|sbom --format json`), its Kubernetes cluster
//! report (`ClusterName` with `Resources[]`, or the older `Vulnerabilities[]` /
//! `Misconfigurations[]` per resource), the legacy top-level list of results, and the literal
//! `null` that old Trivy wrote for a clean scan.
//!
//! Streaming: the report is walked with serde seeds, and each record is converted and handed to
//! the sink as soon as it is read, so a huge report is never held in memory as a whole. The
//! `Packages` inventory (an SBOM, often the bulk of a report) is skipped without being built.

mod normalize;
mod raw;

use crate::error::{ImportError, SinkError};
use crate::finding::{Finding, ScanInfo};
use crate::stream::EachElement;
use crate::{Importer, Sink};
use normalize::ResultContext;
use raw::*;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

pub use normalize::canonical_check_id;

const FORMAT: &str = "trivy-json";

pub struct TrivyJson;

impl Importer for TrivyJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        "trivy"
    }

    fn description(&self) -> &'static str {
        "Trivy JSON: image/fs/rootfs/repo/config/sbom (SchemaVersion 2), k8s cluster report, legacy list, null"
    }

    fn example(&self) -> &'static str {
        "trivy image --format json --output trivy.json registry.example.com/shop/api:4.2.0"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        if let Some(rest) = start.strip_prefix("null") {
            return rest.trim().is_empty();
        }
        if start.starts_with('{') {
            return (head.contains("\"SchemaVersion\"")
                && (head.contains("\"Results\"") || head.contains("\"ArtifactName\"")))
                || head.contains("\"ClusterName\"");
        }
        start.starts_with('[')
            && head.contains("\"Target\"")
            && (head.contains("\"Vulnerabilities\"") || head.contains("\"Misconfigurations\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut walker = Walker {
            sink,
            sink_error: None,
            info: ScanInfo {
                tool: "trivy".into(),
                ..ScanInfo::default()
            },
        };
        let reader = std::io::BufReader::with_capacity(256 * 1024, input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let outcome = ReportSeed {
            walker: &mut walker,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if let Some(err) = walker.sink_error.take() {
            return Err(ImportError::Sink(err));
        }
        outcome.map_err(|e| ImportError::from_json(FORMAT, e))?;
        Ok(walker.info)
    }
}

/// State shared by all seeds while walking one report.
struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    /// The sink's error, kept here because serde can only carry strings.
    sink_error: Option<SinkError>,
    info: ScanInfo,
}

impl Walker<'_, '_> {
    fn emit<E: de::Error>(
        &mut self,
        converted: Result<Option<Finding>, &'static str>,
    ) -> Result<(), E> {
        match converted {
            Ok(Some(finding)) => (self.sink)(finding).map_err(|err| {
                let msg = err.to_string();
                self.sink_error = Some(err);
                E::custom(msg)
            }),
            Ok(None) => Ok(()),
            Err(reason) => {
                self.info.warn(format!("skipped {reason}"));
                Ok(())
            }
        }
    }
}

/// The top level: `null`, a legacy list of results, or a report object.
struct ReportSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Trivy report object, a list of results, or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let base = ResultContext::default();
        ResultsSeed {
            walker: self.walker,
            base: &base,
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let base = ResultContext::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "ArtifactName" | "ClusterName" => self.walker.info.target = map.next_value()?,
                "CreatedAt" => self.walker.info.scanned_at = map.next_value()?,
                "Trivy" => {
                    let v: Option<RawTrivyVersion> = map.next_value()?;
                    self.walker.info.tool_version = v.and_then(|v| v.version);
                }
                "Results" => map.next_value_seed(ResultsSeed {
                    walker: &mut *self.walker,
                    base: &base,
                })?,
                // `Resources` (current k8s layout) and the older per-kind lists of resources.
                "Resources" | "Vulnerabilities" | "Misconfigurations" => {
                    map.next_value_seed(ResourcesSeed {
                        walker: &mut *self.walker,
                    })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A list of results (or null), each inheriting `base` (the Kubernetes resource, if any).
struct ResultsSeed<'w, 'c, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
    base: &'c ResultContext,
}

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Trivy results")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ResultSeed {
                walker: &mut *self.walker,
                base: self.base,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// A list of Kubernetes resources, each with its own results.
struct ResourcesSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for ResourcesSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ResourcesSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Kubernetes resources")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ResourceSeed {
                walker: &mut *self.walker,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One Kubernetes resource. Trivy writes `Namespace`, `Kind` and `Name` before `Results`, so the
/// resource is known when its results stream by.
struct ResourceSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for ResourceSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResourceSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes resource with Namespace, Kind, Name and Results")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut namespace, mut kind, mut name) = (None::<String>, None::<String>, None::<String>);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Namespace" => namespace = map.next_value()?,
                "Kind" => kind = map.next_value()?,
                "Name" => name = map.next_value()?,
                "Results" => {
                    let resource = [namespace.as_deref(), kind.as_deref(), name.as_deref()]
                        .into_iter()
                        .map(Option::unwrap_or_default)
                        .collect::<Vec<_>>()
                        .join("/");
                    let base = ResultContext {
                        resource: Some(resource),
                        ..ResultContext::default()
                    };
                    map.next_value_seed(ResultsSeed {
                        walker: &mut *self.walker,
                        base: &base,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// One result: a target with its vulnerabilities, misconfigurations, secrets and licenses.
struct ResultSeed<'w, 'c, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
    base: &'c ResultContext,
}

/// Records read before the result's `Target` (Trivy writes it first; other writers may not).
#[derive(Default)]
struct Pending {
    vulnerabilities: Vec<RawVulnerability>,
    misconfigurations: Vec<RawMisconfiguration>,
    secrets: Vec<RawSecret>,
    licenses: Vec<RawLicense>,
}

impl<'de> DeserializeSeed<'de> for ResultSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Trivy result object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut ctx = self.base.clone();
        let mut pending = Pending::default();
        let walker = self.walker;
        while let Some(key) = map.next_key::<String>()? {
            let ready = ctx.target.is_some();
            match key.as_str() {
                "Target" => ctx.target = map.next_value()?,
                "Class" => ctx.class = map.next_value()?,
                "Type" => ctx.result_type = map.next_value()?,
                "Vulnerabilities" => map.next_value_seed(records(
                    &mut *walker,
                    &ctx,
                    (!ready).then_some(&mut pending.vulnerabilities),
                    normalize::vulnerability,
                ))?,
                "Misconfigurations" => map.next_value_seed(records(
                    &mut *walker,
                    &ctx,
                    (!ready).then_some(&mut pending.misconfigurations),
                    normalize::misconfiguration,
                ))?,
                "Secrets" => map.next_value_seed(records(
                    &mut *walker,
                    &ctx,
                    (!ready).then_some(&mut pending.secrets),
                    normalize::secret,
                ))?,
                "Licenses" => map.next_value_seed(records(
                    &mut *walker,
                    &ctx,
                    (!ready).then_some(&mut pending.licenses),
                    normalize::license,
                ))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        for r in pending.vulnerabilities {
            walker.emit(normalize::vulnerability(r, &ctx))?;
        }
        for r in pending.misconfigurations {
            walker.emit(normalize::misconfiguration(r, &ctx))?;
        }
        for r in pending.secrets {
            walker.emit(normalize::secret(r, &ctx))?;
        }
        for r in pending.licenses {
            walker.emit(normalize::license(r, &ctx))?;
        }
        Ok(())
    }
}

type Converted = Result<Option<Finding>, &'static str>;

/// A list of records of one type: converted and emitted one by one, or kept in `pending` when
/// the result's target is not known yet.
fn records<'s, T>(
    walker: &'s mut Walker<'_, '_>,
    ctx: &'s ResultContext,
    mut pending: Option<&'s mut Vec<T>>,
    convert: fn(T, &ResultContext) -> Converted,
) -> EachElement<T, impl FnMut(T) -> Result<(), serde_json::Error> + 's> {
    EachElement::new("a list of Trivy records", move |record| {
        match pending.as_mut() {
            Some(list) => {
                list.push(record);
                Ok(())
            }
            None => walker.emit(convert(record, ctx)),
        }
    })
}
