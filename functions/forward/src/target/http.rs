//! HTTP plumbing the targets share: which statuses are worth a retry, `Retry-After`, and reading a response
//! body without letting a server make us buffer more than we publish.

use std::time::Duration;

use particle_template::RESPONSE_CAP_BYTES;

use crate::outcome::TargetOutcome;

/// Particle's webhook timeout; also used for the other targets.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// 429, 408 and 5xx are worth another attempt; other 4xx (and 3xx, which are not followed) are not.
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || status == 408 || (500..=599).contains(&status)
}

/// `Retry-After` in seconds (the HTTP-date form is rare for APIs and treated as absent).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Reads at most [`RESPONSE_CAP_BYTES`] of the body (what a device can get back), as lossy UTF-8.
pub async fn capped_body(mut response: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = RESPONSE_CAP_BYTES.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if buf.len() >= RESPONSE_CAP_BYTES {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// At most 300 bytes of a body for an error message, on a character boundary.
pub fn excerpt(body: &str) -> String {
    let mut end = body.len().min(300);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let mut s = body[..end].trim().to_owned();
    if end < body.len() {
        s.push('…');
    }
    s
}

/// The outcome of a transport error (no HTTP status).
pub fn transport_error(host: &str, e: &reqwest::Error) -> TargetOutcome {
    if e.is_builder() {
        return TargetOutcome::permanent(format!("invalid request to {host}: {}", root_cause(e)));
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    TargetOutcome::retryable(format!("{what} ({host}): {}", root_cause(e)))
}

/// The innermost error message: reqwest's own Display is "error sending request for url (...)", which repeats the
/// URL (and with it any secret in the query string).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// The outcome of an HTTP answer that is not a success: retryable or permanent by status.
pub fn status_outcome(status: u16, retry_after: Option<Duration>, reason: String) -> TargetOutcome {
    if is_retryable_status(status) {
        TargetOutcome::Retryable {
            reason,
            status: Some(status),
            retry_after,
        }
    } else {
        TargetOutcome::Permanent {
            reason,
            status: Some(status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 301, 400, 401, 403, 404, 409, 413, 422] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn retry_after_seconds_only() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", " 7 ".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn excerpt_cuts_on_a_boundary() {
        let s = "é".repeat(200);
        let e = excerpt(&s);
        assert!(e.ends_with('…') && e.len() <= 303, "{}", e.len());
        assert_eq!(excerpt(" ok "), "ok");
    }
}
