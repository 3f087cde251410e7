//! Mend (formerly WhiteSource) JSON, in its three shapes:
//!
//! - the Unified Agent's and the legacy API's vulnerability report: `{"vulnerabilities": [...]}`,
//!   each vulnerability with its `library`, CVSS, top fix and where the file was found;
//! - the CLI's report: `projectVitals` and `libraries`, each library with its `vulnerabilities`;
//! - the SCA platform API 3.0 response of a project's security findings: `response`, each with
//!   its `component`, `vulnerability`, `topFix`, `threatAssessment` and `findingInfo.status`;
//! - policy violations (`policy.rs`): the Unified Agent's policy rejection summary
//!   (`whitesource/policyRejectionSummary.json`: `rejectingPolicies`, each with its
//!   `rejectedLibraries`), and the SCA API 2.0 legal and compliance alerts (`retVal`, each
//!   `POLICY_VIOLATIONS` alert with its `policyName` and `component`).
//!
//! Not read: `policyStatistics` and `vulnerabilityStatistics`
//! (totals), the libraries' licenses, and API 3.0 findings Mend marks `LIBRARY_REMOVED` (the
//! library is no longer in the project: not a finding of this scan).
//!
//! Streaming: each list is walked element by element; a CLI library is read whole with its
//! vulnerabilities. What is kept per report is one small entry per distinct identity
//! ([`crate::copies`]).

mod normalize;
mod policy;
mod raw;

use crate::dependency::Walk;
use crate::error::ImportError;
use crate::finding::{Finding, ScanInfo};
use crate::record::non_empty;
use crate::stream::{EachElement, EachField, Fields, read_json};
use crate::{Importer, Sink};
use raw::{
    RawAdditionalData, RawApiFinding, RawLegalAlert, RawLibrary, RawProjectVitals,
    RawRejectingPolicy, RawVulnerability,
};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess};
use std::io::Read;

const FORMAT: &str = "mend-json";
const TOOL: &str = "mend";

pub struct MendJson;

impl Importer for MendJson {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn tool(&self) -> &'static str {
        TOOL
    }

    fn description(&self) -> &'static str {
        "Mend (WhiteSource) JSON: Unified Agent and CLI vulnerability reports, SCA platform API 3.0 security findings; policy violations (Unified Agent policyRejectionSummary.json, SCA API 2.0 legal alerts)"
    }

    fn example(&self) -> &'static str {
        "curl -H \"Authorization: Bearer $MEND_JWT\" \"$MEND_URL/api/v3.0/projects/$PROJECT/dependencies/findings/security\" > mend.json"
    }

    fn detect(&self, head: &str) -> bool {
        if !head.trim_start().starts_with('{') {
            return false;
        }
        let agent = head.contains("\"vulnerabilities\"")
            && head.contains("\"library\"")
            && (head.contains("\"keyUuid\"") || head.contains("\"cvss3_severity\""));
        let cli = head.contains("\"projectVitals\"") && head.contains("\"libraries\"");
        let api = head.contains("\"supportToken\"") && head.contains("\"response\"");
        let rejections = head.contains("\"rejectingPolicies\"")
            && (head.contains("\"rejectedLibraries\"")
                || head.contains("\"totalRejectedLibraries\""));
        let legal = head.contains("\"supportToken\"")
            && head.contains("\"retVal\"")
            && (head.contains("\"policyName\"") || head.contains("\"POLICY_VIOLATIONS\""));
        agent || cli || api || rejections || legal
    }

    fn import(&self, input: &mut dyn Read, sink: &mut Sink<'_>) -> Result<ScanInfo, ImportError> {
        let mut report = Report {
            walk: Walk::new(sink, TOOL),
            total_items: None,
            last_page: None,
            api_records: 0,
        };
        read_json(FORMAT, input, &mut report.walk, |walk, de| {
            let mut fields = Fields3 {
                walk,
                total_items: &mut report.total_items,
                last_page: &mut report.last_page,
                api_records: &mut report.api_records,
            };
            EachField::new("a Mend report object", &mut fields).deserialize(de)
        })?;
        let partial = report.last_page == Some(false)
            || report
                .total_items
                .is_some_and(|total| total > report.api_records);
        let mut info = report.walk.finish(
            FORMAT,
            "vulnerabilities",
            "a Mend report (`libraries`, `response`, `rejectingPolicies`, `retVal`)",
        )?;
        if partial {
            info.partial = true;
            info.warn(format!(
                "the response holds {} of the {} findings Mend has (one page)",
                report.api_records,
                report.total_items.unwrap_or_default()
            ));
        }
        Ok(info)
    }
}

