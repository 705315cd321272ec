//! Geolocation of Particle device scans, the logic behind `functions/geolocate` (and anything else that must turn a
//! `deviceLocator` or Tracker `loc` event into a place): pure parsing and normalisation, a cache key, and clients
//! for Google's Geolocation API and Unwired Labs' LocationAPI with a fallback between them.
//!
//! The flow: [`read`] (parse + normalise) gives a GNSS [`Reading::Fix`] to answer as is, or a usable
//! [`Scan`]; [`cache_key::cache_key`] names it for a cache; [`fallback::locate`] asks the providers in order
//! under a deadline; [`answer::default_answer`] prints `lat,lng,accuracy` the way the device library expects.
//!
//! Module map:
//! - [`scan`]: the event's data (untrusted JSON) to an [`Observation`]: the device library's Wi-Fi and
//!   cellular forms, Tracker `loc` events (GNSS fix, `towers[]`, `wps[]`); [`ScanError`].
//! - [`mac`]: MAC addresses: parsing any common spelling, the usable-address rule, lower-case colon form.
//! - [`radio`]: radio access technologies and each provider's name for them.
//! - [`normalise`](mod@normalise): the usable, deduplicated [`Scan`] and its [`Source`] (`wifi`, `cell`, `wifi+cell`, `gnss`).
//! - [`cache_key`](mod@cache_key): SHA-256 of the normalised scan (what is hashed is documented there).
//! - [`location`]: [`Location`] (lat, lng, accuracy in metres), validated.
//! - [`provider`]: the [`GeoProvider`] trait and the typed [`ProviderError`].
//! - [`http`]: what both clients share: endpoint validation (particle-cloud's URL policy, plus no query or
//!   credentials), the client settings (particle-cloud's `HttpSettings`), one
//!   POST with a per-attempt timeout and one retry, errors stripped of URLs and secrets; [`ApiKey`].
//! - [`google`]: Google's request body, answer and error bodies, and [`GoogleProvider`].
//! - [`unwiredlabs`]: Unwired Labs' request body and answer, and [`UnwiredLabsProvider`].
//! - [`fallback`]: providers in order under a total deadline; [`Outcome`].
//! - [`answer`]: numbers printed as JavaScript prints them; the default `lat,lng,accuracy` answer and the
//!   variables for a response template.

pub mod answer;
pub mod cache_key;
pub mod fallback;
pub mod google;
pub mod http;
pub mod location;
pub mod mac;
pub mod normalise;
pub mod provider;
pub mod radio;
pub mod scan;
pub mod unwiredlabs;

pub use cache_key::{CacheKey, cache_key};
pub use fallback::{Outcome, locate};
pub use google::GoogleProvider;
pub use http::{ApiKey, CallPolicy, EndpointError};
pub use location::Location;
pub use mac::Mac;
pub use normalise::{AccessPoint, Scan, Source, Tower, normalise};
pub use provider::{GeoProvider, ProviderError};
pub use radio::Radio;
pub use scan::{Observation, RawScan, ScanError, parse};
pub use unwiredlabs::UnwiredLabsProvider;

/// What an event's data says: a GNSS fix to answer as is, or a usable scan for a provider.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// A Tracker `loc` event with a GNSS lock (`loc.lck == 1`): no provider is needed. Its source is `gnss`.
    Fix(Location),
    /// A normalised scan with at least two usable access points or one usable tower.
    Scan(Scan),
}

/// Parses and normalises the event's data: [`scan::parse`] then [`normalise::normalise`].
pub fn read(data: &str) -> Result<Reading, ScanError> {
    match parse(data)? {
        Observation::Fix(fix) => Ok(Reading::Fix(fix)),
        Observation::Scan(raw) => normalise(raw).map(Reading::Scan),
    }
}
