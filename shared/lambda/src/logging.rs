//! The log subscriber of every function: what `lambda_runtime::tracing::init_default_subscriber` does, without
//! its `EnvFilter`, whose regex engine was about 0.3 MB of each bootstrap. The settings are Lambda's advanced
//! logging controls, read the same way: `AWS_LAMBDA_LOG_LEVEL` first, then `RUST_LOG`, else `INFO`; JSON lines
//! when `AWS_LAMBDA_LOG_FORMAT` is `JSON`. Filters are `Targets` directives (`info`, `warn,particle_store=debug`),
//! which cover what the level settings are used for here; span-field filters are not supported.

use std::str::FromStr;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The filter for `level` (a setting's value); `None` for a value that is not a valid filter.
pub fn filter(level: Option<&str>) -> Option<Targets> {
    match level.map(str::trim) {
        None | Some("") => Some(Targets::new().with_default(LevelFilter::INFO)),
        // Lambda's level names are upper case (`DEBUG`); `Targets` takes both.
        Some(value) => Targets::from_str(value).ok(),
    }
}

/// Installs the subscriber (stdout, no timestamps: CloudWatch stamps each line). A filter setting that does not
/// parse falls back to `INFO` and says so in the log rather than stopping the function.
pub fn init() {
    let setting = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    let parsed = filter(setting.as_deref());
    let targets = parsed
        .clone()
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_target(false)
        .without_time()
        .with_ansi(false);
    let registry = tracing_subscriber::registry().with(targets);
    let installed = if json {
        registry.with(fmt.json()).try_init()
    } else {
        registry.with(fmt).try_init()
    };
    if installed.is_ok() && parsed.is_none() {
        tracing::warn!(
            setting = setting.as_deref().unwrap_or_default(),
            "the log level setting (AWS_LAMBDA_LOG_LEVEL or RUST_LOG) is not a valid filter; logging at INFO"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn levels_and_directives() {
        let default = filter(None).unwrap();
        assert!(default.would_enable("ingest", &Level::INFO));
        assert!(!default.would_enable("ingest", &Level::DEBUG));

        let debug = filter(Some("DEBUG")).unwrap();
        assert!(debug.would_enable("ingest", &Level::DEBUG));

        let per_target = filter(Some("warn,particle_store=debug")).unwrap();
        assert!(per_target.would_enable("particle_store::dynamo", &Level::DEBUG));
        assert!(!per_target.would_enable("ingest", &Level::INFO));

        assert!(filter(Some("ingest=loud")).is_none(), "not a level");
    }
}
