//! Outbound HTTP for every function: one client setup, one URL policy, the Particle Cloud API client with its
//! error bodies parsed and its answers typed (retryable / permanent / rate-limited), and one [`Backoff`].
//!
//! Module map:
//! - [`backoff`]: [`Backoff`], capped exponential backoff with jitter (the only module built without the
//!   `http` feature, for a crate that needs backoff but makes no HTTP calls).
//! - [`http`]: [`HttpSettings`] and the one `reqwest` client setup (rustls, connect and total timeouts, a user
//!   agent naming the function and its version).
//! - [`url`]: the URL policy ([`check_url`], [`ApiBase`]): https only, http for loopback addresses alone.
//! - [`retry_after`]: `Retry-After` (delta-seconds or HTTP-date), clamped to [`MAX_RETRY_AFTER`].
//! - [`settings`] (feature `env`): [`EnvToken`], the production token source (environment or Secrets Manager,
//!   re-read after a 401), `PARTICLE_API_URL` and the Particle limits from the environment.
//! - [`error`]: [`CloudError`] (setup and transport) and [`ApiError`] (Particle's error bodies).
//! - [`outcome`]: [`Failure`], what a failed call means for the caller, and the classification of answers.
//! - [`token`]: [`AccessToken`], the [`TokenSource`] trait and [`Tokens`], the token with a throttled re-read
//!   after a 401 (secret rotation).
//! - [`api`]: [`ParticleApi`], the Particle Cloud API client (base URL + token, 401 re-read and one retry).
//! - [`events`]: opening Particle's event stream (`text/event-stream`).
//! - [`limits`]: Particle's size limits ([`Limits`]), checked before any push.
//! - [`retry`]: [`RetryPolicy`] and the retry loop of every push (429/5xx/timeouts, `Retry-After`).
//! - [`delivery`]: [`Delivery`], the record of one push (what, when, attempts, outcome, Particle's answer).
//! - [`functions`]: device function calls ([`FunctionCall`]).
//! - [`publish`]: event publishes ([`Publish`]).
//! - [`hook_response`]: hook-response / hook-error delivery as 512-byte chunk publishes ([`HookTarget`]).

pub mod backoff;
pub use backoff::Backoff;

#[cfg(feature = "http")]
pub mod api;
#[cfg(feature = "http")]
pub mod delivery;
#[cfg(feature = "http")]
pub mod error;
#[cfg(feature = "http")]
pub mod events;
#[cfg(feature = "http")]
pub mod functions;
#[cfg(feature = "http")]
pub mod hook_response;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "http")]
pub mod limits;
#[cfg(feature = "http")]
pub mod outcome;
#[cfg(feature = "http")]
pub mod publish;
#[cfg(feature = "http")]
pub mod retry;
#[cfg(feature = "http")]
pub mod retry_after;
#[cfg(feature = "env")]
pub mod settings;
#[cfg(feature = "http")]
pub mod token;
#[cfg(feature = "http")]
pub mod url;

#[cfg(feature = "http")]
pub use api::ParticleApi;
#[cfg(feature = "http")]
pub use delivery::{Delivery, Outcome, PushKind};
#[cfg(feature = "http")]
pub use error::{ApiError, CloudError};
#[cfg(feature = "http")]
pub use functions::FunctionCall;
#[cfg(feature = "http")]
pub use hook_response::{HookKind, HookTarget};
#[cfg(feature = "http")]
pub use http::HttpSettings;
#[cfg(feature = "http")]
pub use limits::{LimitError, Limits};
#[cfg(feature = "http")]
pub use outcome::Failure;
#[cfg(feature = "http")]
pub use publish::Publish;
#[cfg(feature = "http")]
pub use retry::RetryPolicy;
#[cfg(feature = "http")]
pub use retry_after::MAX_RETRY_AFTER;
#[cfg(feature = "env")]
pub use settings::EnvToken;
#[cfg(feature = "http")]
pub use token::{AccessToken, StaticToken, TokenError, TokenSource, Tokens};
#[cfg(feature = "http")]
pub use url::{ApiBase, check_url};
