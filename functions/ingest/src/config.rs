//! Settings, read once at cold start.

use particle_lambda::{Secret, SettingError, env, resolve_secret};
use particle_store::{Retention, StoreSetting};

/// The shortest webhook secret accepted: anything shorter is a placeholder, not a secret.
pub const MIN_SECRET_CHARS: usize = 16;

#[derive(Debug, Clone)]
pub struct Config {
    /// `STORE`: `dynamodb:<table>` or `sqlite:<path>`.
    pub store: StoreSetting,
    /// `WEBHOOK_SECRET`, or the Secrets Manager secret named by `WEBHOOK_SECRET_ARN`.
    pub secret: Secret,
    /// `EVENT_TTL_DAYS`: 0 keeps events forever.
    pub retention: Retention,
}

impl Config {
    pub async fn from_env() -> Result<Config, SettingError> {
        Ok(Config {
            store: env::store()?,
            secret: resolve_secret("WEBHOOK_SECRET", "WEBHOOK_SECRET_ARN", MIN_SECRET_CHARS)
                .await?,
            retention: env::event_retention()?,
        })
    }
}
