//! `forward` webhooks end to end: real HTTP to a recording receiver on 127.0.0.1, asserting Particle's request
//! rendering (default form body, `json`, `body`, `form`, `query`, `auth`, `headers`) and the delivery semantics
//! (retries, Retry-After, timeouts, permanent 4xx, redirects not followed, the breaker's pause, redaction).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use forward::breaker::BreakerSettings;
use forward::definition::parse;
use forward::forwarder::Settings;
use forward::target::{AzureTarget, PubSubTarget, WebhookTarget};
use forward::{
    DeliveryOutcome, DeliveryStatus, Forwarder, IntegrationSecrets, RetryPolicy, Targets,
};
use integration_tests::webhook_target::{Reply, WebhookTarget as Receiver};
use particle_events::{Event, Source};

const DEVICE: &str = "3f002b000000000000000000";
const HOOK_PASSWORD: &str = "pw-hunter2-0123";
const API_KEY: &str = "key-abcdef-987654";

fn event(name: &str, data: &str) -> Event {
    Event {
        id: "d06f2b1ea051ca567a885eb79e5479e9".into(),
        name: name.into(),
        data: data.into(),
        coreid: DEVICE.into(),
        published_at: "2017-02-01T21:08:05.763Z".into(),
        product_id: None,
        fw_version: None,
        particle_event_id: None,
        source: Source::Webhook,
        received_at: "2017-02-01T21:08:05.800Z".into(),
    }
}

fn settings() -> Settings {
    Settings {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        },
        breaker: BreakerSettings {
            threshold: 100,
            cooldown: Duration::from_millis(300),
            max_cooldown: Duration::from_secs(1),
        },
        max_pause: Duration::from_secs(10),
        pubsub_auth_required: false,
    }
}

fn forwarder_with(defs: &[String], settings: Settings, timeout: Duration) -> Forwarder {
    let integrations = defs
        .iter()
        .enumerate()
        .map(|(i, d)| parse(&format!("hook{i}"), d).expect("valid definition"))
        .collect();
    let secrets = IntegrationSecrets::from_pairs([
        ("HOOK_PASSWORD", HOOK_PASSWORD),
        ("API_KEY", API_KEY),
        ("MAPS_KEY", "XXXXXXXXXX"),
    ])
    .unwrap();
    let targets = Targets {
        webhook: Arc::new(WebhookTarget::with_timeout(timeout).unwrap()),
        pubsub: Arc::new(PubSubTarget::emulator("127.0.0.1:9").unwrap()),
        azure: Arc::new(AzureTarget::new(None).unwrap()),
        google_maps: None,
    };
    Forwarder::new(integrations, secrets, targets, settings).unwrap()
}

fn forwarder(defs: &[String]) -> Forwarder {
    forwarder_with(defs, settings(), Duration::from_secs(20))
}

async fn one(fwd: &Forwarder, ev: &Event) -> DeliveryOutcome {
    let mut out = fwd.handle_event(ev).await;
    assert_eq!(out.len(), 1, "{out:?}");
    out.remove(0)
}

