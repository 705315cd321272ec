//! The geolocation cache: `GEOCACHE#<scan hash>` / `GEOCACHE`, one item per normalised scan, so a place seen
//! again costs no provider call. A found place lives for the configured TTL, a not-found for one hour (to protect
//! the provider quota without hiding a place for long); the store never serves an expired entry.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::backend::ItemStore;
use crate::error::StoreError;
use crate::item::{Condition, Key};
use crate::keys;
use crate::record::{Record, serde_attrs, serde_from_attrs};

/// How long a not-found answer is cached.
pub const NEGATIVE_TTL_SECONDS: i64 = 3600;

/// A provider's answer for one scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedPlace {
    pub lat: f64,
    pub lng: f64,
    /// Metres.
    pub accuracy: f64,
    /// Which provider answered.
    pub provider: String,
}

/// One cache entry: a place, or "no provider knows this scan".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeocacheEntry {
    /// The scan's hash (hex), the cache key.
    #[serde(skip)]
    pub scan_hash: String,
    /// `None`: every provider answered not-found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<CachedPlace>,
    /// Unix seconds when the entry was written.
    pub cached_at: i64,
    /// Unix seconds after which the entry is never served.
    #[serde(skip)]
    pub expires_at: i64,
}

impl GeocacheEntry {
    /// A found place, kept `ttl_seconds`.
    pub fn found(scan_hash: &str, place: CachedPlace, now_unix: i64, ttl_seconds: i64) -> Self {
        GeocacheEntry {
            scan_hash: scan_hash.to_owned(),
            place: Some(place),
            cached_at: now_unix,
            expires_at: now_unix + ttl_seconds,
        }
    }

    /// A not-found, kept [`NEGATIVE_TTL_SECONDS`].
    pub fn not_found(scan_hash: &str, now_unix: i64) -> Self {
        GeocacheEntry {
            scan_hash: scan_hash.to_owned(),
            place: None,
            cached_at: now_unix,
            expires_at: now_unix + NEGATIVE_TTL_SECONDS,
        }
    }
}

impl Record for GeocacheEntry {
    const TYPE: &'static str = "geocache";

    fn key(&self) -> Key {
        keys::geocache(&self.scan_hash)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.expires_at)
    }

    fn attrs(&self) -> Result<Map<String, Value>, StoreError> {
        serde_attrs(self, &self.key())
    }

    fn from_attrs(key: Key, attrs: Map<String, Value>) -> Result<Self, StoreError> {
        let mut entry: GeocacheEntry = serde_from_attrs(&key, attrs)?;
        entry.scan_hash = key
            .pk
            .strip_prefix(keys::GEOCACHE)
            .and_then(|rest| rest.strip_prefix('#'))
            .unwrap_or_default()
            .to_owned();
        Ok(entry)
    }
}

/// The cache over any store.
#[derive(Debug, Clone)]
pub struct GeocacheRepo {
    store: Arc<dyn ItemStore>,
}

impl GeocacheRepo {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        GeocacheRepo { store }
    }

    /// The unexpired entry for a scan, if any (`GetItem`; the store filters expired entries).
    pub async fn get(&self, scan_hash: &str) -> Result<Option<GeocacheEntry>, StoreError> {
        let key = keys::geocache(scan_hash);
        let Some(item) = self.store.get(&key.pk, &key.sk).await? else {
            return Ok(None);
        };
        let expires_at = item.expires_at;
        let mut entry = GeocacheEntry::from_item(item)?;
        entry.expires_at = expires_at.unwrap_or(i64::MAX);
        Ok(Some(entry))
    }

    /// Writes (or replaces) the entry for its scan.
    pub async fn put(&self, entry: &GeocacheEntry) -> Result<(), StoreError> {
        self.store.put(&entry.to_item()?, Condition::Always).await?;
        Ok(())
    }
}
