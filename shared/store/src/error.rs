//! Store errors. Messages name the operation and the cause; they never contain item contents or credentials.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The `STORE` setting (or a backend option) is wrong.
    #[error("store configuration: {0}")]
    Config(String),
    /// A DynamoDB call failed after the SDK's own retries.
    #[error("DynamoDB {operation} failed: {message}")]
    Dynamo {
        operation: &'static str,
        message: String,
    },
    /// A SQLite call failed.
    #[error("SQLite {operation} failed: {message}")]
    Sqlite {
        operation: &'static str,
        message: String,
    },
    /// Some items of a batch were still unprocessed after every retry.
    #[error("{operation}: {remaining} items still unprocessed after {attempts} attempts")]
    Unprocessed {
        operation: &'static str,
        remaining: usize,
        attempts: u32,
    },
    /// An item cannot be stored as given (a reserved attribute name, a bad attribute value).
    #[error("invalid item {pk}/{sk}: {reason}")]
    InvalidItem {
        pk: String,
        sk: String,
        reason: String,
    },
    /// An item read back from the store does not have the expected shape.
    #[error("stored item {pk}/{sk} is not readable: {reason}")]
    Corrupt {
        pk: String,
        sk: String,
        reason: String,
    },
}

impl StoreError {
    #[cfg(feature = "dynamodb")]
    pub(crate) fn dynamo(operation: &'static str, err: impl std::error::Error) -> Self {
        // DisplayErrorContext prints the whole cause chain (service code, message, dispatch failure).
        StoreError::Dynamo {
            operation,
            message: aws_sdk_dynamodb::error::DisplayErrorContext(err).to_string(),
        }
    }

    #[cfg(feature = "sqlite")]
    pub(crate) fn sqlite(operation: &'static str, err: impl std::fmt::Display) -> Self {
        StoreError::Sqlite {
            operation,
            message: err.to_string(),
        }
    }
}
