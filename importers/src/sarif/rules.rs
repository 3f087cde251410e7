//! Finding a result's rule among the driver's and the extensions' rules.

use super::raw::*;
use super::run::{RuleRef, Run};

impl<'r> Run<'r> {
    /// The rule of a result: by `rule.index` (in the component named by `toolComponent`) or
    /// `ruleIndex` when the rule there has the result's id (or the result has none), else by id
    /// (a hierarchical id `A/B` falls back to `A`).
    pub(super) fn rule(&self, result: &RawResult, id: Option<&str>) -> Option<RuleRef<'r>> {
        let reference = result.rule.as_ref();
        let index = reference
            .and_then(|r| r.index)
            .or(result.rule_index)
            .and_then(|i| usize::try_from(i).ok());
        let component = match reference
            .and_then(|r| r.tool_component.as_ref())
            .and_then(|c| c.index)
        {
            Some(i) => usize::try_from(i).ok().and_then(|i| self.extensions.get(i)),
            None => self.driver,
        };
        if let (Some(index), Some(component)) = (index, component)
            && let Some(rule) = component
                .rules
                .as_deref()
                .and_then(|rules| rules.get(index))
            && (id.is_none() || rule.id.as_deref() == id)
        {
            return Some((rule, Some(component)));
        }
        let id = id?;
        self.rules_by_id.get(id).copied().or_else(|| {
            id.split_once('/')
                .and_then(|(head, _)| self.rules_by_id.get(head).copied())
        })
    }

    /// For producers that write no rule id (Gitleaks 7: `AWS Access Key secret detected`): the
    /// longest rule id that occurs in the message as whole words.
    pub(super) fn rule_from_message(&self, message: Option<&str>) -> Option<RuleRef<'r>> {
        let message = message?;
        let whole_word = |id: &str| {
            message.match_indices(id).any(|(at, _)| {
                let before = message[..at].chars().next_back();
                let after = message[at + id.len()..].chars().next();
                before.is_none_or(|c| !c.is_alphanumeric())
                    && after.is_none_or(|c| !c.is_alphanumeric())
            })
        };
        self.rules_by_id
            .iter()
            .filter(|(id, _)| !id.trim().is_empty() && whole_word(id))
            .max_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| b.0.cmp(a.0)))
            .map(|(_, rule)| *rule)
    }
}
