//! `forward`: runs Particle integrations for stored events, with Particle's semantics and what Particle lacks
//! (retries with backoff, a dead-letter outcome, a per-host circuit breaker that waits instead of dropping).
//!
//! An entry point (the DynamoDB stream handler, a local change feed) builds one [`Forwarder`] per cold start and
//! calls [`Forwarder::handle_event`] for each new event; every [`DeliveryOutcome`] it returns is ready for the
//! delivery log. All network I/O sits behind [`Target`], one implementation per integration type.
//!
//! Module map:
//! - [`definition`]: the integration types ([`Integration`], [`Kind`]) and parsing one definition file
//! - [`load`]: reading a directory of definitions with size and count limits ([`LoadError`])
//! - [`matching`]: Particle's trigger rules ([`Filter`]): name prefix, device, product, `disabled`
//! - [`secrets`]: the integration secrets map ([`IntegrationSecrets`]), redaction
//! - [`render`]: one event and one integration to the request a target sends ([`Rendered`])
//! - [`outcome`]: what a target answers ([`TargetOutcome`]) and what the log records ([`DeliveryOutcome`])
//! - [`target`]: the [`Target`] trait and the real targets: webhook, Pub/Sub, Azure IoT Hub
//! - [`retry`]: backoff with jitter ([`RetryPolicy`]); [`breaker`]: per-host circuit breaker
//! - [`forwarder`]: [`Forwarder`], tying the above together for one event
//! - [`metrics`]: CloudWatch metric values for a batch of outcomes

pub mod breaker;
pub mod definition;
pub mod forwarder;
pub mod load;
pub mod matching;
pub mod metrics;
pub mod outcome;
pub mod render;
pub mod retry;
pub mod secrets;
pub mod target;

pub use breaker::CircuitBreaker;
pub use definition::{Integration, Kind};
pub use forwarder::{Forwarder, ForwarderError, Targets};
pub use load::{LoadError, load_dir};
pub use matching::Filter;
pub use outcome::{DeliveryOutcome, DeliveryStatus, TargetOutcome};
pub use render::Rendered;
pub use retry::RetryPolicy;
pub use secrets::{IntegrationSecrets, SecretsError};
pub use target::Target;
