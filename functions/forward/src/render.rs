//! One event and one integration to the request its target sends: the webhook request rendered by
//! `particle-template` (with the integration secrets as variables), the Pub/Sub message, the Azure message.

use std::collections::BTreeMap;
use std::sync::Arc;

use particle_events::Event;
use particle_lambda::Secret;
use particle_template::{EventScope, EventVars};
use serde_json::json;

use crate::definition::{Integration, Kind};
use crate::target::{
    AzureMessage, GeolocationRequest, HttpRequest, PolicyKey, PubSubMessage, ServiceAccountKey,
};

/// Keys an integration needs, resolved from the secrets map once, when the forwarder is built.
#[derive(Debug, Clone, Default)]
pub enum Keys {
    #[default]
    None,
    PubSub(Option<Arc<ServiceAccountKey>>),
    Azure(Arc<PolicyKey>),
    GoogleMaps(Option<Arc<Secret>>),
}

/// What a target gets.
#[derive(Debug, Clone)]
pub enum Rendered {
    Webhook(HttpRequest),
    PubSub(PubSubMessage),
    Azure(AzureMessage),
    GoogleMaps(GeolocationRequest),
}

/// The event's numeric fields as text, owned so that [`EventVars`] can borrow them.
#[derive(Debug, Clone, Default)]
pub struct EventText {
    product_id: Option<String>,
    fw_version: Option<String>,
}

impl EventText {
    pub fn new(event: &Event) -> Self {
        EventText {
            product_id: event.product_id.map(|p| p.to_string()),
            fw_version: event.fw_version.map(|v| v.to_string()),
        }
    }

    /// The template variables of `event`.
    pub fn vars<'a>(&'a self, event: &'a Event) -> EventVars<'a> {
        EventVars {
            name: &event.name,
            data: &event.data,
            coreid: &event.coreid,
            published_at: &event.published_at,
            event_id: event.particle_event_id.as_deref(),
            product_id: self.product_id.as_deref(),
            fw_version: self.fw_version.as_deref(),
            user_id: None,
        }
    }
}

/// Renders `integration` for `event`. `scope` is the event with the secrets, built once per event and shared
/// by every integration (the event data is parsed at most once). The error is a message for the outcome (the
/// caller redacts secrets from it).
pub fn render(
    integration: &Integration,
    keys: &Keys,
    event: &Event,
    scope: &EventScope<'_>,
) -> Result<Rendered, String> {
    Ok(match (&integration.kind, keys) {
        (Kind::Webhook(w), _) => Rendered::Webhook(HttpRequest {
            request: w.template.render(scope).map_err(|e| e.to_string())?,
            reject_unauthorized: w.reject_unauthorized,
        }),
        (Kind::GoogleCloudPubSub(p), keys) => Rendered::PubSub(PubSubMessage {
            project: p.project.clone(),
            topic_id: p.topic_id.clone(),
            data: event.data.clone(),
            attributes: BTreeMap::from([
                ("device_id".to_owned(), event.coreid.clone()),
                ("event".to_owned(), event.name.clone()),
                ("published_at".to_owned(), event.published_at.clone()),
            ]),
            key: match keys {
                Keys::PubSub(k) => k.clone(),
                _ => None,
            },
        }),
        (Kind::AzureIotHub(a), Keys::Azure(key)) => Rendered::Azure(AzureMessage {
            hub_name: a.hub_name.clone(),
            policy_name: a.policy_name.clone(),
            policy_key: key.clone(),
            device_id: event.coreid.clone(),
            body: azure_body(event),
        }),
        (Kind::AzureIotHub(_), _) => return Err("the Azure policy key was not resolved".into()),
        (Kind::GoogleMaps(_), keys) => Rendered::GoogleMaps(GeolocationRequest {
            event: event.clone(),
            api_key: match keys {
                Keys::GoogleMaps(k) => k.clone(),
                _ => None,
            },
        }),
    })
}

/// Particle's Azure message: `{"data","device_id","event","published_at","fw_version"}`, `fw_version` (a
/// string, as Particle sends it) only when the event carries one.
pub fn azure_body(event: &Event) -> String {
    let mut body = json!({
        "data": event.data,
        "device_id": event.coreid,
        "event": event.name,
        "published_at": event.published_at,
    });
    if let Some(v) = event.fw_version {
        body["fw_version"] = json!(v.to_string());
    }
    body.to_string()
}
