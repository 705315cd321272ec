//! The logical item model shared by both backends (see the README's data model).

use serde_json::{Map, Value};

/// Attribute names the store itself owns; [`Item::attrs`] may not use them. (`type` is also the store's, but
/// lives in `attrs`: [`crate::Record`] sets it.)
pub const RESERVED_ATTRS: [&str; 5] = ["pk", "sk", "gsi1pk", "gsi1sk", "expires_at"];

/// One stored item.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Partition key, e.g. `DEVICE#<coreid>`.
    pub pk: String,
    /// Sort key, e.g. `EVENT#<published_at>#<id>`.
    pub sk: String,
    /// Key pair of the `gsi1` index, when the item is indexed there.
    pub gsi1: Option<(String, String)>,
    /// Unix seconds after which the item may be deleted (DynamoDB TTL attribute `expires_at`).
    pub expires_at: Option<i64>,
    /// Every other attribute, as JSON.
    pub attrs: Map<String, Value>,
}

impl Item {
    /// The item's primary key.
    pub fn key(&self) -> Key {
        Key {
            pk: self.pk.clone(),
            sk: self.sk.clone(),
        }
    }

    /// Whether the item is gone at `now_unix`: its `expires_at` is at or before `now_unix`. Both backends treat
    /// such an item as absent (reads skip it, `put_new` replaces it) before anything deletes it.
    pub fn is_expired(&self, now_unix: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now_unix)
    }

    /// Checks what both backends require: non-empty keys, no reserved attribute names.
    pub fn check(&self) -> Result<(), crate::StoreError> {
        let invalid = |reason: String| crate::StoreError::InvalidItem {
            pk: self.pk.clone(),
            sk: self.sk.clone(),
            reason,
        };
        if self.pk.is_empty() || self.sk.is_empty() {
            return Err(invalid("pk and sk must not be empty".to_owned()));
        }
        if let Some((gpk, gsk)) = &self.gsi1
            && (gpk.is_empty() || gsk.is_empty())
        {
            return Err(invalid("gsi1 keys must not be empty".to_owned()));
        }
        if let Some(name) = RESERVED_ATTRS.iter().find(|n| self.attrs.contains_key(**n)) {
            return Err(invalid(format!("attribute name `{name}` is reserved")));
        }
        Ok(())
    }
}

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

/// What a conditional put found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The item was new and is now stored.
    Inserted,
    /// An item with the same key was already stored; nothing changed.
    Duplicate,
}

/// The condition of [`crate::ItemStore::put`].
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Write unconditionally (create or replace).
    Always,
    /// Write only if no item has this key (an expired item counts as none).
    Absent,
    /// Replace only if the stored item's integer attribute `attr` equals `value` (optimistic concurrency) and the
    /// item has not expired. `attr` must be a plain name (`[A-Za-z0-9_]+`).
    IntEquals { attr: String, value: i64 },
    /// Write if no item has this key (an expired item counts as none), or replace one whose integer attribute
    /// `attr` is less than `value` ("only if newer": a late retry of an old event never replaces a newer item).
    /// A stored item without `attr` is not replaced. `attr` must be a plain name (`[A-Za-z0-9_]+`).
    AbsentOrIntLess { attr: String, value: i64 },
}

/// Which key pair a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// `pk` / `sk`.
    Primary,
    /// `gsi1pk` / `gsi1sk`.
    Gsi1,
}

/// Which sort keys a query returns (inclusive bounds, byte-wise order as DynamoDB compares strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkRange {
    All,
    BeginsWith(String),
    Between(String, String),
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub pk: String,
    pub sk: String,
    pub gsi1: Option<(String, String)>,
}

/// A query over one partition of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub index: Index,
    /// Partition key value (`pk`, or `gsi1pk` for [`Index::Gsi1`]).
    pub pk: String,
    pub sk: SkRange,
    /// Most items per page (a backend may return fewer, with a cursor).
    pub limit: Option<u32>,
    /// Newest (largest sort key) first.
    pub descending: bool,
    pub start_after: Option<Cursor>,
}

impl Query {
    /// All items of a partition of the primary index, in sort-key order.
    pub fn partition(pk: impl Into<String>) -> Self {
        Query {
            index: Index::Primary,
            pk: pk.into(),
            sk: SkRange::All,
            limit: None,
            descending: false,
            start_after: None,
        }
    }
}

/// One page of query results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Present when more items may follow.
    pub next: Option<Cursor>,
}

impl Cursor {
    /// The cursor that resumes after `item`.
    pub fn after(item: &Item) -> Self {
        Cursor {
            pk: item.pk.clone(),
            sk: item.sk.clone(),
            gsi1: item.gsi1.clone(),
        }
    }
}
