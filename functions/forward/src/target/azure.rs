//! Azure IoT Hub over REST with a shared access policy (registry write, device connect), as Particle's
//! integration does: the device identity, named by the Particle device id, is created on the device's first
//! event (`PUT /devices/{id}`; 409 means it already exists), then each event is a device-to-cloud message
//! (`POST /devices/{id}/messages/events`). Tokens are scoped to the hub host and signed with the policy key.
//!
//! 429 and 5xx are retryable; 401 (wrong policy or key) and 403 (a missing right, or the daily message quota)
//! are reported with what to check. `AZURE_IOT_HUB_ENDPOINT` replaces `https://<hub>.azure-devices.net` for tests
//! and must be a loopback address (the token still names the real hub host).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::json;
use thiserror::Error;

use super::azure_sas::{encode_uri_component, sas_token};
use super::google_auth::unix_now;
use super::http::{
    REQUEST_TIMEOUT, capped_body, excerpt, retry_after, status_outcome, transport_error,
};
use super::{AzureMessage, Target};
use crate::outcome::TargetOutcome;

pub const API_VERSION: &str = "2021-04-12";
/// Token lifetime; a cached token is reused until it has less than [`TOKEN_MARGIN_SECS`] left.
pub const TOKEN_LIFETIME_SECS: u64 = 3600;
pub const TOKEN_MARGIN_SECS: u64 = 600;

#[derive(Debug, Error)]
pub enum AzureConfigError {
    #[error(
        "AZURE_IOT_HUB_ENDPOINT must be an http(s) URL on a loopback address (it exists for tests)"
    )]
    NotLoopback,
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

#[derive(Debug)]
pub struct AzureTarget {
    client: reqwest::Client,
    endpoint: Option<String>,
    /// `hub/device` pairs whose identity exists.
    devices: Mutex<HashSet<String>>,
    /// Tokens per `hub/policy`, with their expiry.
    tokens: Mutex<HashMap<String, (String, u64)>>,
}

/// The hub's host name, which is also the token's resource.
pub fn hub_host(hub: &str) -> String {
    format!("{}.azure-devices.net", hub.to_ascii_lowercase())
}

impl AzureTarget {
    /// The real hubs, or `AZURE_IOT_HUB_ENDPOINT` (loopback only).
    pub fn from_env() -> Result<Self, AzureConfigError> {
        Self::new(particle_lambda::env::var("AZURE_IOT_HUB_ENDPOINT").as_deref())
    }

    pub fn new(endpoint: Option<&str>) -> Result<Self, AzureConfigError> {
        let endpoint = match endpoint {
            None => None,
            Some(e) => {
                let url = reqwest::Url::parse(e).map_err(|_| AzureConfigError::NotLoopback)?;
                let loopback = match url.host() {
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    Some(url::Host::Domain(d)) => d == "localhost",
                    None => false,
                };
                if !loopback || !matches!(url.scheme(), "http" | "https") {
                    return Err(AzureConfigError::NotLoopback);
                }
                Some(e.trim_end_matches('/').to_owned())
            }
        };
        Ok(AzureTarget {
            client: particle_cloud::http::client_builder()
                .timeout(REQUEST_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            endpoint,
            devices: Mutex::new(HashSet::new()),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    fn base(&self, hub: &str) -> String {
        match &self.endpoint {
            Some(e) => e.clone(),
            None => format!("https://{}", hub_host(hub)),
        }
    }

    fn token(&self, m: &AzureMessage, now: u64) -> String {
        let cache_key = format!("{}/{}", m.hub_name, m.policy_name);
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, expiry)) = tokens.get(&cache_key)
            && *expiry > now + TOKEN_MARGIN_SECS
        {
            return token.clone();
        }
        let expiry = now + TOKEN_LIFETIME_SECS;
        let token = sas_token(
            &hub_host(&m.hub_name),
            &m.policy_key,
            &m.policy_name,
            expiry,
        );
        tokens.insert(cache_key, (token.clone(), expiry));
        token
    }

    fn forget_token(&self, m: &AzureMessage) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens.remove(&format!("{}/{}", m.hub_name, m.policy_name));
    }

    async fn send(
        &self,
        m: &AzureMessage,
        method: reqwest::Method,
        path: &str,
        body: String,
        what: &str,
    ) -> Result<(u16, String), TargetOutcome> {
        let url = format!("{}{path}?api-version={API_VERSION}", self.base(&m.hub_name));
        let host = hub_host(&m.hub_name);
        let response = self
            .client
            .request(method, url)
            .header("authorization", self.token(m, unix_now()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(&host, &e))?;
        let status = response.status().as_u16();
        let retry = retry_after(response.headers());
        let text = capped_body(response)
            .await
            .map_err(|e| transport_error(&host, &e))?;
        if (200..300).contains(&status) || (status == 409 && what == "create device") {
            return Ok((status, text));
        }
        if status == 401 {
            // A token minted from a rotated key stays cached otherwise.
            self.forget_token(m);
        }
        let reason = match status {
            401 => format!(
                "{what}: IoT Hub {} refused the token (401): check policy_name `{}` and its key",
                m.hub_name, m.policy_name
            ),
            403 if text.contains("QuotaExceeded") => format!(
                "{what}: IoT Hub {} daily message quota exceeded (403): {}",
                m.hub_name,
                excerpt(&text)
            ),
            403 => format!(
                "{what}: IoT Hub {} forbids it (403): policy `{}` needs registry write and device connect: {}",
                m.hub_name,
                m.policy_name,
                excerpt(&text)
            ),
            _ => format!(
                "{what}: IoT Hub {} answered {status}: {}",
                m.hub_name,
                excerpt(&text)
            ),
        };
        Err(status_outcome(status, retry, reason))
    }
}

#[async_trait]
impl Target for AzureTarget {
    type Request = AzureMessage;

    fn host(&self, m: &AzureMessage) -> String {
        hub_host(&m.hub_name)
    }

    async fn deliver(&self, m: &AzureMessage) -> TargetOutcome {
        let device_path = format!("/devices/{}", encode_uri_component(&m.device_id));
        let known_key = format!("{}/{}", m.hub_name, m.device_id);
        let known = self
            .devices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&known_key);
        if !known {
            let body = json!({ "deviceId": m.device_id }).to_string();
            if let Err(outcome) = self
                .send(m, reqwest::Method::PUT, &device_path, body, "create device")
                .await
            {
                return outcome;
            }
            self.devices
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(known_key);
        }
        match self
            .send(
                m,
                reqwest::Method::POST,
                &format!("{device_path}/messages/events"),
                m.body.clone(),
                "send message",
            )
            .await
        {
            Ok((status, body)) => TargetOutcome::Delivered { status, body },
            Err(outcome) => outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_must_be_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1/",
            "http://[::1]:9",
        ] {
            assert!(AzureTarget::new(Some(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:8080",
            "https://evil.example",
            "ftp://127.0.0.1",
            "nonsense",
        ] {
            assert!(AzureTarget::new(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(hub_host("My-Hub"), "my-hub.azure-devices.net");
    }
}
