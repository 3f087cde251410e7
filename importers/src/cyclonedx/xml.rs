//! CycloneDX XML: `<bom>` with `components` (nested ones too) and `metadata/component`, and its
//! vulnerabilities, in the 1.4–1.6 `vulnerabilities` element or in the legacy vulnerability
//! extension (`http://cyclonedx.org/schema/ext/vulnerability/1.0`, a `v:vulnerabilities` inside
//! each component or at the root). Elements are matched by local name.
//!
//! Streaming, with the strict reader of `crate::xml` (no entity expanded, depth bounded): the
//! schema puts `components` before `vulnerabilities`, so each vulnerability is converted and
//! handed on as soon as it is read; a legacy vulnerability affects the component it is written
//! in.

use super::model::{Affected, Part, Rating, Vulnerability};
use super::{Start, Walk};
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::record::non_empty;
use crate::xml::{Item, XmlReader};
use crate::{Importer, Sink};
use quick_xml::events::BytesStart;
use std::io::Read;

const FORMAT: &str = "cyclonedx-xml";

pub struct CycloneDxXml;

impl Importer for CycloneDxXml {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        super::TOOL
    }

    fn description(&self) -> &'static str {
        "CycloneDX XML BOM with vulnerabilities (1.4–1.6 `vulnerabilities`, and the 1.0–1.3 vulnerability extension Grype wrote)"
    }

    fn example(&self) -> &'static str {
        "grype shop/api:4.2.0 -o cyclonedx-xml > bom.cdx.xml"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('<') && head.contains("cyclonedx.org/schema/bom")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let start = Start::read(input)?;
        let mut input = start.and_rest(input);
        let mut walk = Walk::new(sink);
        let mut xml = XmlReader::new(&mut input, FORMAT);
        let (root, empty) = match xml.next()? {
            Item::Start { element, empty } => (local(&element), empty),
            _ => return Err(xml.error("no root element")),
        };
        if root != "bom" {
            return Err(xml.error(format!("the root element is <{root}>, expected <bom>")));
        }
        if !empty {
            children(&mut xml, |xml, name, _| match name {
                "metadata" => metadata(xml, &mut walk),
                "components" => components(xml, &mut walk),
                "vulnerabilities" => vulnerabilities(xml, &mut walk, None),
                _ => xml.skip(),
            })?;
        }
        match xml.next()? {
            Item::Eof => {}
            _ => return Err(xml.error("content after the root element")),
        }
        if !walk.listed {
            return Err(start.refusal());
        }
        Ok(walk.info)
    }
}

/// An element's name without its prefix.
fn local(element: &BytesStart<'_>) -> String {
    element.local_name().as_ref().to_string()
}

