//! `geolocate`: Particle's Google Maps integration, self-hosted. A `deviceLocator` (or Tracker `loc`) webhook
//! POSTs a scan; the shared front end (`particle-webhook`) authenticates and decodes it; the event is stored;
//! the scan is read and normalised (`particle-geo`), looked up in the geolocation cache, else located by the
//! providers in order; the location is stored as history (and as the device's latest, if newer) and answered as
//! `lat,lng,accuracy` (or `GEOLOCATE_RESPONSE_TEMPLATE`).
//!
//! Module map:
//! - [`config`]: settings from the environment ([`Config`]: store, webhook secret, providers and their keys and
//!   URLs, cache TTL, response template); a bad setting stops the start naming the variable.
//! - [`providers`]: the configured providers ([`providers::ProviderSettings`]) built into `particle-geo` clients.
//! - [`handler`]: [`Geolocate::handle`]: accept, store the event, answer a retry from its stored location, else
//!   cache or providers, then history; testable without the Lambda runtime.
//! - [`reply`]: the 200 answer (default or template) and the error answers of geolocation (404, 422, 502, 504).
//! - [`metrics`]: the per-request counts (`ProviderCalls`, `CacheHits`, `NotFound`).
//!
//! Storage (events, locations, the cache) is `particle-store`'s repositories, shared with `forward`.

pub mod config;
pub mod handler;
pub mod metrics;
pub mod providers;
pub mod reply;

pub use config::{Answering, Config};
pub use handler::{FUNCTION, Geolocate, Limits};
