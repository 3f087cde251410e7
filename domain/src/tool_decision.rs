//! Decisions made inside the scanners: a SonarQube issue resolved as a false positive, a Trivy
//! vulnerability the vendor will not fix, a SARIF result suppressed in the source. They are
//! kept beside our triage, never turned into it: the importers store the tool's own word
//! (`tool_status`), and [`ToolDecision::of`] reads a decision out of it. The policy says which
//! of them the gate honours ([`crate::GatePolicy::honour_tool_decisions`]).

use crate::InvalidValue;
use serde::{Deserialize, Serialize};

/// What a tool decided about one of its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ToolDecision {
    /// The tool's user marked it a false positive (SonarQube `FALSE-POSITIVE`, Acunetix
    /// `FalsePositive`).
    FalsePositive,
    /// The code or package is not affected (SonarQube hotspot reviewed `SAFE`, a vendor's
    /// `not_affected` in Trivy).
    NotAffected,
    /// No fix will be made (SonarQube `WONTFIX`, Trivy `will_not_fix` and `end_of_life`).
    WontFix,
    /// The risk was accepted in the tool (SonarQube `ACCEPTED`, hotspot `ACKNOWLEDGED`,
    /// Acunetix `AcceptedRisk`): no approver or expiry is known to us.
    Accepted,
    /// Suppressed by the tool's own mechanism (an accepted SARIF suppression).
    Suppressed,
}

impl ToolDecision {
    pub const ALL: [ToolDecision; 5] = [
        ToolDecision::FalsePositive,
        ToolDecision::NotAffected,
        ToolDecision::WontFix,
        ToolDecision::Accepted,
        ToolDecision::Suppressed,
    ];

