//! `sse-drain`: drains the Particle event stream into the store in bounded windows, losing nothing it could
//! keep. Runs on an EventBridge schedule in Lambda, or as a plain process outside it.
//!
//! Module map:
//! - [`config`]: settings from the environment ([`DrainConfig`]).
//! - [`parser`]: WHATWG `text/event-stream` parser (incremental, bounded).
//! - [`decode`]: one SSE event to a device [`particle_events::Event`], a cloud event, or a bad one.
//! - [`connect`]: opening the stream through `particle-cloud`'s Particle API client, and what its answer means
//!   for the window (stream, 401/403, 529, ...).
//! - [`budget`]: the stream state shared by every drainer through the store: the open budget, the 529 backoff,
//!   and the latest windows' spans.
//! - [`reconnect`]: reconnect delays (`particle_cloud::Backoff`, reset after a healthy minute).
//! - [`sink`]: batched, idempotent event writes (25 per batch, at least every second).
//! - [`gaps`]: gap items, the spans in which the stream was down (within a window or between two windows).
//! - [`drainer`]: [`Drainer`], what outlives a window, and a window's run to its summary.
//! - [`window`]: one window's loop, which ties these together.
//! - [`wallclock`]: Unix-millisecond wall-clock time and deadlines.
//! - [`summary`]: the per-window counters and summary log line.
//! - [`metrics`]: the summary as CloudWatch metrics (EMF), e.g. `ConnectedPercent`, `WindowFailed`.
//! - [`lambda`]: the scheduled-invocation handler; [`cli`]: the plain-process mode.

pub mod budget;
pub mod cli;
pub mod config;
pub mod connect;
pub mod decode;
pub mod drainer;
pub mod gaps;
pub mod lambda;
pub mod metrics;
pub mod parser;
pub mod reconnect;
pub mod sink;
pub mod summary;
pub mod wallclock;
pub mod window;

pub use config::DrainConfig;
pub use drainer::{Drainer, WindowError, WindowOutcome};
pub use summary::{EndReason, WindowSummary};
