//! [`Forwarder`]: for one event, every matching integration rendered, delivered through its [`Target`] with
//! retries and the per-host circuit breaker, and reported as a [`DeliveryOutcome`].
//!
//! Integrations run concurrently; attempts at one integration run in order. A webhook's outcome carries what the
//! device gets back (`hook-response` or `hook-error`), for the Particle Cloud API client to publish.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use futures_util::stream::FuturesUnordered;
use particle_events::{Event, Source};
use particle_lambda::Secret;
use particle_template::{EventScope, HookResponse};
use thiserror::Error;

use crate::breaker::{BreakerSettings, CircuitBreaker};
use crate::definition::{Integration, Kind};
use crate::outcome::{DeliveryOutcome, DeliveryStatus, TargetOutcome};
use crate::render::{EventText, Keys, Rendered, render};
use crate::retry::RetryPolicy;
use crate::secrets::IntegrationSecrets;
use crate::target::{
    AzureMessage, AzureTarget, GeolocationRequest, GoogleMapsTarget, HttpRequest, PolicyKey,
    PubSubMessage, PubSubTarget, ServiceAccountKey, Target, WebhookTarget,
};

/// The targets, one per integration type. Tests and the entry point may plug in any implementation.
#[derive(Clone)]
pub struct Targets {
    pub webhook: Arc<dyn Target<Request = HttpRequest>>,
    pub pubsub: Arc<dyn Target<Request = PubSubMessage>>,
    pub azure: Arc<dyn Target<Request = AzureMessage>>,
    /// The geolocation capability (`particle-geo`); without it, GoogleMaps deliveries fail with a clear reason.
    pub google_maps: Option<Arc<dyn Target<Request = GeolocationRequest>>>,
}

impl Targets {
    /// The real webhook, Pub/Sub (`PUBSUB_EMULATOR_HOST` honoured), Azure (`AZURE_IOT_HUB_ENDPOINT`) and Google
    /// Maps (`GOOGLE_GEOLOCATION_URL`, default Google's) targets.
    pub fn from_env() -> Result<Self, ForwarderError> {
        Self::from_env_with(None)
    }

