//! Criterion benchmark: our engine vs `mustache` 0.9 vs `handlebars` 6 on three real Particle
//! templates (see `cases/mod.rs` for the cases and how each engine is fed).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

mod cases;
use cases::cases;

fn bench(c: &mut Criterion) {
    for case in cases() {
        let mut g = c.benchmark_group(format!("{}/render", case.name));
        g.bench_function("particle-template", |b| {
            b.iter(|| black_box(case.ours.render(black_box(&case.scope))))
        });
        g.bench_function("mustache-0.9", |b| {
            b.iter(|| {
                black_box(
                    case.mustache
                        .render_data_to_string(black_box(&case.mustache_data)),
                )
            })
        });
        g.bench_function("handlebars-6", |b| {
            b.iter(|| {
                black_box(
                    case.handlebars
                        .render_with_context(case.name, black_box(&case.handlebars_ctx)),
                )
            })
        });
        g.finish();

        let mut g = c.benchmark_group(format!("{}/from-value", case.name));
        g.bench_function("particle-template", |b| {
            b.iter(|| black_box(black_box(&case).render_from_value()))
        });
        g.bench_function("mustache-0.9", |b| {
            b.iter(|| {
                let data = mustache::to_data(black_box(&case.mustache_value));
                black_box(data.map(|d| case.mustache.render_data_to_string(&d)))
            })
        });
        g.bench_function("handlebars-6", |b| {
            b.iter(|| black_box(case.handlebars.render(case.name, black_box(&case.plain))))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
