//! Each window's summary as CloudWatch metrics (Embedded Metric Format: one log line, no API call), so windows
//! that never connect are visible and alarmed on, not just an info line.
//!
//! The stack's alarms (`infra/`) are written against these exact names: change both together.

use particle_lambda::metrics::{self, Metric, Unit};
use serde_json::Value;

use crate::summary::WindowSummary;

/// The function dimension of every metric.
pub const FUNCTION: &str = "sse-drain";

/// The metrics of one window; `failed` when the window ended with an error.
pub fn window_metrics(summary: &WindowSummary, failed: bool) -> Vec<Metric> {
    let elapsed = summary.elapsed_ms;
    let connected = summary.connected_ms.min(elapsed);
    let connected_percent = if elapsed == 0 {
        0.0
    } else {
        connected as f64 * 100.0 / elapsed as f64
    };
    vec![
        Metric {
            name: "ConnectedPercent",
            value: connected_percent,
            unit: Unit::Percent,
        },
        Metric::count("EventsReceived", summary.received),
        Metric::count("EventsStored", summary.stored),
        Metric::count("Duplicates", summary.duplicates),
        Metric::count("BadEvents", summary.bad),
        Metric::count("Unflushed", summary.unflushed),
        Metric::count("Reconnects", summary.reconnects),
        Metric {
            name: "GapMs",
            value: (elapsed - connected) as f64,
            unit: Unit::Milliseconds,
        },
        Metric::count("WindowFailed", u64::from(failed)),
    ]
}

/// Writes the window's metrics line, with `ended_by` and `stream` as properties.
pub fn emit(summary: &WindowSummary, failed: bool, stream: &str) {
    metrics::emit(
        FUNCTION,
        &window_metrics(summary, failed),
        &[
            ("ended_by", Value::from(summary.ended_by.as_str())),
            ("stream", Value::from(stream)),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::EndReason;

    fn value(metrics: &[Metric], name: &str) -> (f64, Unit) {
        let m = metrics
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        (m.value, m.unit)
    }

    #[test]
    fn a_connected_window() {
        let summary = WindowSummary {
            received: 10,
            stored: 6,
            duplicates: 2,
            bad: 1,
            cloud: 1,
            reconnects: 1,
            connections: 2,
            connected_ms: 45_000,
            elapsed_ms: 60_000,
            ..WindowSummary::default()
        };
        let m = window_metrics(&summary, false);
        let names: Vec<&str> = m.iter().map(|m| m.name).collect();
        assert_eq!(
            names,
            [
                "ConnectedPercent",
                "EventsReceived",
                "EventsStored",
                "Duplicates",
                "BadEvents",
                "Unflushed",
                "Reconnects",
                "GapMs",
                "WindowFailed"
            ]
        );
        assert_eq!(value(&m, "ConnectedPercent"), (75.0, Unit::Percent));
        assert_eq!(value(&m, "EventsReceived"), (10.0, Unit::Count));
        assert_eq!(value(&m, "EventsStored"), (6.0, Unit::Count));
        assert_eq!(value(&m, "Duplicates"), (2.0, Unit::Count));
        assert_eq!(value(&m, "BadEvents"), (1.0, Unit::Count));
        assert_eq!(value(&m, "Unflushed"), (0.0, Unit::Count));
        assert_eq!(value(&m, "Reconnects"), (1.0, Unit::Count));
        assert_eq!(value(&m, "GapMs"), (15_000.0, Unit::Milliseconds));
        assert_eq!(value(&m, "WindowFailed"), (0.0, Unit::Count));
    }

    /// Defect 3: a window that never connected (a 529 backoff) ended Ok and said so only at info level.
    #[test]
    fn a_window_that_never_connected() {
        let summary = WindowSummary {
            elapsed_ms: 70_000,
            ended_by: EndReason::RateLimited,
            ..WindowSummary::default()
        };
        let m = window_metrics(&summary, false);
        assert_eq!(value(&m, "ConnectedPercent"), (0.0, Unit::Percent));
        assert_eq!(value(&m, "GapMs"), (70_000.0, Unit::Milliseconds));
        let failed = window_metrics(
            &WindowSummary {
                unflushed: 5,
                ..summary
            },
            true,
        );
        assert_eq!(value(&failed, "WindowFailed"), (1.0, Unit::Count));
        assert_eq!(value(&failed, "Unflushed"), (5.0, Unit::Count));
    }

    #[test]
    fn bounds_hold_for_odd_summaries() {
        // Connected time can exceed elapsed by rounding; an empty window divides by nothing.
        let m = window_metrics(
            &WindowSummary {
                connected_ms: 1_001,
                elapsed_ms: 1_000,
                ..WindowSummary::default()
            },
            false,
        );
        assert_eq!(value(&m, "ConnectedPercent").0, 100.0);
        assert_eq!(value(&m, "GapMs").0, 0.0);
        let empty = window_metrics(&WindowSummary::default(), false);
        assert_eq!(value(&empty, "ConnectedPercent").0, 0.0);
    }
}
