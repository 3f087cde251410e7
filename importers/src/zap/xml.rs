//! ZAP's traditional XML report: `<OWASPZAPReport version="..." generated="...">`, one
//! `<site name=...>` per site with `<alerts><alertitem>`, each with `<instances><instance>`.
//! The "plus" variant adds each instance's request and response, read past unbuilt.

use super::{Alert, Instance, TOOL, Walker};
use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::xml::{Item, XmlReader};
use crate::{Importer, Sink};
use std::io::Read;

const FORMAT: &str = "zap-xml";

pub struct ZapXml;

impl Importer for ZapXml {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "OWASP ZAP traditional XML report (`<OWASPZAPReport>`), with or without requests and responses"
    }

    fn example(&self) -> &'static str {
        "zap-baseline.py -t https://example.com -x report.xml (or Report > Generate Report > Traditional XML Report)"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('<') && head.contains("<OWASPZAPReport")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut walker = Walker::new(sink);
        let mut xml = XmlReader::new(input, FORMAT);
        let empty = match xml.next()? {
            Item::Start { element, empty } => {
                let name = element.name().as_ref().to_string();
                if name != "OWASPZAPReport" {
                    return Err(xml.error(format!(
                        "the root element is <{name}>, expected <OWASPZAPReport>"
                    )));
                }
                let [version, generated, created] =
                    xml.attrs(&element, ["version", "generated", "created"])?;
                walker.info.tool_version = version.filter(|v| !v.trim().is_empty());
                walker.info.scanned_at = created.filter(|c| !c.trim().is_empty());
                if let Some(generated) = generated {
                    walker.generated(&generated);
                }
                empty
            }
            _ => return Err(xml.error("no root element")),
        };
        let mut open = !empty;
        while open {
            match xml.next()? {
                Item::Start { element, empty } => {
                    if empty {
                        continue;
                    }
                    if element.name().as_ref() == "site" {
                        let name = xml.attr(&element, "name")?;
                        let origin = walker.site(name.as_deref());
                        site(&mut xml, &mut walker, origin.as_deref())?;
                    } else {
                        xml.skip()?;
                    }
                }
                Item::End => open = false,
                Item::Eof => return Err(xml.error("unexpected end of input")),
            }
        }
        match xml.next()? {
            Item::Eof => Ok(walker.info),
            _ => Err(xml.error("content after the root element")),
        }
    }
}

/// The alerts of the `<site>` just opened, each handed on as it closes, up to the site's end.
fn site(
    xml: &mut XmlReader<'_>,
    walker: &mut Walker<'_, '_>,
    origin: Option<&str>,
) -> Result<(), ImportError> {
    let depth = xml.depth();
    loop {
        match xml.next()? {
            Item::Start { element, empty } => {
                if empty {
                    continue;
                }
                match element.name().as_ref() {
                    // Its children are the alerts: read on.
                    "alerts" => {}
                    "alertitem" => {
                        let alert = alert(xml)?;
                        walker.alert(alert, origin).map_err(ImportError::Sink)?;
                    }
                    _ => xml.skip()?,
                }
            }
            Item::End if xml.depth() < depth => return Ok(()),
            Item::End => {}
            Item::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
}

/// The `<alertitem>` just opened, up to its end.
fn alert(xml: &mut XmlReader<'_>) -> Result<Alert, ImportError> {
    let mut alert = Alert::default();
    let depth = xml.depth();
    loop {
        let element = match xml.next()? {
            Item::Start { empty: true, .. } => continue,
            Item::Start { element, .. } => element,
            Item::End if xml.depth() < depth => return Ok(alert),
            Item::End => continue,
            Item::Eof => return Err(xml.error("unexpected end of input")),
        };
        let slot = match element.name().as_ref() {
            "pluginid" => &mut alert.pluginid,
            "alertRef" => &mut alert.alert_ref,
            "alert" => &mut alert.alert,
            "name" => &mut alert.name,
            "riskcode" => &mut alert.riskcode,
            "confidence" => &mut alert.confidence,
            "riskdesc" => &mut alert.riskdesc,
            "desc" => &mut alert.desc,
            "solution" => &mut alert.solution,
            "otherinfo" => &mut alert.otherinfo,
            "reference" => &mut alert.reference,
            "cweid" => &mut alert.cweid,
            "uri" => &mut alert.uri,
            "method" => &mut alert.method,
            "param" => &mut alert.param,
            "attack" => &mut alert.attack,
            "evidence" => &mut alert.evidence,
            "instances" => {
                alert.instances = instances(xml)?;
                continue;
            }
            _ => {
                xml.skip()?;
                continue;
            }
        };
        *slot = xml.trimmed_text()?;
    }
}

/// The `<instance>`s of the `<instances>` just opened.
fn instances(xml: &mut XmlReader<'_>) -> Result<Vec<Instance>, ImportError> {
    let mut out = Vec::new();
    let depth = xml.depth();
    loop {
        match xml.next()? {
            Item::Start { element, empty } => {
                if element.name().as_ref() == "instance" {
                    out.push(if empty {
                        Instance::default()
                    } else {
                        instance(xml)?
                    });
                } else if !empty {
                    xml.skip()?;
                }
            }
            Item::End if xml.depth() < depth => return Ok(out),
            Item::End => {}
            Item::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
}

/// The `<instance>` just opened; its request and response are read past.
fn instance(xml: &mut XmlReader<'_>) -> Result<Instance, ImportError> {
    let mut instance = Instance::default();
    let depth = xml.depth();
    loop {
        let element = match xml.next()? {
            Item::Start { empty: true, .. } => continue,
            Item::Start { element, .. } => element,
            Item::End if xml.depth() < depth => return Ok(instance),
            Item::End => continue,
            Item::Eof => return Err(xml.error("unexpected end of input")),
        };
        let slot = match element.name().as_ref() {
            "uri" => &mut instance.uri,
            "method" => &mut instance.method,
            "param" => &mut instance.param,
            "attack" => &mut instance.attack,
            "evidence" => &mut instance.evidence,
            "otherinfo" => &mut instance.otherinfo,
            _ => {
                xml.skip()?;
                continue;
            }
        };
        *slot = xml.trimmed_text()?;
    }
}
