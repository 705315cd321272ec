//! Settings, read once at cold start.

use std::sync::Arc;

use particle_cloud::Limits;
use particle_lambda::{
    REFRESH_INTERVAL, RefreshingSecret, SettingError, env, resolve_secret_versions,
};
use particle_store::{Retention, StoreSetting};
use particle_webhook::MIN_SECRET_CHARS;

/// `REPLY_MAX_BYTES`' default: one hook-response chunk.
pub const DEFAULT_REPLY_MAX_BYTES: u64 = 512;
/// `REPLY_MAX_BYTES`' ceiling: what Particle publishes of a response.
pub const REPLY_MAX_CEILING: u64 = 100 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    /// `STORE`.
    pub store: StoreSetting,
    /// `WEBHOOK_SECRET[_PREVIOUS]` or `WEBHOOK_SECRET_ARN`: the webhook route only.
    pub webhook_secrets: Arc<RefreshingSecret>,
    /// `ADMIN_SECRET[_PREVIOUS]` or `ADMIN_SECRET_ARN`: the admin routes only.
    pub admin_secrets: Arc<RefreshingSecret>,
    /// `EVENT_TTL_DAYS`, for the request events stored.
    pub retention: Retention,
    /// `PARTICLE_API_URL` (default `https://api.particle.io`).
    pub api_url: String,
    /// `PARTICLE_FUNCTION_ARG_MAX`, `PARTICLE_EVENT_DATA_MAX`.
    pub limits: Limits,
    /// `REPLY_MAX_BYTES` (512 to 102,400).
    pub reply_max_bytes: usize,
    /// `PENDING_TTL_HOURS` (1 to 720).
    pub pending_ttl_hours: u64,
}

impl Config {
    pub async fn from_env() -> Result<Config, SettingError> {
        // Both secrets at once: each `_ARN` is a Secrets Manager round trip at cold start.
        let (webhook_secrets, admin_secrets) = tokio::try_join!(
            particle_webhook::webhook_secrets(),
            resolve_secret_versions(
                "ADMIN_SECRET",
                "ADMIN_SECRET_PREVIOUS",
                "ADMIN_SECRET_ARN",
                MIN_SECRET_CHARS,
                REFRESH_INTERVAL,
            ),
        )?;
        Ok(Config {
            store: env::store()?,
            webhook_secrets,
            admin_secrets: Arc::new(admin_secrets),
            retention: env::event_retention()?,
            api_url: particle_cloud::settings::api_url(),
            limits: particle_cloud::settings::limits()?,
            reply_max_bytes: env::number_in(
                "REPLY_MAX_BYTES",
                DEFAULT_REPLY_MAX_BYTES,
                1..=REPLY_MAX_CEILING,
            )? as usize,
            pending_ttl_hours: env::number_in(
                "PENDING_TTL_HOURS",
                particle_commands::pending::DEFAULT_TTL_HOURS,
                1..=720,
            )?,
        })
    }
}
