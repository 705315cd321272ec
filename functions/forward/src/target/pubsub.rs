//! Google Cloud Pub/Sub, REST: `POST {base}/v1/projects/<p>/topics/<t>:publish` with one message whose `data`
//! is the event data (base64) and whose attributes are `device_id`, `event` and `published_at`, as Particle's
//! integration sends. Authenticated with a self-signed JWT ([`super::google_auth`]); against the emulator
//! (`PUBSUB_EMULATOR_HOST=host:port`, plain http) without auth, as Google's client libraries do.
//!
//! Pub/Sub's limits are checked before sending, so an oversized message is a permanent failure with a clear
//! reason rather than a 400: request 10 MB, at most 100 attributes, keys up to 256 bytes, values up to 1024.

use async_trait::async_trait;
use base64::Engine;
use serde_json::json;

use super::google_auth::{TokenCache, unix_now};
use super::http::{
    REQUEST_TIMEOUT, capped_body, excerpt, retry_after, status_outcome, transport_error,
};
use super::{PubSubMessage, Target};
use crate::outcome::TargetOutcome;

pub const GOOGLE_BASE: &str = "https://pubsub.googleapis.com";
pub const MAX_REQUEST_BYTES: usize = 10_000_000;
pub const MAX_ATTRIBUTES: usize = 100;
pub const MAX_ATTRIBUTE_KEY_BYTES: usize = 256;
pub const MAX_ATTRIBUTE_VALUE_BYTES: usize = 1024;

#[derive(Debug)]
pub struct PubSubTarget {
    client: reqwest::Client,
    base: String,
    emulator: bool,
    tokens: TokenCache,
}

impl PubSubTarget {
    /// Google's endpoint, or the emulator when `PUBSUB_EMULATOR_HOST` is set.
    pub fn from_env() -> Result<Self, reqwest::Error> {
        match particle_lambda::env::var("PUBSUB_EMULATOR_HOST") {
            Some(host) => Self::emulator(&host),
            None => Self::google(),
        }
    }

    pub fn google() -> Result<Self, reqwest::Error> {
        Self::build(GOOGLE_BASE.to_owned(), false)
    }

    /// Google's REST API at another base URL (a test double that checks the JWT); authenticated like
    /// [`PubSubTarget::google`].
    pub fn google_at(base: &str) -> Result<Self, reqwest::Error> {
        Self::build(base.trim_end_matches('/').to_owned(), false)
    }

    /// The emulator at `host:port` (plain http, no auth).
    pub fn emulator(host: &str) -> Result<Self, reqwest::Error> {
        Self::build(format!("http://{}", host.trim_end_matches('/')), true)
    }

    fn build(base: String, emulator: bool) -> Result<Self, reqwest::Error> {
        Ok(PubSubTarget {
            client: particle_cloud::http::client_builder()
                .timeout(REQUEST_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            base,
            emulator,
            tokens: TokenCache::default(),
        })
    }

    pub fn is_emulator(&self) -> bool {
        self.emulator
    }

    pub fn base(&self) -> &str {
        &self.base
    }
}

/// Checks Pub/Sub's limits and builds the publish request body.
pub fn publish_body(message: &PubSubMessage) -> Result<String, String> {
    if message.attributes.len() > MAX_ATTRIBUTES {
        return Err(format!(
            "{} attributes, over Pub/Sub's limit of {MAX_ATTRIBUTES}",
            message.attributes.len()
        ));
    }
    for (k, v) in &message.attributes {
        if k.is_empty() || k.len() > MAX_ATTRIBUTE_KEY_BYTES {
            return Err(format!(
                "attribute key of {} bytes: Pub/Sub allows 1 to {MAX_ATTRIBUTE_KEY_BYTES}",
                k.len()
            ));
        }
        if v.len() > MAX_ATTRIBUTE_VALUE_BYTES {
            return Err(format!(
                "attribute `{k}` is {} bytes, over Pub/Sub's limit of {MAX_ATTRIBUTE_VALUE_BYTES}",
                v.len()
            ));
        }
    }
    let data = base64::engine::general_purpose::STANDARD.encode(message.data.as_bytes());
    let mut msg = json!({ "data": data });
    if !message.attributes.is_empty() {
        msg["attributes"] = json!(message.attributes);
    }
    let body = json!({ "messages": [msg] }).to_string();
    if body.len() > MAX_REQUEST_BYTES {
        return Err(format!(
            "publish request of {} bytes, over Pub/Sub's limit of {MAX_REQUEST_BYTES}",
            body.len()
        ));
    }
    Ok(body)
}

#[async_trait]
impl Target for PubSubTarget {
    type Request = PubSubMessage;

    fn host(&self, _request: &PubSubMessage) -> String {
        reqwest::Url::parse(&self.base)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default()
    }

    async fn deliver(&self, message: &PubSubMessage) -> TargetOutcome {
        let body = match publish_body(message) {
            Ok(b) => b,
            Err(reason) => return TargetOutcome::permanent(reason),
        };
        let url = format!(
            "{}/v1/projects/{}/topics/{}:publish",
            self.base, message.project, message.topic_id
        );
        let mut builder = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        if !self.emulator {
            let Some(key) = &message.key else {
                return TargetOutcome::permanent(
                    "no service-account key for Google Cloud Pub/Sub (only the emulator takes none)",
                );
            };
            match self.tokens.token(key, unix_now()) {
                Ok(token) => builder = builder.bearer_auth(token),
                Err(e) => return TargetOutcome::permanent(format!("cannot sign the JWT: {e}")),
            }
        }
        let host = self.host(message);
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return transport_error(&host, &e),
        };
        let status = response.status().as_u16();
        let retry = retry_after(response.headers());
        let body = match capped_body(response).await {
            Ok(b) => b,
            Err(e) => return transport_error(&host, &e),
        };
        if status == 200 {
            return TargetOutcome::Delivered { status, body };
        }
        let topic = format!("projects/{}/topics/{}", message.project, message.topic_id);
        status_outcome(
            status,
            retry,
            format!("Pub/Sub answered {status} for {topic}: {}", excerpt(&body)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn message(attributes: BTreeMap<String, String>, data: &str) -> PubSubMessage {
        PubSubMessage {
            project: "p".into(),
            topic_id: "t".into(),
            data: data.into(),
            attributes,
            key: None,
        }
    }

    #[test]
    fn body_and_limits() {
        let attrs: BTreeMap<String, String> = [("device_id".to_owned(), "abc".to_owned())].into();
        let body = publish_body(&message(attrs, "20.5")).unwrap();
        assert_eq!(
            body,
            r#"{"messages":[{"attributes":{"device_id":"abc"},"data":"MjAuNQ=="}]}"#
        );
        let too_many: BTreeMap<_, _> = (0..101).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(
            publish_body(&message(too_many, ""))
                .unwrap_err()
                .contains("100")
        );
        let long_key: BTreeMap<_, _> = [("k".repeat(257), String::new())].into();
        assert!(
            publish_body(&message(long_key, ""))
                .unwrap_err()
                .contains("256")
        );
        let long_value: BTreeMap<_, _> = [("k".to_owned(), "v".repeat(1025))].into();
        assert!(
            publish_body(&message(long_value, ""))
                .unwrap_err()
                .contains("1024")
        );
        let ok_value: BTreeMap<_, _> = [("k".repeat(256), "v".repeat(1024))].into();
        assert!(publish_body(&message(ok_value, "")).is_ok());
        let huge = "x".repeat(MAX_REQUEST_BYTES);
        assert!(
            publish_body(&message(BTreeMap::new(), &huge))
                .unwrap_err()
                .contains("10000000")
        );
    }
}
