//! Test support: real HTTP simulators of the services the functions talk to, on 127.0.0.1, and real peers.
//!
//! Module map:
//! - [`particle_sse`]: Particle's Server-Sent-Events stream with scripted faults.
//! - [`particle_api`]: Particle's Cloud API towards devices (function calls, publishes, offline and slow devices,
//!   429/5xx faults, Bearer check).
//! - [`json_sim`]: a scripted JSON-over-HTTP service that records requests (base of the two below).
//! - [`google_geo`]: Google's Geolocation API (success, its documented error bodies, 5xx, slow; checks the key).
//! - [`unwiredlabs`]: Unwired Labs' LocationAPI (success, error, not found; checks the token).
//! - [`webhook_target`]: a webhook receiver that records requests and answers from a script.
//! - [`azure_iot`]: an Azure IoT Hub double checking SAS tokens, recording messages, with 429/quota faults.
//! - [`pubsub_emulator`]: Google's Pub/Sub emulator, from `PUBSUB_EMULATOR_HOST` or started on a free port.
//! - [`serve_loopback`]: serves an axum router on a free 127.0.0.1 port (every simulator above starts this way).
//! - [`http_client`]: a reqwest client for tests' own requests (ring installed first, as the functions do).
//!
//! Binary `geo-standin` (`src/bin/geo-standin.rs`): the Google simulator on a fixed port, a stand-in provider
//! for trying `geolocate` under `make run` with curl.

pub mod azure_iot;
pub mod google_geo;
pub mod json_sim;
pub mod particle_api;
pub mod particle_sse;
pub mod pubsub_emulator;
pub mod unwiredlabs;
pub mod webhook_target;

/// Serves `app` on a free port of 127.0.0.1 until the returned task is aborted (or the test's runtime ends): the
/// address and the server task.
pub async fn serve_loopback(
    app: axum::Router,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, server)
}

/// A plain reqwest client for a test's own requests. reqwest is built without a crypto provider in this workspace
/// (see `particle_cloud::http`), so ring is installed first, as `particle_cloud::http::client_builder` does.
pub fn http_client() -> reqwest::Client {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::Client::new()
}
