//! `load-bench` (bench only, `make load`): N concurrent webhooks (default 2,000, 30 % of them repeats, as
//! Particle re-sends a webhook whose answer it did not get) through the ingest handler, [`ingest::Ingest::handle`],
//! on SQLite and on a local DynamoDB-compatible server (moto, started here); then the same run with moto stopped
//! in the middle and started again, followed by Particle-style retries of every 503; then `sse-outage`, SSE windows
//! of the real drainer with moto killed in the middle one ([`load_bench::sse_outage`]). Prints the tables and exits
//! non-zero when an assertion fails.
//!
//! Module map:
//! - [`workload`]: the webhooks (real API Gateway fixture, repeats, shuffled).
//! - [`run`]: the driver (concurrent requests, answers with timings) and latency quantiles.
//! - [`counting`]: an `ItemStore` wrapper counting writes and reads (DynamoDB capacity units, for the cost table).
//! - `load_bench::moto` (library): the local DynamoDB server, started, stopped and restarted with its data.
//! - `load_bench::sse_outage`, `sse_ledger`, `sse_checks` (library): the SSE outage run.
//! - [`scenario`]: the runs and what each asserts.

mod counting;
mod run;
mod scenario;
mod workload;

use std::process::ExitCode;

/// The allocator the Lambda binaries use.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: load-bench [--events N] [--repeats SHARE] [--concurrency N] [--seed N] \
[--only sqlite|dynamodb|outage|sse-outage]... [--json FILE] (moto from $MOTO_SERVER, else .venv/bin/moto_server)";

fn main() -> ExitCode {
    let options = match scenario::Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let rows = runtime.block_on(scenario::run_all(&options));
    if !rows.is_empty() {
        scenario::print(&options, &rows);
    }
    let mut sse = Vec::new();
    if options.wants("sse-outage") {
        let moto = load_bench::moto_binary();
        for restart in load_bench::sse_outage::Restart::ALL {
            sse.push(runtime.block_on(load_bench::sse_outage::run(&moto, restart)));
        }
        load_bench::sse_outage::print(&sse);
    }
    let sse_table = (!sse.is_empty()).then(|| load_bench::sse_outage::table(&sse));
    if let Err(e) = scenario::write_json(&options, &rows, sse_table) {
        eprintln!("load-bench: {e}");
        return ExitCode::FAILURE;
    }
    if rows.iter().all(|row| row.failures.is_empty())
        && sse.iter().all(|row| row.failures.is_empty())
    {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
