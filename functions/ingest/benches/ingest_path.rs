//! The ingest path without I/O: parse + validate + id + item mapping (to a DynamoDB attribute map), for
//! Particle's default webhook in both encodings. Target: under 5 µs per webhook on one core.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use particle_events::{parse_webhook_form, parse_webhook_json};
use particle_store::Retention;
use particle_store::dynamo::to_attribute_map;
use particle_store::repo::events::event_item;

/// The allocator the Lambda binaries use, so the benchmark measures what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FORM: &[u8] = include_bytes!("../../../fixtures/webhook/default-form.txt");
const JSON: &[u8] = include_bytes!("../../../fixtures/webhook/default.json");
const RECEIVED: &str = "2026-11-26T12:00:00.000Z";

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
