//! Message texts: templates with arguments, message strings of rules and tools, first lines.

use super::raw::*;
use super::run::{RuleRef, Run};
use serde_json::Value;
use std::collections::BTreeMap;

/// Replaces `{0}`, `{1}`, ... by the message arguments; `{{` and `}}` are literal braces.
pub(super) fn format_message(template: &str, arguments: &[Value]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(close) = tail.find('}').filter(|_| tail.starts_with('{')) {
            let inside = &tail[1..close];
            if let Some(arg) = inside.parse::<usize>().ok().and_then(|n| arguments.get(n)) {
                match arg {
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                rest = &tail[close + 1..];
                continue;
            }
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

pub(super) fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// The first non-blank line of a text, at most 300 characters.
pub(super) fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

impl<'r> Run<'r> {
    /// The text of a message: `text`, else `markdown`, else the rule's (or the tool's global)
    /// message string named by `id`; arguments filled in.
    pub(super) fn message_text(
        &self,
        message: &RawMessage,
        rule: Option<RuleRef<'_>>,
    ) -> Option<String> {
        let arguments = message.arguments.as_deref().unwrap_or_default();
        let fill = |template: &str| {
            if arguments.is_empty() {
                template.to_string()
            } else {
                format_message(template, arguments)
            }
        };
        if let Some(text) = non_empty(message.text.as_deref()) {
            return Some(fill(text));
        }
        if let Some(markdown) = non_empty(message.markdown.as_deref()) {
            return Some(fill(markdown));
        }
        let id = message.id.as_deref()?;
        let lookup = |strings: Option<&BTreeMap<String, RawMessage>>| {
            strings
                .and_then(|s| s.get(id))
                .and_then(|m| non_empty(m.text.as_deref()).or(non_empty(m.markdown.as_deref())))
                .map(fill)
        };
        rule.and_then(|(r, _)| lookup(r.message_strings.as_ref()))
            .or_else(|| {
                rule.and_then(|(_, c)| c)
                    .and_then(|c| lookup(c.global_message_strings.as_ref()))
            })
            .or_else(|| {
                self.driver
                    .and_then(|d| lookup(d.global_message_strings.as_ref()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_templates() {
        let args = [Value::from("ptr"), Value::from(0)];
        assert_eq!(
            format_message("Variable \"{0}\" declared [here]({1}). {{x}} {7} {", &args),
            "Variable \"ptr\" declared [here](0). {x} {7} {"
        );
    }
}
