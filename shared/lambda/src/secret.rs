//! Secrets: given directly in the environment (local runs) or as a Secrets Manager reference (production).
//!
//! For a secret named `WEBHOOK_SECRET`, the value is `WEBHOOK_SECRET` if set, else the Secrets Manager secret whose
//! ARN or name is in `WEBHOOK_SECRET_ARN`, fetched once at cold start. The CDK stack only ever sets the `_ARN`
//! form, so the secret never appears in the template or the function's configuration.

use std::fmt;

use crate::env::{SettingError, var};

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

/// Resolves the secret `name` from `name` or `<name>_SECRET_ARN`; `min_len` guards against placeholder values.
pub async fn resolve_secret(
    name: &'static str,
    arn_name: &'static str,
    min_len: usize,
) -> Result<Secret, SettingError> {
    let value = match (var(name), var(arn_name)) {
        (Some(v), _) => v,
        (None, Some(secret_id)) => fetch(name, &secret_id).await?,
        (None, None) => {
            return Err(SettingError::Missing {
                name,
                hint: "set it directly (local runs) or set the matching _SECRET_ARN to a Secrets Manager secret",
            });
        }
    };
    let value = value.trim().to_owned();
    if value.chars().count() < min_len {
        return Err(SettingError::Invalid {
            name,
            reason: format!("the secret must have at least {min_len} characters"),
        });
    }
    Ok(Secret(value))
}

async fn fetch(name: &'static str, secret_id: &str) -> Result<String, SettingError> {
    let unavailable = |message: String| SettingError::SecretUnavailable {
        name,
        secret_id: secret_id.to_owned(),
        message,
    };
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_secretsmanager::Client::new(&config);
    let out = client
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|e| {
            unavailable(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string())
        })?;
    out.secret_string.ok_or_else(|| {
        unavailable("the secret has no string value (binary secrets are not supported)".to_owned())
    })
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
}
