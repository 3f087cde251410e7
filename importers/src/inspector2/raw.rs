//! Inspector2 finding records as `aws inspector2 list-findings` writes them (the API's
//! `Finding`), and ECR enhanced scanning's `enhancedFindings`, which are the same records under
//! two other names for the score (`score`, `scoreDetails.cvss`). Only what a finding needs is
//! read; every field is optional, so a record that lacks one is judged by the normalize step.

use serde::{Deserialize, Deserializer};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawFinding {
    pub finding_arn: Option<String>,
    pub aws_account_id: Option<String>,
    #[serde(rename = "type")]
    pub finding_type: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    pub status: Option<String>,
    pub remediation: Option<RawRemediation>,
    #[serde(default, deserialize_with = "number_or_text", alias = "score")]
    pub inspector_score: Option<f64>,
    #[serde(alias = "scoreDetails")]
    pub inspector_score_details: Option<RawScoreDetails>,
    pub package_vulnerability_details: Option<RawPackageDetails>,
    pub code_vulnerability_details: Option<RawCodeDetails>,
    pub network_reachability_details: Option<RawNetworkDetails>,
    pub fix_available: Option<String>,
    pub exploit_available: Option<String>,
    pub epss: Option<RawEpss>,
    #[serde(default)]
    pub resources: Vec<RawResource>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawRemediation {
    pub recommendation: Option<RawRecommendation>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawRecommendation {
    pub text: Option<String>,
    #[serde(rename = "Url", alias = "url")]
    pub url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawScoreDetails {
    /// Inspector2's name; ECR enhanced scanning calls it `cvss`.
    #[serde(alias = "cvss")]
    pub adjusted_cvss: Option<RawAdjustedCvss>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAdjustedCvss {
    #[serde(default, deserialize_with = "number_or_text")]
    pub score: Option<f64>,
    pub scoring_vector: Option<String>,
    pub version: Option<String>,
    pub score_source: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPackageDetails {
    pub vulnerability_id: Option<String>,
    #[serde(default)]
    pub vulnerable_packages: Vec<RawPackage>,
    pub source: Option<String>,
    #[serde(default)]
    pub cvss: Vec<RawCvss>,
    #[serde(default)]
    pub related_vulnerabilities: Vec<String>,
    pub source_url: Option<String>,
    pub vendor_severity: Option<String>,
    #[serde(default)]
    pub reference_urls: Vec<String>,
}

/// A vulnerable package. Security Hub's ASFF writes the same record with PascalCase names
/// (`Name`, `FixedInVersion`, `Architecture`), read through the aliases.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPackage {
    #[serde(alias = "Name")]
    pub name: Option<String>,
    #[serde(alias = "Version")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "number_or_text", alias = "Epoch")]
    pub epoch: Option<f64>,
    #[serde(alias = "Release")]
    pub release: Option<String>,
    #[serde(alias = "Architecture")]
    pub arch: Option<String>,
    #[serde(alias = "PackageManager")]
    pub package_manager: Option<String>,
    #[serde(alias = "FilePath")]
    pub file_path: Option<String>,
    #[serde(alias = "FixedInVersion")]
    pub fixed_in_version: Option<String>,
    #[serde(alias = "Remediation")]
    pub remediation: Option<String>,
    #[serde(alias = "SourceLayerHash")]
    pub source_layer_hash: Option<String>,
    #[serde(alias = "SourceLambdaLayerArn")]
    pub source_lambda_layer_arn: Option<String>,
}

/// One CVSS assessment; ASFF's names (`BaseScore`, `BaseVector`) through the aliases.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawCvss {
    #[serde(default, deserialize_with = "number_or_text", alias = "BaseScore")]
    pub base_score: Option<f64>,
    #[serde(alias = "BaseVector")]
    pub scoring_vector: Option<String>,
    #[serde(alias = "Version")]
    pub version: Option<String>,
    #[serde(alias = "Source")]
    pub source: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawCodeDetails {
    pub file_path: Option<RawCodeFile>,
    pub rule_id: Option<String>,
    pub detector_id: Option<String>,
    pub detector_name: Option<String>,
    #[serde(default)]
    pub cwes: Vec<String>,
    #[serde(default)]
    pub reference_urls: Vec<String>,
    pub source_lambda_layer_arn: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawCodeFile {
    pub file_name: Option<String>,
    pub file_path: Option<String>,
    pub start_line: Option<i64>,
    pub end_line: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawNetworkDetails {
    pub network_path: Option<RawNetworkPath>,
    pub open_port_range: Option<RawPortRange>,
    pub protocol: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawNetworkPath {
    #[serde(default)]
    pub steps: Vec<RawStep>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawStep {
    pub component_id: Option<String>,
    pub component_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawPortRange {
    pub begin: Option<i64>,
    pub end: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawEpss {
    #[serde(default, deserialize_with = "number_or_text")]
    pub score: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawResource {
    #[serde(rename = "type")]
    pub resource_type: Option<String>,
    pub id: Option<String>,
    pub region: Option<String>,
    pub details: Option<RawResourceDetails>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawResourceDetails {
    pub aws_ecr_container_image: Option<RawEcrImage>,
    pub aws_lambda_function: Option<RawLambda>,
    pub aws_ec2_instance: Option<RawEc2>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawEcrImage {
    pub registry: Option<String>,
    pub repository_name: Option<String>,
    #[serde(default)]
    pub image_tags: Vec<String>,
    pub image_hash: Option<String>,
    pub platform: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawLambda {
    pub function_name: Option<String>,
    pub version: Option<String>,
    pub runtime: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawEc2 {
    pub platform: Option<String>,
    pub image_id: Option<String>,
}

/// A number, or a number written as text (`"0.00239"`, as some exports write EPSS); text that
/// is not a number is no value.
pub fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(f64),
        Text(String),
    }
    Ok(match Option::<NumberOrText>::deserialize(d)? {
        Some(NumberOrText::Number(n)) => Some(n),
        Some(NumberOrText::Text(s)) => s.trim().parse().ok(),
        None => None,
    }
    .filter(|n: &f64| n.is_finite()))
}
