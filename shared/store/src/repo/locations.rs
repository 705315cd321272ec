//! Locations: a device's history, `DEVICE#<coreid>` / `LOCATION#<published_at>#<event id>` (one item per
//! located event), and its latest location, `DEVICE#<coreid>` / `LATEST#LOCATION`, replaced only by a newer one.
//!
//! The history sort key leads with the publish time, so a device's track for a time range is one query of its
//! partition between two `LOCATION#<time>` keys; it ends with the event id, so a retried webhook of the same event
//! finds its location with one `GetItem` and never writes a second one.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::backend::ItemStore;
use crate::error::StoreError;
use crate::item::{Condition, Key, PutOutcome};
use crate::keys;
use crate::record::{Record, serde_attrs, serde_from_attrs};

/// Name of the attribute the newer-only write of the latest location compares.
pub const PUBLISHED_MS_ATTR: &str = "published_ms";

/// Where a device was when it published one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationRecord {
    pub coreid: String,
    /// The event's `published_at` (RFC 3339, as stored on the event).
    pub published_at: String,
    /// `published_at` in Unix milliseconds: what "newer" means for the latest location.
    pub published_ms: i64,
    /// The event's deterministic id.
    pub event_id: String,
    pub lat: f64,
    pub lng: f64,
    /// Metres.
    pub accuracy: f64,
    /// What the device reported: `wifi`, `cell`, `wifi+cell` or `gnss`.
    pub source: String,
    /// Which provider answered (`google`, `unwiredlabs`); absent for a GNSS fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Answered from the geolocation cache (no provider call for this event).
    pub cached: bool,
    /// When the location was worked out (RFC 3339).
    pub located_at: String,
}

impl Record for LocationRecord {
    const TYPE: &'static str = "location";

    fn key(&self) -> Key {
        keys::location(&self.coreid, &self.published_at, &self.event_id)
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        serde_attrs(self, &self.key())
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        serde_from_attrs(&key, attrs)
    }
}

/// A device's latest location: the same fields, under the device's one `LATEST#LOCATION` key.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestLocation(pub LocationRecord);

impl Record for LatestLocation {
    const TYPE: &'static str = "latest_location";

    fn key(&self) -> Key {
        keys::latest_location(&self.0.coreid)
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        serde_attrs(&self.0, &self.key())
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        serde_from_attrs(&key, attrs).map(LatestLocation)
    }
}

/// What [`LocationRepo::record`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The history item: `Inserted`, or `Duplicate` when this event's location was stored already.
    pub history: PutOutcome,
    /// Whether the latest location moved to this one (false when a newer one is stored).
    pub latest_updated: bool,
}

/// Locations over any store.
#[derive(Debug, Clone)]
pub struct LocationRepo {
    store: Arc<dyn ItemStore>,
}

impl LocationRepo {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        LocationRepo { store }
    }

    /// The location stored for one event (`GetItem`), if any.
    pub async fn get(
        &self,
        coreid: &str,
        published_at: &str,
        event_id: &str,
    ) -> Result<Option<LocationRecord>, StoreError> {
        let key = keys::location(coreid, published_at, event_id);
        match self.store.get(&key.pk, &key.sk).await? {
            Some(item) => LocationRecord::from_item(item).map(Some),
            None => Ok(None),
        }
    }

    /// A device's latest location, if any.
    pub async fn latest(&self, coreid: &str) -> Result<Option<LocationRecord>, StoreError> {
        let key = keys::latest_location(coreid);
        match self.store.get(&key.pk, &key.sk).await? {
            Some(item) => LatestLocation::from_item(item).map(|l| Some(l.0)),
            None => Ok(None),
        }
    }

    /// Stores the history item (once per event) and moves the latest location to it if it is newer than the
    /// stored one (a conditional `PutItem`: a late retry of an old event never moves the device back).
    pub async fn record(&self, location: &LocationRecord) -> Result<Recorded, StoreError> {
        let history = self.store.put_new(&location.to_item()?).await?;
        let latest = LatestLocation(location.clone()).to_item()?;
        let latest_updated = self
            .store
            .put(
                &latest,
                Condition::AbsentOrIntLess {
                    attr: PUBLISHED_MS_ATTR.to_owned(),
                    value: location.published_ms,
                },
            )
            .await?;
        Ok(Recorded {
            history,
            latest_updated,
        })
    }
}
