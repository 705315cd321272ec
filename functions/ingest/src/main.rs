//! Lambda entry point: settings and clients once per cold start, then one call of [`ingest::Ingest::handle`] per
//! request.

use lambda_http::{Error, service_fn};

/// mimalloc instead of the system allocator: the request path is allocation-bound, and mimalloc cuts the
/// ingest path's time by about a third (`make bench`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    particle_lambda::startup()?;
    let config = ingest::Config::from_env().await?;
    let store = particle_lambda::open_store(&config.store).await?;
    tracing::info!(store = %store.describe(), "ingest ready");
    let endpoint = ingest::Ingest::new(store, config.retention, config.secrets)?;
    let endpoint = &endpoint;
    lambda_http::run(service_fn(move |request| async move {
        Ok::<_, std::convert::Infallible>(endpoint.handle(request).await)
    }))
    .await
}
