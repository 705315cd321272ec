//! `coldstart` (bench only): runs Lambda function binaries against a fake Runtime API on 127.0.0.1
//! (`load_bench::runtime_api`), interleaved round by round with a hello-world `lambda_http` binary as the baseline,
//! and measures exec → first `invocation/next` (init), the first and the warm response latency and peak RSS
//! (`VmHWM` from /proc, read while the function waits for its next event). Prints medians and ratios to
//! hello-world.
//!
//! Usage: `coldstart [--rounds N] [--bin DIR]`: DIR holds the release binaries `hello-lambda` and `ingest`
//! (default: this binary's directory). ingest runs twice: on SQLite, and on moto (started here).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::{Credentials, Region};
use load_bench::moto::Moto;
use load_bench::runtime_api::RuntimeApi;

const APIGW_FORM: &str = include_str!("../../../../fixtures/lambda/apigw-v2-ingest-form.json");
/// The system CA bundle (Debian/Ubuntu path; Amazon Linux has /etc/pki/tls/certs/ca-bundle.crt).
const CERT_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// Invocations per run: the first (cold) and warm ones, all the same webhook (201, then 200).
const INVOCATIONS: usize = 4;

struct Case {
    name: &'static str,
    binary: PathBuf,
    env: Vec<(String, String)>,
}

#[derive(Default)]
struct Samples {
    init_ms: Vec<f64>,
    first_ms: Vec<f64>,
    warm_ms: Vec<f64>,
    rss_kb: Vec<f64>,
    failures: Vec<String>,
}

fn main() -> ExitCode {
    let mut rounds = 10;
    let mut bin_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--rounds", Some(n)) if n.parse::<usize>().is_ok_and(|n| n > 0) => {
                rounds = n.parse().unwrap_or(rounds)
            }
            ("--bin", Some(dir)) => bin_dir = PathBuf::from(dir),
            _ => {
                eprintln!("usage: coldstart [--rounds N] [--bin DIR]");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(run(rounds, &bin_dir))
}

