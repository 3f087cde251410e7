//! ZAP's traditional JSON report: `{"@programName": "ZAP", "@version": "...", "@generated":
//! "...", "created": "...", "site": [{"@name": ..., "alerts": [...]}]}` (ZAP 2.9 and older
//! without `@programName` and `created`). The "plus" variant adds each instance's
//! `request-header`, `request-body`, `response-header` and `response-body`, read past unbuilt.

use super::{Alert, TOOL, Walker};
use crate::error::{ImportError, SinkError};
use crate::finding::ScanInfo;
use crate::stream::EachElement;
use crate::{Importer, Sink};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

const FORMAT: &str = "zap-json";

pub struct ZapJson;

impl Importer for ZapJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "OWASP ZAP traditional JSON report (`{\"@programName\": \"ZAP\", \"site\": [...]}`), with or without requests and responses"
    }

    fn example(&self) -> &'static str {
        "zap-baseline.py -t https://example.com -J report.json (or Report > Generate Report > Traditional JSON Report)"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && head.contains("\"site\"")
            && (head.contains("\"@programName\"") || head.contains("\"@generated\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut state = State {
            walker: Walker::new(sink),
            sink_error: None,
            sites: false,
        };
        let reader = std::io::BufReader::with_capacity(256 * 1024, input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let outcome = ReportSeed { state: &mut state }
            .deserialize(&mut de)
            .and_then(|()| de.end());
        if let Some(err) = state.sink_error.take() {
            return Err(ImportError::Sink(err));
        }
        outcome.map_err(|e| ImportError::from_json(FORMAT, e))?;
        if !state.sites {
            return Err(ImportError::malformed(
                FORMAT,
                crate::error::Position::default(),
                "no `site` list: not a ZAP traditional JSON report",
            ));
        }
        Ok(state.walker.info)
    }
}

struct State<'a, 'b> {
    walker: Walker<'a, 'b>,
    /// The sink's error, kept here because serde carries only text.
    sink_error: Option<SinkError>,
    /// Whether the report had its `site` list.
    sites: bool,
}

/// The report object.
struct ReportSeed<'s, 'a, 'b> {
    state: &'s mut State<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ReportSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ZAP report object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut generated: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "@version" => self.state.walker.info.tool_version = map.next_value()?,
                "@generated" => generated = map.next_value()?,
                "created" => self.state.walker.info.scanned_at = map.next_value()?,
                "site" => {
                    self.state.sites = true;
                    map.next_value_seed(SitesSeed {
                        state: &mut *self.state,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(generated) = generated {
            self.state.walker.generated(&generated);
        }
        Ok(())
    }
}

/// The `site` list.
struct SitesSeed<'s, 'a, 'b> {
    state: &'s mut State<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for SitesSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SitesSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of sites")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(SiteSeed {
                state: &mut *self.state,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One site: its name, then its alerts, each handed on as it is read.
struct SiteSeed<'s, 'a, 'b> {
    state: &'s mut State<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for SiteSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SiteSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a site object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.state;
        let mut origin: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "@name" => {
                    let name: Option<String> = map.next_value()?;
                    origin = state.walker.site(name.as_deref());
                }
                "alerts" => {
                    let State {
                        walker, sink_error, ..
                    } = &mut *state;
                    let site = origin.as_deref();
                    map.next_value_seed(EachElement::new("a list of alerts", |alert: Alert| {
                        walker.alert(alert, site).map_err(|err| {
                            let text = err.to_string();
                            *sink_error = Some(err);
                            <serde_json::Error as de::Error>::custom(text)
                        })
                    }))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}
