//! The production [`TokenSource`] (feature `env`): the Particle token as configured, `PARTICLE_ACCESS_TOKEN`
//! (local runs) or the Secrets Manager secret `PARTICLE_ACCESS_TOKEN_SECRET_ARN`, read anew on each call, so a
//! warm instance follows a rotation after a 401 (throttled by [`crate::Tokens`]). One copy for every function
//! that talks to Particle.

use crate::token::{AccessToken, TokenError, TokenSource};

/// Shortest token accepted (a placeholder like `changeme` is refused at start).
pub const MIN_TOKEN_CHARS: usize = 20;

/// The token as configured in the environment, read anew on each call.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvToken;

impl EnvToken {
    /// Resolves the token now (at cold start, and on each re-read).
    pub async fn resolve() -> Result<particle_lambda::Secret, particle_lambda::SettingError> {
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