    /// [`Targets::from_env`], with the locations GoogleMaps integrations find stored in `locations` (where
    /// `geolocate` keeps them): what the function runs.
    pub fn from_env_with(
        locations: Option<particle_store::repo::locations::LocationRepo>,
    ) -> Result<Self, ForwarderError> {
        let target = |e: String| ForwarderError::Target(e);
        let geo_url = particle_lambda::env::var("GOOGLE_GEOLOCATION_URL");
        let google_maps = GoogleMapsTarget::new(geo_url.as_deref())
            .map_err(|e| target(format!("GOOGLE_GEOLOCATION_URL: {e}")))?;
        let google_maps = match locations {
            Some(locations) => google_maps.with_locations(locations),
            None => google_maps,
        };
        Ok(Targets {
            webhook: Arc::new(WebhookTarget::new().map_err(|e| target(e.to_string()))?),
            pubsub: Arc::new(PubSubTarget::from_env().map_err(|e| target(e.to_string()))?),
            azure: Arc::new(AzureTarget::from_env().map_err(|e| target(e.to_string()))?),
            google_maps: Some(Arc::new(google_maps)),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub retry: RetryPolicy,
    pub breaker: BreakerSettings,
    /// Longest total wait on open circuit breakers for one delivery; past it the delivery is `postponed`.
    pub max_pause: Duration,
    /// Whether Pub/Sub integrations must name a service-account key (false only against the emulator).
    pub pubsub_auth_required: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retry: RetryPolicy::default(),
            breaker: BreakerSettings::default(),
            max_pause: Duration::from_secs(120),
            pubsub_auth_required: true,
        }
    }
}

impl Settings {
    /// Defaults, with `pubsub_auth_required` off when `PUBSUB_EMULATOR_HOST` is set.
    pub fn from_env() -> Self {
        Settings {
            pubsub_auth_required: particle_lambda::env::var("PUBSUB_EMULATOR_HOST").is_none(),
            ..Settings::default()
        }
    }
}

#[derive(Debug, Error)]
pub enum ForwarderError {
    /// A key an integration names is missing from the secrets or unusable. Never includes the value.
    #[error("{integration}.json: `{field}`: {message}")]
    Key {
        integration: String,
        field: &'static str,
        message: String,
    },
    #[error("cannot set up an integration target: {0}")]
    Target(String),
}

pub struct Forwarder {
    entries: Vec<(Integration, Keys)>,
    secrets: IntegrationSecrets,
    targets: Targets,
    settings: Settings,
    breaker: CircuitBreaker,
}

impl std::fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarder")
            .field("integrations", &self.entries.len())
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

fn resolve_keys(
    integration: &Integration,
    secrets: &IntegrationSecrets,
    settings: &Settings,
) -> Result<Keys, ForwarderError> {
    let err = |field: &'static str, message: String| ForwarderError::Key {
        integration: integration.name.clone(),
        field,
        message,
    };
    let lookup = |field: &'static str, name: &str| {
        secrets.get(name).ok_or_else(|| {
            err(
                field,
                format!("the integration secrets have no entry `{name}`"),
            )
        })
    };
    // A disabled integration never runs, so its keys need not exist (the bundled examples are disabled).
    if integration.filter.disabled {
        return Ok(Keys::None);
    }
    Ok(match &integration.kind {
        Kind::Webhook(_) => Keys::None,
        Kind::GoogleCloudPubSub(p) => match &p.service_account_key_secret {
            Some(name) => {
                let text = lookup("service_account_key_secret", name)?;
                let key = ServiceAccountKey::from_json(text).map_err(|m| {
                    err("service_account_key_secret", format!("entry `{name}`: {m}"))
                })?;
                Keys::PubSub(Some(Arc::new(key)))
            }
            None if settings.pubsub_auth_required => {
                return Err(err(
                    "service_account_key_secret",
                    "required (only the Pub/Sub emulator takes no key)".into(),
                ));
            }
            None => Keys::PubSub(None),
        },
        Kind::AzureIotHub(a) => {
            let text = lookup("policy_key_secret", &a.policy_key_secret)?;
            let key = PolicyKey::from_base64(text).map_err(|m| {
                err(
                    "policy_key_secret",
                    format!("entry `{}`: {m}", a.policy_key_secret),
                )
            })?;
            Keys::Azure(Arc::new(key))
        }
        Kind::GoogleMaps(m) => match &m.api_key_secret {
            Some(name) => {
                Keys::GoogleMaps(Some(Arc::new(Secret::new(lookup("api_key_secret", name)?))))
            }
            None => Keys::GoogleMaps(None),
        },
    })
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The result of running one request through retries and the breaker.
struct Run {
    status: DeliveryStatus,
    attempts: u32,
    http_status: Option<u16>,
    last_error: Option<String>,
    paused: Duration,
    body: Option<String>,
}

impl Forwarder {
    /// Resolves every key the enabled integrations name; an integration whose key is missing or unusable is an
    /// error naming its file and field.
    pub fn new(
        integrations: Vec<Integration>,
        secrets: IntegrationSecrets,
        targets: Targets,
        settings: Settings,
    ) -> Result<Self, ForwarderError> {
        let entries = integrations
            .into_iter()
            .map(|i| {
                let keys = resolve_keys(&i, &secrets, &settings)?;
                Ok((i, keys))
            })
            .collect::<Result<_, ForwarderError>>()?;
        Ok(Forwarder {
            entries,
            secrets,
            targets,
            breaker: CircuitBreaker::new(settings.breaker),
            settings,
        })
    }

    pub fn integrations(&self) -> impl Iterator<Item = &Integration> {
        self.entries.iter().map(|(i, _)| i)
    }

    /// Whether `integration` runs for `event`: Particle's filter, and GoogleMaps only for events that came by
    /// the stream (a webhook-delivered locator event was already answered by `geolocate`).
    pub fn triggers(integration: &Integration, event: &Event) -> bool {
        integration.filter.matches(event)
            && !(matches!(integration.kind, Kind::GoogleMaps(_)) && event.source == Source::Webhook)
    }

    /// Matches and renders every integration for `event` (no I/O). Errors are redacted messages.
    pub fn prepare(&self, event: &Event) -> Vec<(&Integration, Result<Rendered, String>)> {
        self.prepare_where(event, |_| true)
    }

