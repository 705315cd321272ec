//! `particle-webhook`: everything a webhook-receiving function does before its own logic. A [`Frontend`] checks
//! the method, authenticates the shared secret (current or previous version, re-reading it after a mismatch so a
//! rotation reaches warm instances), enforces the body limit, settles the content type and decodes the body to a
//! validated [`particle_events::Event`]; every refusal is a [`Rejection`] with a stable error code, and every
//! error answer is counted in CloudWatch ([`metrics`]).
//!
//! ```text
//! let frontend = Frontend::new(FrontendConfig::post("geolocate", "particle-geolocate", secrets))?;
//! let response = match frontend.accept(&request).await {
//!     Ok(accepted) => my_logic(accepted.event).await,   // Result<Response<Body>, Rejection>
//!     Err(rejection) => Err(rejection),
//! };
//! frontend.finish(response)                              // counts 4xx/5xx, returns the response
//! ```
//!
//! Module map:
//! - [`frontend`]: [`Frontend`], [`FrontendConfig`], [`Accepted`]: the request path up to a decoded event.
//! - [`auth`]: [`auth::Verifier`] (one secret, at least [`auth::MIN_SECRET_CHARS`] characters) and
//!   [`auth::Keys`] (current + previous), as `Authorization: Bearer` or HTTP Basic password, in constant time.
//! - [`body`]: the body limit ([`body::MAX_BODY_BYTES`]) and content negotiation (sniffed when no type is given).
//! - [`reply`]: [`Rejection`], the `{"error", "message"}` answer with `Allow`, `WWW-Authenticate`, `Retry-After`.
//! - [`settings`]: [`webhook_secrets`], the `WEBHOOK_SECRET[_PREVIOUS|_ARN]` settings every webhook function reads.
//! - [`testing`]: Lambda HTTP requests from the real fixtures, for every webhook function's tests.
//! - [`metrics`]: which CloudWatch metrics an error answer counts (`ClientErrors`, `ServerErrors`,
//!   `Unauthorized`).

pub mod auth;
pub mod body;
pub mod frontend;
pub mod metrics;
pub mod reply;
pub mod settings;
pub mod testing;

pub use auth::{Credential, MIN_SECRET_CHARS};
pub use body::MAX_BODY_BYTES;
pub use frontend::{Accepted, Frontend, FrontendConfig, FrontendError};
pub use reply::{Rejection, json_response};
pub use settings::webhook_secrets;
