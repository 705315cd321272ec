//! Gap items: every span in which the stream was not connected, within a window or between two windows, so a
//! user can see when events may have been missed (`STREAM#<key>` / `GAP#<from>#<drainer>`, `type` `gap`).

use std::sync::Arc;

use particle_store::record::{serde_attrs, serde_from_attrs};
use particle_store::{
    Condition, ItemStore, Key, Query, Record, Retention, SkRange, StoreError, keys,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Why the stream was not connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// The window's first connection was being opened. Consecutive windows overlap, so this span is covered by
    /// the previous window whenever that one was connected.
    Startup,
    /// The server ended the stream (a normal end; the drainer reconnected).
    StreamEnded,
    /// No byte (not even a keepalive) within the idle timeout: the connection was dead.
    IdleTimeout,
    /// The connection failed while reading.
    ReadError,
    /// Opening the stream failed (network error, timeout, 5xx).
    ConnectFailed,
    /// The shared open budget was spent.
    BudgetExhausted,
    /// Particle answered 529 (too many opens from this IP), or an earlier 529's backoff was still in force.
    RateLimited,
    /// Particle refused the access token (401/403).
    AuthFailed,
    /// Particle refused the request for another reason (e.g. 404 for a wrong product path).
    Refused,
    /// The store failed, so the window stopped reading.
    StoreFailed,
    /// No window ran: the previous window ended before this one started (a late scheduled invocation, or the
    /// schedule stopped for a while). Recorded by the later window, from the previous window's end to its start.
    BetweenWindows,
}

impl GapReason {
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::Startup => "startup",
            GapReason::StreamEnded => "stream_ended",
            GapReason::IdleTimeout => "idle_timeout",
            GapReason::ReadError => "read_error",
            GapReason::ConnectFailed => "connect_failed",
            GapReason::BudgetExhausted => "budget_exhausted",
            GapReason::RateLimited => "rate_limited",
            GapReason::AuthFailed => "auth_failed",
            GapReason::Refused => "refused",
            GapReason::StoreFailed => "store_failed",
            GapReason::BetweenWindows => "between_windows",
        }
    }
}

/// A stored gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The stream key (part of the item's key, not an attribute).
    #[serde(skip)]
    pub stream: String,
    /// Start and end, RFC 3339 UTC.
    pub from: String,
    pub to: String,
    pub duration_ms: i64,
    pub reason: GapReason,
    /// The drainer (invocation) that saw it.
    pub drainer: String,
}

impl Record for Gap {
    const TYPE: &'static str = "gap";

    fn key(&self) -> Key {
        keys::gap(&self.stream, &self.from, &self.drainer)
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        serde_attrs(self, &self.key())
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        let mut gap: Gap = serde_from_attrs(&key, attrs)?;
        gap.stream = keys::stream_key_of(&key.pk).unwrap_or_default().to_owned();
        Ok(gap)
    }
}

/// Writes and reads the gaps of one stream.
#[derive(Debug, Clone)]
pub struct GapLog {
    store: Arc<dyn ItemStore>,
    stream: String,
    retention: Retention,
}

impl GapLog {
    pub fn new(store: Arc<dyn ItemStore>, stream_key: &str, retention: Retention) -> Self {
        GapLog {
            store,
            stream: stream_key.to_owned(),
            retention,
        }
    }

    /// The stream key the log writes under (for building [`Gap`]s).
    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// Stores a gap (under this log's stream, whatever `gap.stream` says), expiring with the event retention.
    pub async fn record(&self, gap: &Gap) -> Result<(), StoreError> {
        let gap = Gap {
            stream: self.stream.clone(),
            ..gap.clone()
        };
        let expires_at = self
            .retention
            .expires_at(particle_events::clock::now_unix());
        let item = gap.to_item_expiring(expires_at)?;
        self.store.put(&item, Condition::Always).await.map(|_| ())
    }

    /// Every stored gap of this stream, oldest first.
    pub async fn list(&self) -> Result<Vec<Gap>, StoreError> {
        let query = Query {
            sk: SkRange::BeginsWith(keys::GAP.to_owned()),
            ..Query::partition(keys::stream_pk(&self.stream))
        };
        let items = self.store.query_all(&query, 100_000).await?;
        items.into_iter().map(Gap::from_item).collect()
    }
}
