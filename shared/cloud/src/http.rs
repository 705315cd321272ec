//! The one outbound HTTP client setup: rustls (no OpenSSL), a connect timeout, an optional total timeout, and a
//! user agent that names the calling function and its version (so Particle's and providers' logs tell our
//! functions apart).

use std::time::Duration;

use crate::error::CloudError;

/// How a function's HTTP client is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// `particle-integrations-<function>/<version>`.
    pub user_agent: String,
    /// Longest wait for a TCP + TLS connection.
    pub connect_timeout: Duration,
    /// Longest a whole request may take, body included; `None` for long-lived streams (SSE), whose callers bound
    /// every read themselves.
    pub total_timeout: Option<Duration>,
}

impl HttpSettings {
    /// Default connect timeout: well inside Particle's 20 s webhook budget, long enough for a cold TLS handshake.
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default total timeout of an ordinary request.
    pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(15);

    /// Settings for `function` at `version` (pass `env!("CARGO_PKG_VERSION")`) with explicit timeouts.
    pub fn new(
        function: &str,
        version: &str,
        connect_timeout: Duration,
        total_timeout: Option<Duration>,
    ) -> Self {
        HttpSettings {
            user_agent: format!("particle-integrations-{function}/{version}"),
            connect_timeout,
            total_timeout,
        }
    }

    /// Settings for ordinary request/response calls: the default connect and total timeouts.
    pub fn requests(function: &str, version: &str) -> Self {
        Self::new(
            function,
            version,
            Self::CONNECT_TIMEOUT,
            Some(Self::TOTAL_TIMEOUT),
        )
    }

    /// Builds the client (one per process: it holds the connection pool and the TLS configuration).
    pub fn client(&self) -> Result<reqwest::Client, CloudError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(&self.user_agent)
            .connect_timeout(self.connect_timeout)
            .tcp_keepalive(Duration::from_secs(30))
            // A redirect could carry the Authorization header to another host; Particle's API never redirects.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(total) = self.total_timeout {
            builder = builder.timeout(total);
        }
        builder.build().map_err(|e| CloudError::Client {
            message: crate::error::chain(&e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_function_and_version() {
        let s = HttpSettings::requests("sse-drain", "1.2.3");
        assert_eq!(s.user_agent, "particle-integrations-sse-drain/1.2.3");
        assert_eq!(s.total_timeout, Some(HttpSettings::TOTAL_TIMEOUT));
        assert!(s.client().is_ok());
        let stream = HttpSettings::new("sse-drain", "1", Duration::from_secs(3), None);
        assert!(stream.client().is_ok());
    }
}
