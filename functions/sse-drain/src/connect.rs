//! Opening the stream, and what Particle's answer means for the drainer.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use tokio::time::Instant;

/// Most bytes of an error body kept for the log.
const ERROR_BODY_LIMIT: usize = 2 * 1024;

/// The result of one open.
#[derive(Debug)]
pub enum Opened {
    /// 200 with `text/event-stream`: read it.
    Stream(reqwest::Response),
    /// 401/403: the token is wrong or lacks access. Ends the window; no reconnect loop.
    AuthRefused { status: u16, detail: String },
    /// 529 (or 429): too many opens from this IP. `retry_after` if the server said.
    RateLimited {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Another 4xx, or a 200 that is not an event stream: a configuration problem. Ends the window.
    Refused { status: u16, detail: String },
    /// Network error, timeout or 5xx: retry with backoff.
    Failed { detail: String },
}

/// One HTTP client per process (connection pool, TLS config); no overall timeout, since a stream is long-lived.
pub fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("particle-sse-drain/", env!("CARGO_PKG_VERSION")))
        .tcp_keepalive(Duration::from_secs(30))
        .build()
}

/// Opens `url`, giving up at `deadline`.
pub async fn open(client: &reqwest::Client, url: &str, token: &str, deadline: Instant) -> Opened {
    let request = client
        .get(url)
        .bearer_auth(token)
        .header(ACCEPT, "text/event-stream")
        .header(CACHE_CONTROL, "no-cache");
    let response = match tokio::time::timeout_at(deadline, request.send()).await {
        Err(_) => {
            return Opened::Failed {
                detail: "timed out connecting".to_owned(),
            };
        }
        // reqwest's message names the URL and the cause, never the Authorization header.
        Ok(Err(e)) => {
            return Opened::Failed {
                detail: error_chain(&e),
            };
        }
        Ok(Ok(r)) => r,
    };
    let status = response.status();
    if status == StatusCode::OK {
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("text/event-stream") {
            return Opened::Stream(response);
        }
        return Opened::Refused {
            status: 200,
            detail: format!("expected Content-Type text/event-stream, got {content_type:?}"),
        };
    }
    let code = status.as_u16();
    if code == 529 || status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        return Opened::RateLimited {
            status: code,
            retry_after,
        };
    }
    let detail = error_detail(response, deadline).await;
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Opened::AuthRefused {
            status: code,
            detail,
        },
        s if s.is_server_error() => Opened::Failed {
            detail: format!("HTTP {code}: {detail}"),
        },
        _ => Opened::Refused {
            status: code,
            detail,
        },
    }
}

/// The useful part of an error answer: Particle's `error_description` / `error`, or the start of the body.
async fn error_detail(mut response: reqwest::Response, deadline: Instant) -> String {
    let mut body = Vec::new();
    let read = async {
        while body.len() < ERROR_BODY_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk[..chunk.len().min(ERROR_BODY_LIMIT - body.len())])
                }
                _ => break,
            }
        }
    };
    let _ =
        tokio::time::timeout_at(deadline.min(Instant::now() + Duration::from_secs(2)), read).await;
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) {
        let pick = |k: &str| json.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        match (pick("error"), pick("error_description")) {
            (Some(e), Some(d)) => return format!("{e}: {d}"),
            (Some(e), None) | (None, Some(e)) => return e,
            _ => {}
        }
    }
    let text = String::from_utf8_lossy(&body);
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    if text.is_empty() {
        "no details".to_owned()
    } else {
        text
    }
}

/// An error and its causes on one line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}
