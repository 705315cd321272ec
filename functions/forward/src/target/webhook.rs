//! User webhooks: the rendered request sent as Particle sends it (its `User-Agent` unless the definition sets
//! one, HTTP Basic from `auth`), with Particle's 20 s timeout.
//!
//! Redirects are not followed: a 3xx is a permanent failure naming the `Location`, so a webhook never ends up
//! somewhere its definition does not say (and a Basic password never follows a redirect). `rejectUnauthorized:
//! false` uses a second client that accepts any certificate; every other webhook verifies TLS.

use async_trait::async_trait;
use particle_template::Method;
use reqwest::Url;

use super::http::{
    REQUEST_TIMEOUT, capped_body, excerpt, retry_after, status_outcome, transport_error,
};
use super::{HttpRequest, Target};
use crate::outcome::TargetOutcome;

/// What Particle's webhooks send as `User-Agent`; receivers that check it keep working.
pub const USER_AGENT: &str = "ParticleBot/1.1 (https://docs.particle.io/webhooks)";

#[derive(Debug, Clone)]
pub struct WebhookTarget {
    verified: reqwest::Client,
    unverified: reqwest::Client,
}

impl WebhookTarget {
    /// Particle's 20 s timeout.
    pub fn new() -> Result<Self, reqwest::Error> {
        Self::with_timeout(REQUEST_TIMEOUT)
    }

    pub fn with_timeout(timeout: std::time::Duration) -> Result<Self, reqwest::Error> {
        let builder = || {
            particle_cloud::http::client_builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(USER_AGENT)
        };
        Ok(WebhookTarget {
            verified: builder().build()?,
            unverified: builder().tls_danger_accept_invalid_certs(true).build()?,
        })
    }
}

fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

#[async_trait]
impl Target for WebhookTarget {
    type Request = HttpRequest;

    fn host(&self, request: &HttpRequest) -> String {
        host_of(&request.request.url)
    }

    async fn deliver(&self, request: &HttpRequest) -> TargetOutcome {
        let r = &request.request;
        let url = match Url::parse(&r.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
            // The URL is not echoed: it may carry a secret from the query template.
            _ => {
                return TargetOutcome::permanent("the rendered url is not an absolute http(s) URL");
            }
        };
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = if request.reject_unauthorized {
            &self.verified
        } else {
            &self.unverified
        };
        let method = match r.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = client.request(method, url);
        for (k, v) in &r.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if let Some(auth) = &r.basic_auth {
            builder = builder.basic_auth(&auth.username, Some(&auth.password));
        }
        if let Some(body) = &r.body {
            builder = builder.body(body.clone());
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return transport_error(&host, &e),
        };
        let status = response.status().as_u16();
        let retry = retry_after(response.headers());
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = match capped_body(response).await {
            Ok(b) => b,
            Err(e) => return transport_error(&host, &e),
        };
        if (200..300).contains(&status) {
            return TargetOutcome::Delivered { status, body };
        }
        // Particle's hook-error text: "error status 404 from requestb.in".
        let mut reason = format!("error status {status} from {host}");
        if let Some(loc) = location.filter(|_| (300..400).contains(&status)) {
            reason.push_str(&format!(" (redirect to {} not followed)", excerpt(&loc)));
        } else if !body.is_empty() {
            reason.push_str(&format!(": {}", excerpt(&body)));
        }
        status_outcome(status, retry, reason)
    }
}
