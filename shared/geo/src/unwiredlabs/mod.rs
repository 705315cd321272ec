//! Unwired Labs' LocationAPI: `POST https://us1.unwiredlabs.com/v2/process` (also `process.php`; regions `us2`,
//! `eu1`, `ap1`), a JSON body carrying the token, a JSON answer with HTTP 200 for found and not found alike.
//!
//! - [`request`]: the body built from a normalised scan.
//! - [`answer`]: `{"status":"ok","lat","lon","accuracy"}` or `{"status":"error","message"}` to a location or a
//!   [`ProviderError`].

pub mod answer;
pub mod request;

use std::fmt;

use async_trait::async_trait;
use reqwest::Url;

use crate::http::{self, ApiKey, CallPolicy, EndpointError};
use crate::location::Location;
use crate::normalise::Scan;
use crate::provider::{GeoProvider, ProviderError};

/// Unwired Labs' US East endpoint.
pub const DEFAULT_URL: &str = "https://us1.unwiredlabs.com/v2/process";

/// The Unwired Labs provider. `Debug` shows the URL, never the token.
#[derive(Clone)]
pub struct UnwiredLabsProvider {
    client: reqwest::Client,
    url: Url,
    token: ApiKey,
    policy: CallPolicy,
}

impl fmt::Debug for UnwiredLabsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnwiredLabsProvider")
            .field("url", &self.url.as_str())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl UnwiredLabsProvider {
    /// `url` is checked by [`http::endpoint`] (https, or http on loopback).
    pub fn new(client: reqwest::Client, url: &str, token: ApiKey) -> Result<Self, EndpointError> {
        Ok(UnwiredLabsProvider {
            client,
            url: http::endpoint(url)?,
            token,
            policy: CallPolicy::default(),
        })
    }

    pub fn with_policy(mut self, policy: CallPolicy) -> Self {
        self.policy = policy;
        self
    }
}

#[async_trait]
impl GeoProvider for UnwiredLabsProvider {
    fn name(&self) -> &str {
        "unwiredlabs"
    }

    async fn locate(&self, scan: &Scan) -> Result<Location, ProviderError> {
        let body = request::body(scan, self.token.expose());
        let answer = http::post_json(
            &self.client,
            &self.url,
            &body,
            self.policy,
            self.token.expose(),
        )
        .await?;
        answer::read(answer.status, &answer.body, self.token.expose())
    }
}
