//! The delivery log: one item per (event, integration), `DEVICE#<coreid>` /
//! `DELIVERY#<published_at>#<event id>#<integration>` ([`particle_store::keys::delivery`] with the event's publish
//! time as `at`), so the key is deterministic and one Query of the `DELIVERY#<published_at>#<event id>#` prefix
//! finds every integration an event already went to. The stream may hand a batch back (a partial failure, a
//! retry, a bisected batch): an integration logged `delivered` for the event is never sent again.
//!
//! Needs only the table actions `forward` is granted: Query (the lookup) and PutItem (the record).

use std::collections::HashSet;
use std::sync::Arc;

use particle_events::Event;
use particle_store::record::{Record, serde_attrs, serde_from_attrs};
use particle_store::{Condition, ItemStore, Key, Query, SkRange, StoreError, keys};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::outcome::{DeliveryOutcome, DeliveryStatus};

/// How long a delivery record is kept (DynamoDB's TTL deletes it after).
pub const DELIVERY_TTL_DAYS: i64 = 30;

/// Most integrations one event's lookup reads (more than the 200 definitions the loader accepts).
const MAX_PER_EVENT: usize = 1_000;

/// One (event, integration) delivery as stored. Texts are already redacted ([`DeliveryOutcome`] is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub coreid: String,
    pub event_id: String,
    /// The event's `published_at` (part of the key).
    pub published_at: String,
    pub event_name: String,
    /// The integration's file name without `.json`.
    pub integration: String,
    pub integration_type: String,
    pub status: DeliveryStatus,
    /// Requests sent, summed over every invocation that tried this delivery.
    pub attempts: u32,
    /// How many invocations tried it (more than one when the stream handed the event back).
    pub runs: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub paused_ms: u64,
    /// When the last run ended (RFC 3339 UTC, milliseconds).
    pub finished_at: String,
}

impl DeliveryRecord {
    /// The record for `outcome`, carrying on from the `previous` record of the same delivery, if any.
    pub fn new(
        event: &Event,
        outcome: &DeliveryOutcome,
        previous: Option<&DeliveryRecord>,
    ) -> Self {
        let finished_ms = i64::try_from(outcome.finished_at_ms).unwrap_or(i64::MAX);
        DeliveryRecord {
            coreid: event.coreid.clone(),
            event_id: event.id.clone(),
            published_at: event.published_at.clone(),
            event_name: event.name.clone(),
            integration: outcome.integration.clone(),
            integration_type: outcome.integration_type.to_owned(),
            status: outcome.status,
            attempts: outcome
                .attempts
                .saturating_add(previous.map_or(0, |p| p.attempts)),
            runs: previous.map_or(0, |p| p.runs).saturating_add(1),
            http_status: outcome.http_status,
            last_error: outcome.last_error.clone(),
            paused_ms: outcome.paused_ms,
            finished_at: particle_events::clock::format_unix_ms(finished_ms),
        }
    }

    fn finished_unix(&self) -> i64 {
        particle_events::clock::parse_rfc3339(&self.finished_at)
            .map(|t| t.unix_timestamp())
            .unwrap_or_else(|_| particle_events::clock::now_unix())
    }
}

impl Record for DeliveryRecord {
    const TYPE: &'static str = "integration_delivery";

    fn key(&self) -> Key {
        keys::delivery(
            &self.coreid,
            &self.published_at,
            &self.event_id,
            &self.integration,
        )
    }

    fn expires_at(&self) -> Option<i64> {
        Some(
            self.finished_unix()
                .saturating_add(DELIVERY_TTL_DAYS * 86_400),
        )
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        serde_attrs(self, &self.key())
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        serde_from_attrs(&key, attrs)
    }
}

/// What the log holds for one event.
#[derive(Debug, Clone, Default)]
pub struct EventDeliveries {
    pub records: Vec<DeliveryRecord>,
}

impl EventDeliveries {
    /// Integrations already delivered for the event: they are skipped.
    pub fn delivered(&self) -> HashSet<String> {
        self.records
            .iter()
            .filter(|r| r.status == DeliveryStatus::Delivered)
            .map(|r| r.integration.clone())
            .collect()
    }

    /// The previous record of one integration.
    pub fn previous(&self, integration: &str) -> Option<&DeliveryRecord> {
        self.records.iter().find(|r| r.integration == integration)
    }
}

/// Reads and writes delivery records.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    store: Arc<dyn ItemStore>,
}

impl DeliveryLog {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        DeliveryLog { store }
    }

    /// Every delivery record of `event` (one Query on the device's partition). Items of other types under the
    /// same prefix (none are written today) are skipped, not errors.
    pub async fn for_event(&self, event: &Event) -> Result<EventDeliveries, StoreError> {
        let prefix = keys::delivery(&event.coreid, &event.published_at, &event.id, "").sk;
        let query = Query {
            sk: SkRange::BeginsWith(prefix),
            ..Query::partition(keys::device_pk(&event.coreid))
        };
        let items = self.store.query_all(&query, MAX_PER_EVENT).await?;
        let records = items
            .into_iter()
            .filter(|i| {
                i.attrs.get(particle_store::record::TYPE_ATTR)
                    == Some(&Value::from(DeliveryRecord::TYPE))
            })
            .map(DeliveryRecord::from_item)
            .collect::<Result<_, _>>()?;
        Ok(EventDeliveries { records })
    }

    /// Stores the record of one delivery (replacing the previous run's).
    pub async fn record(&self, record: &DeliveryRecord) -> Result<(), StoreError> {
        self.store
            .put(&record.to_item()?, Condition::Always)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use particle_events::Source;

    fn event() -> Event {
        Event {
            id: "e1".into(),
            name: "env/t".into(),
            data: "1".into(),
            coreid: "0a".into(),
            published_at: "2026-11-26T10:00:00.000Z".into(),
            product_id: None,
            fw_version: None,
            particle_event_id: None,
            source: Source::Sse,
            received_at: "2026-11-26T10:00:00.100Z".into(),
        }
    }

    fn outcome(status: DeliveryStatus, attempts: u32) -> DeliveryOutcome {
        DeliveryOutcome {
            integration: "hook".into(),
            integration_type: "Webhook",
            event_id: "e1".into(),
            coreid: "0a".into(),
            event_name: "env/t".into(),
            status,
            attempts,
            http_status: Some(503),
            last_error: Some("error status 503".into()),
            paused_ms: 0,
            finished_at_ms: 1_795_000_000_000,
            device_response: None,
        }
    }

    #[test]
    fn key_is_the_events_and_attempts_add_up() {
        let first = DeliveryRecord::new(&event(), &outcome(DeliveryStatus::DeadLettered, 4), None);
        assert_eq!(
            first.key().sk,
            "DELIVERY#2026-11-26T10:00:00.000Z#e1#hook",
            "published_at, not the delivery time: the key is known before delivering"
        );
        assert_eq!(first.key().pk, "DEVICE#0a");
        let second = DeliveryRecord::new(
            &event(),
            &outcome(DeliveryStatus::Delivered, 1),
            Some(&first),
        );
        assert_eq!((second.attempts, second.runs), (5, 2));
        let item = second.to_item().unwrap();
        assert_eq!(item.attrs["type"], "integration_delivery");
        assert_eq!(
            item.expires_at,
            Some(1_795_000_000 + DELIVERY_TTL_DAYS * 86_400)
        );
        assert_eq!(DeliveryRecord::from_item(item).unwrap(), second);
    }
}
