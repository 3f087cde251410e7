//! How bad a finding is, and what sort of problem it is: the two closed sets every importer
//! fills in and every rule reads.

use serde::{Deserialize, Serialize};

/// What sort of problem a finding is. Kinds are how users filter (for example keep `code`
/// smells out of a gate), so every importer must pick one deliberately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A known vulnerability (CVE, GHSA, ...) in a package.
    Vulnerability,
    /// Infrastructure-as-code or cloud configuration.
    Misconfiguration,
    /// Static analysis of source code (SAST, quality).
    Code,
    /// Dynamic web application scanning (DAST).
    Web,
    /// A leaked credential.
    Secret,
    /// A license of a dependency.
    License,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Vulnerability,
        Kind::Misconfiguration,
        Kind::Code,
        Kind::Web,
        Kind::Secret,
        Kind::License,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Misconfiguration => "misconfiguration",
            Kind::Code => "code",
            Kind::Web => "web",
            Kind::Secret => "secret",
            Kind::License => "license",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Our severity scale, ordered from least to most severe so that `>=` means "at least as bad".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Unknown,
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Most severe first: the order of columns in summaries.
    pub const DESCENDING: [Severity; 6] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
        Severity::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses our own names (case-insensitive). Tool-specific names are mapped by each importer.
    pub fn parse(s: &str) -> Option<Severity> {
        let lower = s.trim().to_ascii_lowercase();
        Severity::DESCENDING
            .into_iter()
            .find(|sev| sev.as_str() == lower)
    }

    /// A CVSS base score by the qualitative bands of CVSS v3 and v4 (9.0 critical, 7.0 high,
    /// 4.0 medium, above 0 low, 0 none as info); `None` for a score outside 0 to 10.
    pub fn from_cvss_score(score: f64) -> Option<Severity> {
        if !score.is_finite() || !(0.0..=10.0).contains(&score) {
            return None;
        }
        Some(if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        })
    }

    /// The ordinal used for sorting and threshold comparisons in the store (0 = unknown).
    pub fn rank(self) -> i16 {
        self as i16
    }

    pub fn from_rank(rank: i16) -> Severity {
        match rank {
            5 => Severity::Critical,
            4 => Severity::High,
            3 => Severity::Medium,
            2 => Severity::Low,
            1 => Severity::Info,
            _ => Severity::Unknown,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod cvss_band_tests {
    use super::Severity;

    #[test]
    fn cvss_scores_fall_in_their_bands() {
        for (score, band) in [
            (10.0, Some(Severity::Critical)),
            (9.0, Some(Severity::Critical)),
            (8.9, Some(Severity::High)),
            (7.0, Some(Severity::High)),
            (4.0, Some(Severity::Medium)),
            (3.9, Some(Severity::Low)),
            (0.1, Some(Severity::Low)),
            (0.0, Some(Severity::Info)),
            (10.1, None),
            (-1.0, None),
            (f64::NAN, None),
        ] {
            assert_eq!(Severity::from_cvss_score(score), band, "{score}");
        }
    }
}
