//! The request path: front end, event stored, then either the stored location of a retried event, or the scan
//! read, the cache or the providers asked, the location stored, and the answer. Every store read and write is a
//! `GetItem` or `PutItem` (the function's grants).

use std::sync::Arc;
use std::time::Duration;

use lambda_http::{Body, Request, Response};
use particle_events::{Event, clock};
use particle_geo::{GeoProvider, Location, Outcome, Reading, Source, cache_key, locate, read};
use particle_lambda::RefreshingSecret;
use particle_store::{
    CachedPlace, EventRepo, GeocacheEntry, GeocacheRepo, ItemStore, LocationRecord, LocationRepo,
    PutOutcome,
};
use particle_webhook::{Frontend, FrontendConfig, FrontendError, Rejection};
use serde_json::Value;
use tokio::time::Instant;

use crate::config::Answering;
use crate::metrics::{Counts, Sink};
use crate::reply::{self, Located};

/// The function's name: the `Function` dimension of its metrics and the user agent of its HTTP client.
pub const FUNCTION: &str = "geolocate";
/// The realm in `WWW-Authenticate`.
pub const REALM: &str = "particle-geolocate";

/// Time bounds of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole request, store included (Particle waits 20 s).
    pub request: Duration,
    /// Of that, what the providers may use; the rest is kept for the store writes after them.
    pub providers: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request: Duration::from_secs(10),
            providers: Duration::from_millis(8500),
        }
    }
}

/// The endpoint, built once per process.
pub struct Geolocate {
    frontend: Frontend,
    events: EventRepo,
    locations: LocationRepo,
    cache: GeocacheRepo,
    providers: Vec<Arc<dyn GeoProvider>>,
    answering: Answering,
    limits: Limits,
    sink: Sink,
}

impl std::fmt::Debug for Geolocate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Geolocate")
            .field("frontend", &self.frontend)
            .field(
                "providers",
                &self.providers.iter().map(|p| p.name()).collect::<Vec<_>>(),
            )
            .field("answering", &self.answering)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Where the location of this request came from.
struct Found {
    location: Location,
    source: Source,
    provider: Option<String>,
    cached: bool,
}

impl Geolocate {
    pub fn new(
        store: Arc<dyn ItemStore>,
        providers: Vec<Arc<dyn GeoProvider>>,
        answering: Answering,
        secrets: Arc<RefreshingSecret>,
    ) -> Result<Self, FrontendError> {
        Ok(Geolocate::with_frontend(
            Frontend::new(FrontendConfig::post(FUNCTION, REALM, secrets))?,
            store,
            providers,
            answering,
        ))
    }

    /// With a front end built by the caller (tests: a metric sink).
    pub fn with_frontend(
        frontend: Frontend,
        store: Arc<dyn ItemStore>,
        providers: Vec<Arc<dyn GeoProvider>>,
        answering: Answering,
    ) -> Self {
        Geolocate {
            frontend,
            events: EventRepo::new(store.clone(), answering.retention),
            locations: LocationRepo::new(store.clone()),
            cache: GeocacheRepo::new(store),
            providers,
            answering,
            limits: Limits::default(),
            sink: Arc::new(particle_lambda::metrics::emit),
        }
    }

    /// The same endpoint with other time bounds (tests).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same endpoint with its own metrics sent to `sink` instead of stdout (tests).
    pub fn with_metric_sink(mut self, sink: Sink) -> Self {
        self.sink = sink;
        self
    }

