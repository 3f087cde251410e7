//! SLA arithmetic: which findings count against a policy's days, when each is due, and
//! whether it is breached.

use crate::{Policy, Severity, TriageStatus, ViewFinding};
use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

/// One open finding against its SLA.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaItem {
    pub fingerprint: String,
    pub rule_id: String,
    pub title: String,
    pub tool: String,
    pub severity: Severity,
    /// `open`, `confirmed`, or `accepted` when the acceptance expired.
    pub status: TriageStatus,
    pub first_seen_at: NaiveDateTime,
    pub age_days: i64,
    /// `None`: the severity has no SLA.
    pub sla_days: Option<u32>,
    pub due_at: Option<NaiveDateTime>,
    /// Negative when breached.
    pub days_left: Option<i64>,
    pub breached: bool,
}

/// The findings that count against the SLA at `at` (open, confirmed, or accepted past the
/// acceptance's expiry; not ignored by the policy), each with its due date, most urgent first:
/// breached ones, then by due date, then most severe.
pub fn sla_items(findings: &[ViewFinding], policy: &Policy, at: NaiveDateTime) -> Vec<SlaItem> {
    let mut out: Vec<SlaItem> = findings
        .iter()
        .filter_map(|f| sla_item(f, policy, at))
        .collect();
    sort_sla_items(&mut out);
    out
}

/// One finding against the SLA at `at`, when it counts ([`sla_items`]'s rule, for a reader
/// that sees the findings one at a time).
pub fn sla_item(f: &ViewFinding, policy: &Policy, at: NaiveDateTime) -> Option<SlaItem> {
    let path = f.file.as_deref().or(f.resource.as_deref());
    if policy.ignored_by(&f.tool, &f.rule_id, path).is_some() {
        return None;
    }
    let counts = match f.status {
        TriageStatus::Open | TriageStatus::Confirmed => true,
        TriageStatus::Accepted => f.expires_at().is_some_and(|e| e <= at),
        TriageStatus::FalsePositive => false,
    };
    if !counts {
        return None;
    }
    let sla_days = policy.sla.days(f.severity);
    let due_at = sla_days.map(|d| f.first_seen_at + TimeDelta::days(i64::from(d)));
    Some(SlaItem {
        fingerprint: f.fingerprint.clone(),
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        tool: f.tool.clone(),
        severity: f.severity,
        status: f.status,
        first_seen_at: f.first_seen_at,
        age_days: (at - f.first_seen_at).num_days(),
        sla_days,
        due_at,
        days_left: due_at.map(|d| (d - at).num_days()),
        breached: due_at.is_some_and(|d| at > d),
    })
}

/// Most urgent first: breached ones, then by due date, then most severe; items otherwise
/// equal keep their order (the view's).
pub fn sort_sla_items(items: &mut [SlaItem]) {
    items.sort_by(|a, b| {
        b.breached
            .cmp(&a.breached)
            .then_with(|| a.due_at.cmp(&b.due_at))
            .then_with(|| b.severity.cmp(&a.severity))
    });
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Decision;

    /// Midnight of a day of March 2026; findings are first seen on 1 March.
    fn day(d: u32) -> NaiveDateTime {
        crate::testing::day(3, d)
    }

    /// An undecided finding first seen on 1 March.
    fn finding(fingerprint: &str, severity: Severity) -> ViewFinding {
        let mut f = crate::testing::finding(fingerprint, severity, 1);
        f.first_seen_at = day(1);
        f
    }

    fn confirmed(fingerprint: &str, severity: Severity) -> ViewFinding {
        let mut f = finding(fingerprint, severity);
        f.status = TriageStatus::Confirmed;
        f
    }

    fn false_positive(fingerprint: &str, severity: Severity) -> ViewFinding {
        let mut f = finding(fingerprint, severity);
        f.status = TriageStatus::FalsePositive;
        f
    }

    #[test]
    fn due_dates_count_from_first_seen_and_breaches_come_first() {
        // Defaults: critical 7 days, high 30.
        let policy = Policy::default();
        let findings = [
            finding("high", Severity::High),
            confirmed("critical", Severity::Critical),
        ];
        let items = sla_items(&findings, &policy, day(10));
        let order: Vec<_> = items.iter().map(|i| i.fingerprint.as_str()).collect();
        assert_eq!(order, ["critical", "high"]);
        assert!(items[0].breached);
        assert_eq!(items[0].due_at, Some(day(8)));
        assert_eq!(items[0].days_left, Some(-2));
        assert_eq!(items[0].age_days, 9);
        assert!(!items[1].breached);
        assert_eq!(items[1].sla_days, Some(30));
    }

    #[test]
    fn decided_findings_count_only_when_an_acceptance_expired() {
        let policy = Policy::default();
        let mut accepted = finding("accepted", Severity::High);
        accepted.status = TriageStatus::Accepted;
        accepted.decision = Some(Decision {
            justification: Some("j".into()),
            approver: Some("a".into()),
            expires_at: Some(day(5)),
            decided_by: "d".into(),
            decided_at: day(2),
        });
        let findings = [accepted, false_positive("fp", Severity::Critical)];
        assert!(sla_items(&findings, &policy, day(4)).is_empty());
        let after = sla_items(&findings, &policy, day(6));
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].status, TriageStatus::Accepted);
    }
}
