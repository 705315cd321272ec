//! `ingest`: the webhook endpoint. A Particle webhook POSTs an event; the shared front end (`particle-webhook`)
//! authenticates, limits, negotiates and decodes it, and `ingest` stores it exactly once, answering only then
//! (201 new, 200 duplicate).
//!
//! Module map:
//! - [`config`]: settings from the environment (`STORE`, `WEBHOOK_SECRET[_PREVIOUS]` or `WEBHOOK_SECRET_ARN`,
//!   `EVENT_TTL_DAYS`).
//! - [`handler`]: [`Ingest::handle`]: accept, then store; testable without the Lambda runtime.

pub mod config;
pub mod handler;

pub use config::Config;
pub use handler::Ingest;
