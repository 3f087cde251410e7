//! A CycloneDX vulnerability to normalized findings: one per affected component.
//!
//! - rule: the vulnerability's `id` (CVE, GHSA, a vendor's id); aliases: `references[].id`.
//! - component: `affects[].ref` looked up among the BOM's components (nested ones and
//!   `metadata.component` too); a ref that names none keeps the ref as the package's name.
//! - severity: the most severe of the ratings' words, else of their CVSS scores; the rating
//!   it came from kept as the original (`critical (CVSSv31, NVD)`).
//! - CVSS: every rating of a CVSS method; CWE: `cwes`; references: the source's URL and the
//!   advisories; the source's name and the publication date close the description.
//! - tool status: VEX `analysis.state` (`not_affected`, `false_positive`, `exploitable`,
//!   `in_triage`, `resolved`); `domain::ToolDecision::of` reads the first two as decisions.
//! - identity: `copies.rs` (advisory, package URL without version, which copy), so one BOM's
//!   package named twice under two refs stays two findings, and a ref repeated is one.

use super::TOOL;
use super::model::{Affected, Part, Parts, Rating, Vulnerability};
use crate::copies::{Copies, PackageIdentity};
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::record::{cvss_version, non_empty, push_distinct};

/// A severity word of CycloneDX's `severity` enumeration (`none` and `info` are info).
fn severity_word(word: &str) -> Severity {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" => Severity::Low,
        "info" | "none" | "negligible" => Severity::Info,
        _ => Severity::Unknown,
    }
}

/// CVSS's qualitative scale.
fn severity_of_score(score: f64) -> Severity {
    match score {
        s if s >= 9.0 => Severity::Critical,
        s if s >= 7.0 => Severity::High,
        s if s >= 4.0 => Severity::Medium,
        s if s > 0.0 => Severity::Low,
        _ => Severity::Info,
    }
}

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 5,
        Severity::High => 4,
        Severity::Medium => 3,
        Severity::Low => 2,
        Severity::Info => 1,
        _ => 0,
    }
}

/// The severity of a rating and how it was written.
fn rated(r: &Rating) -> Option<(Severity, String)> {
    let (severity, word) = match (r.severity.as_deref(), r.score) {
        (Some(word), _) if severity_word(word) != Severity::Unknown => {
            (severity_word(word), word.trim().to_string())
        }
        (_, Some(score)) if is_cvss(r) => (severity_of_score(score), format!("score {score}")),
        _ => return None,
    };
    let from: Vec<&str> = [r.method.as_deref(), r.source.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    Some(if from.is_empty() {
        (severity, word)
    } else {
        (severity, format!("{word} ({})", from.join(", ")))
    })
}

fn is_cvss(r: &Rating) -> bool {
    r.method
        .as_deref()
        .is_some_and(|m| m.to_ascii_uppercase().starts_with("CVSS"))
        || r.vector.as_deref().is_some_and(|v| v.starts_with("CVSS:"))
}

/// The most severe rating; the first of equals.
pub fn severity(ratings: &[Rating]) -> (Severity, Option<String>) {
    let mut best: Option<(Severity, String)> = None;
    for r in ratings {
        if let Some((s, original)) = rated(r)
            && best.as_ref().is_none_or(|(b, _)| rank(s) > rank(*b))
        {
            best = Some((s, original));
        }
    }
    match best {
        Some((s, original)) => (s, Some(original)),
        None => (Severity::Unknown, None),
    }
}

fn cvss_of(r: &Rating) -> Option<Cvss> {
    if !is_cvss(r) || (r.vector.is_none() && r.score.is_none()) {
        return None;
    }
    let default = match r.method.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("CVSSV2") => "2.0",
        Some("CVSSV3") => "3.0",
        Some("CVSSV4") => "4.0",
        _ => "3.1",
    };
    Some(Cvss {
        version: cvss_version(r.vector.as_deref(), default),
        vector: r.vector.clone(),
        score: r.score,
        source: r.source.clone(),
    })
}

/// The findings of one vulnerability, one per affected component (a repeated target is one).
pub fn findings(
    v: &Vulnerability,
    parts: &Parts,
    copies: &mut Copies,
) -> Result<Vec<Finding>, &'static str> {
    let Some(id) = non_empty(v.id.clone()) else {
        return Err("a vulnerability without id");
    };
    let mut out = Vec::new();
    if v.affects.is_empty() {
        // A vulnerability that names no component is still a finding of the BOM's subject.
        if let Some(f) = finding(v, &id, &Affected::default(), None, copies) {
            out.push(f);
        }
    }
    for affected in &v.affects {
        let part = parts.get(&affected.bom_ref).or(affected.enclosing.as_ref());
        if let Some(f) = finding(v, &id, affected, part, copies) {
            out.push(f);
        }
    }
    Ok(out)
}

