//! Settings, read once at cold start. A bad setting stops the start with a message naming the variable.

use std::sync::Arc;

use particle_lambda::{RefreshingSecret, SettingError, env, resolve_secret};
use particle_store::{Retention, StoreSetting};
use particle_template::Template;

use crate::providers::{ProviderKind, ProviderSetting, ProviderSettings, parse_order};

/// Default `GEOCACHE_TTL_HOURS`: a week.
pub const DEFAULT_CACHE_TTL_HOURS: u64 = 168;
/// Shortest API key or token accepted: Google's keys are 39 characters, Unwired Labs' tokens longer; anything
/// shorter is a placeholder.
pub const MIN_KEY_CHARS: usize = 16;

/// How requests are answered and what is stored with them.
#[derive(Debug, Clone)]
pub struct Answering {
    /// `GEOCACHE_TTL_HOURS` in seconds: how long a found place is served from the cache.
    pub cache_ttl_seconds: i64,
    /// `GEOLOCATE_RESPONSE_TEMPLATE`, compiled; `None` for the default `lat,lng,accuracy` (printed directly).
    pub template: Option<Arc<Template>>,
    /// `EVENT_TTL_DAYS`: how long the stored locator events live (0 or unset: forever).
    pub retention: Retention,
}

impl Default for Answering {
    fn default() -> Self {
        Answering {
            cache_ttl_seconds: (DEFAULT_CACHE_TTL_HOURS * 3600) as i64,
            template: None,
            retention: Retention::Forever,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `STORE`: `dynamodb:<table>` or `sqlite:<path>`.
    pub store: StoreSetting,
    /// `WEBHOOK_SECRET` (and `WEBHOOK_SECRET_PREVIOUS`) or the versions of `WEBHOOK_SECRET_ARN`.
    pub secrets: Arc<RefreshingSecret>,
    /// `GEOLOCATION_PROVIDERS` with each provider's URL and key.
    pub providers: ProviderSettings,
    pub answering: Answering,
}

impl Config {
    pub async fn from_env() -> Result<Config, SettingError> {
        let order =
            parse_order(&env::var("GEOLOCATION_PROVIDERS").unwrap_or_else(|| "google".to_owned()))
                .map_err(|reason| SettingError::Invalid {
                    name: "GEOLOCATION_PROVIDERS",
                    reason,
                })?;
        // Every listed provider's key and the webhook secret at once: each `_ARN` is a Secrets Manager round trip
        // at cold start. Only the listed providers' keys are read: `unwiredlabs` alone needs no Google key.
        let keys = futures_util::future::try_join_all(order.iter().map(|kind| match kind {
            ProviderKind::Google => {
                resolve_secret("GOOGLE_API_KEY", "GOOGLE_API_KEY_SECRET_ARN", MIN_KEY_CHARS)
            }
            ProviderKind::UnwiredLabs => resolve_secret(
                "UNWIREDLABS_TOKEN",
                "UNWIREDLABS_TOKEN_SECRET_ARN",
                MIN_KEY_CHARS,
            ),
        }));
        let (keys, secrets) = tokio::try_join!(keys, particle_webhook::webhook_secrets())?;
        let providers = order
            .into_iter()
            .zip(keys)
            .map(|(kind, key)| {
                let url =
                    env::var(kind.url_variable()).unwrap_or_else(|| kind.default_url().to_owned());
                ProviderSetting { kind, url, key }
            })
            .collect();
        Ok(Config {
            store: env::store()?,
            secrets,
            providers: ProviderSettings(providers),
            answering: Answering {
                cache_ttl_seconds: (env::number_in(
                    "GEOCACHE_TTL_HOURS",
                    DEFAULT_CACHE_TTL_HOURS,
                    1..=24 * 366,
                )? * 3600) as i64,
                template: response_template(env::var("GEOLOCATE_RESPONSE_TEMPLATE").as_deref())?,
                retention: env::event_retention()?,
            },
        })
    }
}

/// `GEOLOCATE_RESPONSE_TEMPLATE`, compiled once; unset or the default itself answers without a template.
pub fn response_template(source: Option<&str>) -> Result<Option<Arc<Template>>, SettingError> {
    match source {
        None => Ok(None),
        Some(s) if s.trim() == crate::reply::DEFAULT_TEMPLATE => Ok(None),
        Some(s) => Template::compile(s)
            .map(|t| Some(Arc::new(t)))
            .map_err(|e| SettingError::Invalid {
                name: "GEOLOCATE_RESPONSE_TEMPLATE",
                reason: e.to_string(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_compile_once_or_stop_the_start() {
        assert!(response_template(None).unwrap().is_none());
        assert!(
            response_template(Some("{{lat}},{{lng}},{{accuracy}}"))
                .unwrap()
                .is_none()
        );
        assert!(
            response_template(Some("{{lat}} {{lng}}"))
                .unwrap()
                .is_some()
        );
        let err = response_template(Some("{{#lat}}")).unwrap_err().to_string();
        assert!(err.starts_with("GEOLOCATE_RESPONSE_TEMPLATE"), "{err}");
    }
}
