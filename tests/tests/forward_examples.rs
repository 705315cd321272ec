//! The example definitions in `integrations/`: one of each type, all valid, all disabled (so a deployment with
//! them and no secrets starts and runs nothing), and each one renders once enabled and given its secrets.

use std::path::PathBuf;
use std::sync::Arc;

use forward::definition::parse;
use forward::forwarder::Settings;
use forward::target::{AzureTarget, PubSubTarget, WebhookTarget};
use forward::{Forwarder, IntegrationSecrets, Kind, Rendered, Targets, load_dir};
use particle_events::{Event, Source};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../integrations")
}

fn targets() -> Targets {
    Targets {
        webhook: Arc::new(WebhookTarget::new().unwrap()),
        pubsub: Arc::new(PubSubTarget::google().unwrap()),
        azure: Arc::new(AzureTarget::new(None).unwrap()),
        google_maps: None,
    }
}

fn event(name: &str, source: Source) -> Event {
    Event {
        id: "0123456789abcdef0123456789abcdef".into(),
        name: name.into(),
        data: r#"{"temp":21.5}"#.into(),
        coreid: "e00fce68b1b2c3d4e5f60718".into(),
        published_at: "2026-11-26T22:58:01.123Z".into(),
        product_id: None,
        fw_version: None,
        particle_event_id: None,
        source,
        received_at: "2026-11-26T22:58:01.200Z".into(),
    }
}

#[test]
fn one_valid_disabled_example_of_each_type() {
    let all = load_dir(&dir()).unwrap();
    let mut types: Vec<_> = all.iter().map(|i| i.kind.type_name()).collect();
    types.sort();
    assert_eq!(
        types,
        ["AzureIotHub", "GoogleCloudPubSub", "GoogleMaps", "Webhook"]
    );
    assert!(
        all.iter().all(|i| i.filter.disabled),
        "examples must be disabled"
    );
    // With no secrets at all the forwarder starts, and nothing fires.
    let fwd = Forwarder::new(
        all,
        IntegrationSecrets::default(),
        targets(),
        Settings::default(),
    )
    .unwrap();
    assert!(fwd.prepare(&event("env/kitchen", Source::Sse)).is_empty());
    assert!(fwd.prepare(&event("deviceLocator", Source::Sse)).is_empty());
}

#[test]
fn each_example_renders_once_enabled() {
    let sa_key = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../functions/forward/tests/fixtures/test-only-service-account.json"),
    )
    .unwrap();
    let secrets = IntegrationSecrets::from_pairs([
        ("EXAMPLE_WEBHOOK_TOKEN", "tok-example-123"),
        ("GCP_SERVICE_ACCOUNT_KEY", sa_key.as_str()),
        ("AZURE_IOT_HUB_POLICY_KEY", "c2VjcmV0LWtleQ=="),
        ("GOOGLE_MAPS_API_KEY", "AIza-example"),
    ])
    .unwrap();
    let mut enabled = Vec::new();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let mut value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        value.as_object_mut().unwrap().remove("disabled");
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        enabled.push(parse(&name, &value.to_string()).unwrap());
    }
    let fwd = Forwarder::new(enabled, secrets, targets(), Settings::default()).unwrap();
    let env = fwd.prepare(&event("env/kitchen", Source::Webhook));
    assert_eq!(env.len(), 3);
    for (integration, rendered) in &env {
        match (&integration.kind, rendered.as_ref().unwrap()) {
            (Kind::Webhook(_), Rendered::Webhook(r)) => {
                assert_eq!(
                    r.request.url,
                    "https://example.com/REPLACE-WITH-YOUR-ENDPOINT/e00fce68b1b2c3d4e5f60718"
                );
                assert_eq!(
                    r.request.header("Authorization"),
                    Some("Bearer tok-example-123")
                );
                let body: serde_json::Value =
                    serde_json::from_str(r.request.body.as_deref().unwrap()).unwrap();
                assert_eq!(body["temperature"], "21.5");
            }
            (Kind::GoogleCloudPubSub(_), Rendered::PubSub(m)) => {
                assert_eq!(m.topic_id, "particle-events");
                assert!(m.key.is_some());
            }
            (Kind::AzureIotHub(_), Rendered::Azure(m)) => {
                assert_eq!(m.hub_name, "replace-with-hub-name");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let maps = fwd.prepare(&event("deviceLocator", Source::Sse));
    assert_eq!(maps.len(), 1);
    assert!(matches!(maps[0].1, Ok(Rendered::GoogleMaps(_))));
}