struct Report<'a, 'b> {
    walk: Walk<'a, 'b>,
    /// The API's `additionalData.totalItems`.
    total_items: Option<u64>,
    /// API 2.0's `additionalData.isLastPage`.
    last_page: Option<bool>,
    /// How many records the API's `response` (3.0) or `retVal` (2.0) held.
    api_records: u64,
}

/// The report object's fields, with the walk and what API 3.0 says about paging.
struct Fields3<'r, 'a, 'b> {
    walk: &'r mut Walk<'a, 'b>,
    total_items: &'r mut Option<u64>,
    last_page: &'r mut Option<bool>,
    api_records: &'r mut u64,
}

/// Hands on a converted record, or notes why it was skipped.
fn hand_on(
    walk: &mut Walk<'_, '_>,
    converted: Result<Option<Finding>, &'static str>,
) -> Result<(), serde_json::Error> {
    match converted {
        Ok(Some(finding)) => walk.emitter.emit(finding),
        Ok(None) => Ok(()),
        Err(reason) => {
            walk.info.warn(format!("skipped {reason}"));
            Ok(())
        }
    }
}

/// What was scanned, as Mend names it: `product / project`.
fn product_and_project(product: Option<String>, project: Option<String>) -> Option<String> {
    match (non_empty(product), non_empty(project)) {
        (Some(product), Some(project)) => Some(format!("{product} / {project}")),
        (one, other) => one.or(other),
    }
}

impl<'de> Fields<'de> for Fields3<'_, '_, '_> {
    fn value_of<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let walk = &mut *self.walk;
        match key {
            "vulnerabilities" => {
                walk.listed = true;
                map.next_value_seed(EachElement::new(
                    "a list of Mend vulnerabilities",
                    |record: RawVulnerability| {
                        if walk.info.target.is_none() {
                            walk.info.target =
                                product_and_project(record.product.clone(), record.project.clone());
                        }
                        let converted = normalize::agent_finding(record, None, &mut walk.copies);
                        hand_on(walk, converted)
                    },
                ))?;
            }
            "libraries" => {
                walk.listed = true;
                map.next_value_seed(EachElement::new(
                    "a list of Mend libraries",
                    |mut library: RawLibrary| {
                        for record in library.vulnerabilities.take().into_iter().flatten() {
                            let converted =
                                normalize::agent_finding(record, Some(&library), &mut walk.copies);
                            hand_on(walk, converted)?;
                        }
                        Ok(())
                    },
                ))?;
            }
            "response" => {
                walk.listed = true;
                let count = &mut *self.api_records;
                map.next_value_seed(EachElement::new(
                    "a list of Mend API findings",
                    |record: RawApiFinding| {
                        *count += 1;
                        if walk.info.target.is_none() {
                            walk.info.target = record.project.as_ref().and_then(|p| p.name.clone());
                        }
                        let converted = normalize::api_finding(record, &mut walk.copies);
                        hand_on(walk, converted)
                    },
                ))?;
            }
            "rejectingPolicies" => {
                walk.listed = true;
                map.next_value_seed(EachElement::new(
                    "a list of Mend rejecting policies",
                    |policy: RawRejectingPolicy| {
                        for converted in policy::rejecting_policy(policy) {
                            hand_on(walk, converted.map(Some))?;
                        }
                        Ok(())
                    },
                ))?;
            }
            "retVal" => {
                walk.listed = true;
                let count = &mut *self.api_records;
                map.next_value_seed(EachElement::new(
                    "a list of Mend legal and compliance alerts",
                    |alert: RawLegalAlert| {
                        *count += 1;
                        if walk.info.target.is_none() {
                            walk.info.target = alert.project.as_ref().and_then(|p| {
                                product_and_project(p.product_name.clone(), p.name.clone())
                            });
                        }
                        hand_on(walk, policy::legal_alert(alert))
                    },
                ))?;
            }
            "additionalData" => {
                let data: Option<RawAdditionalData> = map.next_value()?;
                let data = data.unwrap_or_default();
                *self.total_items = data.total_items.as_ref().and_then(raw::Count::value);
                *self.last_page = data.is_last_page.as_ref().and_then(raw::Flag::value);
            }
            "projectVitals" => {
                let vitals: Option<RawProjectVitals> = map.next_value()?;
                if let Some(v) = vitals {
                    walk.info.target = product_and_project(v.product_name, v.name);
                    walk.info.scanned_at = v.last_updated_date;
                }
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}
