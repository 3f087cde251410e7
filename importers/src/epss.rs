//! EPSS (the Exploit Prediction Scoring System's probability and percentile) as a line of a
//! finding's description: the normalized finding has no field of its own for it yet, so the
//! importers whose tools give it (Snyk, Dependabot) write it the same way, as text.

use serde_json::Value;

/// A number, or a string holding one, as the tool wrote it; nothing for anything else.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `EPSS: 0.00052 (percentile 0.2012)`, or `None` without a probability.
pub(crate) fn line(probability: Option<&Value>, percentile: Option<&Value>) -> Option<String> {
    let probability = probability.and_then(text)?;
    Some(match percentile.and_then(text) {
        Some(pct) => format!("EPSS: {probability} (percentile {pct})"),
        None => format!("EPSS: {probability}"),
    })
}

#[cfg(test)]
mod tests {
    use super::line;
    use serde_json::json;

    #[test]
    fn numbers_and_strings_read_alike() {
        assert_eq!(
            line(Some(&json!(0.5)), Some(&json!("0.9"))).as_deref(),
            Some("EPSS: 0.5 (percentile 0.9)")
        );
        assert_eq!(
            line(Some(&json!("0.1")), None).as_deref(),
            Some("EPSS: 0.1")
        );
        assert_eq!(line(Some(&json!(null)), Some(&json!(0.9))), None);
        assert_eq!(line(Some(&json!([])), None), None);
    }
}
