//! Errors at the Lambda boundary. A failed invocation is reported to the runtime as an `errorType` and an
//! `errorMessage`; with a boxed error the type is a Rust type name and the message whatever string was built.
//! Each function instead returns its own `thiserror` enum implementing [`InvocationFailure`], and
//! [`diagnostic`] turns it into `errorType` = `Retryable.<cause>` or `Permanent.<cause>` (e.g.
//! `Retryable.store_unavailable`, `Permanent.deadline`), so logs, metrics and a DLQ record name the cause and
//! say whether trying again can help.

use lambda_runtime::Diagnostic;

/// What the runtime needs to know of a failed invocation.
pub trait InvocationFailure: std::error::Error {
    /// The cause: a short, stable snake_case name (`deadline`, `store_unavailable`, `auth_refused`, ...).
    fn kind(&self) -> &'static str;
    /// Whether the same invocation may succeed when retried (an outage), or not (a configuration error).
    fn retryable(&self) -> bool;
}

/// The runtime's view of `error`. Its message is the error's `Display`, which never holds a secret.
pub fn diagnostic<E: InvocationFailure + ?Sized>(error: &E) -> Diagnostic {
    let class = if error.retryable() {
        "Retryable"
    } else {
        "Permanent"
    };
    Diagnostic {
        error_type: format!("{class}.{}", error.kind()),
        error_message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum Failure {
        #[error("the invocation ran out of time ({0} ms left)")]
        Deadline(u64),
        #[error("the store is unavailable")]
        Store,
    }

    impl InvocationFailure for Failure {
        fn kind(&self) -> &'static str {
            match self {
                Failure::Deadline(_) => "deadline",
                Failure::Store => "store_unavailable",
            }
        }
        fn retryable(&self) -> bool {
            matches!(self, Failure::Store)
        }
    }

    #[test]
    fn names_the_cause_and_whether_to_retry() {
        let d = diagnostic(&Failure::Deadline(300));
        assert_eq!(d.error_type, "Permanent.deadline");
        assert_eq!(
            d.error_message,
            "the invocation ran out of time (300 ms left)"
        );
        assert_eq!(
            diagnostic(&Failure::Store).error_type,
            "Retryable.store_unavailable"
        );
    }
}
