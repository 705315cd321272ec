//! The one trait both backends implement.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::item::{Condition, Item, Page, PutOutcome, Query};

/// A store of [`Item`]s. Implementations must be safe to share between tasks (and, for SQLite, processes).
///
/// Expiry: an item whose `expires_at` (Unix seconds) is at or before now is gone for every operation, whether
/// or not the backend has deleted it yet: `get` and `query` skip it, `put_new` and [`Condition::Absent`] treat
/// its key as free, [`Condition::IntEquals`] never matches it, [`Condition::AbsentOrIntLess`] treats it as absent.
#[async_trait]
pub trait ItemStore: Send + Sync + std::fmt::Debug {
    /// Stores `item` if its key is new: [`PutOutcome::Inserted`], or [`PutOutcome::Duplicate`] if an unexpired item
    /// with the same key exists (then nothing is written). Returns only once the write is durable.
    async fn put_new(&self, item: &Item) -> Result<PutOutcome, StoreError>;

    /// [`ItemStore::put_new`] for many items. Outcomes are in input order; a key repeated within `items` is
    /// `Duplicate` after its first occurrence. Every write is conditional: under concurrent writers of the same
    /// new key (the webhook path, overlapping drain windows) the first copy stays and exactly one writer reports
    /// it `Inserted`.
    async fn put_new_batch(&self, items: &[Item]) -> Result<Vec<PutOutcome>, StoreError>;

    /// Writes `item` if `condition` holds; `Ok(false)` if it did not (nothing written).
    async fn put(&self, item: &Item, condition: Condition) -> Result<bool, StoreError>;

    /// Reads one item (strongly consistent); `None` if absent or expired.
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError>;

    /// Reads one page of a query (expired items skipped). A page may hold fewer items than the limit and still
    /// carry a cursor; only a page without a cursor is the last.
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;

    /// Reads every page of `query`, stopping after `max_items` items.
    async fn query_all(&self, query: &Query, max_items: usize) -> Result<Vec<Item>, StoreError> {
        let mut query = query.clone();
        let mut out = Vec::new();
        loop {
            let page = self.query(&query).await?;
            out.extend(page.items);
            if out.len() >= max_items {
                out.truncate(max_items);
                return Ok(out);
            }
            match page.next {
                Some(cursor) => query.start_after = Some(cursor),
                None => return Ok(out),
            }
        }
    }

    /// A short description for logs (`dynamodb:table`, `sqlite:/path`).
    fn describe(&self) -> String;
}
