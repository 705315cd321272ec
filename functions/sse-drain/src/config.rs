//! Settings, read once per process (see the README's configuration table).

use std::time::Duration;

use particle_cloud::ApiBase;
use particle_lambda::{Secret, SettingError, env};
use particle_store::Retention;

/// Everything a window needs to know.
#[derive(Debug, Clone)]
pub struct DrainConfig {
    /// `PARTICLE_API_URL` (https, or http to a loopback address for a local simulator).
    pub api_url: ApiBase,
    /// `PARTICLE_ACCESS_TOKEN` or the secret named by `PARTICLE_ACCESS_TOKEN_SECRET_ARN`, as read at start;
    /// sent only as `Authorization: Bearer`, re-read after a 401 when the drainer has a token source.
    pub token: Secret,
    /// `PARTICLE_EVENTS_PATH`, e.g. `/v1/devices/events` or `/v1/products/<id>/events`.
    pub events_path: String,
    /// `SSE_EVENT_PREFIX`: appended as the path's last segment (Particle matches names by prefix).
    pub prefix: Option<String>,
    /// `SSE_WINDOW_SECONDS`: how long one window drains (it also always ends before the invocation deadline).
    pub window: Duration,
    /// `SSE_IDLE_TIMEOUT_SECONDS`: no byte at all for this long means the stream is dead.
    pub idle_timeout: Duration,
    /// `SSE_OPEN_BUDGET` opens per `SSE_OPEN_BUDGET_SECONDS`, shared by every drainer of this stream.
    pub open_budget: u32,
    pub open_budget_period: Duration,
    /// `SSE_RATE_LIMIT_BACKOFF_SECONDS`: how long nobody connects after Particle answers 529.
    pub rate_limit_backoff: Duration,
    /// Reconnect backoff: first delay and cap (`SSE_RECONNECT_MIN_MS`, `SSE_RECONNECT_MAX_MS`).
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// Time kept free at the end of an invocation for the final flush (`SSE_FLUSH_MARGIN_SECONDS`).
    pub flush_margin: Duration,
    /// `EVENT_TTL_DAYS`.
    pub retention: Retention,
}

impl DrainConfig {
    pub async fn from_env() -> Result<Self, SettingError> {
        let api_url = env::var("PARTICLE_API_URL").unwrap_or_else(|| ApiBase::PARTICLE.to_owned());
        let api_url = ApiBase::parse(&api_url).map_err(|e| SettingError::Invalid {
            name: "PARTICLE_API_URL",
            reason: e.to_string(),
        })?;
        let events_path =
            env::var("PARTICLE_EVENTS_PATH").unwrap_or_else(|| "/v1/devices/events".to_owned());
        let events_path = events_path.trim().trim_end_matches('/').to_owned();
        if !events_path.starts_with("/v1/") || events_path.contains(['?', '#', ' ']) {
            return Err(SettingError::Invalid {
                name: "PARTICLE_EVENTS_PATH",
                reason: format!(
                    "{events_path:?} must be an API path like /v1/devices/events or /v1/products/<id>/events"
                ),
            });
        }
        let prefix = env::var("SSE_EVENT_PREFIX");
        if let Some(p) = &prefix
            && p.chars().count() > particle_events::MAX_NAME_CHARS
        {
            return Err(SettingError::Invalid {
                name: "SSE_EVENT_PREFIX",
                reason: "an event prefix has at most 64 characters".to_owned(),
            });
        }
        let secs =
            |name, default, range| env::number_in(name, default, range).map(Duration::from_secs);
        let millis =
            |name, default, range| env::number_in(name, default, range).map(Duration::from_millis);
        let config = DrainConfig {
            api_url,
            token: particle_cloud::EnvToken::resolve().await?,
            events_path,
            prefix,
            window: secs("SSE_WINDOW_SECONDS", 70, 1..=86_400)?,
            idle_timeout: secs("SSE_IDLE_TIMEOUT_SECONDS", 15, 1..=300)?,
            open_budget: env::number_in("SSE_OPEN_BUDGET", 20, 1..=100)? as u32,
            open_budget_period: secs("SSE_OPEN_BUDGET_SECONDS", 300, 1..=3_600)?,
            rate_limit_backoff: secs("SSE_RATE_LIMIT_BACKOFF_SECONDS", 300, 1..=86_400)?,
            reconnect_min: millis("SSE_RECONNECT_MIN_MS", 1_000, 1..=60_000)?,
            reconnect_max: millis("SSE_RECONNECT_MAX_MS", 60_000, 1..=600_000)?,
            flush_margin: secs("SSE_FLUSH_MARGIN_SECONDS", 10, 1..=120)?,
            retention: env::event_retention()?,
        };
        Ok(config)
    }

    /// The stream's path under the API URL: the events path + the percent-encoded prefix segment.
    pub fn stream_path(&self) -> String {
        match &self.prefix {
            None => self.events_path.clone(),
            Some(prefix) => format!(
                "{}/{}",
                self.events_path,
                percent_encoding::utf8_percent_encode(prefix, percent_encoding::NON_ALPHANUMERIC)
            ),
        }
    }

    /// The key under which this stream's shared state (open budget, 529 backoff, gaps) is stored: the path and
    /// prefix, so every drainer of the same stream shares one budget.
    pub fn stream_key(&self) -> String {
        match &self.prefix {
            None => self.events_path.clone(),
            Some(prefix) => format!("{}/{prefix}", self.events_path),
        }
    }
}
