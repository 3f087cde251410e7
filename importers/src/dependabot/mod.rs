//! GitHub Dependabot alerts: the REST API's list response (`GET
//! /repos/{owner}/{repo}/dependabot/alerts`, or the organization's list), a JSON array of
//! alerts, as `gh api --paginate` saves it. Not the GraphQL API's `vulnerabilityAlerts`, and not
//! Dependabot's pull requests.
//!
//! Streaming: the list is read alert by alert, each converted and handed on before the next.
//! An empty list (`[]`) says nothing of its format: it is recognized only when the format is
//! named (`--type dependabot-json`).

mod normalize;
mod raw;

use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::stream::{EachElement, SinkSlot};
use crate::{Importer, Sink};
use raw::RawAlert;
use serde::de::DeserializeSeed;
use std::io::Read;

const FORMAT: &str = "dependabot-json";

pub struct DependabotJson;

impl Importer for DependabotJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        "dependabot"
    }

    fn description(&self) -> &'static str {
        "GitHub Dependabot alerts: the REST API's list of a repository's (or organization's) alerts"
    }

    fn example(&self) -> &'static str {
        "gh api --paginate --slurp repos/OWNER/REPO/dependabot/alerts | jq add > dependabot.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('[')
            && head.contains("\"security_advisory\"")
            && head.contains("\"dependency\"")
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut info = ScanInfo {
            tool: "dependabot".into(),
            ..ScanInfo::default()
        };
        let mut slot = SinkSlot::new();
        let mut targets: Option<Option<String>> = None;
        let reader = std::io::BufReader::with_capacity(256 * 1024, input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let outcome = EachElement::new("a list of Dependabot alerts", |alert: RawAlert| {
            match normalize::alert(alert) {
                Ok(Some(finding)) => {
                    // The scan's target is the repository when every alert names the same one.
                    let target = finding.location.target.clone();
                    match &targets {
                        None => targets = Some(target),
                        Some(seen) if *seen != target => targets = Some(None),
                        Some(_) => {}
                    }
                    slot.send(sink, finding)
                }
                Ok(None) => Ok(()),
                Err(reason) => {
                    info.warn(format!("skipped {reason}"));
                    Ok(())
                }
            }
        })
        .deserialize(&mut de)
        .and_then(|()| de.end());
        slot.finish(FORMAT, outcome)?;
        info.target = targets.flatten();
        Ok(info)
    }
}
