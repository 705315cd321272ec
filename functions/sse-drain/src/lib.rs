//! `sse-drain`: drains the Particle event stream into the store in bounded windows.
//!
//! Module map:
//! - [`parser`]: WHATWG `text/event-stream` parser (incremental, bounded).

pub mod parser;
