//! The `.nessus` export (`NessusClientData_v2`): a `<Policy>` (read past), then `<Report>`s of
//! `<ReportHost>`s, each with its `<HostProperties>` and one `<ReportItem>` per plugin result
//! on a port. A Nessus WAS scan writes the same shape with `<Report type="was">`.

use super::{Item, TOOL};
use crate::error::ImportError;
use crate::finding::{Kind, ScanInfo};
use crate::xml::{Item as Event, XmlReader};
use crate::{Importer, Sink};
use std::io::Read;

const FORMAT: &str = "nessus-xml";

/// The plugin whose output names the scanner's version (`Nessus Scan Information`).
const SCAN_INFORMATION: &str = "19506";

pub struct NessusXml;

impl Importer for NessusXml {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Tenable Nessus `.nessus` export (NessusClientData_v2: Nessus Professional, Tenable.io, Nessus WAS)"
    }

    fn example(&self) -> &'static str {
        "Nessus: Scans > select the scan > Export > Nessus (or GET /scans/{id}/export with format=nessus)"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('<') && head.contains("<NessusClientData_v2")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut info = ScanInfo {
            tool: TOOL.into(),
            ..ScanInfo::default()
        };
        let mut xml = XmlReader::new(input, FORMAT);
        let empty = match xml.next()? {
            Event::Start { element, empty } => {
                let name = element.name().as_ref().to_string();
                if name != "NessusClientData_v2" {
                    return Err(xml.error(format!(
                        "the root element is <{name}>, expected <NessusClientData_v2>"
                    )));
                }
                empty
            }
            _ => return Err(xml.error("no root element")),
        };
        if !empty {
            let depth = xml.depth();
            loop {
                match xml.next()? {
                    Event::Start { element, empty } => {
                        if element.name().as_ref() != "Report" || empty {
                            if !empty {
                                xml.skip()?;
                            }
                            continue;
                        }
                        let [name, kind] = xml.attrs(&element, ["name", "type"])?;
                        if info.target.is_none() {
                            info.target = name.filter(|n| !n.trim().is_empty());
                        }
                        let web = kind.is_some_and(|k| k.trim().eq_ignore_ascii_case("was"));
                        read_report(&mut xml, web, &mut info, sink)?;
                    }
                    Event::End if xml.depth() < depth => break,
                    Event::End => {}
                    Event::Eof => return Err(xml.error("unexpected end of input")),
                }
            }
        }
        match xml.next()? {
            Event::Eof => Ok(info),
            _ => Err(xml.error("content after the root element")),
        }
    }
}

