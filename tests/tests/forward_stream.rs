//! `forward` end to end over real HTTP, the way `make run` wires it: an event stored in the SQLite store, the
//! change feed handing it to the stream handler as a DynamoDB stream record, the webhook rendered and sent to a
//! recording receiver with the secret filled in, the delivery logged (a failing receiver's delivery dead-lettered
//! with its reason, no secret in it), and nothing sent again by the next poll.

use std::sync::Arc;

use forward::feed::{Feed, HandlerSink};
use forward::forwarder::Settings;
use forward::{DeliveryLog, DeliveryStatus, Forwarder, IntegrationSecrets, StreamHandler, Targets};
use integration_tests::webhook_target::{Reply, WebhookTarget as Receiver};
use particle_events::{Event, RawEvent, Source};
use particle_store::{EventRepo, ItemStore, Retention};

fn event(name: &str, data: &str) -> Event {
    let raw = RawEvent {
        name: Some(name),
        data: Some(data),
        coreid: Some("e00fce68b1b2c3d4e5f60718"),
        published_at: Some("2026-11-26T22:58:01.123Z"),
        ..RawEvent::default()
    };
    Event::new(raw, Source::Webhook, &particle_events::clock::now_rfc3339()).unwrap()
}

fn settings() -> Settings {
    Settings {
        retry: forward::RetryPolicy {
            max_attempts: 1,
            ..forward::RetryPolicy::default()
        },
        ..Settings::default()
    }
}

#[tokio::test]
async fn a_stored_event_reaches_the_webhooks_once() {
    let ok = Receiver::start().await;
    let flaky = Receiver::start().await;
    flaky.reply(Reply::new(503, "busy"));
    let defs = [
        (
            "ok",
            format!(
                r#"{{"event": "env/", "url": "{}", "json": {{"t": "{{{{{{temp}}}}}}", "token": "{{{{{{API_TOKEN}}}}}}"}}, "noDefaults": true}}"#,
                ok.url("/readings/{{{PARTICLE_DEVICE_ID}}}")
            ),
        ),
        (
            "flaky",
            format!(
                r#"{{"event": "env/kitchen", "url": "{}"}}"#,
                flaky.url("/flaky")
            ),
        ),
    ];
    let integrations = defs
        .iter()
        .map(|(name, text)| forward::definition::parse(name, text).unwrap())
        .collect();
    let secrets = IntegrationSecrets::from_pairs([("API_TOKEN", "tok-secret-123456")]).unwrap();
    let forwarder = Forwarder::new(
        integrations,
        secrets,
        Targets::from_env().unwrap(),
        settings(),
    )
    .unwrap();

    let (store, dir) = particle_store::testing::sqlite_store().await;
    let shared: Arc<dyn ItemStore> = Arc::new(store.clone());
    let log = DeliveryLog::new(shared.clone());
    let handler = Arc::new(StreamHandler::new(forwarder, log.clone(), None, None));
    let mut feed = Feed::new(
        store,
        dir.path().join("cursor.json"),
        Box::new(HandlerSink(handler)),
    )
    .unwrap();

    let e = event("env/kitchen", r#"{"temp":21.5}"#);
    EventRepo::new(shared, Retention::Forever)
        .put(&e)
        .await
        .unwrap();
    assert_eq!(feed.poll_once().await.unwrap(), 1);

    let got = ok.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/readings/e00fce68b1b2c3d4e5f60718");
    assert_eq!(
        got[0].body_text(),
        r#"{"t":"21.5","token":"tok-secret-123456"}"#
    );
    assert_eq!(flaky.received().len(), 1);
    let logged = log.for_event(&e).await.unwrap();
    let status = |name: &str| logged.previous(name).map(|r| r.status);
    assert_eq!(status("ok"), Some(DeliveryStatus::Delivered));
    assert_eq!(status("flaky"), Some(DeliveryStatus::DeadLettered));
    assert!(
        logged.records.iter().all(|r| !r
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("tok-secret")),
        "secrets never reach the log"
    );

    // Nothing new: nothing is sent.
    assert_eq!(feed.poll_once().await.unwrap(), 0);
    assert_eq!((ok.received().len(), flaky.received().len()), (1, 1));
}
