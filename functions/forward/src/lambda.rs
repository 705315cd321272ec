//! The Lambda side: one DynamoDB stream batch per invocation, answered with the records to hand back
//! (`{"batchItemFailures": [{"itemIdentifier": "<sequence number>"}]}`), and one EMF metrics line per batch.

use std::time::Duration;

use aws_lambda_events::event::dynamodb::Event as StreamEvent;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lambda_runtime::LambdaEvent;
use particle_lambda::metrics::{Metric, emit};
use thiserror::Error;
use tokio::time::Instant;

use crate::stream::{BatchResult, StreamHandler};

/// A "deadline" this far in the past is not one: `cargo lambda watch` sends none that is a wall-clock time.
const NO_DEADLINE_BEFORE_MS: i64 = 86_400_000;

#[derive(Debug, Error)]
pub enum HandlerError {
    /// A record to hand back has no sequence number, so it cannot be named: the whole batch is retried.
    #[error("{0} failed record(s) carry no sequence number; the whole batch is handed back")]
    UnnamedFailures(usize),
}

/// Metric names of the batch itself (the delivery counts are [`crate::metrics::summary`]).
pub const RECORDS: &str = "StreamRecords";
pub const RECORDS_FAILED: &str = "StreamRecordsFailed";
pub const DEVICE_RESPONSES_FAILED: &str = "DeviceResponsesFailed";
pub const PENDING_DELIVERED: &str = "PendingCommandsDelivered";

/// The invocation's deadline as an [`Instant`]; `None` when the context carries no real one.
pub fn deadline(deadline_ms: u64, now_ms: i64) -> Option<Instant> {
    let deadline_ms = i64::try_from(deadline_ms).ok()?;
    if deadline_ms < now_ms - NO_DEADLINE_BEFORE_MS {
        return None;
    }
    let left = u64::try_from(deadline_ms.saturating_sub(now_ms)).unwrap_or(0);
    Some(Instant::now() + Duration::from_millis(left))
}

/// Every metric of one batch.
pub fn batch_metrics(result: &BatchResult) -> Vec<Metric> {
    let mut metrics = crate::metrics::summary(&result.outcomes);
    metrics.push(Metric::count(RECORDS, result.records as u64));
    metrics.push(Metric::count(RECORDS_FAILED, result.failed_records as u64));
    metrics.push(Metric::count(
        DEVICE_RESPONSES_FAILED,
        result.device_responses_failed as u64,
    ));
    metrics.push(Metric::count(
        PENDING_DELIVERED,
        result.pending_delivered as u64,
    ));
    metrics
}

/// The response for a batch result, or an error when a failure cannot be named.
pub fn response(result: BatchResult) -> Result<DynamoDbEventResponse, HandlerError> {
    let unnamed = result
        .response
        .batch_item_failures
        .iter()
        .filter(|f| f.item_identifier.as_deref().is_none_or(str::is_empty))
        .count();
    if unnamed > 0 {
        return Err(HandlerError::UnnamedFailures(unnamed));
    }
    Ok(result.response)
}

/// Handles one invocation.
pub async fn handle(
    handler: &StreamHandler,
    event: LambdaEvent<StreamEvent>,
) -> Result<DynamoDbEventResponse, HandlerError> {
    let deadline = deadline(event.context.deadline, now_ms());
    let result = handler.handle(event.payload, deadline).await;
    emit("forward", &batch_metrics(&result), &[]);
    tracing::info!(
        records = result.records,
        failed = result.failed_records,
        deliveries = result.outcomes.len(),
        "batch done"
    );
    response(result)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl particle_lambda::InvocationFailure for HandlerError {
    fn kind(&self) -> &'static str {
        match self {
            HandlerError::UnnamedFailures(_) => "unnamed_failures",
        }
    }

    /// The stream hands the whole batch back; bisect-on-error then narrows it down.
    fn retryable(&self) -> bool {
        true
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(e: HandlerError) -> Self {
        particle_lambda::diagnostic(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_from_the_context() {
        let now = 1_795_000_000_000;
        // cargo lambda watch sends no wall-clock deadline (0, or seconds since the epoch).
        assert!(deadline(0, now).is_none());
        assert!(deadline(30_000, now).is_none());
        let d = deadline((now + 60_000) as u64, now).unwrap();
        let left = d.saturating_duration_since(Instant::now());
        assert!(left > Duration::from_secs(59) && left <= Duration::from_secs(60));
        // A deadline already passed leaves no time, never a panic.
        let past = deadline((now - 5_000) as u64, now).unwrap();
        assert!(past <= Instant::now());
    }

    #[test]
    fn batch_metrics_carry_records_and_side_effects() {
        let result = BatchResult {
            records: 3,
            failed_records: 1,
            device_responses_failed: 2,
            pending_delivered: 4,
            ..BatchResult::default()
        };
        let m = batch_metrics(&result);
        let get = |n: &str| m.iter().find(|x| x.name == n).map(|x| x.value);
        assert_eq!(get(RECORDS), Some(3.0));
        assert_eq!(get(RECORDS_FAILED), Some(1.0));
        assert_eq!(get(DEVICE_RESPONSES_FAILED), Some(2.0));
        assert_eq!(get(PENDING_DELIVERED), Some(4.0));
        assert_eq!(get(crate::metrics::DELIVERED), Some(0.0));
    }
}
