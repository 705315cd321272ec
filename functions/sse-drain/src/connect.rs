//! Opening the stream through the Particle API client (`particle-cloud`), and what Particle's answer means for
//! the drainer. The HTTP setup, URL policy, token handling (a 401 re-reads a rotated token once) and the
//! classification of answers are particle-cloud's; this maps them onto the window's choices.

use std::time::Duration;

use particle_cloud::{Failure, HttpSettings, ParticleApi};
use tokio::time::Instant;

/// Longest wait for a TCP + TLS connection (the window bounds the whole open further).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The result of one open.
#[derive(Debug)]
pub enum Opened {
    /// 200 with `text/event-stream`: read it.
    Stream(reqwest::Response),
    /// 401/403 (after re-reading the token, if allowed): the token is wrong or lacks access. Ends the window; no
    /// reconnect loop.
    AuthRefused { status: u16, detail: String },
    /// 529 (or 429): too many opens from this IP. `retry_after` if the server said, at most
    /// [`particle_cloud::MAX_RETRY_AFTER`].
    RateLimited {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Another 4xx, or a 200 that is not an event stream: a configuration problem. Ends the window.
    Refused { status: u16, detail: String },
    /// Network error, timeout or 5xx: retry with backoff.
    Failed { detail: String },
}

/// The HTTP settings of the drainer: no total timeout, since a stream is long-lived (every read is bounded by
/// the window instead).
pub fn http_settings() -> HttpSettings {
    HttpSettings::new(
        "sse-drain",
        env!("CARGO_PKG_VERSION"),
        CONNECT_TIMEOUT,
        None,
    )
}

/// Opens the stream at `path`, giving up at `deadline`.
pub async fn open(api: &ParticleApi, path: &str, deadline: Instant) -> Opened {
    match api.open_events(path, deadline).await {
        Ok(response) => Opened::Stream(response),
        Err(failure) => classify(failure),
    }
}

/// What a failed open means for the window.
pub fn classify(failure: Failure) -> Opened {
    match failure {
        Failure::RateLimited {
            status,
            retry_after,
        } => Opened::RateLimited {
            status,
            retry_after,
        },
        Failure::Retryable { .. } => Opened::Failed {
            detail: failure.to_string(),
        },
        Failure::Permanent { status, error } if matches!(status, 401 | 403) => {
            Opened::AuthRefused {
                status,
                detail: error.to_string(),
            }
        }
        Failure::Permanent { status, error } => Opened::Refused {
            status,
            detail: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use particle_cloud::ApiError;

    use super::*;

    #[test]
    fn failures_map_to_window_choices() {
        let body = br#"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#;
        assert!(matches!(
            classify(Failure::Permanent { status: 401, error: ApiError::from_body(body) }),
            Opened::AuthRefused { status: 401, detail } if detail == "invalid_token: The access token provided is invalid."
        ));
        assert!(matches!(
            classify(Failure::Permanent {
                status: 404,
                error: ApiError::message("x")
            }),
            Opened::Refused { status: 404, .. }
        ));
        assert!(matches!(
            classify(Failure::RateLimited {
                status: 529,
                retry_after: None
            }),
            Opened::RateLimited {
                status: 529,
                retry_after: None
            }
        ));
        assert!(matches!(
            classify(Failure::Retryable { status: Some(502), detail: "bad gateway".to_owned() }),
            Opened::Failed { detail } if detail == "HTTP 502: bad gateway"
        ));
    }
}
