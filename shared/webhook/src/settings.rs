//! The webhook secret every webhook function reads the same way: `WEBHOOK_SECRET` (+ `WEBHOOK_SECRET_PREVIOUS`)
//! locally, or the Secrets Manager secret `WEBHOOK_SECRET_ARN` (its `AWSCURRENT` and `AWSPREVIOUS` versions),
//! re-read at most once a minute after an unknown secret so a rotation reaches warm instances.

use std::sync::Arc;

use particle_lambda::{REFRESH_INTERVAL, RefreshingSecret, SettingError, resolve_secret_versions};

use crate::auth::MIN_SECRET_CHARS;

/// Reads the webhook secret's versions (see the module documentation).
pub async fn webhook_secrets() -> Result<Arc<RefreshingSecret>, SettingError> {
    Ok(Arc::new(
        resolve_secret_versions(
            "WEBHOOK_SECRET",
            "WEBHOOK_SECRET_PREVIOUS",
            "WEBHOOK_SECRET_ARN",
            MIN_SECRET_CHARS,
            REFRESH_INTERVAL,
        )
        .await?,
    ))
}
