//! Lambda entry point: settings and clients once per cold start, then [`respond::Respond::handle`] per request.

use std::sync::Arc;
use std::time::Duration;

use lambda_http::{Error, service_fn};
use particle_cloud::EnvToken;
use particle_cloud::{AccessToken, HttpSettings, ParticleApi, Tokens};
use particle_lambda::SettingError;
use respond::handler::Parts;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    particle_lambda::startup()?;
    // The settings' secrets and the Particle token at once: each `_ARN` is a Secrets Manager round trip.
    let (config, token) = tokio::join!(respond::Config::from_env(), EnvToken::resolve());
    let config = config?;
    let store = particle_lambda::open_store(&config.store).await?;
    // Webhook replies and the reply admin routes need no Particle token: without one (a local run) respond
    // still starts, and Particle refuses the calls that need it (502 particle_unauthorized, logged).
    let token = match token {
        Ok(token) => AccessToken::new(token.expose()),
        Err(SettingError::Missing { .. }) => {
            tracing::warn!(
                "PARTICLE_ACCESS_TOKEN / PARTICLE_ACCESS_TOKEN_SECRET_ARN not set: function calls and publishes \
                 will be refused"
            );
            AccessToken::new("")
        }
        Err(other) => return Err(other.into()),
    };
    let tokens = Arc::new(Tokens::new(
        token,
        Arc::new(EnvToken),
        Tokens::REFRESH_INTERVAL,
    ));
    // A function call may take 25 s: the per-request total timeout sits just above it, every call's own
    // deadline is the real bound.
    let http = HttpSettings::new(
        "respond",
        env!("CARGO_PKG_VERSION"),
        HttpSettings::CONNECT_TIMEOUT,
        Some(Duration::from_secs(27)),
    )
    .client()?;
    let api = ParticleApi::with_base_url(http, &config.api_url, tokens)?;
    let commands = particle_commands::Commands::new(
        store.clone(),
        api,
        config.limits,
        config.pending_ttl_hours,
    );
    tracing::info!(store = %store.describe(), "respond ready");
    let endpoint = respond::Respond::new(Parts {
        store,
        retention: config.retention,
        webhook_secrets: config.webhook_secrets,
        admin_secrets: config.admin_secrets,
        commands,
        reply_max_bytes: config.reply_max_bytes,
    })?;
    let endpoint = &endpoint;
    lambda_http::run(service_fn(move |request| async move {
        Ok::<_, std::convert::Infallible>(endpoint.handle(request).await)
    }))
    .await
}
