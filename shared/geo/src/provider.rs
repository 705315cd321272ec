//! What every geolocation provider is to the fallback: a name and `locate`.

use async_trait::async_trait;
use thiserror::Error;

use crate::location::Location;
use crate::normalise::Scan;

/// A provider's failure. Messages hold reason codes, statuses and transport causes only: never a key, a token,
/// a URL or a provider's free text that could echo them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProviderError {
    /// The request was valid and the provider knows no place for it (Google `notFound`, Unwired Labs "No matches
    /// found").
    #[error("no location known for this scan (notFound)")]
    NotFound,
    /// The key or token was refused (Google `keyInvalid`, Unwired Labs "Invalid token").
    #[error("the API key was refused ({reason})")]
    KeyInvalid { reason: String },
    /// The key is valid but may not use the API (Google `accessNotConfigured`, billing off, referer blocked).
    #[error("access denied ({reason})")]
    Denied { reason: String },
    /// A daily or rate quota is used up (Google `dailyLimitExceeded`, `userRateLimitExceeded`; HTTP 429).
    #[error("quota exhausted ({reason})")]
    Quota { reason: String },
    /// The provider refused the request as malformed (Google `parseError`, another 4xx).
    #[error("request refused with HTTP {status} ({reason})")]
    Rejected { status: u16, reason: String },
    /// 5xx, after the one retry.
    #[error("server error (HTTP {status})")]
    Server { status: u16 },
    #[error("timed out")]
    Timeout,
    /// No HTTP answer (connection refused, TLS, reset), after the one retry.
    #[error("network error ({0})")]
    Network(String),
    /// An answer that is not the documented schema, or a location out of range.
    #[error("unexpected answer ({0})")]
    BadResponse(String),
}

impl ProviderError {
    /// A short code for logs and metrics: the provider's reason where it gave one.
    pub fn reason(&self) -> String {
        match self {
            ProviderError::NotFound => "notFound".to_owned(),
            ProviderError::KeyInvalid { reason }
            | ProviderError::Denied { reason }
            | ProviderError::Quota { reason }
            | ProviderError::Rejected { reason, .. } => reason.clone(),
            ProviderError::Server { status } => format!("http{status}"),
            ProviderError::Timeout => "timeout".to_owned(),
            ProviderError::Network(_) => "network".to_owned(),
            ProviderError::BadResponse(_) => "badResponse".to_owned(),
        }
    }

    /// A configuration problem an operator must fix (logged at warn level).
    pub fn is_configuration(&self) -> bool {
        matches!(
            self,
            ProviderError::KeyInvalid { .. } | ProviderError::Denied { .. }
        )
    }
}

/// A geolocation provider. Implementations bound each call themselves (see [`crate::http::CallPolicy`]); the
/// fallback bounds the whole request.
#[async_trait]
pub trait GeoProvider: Send + Sync {
    /// The name in settings, messages and stored items: `google`, `unwiredlabs`.
    fn name(&self) -> &str;

    async fn locate(&self, scan: &Scan) -> Result<Location, ProviderError>;
}

/// A reason code from a provider, kept only if it looks like one (letters, digits, `_`, `.`, `-`; at most 64
/// characters), since it ends up in answers and logs.
pub(crate) fn reason_code(text: &str) -> Option<String> {
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    ok.then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_are_filtered() {
        assert_eq!(reason_code("keyInvalid").as_deref(), Some("keyInvalid"));
        assert_eq!(
            reason_code("API_KEY_INVALID").as_deref(),
            Some("API_KEY_INVALID")
        );
        assert_eq!(reason_code("key=AIza secret"), None);
        assert_eq!(reason_code(""), None);
        assert_eq!(reason_code(&"a".repeat(65)), None);
    }

    #[test]
    fn messages_name_the_reason() {
        let e = ProviderError::Quota {
            reason: "dailyLimitExceeded".into(),
        };
        assert_eq!(e.to_string(), "quota exhausted (dailyLimitExceeded)");
        assert_eq!(e.reason(), "dailyLimitExceeded");
        assert_eq!(ProviderError::Server { status: 503 }.reason(), "http503");
    }
}
