//! EPSS (the Exploit Prediction Scoring System's probability and percentile) as the tools write
//! it: numbers or strings holding numbers, read into [`Epss`] for the finding's `epss` field.

use crate::finding::Epss;
use serde_json::Value;

/// A number, or a string holding one; nothing for anything else.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// The EPSS of a finding, or `None` without a probability in `0..=1` ([`Epss::new`]).
pub(crate) fn read(probability: Option<&Value>, percentile: Option<&Value>) -> Option<Epss> {
    Epss::new(probability.and_then(number)?, percentile.and_then(number))
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::finding::Epss;
    use serde_json::json;

    #[test]
    fn numbers_and_strings_read_alike() {
        assert_eq!(
            read(Some(&json!(0.5)), Some(&json!("0.9"))),
            Some(Epss {
                probability: 0.5,
                percentile: Some(0.9)
            })
        );
        assert_eq!(
            read(Some(&json!("0.1")), None),
            Some(Epss {
                probability: 0.1,
                percentile: None
            })
        );
        assert_eq!(read(Some(&json!(null)), Some(&json!(0.9))), None);
    }

    #[test]
    fn values_outside_zero_to_one_are_not_probabilities() {
        assert_eq!(read(Some(&json!(38.3)), None), None);
        assert_eq!(read(Some(&json!("NaN")), None), None);
        assert_eq!(
            read(Some(&json!(0.2)), Some(&json!(97))),
            Some(Epss {
                probability: 0.2,
                percentile: None
            })
        );
    }
}
