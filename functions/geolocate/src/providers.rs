//! The providers of `GEOLOCATION_PROVIDERS`, in order, each with its URL and key, built once per process into
//! `particle-geo` clients sharing one HTTP client.

use std::fmt;
use std::sync::Arc;

use particle_geo::{ApiKey, GeoProvider, GoogleProvider, UnwiredLabsProvider, google, unwiredlabs};
use particle_lambda::{Secret, SettingError};

/// A provider the function knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Google,
    UnwiredLabs,
}

impl ProviderKind {
    /// The name in `GEOLOCATION_PROVIDERS`, messages and stored items.
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Google => "google",
            ProviderKind::UnwiredLabs => "unwiredlabs",
        }
    }

    /// The variable that holds its URL.
    pub fn url_variable(self) -> &'static str {
        match self {
            ProviderKind::Google => "GOOGLE_GEOLOCATION_URL",
            ProviderKind::UnwiredLabs => "UNWIREDLABS_URL",
        }
    }

    pub fn default_url(self) -> &'static str {
        match self {
            ProviderKind::Google => google::DEFAULT_URL,
            ProviderKind::UnwiredLabs => unwiredlabs::DEFAULT_URL,
        }
    }
}

/// `GEOLOCATION_PROVIDERS`: comma-separated names in the order they are asked, each at most once.
pub fn parse_order(text: &str) -> Result<Vec<ProviderKind>, String> {
    let mut order = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let kind = match name.to_ascii_lowercase().as_str() {
            "google" => ProviderKind::Google,
            "unwiredlabs" => ProviderKind::UnwiredLabs,
            _ => {
                return Err(format!(
                    "{name:?} is not a provider; use google, unwiredlabs or both in order (google,unwiredlabs)"
                ));
            }
        };
        if order.contains(&kind) {
            return Err(format!("{name} is listed twice"));
        }
        order.push(kind);
    }
    if order.is_empty() {
        return Err(
            "no provider is listed; use google, unwiredlabs or google,unwiredlabs".to_owned(),
        );
    }
    Ok(order)
}

/// One configured provider.
#[derive(Debug, Clone)]
pub struct ProviderSetting {
    pub kind: ProviderKind,
    pub url: String,
    /// Google's API key or Unwired Labs' token (`Debug` is redacted).
    pub key: Secret,
}

/// The configured providers, in order.
#[derive(Debug, Clone, Default)]
pub struct ProviderSettings(pub Vec<ProviderSetting>);

impl ProviderSettings {
    /// `google,unwiredlabs`: for the start-up log line.
    pub fn names(&self) -> String {
        self.0
            .iter()
            .map(|p| p.kind.name())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The providers as `particle-geo` clients; a URL the policy refuses stops the start naming its variable.
pub fn build(
    settings: &ProviderSettings,
    client: &reqwest::Client,
) -> Result<Vec<Arc<dyn GeoProvider>>, SettingError> {
    settings
        .0
        .iter()
        .map(|p| {
            let key = ApiKey::new(p.key.expose());
            let invalid = |e: particle_geo::EndpointError| SettingError::Invalid {
                name: p.kind.url_variable(),
                reason: e.to_string(),
            };
            let provider: Arc<dyn GeoProvider> = match p.kind {
                ProviderKind::Google => {
                    Arc::new(GoogleProvider::new(client.clone(), &p.url, key).map_err(invalid)?)
                }
                ProviderKind::UnwiredLabs => Arc::new(
                    UnwiredLabsProvider::new(client.clone(), &p.url, key).map_err(invalid)?,
                ),
            };
            Ok(provider)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_parsed_strictly() {
        assert_eq!(parse_order("google"), Ok(vec![ProviderKind::Google]));
        assert_eq!(
            parse_order(" google , unwiredlabs "),
            Ok(vec![ProviderKind::Google, ProviderKind::UnwiredLabs])
        );
        assert_eq!(
            parse_order("unwiredlabs"),
            Ok(vec![ProviderKind::UnwiredLabs])
        );
        assert!(parse_order("google,google").is_err());
        assert!(parse_order("here").unwrap_err().contains("\"here\""));
        assert!(parse_order(" , ").is_err());
    }

    #[test]
    fn a_bad_url_names_its_variable_and_never_the_key() {
        let client = particle_geo::http::client().unwrap();
        let settings = ProviderSettings(vec![ProviderSetting {
            kind: ProviderKind::UnwiredLabs,
            url: "http://example.com/v2/process".into(),
            key: Secret::new("pk.secret-token-value"),
        }]);
        let err = build(&settings, &client)
            .err()
            .expect("refused")
            .to_string();
        assert!(err.starts_with("UNWIREDLABS_URL"), "{err}");
        assert!(!err.contains("pk.secret"), "{err}");
        assert!(format!("{settings:?}").find("pk.secret").is_none());
    }
}
