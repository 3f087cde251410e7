//! CycloneDX JSON (1.4–1.6): `components` (nested ones too) and `metadata.component` are read
//! into a map of `bom-ref`s; `vulnerabilities` is streamed element by element.
//!
//! Order: a vulnerability is converted and handed on as it is read when the BOM's
//! `components` came before it (the order every tool we know writes, and the one the
//! specification lists). A BOM whose `vulnerabilities` come first has them held, converted to
//! their small records, until the document ends and its refs can be resolved.

use super::model::{Affected, Part, Parts, Rating, Vulnerability};
use super::{Start, Walk};
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::record::non_empty;
use crate::stream::{EachElement, EachField, Fields, read_json};
use crate::{Importer, Sink};
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess};
use std::io::Read;

const FORMAT: &str = "cyclonedx-json";

pub struct CycloneDxJson;

impl Importer for CycloneDxJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        super::TOOL
    }

    fn description(&self) -> &'static str {
        "CycloneDX 1.4–1.6 JSON BOM with `vulnerabilities` (a dependency scan: Trivy, Grype, Dependency-Track; VEX `analysis` kept as the tool's status)"
    }

    fn example(&self) -> &'static str {
        "trivy image --format cyclonedx --scanners vuln -o bom.cdx.json shop/api:4.2.0 (or grype shop/api:4.2.0 -o cyclonedx-json)"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && head.contains("\"bomFormat\"")
            && head.contains("CycloneDX")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let start = Start::read(input)?;
        let mut chained = start.and_rest(input);
        let mut walk = Walk::new(sink);
        let mut held = Held {
            walk: &mut walk,
            pending: Vec::new(),
            components_read: false,
        };
        read_json(FORMAT, &mut chained, &mut held, |held, de| {
            EachField::new("a CycloneDX BOM object", held).deserialize(de)
        })?;
        let pending = std::mem::take(&mut held.pending);
        for v in pending {
            walk.convert(&v)?;
        }
        if !walk.listed {
            return Err(start.refusal());
        }
        Ok(walk.info)
    }
}

/// The walk and the vulnerabilities held until the components are known.
struct Held<'w, 'a, 'b> {
    walk: &'w mut Walk<'a, 'b>,
    pending: Vec<Vulnerability>,
    components_read: bool,
}

impl crate::stream::HasEmitter for Held<'_, '_, '_> {
    fn sink_error(&mut self) -> Option<crate::error::SinkError> {
        self.walk.emitter.take_error()
    }
}

