//! Integration secrets: one JSON object of names to string values, as Particle's cloud secrets work. Templates
//! read them as `{{{NAME}}}`; the Pub/Sub service-account key and the Azure policy key are entries named by the
//! integration file. Production keeps the map in one Secrets Manager secret (`INTEGRATION_SECRETS_ARN`); local
//! runs read a file (`INTEGRATION_SECRETS_FILE`); with neither, the map is empty.
//!
//! Values never reach a log or an error: `Debug` is redacted and [`IntegrationSecrets::redact`] replaces any value
//! found in a message (a rendered excerpt, a server's error body) with `[[SENSITIVE]]`, Particle's marker.

use std::fmt;
use std::path::Path;

use thiserror::Error;

/// Largest secrets document accepted (bytes).
pub const MAX_SECRETS_BYTES: usize = 256 * 1024;
/// What replaces a secret value in messages.
pub const REDACTED: &str = "[[SENSITIVE]]";
/// Values shorter than this are not redacted from messages: replacing every `a` would destroy the text and
/// hide nothing worth hiding.
const MIN_REDACT_LEN: usize = 4;

#[derive(Debug, Error)]
pub enum SecretsError {
    #[error("integration secrets file {path}: {message}")]
    File { path: String, message: String },
    #[error("integration secrets: {0}")]
    Invalid(String),
    #[error(transparent)]
    Setting(#[from] particle_lambda::SettingError),
}

/// The secrets map, sorted by name.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IntegrationSecrets {
    entries: Vec<(String, String)>,
}

impl fmt::Debug for IntegrationSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntegrationSecrets")
            .field("names", &self.names().collect::<Vec<_>>())
            .finish()
    }
}

/// Particle's rule for secret names: `[A-Z0-9_]`, not starting with a digit.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

impl IntegrationSecrets {
    /// Parses the JSON object. Errors name the entry, never its value.
    pub fn from_json(text: &str) -> Result<Self, SecretsError> {
        if text.len() > MAX_SECRETS_BYTES {
            return Err(SecretsError::Invalid(format!(
                "{} bytes, over the limit of {MAX_SECRETS_BYTES}",
                text.len()
            )));
        }
        // Parse into a map of raw values first so a syntax error message (which may quote the text) is not shown.
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| {
                SecretsError::Invalid(format!(
                    "not a JSON object of names to strings (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            })?;
        let mut entries = Vec::with_capacity(map.len());
        for (name, value) in map {
            if !valid_name(&name) {
                return Err(SecretsError::Invalid(format!(
                    "`{name}`: names are upper-case letters, digits and `_`, not starting with a digit"
                )));
            }
            let serde_json::Value::String(value) = value else {
                return Err(SecretsError::Invalid(format!(
                    "`{name}`: the value must be a string"
                )));
            };
            entries.push((name, value));
        }
        entries.sort();
        Ok(IntegrationSecrets { entries })
    }

    pub fn from_pairs<N: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Result<Self, SecretsError> {
        let mut entries: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(n, v)| (n.into(), v.into()))
            .collect();
        if let Some((bad, _)) = entries.iter().find(|(n, _)| !valid_name(n)) {
            return Err(SecretsError::Invalid(format!("`{bad}`: invalid name")));
        }
        entries.sort();
        Ok(IntegrationSecrets { entries })
    }

    pub fn from_file(path: &Path) -> Result<Self, SecretsError> {
        let file_err = |message: String| SecretsError::File {
            path: path.display().to_string(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| file_err(e.to_string()))?;
        if meta.len() > MAX_SECRETS_BYTES as u64 {
            return Err(file_err(format!(
                "over the limit of {MAX_SECRETS_BYTES} bytes"
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
        Self::from_json(&text).map_err(|e| file_err(e.to_string()))
    }

    /// `INTEGRATION_SECRETS_FILE` (local runs), else `INTEGRATION_SECRETS` / `INTEGRATION_SECRETS_ARN` through
    /// `particle_lambda`'s secret resolution (Secrets Manager, fetched once at cold start), else empty.
    pub async fn from_env() -> Result<Self, SecretsError> {
        if let Some(path) = particle_lambda::env::var("INTEGRATION_SECRETS_FILE") {
            return Self::from_file(Path::new(&path));
        }
        if particle_lambda::env::var("INTEGRATION_SECRETS").is_none()
            && particle_lambda::env::var("INTEGRATION_SECRETS_ARN").is_none()
        {
            return Ok(Self::default());
        }
        let secret =
            particle_lambda::resolve_secret("INTEGRATION_SECRETS", "INTEGRATION_SECRETS_ARN", 2)
                .await?;
        Self::from_json(secret.expose())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| self.entries[i].1.as_str())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// (name, value) pairs for `EventScope::with_secrets`.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.entries
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    /// `text` with every secret value replaced by `[[SENSITIVE]]`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        // Longest first, so a value that contains another is replaced whole.
        let mut values: Vec<&str> = self
            .entries
            .iter()
            .map(|(_, v)| v.as_str())
            .filter(|v| v.len() >= MIN_REDACT_LEN)
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        for v in values {
            if out.contains(v) {
                out = out.replace(v, REDACTED);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_validates_and_never_shows_values() {
        let s =
            IntegrationSecrets::from_json(r#"{"B_KEY":"bbbb-value","A1":"aaaa-value"}"#).unwrap();
        assert_eq!(s.get("A1"), Some("aaaa-value"));
        assert_eq!(s.get("B_KEY"), Some("bbbb-value"));
        assert_eq!(s.get("C"), None);
        assert_eq!(s.names().collect::<Vec<_>>(), ["A1", "B_KEY"]);
        assert!(!format!("{s:?}").contains("value"));

        let err = IntegrationSecrets::from_json(r#"{"lower":"hunter2-x"}"#).unwrap_err();
        assert!(err.to_string().contains("`lower`"), "{err}");
        let err = IntegrationSecrets::from_json(r#"{"1A":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("`1A`"), "{err}");
        let err = IntegrationSecrets::from_json(r#"{"N":5}"#).unwrap_err();
        assert!(err.to_string().contains("must be a string"), "{err}");
        let err = IntegrationSecrets::from_json(r#"{"N":"hunter2-secret""#).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn redacts_values_longest_first() {
        let s = IntegrationSecrets::from_pairs([
            ("A", "token-123"),
            ("B", "token-123-long"),
            ("C", "ab"),
        ])
        .unwrap();
        assert_eq!(
            s.redact("x token-123-long y token-123 z ab"),
            "x [[SENSITIVE]] y [[SENSITIVE]] z ab"
        );
    }

    #[test]
    fn reads_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, r#"{"K":"v-v-v-v"}"#).unwrap();
        assert_eq!(
            IntegrationSecrets::from_file(&path).unwrap().get("K"),
            Some("v-v-v-v")
        );
        let err = IntegrationSecrets::from_file(&dir.path().join("missing.json")).unwrap_err();
        assert!(err.to_string().contains("missing.json"), "{err}");
    }
}
