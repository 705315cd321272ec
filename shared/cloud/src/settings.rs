//! The Particle settings every function that talks to Particle reads the same way (feature `env`), in one place:
//! - [`EnvToken`], the production [`TokenSource`]: `PARTICLE_ACCESS_TOKEN` (local runs) or the Secrets Manager
//!   secret `PARTICLE_ACCESS_TOKEN_SECRET_ARN`, read anew on each call, so a warm instance follows a rotation
//!   after a 401 (throttled by [`crate::Tokens`]);
//! - [`api_url`] (`PARTICLE_API_URL`) and [`limits`] (`PARTICLE_FUNCTION_ARG_MAX`, `PARTICLE_EVENT_DATA_MAX`).

use particle_lambda::{SettingError, env};

use crate::limits::{DEFAULT_EVENT_DATA_MAX, DEFAULT_FUNCTION_ARG_MAX, LIMIT_CEILING, Limits};
use crate::token::{AccessToken, TokenError, TokenSource};

/// `PARTICLE_API_URL`, or Particle's (checked later by [`crate::ApiBase`]).
pub fn api_url() -> String {
    env::var("PARTICLE_API_URL").unwrap_or_else(|| crate::api::DEFAULT_API_URL.to_owned())
}

/// `PARTICLE_FUNCTION_ARG_MAX` and `PARTICLE_EVENT_DATA_MAX` (bytes, 1 up to the ceiling; defaults for current
/// Device OS).
pub fn limits() -> Result<Limits, SettingError> {
    let ceiling = LIMIT_CEILING as u64;
    Ok(Limits {
        function_arg_max: env::number_in(
            "PARTICLE_FUNCTION_ARG_MAX",
            DEFAULT_FUNCTION_ARG_MAX as u64,
            1..=ceiling,
        )? as usize,
        event_data_max: env::number_in(
            "PARTICLE_EVENT_DATA_MAX",
            DEFAULT_EVENT_DATA_MAX as u64,
            1..=ceiling,
        )? as usize,
    })
}

/// Shortest token accepted (a placeholder like `changeme` is refused at start).
pub const MIN_TOKEN_CHARS: usize = 20;

/// The token as configured in the environment, read anew on each call.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvToken;

impl EnvToken {
    /// Resolves the token now (at cold start, and on each re-read).
    pub async fn resolve() -> Result<particle_lambda::Secret, SettingError> {
        particle_lambda::resolve_secret(
            "PARTICLE_ACCESS_TOKEN",
            "PARTICLE_ACCESS_TOKEN_SECRET_ARN",
            MIN_TOKEN_CHARS,
        )
        .await
    }
}

#[async_trait::async_trait]
impl TokenSource for EnvToken {
    async fn read(&self) -> Result<AccessToken, TokenError> {
        // The setting error names the variable and the secret id, never the value.
        let secret = Self::resolve()
            .await
            .map_err(|e| TokenError(e.to_string()))?;
        Ok(AccessToken::new(secret.expose()))
    }
}
