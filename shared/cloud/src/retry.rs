//! The retry loop of every push: 429, 5xx and transport errors (timeouts included) are retried with
//! [`Backoff`] and jitter until the attempts or the time budget run out; a 429's `Retry-After` (already clamped)
//! is waited when it fits in the budget; any other answer is final. A 401 re-reads the token once inside
//! [`ParticleApi::send`].

use std::time::Duration;

use tokio::time::Instant;

use crate::api::ParticleApi;
use crate::backoff::Backoff;
use crate::delivery::{BODY_KEPT_BYTES, bounded};
use crate::error::ERROR_BODY_LIMIT;
use crate::outcome::Failure;

/// How long a push may take and how it backs off.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub backoff: Backoff,
    /// The whole push, every attempt and wait included.
    pub budget: Duration,
}

impl RetryPolicy {
    /// A function call: at most 25 s (API Gateway ends a request at 30 s; Particle's device timeout is about 30 s).
    pub const FUNCTION: RetryPolicy = RetryPolicy {
        backoff: Backoff {
            base: Duration::from_millis(250),
            max: Duration::from_secs(4),
            attempts: 6,
        },
        budget: Duration::from_secs(25),
    };

    /// A publish (one request to the cloud, no device round trip).
    pub const PUBLISH: RetryPolicy = RetryPolicy {
        backoff: Backoff {
            base: Duration::from_millis(250),
            max: Duration::from_secs(4),
            attempts: 6,
        },
        budget: Duration::from_secs(20),
    };
}

/// The end of a retried request.
#[derive(Debug)]
pub(crate) struct Sent {
    pub attempts: u32,
    /// The success's status and body (bounded), or the last failure.
    pub result: Result<(u16, String), Failure>,
    /// Whether the budget ran out (the last failure is then a timeout of ours, or a wait that did not fit).
    pub out_of_time: bool,
}

/// POSTs `form` to `path` under `policy`. `final_status` names statuses that are final even though they are
/// retryable in general (Particle's 408 for a function call: the device already had its 30 s).
pub(crate) async fn post_form(
    api: &ParticleApi,
    path: &str,
    form: &[(&str, &str)],
    policy: RetryPolicy,
    final_status: &[u16],
) -> Sent {
    let deadline = Instant::now() + policy.budget;
    // reqwest's `form` needs its `form` feature; `url`'s serializer is the same encoding.
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let failure = match api
            .send(
                path,
                |client, url| {
                    client
                        .post(url)
                        .header(
                            reqwest::header::CONTENT_TYPE,
                            "application/x-www-form-urlencoded",
                        )
                        .body(body.clone())
                },
                deadline,
            )
            .await
        {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = read_bounded(response, deadline).await;
                return Sent {
                    attempts,
                    result: Ok((status, body)),
                    out_of_time: false,
                };
            }
            Err(failure) => failure,
        };
        let wait = match &failure {
            Failure::Retryable {
                status: Some(s), ..
            } if final_status.contains(s) => None,
            Failure::Retryable { .. } => Some(policy.backoff.delay(attempts - 1)),
            Failure::RateLimited { retry_after, .. } => {
                let backoff = policy.backoff.delay(attempts - 1);
                Some(retry_after.map_or(backoff, |after| after.max(backoff)))
            }
            Failure::Permanent { .. } => None,
        };
        let now = Instant::now();
        let Some(wait) = wait else {
            return Sent {
                attempts,
                result: Err(failure),
                out_of_time: false,
            };
        };
        if now >= deadline || now + wait >= deadline || attempts >= policy.backoff.attempts {
            return Sent {
                attempts,
                out_of_time: now + wait >= deadline,
                result: Err(failure),
            };
        }
        tracing::info!(path, attempts, wait_ms = wait.as_millis() as u64, error = %failure, "Particle call failed; retrying");
        tokio::time::sleep(wait).await;
    }
}

/// A success body, at most [`ERROR_BODY_LIMIT`] bytes read, kept as text.
async fn read_bounded(mut response: reqwest::Response, deadline: Instant) -> String {
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
    let _ = tokio::time::timeout_at(deadline, read).await;
    bounded(&String::from_utf8_lossy(&body), BODY_KEPT_BYTES)
}
