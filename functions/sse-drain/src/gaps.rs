//! Gap items: every span of a window in which the stream was not connected, so a user can see when events may
//! have been missed (`STREAM#<key>` / `GAP#<from>#<drainer>`).

use std::sync::Arc;

use particle_store::{Condition, Item, ItemStore, Retention, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
        }
    }
}

/// A stored gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// Start and end, RFC 3339 UTC.
    pub from: String,
    pub to: String,
    pub duration_ms: i64,
    pub reason: GapReason,
    /// The drainer (invocation) that saw it.
    pub drainer: String,
}

/// Writes and reads the gaps of one stream.
#[derive(Debug, Clone)]
pub struct GapLog {
    store: Arc<dyn ItemStore>,
    pk: String,
    retention: Retention,
}

impl GapLog {
    pub fn new(store: Arc<dyn ItemStore>, stream_key: &str, retention: Retention) -> Self {
        GapLog {
            store,
            pk: format!("STREAM#{stream_key}"),
            retention,
        }
    }

    /// Stores a gap.
    pub async fn record(&self, gap: &Gap) -> Result<(), StoreError> {
        let attrs = match serde_json::to_value(gap) {
            Ok(Value::Object(mut map)) => {
                map.insert("type".to_owned(), Value::from("gap"));
                map
            }
            _ => serde_json::Map::new(),
        };
        let expires_at = match self.retention {
            Retention::Forever => None,
            Retention::Days(d) => Some(particle_events::clock::now_unix() + i64::from(d) * 86_400),
        };
        let item = Item {
            pk: self.pk.clone(),
            sk: format!("GAP#{}#{}", gap.from, gap.drainer),
            gsi1: None,
            expires_at,
            attrs,
        };
        self.store.put(&item, Condition::Always).await.map(|_| ())
    }

    /// Every stored gap of this stream, oldest first.
    pub async fn list(&self) -> Result<Vec<Gap>, StoreError> {
        let query = particle_store::Query {
            sk: particle_store::SkRange::BeginsWith("GAP#".to_owned()),
            ..particle_store::Query::partition(self.pk.clone())
        };
        let items = self.store.query_all(&query, 100_000).await?;
        items
            .into_iter()
            .map(|item| {
                serde_json::from_value(Value::Object(item.attrs)).map_err(|e| StoreError::Corrupt {
                    pk: item.pk,
                    sk: item.sk,
                    reason: e.to_string(),
                })
            })
            .collect()
    }
}
