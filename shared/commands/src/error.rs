//! The error type of the crate.

use particle_cloud::LimitError;
use particle_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CommandError {
    /// The store failed (a fault, not the caller's mistake).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A reply template that does not compile (the compiler's message).
    #[error("the template does not compile: {0}")]
    Template(String),
    /// A scope that is not `default`, `product:<id>` or `device:<coreid>`.
    #[error("{0}")]
    Scope(String),
    /// A topic that is empty, too long or has control characters.
    #[error("{0}")]
    Topic(String),
    /// A Particle limit the push would break.
    #[error(transparent)]
    Limit(#[from] LimitError),
}
