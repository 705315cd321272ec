//! The stream handler on both store backends: the fixture batch decoded back into the stored event, deliveries
//! logged, a delivered integration never sent twice when the stream hands the batch back, device responses,
//! pending commands, and the partial batch response (postponed, undecodable, out of time).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_lambda_events::event::dynamodb::Event as StreamEvent;
use forward::breaker::BreakerSettings;
use forward::definition::parse;
use forward::forwarder::Settings;
use forward::target::{AzureMessage, GeolocationRequest, HttpRequest, PubSubMessage};
use forward::{
    DeliveryLog, DeliveryStatus, DeviceResponder, Forwarder, IntegrationSecrets, PendingCommands,
    RespondError, ResponseKind, RetryPolicy, StreamHandler, Target, TargetOutcome, Targets,
};
use particle_events::{Event, RawEvent, Source};
use particle_store::ItemStore;
use particle_template::HookResponse;

const FIXTURE: &str = include_str!("../../../fixtures/lambda/dynamodb-stream.json");
const SEQUENCE: &str = "4421584500000000017450439091";

fn batch() -> StreamEvent {
    serde_json::from_str(FIXTURE).expect("the fixture is a DynamoDB stream event")
}

/// The event the fixture's image holds, built the way `sse-drain` builds it.
fn fixture_event() -> Event {
    let raw = RawEvent {
        name: Some("env/kitchen"),
        data: Some(r#"{"temp":21.5}"#),
        coreid: Some("e00fce68b1b2c3d4e5f60718"),
        published_at: Some("2026-11-26T22:58:01.123Z"),
        ..RawEvent::default()
    };
    Event::new(raw, Source::Sse, "2026-11-26T22:58:01.456Z").unwrap()
}

/// Answers from a script (the last answer repeats); each target has its own host, so its own breaker.
struct Scripted<R> {
    answers: Mutex<VecDeque<TargetOutcome>>,
    seen: Mutex<Vec<R>>,
    host: &'static str,
}

impl<R> Scripted<R> {
    fn new(host: &'static str, answers: Vec<TargetOutcome>) -> Arc<Self> {
        Arc::new(Scripted {
            answers: Mutex::new(answers.into()),
            seen: Mutex::new(Vec::new()),
            host,
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

#[derive(Default)]
struct Responses(Mutex<Vec<(String, String, ResponseKind)>>);

#[async_trait]
impl DeviceResponder for Responses {
    async fn respond(
        &self,
        event: &Event,
        response: &HookResponse,
        kind: ResponseKind,
    ) -> Result<(), RespondError> {
        self.0
            .lock()
            .unwrap()
            .push((event.coreid.clone(), response.topic.clone(), kind));
        Ok(())
    }
}

#[derive(Default)]
struct Pending(Mutex<Vec<String>>);

#[async_trait]
impl PendingCommands for Pending {
    async fn deliver_pending(&self, coreid: &str) -> Result<usize, RespondError> {
        self.0.lock().unwrap().push(coreid.to_owned());
        Ok(1)
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

fn settings(attempts: u32, breaker_threshold: u32, max_pause: Duration) -> Settings {
    Settings {
        retry: RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_millis(50),
        },
        breaker: BreakerSettings {
            threshold: breaker_threshold,
            cooldown: Duration::from_secs(5),
            max_cooldown: Duration::from_secs(20),
        },
        max_pause,
        pubsub_auth_required: false,
    }
}

struct Setup {
    handler: StreamHandler,
    webhook: Arc<Scripted<HttpRequest>>,
    pubsub: Arc<Scripted<PubSubMessage>>,
    responses: Arc<Responses>,
    pending: Arc<Pending>,
    log: DeliveryLog,
}

const WEBHOOK: &str = r#"{"event": "env/", "url": "https://example.com/hook/{{{PARTICLE_DEVICE_ID}}}",
    "responseTemplate": "ok {{{body}}}"}"#;
const PUBSUB: &str = r#"{"integration_type": "GoogleCloudPubSub", "event": "env",
    "topic": "projects/p/topics/readings"}"#;
const OTHER_EVENT: &str = r#"{"event": "other", "url": "https://example.com/never"}"#;

fn setup(store: Arc<dyn ItemStore>, webhook: Vec<TargetOutcome>, settings: Settings) -> Setup {
    let webhook_target = Scripted::new("example.com", webhook);
    let pubsub = Scripted::new("pubsub.googleapis.com", vec![ok(r#"{"messageIds":["1"]}"#)]);
    let targets = Targets {
        webhook: webhook_target.clone(),
        pubsub: pubsub.clone(),
        azure: Scripted::<AzureMessage>::new("hub.azure-devices.net", vec![ok("")]),
        google_maps: Some(Scripted::<GeolocationRequest>::new(
            "www.googleapis.com",
            vec![ok("1,2,3")],
        )),
    };
    let integrations = [
        ("hook", WEBHOOK),
        ("pubsub", PUBSUB),
        ("other", OTHER_EVENT),
    ]
    .iter()
    .map(|(name, d)| parse(name, d).unwrap())
    .collect();
    let forwarder = Forwarder::new(
        integrations,
        IntegrationSecrets::from_pairs(Vec::<(&str, &str)>::new()).unwrap(),
        targets,
        settings,
    )
    .unwrap();
    let responses = Arc::new(Responses::default());
    let pending = Arc::new(Pending::default());
    let log = DeliveryLog::new(store);
    Setup {
        handler: StreamHandler::new(
            forwarder,
            log.clone(),
            Some(responses.clone()),
            Some(pending.clone()),
        ),
        webhook: webhook_target,
        pubsub,
        responses,
        pending,
        log,
    }
}

#[test]
fn the_fixture_holds_the_item_the_store_writes() {
    let mut batch = batch();
    assert_eq!(batch.records.len(), 1);
    let record = batch.records.remove(0);
    assert_eq!(record.event_name, "INSERT");
    assert_eq!(record.change.sequence_number.as_deref(), Some(SEQUENCE));
    let decoded =
        particle_store::repo::events::event_from_stream_image(record.change.new_image.clone())
            .unwrap();
    assert_eq!(decoded, fixture_event());
    let image_item =
        particle_store::dynamo::stream::from_stream_image(record.change.new_image).unwrap();
    let stored = particle_store::repo::events::event_item(
        &fixture_event(),
        particle_store::Retention::Forever,
        0,
    );
    assert_eq!(image_item, stored);
}

async fn delivers_logs_and_skips_what_was_delivered(store: Arc<dyn ItemStore>) {
    let s = setup(
        store,
        vec![ok("fine")],
        settings(2, 100, Duration::from_secs(5)),
    );
    let first = s.handler.handle(batch(), None).await;
    assert!(first.response.batch_item_failures.is_empty());
    assert_eq!(first.records, 1);
    let mut names: Vec<_> = first
        .outcomes
        .iter()
        .map(|o| o.integration.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["hook", "pubsub"]);
    assert!(
        first
            .outcomes
            .iter()
            .all(|o| o.status == DeliveryStatus::Delivered)
    );
    assert_eq!((s.webhook.calls(), s.pubsub.calls()), (1, 1));
    // The webhook's answer went back to the device as hook-response/<event>.
    assert_eq!(
        s.responses.0.lock().unwrap().clone(),
        vec![(
            "e00fce68b1b2c3d4e5f60718".to_owned(),
            "hook-response/env/kitchen".to_owned(),
            ResponseKind::Response
        )]
    );
    assert_eq!(s.pending.0.lock().unwrap().len(), 1);
    let logged = s.log.for_event(&fixture_event()).await.unwrap();
    assert_eq!(logged.records.len(), 2);
    assert!(
        logged
            .records
            .iter()
            .all(|r| r.attempts == 1 && r.runs == 1)
    );

    // The stream hands the same batch back (a retry, a bisected batch): nothing is sent again.
    let again = s.handler.handle(batch(), None).await;
    assert!(again.response.batch_item_failures.is_empty());
    assert!(again.outcomes.is_empty());
    assert_eq!((s.webhook.calls(), s.pubsub.calls()), (1, 1));
    assert_eq!(s.responses.0.lock().unwrap().len(), 1);
}

async fn a_failed_delivery_is_tried_again_and_its_attempts_add_up(store: Arc<dyn ItemStore>) {
    let s = setup(
        store,
        vec![unavailable(), unavailable(), ok("fine")],
        settings(2, 100, Duration::from_secs(5)),
    );
    let first = s.handler.handle(batch(), None).await;
    let hook = first
        .outcomes
        .iter()
        .find(|o| o.integration == "hook")
        .unwrap();
    assert_eq!(hook.status, DeliveryStatus::DeadLettered);
    // Dead-lettered is final for this run (the failure went to the device as hook-error), not a batch failure.
    assert!(first.response.batch_item_failures.is_empty());
    assert_eq!(
        s.responses.0.lock().unwrap()[0].2,
        ResponseKind::Error,
        "hook-error for the device"
    );
    let record = |log: forward::delivery_log::EventDeliveries| {
        log.records
            .into_iter()
            .find(|r| r.integration == "hook")
            .unwrap()
    };
    let logged = record(s.log.for_event(&fixture_event()).await.unwrap());
    assert_eq!(
        (logged.status, logged.attempts, logged.runs),
        (DeliveryStatus::DeadLettered, 2, 1)
    );
    assert!(logged.last_error.unwrap().contains("503"));

    // Handed back (e.g. the batch is retried for another record): the webhook runs again, Pub/Sub does not.
    let second = s.handler.handle(batch(), None).await;
    assert_eq!(second.outcomes.len(), 1);
    assert_eq!(second.outcomes[0].status, DeliveryStatus::Delivered);
    assert_eq!((s.webhook.calls(), s.pubsub.calls()), (3, 1));
    let logged = record(s.log.for_event(&fixture_event()).await.unwrap());
    assert_eq!(
        (logged.status, logged.attempts, logged.runs),
        (DeliveryStatus::Delivered, 3, 2)
    );
    assert_eq!(logged.last_error, None);
}

async fn postponed_and_undecodable_records_are_handed_back(store: Arc<dyn ItemStore>) {
    // The breaker opens at the first failure and the delivery may not wait: postponed.
    let s = setup(store, vec![unavailable()], settings(3, 1, Duration::ZERO));
    let mut batch = batch();
    let mut broken = batch.records[0].clone();
    broken.change.sequence_number = Some("4421584500000000017450439092".into());
    broken.change.new_image.remove("coreid");
    batch.records.push(broken);
    let result = s.handler.handle(batch, None).await;
    let failed: Vec<_> = result
        .response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone().unwrap())
        .collect();
    assert_eq!(failed, [SEQUENCE, "4421584500000000017450439092"]);
    assert_eq!(result.failed_records, 2);
    let hook = result
        .outcomes
        .iter()
        .find(|o| o.integration == "hook")
        .unwrap();
    assert_eq!(hook.status, DeliveryStatus::Postponed);
    // Pub/Sub was delivered and logged: only the webhook runs when the record comes back.
    let logged = s.log.for_event(&fixture_event()).await.unwrap();
    assert_eq!(
        logged.delivered().into_iter().collect::<Vec<_>>(),
        ["pubsub"]
    );
    // A postponed delivery tells the device nothing yet.
    assert!(s.responses.0.lock().unwrap().is_empty());
}

async fn records_are_not_started_close_to_the_deadline(store: Arc<dyn ItemStore>) {
    let s = setup(
        store,
        vec![ok("fine")],
        settings(2, 100, Duration::from_secs(5)),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let result = s.handler.handle(batch(), Some(deadline)).await;
    assert_eq!(result.failed_records, 1);
    assert_eq!(
        result.response.batch_item_failures[0]
            .item_identifier
            .as_deref(),
        Some(SEQUENCE)
    );
    assert_eq!(s.webhook.calls(), 0);
    let response = forward::lambda::response(result).unwrap();
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": SEQUENCE}]})
    );
}

/// A webhook host that never answers in time.
struct Hanging;

#[async_trait]
impl Target for Hanging {
    type Request = HttpRequest;
    fn host(&self, _: &HttpRequest) -> String {
        "slow.example.com".into()
    }
    async fn deliver(&self, _: &HttpRequest) -> TargetOutcome {
        tokio::time::sleep(Duration::from_secs(60)).await;
        ok("too late")
    }
}

async fn a_record_cut_by_the_deadline_keeps_what_was_delivered(store: Arc<dyn ItemStore>) {
    let s = setup(
        store,
        vec![ok("fine")],
        settings(2, 100, Duration::from_secs(5)),
    );
    let mut targets = Targets {
        webhook: Arc::new(Hanging),
        pubsub: s.pubsub.clone(),
        azure: Scripted::<AzureMessage>::new("hub.azure-devices.net", vec![ok("")]),
        google_maps: None,
    };
    let integrations = [("hook", WEBHOOK), ("pubsub", PUBSUB)]
        .iter()
        .map(|(name, d)| parse(name, d).unwrap())
        .collect();
    let forwarder = Forwarder::new(
        integrations,
        IntegrationSecrets::from_pairs(Vec::<(&str, &str)>::new()).unwrap(),
        targets.clone(),
        settings(2, 100, Duration::from_secs(5)),
    )
    .unwrap();
    let handler = StreamHandler::new(forwarder, s.log.clone(), None, None)
        .with_margins(Duration::ZERO, Duration::ZERO);
    let deadline = tokio::time::Instant::now() + Duration::from_millis(800);
    let result = handler.handle(batch(), Some(deadline)).await;
    assert_eq!(
        result.response.batch_item_failures[0]
            .item_identifier
            .as_deref(),
        Some(SEQUENCE)
    );
    // Pub/Sub finished before the deadline and was logged at once: the retry will not send it again.
    let logged = s.log.for_event(&fixture_event()).await.unwrap();
    assert_eq!(
        logged.delivered().into_iter().collect::<Vec<_>>(),
        ["pubsub"]
    );
    targets.webhook = s.webhook.clone();
    let forwarder = Forwarder::new(
        [("hook", WEBHOOK), ("pubsub", PUBSUB)]
            .iter()
            .map(|(name, d)| parse(name, d).unwrap())
            .collect(),
        IntegrationSecrets::from_pairs(Vec::<(&str, &str)>::new()).unwrap(),
        targets,
        settings(2, 100, Duration::from_secs(5)),
    )
    .unwrap();
    let retried = StreamHandler::new(forwarder, s.log.clone(), None, None)
        .handle(batch(), None)
        .await;
    assert!(retried.response.batch_item_failures.is_empty());
    assert_eq!(retried.outcomes.len(), 1);
    assert_eq!(retried.outcomes[0].integration, "hook");
    assert_eq!(s.pubsub.calls(), 1);
}

particle_store::both_backends!(
    a_record_cut_by_the_deadline_keeps_what_was_delivered,
    delivers_logs_and_skips_what_was_delivered,
    a_failed_delivery_is_tried_again_and_its_attempts_add_up,
    postponed_and_undecodable_records_are_handed_back,
    records_are_not_started_close_to_the_deadline,
);

#[test]
fn a_failure_without_a_sequence_number_fails_the_whole_batch() {
    let mut result = forward::BatchResult::default();
    result.response.batch_item_failures.push(Default::default());
    assert!(matches!(
        forward::lambda::response(result),
        Err(forward::lambda::HandlerError::UnnamedFailures(1))
    ));
}
