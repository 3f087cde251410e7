//! Amazon ECR image scan findings, as `aws ecr describe-image-scan-findings` writes them: the
//! image (`registryId`, `repositoryName`, `imageId`), the scan's status, and
//! `imageScanFindings` with basic scanning's `findings` (basic.rs) and enhanced scanning's
//! `enhancedFindings`, which are Amazon Inspector findings and are read by the Inspector2
//! importer's records and rules (identity included), under this tool's family.
//!
//! A scan whose `imageScanStatus.status` is not `COMPLETE` (or `ACTIVE`, enhanced scanning's
//! word) is a partial report: what it lacks is not fixed. Enhanced findings `CLOSED` are left
//! out as fixed, as Inspector's are.
//!
//! Streaming: both lists are read record by record. The image is named after the findings in
//! the CLI's output, so it goes to the scan's target, not into each finding.

mod basic;

use crate::error::ImportError;
use crate::finding::ScanInfo;
use crate::inspector2::{closed_warning, normalize, raw::RawFinding};
use crate::stream::{EachElement, JsonImport};
use crate::{Importer, Sink};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::io::Read;

/// Tool family of ECR's scans.
pub const TOOL: &str = "aws-ecr";

const FORMAT: &str = "aws-ecr-scan-json";

pub struct EcrScanJson;

impl Importer for EcrScanJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Amazon ECR image scan findings (`describe-image-scan-findings`): basic scanning `findings` and enhanced scanning `enhancedFindings`"
    }

    fn example(&self) -> &'static str {
        "aws ecr describe-image-scan-findings --repository-name shop/api --image-id imageTag=4.2.0 --output json > ecr-scan.json"
    }

    fn detect(&self, head: &str) -> bool {
        head.trim_start().starts_with('{')
            && head.contains("\"imageScanFindings\"")
            && (head.contains("\"findings\"")
                || head.contains("\"enhancedFindings\"")
                || head.contains("\"imageScanStatus\"")
                || head.contains("\"repositoryName\""))
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        JsonImport::new(sink, TOOL).run(FORMAT, input, |import, de| {
            let mut image = Image::default();
            let mut state = State {
                import,
                ordinals: normalize::Ordinals::default(),
                closed: 0,
            };
            ResponseSeed {
                state: &mut state,
                image: &mut image,
            }
            .deserialize(de)?;
            let State { import, closed, .. } = state;
            if closed > 0 {
                import.info.warn(closed_warning(closed));
            }
            import.info.target = image.target();
            match image.status.as_deref() {
                Some(s)
                    if s.eq_ignore_ascii_case("COMPLETE") || s.eq_ignore_ascii_case("ACTIVE") => {}
                None if image.findings_seen => {}
                other => {
                    import.info.partial = true;
                    let what = other.unwrap_or("missing");
                    let why = image.status_description.as_deref().unwrap_or("");
                    import.info.warn(
                        format!("the scan's status is {what} {why}")
                            .trim()
                            .to_string(),
                    );
                }
            }
            Ok(())
        })
    }
}

struct State<'i, 'a, 'b> {
    import: &'i mut JsonImport<'a, 'b>,
    ordinals: normalize::Ordinals,
    closed: usize,
}

/// What the response says about the image and its scan.
#[derive(Default)]
struct Image {
    registry: Option<String>,
    repository: Option<String>,
    tag: Option<String>,
    digest: Option<String>,
    status: Option<String>,
    status_description: Option<String>,
    findings_seen: bool,
}

impl Image {
    /// `repository:tag`, else `repository@digest`, else the repository.
    fn target(&self) -> Option<String> {
        let repo = self.repository.clone()?;
        let repo = match &self.registry {
            Some(registry) => format!("{registry}/{repo}"),
            None => repo,
        };
        Some(match (&self.tag, &self.digest) {
            (Some(tag), _) => format!("{repo}:{tag}"),
            (None, Some(digest)) => format!("{repo}@{digest}"),
            _ => repo,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawImageId {
    image_digest: Option<String>,
    image_tag: Option<String>,
}

#[derive(Deserialize)]
struct RawScanStatus {
    status: Option<String>,
    description: Option<String>,
}

struct ResponseSeed<'s, 'i, 'a, 'b> {
    state: &'s mut State<'i, 'a, 'b>,
    image: &'s mut Image,
}

impl<'de> DeserializeSeed<'de> for ResponseSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResponseSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an ECR describe-image-scan-findings response")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "registryId" => self.image.registry = map.next_value()?,
                "repositoryName" => self.image.repository = map.next_value()?,
                "imageId" => {
                    if let Some(id) = map.next_value::<Option<RawImageId>>()? {
                        self.image.tag = id.image_tag;
                        self.image.digest = id.image_digest;
                    }
                }
                "imageScanStatus" => {
                    if let Some(s) = map.next_value::<Option<RawScanStatus>>()? {
                        self.image.status = s.status;
                        self.image.status_description = s.description;
                    }
                }
                "imageScanFindings" => {
                    self.image.findings_seen = true;
                    map.next_value_seed(FindingsSeed {
                        state: &mut *self.state,
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

/// `imageScanFindings`: both lists, and when the scan completed.
struct FindingsSeed<'s, 'i, 'a, 'b> {
    state: &'s mut State<'i, 'a, 'b>,
}

impl<'de> DeserializeSeed<'de> for FindingsSeed<'_, '_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FindingsSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("imageScanFindings: an object with findings or enhancedFindings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.state;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "findings" => map.next_value_seed(EachElement::new(
                    "a list of ECR basic scan findings",
                    |raw: basic::RawBasicFinding| state.import.emit(basic::finding(TOOL, raw)),
                ))?,
                "enhancedFindings" => map.next_value_seed(EachElement::new(
                    "a list of ECR enhanced scan findings",
                    |raw: RawFinding| {
                        if raw
                            .status
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case("CLOSED"))
                        {
                            state.closed += 1;
                            return Ok(());
                        }
                        state
                            .import
                            .emit(normalize::finding(TOOL, raw, &mut state.ordinals))
                    },
                ))?,
                "imageScanCompletedAt" => {
                    // The CLI writes a string (ISO 8601) or seconds since the epoch, as its
                    // configuration says; only the string is kept as written.
                    if let serde_json::Value::String(s) = map.next_value()? {
                        state.import.info.scanned_at = Some(s);
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}
