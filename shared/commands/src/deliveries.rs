//! The delivery log: one item per push, `DEVICE#<coreid>` / `DELIVERY#<at>#<source id>#<target>`, kept
//! [`DELIVERY_TTL_DAYS`] days. Publishes that are not for one device are logged under [`NO_DEVICE`].

use std::sync::Arc;

use particle_cloud::Delivery;
use particle_store::record::{Record, serde_attrs, serde_from_attrs};
use particle_store::{ItemStore, Key, Query, SkRange, StoreError, keys};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::CommandError;

/// How long a delivery is kept.
pub const DELIVERY_TTL_DAYS: i64 = 30;
/// The partition of publishes to no device in particular (`_` is never in a device id).
pub const NO_DEVICE: &str = "_events";
/// Most deliveries listed at once.
pub const LIST_MAX: usize = 200;

/// A logged push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryEntry {
    /// The event or command the push was for.
    pub source_id: String,
    #[serde(flatten)]
    pub delivery: Delivery,
}

impl DeliveryEntry {
    fn partition(&self) -> &str {
        self.delivery.coreid.as_deref().unwrap_or(NO_DEVICE)
    }
}

impl Record for DeliveryEntry {
    const TYPE: &'static str = "delivery";

    fn key(&self) -> Key {
        keys::delivery(
            self.partition(),
            &particle_events::clock::format_unix_ms(self.delivery.at_ms),
            &self.source_id,
            &self.delivery.target,
        )
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.delivery.at_ms / 1000 + DELIVERY_TTL_DAYS * 86_400)
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        serde_attrs(self, &self.key())
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        serde_from_attrs(&key, attrs)
    }
}

#[derive(Debug, Clone)]
pub struct Deliveries {
    store: Arc<dyn ItemStore>,
}

impl Deliveries {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        Deliveries { store }
    }

    /// Logs one push.
    pub async fn record(&self, source_id: &str, delivery: &Delivery) -> Result<(), CommandError> {
        let entry = DeliveryEntry {
            source_id: source_id.to_owned(),
            delivery: delivery.clone(),
        };
        self.store
            .put(&entry.to_item()?, particle_store::Condition::Always)
            .await?;
        Ok(())
    }

    /// Logs one push unless an entry with its key (device, time, source id, target) is already there; whether it
    /// was new. For pushes whose key is deterministic (a webhook reply is keyed by its event).
    pub async fn record_new(
        &self,
        source_id: &str,
        delivery: &Delivery,
    ) -> Result<bool, CommandError> {
        let entry = DeliveryEntry {
            source_id: source_id.to_owned(),
            delivery: delivery.clone(),
        };
        let outcome = self.store.put_new(&entry.to_item()?).await?;
        Ok(outcome == particle_store::PutOutcome::Inserted)
    }

    /// The entry with this key, if logged (and not expired).
    pub async fn get(
        &self,
        coreid: &str,
        at_ms: i64,
        source_id: &str,
        target: &str,
    ) -> Result<Option<DeliveryEntry>, CommandError> {
        let key = keys::delivery(
            coreid,
            &particle_events::clock::format_unix_ms(at_ms),
            source_id,
            target,
        );
        match self.store.get(&key.pk, &key.sk).await? {
            Some(item) => Ok(Some(DeliveryEntry::from_item(item)?)),
            None => Ok(None),
        }
    }

    /// A device's deliveries, newest first (at most `limit`, capped at [`LIST_MAX`]).
    pub async fn by_device(
        &self,
        coreid: &str,
        limit: usize,
    ) -> Result<Vec<DeliveryEntry>, CommandError> {
        let query = Query {
            sk: SkRange::BeginsWith(keys::DELIVERY.to_owned()),
            descending: true,
            ..Query::partition(keys::device_pk(coreid))
        };
        let items = self.store.query_all(&query, limit.min(LIST_MAX)).await?;
        // `forward` logs its integration deliveries under the same prefix (`type` `integration_delivery`): they
        // are not pushes to Particle, and not listed here.
        items
            .into_iter()
            .filter(|i| {
                i.attrs
                    .get(particle_store::record::TYPE_ATTR)
                    .is_none_or(|t| t == DeliveryEntry::TYPE)
            })
            .map(|i| DeliveryEntry::from_item(i).map_err(CommandError::from))
            .collect()
    }
}
