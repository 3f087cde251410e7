//! The run a result belongs to: its tool family, how its results are read, and the run-level
//! lists (rules, base ids, artifacts) that results refer to. The other modules add to `Run`
//! what they read of a result; this one depends on none of them.

use super::raw::*;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};

/// The tool family of a driver name: lower-cased, with tfsec's engine name (`defsec`) mapped to
/// `tfsec`. An unnamed driver is `sarif`.
pub fn tool_family(driver_name: Option<&str>) -> String {
    let name = driver_name
        .map(str::trim)
        .unwrap_or_default()
        .to_lowercase();
    match name.as_str() {
        "" => "sarif".to_string(),
        "defsec" | "tfsec" => "tfsec".to_string(),
        _ => name,
    }
}

/// How a run's results are read: most tools generically, two with their own identity rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavor {
    Generic,
    Trivy,
    Tfsec,
}

/// Where a rule lives: the driver or one of the extensions.
pub(super) type RuleRef<'r> = (&'r RawRule, Option<&'r RawToolComponent>);

/// Everything a run's results share.
pub struct Run<'r> {
    pub(super) tool: String,
    pub(super) flavor: Flavor,
    pub(super) driver: Option<&'r RawToolComponent>,
    pub(super) extensions: &'r [RawToolComponent],
    pub(super) rules_by_id: HashMap<&'r str, RuleRef<'r>>,
    pub(super) bases: Option<&'r BTreeMap<String, RawArtifactLocation>>,
    pub(super) artifacts: &'r [RawArtifact],
    /// What the walk had not read yet when this run was built (see [`Run::before`]).
    pub(super) unread: Unread,
    /// Set when a result looked up a base id or artifact that was still unread.
    pub(super) missed: Cell<Unread>,
}

/// Run-level lists that results may use but that were not read yet when the results came.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Unread {
    /// `originalUriBaseIds`.
    pub bases: bool,
    /// `artifacts`.
    pub artifacts: bool,
}

impl<'r> Run<'r> {
    pub fn new(run: &'r RawRun) -> Run<'r> {
        let driver = run.tool.as_ref().and_then(|t| t.driver.as_ref());
        let extensions = run
            .tool
            .as_ref()
            .and_then(|t| t.extensions.as_deref())
            .unwrap_or_default();
        let tool = tool_family(driver.and_then(|d| d.name.as_deref()));
        let flavor = match tool.as_str() {
            "trivy" => Flavor::Trivy,
            "tfsec" => Flavor::Tfsec,
            _ => Flavor::Generic,
        };
        let mut rules_by_id: HashMap<&str, RuleRef<'_>> = HashMap::new();
        // Extensions first, so that the driver's rules win on a shared id.
        for component in extensions.iter().chain(driver) {
            for rule in component.rules.as_deref().unwrap_or_default() {
                if let Some(id) = rule.id.as_deref() {
                    rules_by_id.insert(id, (rule, Some(component)));
                }
            }
        }
        Run {
            tool,
            flavor,
            driver,
            extensions,
            rules_by_id,
            bases: run.original_uri_base_ids.as_ref(),
            artifacts: run.artifacts.as_deref().unwrap_or_default(),
            unread: Unread::default(),
            missed: Cell::new(Unread::default()),
        }
    }

    /// The run as far as it has been read, for results that come before the lists in `unread`:
    /// a result that looks one of them up is converted without it, and [`Run::missed`] says so.
    pub fn before(mut self, unread: Unread) -> Run<'r> {
        self.unread = unread;
        self
    }

    /// The unread lists that some result looked up.
    pub fn missed(&self) -> Unread {
        self.missed.get()
    }

    pub fn tool(&self) -> &str {
        &self.tool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_families() {
        assert_eq!(tool_family(Some("defsec")), "tfsec");
        assert_eq!(tool_family(Some(" Trivy ")), "trivy");
        assert_eq!(tool_family(None), "sarif");
    }
}