#[tokio::test]
async fn default_webhook_is_particles_form_body() {
    let rx = Receiver::start().await;
    let fwd = forwarder(&[format!(r#"{{"eventName":"demo","url":"{}"}}"#, rx.url("/"))]);
    let o = one(&fwd, &event("demo", "mydata")).await;
    assert_eq!(o.status, DeliveryStatus::Delivered);
    let r = &rx.received()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.query.as_deref()),
        ("POST", "/", None)
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        r.header("user-agent"),
        Some("ParticleBot/1.1 (https://docs.particle.io/webhooks)")
    );
    // Particle's documented request, byte for byte.
    assert_eq!(
        r.body_text(),
        "event=demo&data=mydata&published_at=2017-02-01T21%3A08%3A05.763Z&coreid=3f002b000000000000000000"
    );
    // The receiver answered "ok": that is what the device gets on hook-response.
    let resp = o.device_response.unwrap();
    assert_eq!(
        (resp.topic.as_str(), resp.data.as_str()),
        ("hook-response/demo", "ok")
    );
}

#[tokio::test]
async fn json_body_and_form_as_in_particles_docs() {
    let rx = Receiver::start().await;
    let fwd = forwarder(&[
        format!(
            r#"{{"event":"Temperature/","url":"{}","json":{{"{{{{PARTICLE_EVENT_NAME}}}}":"{{{{{{PARTICLE_EVENT_VALUE}}}}}}"}},"noDefaults":true}}"#,
            rx.url("/123456789")
        ),
        format!(
            r#"{{"event":"Temperature/","url":"{}","form":{{"From":"FROM_PHONE_NUMBER","To":"TO_PHONE_NUMBER","Body":"Hi there!"}},"noDefaults":true}}"#,
            rx.url("/sms")
        ),
    ]);
    let out = fwd
        .handle_event(&event("Temperature/Kitchen", "20.00"))
        .await;
    assert!(
        out.iter().all(|o| o.status == DeliveryStatus::Delivered),
        "{out:?}"
    );
    let mut got = rx.received();
    got.sort_by(|a, b| a.path.cmp(&b.path));
    let (json, form) = (&got[0], &got[1]);
    assert_eq!(json.path, "/123456789");
    assert_eq!(json.body_text(), r#"{"Temperature/Kitchen":"20.00"}"#);
    assert_eq!(json.header("content-type"), Some("application/json"));
    assert_eq!(json.header("accept"), Some("application/json"));
    assert_eq!(
        form.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // Particle encodes spaces as %20 and `!` as %21; keys come out sorted.
    assert_eq!(
        form.body_text(),
        "Body=Hi%20there%21&From=FROM_PHONE_NUMBER&To=TO_PHONE_NUMBER"
    );
}

#[tokio::test]
async fn body_template_with_its_own_content_type_keeps_numbers() {
    let rx = Receiver::start().await;
    let fwd = forwarder(&[format!(
        r#"{{"event":"loc","url":"{}","requestType":"PUT","headers":{{"content-type":"application/json"}},"body":"{{ \"coordinates\": {{ \"lat\": {{{{{{lat}}}}}}, \"lng\": {{{{{{lng}}}}}} }} }}"}}"#,
        rx.url("/c")
    )]);
    one(
        &fwd,
        &event("loc", r#"{"lat":39.739155,"lng":-104.984703}"#),
    )
    .await;
    let r = &rx.received()[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body_text(),
        r#"{ "coordinates": { "lat": 39.739155, "lng": -104.984703 } }"#
    );
}

#[tokio::test]
async fn get_with_query_auth_and_headers_from_secrets() {
    let rx = Receiver::start().await;
    let fwd = forwarder(&[format!(
        r#"{{"event":"elev","url":"{}","requestType":"GET","noDefaults":true,
            "query":{{"locations":"{{{{{{lat}}}}}},{{{{{{lng}}}}}}","key":"{{{{{{MAPS_KEY}}}}}}"}},
            "auth":{{"username":"particle","password":"{{{{{{HOOK_PASSWORD}}}}}}"}},
            "headers":{{"X-Device":"{{{{PARTICLE_DEVICE_ID}}}}","X-Api-Key":"{{{{{{API_KEY}}}}}}"}}}}"#,
        rx.url("/maps/api/elevation/json")
    )]);
    one(&fwd, &event("elev", r#"{"lat":39.7,"lng":-104.9}"#)).await;
    let r = &rx.received()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/maps/api/elevation/json");
    // Particle's documented GET: the comma percent-encoded, keys reordered.
    assert_eq!(
        r.query.as_deref(),
        Some("key=XXXXXXXXXX&locations=39.7%2C-104.9")
    );
    assert!(r.body.is_empty());
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("particle:{HOOK_PASSWORD}"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    assert_eq!(r.header("x-device"), Some(DEVICE));
    assert_eq!(r.header("x-api-key"), Some(API_KEY));
}

#[tokio::test]
async fn retries_429_and_5xx_then_renders_the_response_template() {
    let rx = Receiver::start().await;
    rx.reply(Reply::new(503, "busy"));
    rx.reply(Reply::new(429, "slow down").header("retry-after", "1"));
    rx.reply(Reply::new(
        200,
        r#"{"results":[{"elevation":1608.637939453125}],"status":"OK"}"#,
    ));
    let fwd = forwarder(&[format!(
        r#"{{"event":"elev","url":"{}","responseTemplate":"{{{{{{results.0.elevation}}}}}}"}}"#,
        rx.url("/e")
    )]);
    let started = std::time::Instant::now();
    let o = one(&fwd, &event("elev", "x")).await;
    assert_eq!(o.status, DeliveryStatus::Delivered, "{o:?}");
    assert_eq!((o.attempts, o.http_status), (3, Some(200)));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 honoured"
    );
    assert_eq!(rx.received().len(), 3);
    assert_eq!(o.device_response.unwrap().data, "1608.637939453125");
}

#[tokio::test]
async fn retries_spent_is_a_dead_letter_with_the_reason() {
    let rx = Receiver::start().await;
    for _ in 0..3 {
        rx.reply(Reply::new(502, "bad gateway"));
    }
    let fwd = forwarder(&[format!(r#"{{"event":"e","url":"{}"}}"#, rx.url("/"))]);
    let o = one(&fwd, &event("e", "x")).await;
    assert_eq!(o.status, DeliveryStatus::DeadLettered);
    assert_eq!((o.attempts, o.http_status), (3, Some(502)));
    assert_eq!(
        o.last_error.as_deref(),
        Some("error status 502 from 127.0.0.1: bad gateway")
    );
    let err = o.device_response.unwrap();
    assert_eq!(err.topic, "hook-error/e");
}

#[tokio::test]
async fn timeouts_are_retried() {
    let rx = Receiver::start().await;
    rx.reply(Reply::new(200, "late").delay(Duration::from_secs(2)));
    let fwd = forwarder_with(
        &[format!(r#"{{"event":"e","url":"{}"}}"#, rx.url("/"))],
        settings(),
        Duration::from_millis(300),
    );
    let o = one(&fwd, &event("e", "x")).await;
    assert_eq!(o.status, DeliveryStatus::Delivered, "{o:?}");
    assert_eq!(o.attempts, 2);
}

#[tokio::test]
async fn client_errors_and_redirects_are_permanent_and_secrets_redacted() {
    let rx = Receiver::start().await;
    rx.reply(Reply::new(400, &format!("bad key {API_KEY}")));
    rx.reply(Reply::new(302, "").header("location", "http://elsewhere.example/"));
    let fwd = forwarder(&[format!(
        r#"{{"event":"e","url":"{}","headers":{{"X-Api-Key":"{{{{{{API_KEY}}}}}}"}}}}"#,
        rx.url("/")
    )]);
    let o = one(&fwd, &event("e", "x")).await;
    assert_eq!(o.status, DeliveryStatus::Failed);
    assert_eq!((o.attempts, o.http_status), (1, Some(400)));
    let err = o.last_error.as_deref().unwrap();
    assert_eq!(
        err,
        "error status 400 from 127.0.0.1: bad key [[SENSITIVE]]"
    );
    assert!(!o.device_response.unwrap().data.contains(API_KEY));

    let o = one(&fwd, &event("e", "x")).await;
    assert_eq!(o.status, DeliveryStatus::Failed);
    assert_eq!(o.http_status, Some(302));
    assert!(
        o.last_error
            .as_deref()
            .unwrap()
            .contains("redirect to http://elsewhere.example/ not followed"),
        "{o:?}"
    );
    assert_eq!(rx.received().len(), 2, "no retry, no redirect followed");
}

#[tokio::test]
async fn a_failing_host_pauses_deliveries_instead_of_dropping_them() {
    let rx = Receiver::start().await;
    for _ in 0..2 {
        rx.reply(Reply::new(503, "down"));
    }
    let mut set = settings();
    set.breaker.threshold = 2;
    let fwd = forwarder_with(
        &[format!(r#"{{"event":"e","url":"{}"}}"#, rx.url("/"))],
        set,
        Duration::from_secs(20),
    );
    let o = one(&fwd, &event("e", "x")).await;
    assert_eq!(o.status, DeliveryStatus::Delivered, "{o:?}");
    assert_eq!(o.attempts, 3);
    assert!(
        o.paused_ms >= 200,
        "waited on the open breaker: {} ms",
        o.paused_ms
    );
}

#[tokio::test]
async fn not_matching_events_send_nothing() {
    let rx = Receiver::start().await;
    let fwd = forwarder(&[
        format!(r#"{{"event":"temp","url":"{}"}}"#, rx.url("/")),
        format!(
            r#"{{"event":"high","url":"{}","deviceID":"e00fce68b1b2c3d4e5f60718"}}"#,
            rx.url("/")
        ),
        format!(
            r#"{{"event":"high","url":"{}","disabled":true}}"#,
            rx.url("/")
        ),
    ]);
    assert!(fwd.handle_event(&event("high_temp", "1")).await.is_empty());
    assert!(
        fwd.handle_event(&event("hook-response/temp/0", "1"))
            .await
            .is_empty()
    );
    assert!(rx.received().is_empty());
}
