//! Matching and rendering one event against 20 integrations (target: under 20 µs). No I/O: `prepare` is what
//! `handle_event` does before the first request goes out.

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use forward::definition::parse;
use forward::forwarder::Settings;
use forward::target::{AzureTarget, PubSubTarget, WebhookTarget};
use forward::{Forwarder, IntegrationSecrets, Targets};
use particle_events::{Event, Source};

fn integrations() -> Vec<forward::Integration> {
    let mut defs = Vec::new();
    // 12 webhooks of every body kind, 8 of which match the event.
    for i in 0..3 {
        defs.push(format!(
            r#"{{"event":"env/","url":"https://example.com/hooks/{i}/{{{{PARTICLE_DEVICE_ID}}}}","headers":{{"Authorization":"Bearer {{{{{{API_TOKEN}}}}}}"}}}}"#
        ));
        defs.push(format!(
            r#"{{"event":"env","url":"https://example.com/json/{i}","json":{{"temp":"{{{{{{temp}}}}}}","hum":"{{{{{{hum}}}}}}","device":"{{{{PARTICLE_DEVICE_ID}}}}","at":"{{{{PARTICLE_PUBLISHED_AT}}}}"}},"noDefaults":true}}"#
        ));
        defs.push(format!(
            r#"{{"event":"env/kitchen","url":"https://example.com/form/{i}","requestType":"GET","query":{{"t":"{{{{{{temp}}}}}}","key":"{{{{{{API_TOKEN}}}}}}"}},"auth":{{"username":"u","password":"{{{{{{API_TOKEN}}}}}}"}}}}"#
        ));
        defs.push(format!(
            r#"{{"event":"other/","url":"https://example.com/other/{i}","body":"{{{{{{PARTICLE_EVENT_VALUE}}}}}}"}}"#
        ));
    }
    for i in 0..4 {
        defs.push(format!(
            r#"{{"integration_type":"GoogleCloudPubSub","event":"env","topic":"projects/p/topics/t{i}"}}"#
        ));
    }
    for i in 0..4 {
        defs.push(format!(
            r#"{{"integration_type":"AzureIotHub","event":"{}","hub_name":"hub-{i}","policy_name":"iothubowner","policy_key_secret":"AZ_KEY"}}"#,
            if i % 2 == 0 { "env" } else { "nope" }
        ));
    }
    assert_eq!(defs.len(), 20);
    defs.iter()
        .enumerate()
        .map(|(i, d)| parse(&format!("i{i}"), d).expect("valid definition"))
        .collect()
}

fn bench(c: &mut Criterion) {
    let secrets = IntegrationSecrets::from_pairs([
        ("API_TOKEN", "tok-0123456789abcdef"),
        ("AZ_KEY", "c2VjcmV0LWtleQ=="),
    ])
    .expect("secrets");
    let targets = Targets {
        webhook: Arc::new(WebhookTarget::new().expect("client")),
        pubsub: Arc::new(PubSubTarget::emulator("127.0.0.1:9").expect("client")),
        azure: Arc::new(AzureTarget::new(None).expect("client")),
        google_maps: None,
    };
    let settings = Settings {
        pubsub_auth_required: false,
        ..Settings::default()
    };
    let fwd = Forwarder::new(integrations(), secrets, targets, settings).expect("forwarder");
    let event = Event {
        id: "d06f2b1ea051ca567a885eb79e5479e9".into(),
        name: "env/kitchen".into(),
        data: r#"{"temp":21.5,"hum":40,"batt":{"v":3.9,"pct":88}}"#.into(),
        coreid: "3f002b000000000000000000".into(),
        published_at: "2026-11-26T22:58:01.123Z".into(),
        product_id: Some(1234),
        fw_version: Some(7),
        particle_event_id: None,
        source: Source::Webhook,
        received_at: "2026-11-26T22:58:01.200Z".into(),
    };
    let prepared = fwd.prepare(&event);
    assert_eq!(prepared.len(), 15, "matching integrations");
    assert!(prepared.iter().all(|(_, r)| r.is_ok()));
    c.bench_function("forward/match_and_render_20_integrations", |b| {
        b.iter(|| std::hint::black_box(fwd.prepare(std::hint::black_box(&event))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
