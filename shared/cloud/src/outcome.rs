//! What a failed call means for the caller: retry later (network, timeout, 5xx), wait as told (rate limited, with
//! the server's clamped `Retry-After`), or give up (another 4xx: retrying cannot help).

use std::time::Duration;

use reqwest::StatusCode;
use tokio::time::Instant;

use crate::error::{ApiError, ERROR_BODY_LIMIT, chain};
use crate::retry_after;

/// Longest time spent reading an error body.
const ERROR_BODY_TIME: Duration = Duration::from_secs(2);

/// A call that did not succeed, typed by what the caller should do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Network error, timeout, 408 or 5xx (except 529): retry with backoff.
    #[error("{}", retryable_message(.status, .detail))]
    Retryable { status: Option<u16>, detail: String },
    /// 429, or Particle's 529 (too many stream opens): wait at least `retry_after` when the server said (already
    /// clamped to [`crate::MAX_RETRY_AFTER`]).
    #[error("HTTP {status}: rate limited")]
    RateLimited {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Any other answer (a 4xx, a redirect, a 200 of the wrong kind): retrying cannot help.
    #[error("HTTP {status}: {error}")]
    Permanent { status: u16, error: ApiError },
}

fn retryable_message(status: &Option<u16>, detail: &str) -> String {
    match status {
        Some(s) => format!("HTTP {s}: {detail}"),
        None => detail.to_owned(),
    }
}

impl Failure {
    /// 401 or 403: the token is wrong, expired or lacks access.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Failure::Permanent {
                status: 401 | 403,
                ..
            }
        )
    }

    /// A transport error (no answer).
    pub fn transport(error: &reqwest::Error) -> Self {
        Failure::Retryable {
            status: None,
            detail: chain(error),
        }
    }

    /// The failure an answer that is not a success stands for; reads (part of) the error body, but not past
    /// `deadline` nor for more than two seconds.
    pub async fn from_response(response: reqwest::Response, deadline: Instant) -> Self {
        let status = response.status();
        let code = status.as_u16();
        match Class::of(status) {
            Class::RateLimited => Failure::RateLimited {
                status: code,
                retry_after: retry_after::from_headers(response.headers()),
            },
            Class::Retryable => Failure::Retryable {
                status: Some(code),
                detail: error_body(response, deadline).await.to_string(),
            },
            Class::Success | Class::Permanent => Failure::Permanent {
                status: code,
                error: error_body(response, deadline).await,
            },
        }
    }
}

/// The class of a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Success,
    Retryable,
    RateLimited,
    Permanent,
}

impl Class {
    pub fn of(status: StatusCode) -> Class {
        match status.as_u16() {
            200..=299 => Class::Success,
            429 | 529 => Class::RateLimited,
            408 | 500..=599 => Class::Retryable,
            _ => Class::Permanent,
        }
    }
}

/// The parsed error body, bounded in size and time.
async fn error_body(mut response: reqwest::Response, deadline: Instant) -> ApiError {
    let mut body = Vec::new();
    let read = async {
        while body.len() < ERROR_BODY_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let take = chunk.len().min(ERROR_BODY_LIMIT - body.len());
                    body.extend_from_slice(&chunk[..take]);
                }
                _ => break,
            }
        }
    };
    let until = deadline.min(Instant::now() + ERROR_BODY_TIME);
    let _ = tokio::time::timeout_at(until, read).await;
    ApiError::from_body(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let class = |c: u16| Class::of(StatusCode::from_u16(c).unwrap());
        assert_eq!(class(200), Class::Success);
        assert_eq!(class(204), Class::Success);
        for c in [408, 500, 502, 503, 504] {
            assert_eq!(class(c), Class::Retryable, "{c}");
        }
        assert_eq!(class(429), Class::RateLimited);
        assert_eq!(class(529), Class::RateLimited);
        for c in [301, 400, 401, 403, 404, 422] {
            assert_eq!(class(c), Class::Permanent, "{c}");
        }
    }

    #[test]
    fn auth_and_messages() {
        let auth = Failure::Permanent {
            status: 401,
            error: ApiError::from_body(br#"{"error":"invalid_token"}"#),
        };
        assert!(auth.is_auth());
        assert_eq!(auth.to_string(), "HTTP 401: invalid_token");
        assert!(
            !Failure::Permanent {
                status: 404,
                error: ApiError::default()
            }
            .is_auth()
        );
        let down = Failure::Retryable {
            status: Some(503),
            detail: "no details".to_owned(),
        };
        assert_eq!(down.to_string(), "HTTP 503: no details");
    }
}
