//! Errors of parsing and validation, split the way an HTTP edge must answer them.

use thiserror::Error;

/// Why a payload could not become an [`crate::Event`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The payload is not well-formed in its encoding (bad JSON, bad percent-encoding, not UTF-8,
    /// a repeated field). An HTTP edge answers 400.
    #[error("{0}")]
    Malformed(String),
    /// The payload is well-formed but a field breaks Particle's rules. An HTTP edge answers 422.
    #[error(transparent)]
    Invalid(#[from] FieldError),
}

/// A field that breaks Particle's rules; the message names the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("field `{field}` {problem}")]
pub struct FieldError {
    /// The field's name as the payload spells it.
    pub field: &'static str,
    /// What is wrong, as a sentence fragment ("is missing", "must be 24 hex characters, got 7").
    pub problem: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, problem: impl Into<String>) -> Self {
        FieldError {
            field,
            problem: problem.into(),
        }
    }
}
