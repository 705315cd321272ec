//! The Particle access token, and its re-read after a rotation.
//!
//! A function reads its token once at cold start. When the secret is rotated, warm instances would keep sending
//! the old token and fail until recycled; so on a 401 the caller asks [`Tokens::after_unauthorized`] for a
//! fresh one. The re-read goes to the [`TokenSource`] (Secrets Manager in production) at most once per
//! [`Tokens::REFRESH_INTERVAL`], so a token that is simply wrong cannot turn every request into a secret fetch.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// A bearer token. `Debug` is redacted and there is no `Display`, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(value: impl Into<String>) -> Self {
        AccessToken(value.into())
    }

    /// The token itself; only for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Why a token could not be read (never contains the token).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the access token could not be read: {0}")]
pub struct TokenError(pub String);

/// Where the current token comes from (the environment or Secrets Manager in production; a fake in tests).
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Reads the token as it is now.
    async fn read(&self) -> Result<AccessToken, TokenError>;
}

/// A token that never changes (a token given directly, or tests).
#[derive(Debug, Clone)]
pub struct StaticToken(pub AccessToken);

#[async_trait::async_trait]
impl TokenSource for StaticToken {
    async fn read(&self) -> Result<AccessToken, TokenError> {
        Ok(self.0.clone())
    }
}

#[derive(Debug)]
struct Current {
    token: AccessToken,
    read_at: Instant,
}

/// The token in use, and its throttled re-read.
#[derive(Debug)]
pub struct Tokens {
    source: Arc<dyn TokenSource>,
    min_interval: Duration,
    current: Mutex<Current>,
}

impl Tokens {
    /// At most one re-read of the token per minute.
    pub const REFRESH_INTERVAL: Duration = Duration::from_secs(60);

    /// `initial` was just read from `source` (at cold start), so the first re-read waits `min_interval` from now.
    pub fn new(initial: AccessToken, source: Arc<dyn TokenSource>, min_interval: Duration) -> Self {
        Tokens {
            source,
            min_interval,
            current: Mutex::new(Current {
                token: initial,
                read_at: Instant::now(),
            }),
        }
    }

    /// A token that is never re-read.
    pub fn fixed(token: AccessToken) -> Self {
        let source = Arc::new(StaticToken(token.clone()));
        Tokens::new(token, source, Self::REFRESH_INTERVAL)
    }

    /// The token to send.
    pub async fn current(&self) -> AccessToken {
        self.current.lock().await.token.clone()
    }

    /// `rejected` was just refused with 401: a different token to retry with, or `None` (re-read too recently,
    /// the source failed, or the token has not changed). Concurrent callers wait for one re-read.
    pub async fn after_unauthorized(&self, rejected: &AccessToken) -> Option<AccessToken> {
        let mut current = self.current.lock().await;
        if current.token != *rejected {
            // Another caller already re-read it.
            return Some(current.token.clone());
        }
        let since = current.read_at.elapsed();
        if since < self.min_interval {
            tracing::debug!(
                since_s = since.as_secs(),
                "token refused; re-read recently, not again yet"
            );
            return None;
        }
        current.read_at = Instant::now();
        match self.source.read().await {
            Ok(token) if token != *rejected => {
                tracing::info!("token refused; re-read it and it has changed (rotation): retrying");
                current.token = token.clone();
                Some(token)
            }
            Ok(_) => {
                tracing::warn!("token refused; re-read it but it is unchanged");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "token refused; re-reading it failed");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A source whose token is whatever was last set, counting reads.
    #[derive(Debug, Default)]
    struct Rotating {
        value: std::sync::Mutex<String>,
        reads: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl TokenSource for Rotating {
        async fn read(&self) -> Result<AccessToken, TokenError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            let value = self.value.lock().unwrap().clone();
            if value.is_empty() {
                return Err(TokenError("unavailable".to_owned()));
            }
            Ok(AccessToken::new(value))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn re_read_at_most_once_a_minute() {
        let source = Arc::new(Rotating::default());
        *source.value.lock().unwrap() = "old".to_owned();
        let old = AccessToken::new("old");
        let tokens = Tokens::new(old.clone(), source.clone(), Tokens::REFRESH_INTERVAL);
        // Just read at cold start: no re-read within the minute, even after a rotation.
        *source.value.lock().unwrap() = "new".to_owned();
        assert_eq!(tokens.after_unauthorized(&old).await, None);
        assert_eq!(source.reads.load(Ordering::SeqCst), 0);
        tokio::time::advance(Duration::from_secs(61)).await;
        let new = AccessToken::new("new");
        assert_eq!(tokens.after_unauthorized(&old).await, Some(new.clone()));
        assert_eq!(tokens.current().await, new);
        assert_eq!(source.reads.load(Ordering::SeqCst), 1);
        // A caller still holding the old token gets the new one without another read.
        assert_eq!(tokens.after_unauthorized(&old).await, Some(new.clone()));
        // The new token refused too: not re-read again within the minute.
        assert_eq!(tokens.after_unauthorized(&new).await, None);
        assert_eq!(source.reads.load(Ordering::SeqCst), 1);
        // Unchanged after a minute: read once, no retry.
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(tokens.after_unauthorized(&new).await, None);
        assert_eq!(source.reads.load(Ordering::SeqCst), 2);
        // A failing source: no retry, and it counts as a read.
        *source.value.lock().unwrap() = String::new();
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(tokens.after_unauthorized(&new).await, None);
        assert_eq!(tokens.after_unauthorized(&new).await, None);
        assert_eq!(source.reads.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn debug_is_redacted() {
        let t = AccessToken::new("secret-token-value");
        assert!(!format!("{t:?}").contains("secret"));
    }
}
