//! The forwarder's own logic against scripted targets (no network): retries, dead-lettering, the circuit
//! breaker's waits, redaction, device responses, key resolution. Time is paused, so waits cost nothing.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use forward::breaker::BreakerSettings;
use forward::definition::parse;
use forward::forwarder::Settings;
use forward::target::{AzureMessage, GeolocationRequest, HttpRequest, PubSubMessage};
use forward::{
    DeliveryStatus, Forwarder, ForwarderError, IntegrationSecrets, RetryPolicy, Target,
    TargetOutcome, Targets,
};
use particle_events::{Event, Source};

/// Answers from a script (the last answer repeats) and records what it was asked.
struct Scripted<R> {
    answers: Mutex<VecDeque<TargetOutcome>>,
    seen: Mutex<Vec<R>>,
    host: &'static str,
}

impl<R> Scripted<R> {
    fn new(answers: Vec<TargetOutcome>) -> Arc<Self> {
        Arc::new(Scripted {
            answers: Mutex::new(answers.into()),
            seen: Mutex::new(Vec::new()),
            host: "example.com",
        })
    }
    fn calls(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

#[async_trait]
impl<R: Clone + Send + Sync + 'static> Target for Scripted<R> {
    type Request = R;
    fn host(&self, _: &R) -> String {
        self.host.to_owned()
    }
    async fn deliver(&self, request: &R) -> TargetOutcome {
        self.seen.lock().unwrap().push(request.clone());
        let mut answers = self.answers.lock().unwrap();
        if answers.len() > 1 {
            answers.pop_front().unwrap()
        } else {
            answers.front().cloned().unwrap()
        }
    }
}

fn ok(body: &str) -> TargetOutcome {
    TargetOutcome::Delivered {
        status: 200,
        body: body.into(),
    }
}

fn unavailable() -> TargetOutcome {
    TargetOutcome::Retryable {
        reason: "error status 503 from example.com".into(),
        status: Some(503),
        retry_after: None,
    }
}

fn event(name: &str, source: Source) -> Event {
    Event {
        id: "d06f2b1ea051ca567a885eb79e5479e9".into(),
        name: name.into(),
        data: r#"{"temp":21.5}"#.into(),
        coreid: "3f002b000000000000000000".into(),
        published_at: "2026-11-26T22:58:01.123Z".into(),
        product_id: None,
        fw_version: Some(3),
        particle_event_id: None,
        source,
        received_at: "2026-11-26T22:58:01.200Z".into(),
    }
}

struct Setup {
    webhook: Arc<Scripted<HttpRequest>>,
    pubsub: Arc<Scripted<PubSubMessage>>,
    azure: Arc<Scripted<AzureMessage>>,
}

fn settings() -> Settings {
    Settings {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        },
        breaker: BreakerSettings {
            threshold: 100,
            cooldown: Duration::from_secs(5),
            max_cooldown: Duration::from_secs(20),
        },
        max_pause: Duration::from_secs(60),
        pubsub_auth_required: false,
    }
}

