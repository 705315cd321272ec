//! Cost per million events at list prices ([`super::prices`]), from measured figures: the handler's warm
//! duration (billed per started millisecond at the stack's memory size), the DynamoDB operations the load run
//! counted per webhook, and for the stream path the drainer's schedule (a window a minute, whatever the traffic)
//! plus one conditional write per event.

use super::prices::{self, Price};

/// What the cost table is computed from.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The stack's Lambda memory size (`lambdaMemoryMb`, default 256).
    pub memory_mb: f64,
    /// ingest's warm handler duration on DynamoDB (the cold start bench, local server), ms.
    pub ingest_ms: f64,
    /// forward's warm duration for one stream batch with no integration matching, ms.
    pub forward_batch_ms: f64,
    /// Records per forward invocation (`forwardBatchSize`, default 25; a full batch assumed).
    pub forward_batch_size: f64,
    /// DynamoDB writes and reads per webhook (the load run, repeats included).
    pub writes_per_webhook: f64,
    pub reads_per_webhook: f64,
    /// New events per webhook (1 - the repeat share of the load run).
    pub unique_per_webhook: f64,
    /// Stored size of one event item, bytes.
    pub item_bytes: f64,
    /// Billed seconds of one drain invocation (the window, `sseWindowSeconds`, default 70).
    pub sse_window_s: f64,
    /// DynamoDB writes per event on the stream path (the event, its share of stream-state and budget writes).
    pub sse_writes_per_event: f64,
}

/// One line of the table: what, how many per million events, and the cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub what: String,
    pub quantity: String,
    pub usd: f64,
}

fn line(what: &str, quantity: String, count: f64, price: Price) -> Line {
    Line {
        what: what.to_owned(),
        quantity,
        usd: count * price.usd,
    }
}

fn gb_seconds(ms: f64, memory_mb: f64) -> f64 {
    // Lambda bills each invocation's duration rounded up to the millisecond.
    ms.max(1.0).ceil() / 1000.0 * memory_mb / 1024.0
}

/// The webhook path, per million webhooks: API Gateway, ingest, DynamoDB, forward on the table's stream.
pub fn webhook_path(i: &Inputs) -> Vec<Line> {
    let n = 1e6;
    let invocations = n * i.unique_per_webhook / i.forward_batch_size;
    let ingest_gbs = n * gb_seconds(i.ingest_ms, i.memory_mb);
    let forward_gbs = invocations * gb_seconds(i.forward_batch_ms, i.memory_mb);
    let stored_gb = n * i.unique_per_webhook * i.item_bytes / 1e9;
    vec![
        line(
            "API Gateway HTTP API requests",
            "1,000,000".into(),
            n,
            prices::HTTP_API_REQUEST,
        ),
        line(
            "ingest: Lambda requests",
            "1,000,000".into(),
            n,
            prices::LAMBDA_REQUEST,
        ),
        line(
            "ingest: Lambda duration (arm64)",
            format!(
                "{ingest_gbs:.0} GB-s ({:.0} ms x {:.0} MB)",
                i.ingest_ms.max(1.0).ceil(),
                i.memory_mb
            ),
            ingest_gbs,
            prices::LAMBDA_GB_SECOND_ARM64,
        ),
        line(
            "DynamoDB writes (conditional PutItem)",
            format!("{:.0} WRU", n * i.writes_per_webhook),
            n * i.writes_per_webhook,
            prices::DYNAMODB_WRITE_UNIT,
        ),
        line(
            "DynamoDB reads",
            format!("{:.0} RRU", n * i.reads_per_webhook),
            n * i.reads_per_webhook,
            prices::DYNAMODB_READ_UNIT,
        ),
        line(
            "forward: Lambda requests (stream batches; reading the stream is free)",
            format!("{invocations:.0}"),
            invocations,
            prices::LAMBDA_REQUEST,
        ),
        line(
            "forward: Lambda duration (no integration matching)",
            format!("{forward_gbs:.0} GB-s"),
            forward_gbs,
            prices::LAMBDA_GB_SECOND_ARM64,
        ),
        line(
            "DynamoDB storage of the new events, per month kept",
            format!("{stored_gb:.2} GB"),
            stored_gb,
            prices::DYNAMODB_STORAGE_GB_MONTH,
        ),
    ]
}

