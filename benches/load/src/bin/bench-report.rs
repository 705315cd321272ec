//! `bench-report` (the last step of `make bench`): assembles one report from what the other steps saved (criterion
//! results, `coldstart.json`, `load.json`, `sizes.json`, `templates.md`), prints it, and with `--readme FILE`
//! replaces the README's generated benchmark block with it.
//!
//! Usage: `bench-report [--dir DIR] [--criterion DIR] [--readme FILE] [--memory-mb N] [--window-s N]
//! [--batch N] [--item-bytes N]` (defaults: `.local/bench`, `$CARGO_TARGET_DIR/criterion` else
//! `target/criterion`, no README, and the stack's defaults 256 MB, 70 s, 25, 500 bytes).

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use load_bench::report::cost::Inputs;
use load_bench::report::criterion;
use load_bench::report::inputs::Collected;
use load_bench::report::markdown::{self, Context};

const USAGE: &str = "usage: bench-report [--dir DIR] [--criterion DIR] [--readme FILE] [--memory-mb N] \
[--window-s N] [--batch N] [--item-bytes N]";

struct Args {
    dir: PathBuf,
    criterion: PathBuf,
    readme: Option<PathBuf>,
    memory_mb: f64,
    window_s: f64,
    batch: f64,
    item_bytes: f64,
}

fn parse() -> Result<Args, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let mut a = Args {
        dir: PathBuf::from(".local/bench"),
        criterion: target.join("criterion"),
        readme: None,
        memory_mb: 256.0,
        window_s: 70.0,
        batch: 25.0,
        item_bytes: 500.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|n| *n > 0.0 && n.is_finite())
                .ok_or_else(|| format!("{flag}: {value:?} is not a positive number"))
        };
        match flag.as_str() {
            "--dir" => a.dir = PathBuf::from(&value),
            "--criterion" => a.criterion = PathBuf::from(&value),
            "--readme" => a.readme = Some(PathBuf::from(&value)),
            "--memory-mb" => a.memory_mb = number()?,
            "--window-s" => a.window_s = number()?,
            "--batch" => a.batch = number()?,
            "--item-bytes" => a.item_bytes = number()?,
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-report: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let medians = criterion::medians(&args.criterion)?;
    let got = Collected::read(&args.dir)?;
    let cost_inputs = cost_inputs(args, &got);
    let report = markdown::report(&context(), &medians, &got, cost_inputs.as_ref());
    println!("{report}");
    if let Some(path) = &args.readme {
        let readme =
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let updated = markdown::splice(&readme, &report)?;
        std::fs::write(path, updated).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("bench-report: {} updated", path.display());
    }
    Ok(())
}

/// The cost table's inputs, when the runs it needs are in: ingest's and forward's warm durations on the local
/// DynamoDB server (cold start bench) and the per-webhook operations of the DynamoDB load run.
fn cost_inputs(args: &Args, got: &Collected) -> Option<Inputs> {
    let cold = got.coldstart.as_ref()?;
    let warm = |name: &str| cold.iter().find(|r| r.name == name).map(|r| r.warm_ms);
    let load = got.load.as_ref()?;
    let dynamo = load
        .rows
        .iter()
        .find(|r| r.run == "load" && r.store.contains("moto"))?;
    let per = |n: f64| n / dynamo.requests.max(1) as f64;
    Some(Inputs {
        memory_mb: args.memory_mb,
        ingest_ms: warm("ingest (moto)")?,
        forward_batch_ms: warm("forward (moto)").unwrap_or(1.0),
        forward_batch_size: args.batch,
        writes_per_webhook: per(dynamo.writes as f64),
        reads_per_webhook: per(dynamo.reads as f64),
        unique_per_webhook: per(dynamo.unique as f64),
        item_bytes: args.item_bytes,
        sse_window_s: args.window_s,
        // One conditional PutItem per event; the drainer's stream-state and open-budget writes (a few per window,
        // not per event) are left out. The SSE runs check correctness, not counts.
        sse_writes_per_event: 1.0,
    })
}

fn context() -> Context {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| "rustc unknown".to_owned());
    let date = time::OffsetDateTime::now_utc().date().to_string();
    Context {
        date,
        machine: format!("{cores} cores, {cpu}"),
        rustc,
    }
}
