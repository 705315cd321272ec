//! What one window did, logged as one structured line and returned by the Lambda invocation.

use serde::Serialize;

/// Why a window ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The window's time was up (the normal case).
    #[default]
    WindowElapsed,
    /// A 529 backoff (or the open budget) holds past the window's end.
    RateLimited,
    /// The token was refused (401/403).
    AuthRefused,
    /// Particle refused the request for another reason.
    Refused,
    /// The store failed; the window stopped reading.
    StoreFailed,
    /// The process was asked to stop (Ctrl-C in `--forever` mode).
    Stopped,
}

impl EndReason {
    /// The serialised name (`window_elapsed`, `rate_limited`, ...), as in the summary JSON and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::WindowElapsed => "window_elapsed",
            EndReason::RateLimited => "rate_limited",
            EndReason::AuthRefused => "auth_refused",
            EndReason::Refused => "refused",
            EndReason::StoreFailed => "store_failed",
            EndReason::Stopped => "stopped",
        }
    }
}

/// Counters of one window. Invariant: `received = stored + duplicates + bad + cloud + unflushed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WindowSummary {
    /// SSE events dispatched by the parser.
    pub received: u64,
    /// Device events stored new.
    pub stored: u64,
    /// Device events already stored (overlap, retry, or the webhook path got them first).
    pub duplicates: u64,
    /// Events with bad JSON or an invalid field, skipped.
    pub bad: u64,
    /// Events the cloud generated itself (`hook-sent`, `hook-response`, coreid `particle-internal`), skipped.
    pub cloud: u64,
    /// Events received but not stored because the store failed (the window ends with an error).
    pub unflushed: u64,
    /// Connections after the window's first one.
    pub reconnects: u64,
    /// Slots taken from the shared open budget.
    pub opens: u64,
    /// Opens that got the stream (200 `text/event-stream`).
    pub connections: u64,
    /// Milliseconds the stream was connected (the rest of `elapsed_ms` is the window's gap time).
    pub connected_ms: u64,
    /// Gap items written.
    pub gaps: u64,
    /// Bytes read from the stream.
    pub bytes: u64,
    /// Lines skipped for exceeding the line limit.
    pub oversized_lines: u64,
    /// Comments and keepalives seen.
    pub keepalives: u64,
    /// Milliseconds the window ran.
    pub elapsed_ms: u64,
    pub ended_by: EndReason,
}

impl WindowSummary {
    /// Logs the one summary line: at warn level when the window never got the stream (a 529 backoff, a spent
    /// budget, 5xx or network failures), since events published meanwhile may be missing.
    pub fn log(&self, stream: &str) {
        if self.connections == 0 {
            tracing::warn!(
                stream,
                opens = self.opens,
                gaps = self.gaps,
                elapsed_ms = self.elapsed_ms,
                ended_by = self.ended_by.as_str(),
                "sse window never connected: events published meanwhile may be missing"
            );
        }
        tracing::info!(
            stream,
            received = self.received,
            stored = self.stored,
            duplicates = self.duplicates,
            bad = self.bad,
            cloud = self.cloud,
            unflushed = self.unflushed,
            reconnects = self.reconnects,
            opens = self.opens,
            connections = self.connections,
            connected_ms = self.connected_ms,
            gaps = self.gaps,
            bytes = self.bytes,
            oversized_lines = self.oversized_lines,
            keepalives = self.keepalives,
            elapsed_ms = self.elapsed_ms,
            ended_by = self.ended_by.as_str(),
            "sse window summary"
        );
    }
}
