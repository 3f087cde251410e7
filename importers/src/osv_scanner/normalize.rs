//! An OSV-Scanner package to normalized findings: one per group of alias records (one per
//! record when the report has no groups), one per license violation.
//!
//! A group is what OSV-Scanner itself counts as one vulnerability: the records of several
//! databases about one flaw (`GHSA-g4mx-q9vg-27p4` and `PYSEC-2023-212` for CVE-2023-45803).
//! Its first id (OSV-Scanner sorts them) is the rule; the others and every alias are aliases.
//!
//! - severity: the GitHub advisory's word (`database_specific.severity`; `MODERATE` is medium),
//!   the highest of the group's records; else the group's `max_severity` (a CVSS base score) by
//!   the CVSS bands; else unknown.
//! - CVSS: the vectors of the records' `severity[]` (OSV calls the vector `score`); no base
//!   score is given for them.
//! - fixed version: the `fixed` events of the records' ecosystem and semver ranges for this
//!   package (git commits left out).

use super::TOOL;
use super::raw::*;
use crate::copies::{Copies, PackageIdentity};
use crate::finding::{Component, Cvss, Finding, Kind, Location, Severity};
use crate::record::{cvss_version, non_empty, push_distinct};

/// A severity word of an advisory database.
fn word_severity(word: &str) -> Severity {
    match word.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" => Severity::High,
        "MODERATE" | "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        _ => Severity::Unknown,
    }
}

/// The package a report entry is about.
struct Package {
    name: Option<String>,
    version: Option<String>,
    ecosystem: Option<String>,
    purl: Option<String>,
    place: Option<String>,
}

impl Package {
    /// Whether an OSV `affected[]` entry is about this package (names compared without case:
    /// PyPI's are case-insensitive and OSV-Scanner lower-cases some).
    fn is(&self, affected: &RawAffected) -> bool {
        let Some(p) = &affected.package else {
            return false;
        };
        let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        same(&self.name, &p.name) && same(&self.ecosystem, &p.ecosystem)
    }
}

/// The findings of one package, and the reasons for records skipped.
pub fn package(
    raw: RawPackage,
    source: &RawSource,
    copies: &mut Copies,
) -> (Vec<Finding>, Vec<&'static str>) {
    let info = raw.package.unwrap_or_default();
    let version = non_empty(info.version).or(non_empty(info.commit));
    let package = Package {
        name: non_empty(info.name),
        ecosystem: non_empty(info.ecosystem),
        purl: non_empty(info.purl),
        version,
        place: non_empty(source.path.clone()),
    };
    let mut skipped = Vec::new();
    let mut records: Vec<(String, RawVulnerability)> = Vec::new();
    for mut v in raw.vulnerabilities.unwrap_or_default() {
        match non_empty(v.id.take()) {
            Some(id) => records.push((id, v)),
            None => skipped.push("a vulnerability without id"),
        }
    }
    let groups = raw.groups.unwrap_or_default();
    // Each record's group (the first that names it); records in none are groups of their own.
    let group_of: Vec<Option<usize>> = records
        .iter()
        .map(|(id, _)| {
            groups
                .iter()
                .position(|g| g.ids.iter().flatten().any(|gid| gid == id))
        })
        .collect();
    let mut taken = vec![false; records.len()];
    let mut units: Vec<(Vec<usize>, Option<&RawGroup>)> = Vec::new();
    for i in 0..records.len() {
        if taken[i] {
            continue;
        }
        let Some(g) = group_of[i] else {
            taken[i] = true;
            units.push((vec![i], None));
            continue;
        };
        // The group's records in the group's order of ids.
        let mut members = Vec::new();
        for gid in groups[g].ids.iter().flatten() {
            for (k, (id, _)) in records.iter().enumerate() {
                if !taken[k] && group_of[k] == Some(g) && id == gid {
                    taken[k] = true;
                    members.push(k);
                }
            }
        }
        units.push((members, Some(&groups[g])));
    }
    let mut findings = Vec::new();
    for (members, group) in units {
        let unit: Vec<&(String, RawVulnerability)> = members.iter().map(|&k| &records[k]).collect();
        if let Some(f) = vulnerability(&unit, group, &package, copies) {
            findings.push(f);
        }
    }
    for license in raw.license_violations.unwrap_or_default() {
        if let Some(f) = license_violation(license, &package, copies) {
            findings.push(f);
        }
    }
    (findings, skipped)
}

