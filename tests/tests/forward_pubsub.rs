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
    // A project of its own per run: an emulator left running (PUBSUB_EMULATOR_HOST) keeps earlier runs' topics.
    let project = format!("forward-test-{}", std::process::id());
    emulator.create_topic(&project, "particle-events").await;
    emulator
        .create_subscription(&project, "events-sub", "particle-events")
        .await;
    let defs = [
        format!(
            r#"{{"integration_type":"GoogleCloudPubSub","event":"env/","topic":"projects/{project}/topics/particle-events"}}"#
        ),
        format!(
            r#"{{"integration_type":"GoogleCloudPubSub","event":"env/","topic":"projects/{project}/topics/no-such-topic"}}"#
        ),
    ];
    let fwd = forwarder(&emulator, &[defs[0].as_str(), defs[1].as_str()]);
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

    let pulled = emulator.pull(&project, "events-sub").await;
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

/// Against Google (here a recording receiver standing in for it), every publish carries the self-signed JWT of
/// the integration's service-account key, which verifies with the key's public half.
#[tokio::test]
async fn publishes_to_google_with_a_self_signed_jwt() {
    use forward::target::google_auth::Claims;
    use integration_tests::webhook_target::{Reply, WebhookTarget as Receiver};

    let google = Receiver::start().await;
    google.reply(Reply::new(200, r#"{"messageIds":["1"]}"#));
    google.reply(Reply::new(
        403,
        r#"{"error":{"code":403,"status":"PERMISSION_DENIED"}}"#,
    ));
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../functions/forward/tests/fixtures");
    let key_json =
        std::fs::read_to_string(fixtures.join("test-only-service-account.json")).unwrap();
    let public =
        std::fs::read_to_string(fixtures.join("test-only-service-account.pub.pem")).unwrap();
    let def = parse(
        "gcp",
        r#"{"integration_type":"GoogleCloudPubSub","event":"env/","topic":"projects/my-proj/topics/events","service_account_key_secret":"GCP_KEY"}"#,
    )
    .unwrap();
    let targets = Targets {
        webhook: Arc::new(WebhookTarget::new().unwrap()),
        pubsub: Arc::new(PubSubTarget::google_at(&google.url("")).unwrap()),
        azure: Arc::new(AzureTarget::new(None).unwrap()),
        google_maps: None,
    };
    let secrets = IntegrationSecrets::from_pairs([("GCP_KEY", key_json.as_str())]).unwrap();
    let fwd = Forwarder::new(vec![def], secrets, targets, Settings::default()).unwrap();

    let out = fwd.handle_event(&event("env/kitchen", "21.5")).await;
    assert_eq!(out[0].status, DeliveryStatus::Delivered, "{out:?}");
    let out = fwd.handle_event(&event("env/kitchen", "21.6")).await;
    assert_eq!(out[0].status, DeliveryStatus::Failed, "403 is not retried");
    assert!(
        out[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("PERMISSION_DENIED")
    );

    let got = google.received();
    assert_eq!(got.len(), 2);
    let r = &got[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/projects/my-proj/topics/events:publish")
    );
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["messages"][0]["data"], "MjEuNQ==");
    assert_eq!(body["messages"][0]["attributes"]["event"], "env/kitchen");
    let token = r
        .header("authorization")
        .unwrap()
        .strip_prefix("Bearer ")
        .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["https://pubsub.googleapis.com/"]);
    let decoded = jsonwebtoken::decode::<Claims>(
        token,
        &jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()).unwrap(),
        &validation,
    )
    .unwrap();
    assert_eq!(decoded.header.kid.as_deref(), Some("test-key-id-0001"));
    assert_eq!(
        decoded.claims.iss,
        "forward-test@test-project.iam.gserviceaccount.com"
    );
    assert_eq!(decoded.claims.exp - decoded.claims.iat, 3600);
    assert_eq!(
        got[1].header("authorization"),
        r.header("authorization"),
        "the token is reused"
    );
}