/// The stream path for `events_per_month`: the drainer's windows (fixed, one a minute) and the writes per event.
pub fn stream_path(i: &Inputs, events_per_month: f64) -> Vec<Line> {
    let runs = prices::MINUTES_PER_MONTH;
    let gbs = runs * i.sse_window_s * i.memory_mb / 1024.0;
    let writes = events_per_month * i.sse_writes_per_event;
    vec![
        line(
            "sse-drain: Lambda requests (one a minute)",
            format!("{runs:.0}"),
            runs,
            prices::LAMBDA_REQUEST,
        ),
        line(
            "sse-drain: Lambda duration (arm64)",
            format!("{gbs:.0} GB-s ({:.0} s windows)", i.sse_window_s),
            gbs,
            prices::LAMBDA_GB_SECOND_ARM64,
        ),
        line(
            "DynamoDB writes",
            format!("{writes:.0} WRU"),
            writes,
            prices::DYNAMODB_WRITE_UNIT,
        ),
    ]
}

pub fn total(lines: &[Line]) -> f64 {
    lines.iter().map(|l| l.usd).sum()
}

/// AWS IoT Core for the same events published by devices straight to it: a message, a rule and one action.
pub fn iot_core_per_million() -> f64 {
    1e6 * (prices::IOT_CORE_MESSAGE.usd + prices::IOT_CORE_RULE_AND_ACTION.usd)
}

/// Particle's Data Operations for a million device publishes (paid whichever backend receives them).
pub fn particle_per_million() -> f64 {
    1e6 * prices::PARTICLE_DATA_OPERATION.usd
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        Inputs {
            memory_mb: 256.0,
            ingest_ms: 3.2,
            forward_batch_ms: 1.5,
            forward_batch_size: 25.0,
            writes_per_webhook: 1.0,
            reads_per_webhook: 0.0,
            unique_per_webhook: 0.7,
            item_bytes: 500.0,
            sse_window_s: 70.0,
            sse_writes_per_event: 1.0,
        }
    }

    #[test]
    fn webhook_path_at_list_prices() {
        let lines = webhook_path(&inputs());
        // 1M x $1/M + 1M x $0.20/M + 1,000 GB-s (4 ms x 0.25 GB x 1M) + 1M WRU x $0.625/M + forward + storage.
        let ingest_gbs = 1e6 * 0.004 * 0.25;
        let forward = 28_000.0 * 0.2e-6 + 28_000.0 * 0.002 * 0.25 * 0.000_013_333_4;
        let storage = 0.35 * 0.25;
        let expected = 1.0 + 0.2 + ingest_gbs * 0.000_013_333_4 + 0.625 + forward + storage;
        assert!(
            (total(&lines) - expected).abs() < 1e-9,
            "{} vs {expected}",
            total(&lines)
        );
    }

    #[test]
    fn stream_path_is_mostly_the_schedule() {
        let small = total(&stream_path(&inputs(), 1e6));
        let big = total(&stream_path(&inputs(), 1e7));
        // The windows cost the same whatever the traffic; only the writes grow.
        assert!((big - small - 9e6 * 0.625e-6).abs() < 1e-9);
        let windows = prices::MINUTES_PER_MONTH * 70.0 * 0.25 * 0.000_013_333_4;
        assert!((small - windows - prices::MINUTES_PER_MONTH * 0.2e-6 - 0.625).abs() < 1e-9);
    }

    #[test]
    fn comparisons() {
        assert!((iot_core_per_million() - 1.30).abs() < 1e-9);
        assert!((particle_per_million() - 415.277_777).abs() < 1e-3);
    }
}
