//! The Particle token, re-resolved from `PARTICLE_ACCESS_TOKEN` / `PARTICLE_ACCESS_TOKEN_SECRET_ARN` after a 401
//! (throttled by [`particle_cloud::Tokens`]), so a rotated token reaches warm instances.

use particle_cloud::{AccessToken, TokenError, TokenSource};

/// Shortest token accepted (a placeholder is refused at start).
pub const MIN_TOKEN_CHARS: usize = 20;

#[derive(Debug, Clone, Copy, Default)]
pub struct EnvToken;

impl EnvToken {
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
        let secret = Self::resolve()
            .await
            .map_err(|e| TokenError(e.to_string()))?;
        Ok(AccessToken::new(secret.expose()))
    }
}
