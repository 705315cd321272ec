//! Integration targets: one [`Target`] per integration type, each delivering one rendered request and answering
//! a typed [`TargetOutcome`]. The forwarder owns retries and the circuit breaker; a target makes one attempt.
//!
//! - [`webhook`]: user webhooks over reqwest ([`WebhookTarget`])
//! - [`pubsub`]: Google Cloud Pub/Sub REST publish ([`PubSubTarget`]); [`google_auth`]: service-account keys and
//!   self-signed JWTs
//! - [`azure`]: Azure IoT Hub REST ([`AzureTarget`]); [`azure_sas`]: SAS tokens
//! - [`http`]: status classification, `Retry-After`, capped body reads (shared by the three)
//! - [`geo`]: Google Maps, the geolocation capability of `particle-geo` ([`GoogleMapsTarget`]), plugged into
//!   [`crate::Targets::google_maps`] by [`crate::Targets::from_env`]

pub mod azure;
pub mod azure_sas;
pub mod geo;
pub mod google_auth;
pub mod http;
pub mod pubsub;
pub mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use particle_events::Event;
use particle_lambda::Secret;
use particle_template::RenderedRequest;

pub use azure::AzureTarget;
pub use azure_sas::PolicyKey;
pub use geo::GoogleMapsTarget;
pub use google_auth::ServiceAccountKey;
pub use pubsub::PubSubTarget;
pub use webhook::WebhookTarget;

use crate::outcome::TargetOutcome;

/// Delivers one request of its kind.
#[async_trait]
pub trait Target: Send + Sync {
    type Request: Send + Sync;

    /// The host whose circuit breaker governs this request.
    fn host(&self, request: &Self::Request) -> String;

    /// One attempt; never panics, never retries.
    async fn deliver(&self, request: &Self::Request) -> TargetOutcome;
}

/// A rendered webhook request.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub request: RenderedRequest,
    /// `false` only when the definition says `rejectUnauthorized: false`.
    pub reject_unauthorized: bool,
}

/// One Pub/Sub message for `projects/<project>/topics/<topic_id>`.
#[derive(Debug, Clone)]
pub struct PubSubMessage {
    pub project: String,
    pub topic_id: String,
    /// The event data (sent base64-encoded).
    pub data: String,
    pub attributes: BTreeMap<String, String>,
    /// `None` only against the emulator.
    pub key: Option<Arc<ServiceAccountKey>>,
}

/// One device-to-cloud message for an Azure IoT Hub.
#[derive(Debug, Clone)]
pub struct AzureMessage {
    pub hub_name: String,
    pub policy_name: String,
    pub policy_key: Arc<PolicyKey>,
    /// The Particle device id, which is also the hub's device identity.
    pub device_id: String,
    /// `{"data","device_id","event","published_at","fw_version"}`.
    pub body: String,
}

/// A Google Maps (geolocation) integration run for an event.
#[derive(Debug, Clone)]
pub struct GeolocationRequest {
    pub event: Event,
    pub api_key: Option<Arc<Secret>>,
}