async fn run(rounds: usize, bin_dir: &Path) -> ExitCode {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let moto = match Moto::start(&load_bench::moto_binary(), None).await {
        Ok(moto) => moto,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = create_table(&moto.endpoint()).await {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    let common = [
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "bench"),
        ("AWS_REGION", "us-east-1"),
        ("RUST_LOG", "info"),
    ];
    let ingest = bin_dir.join("ingest");
    let secret = ("WEBHOOK_SECRET", "local-dev-secret-change-me");
    let dynamo_env = vec![
        owned(secret),
        owned(("STORE", "dynamodb:coldstart")),
        ("AWS_ENDPOINT_URL_DYNAMODB".into(), moto.endpoint()),
        owned(("AWS_ACCESS_KEY_ID", "test")),
        owned(("AWS_SECRET_ACCESS_KEY", "test")),
    ];
    let cases = [
        Case {
            name: "hello-world",
            binary: bin_dir.join("hello-lambda"),
            env: vec![],
        },
        Case {
            name: "ingest (SQLite)",
            binary: ingest.clone(),
            env: vec![
                owned(secret),
                (
                    "STORE".into(),
                    format!("sqlite:{}", dir.path().join("cold.db").display()),
                ),
            ],
        },
        Case {
            name: "ingest (moto)",
            binary: ingest.clone(),
            env: dynamo_env.clone(),
        },
        // The same with the TLS roots named by one file: without SSL_CERT_FILE/SSL_CERT_DIR, rustls-native-certs
        // (the SDK's HTTPS client, built at init) reads the system bundle and then every file of the certificate
        // directory (146 on this machine).
        Case {
            name: "ingest (moto, SSL_CERT_FILE)",
            binary: ingest,
            env: dynamo_env
                .into_iter()
                .chain([owned(("SSL_CERT_FILE", CERT_BUNDLE))])
                .collect(),
        },
    ];
    let mut samples: BTreeMap<&str, Samples> = BTreeMap::new();
    for _ in 0..rounds {
        for case in &cases {
            let s = samples.entry(case.name).or_default();
            if let Err(e) = once(case, &common, s).await {
                s.failures.push(e);
            }
        }
    }
    print(&cases, &samples, rounds);
    if samples.values().all(|s| s.failures.is_empty()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn owned((k, v): (&str, &str)) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

async fn create_table(endpoint: &str) -> Result<(), String> {
    let config = particle_store::aws::defaults()
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "coldstart"))
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    particle_store::dynamo::table::create_table(&client, "coldstart")
        .await
        .map_err(|e| format!("creating the table: {e}"))
}

/// One cold start and its warm invocations.
async fn once(case: &Case, common: &[(&str, &str)], s: &mut Samples) -> Result<(), String> {
    let api = RuntimeApi::start(vec![APIGW_FORM.to_owned(); INVOCATIONS])
        .await
        .map_err(|e| format!("starting the fake runtime API: {e}"))?;
    let mut command = Command::new(&case.binary);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("AWS_LAMBDA_FUNCTION_NAME", case.name)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in common {
        command.env(k, v);
    }
    for (k, v) in &case.env {
        command.env(k, v);
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("starting {}: {e}", case.binary.display()))?;
    let waited = tokio::time::timeout(Duration::from_secs(30), api.idle.notified()).await;
    let rss = peak_rss_kb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    waited.map_err(|_| format!("{}: no idle `next` within 30 s", case.name))?;
    let t = api.timeline.lock().expect("not poisoned");
    if !t.errors.is_empty() {
        return Err(format!("{}: reported {}", case.name, t.errors.join("; ")));
    }
    if t.answered.len() != INVOCATIONS {
        return Err(format!(
            "{}: {} answers of {INVOCATIONS}",
            case.name,
            t.answered.len()
        ));
    }
    for (_, body) in &t.answered {
        let status = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v["statusCode"].as_u64());
        if !matches!(status, Some(200 | 201)) {
            return Err(format!("{}: answered {body}", case.name));
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    s.init_ms
        .push(ms(t.first_next.expect("asked for next") - started));
    s.first_ms.push(ms(t.answered[0].0 - t.served[0]));
    let mut warm: Vec<f64> = (1..INVOCATIONS)
        .map(|i| ms(t.answered[i].0 - t.served[i]))
        .collect();
    s.warm_ms.push(median(&mut warm));
    s.rss_kb
        .push(rss.ok_or_else(|| format!("{}: no VmHWM", case.name))? as f64);
    Ok(())
}

/// Peak resident set of a live process, in KiB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn print(cases: &[Case], samples: &BTreeMap<&str, Samples>, rounds: usize) {
    let size = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(f64::NAN)
    };
    let base = samples.get("hello-world");
    let mut base_init = base.map(|s| s.init_ms.clone()).unwrap_or_default();
    let mut base_rss = base.map(|s| s.rss_kb.clone()).unwrap_or_default();
    let (base_init, base_rss) = (median(&mut base_init), median(&mut base_rss));
    println!("coldstart: {rounds} rounds, interleaved; medians; fake Runtime API on 127.0.0.1");
    println!(
        "| binary | size MB | init ms | first ms | warm ms | peak RSS MB | init vs hello | RSS vs hello |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let Some(s) = samples.get(case.name) else {
            continue;
        };
        let mut v = (
            s.init_ms.clone(),
            s.first_ms.clone(),
            s.warm_ms.clone(),
            s.rss_kb.clone(),
        );
        let (init, first, warm, rss) = (
            median(&mut v.0),
            median(&mut v.1),
            median(&mut v.2),
            median(&mut v.3),
        );
        println!(
            "| {} | {:.1} | {init:.1} | {first:.2} | {warm:.2} | {:.1} | {:.2}x | {:.2}x |",
            case.name,
            size(&case.binary),
            rss / 1024.0,
            init / base_init,
            rss / base_rss
        );
    }
    for (name, s) in samples {
        for f in &s.failures {
            println!("- FAILED {name}: {f}");
        }
    }
}
