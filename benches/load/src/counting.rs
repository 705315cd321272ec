//! [`CountingStore`]: an [`ItemStore`] wrapper that counts the DynamoDB operations the handler makes, for the
//! cost table. Each conditional `PutItem` of an item up to 1 KB is one write capacity unit whether or not the
//! condition holds (DynamoDB charges a failed conditional write too), so a webhook costs 1 WCU, new or repeat.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use particle_store::{Condition, Item, ItemStore, Page, PutOutcome, Query, StoreError};

/// Operation counts seen by one [`CountingStore`].
#[derive(Debug, Default)]
pub struct Counts {
    pub writes: AtomicU64,
    pub reads: AtomicU64,
}

impl Counts {
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }
}

/// Counts every write attempt (`put_new`, `put`, each item of a batch) and every read (`get`, each `query` page).
#[derive(Debug)]
pub struct CountingStore {
    inner: Arc<dyn ItemStore>,
    counts: Arc<Counts>,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn ItemStore>) -> (Self, Arc<Counts>) {
        let counts = Arc::new(Counts::default());
        (
            CountingStore {
                inner,
                counts: counts.clone(),
            },
            counts,
        )
    }
}

#[async_trait]
impl ItemStore for CountingStore {
    async fn put_new(&self, item: &Item) -> Result<PutOutcome, StoreError> {
        self.counts.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.put_new(item).await
    }

    async fn put_new_batch(&self, items: &[Item]) -> Result<Vec<PutOutcome>, StoreError> {
        self.counts
            .writes
            .fetch_add(items.len() as u64, Ordering::Relaxed);
        self.inner.put_new_batch(items).await
    }

    async fn put(&self, item: &Item, condition: Condition) -> Result<bool, StoreError> {
        self.counts.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.put(item, condition).await
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.counts.reads.fetch_add(1, Ordering::Relaxed);
        self.inner.get(pk, sk).await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.counts.reads.fetch_add(1, Ordering::Relaxed);
        self.inner.query(query).await
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}
