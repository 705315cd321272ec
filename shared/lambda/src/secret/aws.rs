//! The Secrets Manager side of secrets: one version stage of a secret, and [`SecretsManagerSource`], which reads
//! the two stages a rotation leaves valid (`AWSCURRENT`, `AWSPREVIOUS`).

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;

use super::{SecretSource, SecretVersions, checked};
use crate::env::SettingError;

/// The stage Secrets Manager gives the newest version of a secret.
pub(super) const CURRENT: &str = "AWSCURRENT";
/// The stage Secrets Manager moves to the version replaced by the last rotation.
pub(super) const PREVIOUS: &str = "AWSPREVIOUS";

/// The process's Secrets Manager client, built once from the shared AWS configuration ([`crate::aws::config`]).
pub(super) async fn client() -> Client {
    static CLIENT: tokio::sync::OnceCell<Client> = tokio::sync::OnceCell::const_new();
    CLIENT
        .get_or_init(|| async { Client::new(crate::aws::config().await) })
        .await
        .clone()
}

/// The string value of `stage` of `secret_id`; `None` if the secret has no version in that stage (a secret never
/// rotated has no `AWSPREVIOUS`). The error names the setting and the secret, never a value.
pub(super) async fn fetch_stage(
    client: &Client,
    name: &'static str,
    secret_id: &str,
    stage: &str,
) -> Result<Option<String>, SettingError> {
    let unavailable = |message: String| SettingError::SecretUnavailable {
        name,
        secret_id: secret_id.to_owned(),
        message,
    };
    let out = match client
        .get_secret_value()
        .secret_id(secret_id)
        .version_stage(stage)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(unavailable(DisplayErrorContext(e).to_string())),
    };
    out.secret_string.map(Some).ok_or_else(|| {
        unavailable(format!(
            "the {stage} version has no string value (binary secrets are not supported)"
        ))
    })
}

/// The error for a secret (or its current version) that does not exist.
pub(super) fn not_found(name: &'static str, secret_id: &str) -> SettingError {
    SettingError::SecretUnavailable {
        name,
        secret_id: secret_id.to_owned(),
        message: format!("the secret or its {CURRENT} version does not exist"),
    }
}

/// Reads `AWSCURRENT` and `AWSPREVIOUS` of one secret. The client is built once and kept for re-reads.
#[derive(Debug, Clone)]
pub struct SecretsManagerSource {
    client: Client,
    name: &'static str,
    secret_id: String,
    min_len: usize,
}

impl SecretsManagerSource {
    /// `name` is the setting the secret stands for (for error messages); `min_len` as in
    /// [`super::resolve_secret_versions`].
    pub fn new(client: Client, name: &'static str, secret_id: String, min_len: usize) -> Self {
        SecretsManagerSource {
            client,
            name,
            secret_id,
            min_len,
        }
    }
}

#[async_trait]
impl SecretSource for SecretsManagerSource {
    async fn read(&self) -> Result<SecretVersions, SettingError> {
        let (current, previous) = tokio::join!(
            fetch_stage(&self.client, self.name, &self.secret_id, CURRENT),
            fetch_stage(&self.client, self.name, &self.secret_id, PREVIOUS),
        );
        let current = current?.ok_or_else(|| not_found(self.name, &self.secret_id))?;
        let current = checked(self.name, &current, self.min_len)?;
        // A previous version that cannot be read or is too short is left out rather than failing the start: the
        // current one is what matters, and a placeholder must never become a valid credential.
        let previous = match previous {
            Ok(Some(value)) => match checked(self.name, &value, self.min_len) {
                Ok(secret) => Some(secret),
                Err(_) => {
                    tracing::warn!(secret_id = %self.secret_id, "the {PREVIOUS} version is too short; ignored");
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "the {PREVIOUS} version could not be read; only {CURRENT} is accepted");
                None
            }
        };
        Ok(SecretVersions { current, previous })
    }
}
