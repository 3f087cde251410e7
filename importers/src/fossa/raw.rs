//! FOSSA issue records as serde structs: one struct for every shape (Go CLI, current CLI, REST
//! API v2), since they share most keys. Every field is optional and unknown fields are ignored.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use std::fmt;

/// One issue: `fossa test --format json` `issues[]` (or the Go CLI's `Issues[]`), or one element
/// of the REST API v2 `/api/v2/issues` result.
#[derive(Debug, Default, Deserialize)]
pub struct RawIssue {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub issue_type: Option<String>,
    // --- CLI ---
    #[serde(rename = "priorityString")]
    pub priority_string: Option<String>,
    pub resolved: Option<bool>,
    #[serde(rename = "revisionId")]
    pub revision_id: Option<String>,
    pub rule: Option<RawRule>,
    pub license: Option<String>,
    #[serde(rename = "issueDashURL")]
    pub issue_dash_url: Option<String>,
    pub cve: Option<String>,
    #[serde(rename = "fixedIn")]
    pub fixed_in: Option<String>,
    // --- API v2 ---
    pub source: Option<RawSource>,
    pub severity: Option<String>,
    pub cvss: Option<f64>,
    #[serde(rename = "cvssVector")]
    pub cvss_vector: Option<String>,
    pub title: Option<String>,
    pub details: Option<String>,
    #[serde(rename = "vulnId")]
    pub vuln_id: Option<String>,
    pub remediation: Option<RawRemediation>,
    pub cwes: Option<Vec<String>>,
    pub references: Option<Vec<RawReference>>,
    pub url: Option<String>,
    pub projects: Option<Vec<RawProject>>,
    pub statuses: Option<RawStatuses>,
    #[serde(rename = "latestVersion")]
    pub latest_version: Option<String>,
}

/// CLI `rule`: `{"ruleId": n}` (v3.6.14+) or `{"licenseId": "..."}` (before, and the Go CLI).
#[derive(Debug, Default, Deserialize)]
pub struct RawRule {
    #[serde(rename = "licenseId")]
    pub license_id: Option<String>,
}

/// API v2 `source`: the dependency revision.
#[derive(Debug, Default, Deserialize)]
pub struct RawSource {
    pub id: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    #[serde(rename = "packageManager")]
    pub package_manager: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawRemediation {
    #[serde(rename = "partialFix")]
    pub partial_fix: Option<String>,
    #[serde(rename = "completeFix")]
    pub complete_fix: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawProject {
    pub id: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawStatuses {
    pub active: Option<u64>,
    pub ignored: Option<u64>,
}

/// A reference: a URL string, or (DefectDojo's sample) `{"url", "title"}`.
#[derive(Debug, Default)]
pub struct RawReference(pub Option<String>);

impl<'de> Deserialize<'de> for RawReference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawReference;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a reference URL or an object with a url")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawReference, E> {
                Ok(RawReference(Some(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RawReference, E> {
                Ok(RawReference(Some(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawReference, E> {
                Ok(RawReference(None))
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawReference, A::Error> {
                let mut url = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "url" {
                        url = map.next_value::<Option<String>>()?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(RawReference(url))
            }
        }
        d.deserialize_any(V)
    }
}

/// FOSSA issue ids are integers; hand-written files also use strings. Both are kept as text.
fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an issue id (integer or string)")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}
