//! The production [`DeviceResponder`] and [`PendingCommands`]: the Particle Cloud API through `particle-cloud`
//! (hook-response delivery: `hook-response/<event>/<n>` chunks of at most 512 bytes published to the device,
//! the product form for product devices) and `particle-commands` (pending commands delivered when the device is
//! seen). Every chunk pushed is logged in the commands' delivery log under the event's id.
//!
//! Without a Particle token (`PARTICLE_ACCESS_TOKEN` / `PARTICLE_ACCESS_TOKEN_SECRET_ARN`) there is neither: a
//! local run without an account still forwards, and says once that device responses are not published.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use particle_cloud::{
    AccessToken, HookKind, HookTarget, HttpSettings, Limits, Outcome, ParticleApi, RetryPolicy,
    Tokens,
};
use particle_commands::{Commands, Deliveries};
use particle_events::Event;
use particle_lambda::SettingError;
use particle_lambda::env;
use particle_store::ItemStore;
use particle_template::HookResponse;
use thiserror::Error;

use crate::respond::{DeviceResponder, PendingCommands, RespondError, ResponseKind};

#[derive(Debug, Error)]
pub enum ParticleSetupError {
    #[error(transparent)]
    Setting(#[from] SettingError),
    #[error("the Particle Cloud API client: {0}")]
    Client(#[from] particle_cloud::CloudError),
}

/// Publishes device responses with `particle-cloud`'s hook-response delivery and logs each chunk.
#[derive(Debug, Clone)]
pub struct ParticleResponder {
    api: ParticleApi,
    limits: Limits,
    policy: RetryPolicy,
    deliveries: Deliveries,
}

impl ParticleResponder {
    pub fn new(api: ParticleApi, limits: Limits, store: Arc<dyn ItemStore>) -> Self {
        ParticleResponder {
            api,
            limits,
            policy: RetryPolicy::PUBLISH,
            deliveries: Deliveries::new(store),
        }
    }

    /// Another retry policy (tests: short budgets).
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }
}

#[async_trait]
impl DeviceResponder for ParticleResponder {
    async fn respond(
        &self,
        event: &Event,
        response: &HookResponse,
        kind: ResponseKind,
    ) -> Result<(), RespondError> {
        let target = HookTarget {
            coreid: event.coreid.clone(),
            product_id: event.product_id,
        };
        let kind = match kind {
            ResponseKind::Response => HookKind::Response,
            ResponseKind::Error => HookKind::Error,
        };
        let pushed = self
            .api
            .deliver_hook_response(response, kind, &target, &self.limits, self.policy)
            .await;
        for delivery in &pushed {
            if let Err(e) = self.deliveries.record(&event.id, delivery).await {
                tracing::error!(error = %e, target = %delivery.target, "hook-response chunk not logged");
            }
        }
        match pushed.iter().find(|d| d.outcome != Outcome::Delivered) {
            None => Ok(()),
            Some(d) => Err(RespondError::NotPublished(format!(
                "{}: {}",
                d.target,
                d.outcome.as_str()
            ))),
        }
    }
}

/// Delivers a device's pending commands with `particle-commands`.
#[derive(Debug, Clone)]
pub struct ParticlePending(pub Commands);

#[async_trait]
impl PendingCommands for ParticlePending {
    async fn deliver_pending(&self, coreid: &str) -> Result<usize, RespondError> {
        self.0
            .deliver_pending(coreid)
            .await
            .map(|made| made.len())
            .map_err(|e| RespondError::Pending(e.to_string()))
    }
}

/// The responder and pending-command delivery the environment configures: both, over one Particle API client,
/// when a token is set; neither without one.
#[allow(clippy::type_complexity)]
pub async fn from_env(
    store: Arc<dyn ItemStore>,
) -> Result<
    (
        Option<Arc<dyn DeviceResponder>>,
        Option<Arc<dyn PendingCommands>>,
    ),
    ParticleSetupError,
> {
    let token = match particle_cloud::EnvToken::resolve().await {
        Ok(token) => AccessToken::new(token.expose()),
        Err(SettingError::Missing { .. }) => {
            tracing::warn!(
                "PARTICLE_ACCESS_TOKEN / PARTICLE_ACCESS_TOKEN_SECRET_ARN not set: device responses and pending \
                 commands are not delivered"
            );
            return Ok((None, None));
        }
        Err(other) => return Err(other.into()),
    };
    let tokens = Arc::new(Tokens::new(
        token,
        Arc::new(particle_cloud::EnvToken),
        Tokens::REFRESH_INTERVAL,
    ));
    let http = HttpSettings::new(
        "forward",
        env!("CARGO_PKG_VERSION"),
        HttpSettings::CONNECT_TIMEOUT,
        Some(Duration::from_secs(27)),
    )
    .client()?;
    let url = particle_cloud::settings::api_url();
    let api = ParticleApi::with_base_url(http, &url, tokens)?;
    let limits = particle_cloud::settings::limits()?;
    let pending_ttl_hours = env::number_in(
        "PENDING_TTL_HOURS",
        particle_commands::pending::DEFAULT_TTL_HOURS,
        1..=720,
    )?;
    let responder = ParticleResponder::new(api.clone(), limits, Arc::clone(&store));
    let commands = Commands::new(store, api, limits, pending_ttl_hours);
    Ok((
        Some(Arc::new(responder)),
        Some(Arc::new(ParticlePending(commands))),
    ))
}
