//! The one outbound HTTP client setup: rustls over ring (no OpenSSL, no aws-lc), a connect timeout, an optional
//! total timeout, and a user agent that names the calling function and its version (so Particle's and providers'
//! logs tell our functions apart).
//!
//! reqwest is built with `rustls-no-provider` (its `rustls` feature would link aws-lc-rs next to the ring the AWS
//! SDK's client uses), so a client may only be built after ring is installed as the process's rustls provider:
//! every client comes from [`client_builder`], which does that first.
//!
//! Trust roots are read once per process ([`trust_roots`]) and handed to every client: left to itself, reqwest
//! builds a platform verifier per client, which reads the certificate bundle (and without `SSL_CERT_FILE` every
//! file of the certificate directory) again each time; forward builds six clients at cold start.

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
        self.builder().build().map_err(|e| CloudError::Client {
            message: crate::error::chain(&e),
        })
    }

    /// The builder [`client`](Self::client) finishes, for callers that add settings of their own.
    pub fn builder(&self) -> reqwest::ClientBuilder {
        let mut builder = client_builder()
            .user_agent(&self.user_agent)
            .connect_timeout(self.connect_timeout)
            .tcp_keepalive(Duration::from_secs(30))
            // A redirect could carry the Authorization header to another host; Particle's API never redirects.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(total) = self.total_timeout {
            builder = builder.timeout(total);
        }
        builder
    }
}

/// `reqwest::Client::builder()` once ring is the process's rustls provider: the only way this workspace starts an
/// HTTP client (without a provider, reqwest's `build` panics).
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder().tls_certs_only(trust_roots().iter().cloned())
}

/// The platform's trust roots (rustls-native-certs: `SSL_CERT_FILE` / `SSL_CERT_DIR`, else the system's bundle
/// and directory), read on first use and kept. Certificates that do not parse are skipped and logged, as the
/// platform verifier does; with none at all every HTTPS call fails with an unknown-issuer error, so that is
/// logged as an error.
pub fn trust_roots() -> &'static [reqwest::Certificate] {
    static ROOTS: std::sync::LazyLock<Vec<reqwest::Certificate>> = std::sync::LazyLock::new(|| {
        let loaded = rustls_native_certs::load_native_certs();
        if !loaded.errors.is_empty() {
            tracing::warn!(errors = ?loaded.errors, "some trust roots could not be read");
        }
        let roots: Vec<_> = loaded
            .certs
            .iter()
            .filter_map(|der| reqwest::Certificate::from_der(der).ok())
            .collect();
        if roots.is_empty() {
            tracing::error!("no trust roots found: every HTTPS call will fail (see SSL_CERT_FILE)");
        }
        roots
    });
    &ROOTS
}

/// Installs ring as the process's default rustls provider, unless one is installed already (then that one
/// stays: installing is first come, first served, and both would be ring here).
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // An Err means another thread installed one in between: equally good.
        let _ = rustls::crypto::ring::default_provider().install_default();
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

    #[test]
    fn trust_roots_are_read_once() {
        let first = trust_roots();
        assert!(!first.is_empty(), "this machine has a CA bundle");
        assert!(
            std::ptr::eq(first, trust_roots()),
            "the same roots, not read again"
        );
    }
}
