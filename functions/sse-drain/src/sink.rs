//! Batched, idempotent writes of received events: flushed at 25 events (one DynamoDB batch) or after one
//! second, whichever comes first, and always before a window returns.

use std::time::Duration;

use particle_cloud::Backoff;
use particle_events::Event;
use particle_store::{EventRepo, StoreError};
use tokio::time::Instant;

/// Events per flush (the `BatchWriteItem` limit).
pub const BATCH: usize = 25;
/// Longest an event waits in the buffer.
pub const MAX_DELAY: Duration = Duration::from_secs(1);
/// Retries of a failed flush: 200 ms doubling to 5 s, with jitter, until the caller's deadline.
pub const FLUSH_RETRY: Backoff =
    Backoff::unlimited(Duration::from_millis(200), Duration::from_secs(5));

/// The buffer between the stream and the store.
#[derive(Debug)]
pub struct Sink {
    repo: EventRepo,
    buffer: Vec<Event>,
    oldest: Option<Instant>,
    /// Events stored new.
    pub stored: u64,
    /// Events already stored (an overlapping window or a webhook got them first).
    pub duplicates: u64,
}

impl Sink {
    pub fn new(repo: EventRepo) -> Self {
        Sink {
            repo,
            buffer: Vec::with_capacity(BATCH),
            oldest: None,
            stored: 0,
            duplicates: 0,
        }
    }

    pub fn push(&mut self, event: Event) {
        if self.buffer.is_empty() {
            self.oldest = Some(Instant::now());
        }
        self.buffer.push(event);
    }

    /// Events received but not yet stored.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }

    /// When the buffer must be flushed at the latest (`None` when empty).
    pub fn due_at(&self) -> Option<Instant> {
        if self.buffer.len() >= BATCH {
            return Some(Instant::now());
        }
        self.oldest.map(|t| t + MAX_DELAY)
    }

    /// Whether a flush is due now.
    pub fn due(&self) -> bool {
        self.due_at().is_some_and(|t| t <= Instant::now())
    }

    /// Writes the buffer, retrying a failed write with backoff until `deadline`. On failure the events stay in
    /// the buffer (see [`Sink::pending`]) and the last error is returned.
    pub async fn flush(&mut self, deadline: Instant) -> Result<(), StoreError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut retries = 0u32;
        loop {
            let attempt = tokio::time::timeout_at(deadline, self.repo.put_many(&self.buffer)).await;
            let error = match attempt {
                Ok(Ok((_, summary))) => {
                    self.stored += summary.inserted as u64;
                    self.duplicates += summary.duplicates as u64;
                    self.buffer.clear();
                    self.oldest = None;
                    return Ok(());
                }
                Ok(Err(e)) => e,
                Err(_) => StoreError::Unprocessed {
                    operation: "event flush (deadline reached)",
                    remaining: self.buffer.len(),
                    attempts: 1,
                },
            };
            let delay = FLUSH_RETRY.delay(retries);
            retries = retries.saturating_add(1);
            if Instant::now() + delay >= deadline {
                return Err(error);
            }
            tracing::warn!(error = %error, pending = self.buffer.len(), "event flush failed; retrying");
            tokio::time::sleep(delay).await;
        }
    }
}
