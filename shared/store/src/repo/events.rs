//! Events: `DEVICE#<coreid>` / `EVENT#<published_at>#<id>`, GSI `NAME#<name>` / `<published_at>#<coreid>`.
//!
//! The sort key leads with the publish time so a device's events read back in time order, and ends with the
//! deterministic id so the same event always lands on the same key: a conditional put is the idempotency check.

use std::sync::Arc;

use particle_events::Event;
use serde_json::{Map, Value};

use crate::backend::ItemStore;
use crate::error::StoreError;
use crate::item::{Index, Item, Key, PutOutcome, Query, SkRange};
use crate::keys;
use crate::record::{Record, TYPE_ATTR};

/// How long stored events live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retention {
    /// No `expires_at`: kept until deleted.
    #[default]
    Forever,
    /// `expires_at` = received time + this many days.
    Days(u32),
}

impl Retention {
    /// From `EVENT_TTL_DAYS`: `0` (or unset) keeps events forever.
    pub fn from_days(days: u32) -> Self {
        if days == 0 {
            Retention::Forever
        } else {
            Retention::Days(days)
        }
    }

    /// `expires_at` of an item written at `now_unix` (Unix seconds).
    pub fn expires_at(self, now_unix: i64) -> Option<i64> {
        match self {
            Retention::Forever => None,
            Retention::Days(d) => Some(now_unix.saturating_add(i64::from(d) * 86_400)),
        }
    }
}

/// An inclusive time range over `published_at` (normalised RFC 3339 strings); `None` is open-ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Counts of a batch write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    pub inserted: usize,
    pub duplicates: usize,
}

/// Reads and writes events.
#[derive(Debug, Clone)]
pub struct EventRepo {
    store: Arc<dyn ItemStore>,
    retention: Retention,
}

/// An event is stored as `DEVICE#<coreid>` / `EVENT#<published_at>#<id>`, indexed by name. Its lifetime is the
/// repository's [`Retention`], so it is written with [`Record::to_item_expiring`].
impl Record for Event {
    const TYPE: &'static str = "event";

    fn key(&self) -> Key {
        keys::event(&self.coreid, &self.published_at, &self.id)
    }

    fn gsi1(&self) -> Option<(String, String)> {
        Some(keys::event_gsi1(
            &self.name,
            &self.published_at,
            &self.coreid,
        ))
    }

    /// Built by hand rather than through serde: this is the hot path of `ingest` (`make bench`).
    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        let mut attrs = Map::new();
        attrs.insert("id".to_owned(), Value::from(self.id.as_str()));
        attrs.insert("name".to_owned(), Value::from(self.name.as_str()));
        attrs.insert("data".to_owned(), Value::from(self.data.as_str()));
        attrs.insert("coreid".to_owned(), Value::from(self.coreid.as_str()));
        attrs.insert(
            "published_at".to_owned(),
            Value::from(self.published_at.as_str()),
        );
        if let Some(p) = self.product_id {
            attrs.insert("product_id".to_owned(), Value::from(p));
        }
        if let Some(v) = self.fw_version {
            attrs.insert("fw_version".to_owned(), Value::from(v));
        }
        if let Some(id) = &self.particle_event_id {
            attrs.insert("particle_event_id".to_owned(), Value::from(id.as_str()));
        }
        attrs.insert("source".to_owned(), Value::from(self.source.as_str()));
        attrs.insert(
            "received_at".to_owned(),
            Value::from(self.received_at.as_str()),
        );
        Ok(attrs)
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        serde_json::from_value(Value::Object(attrs)).map_err(|e| StoreError::Corrupt {
            pk: key.pk,
            sk: key.sk,
            reason: format!("not an event: {e}"),
        })
    }
}

/// The item stored for `event` (pure; `now_unix` sets `expires_at` under a retention).
pub fn event_item(event: &Event, retention: Retention, now_unix: i64) -> Item {
    let key = event.key();
    Item {
        pk: key.pk,
        sk: key.sk,
        gsi1: event.gsi1(),
        expires_at: retention.expires_at(now_unix),
        attrs: event_attrs(event),
    }
}

