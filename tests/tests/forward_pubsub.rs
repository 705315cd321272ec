//! `forward`'s Google Cloud Pub/Sub target against Google's own emulator (a real peer): the message published is
//! the event data with Particle's attributes, pulled back from a subscription. Needs the emulator: from
//! `PUBSUB_EMULATOR_HOST`, or started here; the test fails (never skips) when neither is possible.

use std::sync::Arc;
use std::time::Duration;

use forward::breaker::BreakerSettings;
use forward::definition::parse;
use forward::forwarder::Settings;
use forward::target::{AzureTarget, PubSubTarget, WebhookTarget};
use forward::{DeliveryStatus, Forwarder, IntegrationSecrets, RetryPolicy, Targets};
use integration_tests::pubsub_emulator::PubSubEmulator;
use particle_events::{Event, Source};

fn event(name: &str, data: &str) -> Event {
    Event {
        id: "0123456789abcdef0123456789abcdef".into(),
        name: name.into(),
        data: data.into(),
        coreid: "e00fce68b1b2c3d4e5f60718".into(),
        published_at: "2026-11-26T22:58:01.123Z".into(),
        product_id: Some(1234),
        fw_version: Some(2),
        particle_event_id: None,
        source: Source::Webhook,
        received_at: "2026-11-26T22:58:01.200Z".into(),
    }
}

fn forwarder(emulator: &PubSubEmulator, defs: &[&str]) -> Forwarder {
    let integrations = defs
        .iter()
        .enumerate()
        .map(|(i, d)| parse(&format!("pubsub{i}"), d).unwrap())
        .collect();
    let targets = Targets {
        webhook: Arc::new(WebhookTarget::new().unwrap()),
        pubsub: Arc::new(PubSubTarget::emulator(&emulator.host).unwrap()),
        azure: Arc::new(AzureTarget::new(None).unwrap()),
        google_maps: None,
    };
    let settings = Settings {
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
        },
        breaker: BreakerSettings::default(),
        max_pause: Duration::from_secs(5),
        pubsub_auth_required: false,
    };
    Forwarder::new(
        integrations,
        IntegrationSecrets::default(),
        targets,
        settings,
    )
    .unwrap()
}

#[tokio::test]
async fn publishes_event_data_with_particles_attributes_to_the_emulator() {
    let emulator = PubSubEmulator::start().await;
    emulator
        .create_topic("forward-test", "particle-events")
        .await;
    emulator
        .create_subscription("forward-test", "events-sub", "particle-events")
        .await;
    let fwd = forwarder(
        &emulator,
        &[
            r#"{"integration_type":"GoogleCloudPubSub","event":"env/","topic":"projects/forward-test/topics/particle-events"}"#,
            r#"{"integration_type":"GoogleCloudPubSub","event":"env/","topic":"projects/forward-test/topics/no-such-topic"}"#,
        ],
    );
    let data = r#"{"temp":21.5,"note":"ünïcode ✓"}"#;
    let out = fwd.handle_event(&event("env/kitchen", data)).await;
    assert_eq!(out.len(), 2);
    let ok = out.iter().find(|o| o.integration == "pubsub0").unwrap();
    assert_eq!(ok.status, DeliveryStatus::Delivered, "{ok:?}");
    assert_eq!(ok.http_status, Some(200));
    let missing = out.iter().find(|o| o.integration == "pubsub1").unwrap();
    assert_eq!(
        missing.status,
        DeliveryStatus::Failed,
        "a missing topic is a 404, not retried"
    );
    assert_eq!((missing.http_status, missing.attempts), (Some(404), 1));
    assert!(
        missing
            .last_error
            .as_deref()
            .unwrap()
            .contains("no-such-topic")
    );

    // An empty event (Particle allows it) and plain text go through as they are.
    let out = fwd.handle_event(&event("env/empty", "")).await;
    assert!(out.iter().any(|o| o.status == DeliveryStatus::Delivered));

    let pulled = emulator.pull("forward-test", "events-sub").await;
    assert_eq!(pulled.len(), 2, "{pulled:?}");
    let first = pulled
        .iter()
        .find(|m| m.attributes["event"] == "env/kitchen")
        .unwrap();
    assert_eq!(first.data, data);
    assert_eq!(first.attributes.len(), 3);
    assert_eq!(first.attributes["device_id"], "e00fce68b1b2c3d4e5f60718");
    assert_eq!(first.attributes["published_at"], "2026-11-26T22:58:01.123Z");
    let empty = pulled
        .iter()
        .find(|m| m.attributes["event"] == "env/empty")
        .unwrap();
    assert_eq!(empty.data, "");
}
