//! Snyk Open Source and Snyk Container JSON: `snyk test --json` (one project object, or a list
//! of them with `--all-projects`) and `snyk container test --json` (the image's project, with
//! the applications found in it under `applications`). Snyk Code writes SARIF, which the SARIF
//! importer reads; Snyk IaC is not read here.
//!
//! Projects stream one by one: the CLI writes a project's `displayTargetFile` and `projectName`
//! after its `vulnerabilities`, so one project's records are held until the project ends, and
//! never more than one project's (plus its image's applications).

mod normalize;
mod raw;

use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::stream::{EachElement, SinkSlot};
use crate::{Importer, Sink};
use normalize::ProjectContext;
use raw::RawProject;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::Read;

const FORMAT: &str = "snyk-json";

pub struct SnykJson;

impl Importer for SnykJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        "snyk"
    }

    fn description(&self) -> &'static str {
        "Snyk Open Source and Container JSON: snyk test --json (one project or --all-projects list), snyk container test --json"
    }

    fn example(&self) -> &'static str {
        "snyk test --all-projects --json > snyk.json"
    }

    fn detect(&self, head: &str) -> bool {
        let start = head.trim_start();
        // An issue record says `isUpgradable`; a clean report has no issue, but its summary
        // fields follow the empty list.
        start.starts_with(['{', '['])
            && head.contains("\"vulnerabilities\"")
            && (head.contains("\"isUpgradable\"")
                || (head.contains("\"dependencyCount\"") && head.contains("\"packageManager\"")))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut walker = Walker {
            sink,
            slot: SinkSlot::new(),
            info: ScanInfo {
                tool: "snyk".into(),
                ..ScanInfo::default()
            },
            projects: 0,
        };
        let reader = std::io::BufReader::with_capacity(256 * 1024, input);
        let mut de = serde_json::Deserializer::from_reader(reader);
        let outcome = DocumentSeed {
            walker: &mut walker,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        let Walker {
            slot,
            mut info,
            projects,
            ..
        } = walker;
        slot.finish(FORMAT, outcome)?;
        if projects != 1 {
            info.target = None;
        }
        Ok(info)
    }
}

/// State while walking one document.
struct Walker<'a, 'b> {
    sink: &'a mut Sink<'b>,
    slot: SinkSlot,
    info: ScanInfo,
    /// Top-level projects read: the scan's target is named only when there is one.
    projects: usize,
}

impl Walker<'_, '_> {
    /// Converts and hands on every issue of a project and of its applications.
    fn project<E: de::Error>(&mut self, mut project: RawProject) -> Result<(), E> {
        let Some(open) = project.vulnerabilities.take() else {
            // `{"ok": false, "error": "..."}`: the test did not run, which is not a clean scan.
            return Err(E::custom(match project.error.as_deref() {
                Some(message) => format!("Snyk reported an error instead of results: {message}"),
                None => "a Snyk project without a `vulnerabilities` list".to_string(),
            }));
        };
        let ctx = ProjectContext::of(&project);
        if self.info.target.is_none() {
            self.info.target = ctx.target.clone();
        }
        let ignored = project
            .filtered
            .take()
            .and_then(|f| f.ignore)
            .unwrap_or_default();
        let records = open
            .into_iter()
            .map(|r| (r, false))
            .chain(ignored.into_iter().map(|r| (r, true)));
        for (record, listed_as_ignored) in records {
            match normalize::issue(record, &ctx, listed_as_ignored) {
                Ok(finding) => self.slot.send(self.sink, finding)?,
                Err(reason) => self.info.warn(format!("skipped {reason}")),
            }
        }
        for application in project.applications.take().unwrap_or_default() {
            self.project(application)?;
        }
        Ok(())
    }
}

/// The top level: one project object, or a list of them.
struct DocumentSeed<'w, 'a, 'b> {
    walker: &'w mut Walker<'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Snyk project object or a list of them")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let walker = self.walker;
        EachElement::new("a list of Snyk projects", |project: RawProject| {
            walker.projects += 1;
            walker.project(project)
        })
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let project = RawProject::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.walker.projects += 1;
        self.walker.project(project)
    }
}
