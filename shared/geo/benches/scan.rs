//! Criterion benchmark: the pure path of one geolocation request for a 10-access-point Wi-Fi scan (the device
//! library's form): parse + normalise + cache key + Google request body. Target: under 10 µs.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use particle_geo::{Reading, cache_key, google, read};

fn scan_data() -> String {
    let aps: Vec<String> = (0..10)
        .map(|i| {
            format!(
                r#"{{"m":"A4:2B:B0:C1:{:02X}:{:02X}","s":-{},"c":{}}}"#,
                16 + i,
                3 * i,
                50 + i,
                1 + i % 11
            )
        })
        .collect();
    format!(r#"{{"w":{{"a":[{}]}}}}"#, aps.join(","))
}

fn bench(c: &mut Criterion) {
    let data = scan_data();
    c.bench_function("wifi10/parse+normalise+key+google-body", |b| {
        b.iter(|| {
            let Ok(Reading::Scan(scan)) = read(black_box(&data)) else {
                panic!("the benchmark scan is valid")
            };
            let key = cache_key(&scan);
            let body = google::request::body(&scan);
            black_box((key, body))
        })
    });
    let Ok(Reading::Scan(scan)) = read(&data) else {
        panic!("the benchmark scan is valid")
    };
    c.bench_function("wifi10/parse+normalise", |b| {
        b.iter(|| black_box(read(black_box(&data))))
    });
    c.bench_function("wifi10/cache-key", |b| {
        b.iter(|| black_box(cache_key(black_box(&scan))))
    });
    c.bench_function("wifi10/google-body", |b| {
        b.iter(|| black_box(google::request::body(black_box(&scan))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
