//! Settings, read once at cold start.

use std::sync::Arc;

use particle_lambda::{RefreshingSecret, SettingError, env};
use particle_store::{Retention, StoreSetting};

#[derive(Debug, Clone)]
pub struct Config {
    /// `STORE`: `dynamodb:<table>` or `sqlite:<path>`.
    pub store: StoreSetting,
    /// `WEBHOOK_SECRET` (and `WEBHOOK_SECRET_PREVIOUS` during a rotation), or the `AWSCURRENT` and `AWSPREVIOUS`
    /// versions of the Secrets Manager secret named by `WEBHOOK_SECRET_ARN`, re-read at most once a minute when a
    /// request presents an unknown secret.
    pub secrets: Arc<RefreshingSecret>,
    /// `EVENT_TTL_DAYS`: 0 keeps events forever.
    pub retention: Retention,
}

impl Config {
    pub async fn from_env() -> Result<Config, SettingError> {
        Ok(Config {
            store: env::store()?,
            secrets: particle_webhook::webhook_secrets().await?,
            retention: env::event_retention()?,
        })
    }
}
