//! Particle's event stream: `GET /v1/devices/events[/<prefix>]` (or a product's) as `text/event-stream`.
//! Reading and parsing the stream is the caller's (the drainer's own WHATWG parser).

use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use tokio::time::Instant;

use crate::api::ParticleApi;
use crate::error::ApiError;
use crate::outcome::Failure;

impl ParticleApi {
    /// Opens the event stream at `path` (path and percent-encoded prefix segment), giving up at `deadline`. A 200
    /// that is not `text/event-stream` is a [`Failure::Permanent`] (a wrong path or a proxy page).
    pub async fn open_events(
        &self,
        path: &str,
        deadline: Instant,
    ) -> Result<reqwest::Response, Failure> {
        let response = self
            .send(
                path,
                |client, url| {
                    client
                        .get(url)
                        .header(ACCEPT, "text/event-stream")
                        .header(CACHE_CONTROL, "no-cache")
                },
                deadline,
            )
            .await?;
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(100)
            .collect::<String>()
            .to_ascii_lowercase();
        if content_type.starts_with("text/event-stream") {
            return Ok(response);
        }
        Err(Failure::Permanent {
            status: response.status().as_u16(),
            error: ApiError::message(format!(
                "expected Content-Type text/event-stream, got {content_type:?}"
            )),
        })
    }
}