    /// Answers one request. Never fails: every outcome is a response.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let start = Instant::now();
        let mut counts = Counts::default();
        let outcome = match tokio::time::timeout(
            self.limits.request,
            self.process(&request, start, &mut counts),
        )
        .await
        {
            Ok(outcome) => outcome,
            // The providers are bounded well inside the request; what is left is a hanging store.
            Err(_) => Err(reply::store_unavailable("timed out")),
        };
        if let Err(rejection) = &outcome
            && rejection.code == "not_found"
        {
            counts.not_found = 1;
        }
        let response = self.frontend.finish(outcome);
        // Only requests that got past the front end can cost or save anything.
        if counts.accepted {
            (self.sink)(
                FUNCTION,
                &counts.metrics(),
                &[("status", Value::from(response.status().as_u16()))],
            );
        }
        response
    }

    async fn process(
        &self,
        request: &Request,
        start: Instant,
        counts: &mut Counts,
    ) -> Result<Response<Body>, Rejection> {
        let event = self.frontend.accept(request).await?.event;
        counts.accepted = true;
        let stored = self.events.put(&event).await.map_err(|e| {
            tracing::error!(id = %event.id, error = %e, "event write failed");
            reply::store_unavailable("the event could not be stored")
        })?;
        if stored == PutOutcome::Duplicate
            && let Some(found) = self.stored_location(&event).await?
        {
            tracing::info!(id = %event.id, coreid = %event.coreid, "retried event answered from its stored location");
            return self.answer(&found);
        }
        let found = match read(&event.data) {
            Err(e) => return Err(reply::invalid_scan(&e)),
            Ok(Reading::Fix(location)) => Found {
                location,
                source: Source::Gnss,
                provider: None,
                cached: false,
            },
            Ok(Reading::Scan(scan)) => {
                let key = cache_key(&scan);
                let source = scan.source();
                match self.cached(key.as_str()).await {
                    Some(entry) => {
                        counts.cache_hits = 1;
                        match entry.place {
                            Some(place) => Found {
                                location: Location {
                                    lat: place.lat,
                                    lng: place.lng,
                                    accuracy: place.accuracy,
                                },
                                source,
                                provider: Some(place.provider),
                                cached: true,
                            },
                            None => return Err(reply::not_found()),
                        }
                    }
                    None => {
                        let deadline = start + self.limits.providers;
                        let outcome = locate(&self.providers, &scan, deadline).await;
                        let now = clock::now_unix();
                        match outcome {
                            Outcome::Found {
                                location,
                                provider,
                                failures,
                            } => {
                                counts.provider_calls = failures.len() as u64 + 1;
                                let place = CachedPlace {
                                    lat: location.lat,
                                    lng: location.lng,
                                    accuracy: location.accuracy,
                                    provider: provider.clone(),
                                };
                                self.remember(&GeocacheEntry::found(
                                    key.as_str(),
                                    place,
                                    now,
                                    self.answering.cache_ttl_seconds,
                                ))
                                .await;
                                Found {
                                    location,
                                    source,
                                    provider: Some(provider),
                                    cached: false,
                                }
                            }
                            Outcome::NotFound => {
                                counts.provider_calls = self.providers.len() as u64;
                                self.remember(&GeocacheEntry::not_found(key.as_str(), now))
                                    .await;
                                return Err(reply::not_found());
                            }
                            Outcome::Failed {
                                timeout,
                                message,
                                failures,
                            } => {
                                counts.provider_calls = failures.len() as u64;
                                tracing::warn!(id = %event.id, %message, "geolocation failed");
                                return Err(reply::provider_failed(timeout, &message));
                            }
                        }
                    }
                }
            }
        };
        let record = LocationRecord {
            coreid: event.coreid.clone(),
            published_at: event.published_at.clone(),
            published_ms: published_ms(&event),
            event_id: event.id.clone(),
            lat: found.location.lat,
            lng: found.location.lng,
            accuracy: found.location.accuracy,
            source: found.source.as_str().to_owned(),
            provider: found.provider.clone(),
            cached: found.cached,
            located_at: clock::now_rfc3339(),
        };
        let recorded = self.locations.record(&record).await.map_err(|e| {
            tracing::error!(id = %event.id, error = %e, "location write failed");
            reply::store_unavailable("the location could not be stored")
        })?;
        tracing::info!(id = %event.id, coreid = %event.coreid, source = found.source.as_str(),
            provider = found.provider.as_deref().unwrap_or("-"), cached = found.cached,
            latest = recorded.latest_updated, "located");
        self.answer(&found)
    }

    /// The location stored for a retried event (`GetItem`), if its first delivery got that far.
    async fn stored_location(&self, event: &Event) -> Result<Option<Found>, Rejection> {
        let stored = self
            .locations
            .get(&event.coreid, &event.published_at, &event.id)
            .await
            .map_err(|e| {
                tracing::error!(id = %event.id, error = %e, "location read failed");
                reply::store_unavailable("the stored location could not be read")
            })?;
        Ok(stored.map(|r| Found {
            location: Location {
                lat: r.lat,
                lng: r.lng,
                accuracy: r.accuracy,
            },
            source: reply::source_from_str(&r.source).unwrap_or(Source::Wifi),
            provider: r.provider,
            cached: r.cached,
        }))
    }

    /// The unexpired cache entry of a scan. A failed read is logged and treated as a miss: the providers can
    /// still answer.
    async fn cached(&self, key: &str) -> Option<GeocacheEntry> {
        self.cache.get(key).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "geolocation cache read failed; asking the providers");
            None
        })
    }

    /// Writes a cache entry; a failure only costs a provider call next time.
    async fn remember(&self, entry: &GeocacheEntry) {
        if let Err(e) = self.cache.put(entry).await {
            tracing::warn!(error = %e, "geolocation cache write failed");
        }
    }

    fn answer(&self, found: &Found) -> Result<Response<Body>, Rejection> {
        reply::located(
            Located {
                location: &found.location,
                source: found.source,
                provider: found.provider.as_deref(),
                cached: found.cached,
            },
            self.answering.template.as_deref(),
        )
    }
}

/// The event's publish time in Unix milliseconds (validated by the front end; 0 if it somehow is not).
fn published_ms(event: &Event) -> i64 {
    clock::parse_rfc3339(&event.published_at)
        .ok()
        .and_then(|t| clock::to_unix_ms(t).ok())
        .unwrap_or(0)
}