    /// What the gate honours when the policy does not say: a tool's false positives,
    /// not-affected and won't-fix. Acceptances need our own decision, with an approver.
    pub const HONOURED_BY_DEFAULT: [ToolDecision; 3] = [
        ToolDecision::FalsePositive,
        ToolDecision::NotAffected,
        ToolDecision::WontFix,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ToolDecision::FalsePositive => "false_positive",
            ToolDecision::NotAffected => "not_affected",
            ToolDecision::WontFix => "wont_fix",
            ToolDecision::Accepted => "accepted",
            ToolDecision::Suppressed => "suppressed",
        }
    }

    /// How people read it: `false positive`, `won't fix`.
    pub fn label(self) -> &'static str {
        match self {
            ToolDecision::FalsePositive => "false positive",
            ToolDecision::NotAffected => "not affected",
            ToolDecision::WontFix => "won't fix",
            ToolDecision::Accepted => "accepted",
            ToolDecision::Suppressed => "suppressed",
        }
    }

    /// Our names (`false_positive`; `-` for `_` is accepted).
    pub fn parse(s: &str) -> Result<ToolDecision, InvalidValue> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        ToolDecision::ALL
            .into_iter()
            .find(|d| d.as_str() == norm)
            .ok_or_else(|| {
                InvalidValue::new(
                    "tool_decision",
                    format!(
                        "unknown tool decision {s:?}: use false_positive, not_affected, \
                         wont_fix, accepted or suppressed"
                    ),
                )
            })
    }

    /// The decision in a tool's status, as the importers keep it: SonarQube's
    /// `STATUS/RESOLUTION` (`RESOLVED/FALSE-POSITIVE`, `REVIEWED/SAFE`) or 2025.x `issueStatus`,
    /// Trivy's vulnerability status, SARIF's `suppressed`, Acunetix's state, CycloneDX's VEX
    /// `analysis.state`. `None` for a
    /// status that decides nothing (`OPEN`, `affected`, `fixed`: a fix exists, which is not a
    /// decision about the finding).
    pub fn of(tool_status: &str) -> Option<ToolDecision> {
        // The resolution is the part after the last `/` (SonarQube writes `STATUS/RESOLUTION`).
        let word = tool_status.rsplit('/').next().unwrap_or(tool_status);
        let norm: String = word
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match norm.as_str() {
            // Dependabot's `inaccurate`: the alert is wrong.
            "falsepositive" | "inaccurate" => Some(ToolDecision::FalsePositive),
            // Snyk's `not-vulnerable`; Dependabot's `not_used` (the vulnerable code is not used).
            "safe" | "notaffected" | "notvulnerable" | "notused" => Some(ToolDecision::NotAffected),
            "wontfix" | "willnotfix" | "endoflife" => Some(ToolDecision::WontFix),
            // Snyk's `temporary-ignore`; Dependabot's `tolerable_risk`, and `no_bandwidth` (a
            // fix put off, which is a risk accepted for now, not a decision that none will come).
            "accepted" | "acknowledged" | "acceptedrisk" | "temporaryignore" | "tolerablerisk"
            | "nobandwidth" => Some(ToolDecision::Accepted),
            // Checkov's skipped checks (`#checkov:skip=` or a skip in its configuration); Snyk's
            // ignore without a reason type; Dependabot's auto-triage rules.
            "suppressed" | "skipped" | "ignored" | "autodismissed" => {
                Some(ToolDecision::Suppressed)
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for ToolDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a tool is named to people: "decided in SonarQube". Tools we do not know by name keep
/// the name their reports give.
pub fn tool_display_name(tool: &str) -> &str {
    match tool {
        "sonarqube" => "SonarQube",
        "trivy" => "Trivy",
        "acunetix" => "Acunetix",
        "tfsec" => "tfsec",
        "fossa" => "FOSSA",
        "grype" => "Grype",
        "osv-scanner" => "OSV-Scanner",
        "sarif" => "the SARIF tool",
        "aws-inspector" => "Amazon Inspector",
        "aws-securityhub" => "AWS Security Hub",
        "aws-ecr" => "Amazon ECR",
        "trivy-operator" => "Trivy Operator",
        "semgrep" => "Semgrep",
        "bandit" => "Bandit",
        "checkov" => "Checkov",
        "mend" => "Mend",
        "sonarqube-quality-gate" => "the SonarQube quality gate",
        "snyk" => "Snyk",
        "dependabot" => "Dependabot",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_read_from_each_tools_own_words() {
        for (status, decision) in [
            ("RESOLVED/FALSE-POSITIVE", Some(ToolDecision::FalsePositive)),
            ("RESOLVED/WONTFIX", Some(ToolDecision::WontFix)),
            ("RESOLVED/ACCEPTED", Some(ToolDecision::Accepted)),
            ("ACCEPTED", Some(ToolDecision::Accepted)),
            ("REVIEWED/SAFE", Some(ToolDecision::NotAffected)),
            ("REVIEWED/ACKNOWLEDGED", Some(ToolDecision::Accepted)),
            ("will_not_fix", Some(ToolDecision::WontFix)),
            ("end_of_life", Some(ToolDecision::WontFix)),
            ("not_affected", Some(ToolDecision::NotAffected)),
            ("suppressed", Some(ToolDecision::Suppressed)),
            ("skipped", Some(ToolDecision::Suppressed)),
            ("FalsePositive", Some(ToolDecision::FalsePositive)),
            ("AcceptedRisk", Some(ToolDecision::Accepted)),
            ("ignored", Some(ToolDecision::Suppressed)),
            ("ignored/not-vulnerable", Some(ToolDecision::NotAffected)),
            ("ignored/wont-fix", Some(ToolDecision::WontFix)),
            ("ignored/temporary-ignore", Some(ToolDecision::Accepted)),
            ("dismissed/inaccurate", Some(ToolDecision::FalsePositive)),
            ("dismissed/not_used", Some(ToolDecision::NotAffected)),
            ("dismissed/tolerable_risk", Some(ToolDecision::Accepted)),
            ("dismissed/no_bandwidth", Some(ToolDecision::Accepted)),
            ("dismissed/fix_started", None),
            ("auto_dismissed", Some(ToolDecision::Suppressed)),
            ("dismissed", None),
            ("OPEN", None),
            ("CONFIRMED", None),
            ("TO_REVIEW", None),
            ("RESOLVED/FIXED", None),
            ("affected", None),
            ("fixed", None),
            ("suppression_under_review", None),
            ("", None),
        ] {
            assert_eq!(ToolDecision::of(status), decision, "{status}");
        }
    }

    /// CycloneDX VEX `analysis.state`: the two decisions are read, the other states decide
    /// nothing (`resolved` says a fix was made, which the next scan shows).
    #[test]
    fn cyclonedx_analysis_states_are_read_where_they_decide() {
        for (state, decision) in [
            ("not_affected", Some(ToolDecision::NotAffected)),
            ("false_positive", Some(ToolDecision::FalsePositive)),
            ("resolved", None),
            ("resolved_with_pedigree", None),
            ("exploitable", None),
            ("in_triage", None),
        ] {
            assert_eq!(ToolDecision::of(state), decision, "{state}");
        }
    }

    #[test]
    fn names_round_trip() {
        for d in ToolDecision::ALL {
            assert_eq!(ToolDecision::parse(d.as_str()).ok(), Some(d));
        }
        assert_eq!(
            ToolDecision::parse("wont-fix").ok(),
            Some(ToolDecision::WontFix)
        );
        assert!(ToolDecision::parse("fixed").is_err());
    }
}
