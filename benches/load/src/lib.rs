//! Shared by the bench binaries of `load-bench`.
//!
//! Module map:
//! - [`coldstart`]: the `coldstart` binary's cases (each function with its events and answer checks), one cold
//!   start measured, the report (markdown and JSON), and a minimal Particle event stream for sse-drain.
//! - [`moto`]: the local DynamoDB server in its own process group: start, stop, restart with its data.
//! - [`gate`]: an `ItemStore` wrapper failing every call while closed (moto's restart, until its replay is done).
//! - [`runtime_api`]: a fake Lambda Runtime API on 127.0.0.1 (`invocation/next`, `.../response`), timing what a
//!   function binary does (the `coldstart` binary).
//! - [`report`]: `make bench`'s one report (criterion results, cold start, load, sizes, cost per million events)
//!   and its block in the README (the `bench-report` binary).
//! - [`sse_outage`]: the `sse-outage` run: SSE windows of the real drainer into moto, moto killed and restarted.
//! - [`sse_ledger`]: its accounting: events sent (with times), stored, missed, inside a gap item's span.
//! - [`sse_checks`]: what it asserts (nothing acknowledged lost, nothing stored twice or dropped silently).

pub mod coldstart;
pub mod gate;
pub mod moto;
pub mod report;
pub mod runtime_api;
pub mod sse_checks;
pub mod sse_ledger;
pub mod sse_outage;

use std::path::PathBuf;

/// moto_server: `$MOTO_SERVER`, else the workspace's `.venv` (what `make test` installs).
pub fn moto_binary() -> PathBuf {
    std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server")
        })
}
