//! Secrets: given directly in the environment (local runs) or as a Secrets Manager reference (production).
//!
//! For a secret named `WEBHOOK_SECRET`, the value is `WEBHOOK_SECRET` if set, else the Secrets Manager secret whose
//! ARN or name is in `WEBHOOK_SECRET_ARN`, fetched at cold start. The CDK stack only ever sets the `_ARN`
//! form, so the secret never appears in the template or the function's configuration.
//!
//! Two ways to hold one:
//! - [`resolve_secret`]: one value, read once (the token a client sends).
//! - [`resolve_secret_versions`]: the current value and, during a rotation, the previous one, in a
//!   [`RefreshingSecret`] that can re-read them (rate-limited) when a warm instance meets a credential it does
//!   not know (the secret a function checks). The re-read sits behind [`SecretSource`], so it is testable
//!   without AWS.
//!
//! Submodules: `refresh` ([`RefreshingSecret`], [`SecretSource`], [`Refresh`]) and `aws` ([`SecretsManagerSource`]:
//! the version stages `AWSCURRENT` and `AWSPREVIOUS` from Secrets Manager).

use std::fmt;
use std::time::Duration;

use crate::env::{SettingError, var};

mod aws;
mod refresh;

pub use aws::SecretsManagerSource;
pub use refresh::{Refresh, RefreshingSecret, SecretSource};

/// How often a [`RefreshingSecret`] may re-read its source at most: a flood of bad credentials costs at most one
/// Secrets Manager read a minute per warm instance, and a rotation reaches warm instances within a minute.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(60);

/// A secret string. `Debug` is redacted and there is no `Display`, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call only where it is used (a comparison, an `Authorization` header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The valid versions of one secret: the current one and, while a rotation is under way, the previous one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretVersions {
    pub current: Secret,
    pub previous: Option<Secret>,
}

impl SecretVersions {
    /// Only a current version (no rotation under way).
    pub fn current(current: Secret) -> Self {
        SecretVersions {
            current,
            previous: None,
        }
    }
}

const MISSING_HINT: &str =
    "set it directly (local runs) or set the matching _SECRET_ARN to a Secrets Manager secret";

/// Resolves the secret `name` from `name` or `arn_name` (read once); `min_len` guards against placeholder values.
pub async fn resolve_secret(
    name: &'static str,
    arn_name: &'static str,
    min_len: usize,
) -> Result<Secret, SettingError> {
    let value = match (var(name), var(arn_name)) {
        (Some(v), _) => v,
        (None, Some(secret_id)) => {
            let client = aws::client().await;
            aws::fetch_stage(&client, name, &secret_id, aws::CURRENT)
                .await?
                .ok_or_else(|| aws::not_found(name, &secret_id))?
        }
        (None, None) => {
            return Err(SettingError::Missing {
                name,
                hint: MISSING_HINT,
            });
        }
    };
    checked(name, &value, min_len)
}

/// Resolves the current and previous versions of the secret `name`:
/// - `name` set (local runs): its value, and `previous_name`'s if set; nothing to re-read later.
/// - else `arn_name` set: Secrets Manager's `AWSCURRENT` and `AWSPREVIOUS` (which may not exist), re-readable
///   at most once per `refresh_interval` ([`REFRESH_INTERVAL`] in production).
///
/// A version shorter than `min_len` characters stops the start, except a short `AWSPREVIOUS`, which is dropped
/// with a warning (it may predate the rule; a placeholder must never become a valid credential).
pub async fn resolve_secret_versions(
    name: &'static str,
    previous_name: &'static str,
    arn_name: &'static str,
    min_len: usize,
    refresh_interval: Duration,
) -> Result<RefreshingSecret, SettingError> {
    match (var(name), var(arn_name)) {
        (Some(current), _) => {
            let current = checked(name, &current, min_len)?;
            let previous = match var(previous_name) {
                Some(p) => Some(checked(previous_name, &p, min_len)?),
                None => None,
            };
            Ok(RefreshingSecret::fixed(SecretVersions {
                current,
                previous,
            }))
        }
        (None, Some(secret_id)) => {
            let client = aws::client().await;
            let source = SecretsManagerSource::new(client, name, secret_id, min_len);
            RefreshingSecret::read(std::sync::Arc::new(source), refresh_interval).await
        }
        (None, None) => Err(SettingError::Missing {
            name,
            hint: MISSING_HINT,
        }),
    }
}

