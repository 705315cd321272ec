//! Google's Geolocation API (`reference/particle.md` §4.4): `POST <url>?key=<key>` with a JSON body.
//!
//! - [`request`]: the body built from a normalised scan.
//! - [`answer`]: the success answer and Google's error bodies, to a location or a [`ProviderError`].

pub mod answer;
pub mod request;

use std::fmt;

use async_trait::async_trait;
use reqwest::Url;

use crate::http::{self, ApiKey, CallPolicy, EndpointError};
use crate::location::Location;
use crate::normalise::Scan;
use crate::provider::{GeoProvider, ProviderError};

/// Google's endpoint.
pub const DEFAULT_URL: &str = "https://www.googleapis.com/geolocation/v1/geolocate";

/// The Google provider. `Debug` shows the URL, never the key.
#[derive(Clone)]
pub struct GoogleProvider {
    client: reqwest::Client,
    url: Url,
    key: ApiKey,
    policy: CallPolicy,
}

impl fmt::Debug for GoogleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleProvider")
            .field("url", &self.url.as_str())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl GoogleProvider {
    /// `url` is checked by [`http::endpoint`] (https, or http on loopback).
    pub fn new(client: reqwest::Client, url: &str, key: ApiKey) -> Result<Self, EndpointError> {
        Ok(GoogleProvider {
            client,
            url: http::endpoint(url)?,
            key,
            policy: CallPolicy::default(),
        })
    }

    pub fn with_policy(mut self, policy: CallPolicy) -> Self {
        self.policy = policy;
        self
    }
}

#[async_trait]
impl GeoProvider for GoogleProvider {
    fn name(&self) -> &str {
        "google"
    }

    async fn locate(&self, scan: &Scan) -> Result<Location, ProviderError> {
        let body = request::body(scan);
        let mut url = self.url.clone();
        url.query_pairs_mut().append_pair("key", self.key.expose());
        let answer =
            http::post_json(&self.client, &url, &body, self.policy, self.key.expose()).await?;
        answer::read(answer.status, &answer.body)
    }
}
