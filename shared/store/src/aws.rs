//! The AWS SDK configuration loader every AWS client of the project starts from.
//!
//! The SDK crates are built without their default HTTPS client (rustls over aws-lc-rs, see the workspace
//! manifest), so the HTTP client is set here: aws-smithy-http-client's hyper client with rustls over ring. Every
//! loader must come from [`defaults`]: an SDK configuration loaded any other way has no HTTP client and fails its
//! first request ("no HTTP client was available").
//!
//! Trust roots are the platform's (rustls-native-certs). Without `SSL_CERT_FILE`/`SSL_CERT_DIR` that reads the
//! system bundle *and* every file of the certificate directory; the CDK stack names the Lambda runtime's bundle
//! in `SSL_CERT_FILE`, so a cold start reads one file (see the README's cold start section).

use aws_config::{BehaviorVersion, ConfigLoader};
use aws_smithy_http_client::Builder;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// `aws_config::defaults` (the standard chain for region, endpoints and credentials) with the HTTPS client of
/// every SDK client: hyper with rustls over ring, platform trust roots.
pub fn defaults() -> ConfigLoader {
    let http = Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest()).http_client(http)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::Region;

    #[tokio::test]
    async fn loaded_configuration_has_an_http_client() {
        let config = defaults().region(Region::new("us-east-1")).load().await;
        assert!(config.http_client().is_some());
    }
}
