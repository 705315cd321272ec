//! Lambda entry point: settings, the store, the HTTP client and the providers once per cold start, then one call
//! of [`geolocate::Geolocate::handle`] per request.

use lambda_http::{Error, service_fn};

/// mimalloc instead of the system allocator, as the other functions (the request path is allocation-bound).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    particle_lambda::startup()?;
    let config = geolocate::Config::from_env().await?;
    let store = particle_lambda::open_store(&config.store).await?;
    let client = particle_geo::http::settings(geolocate::FUNCTION).client()?;
    let providers = geolocate::providers::build(&config.providers, &client)?;
    tracing::info!(store = %store.describe(), providers = %config.providers.names(), "geolocate ready");
    let endpoint = geolocate::Geolocate::new(store, providers, config.answering, config.secrets)?;
    let endpoint = &endpoint;
    lambda_http::run(service_fn(move |request| async move {
        Ok::<_, std::convert::Infallible>(endpoint.handle(request).await)
    }))
    .await
}
