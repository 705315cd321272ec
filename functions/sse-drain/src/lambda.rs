//! The Lambda side: an EventBridge `Scheduled Event` starts one window that ends safely before the invocation's
//! deadline.

use std::time::Duration;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent};
use serde_json::Value;
use tokio::time::Instant;

use crate::drainer::Drainer;
use crate::summary::WindowSummary;
use crate::wallclock::now_ms;

/// Time kept after the final flush for the runtime to send the response.
const RESPONSE_MARGIN: Duration = Duration::from_secs(1);

/// A "deadline" this far in the past is not a deadline at all (see [`handle`]).
const NO_DEADLINE_BEFORE_MS: i64 = 86_400_000;

/// The window's end and the hard deadline for an invocation whose deadline is `deadline_ms` (Unix ms).
pub fn window_bounds(drainer: &Drainer, deadline_ms: i64) -> Option<(Instant, Instant)> {
    let now = Instant::now();
    let remaining =
        Duration::from_millis(u64::try_from(deadline_ms.saturating_sub(now_ms())).ok()?);
    let hard_deadline = now + remaining.checked_sub(RESPONSE_MARGIN)?;
    let config = drainer.config();
    let latest_end = now + remaining.checked_sub(config.flush_margin)?;
    Some(((now + config.window).min(latest_end), hard_deadline))
}

/// Handles one scheduled invocation: drains one window and returns its summary (an error if the window
/// ended with one, so the invocation counts as failed and alarms fire).
pub async fn handle(
    drainer: &Drainer,
    event: LambdaEvent<EventBridgeEvent<Value>>,
) -> Result<WindowSummary, Error> {
    let context = event.context;
    let mut deadline_ms = i64::try_from(context.deadline).unwrap_or(i64::MAX);
    if deadline_ms < now_ms() - NO_DEADLINE_BEFORE_MS {
        // Lambda always sends a wall-clock deadline; `cargo lambda watch` sends a value that is not one (0 or a
        // few seconds since the epoch). Drain one configured window then.
        tracing::warn!(
            "the invocation carries no deadline (a local emulator?): draining one configured window"
        );
        let config = drainer.config();
        deadline_ms =
            now_ms() + (config.window + config.flush_margin + RESPONSE_MARGIN).as_millis() as i64;
    }
    let Some((window_end, hard_deadline)) = window_bounds(drainer, deadline_ms) else {
        return Err(format!(
            "the invocation has too little time left for a window (deadline in {} ms, flush margin {} s); raise the \
             function timeout above SSE_FLUSH_MARGIN_SECONDS",
            deadline_ms - now_ms(),
            drainer.config().flush_margin.as_secs()
        )
        .into());
    };
    let outcome = drainer
        .run_window(window_end, hard_deadline, &context.request_id)
        .await;
    match outcome.error {
        None => Ok(outcome.summary),
        Some(e) => {
            tracing::error!(error = %e, "window ended with an error");
            Err(e.into())
        }
    }
}
