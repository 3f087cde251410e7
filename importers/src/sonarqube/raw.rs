//! SonarQube's JSON records as serde structs: the Web API (`api/issues/search`,
//! `api/hotspots/search`) and the sonar-report export. Every field is optional and unknown fields
//! are ignored, so SonarQube versions that add or drop fields (8.x to 2025.x) import unchanged.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// One element of `issues[]` or `hotspots[]` (the two share most fields), or of a sonar-report
/// `issues[]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRecord {
    pub key: Option<String>,
    /// Issues: `java:S1144`.
    pub rule: Option<String>,
    /// Hotspots (9.x+).
    pub rule_key: Option<String>,
    /// Legacy BLOCKER/CRITICAL/MAJOR/MINOR/INFO (sonar-report may write HIGH/MEDIUM/LOW).
    pub severity: Option<String>,
    /// `projectKey:path/in/project` (API), a bare path (sonar-report).
    pub component: Option<String>,
    pub project: Option<String>,
    /// A number, or a string in sonar-report and some saved responses.
    pub line: Option<LenientInt>,
    /// SonarQube's hash of the issue's line (white space ignored).
    pub hash: Option<String>,
    pub text_range: Option<RawTextRange>,
    pub status: Option<String>,
    pub resolution: Option<String>,
    /// 10.4+: OPEN, CONFIRMED, FALSE_POSITIVE, ACCEPTED, FIXED (open set).
    pub issue_status: Option<String>,
    pub message: Option<String>,
    pub tags: Option<Vec<String>>,
    /// CODE_SMELL, BUG, VULNERABILITY, SECURITY_HOTSPOT (open set; omitted in 2025 examples).
    #[serde(rename = "type")]
    pub issue_type: Option<String>,
    pub clean_code_attribute: Option<String>,
    pub clean_code_attribute_category: Option<String>,
    pub impacts: Option<Vec<RawImpact>>,
    /// Hotspots: `sql-injection`, `xss`, `auth`, ...
    pub security_category: Option<String>,
    /// Hotspots: HIGH, MEDIUM, LOW.
    pub vulnerability_probability: Option<String>,
    /// sonar-report: the rule's name.
    pub description: Option<String>,
}

impl RawRecord {
    /// Whether an element of a bare list is a hotspot (its own fields say so).
    pub fn looks_like_hotspot(&self) -> bool {
        self.vulnerability_probability.is_some()
            || self.security_category.is_some()
            || (self.rule_key.is_some() && self.rule.is_none())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawTextRange {
    pub start_line: Option<LenientInt>,
    pub end_line: Option<LenientInt>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawImpact {
    pub software_quality: Option<String>,
    pub severity: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPaging {
    pub total: Option<LenientInt>,
}

/// The sonar-report (soprasteria/sonar-report) JSON export.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawSonarReport {
    pub project_name: Option<String>,
    pub application_name: Option<String>,
    pub sonar_component: Option<String>,
    #[serde(rename = "sonarBaseURL")]
    pub sonar_base_url: Option<String>,
    pub rules: Option<BTreeMap<String, RawReportRule>>,
    pub issues: Option<Vec<RawRecord>>,
    pub hotspot_keys: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawReportRule {
    pub html_desc: Option<String>,
}

/// An integer written as a number or a string (`"line": "66"`). Anything else is no value.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LenientInt(pub Option<i64>);

impl<'de> Deserialize<'de> for LenientInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientInt;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a string holding one")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientInt, E> {
                Ok(LenientInt(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientInt, E> {
                Ok(LenientInt(i64::try_from(v).ok()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientInt, E> {
                let ok = v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15;
                Ok(LenientInt(ok.then_some(v as i64)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientInt, E> {
                Ok(LenientInt(v.trim().parse().ok()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientInt, E> {
                Ok(LenientInt(None))
            }
        }
        d.deserialize_any(V)
    }
}
