//! The ingest path without I/O: parse + validate + id + item mapping (to a DynamoDB attribute map), for
//! Particle's default webhook in both encodings. Target: under 5 µs per webhook on one core.
//! `ingest_path/frontend_form_webhook` adds what the shared front end does first (method, secret digest and
//! comparison with two versions, size, content type) on a real API Gateway event.

use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use particle_events::{parse_webhook_form, parse_webhook_json};
use particle_store::Retention;
use particle_store::dynamo::to_attribute_map;
use particle_store::repo::events::event_item;
use particle_webhook::{Frontend, FrontendConfig};

/// The allocator the Lambda binaries use, so the benchmark measures what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FORM: &[u8] = include_bytes!("../../../fixtures/webhook/default-form.txt");
const JSON: &[u8] = include_bytes!("../../../fixtures/webhook/default.json");
const RECEIVED: &str = "2026-11-26T12:00:00.000Z";
const APIGW_FORM: &str = include_str!("../../../fixtures/lambda/apigw-v2-ingest-form.json");

/// Runs a future that completes without waiting (the front end's success path never waits: the secret is only
/// re-read after a wrong one), with no runtime in the measurement.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the front end waited on its success path"),
    }
}

fn ingest_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest_path");
    group.throughput(Throughput::Elements(1));
    group.bench_function("default_form_webhook", |b| {
        b.iter(|| {
            let event = parse_webhook_form(black_box(FORM), RECEIVED).expect("valid fixture");
            let item = event_item(&event, Retention::Days(30), 1_795_000_000);
            black_box(to_attribute_map(&item).expect("mappable"))
        })
    });
    group.bench_function("default_json_webhook", |b| {
        b.iter(|| {
            let event = parse_webhook_json(black_box(JSON), RECEIVED).expect("valid fixture");
            let item = event_item(&event, Retention::Days(30), 1_795_000_000);
            black_box(to_attribute_map(&item).expect("mappable"))
        })
    });
    let secrets = particle_lambda::RefreshingSecret::fixed(particle_lambda::SecretVersions {
        current: particle_lambda::Secret::new("local-dev-secret-change-me"),
        previous: Some(particle_lambda::Secret::new("the-previous-secret-0001")),
    });
    let frontend = Frontend::new(FrontendConfig::post(
        "ingest",
        "particle-ingest",
        Arc::new(secrets),
    ))
    .expect("valid secret");
    let request = lambda_http::request::from_str(APIGW_FORM).expect("fixture is a Lambda request");
    group.bench_function("frontend_form_webhook", |b| {
        b.iter(|| {
            let accepted = ready(frontend.accept(black_box(&request))).expect("accepted");
            let item = event_item(&accepted.event, Retention::Days(30), 1_795_000_000);
            black_box(to_attribute_map(&item).expect("mappable"))
        })
    });
    group.finish();

    // The stages of the form path, to see where the time goes.
    let mut stages = c.benchmark_group("ingest_stages");
    stages.bench_function("parse_validate_id", |b| {
        b.iter(|| black_box(parse_webhook_form(black_box(FORM), RECEIVED).expect("valid fixture")))
    });
    let event = parse_webhook_form(FORM, RECEIVED).expect("valid fixture");
    stages.bench_function("item", |b| {
        b.iter(|| black_box(event_item(black_box(&event), Retention::Days(30), 1)))
    });
    let item = event_item(&event, Retention::Days(30), 1);
    stages.bench_function("attribute_map", |b| {
        b.iter(|| black_box(to_attribute_map(black_box(&item))))
    });
    stages.finish();
}

criterion_group!(benches, ingest_path);
criterion_main!(benches);
