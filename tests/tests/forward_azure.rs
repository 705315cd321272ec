//! `forward`'s Azure IoT Hub target against the SAS-checking double: the identity is created on a device's first
//! event only, the message has Particle's shape, 429 is retried, a wrong key and the quota 403 are reported.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use forward::breaker::BreakerSettings;
use forward::definition::parse;
use forward::forwarder::Settings;
use forward::target::azure_sas::{PolicyKey, sas_token};
use forward::target::{AzureTarget, PubSubTarget, WebhookTarget};
use forward::{DeliveryStatus, Forwarder, IntegrationSecrets, RetryPolicy, Targets};
use integration_tests::azure_iot::{AzureIotHub, Fault, Rights};
use particle_events::{Event, Source};
use serde_json::json;

const KEY: &str = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ=="; // "secret-key-for-tests-only"
const OTHER_KEY: &str = "b3RoZXIta2V5"; // "other-key"

fn event(coreid: &str, fw: Option<u32>) -> Event {
    Event {
        id: "0123456789abcdef0123456789abcdef".into(),
        name: "temperature".into(),
        data: "70".into(),
        coreid: coreid.into(),
        published_at: "2016-12-02T02:12:28.825Z".into(),
        product_id: None,
        fw_version: fw,
        particle_event_id: None,
        source: Source::Sse,
        received_at: "2016-12-02T02:12:29.000Z".into(),
    }
}

fn forwarder(hub: &AzureIotHub, policy: &str, key_secret: &str) -> Forwarder {
    let def = parse(
        "azure",
        &format!(
            r#"{{"integration_type":"AzureIotHub","event":"temp","hub_name":"My-Hub","policy_name":"{policy}","policy_key_secret":"{key_secret}"}}"#
        ),
    )
    .unwrap();
    let secrets =
        IntegrationSecrets::from_pairs([("AZ_KEY", KEY), ("AZ_OTHER", OTHER_KEY)]).unwrap();
    let targets = Targets {
        webhook: Arc::new(WebhookTarget::new().unwrap()),
        pubsub: Arc::new(PubSubTarget::emulator("127.0.0.1:9").unwrap()),
        azure: Arc::new(AzureTarget::new(Some(&hub.endpoint())).unwrap()),
        google_maps: None,
    };
    let settings = Settings {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
        },
        breaker: BreakerSettings::default(),
        max_pause: Duration::from_secs(5),
        pubsub_auth_required: false,
    };
    Forwarder::new(vec![def], secrets, targets, settings).unwrap()
}

async fn hub() -> AzureIotHub {
    AzureIotHub::start(
        "my-hub",
        &[
            ("iothubowner", KEY, Rights::ALL),
            (
                "registryRead",
                KEY,
                Rights {
                    registry_write: false,
                    device_connect: true,
                },
            ),
        ],
    )
    .await
}

const A: &str = "3e00000000000000000000aa";
const B: &str = "3e00000000000000000000bb";

#[tokio::test]
async fn creates_the_identity_once_and_sends_particles_message() {
    let hub = hub().await;
    let fwd = forwarder(&hub, "iothubowner", "AZ_KEY");
    for ev in [event(A, Some(1)), event(A, None), event(B, None)] {
        let out = fwd.handle_event(&ev).await;
        assert_eq!(out[0].status, DeliveryStatus::Delivered, "{out:?}");
        assert_eq!(out[0].http_status, Some(204));
    }
    assert_eq!(
        hub.device_creates(),
        2,
        "one identity per device, on its first event"
    );
    assert_eq!(hub.devices().len(), 2);
    let messages = hub.messages();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0].device_id, A);
    assert_eq!(
        messages[0].body,
        json!({"data":"70","device_id":A,"event":"temperature","published_at":"2016-12-02T02:12:28.825Z","fw_version":"1"})
    );
    assert!(messages[1].body.get("fw_version").is_none());
    assert!(hub.rejections().is_empty());
}

#[tokio::test]
async fn an_existing_identity_409_is_fine() {
    let hub = hub().await;
    let first = forwarder(&hub, "iothubowner", "AZ_KEY");
    first.handle_event(&event(A, None)).await;
    // A new container knows nothing: it gets 409 for the identity and sends anyway.
    let second = forwarder(&hub, "iothubowner", "AZ_KEY");
    let out = second.handle_event(&event(A, None)).await;
    assert_eq!(out[0].status, DeliveryStatus::Delivered, "{out:?}");
    assert_eq!(hub.device_creates(), 2);
    assert_eq!(hub.messages().len(), 2);
}

#[tokio::test]
async fn throttling_is_retried_and_quota_is_reported() {
    let hub = hub().await;
    let fwd = forwarder(&hub, "iothubowner", "AZ_KEY");
    hub.fault(Fault::Throttled(0));
    let out = fwd.handle_event(&event(A, None)).await;
    assert_eq!(out[0].status, DeliveryStatus::Delivered, "{out:?}");
    assert_eq!(out[0].attempts, 2);
    hub.fault(Fault::QuotaExceeded);
    let out = fwd.handle_event(&event(A, None)).await;
    assert_eq!(out[0].status, DeliveryStatus::Failed);
    assert_eq!(out[0].http_status, Some(403));
    assert!(
        out[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("daily message quota exceeded"),
        "{out:?}"
    );
}

#[tokio::test]
async fn a_wrong_key_or_a_missing_right_is_a_reported_401() {
    let hub = hub().await;
    let fwd = forwarder(&hub, "iothubowner", "AZ_OTHER");
    let out = fwd.handle_event(&event(A, None)).await;
    assert_eq!(out[0].status, DeliveryStatus::Failed);
    assert_eq!(out[0].http_status, Some(401));
    let err = out[0].last_error.as_deref().unwrap();
    assert!(
        err.contains("refused the token (401)") && err.contains("iothubowner"),
        "{err}"
    );
    assert_eq!(hub.rejections(), ["signature mismatch"]);

    let fwd = forwarder(&hub, "registryRead", "AZ_KEY");
    let out = fwd.handle_event(&event(A, None)).await;
    assert_eq!(out[0].http_status, Some(401));
    assert_eq!(hub.rejections()[1], "policy `registryRead` lacks the right");
    assert!(hub.messages().is_empty());
}

#[tokio::test]
async fn the_double_checks_resource_policy_and_expiry() {
    let hub = hub().await;
    let key = PolicyKey::from_base64(KEY).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let client = integration_tests::http_client();
    let put = |token: String| {
        client
            .put(format!(
                "{}/devices/{A}?api-version=2021-04-12",
                hub.endpoint()
            ))
            .header("authorization", token)
            .body("{}")
            .send()
    };
    let ok = put(sas_token(
        "my-hub.azure-devices.net",
        &key,
        "iothubowner",
        now + 60,
    ))
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    for (token, why) in [
        (
            sas_token("my-hub.azure-devices.net", &key, "iothubowner", now - 1),
            "token expired",
        ),
        (
            sas_token("other-hub.azure-devices.net", &key, "iothubowner", now + 60),
            "is not this hub",
        ),
        (
            sas_token("my-hub.azure-devices.net", &key, "nobody", now + 60),
            "unknown policy",
        ),
    ] {
        let r = put(token).await.unwrap();
        assert_eq!(r.status(), 401);
        assert!(
            hub.rejections().last().unwrap().contains(why),
            "{:?}",
            hub.rejections()
        );
    }
}