impl<'de> Fields<'de> for Held<'_, '_, '_> {
    fn value_of<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "components" => {
                let list: Option<Vec<RawComponent>> = map.next_value()?;
                for c in list.unwrap_or_default() {
                    c.register(&mut self.walk.parts);
                }
                self.components_read = true;
            }
            "metadata" => {
                let metadata: Option<RawMetadata> = map.next_value()?;
                if let Some(m) = metadata {
                    self.walk.info.scanned_at = non_empty(m.timestamp);
                    self.walk.info.tool_version = m.tools.and_then(tool_named);
                    if let Some(c) = m.component {
                        let part = c.part();
                        self.walk.info.target = match (&part.name, &part.version) {
                            (Some(n), Some(v)) => Some(format!("{n}@{v}")),
                            (n, _) => n.clone(),
                        };
                        c.register(&mut self.walk.parts);
                    }
                }
            }
            "vulnerabilities" => {
                self.walk.listed = true;
                let ready = self.components_read;
                let walk = &mut *self.walk;
                let pending = &mut self.pending;
                map.next_value_seed(EachElement::new(
                    "a list of CycloneDX vulnerabilities",
                    |raw: RawVulnerability| {
                        let v = raw.into_model();
                        if ready {
                            walk.emit(&v)
                        } else {
                            pending.push(v);
                            Ok(())
                        }
                    },
                ))?;
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `name version` of the first tool, in the 1.4 list or the 1.5 object of components.
fn tool_named(tools: serde_json::Value) -> Option<String> {
    let first = match &tools {
        serde_json::Value::Array(list) => list.first(),
        serde_json::Value::Object(o) => o
            .get("components")
            .and_then(|c| c.as_array())
            .and_then(|l| l.first()),
        _ => None,
    }?;
    let name = first.get("name").and_then(|n| n.as_str())?;
    Some(match first.get("version").and_then(|v| v.as_str()) {
        Some(v) => format!("{name} {v}"),
        None => name.to_string(),
    })
}

#[derive(Debug, Default, Deserialize)]
struct RawMetadata {
    timestamp: Option<String>,
    tools: Option<serde_json::Value>,
    component: Option<RawComponent>,
}

#[derive(Debug, Default, Deserialize)]
struct RawComponent {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    components: Option<Vec<RawComponent>>,
}

impl RawComponent {
    fn part(&self) -> Part {
        Part {
            name: non_empty(self.name.clone()),
            version: non_empty(self.version.clone()),
            purl: non_empty(self.purl.clone()),
        }
    }

    /// This component and its nested ones, under their refs.
    fn register(self, parts: &mut Parts) {
        let part = self.part();
        parts.insert(self.bom_ref, part);
        for c in self.components.unwrap_or_default() {
            c.register(parts);
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct RawSource {
    name: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawReference {
    id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawRating {
    source: Option<RawSource>,
    score: Option<f64>,
    severity: Option<String>,
    method: Option<String>,
    vector: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawAdvisory {
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawAnalysis {
    state: Option<String>,
    justification: Option<String>,
    response: Option<Vec<String>>,
    detail: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawVersion {
    version: Option<String>,
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawAffects {
    #[serde(rename = "ref")]
    bom_ref: Option<String>,
    versions: Option<Vec<RawVersion>>,
}

#[derive(Debug, Default, Deserialize)]
struct RawVulnerability {
    id: Option<String>,
    source: Option<RawSource>,
    references: Option<Vec<RawReference>>,
    ratings: Option<Vec<RawRating>>,
    cwes: Option<Vec<u32>>,
    description: Option<String>,
    detail: Option<String>,
    recommendation: Option<String>,
    workaround: Option<String>,
    advisories: Option<Vec<RawAdvisory>>,
    published: Option<String>,
    analysis: Option<RawAnalysis>,
    affects: Option<Vec<RawAffects>>,
}

impl RawVulnerability {
    fn into_model(self) -> Vulnerability {
        let source = self.source.unwrap_or_default();
        let analysis = self.analysis.unwrap_or_default();
        Vulnerability {
            id: self.id,
            source_name: source.name,
            source_url: source.url,
            aliases: self
                .references
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| non_empty(r.id))
                .collect(),
            ratings: self
                .ratings
                .unwrap_or_default()
                .into_iter()
                .map(|r| Rating {
                    source: r.source.and_then(|s| non_empty(s.name)),
                    score: r.score,
                    severity: non_empty(r.severity),
                    method: non_empty(r.method),
                    vector: non_empty(r.vector),
                })
                .collect(),
            cwes: self
                .cwes
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.to_string())
                .collect(),
            description: self.description,
            detail: self.detail,
            recommendation: self.recommendation,
            workaround: self.workaround,
            advisories: self
                .advisories
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| non_empty(a.url))
                .collect(),
            published: self.published,
            state: analysis.state,
            justification: analysis.justification,
            responses: analysis.response.unwrap_or_default(),
            analysis_detail: analysis.detail,
            affects: self
                .affects
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| {
                    Some(Affected {
                        bom_ref: non_empty(a.bom_ref)?,
                        unaffected: a
                            .versions
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|v| v.status.as_deref() == Some("unaffected"))
                            .filter_map(|v| non_empty(v.version))
                            .collect(),
                        enclosing: None,
                    })
                })
                .collect(),
        }
    }
}
