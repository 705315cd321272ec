//! Errors: [`CloudError`] for what goes wrong before a request reaches Particle (URL policy, client setup), and
//! [`ApiError`], the parsed error body of an answer. Neither ever carries a token.

use std::fmt;

use thiserror::Error;

/// A setup or policy error.
#[derive(Debug, Error)]
pub enum CloudError {
    /// The URL breaks the URL policy (see [`crate::url`]) or does not parse.
    #[error("URL {url:?} is not allowed: {reason}")]
    Url { url: String, reason: String },
    /// The HTTP client could not be built (TLS setup).
    #[error("the HTTP client could not be built: {message}")]
    Client { message: String },
}

/// Most bytes of an error body kept.
pub const ERROR_BODY_LIMIT: usize = 2 * 1024;
/// Most characters of a non-JSON error body kept for a message.
const TEXT_LIMIT: usize = 200;

/// What Particle said went wrong, from its error body: `{"error": "invalid_token", "error_description": "..."}`
/// (OAuth style), `{"ok": false, "error": "..."}` (most API calls) or `{"ok": false, "errors": ["..."]}`; any
/// other body is kept as a short one-line excerpt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiError {
    /// `error` (a code such as `invalid_token`, or a sentence).
    pub error: Option<String>,
    /// `error_description`, or the joined `errors`.
    pub description: Option<String>,
    /// The start of a body that is not one of the JSON forms, control characters removed.
    pub text: Option<String>,
}

impl ApiError {
    /// A message of our own (e.g. a wrong content type), not from a body.
    pub fn message(text: impl Into<String>) -> Self {
        ApiError {
            text: Some(text.into()),
            ..ApiError::default()
        }
    }

    /// Parses an error body (at most [`ERROR_BODY_LIMIT`] bytes are looked at).
    pub fn from_body(body: &[u8]) -> Self {
        let body = &body[..body.len().min(ERROR_BODY_LIMIT)];
        if let Ok(serde_json::Value::Object(json)) = serde_json::from_slice(body) {
            let text = |k: &str| {
                json.get(k)
                    .and_then(|v| v.as_str())
                    .map(clean)
                    .filter(|s| !s.is_empty())
            };
            let error = text("error");
            let description = text("error_description").or_else(|| {
                let errors: Vec<String> = json
                    .get("errors")?
                    .as_array()?
                    .iter()
                    .filter_map(|v| v.as_str().map(clean))
                    .collect();
                (!errors.is_empty()).then(|| errors.join("; "))
            });
            if error.is_some() || description.is_some() {
                return ApiError {
                    error,
                    description,
                    text: None,
                };
            }
        }
        let text = clean(&String::from_utf8_lossy(body));
        ApiError {
            text: (!text.is_empty()).then_some(text),
            ..ApiError::default()
        }
    }
}

/// One line, no control characters, bounded.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(TEXT_LIMIT)
        .collect::<String>()
        .trim()
        .to_owned()
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.error, &self.description, &self.text) {
            (Some(e), Some(d), _) => write!(f, "{e}: {d}"),
            (Some(e), None, _) | (None, Some(e), _) => f.write_str(e),
            (None, None, Some(t)) => f.write_str(t),
            (None, None, None) => f.write_str("no details"),
        }
    }
}

/// An error and its causes on one line (reqwest's messages name the URL and the cause, never a header).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particle_error_bodies() {
        let oauth = ApiError::from_body(
            br#"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#,
        );
        assert_eq!(
            oauth.to_string(),
            "invalid_token: The access token provided is invalid."
        );
        let ok_false = ApiError::from_body(br#"{"ok":false,"error":"Permission Denied"}"#);
        assert_eq!(ok_false.error.as_deref(), Some("Permission Denied"));
        assert_eq!(ok_false.to_string(), "Permission Denied");
        let errors = ApiError::from_body(br#"{"ok":false,"errors":["a","b"]}"#);
        assert_eq!(errors.to_string(), "a; b");
        let html = ApiError::from_body(b"<html>\r\n502 Bad Gateway\x00</html>");
        assert_eq!(html.to_string(), "<html>502 Bad Gateway</html>");
        assert_eq!(ApiError::from_body(b"").to_string(), "no details");
        assert_eq!(ApiError::from_body(b"{}").to_string(), "{}");
        let long = ApiError::from_body(&[b'x'; 10_000]);
        assert_eq!(long.to_string().len(), TEXT_LIMIT);
    }
}
