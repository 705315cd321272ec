//! The Particle Cloud API client: a base URL (policy-checked), the one HTTP client, and the token, sent only as
//! `Authorization: Bearer` (never in a query string, where it would reach access logs).
//!
//! Every call goes through [`ParticleApi::send`]: on a 401 the token is re-read (throttled, see
//! [`crate::token`]) and, if it changed, the call is sent once more with the new one.

use std::sync::Arc;

use tokio::time::Instant;

use crate::error::CloudError;
use crate::outcome::{Class, Failure};
use crate::token::{AccessToken, Tokens};
use crate::url::ApiBase;

/// `PARTICLE_API_URL`'s default.
pub const DEFAULT_API_URL: &str = ApiBase::PARTICLE;

/// A Particle Cloud API client (cheap to clone: the client and the token are shared).
#[derive(Debug, Clone)]
pub struct ParticleApi {
    http: reqwest::Client,
    base: ApiBase,
    tokens: Arc<Tokens>,
}

impl ParticleApi {
    pub fn new(http: reqwest::Client, base: ApiBase, tokens: Arc<Tokens>) -> Self {
        ParticleApi { http, base, tokens }
    }

    /// A client for `base_url` (checked against the URL policy).
    pub fn with_base_url(
        http: reqwest::Client,
        base_url: &str,
        tokens: Arc<Tokens>,
    ) -> Result<Self, CloudError> {
        Ok(ParticleApi::new(http, ApiBase::parse(base_url)?, tokens))
    }

    /// The same client with another token holder (e.g. one that re-reads a rotated token).
    pub fn with_tokens(&self, tokens: Arc<Tokens>) -> Self {
        ParticleApi::new(self.http.clone(), self.base.clone(), tokens)
    }

    pub fn base(&self) -> &ApiBase {
        &self.base
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// Sends the request `build` makes for `path` (the URL is `base + path`; the token is added here), giving up
    /// at `deadline` (a connect timeout is a [`Failure::Retryable`]). A success (2xx) is returned for the caller
    /// to read; anything else as its [`Failure`]. A 401 is retried once if re-reading the token gives a new one.
    pub async fn send(
        &self,
        path: &str,
        build: impl Fn(&reqwest::Client, String) -> reqwest::RequestBuilder,
        deadline: Instant,
    ) -> Result<reqwest::Response, Failure> {
        let url = self.base.join(path);
        let token = self.tokens.current().await;
        let response = self
            .send_once(build(&self.http, url.clone()), &token, deadline)
            .await?;
        let response = if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            match self.tokens.after_unauthorized(&token).await {
                Some(fresh) => {
                    drop(response);
                    self.send_once(build(&self.http, url), &fresh, deadline)
                        .await?
                }
                None => response,
            }
        } else {
            response
        };
        match Class::of(response.status()) {
            Class::Success => Ok(response),
            _ => Err(Failure::from_response(response, deadline).await),
        }
    }

    async fn send_once(
        &self,
        request: reqwest::RequestBuilder,
        token: &AccessToken,
        deadline: Instant,
    ) -> Result<reqwest::Response, Failure> {
        let request = request.bearer_auth(token.expose());
        match tokio::time::timeout_at(deadline, request.send()).await {
            Err(_) => Err(Failure::Retryable {
                status: None,
                detail: "timed out waiting for an answer".to_owned(),
            }),
            Ok(Err(e)) => Err(Failure::transport(&e)),
            Ok(Ok(response)) => Ok(response),
        }
    }
}
