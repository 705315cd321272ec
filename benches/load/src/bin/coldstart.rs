//! `coldstart` (bench only): runs each function's release binary against a fake Lambda Runtime API on 127.0.0.1
//! (`load_bench::runtime_api`), interleaved round by round with a hello-world `lambda_http` binary as the baseline,
//! and measures exec → first `invocation/next` (init), the first and the warm response latency and peak RSS
//! (`VmHWM` from /proc, read while the function waits for its next event). Every answer is checked; a wrong one
//! fails the run. Prints medians and ratios to hello-world (`load_bench::coldstart` holds the cases).
//!
//! Usage: `coldstart [--rounds N] [--bin DIR] [--json FILE]`: DIR holds the release binaries `hello-lambda`,
//! `ingest`, `geolocate`, `respond`, `forward` and `sse-drain` (default: this binary's directory); FILE gets the
//! rows as JSON. The local DynamoDB server (moto) and a Particle event stream are started here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aws_sdk_dynamodb::config::{Credentials, Region};
use load_bench::coldstart::cases::{self, COMMON, PARTICLE_TOKEN, SSE_EVENTS, Setup};
use load_bench::coldstart::measure::{self, Samples};
use load_bench::coldstart::{events, report, sse::ParticleStream};
use load_bench::moto::Moto;

const USAGE: &str = "usage: coldstart [--rounds N] [--bin DIR] [--json FILE]";
const TABLE: &str = "coldstart";

struct Args {
    rounds: usize,
    bin_dir: PathBuf,
    json: Option<PathBuf>,
}

fn parse_args() -> Option<Args> {
    let mut parsed = Args {
        rounds: 10,
        bin_dir: std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default(),
        json: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--rounds", Some(n)) => parsed.rounds = n.parse().ok().filter(|n| *n > 0)?,
            ("--bin", Some(dir)) => parsed.bin_dir = PathBuf::from(dir),
            ("--json", Some(file)) => parsed.json = Some(PathBuf::from(file)),
            _ => return None,
        }
    }
    Some(parsed)
}

fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    match runtime.block_on(run(&args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("coldstart: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs every round; `Ok(false)` when some start failed or answered wrongly.
async fn run(args: &Args) -> Result<bool, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let moto = Moto::start(&load_bench::moto_binary(), None).await?;
    create_table(&moto.endpoint()).await?;
    let stream = ParticleStream::start(PARTICLE_TOKEN, events::sse_events(SSE_EVENTS))
        .await
        .map_err(|e| format!("starting the Particle stream: {e}"))?;
    let setup = Setup {
        bin_dir: args.bin_dir.clone(),
        dynamo_endpoint: moto.endpoint(),
        table: TABLE.to_owned(),
        sqlite: dir.path().join("cold.db"),
        particle_url: stream.url.clone(),
    };
    let cases = setup.cases();
    let missing = cases::missing(&cases, &args.bin_dir);
    if !missing.is_empty() {
        return Err(format!(
            "missing in {}: {} (build them with `make coldstart`)",
            args.bin_dir.display(),
            missing.join(", ")
        ));
    }
    let mut samples: BTreeMap<String, Samples> = BTreeMap::new();
    for round in 1..=args.rounds {
        eprintln!("coldstart: round {round}/{}", args.rounds);
        for case in &cases {
            let s = samples.entry(case.name.clone()).or_default();
            measure::round(case, COMMON, s).await;
        }
    }
    let rows = report::rows(&cases, &samples);
    println!(
        "coldstart: {} rounds, interleaved; medians; fake Runtime API on 127.0.0.1; {} SSE streams served",
        args.rounds,
        stream.opens()
    );
    print!("{}", report::markdown(&rows));
    let mut ok = true;
    for (name, s) in &samples {
        for f in &s.failures {
            println!("- FAILED {name}: {f}");
            ok = false;
        }
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report::json(&rows)).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(ok)
}

async fn create_table(endpoint: &str) -> Result<(), String> {
    let config = particle_store::aws::defaults()
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "coldstart"))
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    particle_store::dynamo::table::create_table(&client, TABLE)
        .await
        .map_err(|e| format!("creating the table: {e}"))
}
