//! The one error the domain's parsers and rules give: a value that is not acceptable.

/// A value refused by a parser or a rule: which field, and why (the reason is for people; the
/// field is for programs).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct InvalidValue {
    /// The name of the field or argument that was refused (`status`, `severity`, ...).
    pub field: &'static str,
    /// What is wrong with it, in a sentence.
    pub reason: String,
}

impl InvalidValue {
    pub fn new(field: &'static str, reason: impl Into<String>) -> InvalidValue {
        InvalidValue {
            field,
            reason: reason.into(),
        }
    }
}