fn vulnerability(
    unit: &[&(String, RawVulnerability)],
    group: Option<&RawGroup>,
    package: &Package,
    copies: &mut Copies,
) -> Option<Finding> {
    let (rule_id, first) = unit.first().map(|(id, v)| (id.clone(), v))?;
    let fingerprint = copies.fingerprint(&PackageIdentity {
        tool: TOOL,
        kind: Kind::Vulnerability,
        advisory: &rule_id,
        package_type: package.ecosystem.as_deref().unwrap_or_default(),
        purl: None,
        name: package.name.as_deref(),
        place: package.place.as_deref(),
    })?;
    let mut aliases = Vec::new();
    let group_ids = group.and_then(|g| g.ids.clone()).unwrap_or_default();
    let group_aliases = group.and_then(|g| g.aliases.clone()).unwrap_or_default();
    for id in unit
        .iter()
        .map(|(id, _)| id.clone())
        .chain(group_ids)
        .chain(
            unit.iter()
                .flat_map(|(_, v)| v.aliases.clone().unwrap_or_default()),
        )
        .chain(group_aliases)
    {
        if id != rule_id {
            push_distinct(&mut aliases, Some(id));
        }
    }

    let mut word: Option<(Severity, String)> = None;
    let mut cwe = Vec::new();
    let mut cvss: Vec<Cvss> = Vec::new();
    let mut references = Vec::new();
    let mut fixed = Vec::new();
    let mut base_purl: Option<String> = None;
    for (id, v) in unit {
        let specific = v.database_specific.as_ref();
        if let Some(w) = specific
            .and_then(|d| d.get("severity"))
            .and_then(|s| s.as_str())
        {
            let s = word_severity(w);
            if word.as_ref().is_none_or(|(best, _)| s > *best) {
                word = Some((s, w.to_string()));
            }
        }
        for c in specific
            .and_then(|d| d.get("cwe_ids"))
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
        {
            push_distinct(&mut cwe, c.as_str().map(str::to_string));
        }
        for s in v.severity.iter().flatten() {
            let (Some(kind), Some(vector)) = (&s.severity_type, &s.score) else {
                continue;
            };
            let Some(default) = kind.strip_prefix("CVSS_V") else {
                continue;
            };
            if cvss
                .iter()
                .any(|c| c.vector.as_deref() == Some(vector.as_str()))
            {
                continue;
            }
            let version = cvss_version(Some(vector), &format!("{default}.0"));
            cvss.push(Cvss {
                version,
                vector: Some(vector.clone()),
                score: None,
                source: id.split('-').next().map(str::to_ascii_lowercase),
            });
        }
        for r in v.references.iter().flatten() {
            push_distinct(&mut references, r.url.clone());
        }
        for a in v.affected.iter().flatten().filter(|a| package.is(a)) {
            if base_purl.is_none() {
                base_purl = a.package.as_ref().and_then(|p| non_empty(p.purl.clone()));
            }
            for c in a
                .database_specific
                .as_ref()
                .and_then(|d| d.get("cwes"))
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
            {
                push_distinct(
                    &mut cwe,
                    c.get("cweId").and_then(|i| i.as_str()).map(str::to_string),
                );
            }
            for range in a.ranges.iter().flatten() {
                if range
                    .range_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("GIT"))
                {
                    continue;
                }
                for event in range.events.iter().flatten() {
                    push_distinct(&mut fixed, event.fixed.clone());
                }
            }
        }
    }
    let max_severity = group
        .and_then(|g| non_empty(g.max_severity.clone()))
        .and_then(|s| s.trim().parse::<f64>().ok().map(|score| (score, s)));
    let (severity, severity_original) = match (word, max_severity) {
        (Some((s, w)), _) if s != Severity::Unknown => (s, Some(w)),
        (_, Some((score, text))) => (
            Severity::from_cvss_score(score).unwrap_or(Severity::Unknown),
            Some(text),
        ),
        (w, None) => (Severity::Unknown, w.map(|(_, w)| w)),
    };

    let title = non_empty(first.summary.clone()).unwrap_or_else(|| {
        match (&package.name, &package.version) {
            (Some(n), Some(v)) => format!("{rule_id} in {n}:{v}"),
            (Some(n), None) => format!("{rule_id} in {n}"),
            _ => rule_id.clone(),
        }
    });
    let description = unit
        .iter()
        .find_map(|(_, v)| non_empty(v.details.clone()))
        .or_else(|| unit.iter().find_map(|(_, v)| non_empty(v.summary.clone())));
    let fixed_version = (!fixed.is_empty()).then(|| fixed.join(", "));
    let purl = package.purl.clone().or_else(|| {
        let base = base_purl?;
        let version = package.version.as_ref()?;
        Some(format!("{base}@{version}"))
    });
    Some(Finding {
        epss: None,
        fingerprint,
        kind: Kind::Vulnerability,
        category: None,
        title,
        description,
        remediation: fixed_version.as_ref().map(|v| match &package.name {
            Some(n) => format!("Upgrade {n} to {v}"),
            None => format!("Upgrade to {v}"),
        }),
        severity,
        severity_original,
        cvss,
        cwe,
        aliases,
        references,
        component: Component {
            name: package.name.clone(),
            version: package.version.clone(),
            purl,
            fixed_version,
        },
        location: Location {
            target: package.place.clone(),
            file: package.place.clone(),
            ..Location::default()
        },
        tool_status: None,
        rule_id,
    })
}

/// A license of the package that the scan's allowlist does not allow.
fn license_violation(license: String, package: &Package, copies: &mut Copies) -> Option<Finding> {
    let license = non_empty(Some(license))?;
    let fingerprint = copies.fingerprint(&PackageIdentity {
        tool: TOOL,
        kind: Kind::License,
        advisory: &license,
        package_type: package.ecosystem.as_deref().unwrap_or_default(),
        purl: None,
        name: package.name.as_deref(),
        place: package.place.as_deref(),
    })?;
    let owner = package.name.clone().unwrap_or_default();
    Some(Finding {
        epss: None,
        fingerprint,
        kind: Kind::License,
        category: Some("license_violation".to_string()),
        title: format!("{license} license in {owner}"),
        description: Some(format!(
            "{owner} is licensed under {license}, which the scan's license allowlist does not allow."
        )),
        remediation: None,
        severity: Severity::Unknown,
        severity_original: None,
        cvss: Vec::new(),
        cwe: Vec::new(),
        aliases: Vec::new(),
        references: Vec::new(),
        component: Component {
            name: package.name.clone(),
            version: package.version.clone(),
            purl: package.purl.clone(),
            fixed_version: None,
        },
        location: Location {
            target: package.place.clone(),
            file: package.place.clone(),
            ..Location::default()
        },
        tool_status: None,
        rule_id: license,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_from_database_words() {
        assert_eq!(word_severity("MODERATE"), Severity::Medium);
        assert_eq!(word_severity("critical"), Severity::Critical);
        assert_eq!(word_severity("odd"), Severity::Unknown);
    }
}
