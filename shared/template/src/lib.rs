//! Particle-dialect Mustache for webhooks: the engine, webhook request rendering, response
//! rendering and chunking, and the `particle-template` CLI's logic.
//!
//! We write the engine ourselves because no maintained crate does the job: `mustache` 0.9
//! (unmaintained since 2021) passes the core spec but takes its own `Data` type, panics on a
//! boolean in `{{x}}` and has no array indexes (`{{a.0.b}}`); `ramhorns` has no
//! `serde_json::Value` support and fails most of the spec; `handlebars` is another language.
//! Particle users need the spec plus Node.js semantics (number printing, truthiness,
//! comma-joined arrays) over JSON event data.
//!
//! Module map:
//! - `parse`: tokenizer, set delimiters, standalone-line removal (private)
//! - [`compile`]: tokens to a flat instruction list; [`Template`]
//! - `render`: the instruction loop with explicit stacks (private; methods on [`Template`])
//! - [`value`]: JavaScript value rules: to-text, truthiness, property reads; the data-model
//!   trait the renderer is generic over
//! - `number`: JavaScript `Number.prototype.toString` (private)
//! - `plain`: the data model over a plain `serde_json::Value` (private)
//! - `prepared`: event data laid out once per event for fast renders: numbers printed, keys in
//!   sorted word-packed tables, clean strings marked (private; built by [`EventScope`])
//! - [`escape`]: HTML, JSON-string and URL-component escapers; [`Escaping`]
//! - [`vars`]: render roots: plain JSON or a Particle event ([`EventVars`], [`EventScope`], [`Scope`])
//! - [`definition`]: the webhook definition JSON ([`WebhookDefinition`], [`Method`])
//! - [`webhook`]: definitions compiled once ([`WebhookTemplate`]) and rendered requests
//! - `form`: `form`/`query` encoding the way Particle's Node cloud does it (private)
//! - [`response`]: `responseTemplate`, topics, the 100 KB cap ([`ResponseTemplate`])
//! - [`chunk`]: 512-byte chunks on character boundaries
//! - [`limits`]: safety limits ([`Limits`]); [`error`]: error enums
//! - [`spec`]: runner for mustache-spec JSON files (CLI `spec` and the conformance test)
//! - [`cli`]: argument handling for the binary

pub mod chunk;
pub mod cli;
pub mod compile;
pub mod definition;
pub mod error;
pub mod escape;
mod form;
pub mod limits;
mod number;
mod parse;
mod plain;
mod prepared;
mod render;
pub mod response;
pub mod spec;
pub mod value;
pub mod vars;
pub mod webhook;

pub use chunk::{CHUNK_BYTES, chunks};
pub use compile::Template;
pub use error::{CompileError, RenderError, RequestError, SyntaxError, WebhookError};
pub use escape::Escaping;
pub use limits::Limits;
pub use response::{HookResponse, RESPONSE_CAP_BYTES, ResponseTemplate};
pub use spec::{EventFile, SpecOutcome};
pub use vars::{EventScope, EventVars, Scope};
pub use webhook::{
    AuthDefinition, BasicAuth, Method, RenderedRequest, WebhookDefinition, WebhookTemplate,
};
