//! Environment settings. Startup may fail fast, but always with a message that names the variable and says what
//! a good value looks like.

use std::str::FromStr;

use thiserror::Error;

/// A setting that is missing or wrong.
#[derive(Debug, Error)]
pub enum SettingError {
    #[error("{name} is not set: {hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("{name}: could not read secret {secret_id}: {message}")]
    SecretUnavailable {
        name: &'static str,
        secret_id: String,
        message: String,
    },
}

/// The raw value of `name`, if set and not blank.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A required setting.
pub fn required(name: &'static str, hint: &'static str) -> Result<String, SettingError> {
    var(name).ok_or(SettingError::Missing { name, hint })
}

/// An optional setting parsed with `FromStr`, or `default`.
pub fn parsed_or<T>(name: &'static str, default: T) -> Result<T, SettingError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|e| SettingError::Invalid {
            name,
            reason: format!("{v:?}: {e}"),
        }),
    }
}

/// An optional whole number within `range`, or `default`.
pub fn number_in(
    name: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, SettingError> {
    let value: u64 = parsed_or(name, default)?;
    if !range.contains(&value) {
        return Err(SettingError::Invalid {
            name,
            reason: format!("{value} is outside {}..={}", range.start(), range.end()),
        });
    }
    Ok(value)
}

/// `STORE`, parsed.
pub fn store() -> Result<particle_store::StoreSetting, SettingError> {
    let value = required(
        "STORE",
        "set STORE=dynamodb:<table> (AWS) or STORE=sqlite:<file> (local)",
    )?;
    value
        .parse()
        .map_err(|e: particle_store::StoreError| SettingError::Invalid {
            name: "STORE",
            reason: e.to_string(),
        })
}

/// `EVENT_TTL_DAYS` (0 or unset: keep events forever; at most 100 years).
pub fn event_retention() -> Result<particle_store::Retention, SettingError> {
    let days = number_in("EVENT_TTL_DAYS", 0, 0..=36_500)?;
    Ok(particle_store::Retention::from_days(days as u32))
}

/// `SSL_CERT_FILE`, when set, must name a readable file: rustls-native-certs then loads only that file as the
/// trust roots of every TLS client (the SDK's and reqwest's), and a wrong path would leave them with no roots at
/// all, so that every HTTPS call failed with an unknown-issuer error far from its cause. The CDK stack sets it to
/// the Lambda runtime's bundle; see the README's cold start section.
pub fn trust_store() -> Result<(), SettingError> {
    cert_file(var(CERT_FILE))
}

const CERT_FILE: &str = "SSL_CERT_FILE";

fn cert_file(value: Option<String>) -> Result<(), SettingError> {
    const NAME: &str = CERT_FILE;
    match value {
        None => Ok(()),
        Some(path) => match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => Ok(()),
            Ok(_) => Err(SettingError::Invalid {
                name: NAME,
                reason: format!("{path:?} is not a file (a PEM bundle of CA certificates)"),
            }),
            Err(e) => Err(SettingError::Invalid {
                name: NAME,
                reason: format!("{path:?}: {e}"),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_file_must_be_a_readable_file() {
        assert!(cert_file(None).is_ok());
        let file = tempfile::NamedTempFile::new().unwrap();
        assert!(cert_file(Some(file.path().display().to_string())).is_ok());
        let dir = tempfile::tempdir().unwrap();
        let err = cert_file(Some(dir.path().display().to_string())).unwrap_err();
        assert!(
            err.to_string().starts_with("SSL_CERT_FILE is invalid"),
            "{err}"
        );
        let err = cert_file(Some("/nonexistent/ca.pem".to_owned())).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }
}
