//! The stream's shared state in the store (`STREAM#<key>` / `STATE`, `type` `stream_state`): the open budget,
//! the 529 backoff, and the spans of the latest windows (so the next window can tell whether it left a span
//! between windows uncovered).
//!
//! Particle allows 100 stream opens per 5 minutes per public IP and answers 529, then locks the IP out, past
//! that. A crash loop or a bug must never get there, so every open first takes a slot from a budget kept in the
//! store and shared by every invocation (default 20 per 5 minutes), and a 529 is written down so that later
//! invocations wait without connecting. Updates are optimistic: read, change, write with `ver` unchanged.

use std::sync::Arc;
use std::time::Duration;

use particle_store::record::{serde_attrs, serde_from_attrs};
use particle_store::{Condition, ItemStore, Key, Record, StoreError, keys};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Attempts of one read-modify-write before giving up (other drainers won every race).
const CAS_ATTEMPTS: u32 = 8;

/// How many ended windows the state remembers (a handful covers any overlap of scheduled windows).
const WINDOWS_KEPT: usize = 8;

/// The span of one ended window, Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSpan {
    pub start_ms: i64,
    pub end_ms: i64,
}

/// The stored state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamState {
    /// The stream key (part of the item's key, not an attribute).
    #[serde(skip)]
    pub stream: String,
    /// Version for optimistic concurrency.
    #[serde(default)]
    pub ver: i64,
    /// Unix milliseconds of recent opens (pruned to the budget period).
    #[serde(default)]
    pub opens: Vec<i64>,
    /// No drainer connects before this time (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_until: Option<i64>,
    /// Why (`"http_529"`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_reason: Option<String>,
    /// The latest ended windows (at most [`WINDOWS_KEPT`], latest end last).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<WindowSpan>,
}

impl Record for StreamState {
    const TYPE: &'static str = "stream_state";

    fn key(&self) -> Key {
        keys::stream_state(&self.stream)
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        serde_attrs(self, &self.key())
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        let mut state: StreamState = serde_from_attrs(&key, attrs)?;
        state.stream = keys::stream_key_of(&key.pk).unwrap_or_default().to_owned();
        Ok(state)
    }
}

/// The answer to "may I open the stream now?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permit {
    /// Yes; one slot of the budget is now used.
    Granted,
    /// No: the budget is spent until `retry_at_ms`.
    Exhausted { retry_at_ms: i64 },
    /// No: a backoff (after a 529) holds until `until_ms`.
    BackingOff { until_ms: i64, reason: String },
}

/// The budget of one stream.
#[derive(Debug, Clone)]
pub struct OpenBudget {
    store: Arc<dyn ItemStore>,
    stream: String,
    limit: usize,
    period_ms: i64,
    /// The longest backoff honoured from now on: a stored `backoff_until` further out (written before
    /// `Retry-After` was clamped, or by hand) would keep every drainer away for ever, so it is cut to this.
    max_backoff_ms: i64,
}

impl OpenBudget {
    pub fn new(store: Arc<dyn ItemStore>, stream_key: &str, limit: u32, period: Duration) -> Self {
        OpenBudget {
            store,
            stream: stream_key.to_owned(),
            limit: limit as usize,
            period_ms: i64::try_from(period.as_millis()).unwrap_or(i64::MAX),
            max_backoff_ms: duration_ms(particle_cloud::retry_after::MAX_RETRY_AFTER),
        }
    }

