//! The DynamoDB stream handler: each record's `NewImage` decoded back into the stored event, every matching
//! integration run (minus those the delivery log shows as delivered), the outcomes logged, device responses
//! published, pending commands delivered, and a partial batch response naming the records to hand back.
//!
//! A record is reported as failed (the mapping retries it, then sends it to the dead-letter queue) when it cannot
//! be decoded, when the delivery log cannot be read or written, when a delivery is `postponed` (a circuit breaker
//! stayed open), or when the invocation's deadline comes before it finished or started. Retrying such a record
//! is safe: what was delivered is logged and skipped.

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::dynamodb::{Event as StreamEvent, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use futures_util::StreamExt;
use particle_events::Event;
use particle_store::StoreError;
use thiserror::Error;
use tokio::time::Instant;

use crate::delivery_log::{DeliveryLog, DeliveryRecord};
use crate::forwarder::Forwarder;
use crate::outcome::{DeliveryOutcome, DeliveryStatus};
use crate::respond::{DeviceResponder, PendingCommands, ResponseKind};

/// Records processed at once. Each runs its integrations concurrently already; a few records at a time keep a
/// slow target from holding the whole batch up without opening hundreds of connections.
pub const CONCURRENCY: usize = 4;

/// No record starts with less than this left before the deadline (a webhook alone may take 20 s).
pub const START_MARGIN: Duration = Duration::from_secs(25);

/// A record still running this close to the deadline is abandoned and reported as failed, so the response
/// reaches Lambda before the invocation is killed (which would retry the whole batch).
pub const FINISH_MARGIN: Duration = Duration::from_secs(2);

/// Why one record is handed back.
#[derive(Debug, Error)]
pub enum RecordError {
    #[error("the record's image is not an event: {0}")]
    Decode(#[source] StoreError),
    #[error("the delivery log: {0}")]
    Log(#[source] StoreError),
    #[error("{0} delivery(ies) postponed: a target's circuit breaker stayed open")]
    Postponed(usize),
    #[error("not started: too close to the invocation's deadline")]
    NotStarted,
    #[error("abandoned at the invocation's deadline")]
    Deadline,
}

/// What happened to one record.
#[derive(Debug)]
pub struct RecordResult {
    pub sequence_number: Option<String>,
    pub outcomes: Vec<DeliveryOutcome>,
    pub error: Option<RecordError>,
}

/// What one batch did: the response for Lambda and every outcome (for metrics).
#[derive(Debug, Default)]
pub struct BatchResult {
    pub response: DynamoDbEventResponse,
    pub outcomes: Vec<DeliveryOutcome>,
    pub records: usize,
    pub failed_records: usize,
    pub device_responses_failed: usize,
    pub pending_delivered: usize,
}

/// Everything a batch needs, built once per cold start.
pub struct StreamHandler {
    forwarder: Forwarder,
    log: DeliveryLog,
    responder: Option<Arc<dyn DeviceResponder>>,
    pending: Option<Arc<dyn PendingCommands>>,
    start_margin: Duration,
    finish_margin: Duration,
}

impl std::fmt::Debug for StreamHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamHandler")
            .field("forwarder", &self.forwarder)
            .field("responder", &self.responder.is_some())
            .field("pending", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}

/// Counters of the side effects of one record.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SideEffects {
    /// Device responses that were not published.
    pub responses_failed: usize,
    /// Pending commands delivered.
    pub pending_delivered: usize,
}

impl StreamHandler {
    /// Without a responder, device responses are not published (logged at warn); without pending commands,
    /// none are delivered.
    pub fn new(
        forwarder: Forwarder,
        log: DeliveryLog,
        responder: Option<Arc<dyn DeviceResponder>>,
        pending: Option<Arc<dyn PendingCommands>>,
    ) -> Self {
        StreamHandler {
            forwarder,
            log,
            responder,
            pending,
            start_margin: START_MARGIN,
            finish_margin: FINISH_MARGIN,
        }
    }

    /// Other deadline margins than [`START_MARGIN`] and [`FINISH_MARGIN`] (tests).
    pub fn with_margins(mut self, start: Duration, finish: Duration) -> Self {
        self.start_margin = start;
        self.finish_margin = finish;
        self
    }

    pub fn forwarder(&self) -> &Forwarder {
        &self.forwarder
    }

    /// Handles one batch; `deadline` is the invocation's (None: no deadline, e.g. a local emulator).
    pub async fn handle(&self, batch: StreamEvent, deadline: Option<Instant>) -> BatchResult {
        let records = batch.records.len();
        let results: Vec<(RecordResult, SideEffects)> = futures_util::stream::iter(batch.records)
            .map(|record| self.guarded(record, deadline))
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let mut out = BatchResult {
            records,
            ..BatchResult::default()
        };
        for (result, effects) in results {
            out.device_responses_failed += effects.responses_failed;
            out.pending_delivered += effects.pending_delivered;
            if let Some(error) = &result.error {
                out.failed_records += 1;
                tracing::warn!(sequence_number = ?result.sequence_number, error = %error, "record handed back");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = result.sequence_number.clone();
                out.response.batch_item_failures.push(failure);
            }
            out.outcomes.extend(result.outcomes);
        }
        out
    }

    /// One record under the deadline: not started when too little time is left, abandoned just before it.
    async fn guarded(
        &self,
        record: EventRecord,
        deadline: Option<Instant>,
    ) -> (RecordResult, SideEffects) {
        let sequence_number = record.change.sequence_number.clone();
        let failed = |error| {
            (
                RecordResult {
                    sequence_number: sequence_number.clone(),
                    outcomes: Vec::new(),
                    error: Some(error),
                },
                SideEffects::default(),
            )
        };
        let Some(deadline) = deadline else {
            return self.record(record).await;
        };
        let now = Instant::now();
        if deadline.saturating_duration_since(now) < self.start_margin {
            return failed(RecordError::NotStarted);
        }
        match tokio::time::timeout_at(deadline - self.finish_margin, self.record(record)).await {
            Ok(done) => done,
            Err(_) => failed(RecordError::Deadline),
        }
    }

    async fn record(&self, record: EventRecord) -> (RecordResult, SideEffects) {
        let sequence_number = record.change.sequence_number.clone();
        let mut effects = SideEffects::default();
        let result = |outcomes, error| RecordResult {
            sequence_number: sequence_number.clone(),
            outcomes,
            error,
        };
        // The mapping's filter passes only inserts of event items; anything else is not ours to act on.
        if record.event_name != "INSERT" {
            return (result(Vec::new(), None), effects);
        }
        let event =
            match particle_store::repo::events::event_from_stream_image(record.change.new_image) {
                Ok(e) => e,
                Err(e) => return (result(Vec::new(), Some(RecordError::Decode(e))), effects),
            };
        let (outcomes, error) = self.event(&event, &mut effects).await;
        (result(outcomes, error), effects)
    }

    /// Runs the integrations for one event not yet delivered, logs them, answers the device, delivers its
    /// pending commands.
    pub async fn event(
        &self,
        event: &Event,
        effects: &mut SideEffects,
    ) -> (Vec<DeliveryOutcome>, Option<RecordError>) {
        let previous = match self.log.for_event(event).await {
            Ok(p) => p,
            Err(e) => return (Vec::new(), Some(RecordError::Log(e))),
        };
        let delivered = previous.delivered();
        let mut deliveries = self
            .forwarder
            .deliveries_where(event, |name| !delivered.contains(name));
        let mut outcomes = Vec::new();
        let mut error = None;
        // Each outcome is logged as soon as its delivery ends: if the deadline cuts the record short, what was
        // delivered and logged is skipped when the record comes back.
        while let Some(outcome) = deliveries.next().await {
            let record =
                DeliveryRecord::new(event, &outcome, previous.previous(&outcome.integration));
            if let Err(e) = self.log.record(&record).await {
                tracing::error!(integration = %outcome.integration, error = %e, "delivery not logged");
                error.get_or_insert(RecordError::Log(e));
            }
            self.respond(event, &outcome, effects).await;
            outcomes.push(outcome);
        }
        let postponed = outcomes.iter().filter(|o| o.should_retry_later()).count();
        if postponed > 0 && error.is_none() {
            error = Some(RecordError::Postponed(postponed));
        }
        if let Some(pending) = &self.pending {
            match pending.deliver_pending(&event.coreid).await {
                Ok(n) => effects.pending_delivered += n,
                // Still pending: the device's next event tries again.
                Err(e) => {
                    tracing::warn!(coreid = %event.coreid, error = %e, "pending commands not delivered")
                }
            }
        }
        (outcomes, error)
    }

    async fn respond(&self, event: &Event, outcome: &DeliveryOutcome, effects: &mut SideEffects) {
        let Some(response) = &outcome.device_response else {
            return;
        };
        let kind = if outcome.status == DeliveryStatus::Delivered {
            ResponseKind::Response
        } else {
            ResponseKind::Error
        };
        let Some(responder) = &self.responder else {
            tracing::warn!(integration = %outcome.integration, "no Particle API configured: device response not published");
            effects.responses_failed += 1;
            return;
        };
        // A response that cannot be published is not a reason to hand the event back: the delivery itself is
        // logged as done, and sending it again would duplicate it at the target.
        if let Err(e) = responder.respond(event, response, kind).await {
            tracing::warn!(integration = %outcome.integration, error = %e, "device response not published");
            effects.responses_failed += 1;
        }
    }
}
