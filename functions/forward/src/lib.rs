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
//! - [`delivery_log`]: one stored record per (event, integration) ([`DeliveryLog`]); delivered ones are skipped
//! - [`respond`]: the device side ([`DeviceResponder`], [`PendingCommands`]) behind traits; [`particle`]: their
//!   production implementations over the Particle Cloud API
//! - [`stream`]: the DynamoDB stream handler ([`StreamHandler`]): images to events, partial batch failures,
//!   the invocation deadline
//! - [`lambda`]: one invocation: the deadline, the partial batch response, the EMF metrics line
//! - [`feed`]: the local change feed over a SQLite store, handing new events to `forward` as stream events

pub mod breaker;
pub mod definition;
pub mod delivery_log;
pub mod feed;
pub mod forwarder;
pub mod lambda;
pub mod load;
pub mod matching;
pub mod metrics;
pub mod outcome;
pub mod particle;
pub mod render;
pub mod respond;
pub mod retry;
pub mod secrets;
pub mod stream;
pub mod target;

pub use breaker::CircuitBreaker;
pub use definition::{Integration, Kind};
pub use delivery_log::{DeliveryLog, DeliveryRecord};
pub use forwarder::{Forwarder, ForwarderError, Targets};
pub use load::{LoadError, load_dir};
pub use matching::Filter;
pub use outcome::{DeliveryOutcome, DeliveryStatus, TargetOutcome};
pub use render::Rendered;
pub use respond::{DeviceResponder, PendingCommands, RespondError, ResponseKind};
pub use retry::RetryPolicy;
pub use secrets::{IntegrationSecrets, SecretsError};
pub use stream::{BatchResult, RecordError, StreamHandler};
pub use target::Target;
