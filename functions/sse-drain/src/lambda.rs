//! The Lambda side: an EventBridge `Scheduled Event` starts one window that ends safely before the invocation's
//! deadline.

use std::time::Duration;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{Diagnostic, LambdaEvent};
use particle_lambda::InvocationFailure;
use serde_json::Value;
use tokio::time::Instant;

use crate::drainer::{Drainer, WindowError};
use crate::summary::WindowSummary;
use crate::wallclock::now_ms;

/// Time kept after the final flush for the runtime to send the response.
const RESPONSE_MARGIN: Duration = Duration::from_secs(1);

/// A "deadline" this far in the past is not a deadline at all (see [`handle`]).
const NO_DEADLINE_BEFORE_MS: i64 = 86_400_000;

/// Why an invocation failed, as the Lambda runtime reports it (`errorType` `Retryable.store_unavailable`,
/// `Permanent.auth_refused`, ...; see [`particle_lambda::boundary`]).
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The invocation had too little time left for a window (the function timeout is below the flush margin).
    #[error(
        "the invocation has too little time left for a window (deadline in {remaining_ms} ms, flush margin \
         {flush_margin_s} s); raise the function timeout above SSE_FLUSH_MARGIN_SECONDS"
    )]
    Deadline {
        remaining_ms: i64,
        flush_margin_s: u64,
    },
    /// The window ended with an error (Particle refused, or the store failed).
    #[error(transparent)]
    Window(WindowError),
}

impl InvocationFailure for InvocationError {
    fn kind(&self) -> &'static str {
        match self {
            InvocationError::Deadline { .. } => "deadline",
            InvocationError::Window(WindowError::AuthRefused { .. }) => "auth_refused",
            InvocationError::Window(WindowError::Refused { .. }) => "stream_refused",
            InvocationError::Window(WindowError::Store { .. }) => "store_unavailable",
        }
    }

    /// Only a store failure may clear up by itself; a refused token or path and a too-short timeout need a fix.
    /// (The schedule invokes again every minute either way; this is what the error type tells the operator.)
    fn retryable(&self) -> bool {
        matches!(self, InvocationError::Window(WindowError::Store { .. }))
    }
}

impl From<InvocationError> for Diagnostic {
    fn from(error: InvocationError) -> Diagnostic {
        particle_lambda::diagnostic(&error)
    }
}

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
) -> Result<WindowSummary, InvocationError> {
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
        return Err(InvocationError::Deadline {
            remaining_ms: deadline_ms - now_ms(),
            flush_margin_s: drainer.config().flush_margin.as_secs(),
        });
    };
    let outcome = drainer
        .run_window(window_end, hard_deadline, &context.request_id)
        .await;
    match outcome.error {
        None => Ok(outcome.summary),
        Some(e) => {
            tracing::error!(error = %e, "window ended with an error");
            Err(InvocationError::Window(e))
        }
    }
}
