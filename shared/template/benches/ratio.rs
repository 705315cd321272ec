//! Interleaved ratio check: the three engines run in alternating batches of 2,000 renders for a
//! few seconds per case, and the fastest batch of each counts. On a shared machine criterion's
//! means drift by tens of percent between runs because other work comes and goes while one
//! engine is measured and not the other; alternating batches and keeping minimums makes the
//! ratios stable. Prints a table (ns per render and ratios) for both measurements of
//! `cases/mod.rs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

mod cases;
use cases::{Case, cases};

const BATCH: u32 = 2_000;
const PER_CASE: Duration = Duration::from_secs(4);

fn run(case: &Case, engine: usize, from_value: bool) {
    match (engine, from_value) {
        (0, false) => {
            black_box(case.ours.render(black_box(&case.scope)).ok());
        }
        (0, true) => {
            black_box(black_box(case).render_from_value());
        }
        (1, false) => {
            black_box(
                case.mustache
                    .render_data_to_string(black_box(&case.mustache_data))
                    .ok(),
            );
        }
        (1, true) => {
            let data = mustache::to_data(black_box(&case.mustache_value));
            black_box(
                data.map(|d| case.mustache.render_data_to_string(&d).ok())
                    .ok(),
            );
        }
        (_, false) => {
            black_box(
                case.handlebars
                    .render_with_context(case.name, black_box(&case.handlebars_ctx))
                    .ok(),
            );
        }
        (_, true) => {
            black_box(
                case.handlebars
                    .render(case.name, black_box(&case.plain))
                    .ok(),
            );
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    println!(
        "| template | measurement | particle-template | mustache 0.9 | handlebars 6 | vs mustache | vs handlebars |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for case in cases() {
        for from_value in [false, true] {
            let mut best = [f64::MAX; 3];
            let start = Instant::now();
            while start.elapsed() < PER_CASE {
                for (engine, slot) in best.iter_mut().enumerate() {
                    let t = Instant::now();
                    for _ in 0..BATCH {
                        run(&case, engine, from_value);
                    }
                    let ns = t.elapsed().as_nanos() as f64 / f64::from(BATCH);
                    *slot = slot.min(ns);
                }
            }
            println!(
                "| {} | {} | {:.0} ns | {:.0} ns | {:.0} ns | {:.2}x | {:.2}x |",
                case.name,
                if from_value { "from-value" } else { "render" },
                best[0],
                best[1],
                best[2],
                best[1] / best[0],
                best[2] / best[0],
            );
        }
    }
}