    fn prepare_where(
        &self,
        event: &Event,
        keep: impl Fn(&str) -> bool,
    ) -> Vec<(&Integration, Result<Rendered, String>)> {
        let text = EventText::new(event);
        let pairs = self.secrets.pairs();
        let scope = EventScope::new(text.vars(event)).with_secrets(&pairs);
        self.entries
            .iter()
            .filter(|(i, _)| Self::triggers(i, event) && keep(&i.name))
            .map(|(i, keys)| {
                let rendered = render(i, keys, event, &scope).map_err(|e| self.secrets.redact(&e));
                (i, rendered)
            })
            .collect()
    }

    /// Runs every matching integration for `event`; one outcome per matching integration.
    pub async fn handle_event(&self, event: &Event) -> Vec<DeliveryOutcome> {
        self.handle_event_where(event, |_| true).await
    }

    /// [`Forwarder::handle_event`] for the matching integrations `keep` accepts (by integration name): when the
    /// stream hands a batch back, the caller skips those the delivery log already shows as delivered, so a
    /// success is never sent twice.
    pub async fn handle_event_where(
        &self,
        event: &Event,
        keep: impl Fn(&str) -> bool,
    ) -> Vec<DeliveryOutcome> {
        let prepared = self.prepare_where(event, keep);
        join_all(
            prepared
                .into_iter()
                .map(|(integration, rendered)| self.deliver(integration, event, rendered)),
        )
        .await
    }

