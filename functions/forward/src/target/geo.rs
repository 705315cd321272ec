//! The Google Maps integration's target: `particle-geo` turns the event's scan into a place with Google's
//! Geolocation API (the integration's API key from the secrets map), and the answer is what Particle's Google
//! Maps integration sends the device: `lat,lng,accuracy`. A Tracker event with a GNSS lock is answered as is.
//! With a [`LocationRepo`] (the entry point plugs the store's in), each location is also stored in the device's
//! history and latest location, the items `geolocate` writes.
//!
//! Only stream events reach it ([`crate::Forwarder::triggers`]): a locator event that came by webhook was
//! answered by `geolocate` already.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use particle_events::Event;
use particle_geo::{ApiKey, GeoProvider, GoogleProvider, Location, Outcome, Reading, answer};
use particle_store::repo::locations::{LocationRecord, LocationRepo};
use tokio::time::Instant;

use crate::outcome::TargetOutcome;
use crate::target::{GeolocationRequest, Target};

/// How long one geolocation may take, all provider attempts included (Particle waits 20 s; `geolocate` 10 s).
pub const LOCATE_DEADLINE: Duration = Duration::from_secs(10);

/// Google's Geolocation API through `particle-geo`.
#[derive(Debug, Clone)]
pub struct GoogleMapsTarget {
    client: reqwest::Client,
    url: String,
    host: String,
    locations: Option<LocationRepo>,
}

impl GoogleMapsTarget {
    /// `url` defaults to Google's endpoint; another (https, or http on loopback) is for tests.
    pub fn new(url: Option<&str>) -> Result<Self, particle_geo::EndpointError> {
        let url = url.unwrap_or(particle_geo::google::DEFAULT_URL).to_owned();
        let checked = particle_geo::http::endpoint(&url)?;
        Ok(GoogleMapsTarget {
            client: particle_geo::http::client()?,
            host: checked.host_str().unwrap_or("googleapis").to_owned(),
            url,
            locations: None,
        })
    }

    /// Stores every location found in `locations` too.
    pub fn with_locations(mut self, locations: LocationRepo) -> Self {
        self.locations = Some(locations);
        self
    }

    /// The answer for `location`, stored first when a repository is plugged in. A store failure does not undo
    /// the answer: the device still gets it, and the log says what was not kept.
    async fn found(
        &self,
        event: &Event,
        location: &Location,
        source: particle_geo::Source,
        provider: Option<&str>,
    ) -> TargetOutcome {
        if let Some(repo) = &self.locations {
            let record = LocationRecord {
                coreid: event.coreid.clone(),
                published_at: event.published_at.clone(),
                published_ms: particle_events::clock::parse_rfc3339(&event.published_at)
                    .ok()
                    .and_then(|t| particle_events::clock::to_unix_ms(t).ok())
                    .unwrap_or(0),
                event_id: event.id.clone(),
                lat: location.lat,
                lng: location.lng,
                accuracy: location.accuracy,
                source: source.as_str().to_owned(),
                provider: provider.map(str::to_owned),
                cached: false,
                located_at: particle_events::clock::now_rfc3339(),
            };
            if let Err(e) = repo.record(&record).await {
                tracing::error!(event_id = %event.id, error = %e, "location not stored");
            }
        }
        TargetOutcome::Delivered {
            status: 200,
            body: answer::default_answer(location),
        }
    }
}

#[async_trait]
impl Target for GoogleMapsTarget {
    type Request = GeolocationRequest;

    fn host(&self, _request: &GeolocationRequest) -> String {
        self.host.clone()
    }

    async fn deliver(&self, request: &GeolocationRequest) -> TargetOutcome {
        let scan = match particle_geo::read(&request.event.data) {
            Ok(Reading::Fix(location)) => {
                return self
                    .found(&request.event, &location, particle_geo::Source::Gnss, None)
                    .await;
            }
            Ok(Reading::Scan(scan)) => scan,
            Err(e) => return TargetOutcome::permanent(format!("not a usable scan: {e}")),
        };
        let Some(key) = &request.api_key else {
            return TargetOutcome::permanent(
                "the integration names no `api_key_secret`: Google's Geolocation API needs a key",
            );
        };
        let provider =
            match GoogleProvider::new(self.client.clone(), &self.url, ApiKey::new(key.expose())) {
                Ok(p) => p,
                Err(e) => return TargetOutcome::permanent(e.to_string()),
            };
        let providers: [Arc<dyn GeoProvider>; 1] = [Arc::new(provider)];
        match particle_geo::locate(&providers, &scan, Instant::now() + LOCATE_DEADLINE).await {
            Outcome::Found {
                location, provider, ..
            } => {
                self.found(&request.event, &location, scan.source(), Some(&provider))
                    .await
            }
            Outcome::NotFound => TargetOutcome::Permanent {
                reason: "Google knows no place for this scan".into(),
                status: Some(404),
            },
            // A wrong or restricted key never heals by itself; anything else (5xx, timeouts) may.
            Outcome::Failed {
                message, failures, ..
            } if !failures.is_empty() && failures.iter().all(|(_, e)| e.is_configuration()) => {
                TargetOutcome::permanent(message)
            }
            Outcome::Failed { message, .. } => TargetOutcome::retryable(message),
        }
    }
}
