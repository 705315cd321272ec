//! `forward`'s device side against the Particle Cloud API simulator, on both store backends: a webhook's answer
//! reaches the device as `hook-response/<event>/<n>` publishes (512-byte chunks, private, through the production
//! responder), every chunk is in the commands' delivery log, a command waiting for the device is delivered when
//! its event arrives, and the delivery listing still reads with forward's own delivery records beside it.

use std::sync::Arc;

use forward::feed::stream_record;
use forward::forwarder::Settings;
use forward::particle::{ParticlePending, ParticleResponder};
use forward::{DeliveryLog, Forwarder, IntegrationSecrets, StreamHandler, Targets};
use integration_tests::particle_api::{Device, ParticleApiSim};
use integration_tests::webhook_target::{Reply, WebhookTarget as Receiver};
use particle_cloud::{AccessToken, FunctionCall, Limits, ParticleApi, Tokens};
use particle_commands::{Commands, Deliveries, PendingCommands};
use particle_events::{Event, RawEvent, Source};
use particle_store::{ItemStore, Retention};

const TOKEN: &str = "sim-token-0123456789abcdef";
const DEVICE: &str = "e00fce68b1b2c3d4e5f60718";

fn event() -> Event {
    let raw = RawEvent {
        name: Some("env/kitchen"),
        data: Some(r#"{"temp":21.5}"#),
        coreid: Some(DEVICE),
        published_at: Some("2026-11-26T22:58:01.123Z"),
        ..RawEvent::default()
    };
    Event::new(raw, Source::Sse, "2026-11-26T22:58:01.456Z").unwrap()
}

async fn answers_the_device_and_delivers_pending(store: Arc<dyn ItemStore>) {
    let sim = ParticleApiSim::start(TOKEN).await;
    sim.device(DEVICE, Device::online(&[("led", 1)]));
    let receiver = Receiver::start().await;
    let answer = "x".repeat(600);
    receiver.reply(Reply::new(200, &answer));
    let def = format!(
        r#"{{"event": "env/", "url": "{}", "responseTemplate": "{{{{{{body}}}}}}"}}"#,
        receiver.url("/hook")
    );
    let forwarder = Forwarder::new(
        vec![forward::definition::parse("hook", &def).unwrap()],
        IntegrationSecrets::from_pairs(Vec::<(&str, &str)>::new()).unwrap(),
        Targets::from_env().unwrap(),
        Settings::default(),
    )
    .unwrap();
    let api = ParticleApi::with_base_url(
        integration_tests::http_client(),
        &sim.base_url(),
        Arc::new(Tokens::fixed(AccessToken::new(TOKEN))),
    )
    .unwrap();
    let commands = Commands::new(store.clone(), api.clone(), Limits::default(), 24);
    let call = FunctionCall {
        coreid: DEVICE.into(),
        name: "led".into(),
        arg: "on".into(),
        product: None,
    };
    PendingCommands::new(store.clone(), 24)
        .enqueue(&call, "c0ffee0000000001")
        .await
        .unwrap();
    let handler = StreamHandler::new(
        forwarder,
        DeliveryLog::new(store.clone()),
        Some(Arc::new(ParticleResponder::new(
            api,
            Limits::default(),
            store.clone(),
        ))),
        Some(Arc::new(ParticlePending(commands))),
    );
    let item = particle_store::repo::events::event_item(&event(), Retention::Forever, 0);
    let batch = serde_json::from_value(forward::feed::stream_event(vec![
        stream_record(&item, "100").unwrap(),
    ]))
    .unwrap();
    let result = handler.handle(batch, None).await;
    assert!(result.response.batch_item_failures.is_empty());
    assert_eq!(
        (result.device_responses_failed, result.pending_delivered),
        (0, 1)
    );

    let published = sim.published();
    assert_eq!(
        published,
        vec![
            (
                "hook-response/env/kitchen/0".to_owned(),
                "x".repeat(512),
                "true".to_owned()
            ),
            (
                "hook-response/env/kitchen/1".to_owned(),
                "x".repeat(88),
                "true".to_owned()
            ),
        ]
    );
    assert!(sim.calls().iter().any(|c| c.path.ends_with("/led")));
    // The commands' delivery log lists the chunks and the call, and is not confused by forward's own records.
    let listed = Deliveries::new(store).by_device(DEVICE, 50).await.unwrap();
    let targets: Vec<_> = listed.iter().map(|d| d.delivery.target.as_str()).collect();
    assert!(
        targets.contains(&"hook-response/env/kitchen/0"),
        "{targets:?}"
    );
    assert!(targets.contains(&"led"), "{targets:?}");
}

particle_store::both_backends!(answers_the_device_and_delivers_pending);
