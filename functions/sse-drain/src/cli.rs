//! Outside Lambda: the same binary drains one window (or, with `--forever`, window after window) as a plain
//! process, e.g. into the embedded SQLite store on a machine behind a firewall. Ctrl-C ends the current window
//! cleanly (everything received is flushed).

use tokio::sync::watch;
use tokio::time::Instant;

use crate::drainer::Drainer;
use crate::wallclock::now_ms;

pub const USAGE: &str = "\
usage: sse-drain [--forever]

Drains the Particle event stream into STORE for one window of SSE_WINDOW_SECONDS (default 70),
or window after window with --forever. Settings come from the environment (see the README):
  PARTICLE_ACCESS_TOKEN   token (sent only as Authorization: Bearer)
  STORE                   sqlite:<file> or dynamodb:<table>
  PARTICLE_EVENTS_PATH    /v1/devices/events (default) or /v1/products/<id>/events
  SSE_EVENT_PREFIX        only events whose name starts with this";

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Once,
    Forever,
    Help,
}

/// Parses the arguments (after the program name).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Mode, String> {
    let mut mode = Mode::Once;
    for arg in args {
        match arg.as_str() {
            "--forever" => mode = Mode::Forever,
            "-h" | "--help" => return Ok(Mode::Help),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok(mode)
}

/// Runs windows until done (one, or until Ctrl-C). Returns false if any window ended with an error.
pub async fn run(drainer: &Drainer, mode: Mode, stop_tx: watch::Sender<bool>) -> bool {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("stopping: finishing the current window");
            let _ = stop_tx.send(true);
        }
    });
    let config = drainer.config();
    let mut all_ok = true;
    loop {
        let start = Instant::now();
        let window_end = start + config.window;
        let id = format!("local-{}-{}", std::process::id(), now_ms());
        let outcome = drainer
            .run_window(window_end, window_end + config.flush_margin, &id)
            .await;
        if let Some(e) = &outcome.error {
            tracing::error!(error = %e, "window ended with an error");
            all_ok = false;
        }
        let stopped = outcome.summary.ended_by == crate::summary::EndReason::Stopped;
        if mode == Mode::Once || stopped || outcome.error.is_some() {
            return all_ok;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args() {
        assert_eq!(parse_args(Vec::<String>::new()), Ok(Mode::Once));
        assert_eq!(parse_args(vec!["--forever".to_owned()]), Ok(Mode::Forever));
        assert_eq!(parse_args(vec!["--help".to_owned()]), Ok(Mode::Help));
        assert!(
            parse_args(vec!["--nope".to_owned()])
                .unwrap_err()
                .contains("usage")
        );
    }
}
