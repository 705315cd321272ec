//! Particle events: the [`Event`] type, parsing of every payload shape Particle delivers, validation with
//! precise errors, and the deterministic event id that makes every write path idempotent.
//!
//! Module map:
//! - [`event`]: [`Event`], [`Source`] and the limits Particle documents.
//! - [`error`]: [`ParseError`] (malformed payload vs. an invalid field) and [`FieldError`].
//! - [`validate`]: field rules (name, device id, timestamp, data size) and normalisation.
//! - [`id`]: the deterministic event id over (`coreid`, `published_at`, `name`, `data`).
//! - [`webhook`]: Particle's default webhook body (form or JSON) and the project's recommended JSON.
//! - [`sse`]: the JSON in an SSE `data:` line of Particle's event stream.
//! - `loose`: JSON fields read without judging their type, so validation words the error and
//!   names the field (private).
//! - [`clock`]: strict RFC 3339 parsing and the one timestamp shape the store writes (UTC, exactly
//!   milliseconds), so key order is time order.

pub mod clock;
pub mod error;
pub mod event;
pub mod id;
mod loose;
pub mod sse;
pub mod validate;
pub mod webhook;

pub use error::{FieldError, ParseError};
pub use event::{Event, MAX_DATA_BYTES, MAX_NAME_CHARS, RawEvent, Source};
pub use id::event_id;
pub use sse::parse_sse_data;
pub use webhook::{Encoding, parse_webhook, parse_webhook_form, parse_webhook_json, sniff};
