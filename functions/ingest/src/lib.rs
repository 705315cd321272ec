//! `ingest`: the webhook endpoint. A Particle webhook POSTs an event; it is authenticated, parsed, validated and
//! stored exactly once, and only then answered (201 new, 200 duplicate).
//!
//! Module map:
//! - [`config`]: settings from the environment (`STORE`, `WEBHOOK_SECRET[_ARN]`, `EVENT_TTL_DAYS`).
//! - [`auth`]: the shared secret, as `Authorization: Bearer` or HTTP Basic password, compared in constant time.
//! - [`body`]: method, size and content-type checks; the body's encoding (sniffed when no type is given).
//! - [`reply`]: the JSON answers, success and error (`{"error": code, "message": sentence}`).
//! - [`handler`]: [`Ingest::handle`], the whole request path, testable without the Lambda runtime.

pub mod auth;
pub mod body;
pub mod config;
pub mod handler;
pub mod reply;

pub use config::Config;
pub use handler::Ingest;
