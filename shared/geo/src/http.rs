//! What the provider clients share: endpoint validation, the HTTP client, one bounded POST with one retry, and
//! errors that can never carry a secret.

use std::fmt;
use std::time::Duration;

use particle_cloud::{CloudError, HttpSettings};
use reqwest::Url;
use reqwest::header::CONTENT_TYPE;
use thiserror::Error;

use crate::provider::ProviderError;

/// Largest provider answer read; a geolocation answer is a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// An API key or token. `Debug` is redacted and there is no `Display`, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(value: impl Into<String>) -> Self {
        ApiKey(value.into())
    }

    /// The key itself; only the request builders call this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// How one provider call is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallPolicy {
    /// Each HTTP attempt, body included.
    pub attempt_timeout: Duration,
    /// Pause before the one retry (after a 5xx or a connection error; a timeout is not retried, the time is
    /// spent).
    pub retry_delay: Duration,
}

impl Default for CallPolicy {
    fn default() -> Self {
        CallPolicy {
            attempt_timeout: Duration::from_secs(4),
            retry_delay: Duration::from_millis(200),
        }
    }
}

/// A provider URL setting that cannot be used. Messages show the URL without its query, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EndpointError {
    #[error("not a URL ({0})")]
    NotUrl(String),
    /// Refused by the project's URL policy (`particle_cloud::check_url`: https, or http to a loopback host).
    #[error("{url}: {reason}")]
    Policy { url: String, reason: String },
    #[error(
        "{0}: the URL must not carry credentials, a query or a fragment (the key or token has its own setting)"
    )]
    Extras(String),
    #[error("the HTTP client could not be built ({0})")]
    Client(String),
}

/// Checks a provider URL: no credentials, query or fragment (the key has its own setting and Google's travels in
/// the query we add), then the project's URL policy ([`particle_cloud::check_url`]: https, or http to a loopback
/// host for the local simulators).
pub fn endpoint(text: &str) -> Result<Url, EndpointError> {
    let url = Url::parse(text.trim()).map_err(|e| EndpointError::NotUrl(e.to_string()))?;
    let shown = format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + url.path();
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(EndpointError::Extras(shown));
    }
    match particle_cloud::check_url(&url) {
        Ok(()) => Ok(url),
        Err(CloudError::Url { reason, .. }) => Err(EndpointError::Policy { url: shown, reason }),
        Err(other) => Err(EndpointError::Policy {
            url: shown,
            reason: other.to_string(),
        }),
    }
}

/// The project's one HTTP client setup ([`particle_cloud::HttpSettings`]) as the provider calls need it: a 3 s
/// connect timeout and no total timeout, since [`CallPolicy`] bounds each attempt and the fallback the whole
/// request. `function` names the caller in the user agent (`geolocate`, `forward`).
pub fn settings(function: &str) -> HttpSettings {
    HttpSettings::new(
        function,
        env!("CARGO_PKG_VERSION"),
        Duration::from_secs(3),
        None,
    )
}

/// A client built from [`settings`] for `particle-geo` itself (tests, tools). particle-cloud's setup refuses
/// redirects, which matters here: a redirect would carry Google's key (in the query) to wherever it points.
pub fn client() -> Result<reqwest::Client, EndpointError> {
    settings("particle-geo")
        .client()
        .map_err(|e| EndpointError::Client(e.to_string()))
}

/// A provider's HTTP answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// POSTs `body` as JSON: each attempt within `policy.attempt_timeout`, one retry after a 5xx or a connection
/// error. A 5xx after the retry is returned as an answer for the caller to map. `secret` is scrubbed from any
/// error text (defence in depth: reqwest's errors are stripped of their URL first).
pub(crate) async fn post_json(
    client: &reqwest::Client,
    url: &Url,
    body: &[u8],
    policy: CallPolicy,
    secret: &str,
) -> Result<Answer, ProviderError> {
    let mut retried = false;
    loop {
        let attempt = tokio::time::timeout(policy.attempt_timeout, send(client, url, body)).await;
        let retryable = match attempt {
            Err(_) => return Err(ProviderError::Timeout),
            Ok(Err(Failure::Http(e))) if e.is_timeout() => return Err(ProviderError::Timeout),
            Ok(Err(Failure::Http(e))) => ProviderError::Network(error_text(e, secret)),
            Ok(Err(Failure::TooLarge)) => {
                return Err(ProviderError::BadResponse(format!(
                    "answer larger than {MAX_ANSWER_BYTES} bytes"
                )));
            }
            Ok(Ok(answer)) if answer.status >= 500 && !retried => ProviderError::Server {
                status: answer.status,
            },
            Ok(Ok(answer)) => return Ok(answer),
        };
        if retried {
            return Err(retryable);
        }
        tracing::debug!(cause = %retryable, "provider call failed; retrying once");
        retried = true;
        tokio::time::sleep(policy.retry_delay).await;
    }
}

enum Failure {
    Http(reqwest::Error),
    TooLarge,
}

async fn send(client: &reqwest::Client, url: &Url, body: &[u8]) -> Result<Answer, Failure> {
    let mut response = client
        .post(url.clone())
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .await
        .map_err(Failure::Http)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Failure::Http)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, body })
}

/// reqwest's error and its causes, without the URL (Google's key travels in the query string) and with
/// `secret` scrubbed, at most 300 characters.
pub(crate) fn error_text(e: reqwest::Error, secret: &str) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if !secret.is_empty() {
        text = text.replace(secret, "<redacted>");
    }
    if text.len() > 300 {
        let mut end = 300;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert!(endpoint("https://www.googleapis.com/geolocation/v1/geolocate").is_ok());
        assert!(endpoint("http://127.0.0.1:8080/geolocate").is_ok());
        assert!(endpoint("http://[::1]:8080/").is_ok());
        assert!(endpoint("http://localhost:9/").is_ok());
        let insecure = endpoint("http://example.com/geolocate").unwrap_err();
        assert!(
            matches!(&insecure, EndpointError::Policy { url, .. } if url == "http://example.com/geolocate")
        );
        assert!(insecure.to_string().contains("loopback"), "{insecure}");
        assert!(matches!(
            endpoint("ftp://127.0.0.1/"),
            Err(EndpointError::Policy { .. })
        ));
        assert!(matches!(
            endpoint("not a url"),
            Err(EndpointError::NotUrl(_))
        ));
        let with_key = endpoint("https://x.example/geolocate?key=AIzaSECRET").unwrap_err();
        assert!(matches!(with_key, EndpointError::Extras(_)));
        assert!(!with_key.to_string().contains("AIzaSECRET"));
        let with_user = endpoint("https://me:SECRETPW@x.example/").unwrap_err();
        assert!(!with_user.to_string().contains("SECRETPW"));
        // 127.0.0.1.nip.io-style names are not loopback.
        assert!(endpoint("http://127.0.0.1.example.com/").is_err());
    }

    #[test]
    fn api_key_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", ApiKey::new("AIzaSECRET")),
            "ApiKey(<redacted>)"
        );
    }
}