/// `value` trimmed, if it has at least `min_len` characters. The error never contains the value.
pub(crate) fn checked(
    name: &'static str,
    value: &str,
    min_len: usize,
) -> Result<Secret, SettingError> {
    let value = value.trim();
    if value.chars().count() < min_len {
        return Err(SettingError::Invalid {
            name,
            reason: format!("the secret must have at least {min_len} characters"),
        });
    }
    Ok(Secret(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2-hunter2-hunter2");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
    }

    #[tokio::test]
    async fn resolution_order_and_length() {
        // SAFETY (edition 2024 marks env mutation unsafe): these variable names are used by this test only.
        unsafe {
            std::env::set_var("PL_TEST_SECRET", "  a-long-enough-secret  ");
            std::env::set_var(
                "PL_TEST_SECRET_ARN",
                "arn:aws:secretsmanager:us-east-1:1:secret:x",
            );
        }
        let s = resolve_secret("PL_TEST_SECRET", "PL_TEST_SECRET_ARN", 16)
            .await
            .unwrap();
        assert_eq!(
            s.expose(),
            "a-long-enough-secret",
            "direct value wins, trimmed"
        );
        let short = resolve_secret("PL_TEST_SECRET", "PL_TEST_SECRET_ARN", 64)
            .await
            .unwrap_err();
        assert!(short.to_string().contains("at least 64"), "{short}");
        assert!(
            !short.to_string().contains("a-long-enough"),
            "the value never appears in errors"
        );
        let missing = resolve_secret("PL_TEST_NOPE", "PL_TEST_NOPE_ARN", 1)
            .await
            .unwrap_err();
        assert!(
            missing.to_string().starts_with("PL_TEST_NOPE is not set"),
            "{missing}"
        );
    }

    #[tokio::test]
    async fn versions_from_the_environment() {
        // SAFETY (edition 2024 marks env mutation unsafe): these variable names are used by this test only.
        unsafe {
            std::env::set_var("PL_TEST_VERSIONS", "current-secret-0000");
            std::env::set_var("PL_TEST_VERSIONS_PREVIOUS", " previous-secret-000 ");
            std::env::set_var("PL_TEST_SHORT_PREVIOUS", "current-secret-0000");
            std::env::set_var("PL_TEST_SHORT_PREVIOUS_PREVIOUS", "short");
        }
        let secret = resolve_secret_versions(
            "PL_TEST_VERSIONS",
            "PL_TEST_VERSIONS_PREVIOUS",
            "PL_TEST_VERSIONS_ARN",
            16,
            REFRESH_INTERVAL,
        )
        .await
        .unwrap();
        let versions = secret.versions();
        assert_eq!(versions.current.expose(), "current-secret-0000");
        assert_eq!(
            versions.previous.as_ref().map(Secret::expose),
            Some("previous-secret-000")
        );
        assert!(matches!(secret.refresh_if_due().await, Refresh::Fixed));

        let only_current = resolve_secret_versions(
            "PL_TEST_VERSIONS",
            "PL_TEST_NOPE_PREVIOUS",
            "PL_TEST_VERSIONS_ARN",
            16,
            REFRESH_INTERVAL,
        )
        .await
        .unwrap();
        assert_eq!(only_current.versions().previous, None);

        let short = resolve_secret_versions(
            "PL_TEST_SHORT_PREVIOUS",
            "PL_TEST_SHORT_PREVIOUS_PREVIOUS",
            "PL_TEST_SHORT_PREVIOUS_ARN",
            16,
            REFRESH_INTERVAL,
        )
        .await
        .unwrap_err();
        assert!(
            short
                .to_string()
                .starts_with("PL_TEST_SHORT_PREVIOUS_PREVIOUS is invalid"),
            "{short}"
        );
        let missing = resolve_secret_versions(
            "PL_TEST_NOPE",
            "PL_TEST_NOPE_PREVIOUS",
            "PL_TEST_NOPE_ARN",
            16,
            REFRESH_INTERVAL,
        )
        .await
        .unwrap_err();
        assert!(
            missing.to_string().starts_with("PL_TEST_NOPE is not set"),
            "{missing}"
        );
    }
}