/// [`Record::attrs`] of an event with its `type`; infallible.
fn event_attrs(event: &Event) -> Map<String, Value> {
    let mut attrs = match event.attrs() {
        Ok(attrs) => attrs,
        Err(_) => Map::new(),
    };
    attrs.insert(TYPE_ATTR.to_owned(), Value::from(<Event as Record>::TYPE));
    attrs
}

/// The event an item holds.
pub fn item_event(item: Item) -> Result<Event, StoreError> {
    Event::from_item(item)
}

/// The event a DynamoDB stream record's `NewImage` holds (the item as either backend stores it, in DynamoDB
/// JSON). An image that is not an event item (another `type`, missing keys or fields) is an error.
#[cfg(feature = "dynamodb")]
pub fn event_from_stream_image(image: serde_dynamo::Item) -> Result<Event, StoreError> {
    let item = crate::dynamo::stream::from_stream_image(image)?;
    if !item.sk.starts_with(keys::EVENT) {
        return Err(StoreError::Corrupt {
            pk: item.pk,
            sk: item.sk,
            reason: "not an event item".to_owned(),
        });
    }
    Event::from_item(item)
}

/// Largest number of events a read returns when the caller gives no limit.
pub const DEFAULT_READ_LIMIT: usize = 1_000;

impl EventRepo {
    pub fn new(store: Arc<dyn ItemStore>, retention: Retention) -> Self {
        EventRepo { store, retention }
    }

    /// The store underneath.
    pub fn store(&self) -> &Arc<dyn ItemStore> {
        &self.store
    }

    /// Stores `event` unless an event with the same id is stored.
    pub async fn put(&self, event: &Event) -> Result<PutOutcome, StoreError> {
        let item = event_item(event, self.retention, particle_events::clock::now_unix());
        self.store.put_new(&item).await
    }

    /// Stores many events; outcomes in input order.
    pub async fn put_many(
        &self,
        events: &[Event],
    ) -> Result<(Vec<PutOutcome>, BatchSummary), StoreError> {
        let now = particle_events::clock::now_unix();
        let items: Vec<Item> = events
            .iter()
            .map(|e| event_item(e, self.retention, now))
            .collect();
        let outcomes = self.store.put_new_batch(&items).await?;
        let inserted = outcomes
            .iter()
            .filter(|o| **o == PutOutcome::Inserted)
            .count();
        let summary = BatchSummary {
            inserted,
            duplicates: outcomes.len() - inserted,
        };
        Ok((outcomes, summary))
    }

    /// One device's events in a time range, oldest first.
    pub async fn by_device(
        &self,
        coreid: &str,
        range: &TimeRange,
        limit: Option<usize>,
    ) -> Result<Vec<Event>, StoreError> {
        let query = Query {
            index: Index::Primary,
            pk: keys::device_pk(coreid),
            sk: sk_range(keys::EVENT, range),
            limit: None,
            descending: false,
            start_after: None,
        };
        self.read(query, limit).await
    }

    /// Every device's events of one name in a time range, oldest first (through the GSI).
    pub async fn by_name(
        &self,
        name: &str,
        range: &TimeRange,
        limit: Option<usize>,
    ) -> Result<Vec<Event>, StoreError> {
        let query = Query {
            index: Index::Gsi1,
            pk: keys::name_gsi1pk(name),
            sk: sk_range("", range),
            limit: None,
            descending: false,
            start_after: None,
        };
        self.read(query, limit).await
    }

    async fn read(&self, mut query: Query, limit: Option<usize>) -> Result<Vec<Event>, StoreError> {
        let max = limit.unwrap_or(DEFAULT_READ_LIMIT);
        query.limit = Some(max.min(1_000) as u32);
        let items = self.store.query_all(&query, max).await?;
        items.into_iter().map(item_event).collect()
    }
}

/// Sort-key bounds for a time range under `prefix`. The upper bound appends `#~`: after the timestamp comes `#`
/// and then hex (an id or a device id), all below `~`.
fn sk_range(prefix: &str, range: &TimeRange) -> SkRange {
    match (&range.from, &range.to) {
        (None, None) if prefix.is_empty() => SkRange::All,
        (None, None) => SkRange::BeginsWith(prefix.to_owned()),
        (from, to) => SkRange::Between(
            format!("{prefix}{}", from.as_deref().unwrap_or("")),
            match to {
                Some(to) => format!("{prefix}{to}#~"),
                None => format!("{prefix}~"),
            },
        ),
    }
}
