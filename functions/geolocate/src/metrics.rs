//! What one request cost, as CloudWatch metrics (`particle_lambda::metrics`, namespace `ParticleIntegrations`,
//! dimension `Function=geolocate`): provider calls (the user's bill), cache hits (what the cache saved) and
//! not-found answers. Error answers are counted by the front end (`ClientErrors`, `ServerErrors`,
//! `Unauthorized`).

use std::sync::Arc;

use particle_lambda::metrics::Metric;
use serde_json::Value;

/// Provider requests made for the request (0 for a cache hit, a GNSS fix or an answered retry).
pub const PROVIDER_CALLS: &str = "ProviderCalls";
/// 1 when the answer (found or not-found) came from the geolocation cache.
pub const CACHE_HITS: &str = "CacheHits";
/// 1 when the answer was 404 not_found.
pub const NOT_FOUND: &str = "NotFound";

/// Where the metrics go: EMF lines on stdout in production ([`particle_lambda::metrics::emit`]).
pub type Sink = Arc<dyn Fn(&str, &[Metric], &[(&str, Value)]) + Send + Sync>;

/// The counts of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// The request passed the front end (only then are the counts emitted).
    pub accepted: bool,
    pub provider_calls: u64,
    pub cache_hits: u64,
    pub not_found: u64,
}

impl Counts {
    pub fn metrics(&self) -> [Metric; 3] {
        [
            Metric::count(PROVIDER_CALLS, self.provider_calls),
            Metric::count(CACHE_HITS, self.cache_hits),
            Metric::count(NOT_FOUND, self.not_found),
        ]
    }
}
