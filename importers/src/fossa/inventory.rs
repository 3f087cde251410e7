//! FOSSA outputs that list dependencies but no issues: `fossa report attribution --format json`
//! and `fossa analyze --output` / `fossa analyze --json`. They are recognized so that an upload
//! says what the file is, import with 0 findings and a warning naming the command that gives
//! findings (`fossa test --format json`), and are still parsed in full so that a truncated or
//! broken file is an error.

use crate::error::{ImportError, Position};
use crate::finding::ScanInfo;
use crate::fossa::has_key;
use crate::{Importer, Sink};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::io::Read;

fn parse<T: for<'de> Deserialize<'de>>(
    format: &'static str,
    input: &mut dyn Read,
) -> Result<T, ImportError> {
    let reader = std::io::BufReader::with_capacity(256 * 1024, input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let value = T::deserialize(&mut de).map_err(|e| ImportError::from_json(format, e))?;
    de.end().map_err(|e| ImportError::from_json(format, e))?;
    Ok(value)
}

fn not_this(format: &'static str, what: &str) -> ImportError {
    ImportError::malformed(format, Position::default(), format!("not a {what}"))
}

/// `fossa report attribution --format json` (or `--json`).
pub struct FossaAttributionJson;

#[derive(Deserialize)]
struct RawAttribution {
    project: Option<RawAttributionProject>,
    #[serde(rename = "directDependencies")]
    direct: Option<Vec<IgnoredAny>>,
    #[serde(rename = "deepDependencies")]
    deep: Option<Vec<IgnoredAny>>,
    licenses: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct RawAttributionProject {
    name: Option<String>,
    revision: Option<String>,
}

impl Importer for FossaAttributionJson {
    fn format(&self) -> &'static str {
        "fossa-attribution-json"
    }

    fn tool(&self) -> &'static str {
        "fossa"
    }

    fn description(&self) -> &'static str {
        "FOSSA `fossa report attribution --format json`: dependency and licence inventory, no findings (0 imported)"
    }

    fn example(&self) -> &'static str {
        "fossa report attribution --format json > fossa-attribution.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && (has_key(head, "deepDependencies") || has_key(head, "directDependencies"))
            && (has_key(head, "copyrightsByLicense")
                || has_key(head, "dependencyPaths")
                || has_key(head, "licenses"))
    }

    fn import(&self, input: &mut dyn Read, _sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let raw: RawAttribution = parse(self.format(), input)?;
        if raw.direct.is_none() && raw.deep.is_none() && raw.licenses.is_none() {
            return Err(not_this(self.format(), "FOSSA attribution report"));
        }
        let deps = raw.direct.map_or(0, |d| d.len()) + raw.deep.map_or(0, |d| d.len());
        let mut info = ScanInfo {
            tool: "fossa".into(),
            target: raw.project.as_ref().and_then(|p| {
                let name = p.name.as_deref().filter(|n| !n.is_empty())?;
                Some(match p.revision.as_deref().filter(|r| !r.is_empty()) {
                    Some(rev) => format!("{name}${rev}"),
                    None => name.to_string(),
                })
            }),
            ..ScanInfo::default()
        };
        info.warn(format!(
            "a FOSSA attribution report is a dependency inventory ({deps} dependencies), not a \
             list of issues: 0 findings imported; upload `fossa test --format json` for findings"
        ));
        Ok(info)
    }
}

/// `fossa analyze --output` (the dry-run upload: `projects` + `sourceUnits`) and
/// `fossa analyze --json` (the upload summary: `projectId`, `revision`, `url`).
pub struct FossaAnalyzeJson;

#[derive(Deserialize)]
struct RawAnalyze {
    projects: Option<Vec<IgnoredAny>>,
    #[serde(rename = "sourceUnits")]
    source_units: Option<Vec<IgnoredAny>>,
    #[serde(rename = "projectId")]
    project_id: Option<String>,
    id: Option<String>,
}

impl Importer for FossaAnalyzeJson {
    fn format(&self) -> &'static str {
        "fossa-analyze-json"
    }

    fn tool(&self) -> &'static str {
        "fossa"
    }

    fn description(&self) -> &'static str {
        "FOSSA `fossa analyze --output` / `--json`: dependency graph or upload summary, no findings (0 imported)"
    }

    fn example(&self) -> &'static str {
        "fossa analyze --output > fossa-analyze.json"
    }

    fn detect(&self, head: &str) -> bool {
        if !head.trim_start().starts_with('{') {
            return false;
        }
        // `assocs` comes first in each graph: in a large graph, `deps` is past the head.
        let output = has_key(head, "sourceUnits")
            || (has_key(head, "projects") && has_key(head, "graph") && has_key(head, "assocs"));
        let summary = has_key(head, "projectId")
            && has_key(head, "revision")
            && has_key(head, "url")
            && !has_key(head, "vulnerability")
            && !has_key(head, "issues");
        output || summary
    }

    fn import(&self, input: &mut dyn Read, _sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let raw: RawAnalyze = parse(self.format(), input)?;
        let what = if raw.source_units.is_some() || raw.projects.is_some() {
            "the output of `fossa analyze --output` is a dependency graph"
        } else if raw.project_id.is_some() {
            "the output of `fossa analyze --json` is an upload summary"
        } else {
            return Err(not_this(self.format(), "`fossa analyze` output"));
        };
        let mut info = ScanInfo {
            tool: "fossa".into(),
            target: raw.id.or(raw.project_id),
            ..ScanInfo::default()
        };
        info.warn(format!(
            "{what}, not a list of issues: 0 findings imported; upload `fossa test --format json` \
             for findings"
        ));
        Ok(info)
    }
}
