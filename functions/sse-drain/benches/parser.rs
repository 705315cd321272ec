//! Throughput of the event-stream parser over a recorded-shape Particle stream: `:ok`, then 10,000
//! `event:`/`data:` events with a bare-newline keepalive every 50 events, cut into TCP-sized reads.
//!
//! - `parser/feed_with`: the parser alone, borrowed events (no allocation per event).
//! - `parser/feed_vec`: the parser alone, owned events into a reused `Vec`.
//! - `parser+particle_events/feed_with`: plus `particle_events::parse_sse_data` (JSON, validation,
//!   deterministic id) on every event, i.e. the drainer's per-event CPU work before the store.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sse_drain::parser::SseParser;

/// The allocator the Lambda binaries use, so the benchmark measures what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EVENTS: usize = 10_000;
const READ_SIZE: usize = 1_460;

fn recorded_stream() -> Vec<u8> {
    let names = [
        "spark/status",
        "temperature",
        "env/humidity",
        "motion",
        "battery/level",
    ];
    let mut out = String::from(":ok\n\n");
    for i in 0..EVENTS {
        if i % 50 == 49 {
            out.push('\n');
        }
        let name = names[i % names.len()];
        let ttl = if i % 2 == 0 { "\"60\"" } else { "60" };
        let ms = i % 1000;
        let sec = (i / 1000) % 60;
        out.push_str(&format!(
            "event: {name}\ndata: {{\"data\":\"{{\\\"t\\\":{i},\\\"v\\\":23.{ms}}}\",\"ttl\":{ttl},\
             \"published_at\":\"2026-03-04T18:17:{sec:02}.{ms:03}Z\",\"coreid\":\"1f00360008473434323{:05}\"}}\n\n",
            i % 100_000
        ));
    }
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let stream = recorded_stream();
    let reads: Vec<&[u8]> = stream.chunks(READ_SIZE).collect();

    let mut group = c.benchmark_group("parser");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("feed_with", |b| {
        b.iter(|| {
            let mut parser = SseParser::new();
            let mut bytes = 0usize;
            for read in &reads {
                parser.feed_with(read, |e| bytes += e.data.len() + e.event_type.len());
            }
            assert_eq!(parser.stats().events, EVENTS as u64);
            black_box(bytes)
        })
    });
    group.bench_function("feed_vec", |b| {
        let mut out = Vec::with_capacity(64);
        b.iter(|| {
            let mut parser = SseParser::new();
            let mut bytes = 0usize;
            for read in &reads {
                out.clear();
                parser.feed(read, &mut out);
                bytes += out.iter().map(|e| e.data.len()).sum::<usize>();
            }
            assert_eq!(parser.stats().events, EVENTS as u64);
            black_box(bytes)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("parser+particle_events");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("feed_with", |b| {
        let received_at = "2026-03-04T18:18:00.000Z";
        b.iter(|| {
            let mut parser = SseParser::new();
            let (mut ok, mut bad) = (0usize, 0usize);
            for read in &reads {
                parser.feed_with(read, |e| {
                    match particle_events::parse_sse_data(
                        e.event_type,
                        e.data.as_bytes(),
                        received_at,
                    ) {
                        Ok(event) => {
                            black_box(event);
                            ok += 1;
                        }
                        Err(_) => bad += 1,
                    }
                });
            }
            assert_eq!((ok, bad), (EVENTS, 0));
            black_box(ok)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
