//! The TLS setup of every HTTP client, against a real TLS server on 127.0.0.1 whose certificate is self-signed
//! (`fixtures/test-only-self-signed.*.pem`, made for this test; it names 127.0.0.1 and grants nothing): the
//! clients trust only the platform's roots (read once, `particle_cloud::http::trust_roots`), so they refuse it,
//! and only a client told to accept invalid certificates (a webhook with `rejectUnauthorized: false`) gets through.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

const CERT: &[u8] = include_bytes!("fixtures/test-only-self-signed.cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/test-only-self-signed.key.pem");

/// An HTTPS server answering every request `200 ok`; its URL.
async fn https_server() -> String {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(CERT)
        .collect::<Result<_, _>>()
        .expect("the fixture certificate");
    let key = PrivateKeyDer::from_pem_slice(KEY).expect("the fixture key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("a server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!(
        "https://127.0.0.1:{}/",
        listener.local_addr().expect("addr").port()
    );
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake ends here, as it should.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    url
}

#[tokio::test]
async fn an_unknown_issuer_is_refused_and_accepted_only_when_told() {
    let url = https_server().await;

    let verified = particle_cloud::HttpSettings::requests("tls-test", "1")
        .client()
        .expect("a client");
    let err = verified
        .get(&url)
        .send()
        .await
        .expect_err("a self-signed certificate is not trusted");
    let chain = particle_cloud::error::chain(&err);
    assert!(
        chain.contains("UnknownIssuer") || chain.contains("unknown issuer"),
        "refused for its issuer: {chain}"
    );

    let unverified = particle_cloud::http::client_builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .expect("a client");
    let answer = unverified
        .get(&url)
        .send()
        .await
        .expect("accepted when told");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.expect("a body"), "ok");
}