fn finding(
    v: &Vulnerability,
    id: &str,
    affected: &Affected,
    part: Option<&Part>,
    copies: &mut Copies,
) -> Option<Finding> {
    let part = part.cloned().unwrap_or_else(|| Part {
        name: non_empty(Some(affected.bom_ref.clone())),
        ..Part::default()
    });
    let package_type = part
        .purl
        .as_deref()
        .and_then(|p| p.strip_prefix("pkg:"))
        .and_then(|p| p.split('/').next())
        .unwrap_or_default()
        .to_string();
    let fingerprint = copies.fingerprint(&PackageIdentity {
        tool: TOOL,
        kind: Kind::Vulnerability,
        advisory: id,
        package_type: &package_type,
        purl: part.purl.as_deref(),
        name: part.name.as_deref(),
        place: Some(&affected.bom_ref),
    })?;
    let (severity, severity_original) = severity(&v.ratings);
    let mut aliases = Vec::new();
    for a in &v.aliases {
        if a != id {
            push_distinct(&mut aliases, Some(a.clone()));
        }
    }
    let mut references = Vec::new();
    push_distinct(&mut references, v.source_url.clone());
    for a in &v.advisories {
        push_distinct(&mut references, Some(a.clone()));
    }
    let mut paragraphs: Vec<String> = [v.description.clone(), v.detail.clone()]
        .into_iter()
        .filter_map(non_empty)
        .collect();
    if let Some(state) = non_empty(v.state.clone()) {
        let mut line = format!("VEX analysis: {state}");
        if let Some(j) = non_empty(v.justification.clone()) {
            line.push_str(&format!(" ({j})"));
        }
        if !v.responses.is_empty() {
            line.push_str(&format!("; response: {}", v.responses.join(", ")));
        }
        if let Some(d) = non_empty(v.analysis_detail.clone()) {
            line.push_str(&format!(". {d}"));
        }
        paragraphs.push(line);
    }
    let source_and_date: Vec<String> = [
        non_empty(v.source_name.clone()).map(|s| format!("Source: {s}")),
        non_empty(v.published.clone()).map(|p| format!("published {p}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !source_and_date.is_empty() {
        paragraphs.push(source_and_date.join(", "));
    }
    let remediation: Vec<String> = [v.recommendation.clone(), v.workaround.clone()]
        .into_iter()
        .filter_map(non_empty)
        .collect();
    let fixed_version = (!affected.unaffected.is_empty()).then(|| affected.unaffected.join(", "));
    let title = match (&part.name, &part.version) {
        (Some(n), Some(ver)) => format!("{id} in {n}:{ver}"),
        (Some(n), None) => format!("{id} in {n}"),
        _ => id.to_string(),
    };
    Some(Finding {
        epss: None,
        fingerprint,
        kind: Kind::Vulnerability,
        category: None,
        rule_id: id.to_string(),
        title,
        description: (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n")),
        remediation: (!remediation.is_empty()).then(|| remediation.join("\n\n")),
        severity,
        severity_original,
        cvss: v.ratings.iter().filter_map(cvss_of).collect(),
        cwe: v.cwes.iter().map(|c| cwe_id(c)).collect(),
        aliases,
        references,
        component: Component {
            name: part.name,
            version: part.version,
            purl: part.purl,
            fixed_version,
        },
        location: Location::default(),
        tool_status: non_empty(v.state.clone()),
    })
}

/// `CWE-502` for `502` or `CWE-502`.
fn cwe_id(cwe: &str) -> String {
    let bare = cwe.trim().trim_start_matches("CWE-");
    format!("CWE-{bare}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(severity: Option<&str>, score: Option<f64>, method: &str) -> Rating {
        Rating {
            severity: severity.map(str::to_string),
            score,
            method: Some(method.into()),
            ..Rating::default()
        }
    }

    #[test]
    fn the_most_severe_rating_wins_in_any_order() {
        let low = rating(Some("low"), Some(3.1), "CVSSv2");
        let critical = rating(Some("critical"), Some(9.8), "CVSSv31");
        for ratings in [
            vec![low.clone(), critical.clone()],
            vec![critical.clone(), low.clone()],
        ] {
            assert_eq!(severity(&ratings).0, Severity::Critical);
        }
    }

    #[test]
    fn a_score_without_word_follows_the_cvss_scale() {
        let (s, original) = severity(&[rating(None, Some(10.0), "CVSSv3")]);
        assert_eq!(s, Severity::Critical);
        assert_eq!(original.as_deref(), Some("score 10 (CVSSv3)"));
        assert_eq!(
            severity(&[rating(Some("unknown"), None, "other")]).0,
            Severity::Unknown
        );
        assert_eq!(
            severity(&[rating(Some("none"), None, "other")]).0,
            Severity::Info
        );
    }
}