    /// The deliveries of [`Forwarder::handle_event_where`] as a stream, each outcome as soon as its delivery ends
    /// (so the caller can log it at once: a delivery logged before the invocation's deadline is not sent again).
    pub fn deliveries_where<'a>(
        &'a self,
        event: &'a Event,
        keep: impl Fn(&str) -> bool,
    ) -> FuturesUnordered<impl Future<Output = DeliveryOutcome> + 'a> {
        self.prepare_where(event, keep)
            .into_iter()
            .map(|(integration, rendered)| self.deliver(integration, event, rendered))
            .collect()
    }

    async fn deliver(
        &self,
        integration: &Integration,
        event: &Event,
        rendered: Result<Rendered, String>,
    ) -> DeliveryOutcome {
        let run = match rendered {
            Err(message) => Run {
                status: DeliveryStatus::Failed,
                attempts: 0,
                http_status: None,
                last_error: Some(format!("cannot render the request: {message}")),
                paused: Duration::ZERO,
                body: None,
            },
            Ok(Rendered::Webhook(r)) => self.run(&*self.targets.webhook, &r).await,
            Ok(Rendered::PubSub(r)) => self.run(&*self.targets.pubsub, &r).await,
            Ok(Rendered::Azure(r)) => self.run(&*self.targets.azure, &r).await,
            Ok(Rendered::GoogleMaps(r)) => match &self.targets.google_maps {
                Some(t) => self.run(&**t, &r).await,
                None => Run {
                    status: DeliveryStatus::Failed,
                    attempts: 0,
                    http_status: None,
                    last_error: Some(
                        "no geolocation target is configured for GoogleMaps integrations".into(),
                    ),
                    paused: Duration::ZERO,
                    body: None,
                },
            },
        };
        let device_response = self.device_response(integration, event, &run);
        let outcome = DeliveryOutcome {
            integration: integration.name.clone(),
            integration_type: integration.kind.type_name(),
            event_id: event.id.clone(),
            coreid: event.coreid.clone(),
            event_name: event.name.clone(),
            status: run.status,
            attempts: run.attempts,
            http_status: run.http_status,
            last_error: run.last_error.map(|e| self.secrets.redact(&e)),
            paused_ms: run.paused.as_millis() as u64,
            finished_at_ms: now_ms(),
            device_response,
        };
        tracing::info!(
            integration = %outcome.integration,
            integration_type = outcome.integration_type,
            event_id = %outcome.event_id,
            status = outcome.status.as_str(),
            attempts = outcome.attempts,
            http_status = outcome.http_status,
            paused_ms = outcome.paused_ms,
            "delivery"
        );
        outcome
    }

    /// What a webhook's device gets: the rendered response for a success with a body, `hook-error` text for a
    /// failure. Nothing for other types or a postponed delivery.
    fn device_response(
        &self,
        integration: &Integration,
        event: &Event,
        run: &Run,
    ) -> Option<HookResponse> {
        let w = match &integration.kind {
            Kind::Webhook(w) => w,
            Kind::GoogleMaps(_) => return Self::location_response(event, run),
            _ => return None,
        };
        let text = EventText::new(event);
        let pairs = self.secrets.pairs();
        let scope = EventScope::new(text.vars(event)).with_secrets(&pairs);
        let response = w.template.response();
        let rendered = match run.status {
            DeliveryStatus::Delivered => {
                let body = run.body.as_deref().filter(|b| !b.is_empty())?;
                response.render(&scope, body)
            }
            DeliveryStatus::Failed | DeliveryStatus::DeadLettered => {
                let message = self
                    .secrets
                    .redact(run.last_error.as_deref().unwrap_or("request failed"));
                response.render_error(&scope, &message)
            }
            DeliveryStatus::Postponed => return None,
        };
        match rendered {
            Ok(r) if !r.data.is_empty() => Some(r),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(integration = %integration.name, error = %self.secrets.redact(&e.to_string()), "cannot render the device response");
                None
            }
        }
    }

    /// What Particle's Google Maps integration sends the device: `hook-response/<event>/0` with
    /// `lat,lng,accuracy`, or `hook-error/<event>/0` with the reason.
    fn location_response(event: &Event, run: &Run) -> Option<HookResponse> {
        let (kind, data) = match run.status {
            DeliveryStatus::Delivered => ("hook-response", run.body.clone()?),
            DeliveryStatus::Failed | DeliveryStatus::DeadLettered => (
                "hook-error",
                run.last_error
                    .clone()
                    .unwrap_or_else(|| "geolocation failed".into()),
            ),
            DeliveryStatus::Postponed => return None,
        };
        Some(HookResponse {
            topic: format!("{kind}/{}", event.name),
            data,
            truncated: false,
            unchunked: false,
        })
    }

    async fn run<T: Target + ?Sized>(&self, target: &T, request: &T::Request) -> Run {
        let host = target.host(request);
        let policy = self.settings.retry;
        let mut attempts = 0;
        let mut paused = Duration::ZERO;
        let mut last: Option<(String, Option<u16>)> = None;
        loop {
            if let Some(wait) = self.breaker.pause_for(&host) {
                if paused + wait > self.settings.max_pause {
                    let (prev, status) = last.unwrap_or_default();
                    let mut reason = format!(
                        "circuit breaker open for {host}: waited {} ms, {} ms more is over the limit",
                        paused.as_millis(),
                        wait.as_millis()
                    );
                    if !prev.is_empty() {
                        reason.push_str(&format!("; last error: {prev}"));
                    }
                    return Run {
                        status: DeliveryStatus::Postponed,
                        attempts,
                        http_status: status,
                        last_error: Some(reason),
                        paused,
                        body: None,
                    };
                }
                tracing::info!(host = %host, wait_ms = wait.as_millis() as u64, "circuit breaker open: delivery waits");
                tokio::time::sleep(wait).await;
                paused += wait;
                continue;
            }
            attempts += 1;
            match target.deliver(request).await {
                TargetOutcome::Delivered { status, body } => {
                    self.breaker.record_success(&host);
                    return Run {
                        status: DeliveryStatus::Delivered,
                        attempts,
                        http_status: Some(status),
                        last_error: None,
                        paused,
                        body: Some(body),
                    };
                }
                TargetOutcome::Permanent { reason, status } => {
                    return Run {
                        status: DeliveryStatus::Failed,
                        attempts,
                        http_status: status,
                        last_error: Some(reason),
                        paused,
                        body: None,
                    };
                }
                TargetOutcome::Retryable {
                    reason,
                    status,
                    retry_after,
                } => {
                    if let Some(pause) = self.breaker.record_failure(&host) {
                        tracing::warn!(host = %host, pause_ms = pause.as_millis() as u64, "circuit breaker opened");
                    }
                    if attempts >= policy.max_attempts.max(1) {
                        return Run {
                            status: DeliveryStatus::DeadLettered,
                            attempts,
                            http_status: status,
                            last_error: Some(reason),
                            paused,
                            body: None,
                        };
                    }
                    last = Some((reason, status));
                    tokio::time::sleep(policy.delay(attempts, retry_after)).await;
                }
            }
        }
    }
}
