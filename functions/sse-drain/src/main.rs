//! Entry point. Under a Lambda runtime (`AWS_LAMBDA_RUNTIME_API` set) each scheduled invocation drains one
//! window; otherwise the binary drains one window (or `--forever`) as a plain process.

use std::sync::Arc;

use lambda_runtime::{Error, service_fn};
use particle_cloud::EnvToken;
use particle_cloud::Tokens;
use sse_drain::{DrainConfig, Drainer, cli, lambda};

/// mimalloc instead of the system allocator: decoding events is allocation-bound (one `Event` of owned strings
/// each), and mimalloc is markedly faster for such small allocations (`make bench`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    particle_lambda::startup()?;
    let in_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    let mode = if in_lambda {
        cli::Mode::Once
    } else {
        match cli::parse_args(std::env::args().skip(1)) {
            Ok(cli::Mode::Help) => {
                println!("{}", cli::USAGE);
                return Ok(());
            }
            Ok(mode) => mode,
            Err(message) => {
                eprintln!("{message}");
                std::process::exit(2);
            }
        }
    };
    let config = DrainConfig::from_env().await?;
    let store = particle_lambda::open_store(&particle_lambda::env::store()?).await?;
    tracing::info!(store = %store.describe(), stream = %config.stream_key(), "sse-drain ready");
    if in_lambda {
        let drainer = Drainer::new(config, store, None)?
            .with_token_source(Arc::new(EnvToken), Tokens::REFRESH_INTERVAL);
        let drainer = &drainer;
        return lambda_runtime::run(service_fn(move |event| lambda::handle(drainer, event))).await;
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let drainer = Drainer::new(config, store, Some(stop_rx))?
        .with_token_source(Arc::new(EnvToken), Tokens::REFRESH_INTERVAL);
    if cli::run(&drainer, mode, stop_tx).await {
        Ok(())
    } else {
        std::process::exit(1)
    }
}