/// Calls `each` for every non-empty child element of the element just opened, which must read
/// it whole (text, skip or children); returns at the element's end.
fn children(
    xml: &mut XmlReader<'_>,
    mut each: impl FnMut(&mut XmlReader<'_>, &str, &BytesStart<'static>) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    loop {
        match xml.next()? {
            Item::Start { element, empty } => {
                if !empty {
                    each(xml, &local(&element), &element)?;
                }
            }
            Item::End => return Ok(()),
            Item::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
}

fn metadata(xml: &mut XmlReader<'_>, walk: &mut Walk<'_, '_>) -> Result<(), ImportError> {
    children(xml, |xml, name, element| match name {
        "timestamp" => {
            walk.info.scanned_at = xml.trimmed_text()?;
            Ok(())
        }
        "tools" => children(xml, |xml, name, _| match name {
            "tool" => {
                let (mut tool, mut version) = (None, None);
                children(xml, |xml, name, _| {
                    match name {
                        "name" => tool = xml.trimmed_text()?,
                        "version" => version = xml.trimmed_text()?,
                        _ => xml.skip()?,
                    }
                    Ok(())
                })?;
                if walk.info.tool_version.is_none() {
                    walk.info.tool_version = match (tool, version) {
                        (Some(t), Some(v)) => Some(format!("{t} {v}")),
                        (t, _) => t,
                    };
                }
                Ok(())
            }
            _ => xml.skip(),
        }),
        "component" => {
            let part = component(xml, element, walk)?;
            walk.info.target = match (&part.name, &part.version) {
                (Some(n), Some(v)) => Some(format!("{n}@{v}")),
                (n, _) => n.clone(),
            };
            Ok(())
        }
        _ => xml.skip(),
    })
}

fn components(xml: &mut XmlReader<'_>, walk: &mut Walk<'_, '_>) -> Result<(), ImportError> {
    children(xml, |xml, name, element| match name {
        "component" => component(xml, element, walk).map(|_| ()),
        _ => xml.skip(),
    })
}

/// One component, its nested ones and its legacy vulnerabilities; registered under its ref.
fn component(
    xml: &mut XmlReader<'_>,
    element: &BytesStart<'_>,
    walk: &mut Walk<'_, '_>,
) -> Result<Part, ImportError> {
    let bom_ref = xml.attr(element, "bom-ref")?;
    let mut part = Part::default();
    children(xml, |xml, name, _| {
        match name {
            "name" => part.name = xml.trimmed_text()?,
            "version" => part.version = xml.trimmed_text()?,
            "purl" => part.purl = xml.trimmed_text()?,
            "components" => components(xml, walk)?,
            "vulnerabilities" => vulnerabilities(xml, walk, Some(&part))?,
            _ => xml.skip()?,
        }
        Ok(())
    })?;
    walk.parts.insert(bom_ref, part.clone());
    Ok(part)
}

/// A `vulnerabilities` element: `enclosing` is the component a legacy one is written in.
fn vulnerabilities(
    xml: &mut XmlReader<'_>,
    walk: &mut Walk<'_, '_>,
    enclosing: Option<&Part>,
) -> Result<(), ImportError> {
    walk.listed = true;
    children(xml, |xml, name, element| match name {
        "vulnerability" => {
            let v = vulnerability(xml, element, enclosing)?;
            walk.convert(&v)
        }
        _ => xml.skip(),
    })
}

fn text_into(xml: &mut XmlReader<'_>, slot: &mut Option<String>) -> Result<(), ImportError> {
    *slot = xml.trimmed_text()?;
    Ok(())
}

fn push_text(xml: &mut XmlReader<'_>, list: &mut Vec<String>) -> Result<(), ImportError> {
    list.extend(xml.trimmed_text()?);
    Ok(())
}

/// One vulnerability, either layout.
fn vulnerability(
    xml: &mut XmlReader<'_>,
    element: &BytesStart<'_>,
    enclosing: Option<&Part>,
) -> Result<Vulnerability, ImportError> {
    let legacy_ref = xml.attr(element, "ref")?;
    let mut v = Vulnerability::default();
    children(xml, |xml, name, element| match name {
        "id" => text_into(xml, &mut v.id),
        "source" => {
            v.source_name = non_empty(xml.attr(element, "name")?);
            children(xml, |xml, name, _| match name {
                "name" => text_into(xml, &mut v.source_name),
                "url" => text_into(xml, &mut v.source_url),
                _ => xml.skip(),
            })
        }
        "references" => children(xml, |xml, _, _| {
            children(xml, |xml, name, _| match name {
                "id" => push_text(xml, &mut v.aliases),
                _ => xml.skip(),
            })
        }),
        "ratings" => children(xml, |xml, _, _| {
            let r = rating(xml)?;
            v.ratings.push(r);
            Ok(())
        }),
        "cwes" => children(xml, |xml, _, _| push_text(xml, &mut v.cwes)),
        "description" => text_into(xml, &mut v.description),
        "detail" => text_into(xml, &mut v.detail),
        "recommendation" => text_into(xml, &mut v.recommendation),
        "recommendations" => {
            let mut all = Vec::new();
            children(xml, |xml, _, _| push_text(xml, &mut all))?;
            v.recommendation = (!all.is_empty()).then(|| all.join("\n"));
            Ok(())
        }
        "workaround" => text_into(xml, &mut v.workaround),
        "published" => text_into(xml, &mut v.published),
        "advisories" => children(xml, |xml, _, element| {
            if element.name().as_ref().contains(':') {
                // Legacy: the advisory is its URL.
                push_text(xml, &mut v.advisories)
            } else {
                children(xml, |xml, name, _| match name {
                    "url" => push_text(xml, &mut v.advisories),
                    _ => xml.skip(),
                })
            }
        }),
        "analysis" => children(xml, |xml, name, _| match name {
            "state" => text_into(xml, &mut v.state),
            "justification" => text_into(xml, &mut v.justification),
            "detail" => text_into(xml, &mut v.analysis_detail),
            "responses" => children(xml, |xml, _, _| push_text(xml, &mut v.responses)),
            _ => xml.skip(),
        }),
        "affects" => children(xml, |xml, _, _| {
            let a = target(xml)?;
            v.affects.extend(a);
            Ok(())
        }),
        _ => xml.skip(),
    })?;
    if let Some(r) = non_empty(legacy_ref) {
        v.affects.push(Affected {
            bom_ref: r,
            unaffected: Vec::new(),
            enclosing: enclosing.cloned(),
        });
    }
    Ok(v)
}

fn rating(xml: &mut XmlReader<'_>) -> Result<Rating, ImportError> {
    let mut r = Rating::default();
    let mut score = None;
    children(xml, |xml, name, element| match name {
        "source" => children(xml, |xml, name, _| match name {
            "name" => text_into(xml, &mut r.source),
            _ => xml.skip(),
        }),
        "score" if element.name().as_ref().contains(':') => {
            // Legacy: `<v:score><v:base>`.
            children(xml, |xml, name, _| match name {
                "base" => text_into(xml, &mut score),
                _ => xml.skip(),
            })
        }
        "score" => text_into(xml, &mut score),
        "severity" => text_into(xml, &mut r.severity),
        "method" => text_into(xml, &mut r.method),
        "vector" => text_into(xml, &mut r.vector),
        _ => xml.skip(),
    })?;
    r.score = score.and_then(|s| s.parse().ok());
    Ok(r)
}

fn target(xml: &mut XmlReader<'_>) -> Result<Option<Affected>, ImportError> {
    let mut bom_ref = None;
    let mut unaffected = Vec::new();
    children(xml, |xml, name, _| match name {
        "ref" => text_into(xml, &mut bom_ref),
        "versions" => children(xml, |xml, _, _| {
            let (mut version, mut status) = (None, None);
            children(xml, |xml, name, _| match name {
                "version" => text_into(xml, &mut version),
                "status" => text_into(xml, &mut status),
                _ => xml.skip(),
            })?;
            if status.as_deref() == Some("unaffected") {
                unaffected.extend(version);
            }
            Ok(())
        }),
        _ => xml.skip(),
    })?;
    Ok(bom_ref.map(|bom_ref| Affected {
        bom_ref,
        unaffected,
        enclosing: None,
    }))
}