fn forwarder(
    defs: &[&str],
    webhook: Vec<TargetOutcome>,
    settings: Settings,
) -> Result<(Forwarder, Setup), ForwarderError> {
    let setup = Setup {
        webhook: Scripted::new(webhook),
        pubsub: Scripted::new(vec![ok(r#"{"messageIds":["1"]}"#)]),
        azure: Scripted::new(vec![TargetOutcome::Delivered {
            status: 204,
            body: String::new(),
        }]),
    };
    let integrations = defs
        .iter()
        .enumerate()
        .map(|(i, d)| parse(&format!("i{i}"), d).unwrap())
        .collect();
    let secrets = IntegrationSecrets::from_pairs([
        ("API_TOKEN", "tok-very-secret-123"),
        ("AZ_KEY", "c2VjcmV0LWtleQ=="),
    ])
    .unwrap();
    let targets = Targets {
        webhook: setup.webhook.clone(),
        pubsub: setup.pubsub.clone(),
        azure: setup.azure.clone(),
        google_maps: None,
    };
    Ok((
        Forwarder::new(integrations, secrets, targets, settings)?,
        setup,
    ))
}

const HOOK: &str = r#"{"event":"env","url":"https://example.com/h?token={{{API_TOKEN}}}","responseTemplate":"{{{t}}}"}"#;

#[tokio::test(start_paused = true)]
async fn retries_until_delivered_and_renders_the_device_response() {
    let (fwd, s) = forwarder(
        &[HOOK],
        vec![unavailable(), unavailable(), ok(r#"{"t":"21"}"#)],
        settings(),
    )
    .unwrap();
    let out = fwd
        .handle_event(&event("env/kitchen", Source::Webhook))
        .await;
    assert_eq!(out.len(), 1);
    let o = &out[0];
    assert_eq!(o.status, DeliveryStatus::Delivered);
    assert_eq!((o.attempts, o.http_status), (3, Some(200)));
    assert_eq!(o.integration, "i0");
    assert_eq!(o.integration_type, "Webhook");
    let r = o.device_response.as_ref().unwrap();
    assert_eq!(r.topic, "hook-response/env/kitchen");
    assert_eq!(r.data, "21");
    assert_eq!(s.webhook.calls(), 3);
    // The secret went into the request (it is the caller's), never into the outcome.
    let seen = s.webhook.seen.lock().unwrap();
    assert!(seen[0].request.url.ends_with("token=tok-very-secret-123"));
}

#[tokio::test(start_paused = true)]
async fn dead_letters_after_the_attempts_with_the_reason_redacted() {
    let failing = TargetOutcome::Retryable {
        reason: "timed out (example.com): token tok-very-secret-123 rejected".into(),
        status: None,
        retry_after: Some(Duration::from_secs(2)),
    };
    let (fwd, s) = forwarder(&[HOOK], vec![failing], settings()).unwrap();
    let started = tokio::time::Instant::now();
    let out = fwd.handle_event(&event("env", Source::Webhook)).await;
    let o = &out[0];
    assert_eq!(o.status, DeliveryStatus::DeadLettered);
    assert_eq!(o.attempts, 3);
    let err = o.last_error.as_deref().unwrap();
    assert!(
        err.contains("timed out") && err.contains("[[SENSITIVE]]"),
        "{err}"
    );
    assert!(!err.contains("tok-very-secret"), "{err}");
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "Retry-After honoured twice"
    );
    let r = o.device_response.as_ref().unwrap();
    assert_eq!(r.topic, "hook-error/env");
    assert!(!r.data.contains("tok-very-secret"));
    assert_eq!(s.webhook.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn permanent_failures_are_not_retried() {
    let (fwd, s) = forwarder(
        &[HOOK],
        vec![TargetOutcome::Permanent {
            reason: "error status 404 from example.com".into(),
            status: Some(404),
        }],
        settings(),
    )
    .unwrap();
    let out = fwd.handle_event(&event("env", Source::Webhook)).await;
    assert_eq!(out[0].status, DeliveryStatus::Failed);
    assert_eq!((out[0].attempts, out[0].http_status), (1, Some(404)));
    assert_eq!(
        out[0].device_response.as_ref().unwrap().data,
        "error status 404 from example.com"
    );
    assert_eq!(s.webhook.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_open_breaker_makes_deliveries_wait_and_records_the_pause() {
    let mut set = settings();
    set.breaker.threshold = 2;
    set.retry.max_attempts = 4;
    let (fwd, _) = forwarder(&[HOOK], vec![unavailable(), unavailable(), ok("")], set).unwrap();
    let out = fwd.handle_event(&event("env", Source::Webhook)).await;
    let o = &out[0];
    assert_eq!(o.status, DeliveryStatus::Delivered, "{o:?}");
    assert_eq!(o.attempts, 3);
    // The second failure opened the breaker for 5 s; the retry waited it out instead of being dropped.
    assert!(o.paused_ms > 0 && o.paused_ms <= 5000, "{}", o.paused_ms);
    assert!(
        o.device_response.is_none(),
        "an empty body publishes nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn a_breaker_open_too_long_postpones_instead_of_dropping() {
    let mut set = settings();
    set.breaker.threshold = 1;
    set.breaker.cooldown = Duration::from_secs(30);
    set.max_pause = Duration::from_secs(10);
    set.retry.max_attempts = 5;
    let (fwd, s) = forwarder(&[HOOK], vec![unavailable()], set).unwrap();
    let out = fwd.handle_event(&event("env", Source::Webhook)).await;
    let o = &out[0];
    assert_eq!(o.status, DeliveryStatus::Postponed);
    assert!(o.should_retry_later());
    assert_eq!(o.attempts, 1);
    let err = o.last_error.as_deref().unwrap();
    assert!(
        err.contains("circuit breaker open for example.com") && err.contains("503"),
        "{err}"
    );
    assert!(o.device_response.is_none());
    assert_eq!(s.webhook.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn every_type_is_rendered_for_its_target() {
    let (fwd, s) = forwarder(
        &[
            r#"{"integration_type":"GoogleCloudPubSub","event":"env","topic":"projects/proj/topics/events"}"#,
            r#"{"integration_type":"AzureIotHub","event":"env","hub_name":"my-hub","policy_name":"iothubowner","policy_key_secret":"AZ_KEY"}"#,
            r#"{"integration_type":"GoogleMaps","event":"env"}"#,
            r#"{"event":"env","url":"http://h/","disabled":true}"#,
            r#"{"event":"other","url":"http://h/"}"#,
        ],
        vec![ok("")],
        settings(),
    )
    .unwrap();
    let out = fwd.handle_event(&event("env", Source::Webhook)).await;
    let types: Vec<_> = out.iter().map(|o| o.integration_type).collect();
    assert_eq!(
        types,
        ["GoogleCloudPubSub", "AzureIotHub"],
        "GoogleMaps only for stream events"
    );
    assert!(out.iter().all(|o| o.status == DeliveryStatus::Delivered));
    let p = s.pubsub.seen.lock().unwrap()[0].clone();
    assert_eq!(
        (p.project.as_str(), p.topic_id.as_str()),
        ("proj", "events")
    );
    assert_eq!(p.data, r#"{"temp":21.5}"#);
    assert_eq!(p.attributes["device_id"], "3f002b000000000000000000");
    assert_eq!(p.attributes["event"], "env");
    assert_eq!(p.attributes["published_at"], "2026-11-26T22:58:01.123Z");
    let a = s.azure.seen.lock().unwrap()[0].clone();
    assert_eq!(a.device_id, "3f002b000000000000000000");
    let body: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"data":"{\"temp\":21.5}","device_id":"3f002b000000000000000000",
            "event":"env","published_at":"2026-11-26T22:58:01.123Z","fw_version":"3"})
    );
    let out = fwd.handle_event(&event("env", Source::Sse)).await;
    let maps = out
        .iter()
        .find(|o| o.integration_type == "GoogleMaps")
        .unwrap();
    assert_eq!(maps.status, DeliveryStatus::Failed);
    assert!(
        maps.last_error
            .as_deref()
            .unwrap()
            .contains("no geolocation target")
    );
}

#[tokio::test(start_paused = true)]
async fn a_geolocation_target_plugs_in() {
    let (fwd, _) = forwarder(&[], vec![ok("")], settings()).unwrap();
    drop(fwd);
    let maps: Arc<Scripted<GeolocationRequest>> = Scripted::new(vec![ok("39.7,-104.9,20")]);
    let secrets = IntegrationSecrets::from_pairs([("MAPS_KEY", "AIza-test")]).unwrap();
    let targets = Targets {
        webhook: Scripted::<HttpRequest>::new(vec![ok("")]),
        pubsub: Scripted::<PubSubMessage>::new(vec![ok("")]),
        azure: Scripted::<AzureMessage>::new(vec![ok("")]),
        google_maps: Some(maps.clone()),
    };
    let def = parse(
        "maps",
        r#"{"integration_type":"GoogleMaps","event":"deviceLocator","api_key_secret":"MAPS_KEY"}"#,
    )
    .unwrap();
    let fwd = Forwarder::new(vec![def], secrets, targets, settings()).unwrap();
    let out = fwd.handle_event(&event("deviceLocator", Source::Sse)).await;
    assert_eq!(out[0].status, DeliveryStatus::Delivered);
    let seen = maps.seen.lock().unwrap();
    assert_eq!(seen[0].api_key.as_ref().unwrap().expose(), "AIza-test");
}

#[test]
fn missing_or_bad_keys_name_the_file_and_field() {
    let err = forwarder(
        &[r#"{"integration_type":"AzureIotHub","event":"e","hub_name":"hub","policy_name":"p","policy_key_secret":"NOPE"}"#],
        vec![ok("")],
        settings(),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "i0.json: `policy_key_secret`: the integration secrets have no entry `NOPE`"
    );
    let err = forwarder(
        &[r#"{"integration_type":"AzureIotHub","event":"e","hub_name":"hub","policy_name":"p","policy_key_secret":"API_TOKEN"}"#],
        vec![ok("")],
        settings(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("not base64"), "{err}");
    assert!(!err.to_string().contains("tok-very"), "{err}");
    let mut strict = settings();
    strict.pubsub_auth_required = true;
    let err = forwarder(
        &[r#"{"integration_type":"GoogleCloudPubSub","event":"e","topic":"projects/p/topics/t"}"#],
        vec![ok("")],
        strict,
    )
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .contains("`service_account_key_secret`: required"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_render_failure_is_a_failed_outcome_without_a_request() {
    let (fwd, s) = forwarder(
        &[r#"{"event":"env","url":"http://h/","json":"{\"k\": {{{API_TOKEN}}} }"}"#],
        vec![ok("")],
        settings(),
    )
    .unwrap();
    let out = fwd.handle_event(&event("env", Source::Webhook)).await;
    assert_eq!(out[0].status, DeliveryStatus::Failed);
    assert_eq!(out[0].attempts, 0);
    let err = out[0].last_error.as_deref().unwrap();
    assert!(
        err.contains("not valid JSON") && !err.contains("tok-very"),
        "{err}"
    );
    assert_eq!(s.webhook.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn integrations_already_delivered_can_be_skipped() {
    let (fwd, s) = forwarder(
        &[HOOK, r#"{"integration_type":"GoogleCloudPubSub","event":"env","topic":"projects/p/topics/t"}"#],
        vec![ok("")],
        settings(),
    )
    .unwrap();
    let out = fwd
        .handle_event_where(&event("env", Source::Webhook), |name| name != "i0")
        .await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].integration, "i1");
    assert_eq!(s.webhook.calls(), 0);
    assert_eq!(s.pubsub.calls(), 1);
}