/// The `<ReportHost>`s of the `<Report>` just opened, up to its end tag.
fn read_report(
    xml: &mut XmlReader<'_>,
    web: bool,
    info: &mut ScanInfo,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let depth = xml.depth();
    loop {
        match xml.next()? {
            Event::Start { element, empty } => {
                if element.name().as_ref() != "ReportHost" || empty {
                    if !empty {
                        xml.skip()?;
                    }
                    continue;
                }
                let name = xml.attr(&element, "name")?;
                read_host(xml, Host::new(name, web), info, sink)?;
            }
            Event::End if xml.depth() < depth => return Ok(()),
            Event::End => {}
            Event::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
}

/// What a finding needs of its `<ReportHost>`.
struct Host {
    name: Option<String>,
    fqdn: Option<String>,
    ip: Option<String>,
    web: bool,
}

impl Host {
    fn new(name: Option<String>, web: bool) -> Host {
        Host {
            name,
            fqdn: None,
            ip: None,
            web,
        }
    }

    /// The fqdn when Nessus resolved one, else the address, else the host's name in the report.
    fn address(&self) -> Option<String> {
        let blank = |s: &&String| !s.trim().is_empty();
        self.fqdn
            .iter()
            .find(blank)
            .or(self.ip.iter().find(blank))
            .or(self.name.iter().find(blank))
            .map(|s| s.trim().to_string())
    }

    fn kind(&self) -> Kind {
        if self.web {
            Kind::Web
        } else {
            Kind::Vulnerability
        }
    }
}

/// The properties and items of the `<ReportHost>` just opened, up to its end tag.
fn read_host(
    xml: &mut XmlReader<'_>,
    mut host: Host,
    info: &mut ScanInfo,
    sink: &mut Sink<'_>,
) -> Result<(), ImportError> {
    let depth = xml.depth();
    loop {
        match xml.next()? {
            Event::Start { element, empty } => match element.name().as_ref() {
                "HostProperties" if !empty => read_properties(xml, &mut host, info)?,
                "ReportItem" => {
                    let [port, service, protocol, severity, id, name, family] = xml.attrs(
                        &element,
                        [
                            "port",
                            "svc_name",
                            "protocol",
                            "severity",
                            "pluginID",
                            "pluginName",
                            "pluginFamily",
                        ],
                    )?;
                    let mut item = Item {
                        plugin_id: id,
                        plugin_name: name,
                        family,
                        severity,
                        host: host.address(),
                        port,
                        protocol,
                        service,
                        ..Item::default()
                    };
                    if !empty {
                        read_item(xml, &mut item)?;
                    }
                    if item.plugin_id.as_deref() == Some(SCAN_INFORMATION)
                        && info.tool_version.is_none()
                    {
                        info.tool_version = item.plugin_output.as_deref().and_then(version);
                    }
                    match item.into_finding(host.kind()) {
                        Some(finding) => sink(finding).map_err(ImportError::Sink)?,
                        None => info.warn(format!(
                            "skipped a ReportItem without pluginID on host {}",
                            host.address().unwrap_or_default()
                        )),
                    }
                }
                _ if !empty => xml.skip()?,
                _ => {}
            },
            Event::End if xml.depth() < depth => return Ok(()),
            Event::End => {}
            Event::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
}

/// The `<tag name="...">`s of `<HostProperties>` a finding uses; the others are read past.
fn read_properties(
    xml: &mut XmlReader<'_>,
    host: &mut Host,
    info: &mut ScanInfo,
) -> Result<(), ImportError> {
    let depth = xml.depth();
    loop {
        match xml.next()? {
            Event::Start { element, empty } => {
                if empty {
                    continue;
                }
                if element.name().as_ref() != "tag" {
                    xml.skip()?;
                    continue;
                }
                match xml.attr(&element, "name")?.as_deref() {
                    Some("host-fqdn") => host.fqdn = xml.trimmed_text()?,
                    Some("host-ip") => host.ip = xml.trimmed_text()?,
                    Some("system-type") => {
                        let text = xml.trimmed_text()?;
                        if text.as_deref() == Some("web_application") {
                            host.web = true;
                        }
                    }
                    Some("HOST_START") if info.scanned_at.is_none() => {
                        info.scanned_at = xml.trimmed_text()?.as_deref().and_then(start_time);
                    }
                    _ => xml.skip()?,
                }
            }
            Event::End if xml.depth() < depth => return Ok(()),
            Event::End => {}
            Event::Eof => return Err(xml.error("unexpected end of input")),
        }
    }
}

/// The children of the `<ReportItem>` just opened, up to its end tag.
fn read_item(xml: &mut XmlReader<'_>, item: &mut Item) -> Result<(), ImportError> {
    let depth = xml.depth();
    loop {
        let element = match xml.next()? {
            Event::Start { element, empty } if !empty => element,
            Event::Start { .. } => continue,
            Event::End if xml.depth() < depth => return Ok(()),
            Event::End => continue,
            Event::Eof => return Err(xml.error("unexpected end of input")),
        };
        let slot = match element.name().as_ref() {
            "plugin_name" => {
                let name = xml.trimmed_text()?;
                if item.plugin_name.is_none() {
                    item.plugin_name = name;
                }
                continue;
            }
            "synopsis" => &mut item.synopsis,
            "description" => &mut item.description,
            "solution" => &mut item.solution,
            "plugin_output" => &mut item.plugin_output,
            "cvss_base_score" | "cvss" => &mut item.cvss2_score,
            "cvss_vector" => &mut item.cvss2_vector,
            "cvss3_base_score" | "cvssv3" => &mut item.cvss3_score,
            "cvss3_vector" => &mut item.cvss3_vector,
            "cvss4_base_score" => &mut item.cvss4_score,
            "cvss4_vector" => &mut item.cvss4_vector,
            "epss_score" => &mut item.epss,
            "vpr_score" => &mut item.vpr,
            "see_also" => {
                let text = xml.text()?;
                item.add_see_also(&text);
                continue;
            }
            "cve" => {
                let text = xml.text()?;
                item.add_cves(&text);
                continue;
            }
            "cwe" => {
                let text = xml.text()?;
                item.add_cwes(&text);
                continue;
            }
            "xref" => {
                let text = xml.text()?;
                item.add_xref_cwes(&text);
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

/// The scanner's version in the output of `Nessus Scan Information` (`Nessus version : 10.4.1`).
fn version(output: &str) -> Option<String> {
    output.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        let value = value.trim();
        (key.trim().eq_ignore_ascii_case("nessus version") && !value.is_empty())
            .then(|| value.to_string())
    })
}

/// `HOST_START` as ISO 8601: Nessus writes `Tue Jun 25 10:32:42 2013` (local time, no zone:
/// kept without offset), Nessus WAS an ISO 8601 time already.
fn start_time(text: &str) -> Option<String> {
    let text = text.trim();
    if text.len() >= 10 && text.as_bytes().get(4) == Some(&b'-') {
        return Some(text.to_string());
    }
    match text.split_whitespace().collect::<Vec<_>>().as_slice() {
        [_, month, day, time, year] => crate::web::english_date(day, month, year, time),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_times() {
        assert_eq!(
            start_time("Tue Jun 25 10:32:42 2013").as_deref(),
            Some("2013-06-25T10:32:42")
        );
        assert_eq!(
            start_time("2021-03-12T12:34:30.12031+00:00").as_deref(),
            Some("2021-03-12T12:34:30.12031+00:00")
        );
        assert_eq!(start_time("soon"), None);
    }

    #[test]
    fn versions() {
        assert_eq!(
            version("Information about this scan : \n\nNessus version : 10.1.2\nPlugin feed")
                .as_deref(),
            Some("10.1.2")
        );
        assert_eq!(version("Nessus version :"), None);
    }
}
