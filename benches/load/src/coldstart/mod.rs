//! The pieces of the `coldstart` binary: each function's release binary started fresh against the fake Lambda
//! Runtime API ([`crate::runtime_api`]), fed real-shaped events whose answers are all checked, and timed.
//!
//! Module map:
//! - [`cases`]: what runs: each function's binary, the environment the CDK stack gives it (secrets from the
//!   environment instead of Secrets Manager), its events and the check of each answer.
//! - [`events`]: the events, built from the fixtures in `fixtures/lambda/`, and the answer checks.
//! - [`measure`]: one cold start and its invocations; the samples of a case.
//! - [`report`]: medians and ratios to hello-world, as a markdown table and as JSON rows.
//! - [`sse`]: a minimal Particle event stream on 127.0.0.1 for sse-drain.

pub mod cases;
pub mod events;
pub mod measure;
pub mod report;
pub mod sse;

use std::path::PathBuf;

/// Checks one answer (the body the function posted to `.../response`); `Err` says what is wrong.
pub type Check = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// One event handed to the function and what its answer must be.
pub struct Invocation {
    pub event: String,
    pub check: Check,
}

/// One row of the table: a binary, its environment and its invocations (the first is the cold one).
pub struct Case {
    pub name: String,
    pub binary: PathBuf,
    pub env: Vec<(String, String)>,
    pub invocations: Vec<Invocation>,
    /// The first and warm latencies are the length of a window the function drains, not its own work.
    pub window_bound: bool,
}