    /// Honours stored backoffs up to `max` from now (at least `Retry-After`'s one-hour clamp): the drainer passes
    /// the larger of that and `SSE_RATE_LIMIT_BACKOFF_SECONDS`.
    pub fn with_max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff_ms = self.max_backoff_ms.max(duration_ms(max));
        self
    }

    /// Takes one open from the budget if the budget and any backoff allow it at `now_ms`.
    pub async fn acquire(&self, now_ms: i64) -> Result<Permit, StoreError> {
        self.update(|state| {
            if let Some(until) = state.backoff_until.filter(|u| *u > now_ms) {
                // A backoff beyond the longest honoured one is cut down where it is stored, so it ends.
                let limit = now_ms.saturating_add(self.max_backoff_ms);
                let poisoned = until > limit;
                if poisoned {
                    state.backoff_until = Some(limit);
                }
                let reason = state
                    .backoff_reason
                    .clone()
                    .unwrap_or_else(|| "backoff".to_owned());
                return (
                    Permit::BackingOff {
                        until_ms: until.min(limit),
                        reason,
                    },
                    poisoned,
                );
            }
            let since = now_ms.saturating_sub(self.period_ms);
            state.opens.retain(|t| *t > since);
            if state.opens.len() >= self.limit {
                let oldest = state.opens.iter().min().copied().unwrap_or(now_ms);
                return (
                    Permit::Exhausted {
                        retry_at_ms: oldest + self.period_ms,
                    },
                    false,
                );
            }
            state.opens.push(now_ms);
            (Permit::Granted, true)
        })
        .await
    }

    /// Records that nobody may connect before `until_ms` (kept if a later backoff is already stored).
    pub async fn back_off(&self, until_ms: i64, reason: &str) -> Result<(), StoreError> {
        self.update(|state| {
            if state.backoff_until.is_some_and(|u| u >= until_ms) {
                return ((), false);
            }
            state.backoff_until = Some(until_ms);
            state.backoff_reason = Some(reason.to_owned());
            ((), true)
        })
        .await
    }

    /// Records that a window covered `start_ms..end_ms`. Returns the end of the previous window when it ended
    /// before this one started: the span between them no window covered (EventBridge starts a scheduled
    /// invocation somewhere within its minute, so consecutive windows need not overlap). The previous window is
    /// the latest-ending one that started before this one; with none on record (the first window) there is
    /// nothing to compare.
    pub async fn close_window(
        &self,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        self.update(|state| {
            let previous_end = state
                .windows
                .iter()
                .filter(|w| w.start_ms < start_ms)
                .map(|w| w.end_ms)
                .max();
            state.windows.push(WindowSpan { start_ms, end_ms });
            state.windows.sort_by_key(|w| w.end_ms);
            let excess = state.windows.len().saturating_sub(WINDOWS_KEPT);
            state.windows.drain(..excess);
            (previous_end.filter(|end| *end < start_ms), true)
        })
        .await
    }

    /// The stored state (for tests and diagnostics).
    pub async fn state(&self) -> Result<StreamState, StoreError> {
        Ok(self.read().await?.map(|(s, _)| s).unwrap_or_default())
    }

    async fn read(&self) -> Result<Option<(StreamState, i64)>, StoreError> {
        let key = keys::stream_state(&self.stream);
        let Some(item) = self.store.get(&key.pk, &key.sk).await? else {
            return Ok(None);
        };
        let state = StreamState::from_item(item)?;
        let ver = state.ver;
        Ok(Some((state, ver)))
    }

    /// Read-modify-write with optimistic concurrency; `change` returns its answer and whether to write.
    async fn update<T>(
        &self,
        mut change: impl FnMut(&mut StreamState) -> (T, bool),
    ) -> Result<T, StoreError> {
        for _ in 0..CAS_ATTEMPTS {
            let current = self.read().await?;
            let mut state =
                current
                    .as_ref()
                    .map(|(s, _)| s.clone())
                    .unwrap_or_else(|| StreamState {
                        stream: self.stream.clone(),
                        ..StreamState::default()
                    });
            let (answer, write) = change(&mut state);
            if !write {
                return Ok(answer);
            }
            let condition = match &current {
                None => Condition::Absent,
                Some((_, ver)) => Condition::IntEquals {
                    attr: "ver".to_owned(),
                    value: *ver,
                },
            };
            state.ver = current.map(|(_, v)| v + 1).unwrap_or(1);
            if self.store.put(&state.to_item()?, condition).await? {
                return Ok(answer);
            }
            tracing::debug!(stream = %self.stream, "stream state changed concurrently; retrying");
        }
        Err(StoreError::Unprocessed {
            operation: "stream state update",
            remaining: 1,
            attempts: CAS_ATTEMPTS,
        })
    }
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn budget() -> (OpenBudget, tempfile::TempDir) {
        let (store, dir) = particle_store::testing::sqlite_store().await;
        let budget = OpenBudget::new(
            Arc::new(store),
            "/v1/devices/events",
            20,
            Duration::from_secs(300),
        );
        (budget, dir)
    }

    #[tokio::test]
    async fn a_poisoned_backoff_is_honoured_for_an_hour_at_most() {
        let (longer, _dir2) = budget().await;
        let longer = longer.with_max_backoff(Duration::from_secs(7_200));
        let (budget, _dir) = budget().await;
        let now = 1_700_000_000_000;
        // What an unclamped `Retry-After: 100000000000` stored before the clamp existed.
        budget
            .back_off(now + 100_000_000_000_000, "http_529")
            .await
            .unwrap();
        match budget.acquire(now).await.unwrap() {
            Permit::BackingOff { until_ms, .. } => assert_eq!(until_ms, now + 3_600_000),
            other => panic!("expected a backoff, got {other:?}"),
        }
        assert_eq!(
            budget.acquire(now + 3_600_001).await.unwrap(),
            Permit::Granted,
            "an hour later the stream opens again"
        );
        longer
            .back_off(now + i64::MAX / 2, "http_529")
            .await
            .unwrap();
        assert!(matches!(
            longer.acquire(now).await.unwrap(),
            Permit::BackingOff { until_ms, .. } if until_ms == now + 7_200_000
        ));
    }

    #[tokio::test]
    async fn window_spans_tell_uncovered_spans() {
        let (budget, _dir) = budget().await;
        assert_eq!(
            budget.close_window(1_000, 2_000).await.unwrap(),
            None,
            "first window: nothing to compare"
        );
        assert_eq!(
            budget.close_window(1_500, 2_500).await.unwrap(),
            None,
            "overlapping"
        );
        assert_eq!(
            budget.close_window(2_500, 3_000).await.unwrap(),
            None,
            "back to back"
        );
        assert_eq!(
            budget.close_window(3_700, 4_000).await.unwrap(),
            Some(3_000),
            "a pause"
        );
        for i in 0..20 {
            budget
                .close_window(5_000 + i * 100, 5_150 + i * 100)
                .await
                .unwrap();
        }
        let state = budget.state().await.unwrap();
        assert_eq!(state.windows.len(), WINDOWS_KEPT);
        assert_eq!(
            state.windows.last().map(|w| w.end_ms),
            Some(5_150 + 19 * 100)
        );
        assert_eq!(state.stream, "/v1/devices/events");
    }

    #[tokio::test]
    async fn state_is_typed() {
        let (budget, _dir) = budget().await;
        budget.back_off(10, "http_529").await.unwrap();
        let key = keys::stream_state("/v1/devices/events");
        let item = budget
            .store
            .get(&key.pk, &key.sk)
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(item.attrs["type"], "stream_state");
        assert_eq!(item.attrs["backoff_reason"], "http_529");
    }
}
