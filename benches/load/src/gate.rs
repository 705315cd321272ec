//! [`Gate`]: an [`ItemStore`] wrapper that fails every call at once while closed.
//!
//! A restarted moto listens on its port before it has replayed its recording, so for a moment it answers with
//! an empty table, or with no table: a drainer that reaches it then reads a stream state without the earlier
//! windows and writes over it (seen in the first runs). DynamoDB never serves a table without its data, so the
//! SSE outage run closes the gate from the restart until the replay is done: the drainer sees the store down a
//! little longer, which is what it would see of a DynamoDB outage.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use particle_store::{Condition, Item, ItemStore, Page, PutOutcome, Query, StoreError};

#[derive(Debug)]
pub struct Gate {
    inner: Arc<dyn ItemStore>,
    closed: AtomicBool,
}

impl Gate {
    pub fn new(inner: Arc<dyn ItemStore>) -> Self {
        Gate {
            inner,
            closed: AtomicBool::new(false),
        }
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    pub fn open(&self) {
        self.closed.store(false, Ordering::SeqCst);
    }

    fn pass(&self, operation: &'static str) -> Result<(), StoreError> {
        if self.closed.load(Ordering::SeqCst) {
            Err(StoreError::Dynamo {
                operation,
                message: "the local server is restarting (load-bench gate)".to_owned(),
            })
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl ItemStore for Gate {
    async fn put_new(&self, item: &Item) -> Result<PutOutcome, StoreError> {
        self.pass("PutItem")?;
        self.inner.put_new(item).await
    }

    async fn put_new_batch(&self, items: &[Item]) -> Result<Vec<PutOutcome>, StoreError> {
        self.pass("PutItem")?;
        self.inner.put_new_batch(items).await
    }

    async fn put(&self, item: &Item, condition: Condition) -> Result<bool, StoreError> {
        self.pass("PutItem")?;
        self.inner.put(item, condition).await
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.pass("GetItem")?;
        self.inner.get(pk, sk).await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.pass("Query")?;
        self.inner.query(query).await
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_gate_fails_every_call_and_an_open_one_passes_them() {
        let (store, _dir) = particle_store::testing::sqlite_store().await;
        let gate = Gate::new(Arc::new(store));
        let item = Item {
            pk: "P".to_owned(),
            sk: "S".to_owned(),
            gsi1: None,
            expires_at: None,
            attrs: serde_json::Map::new(),
        };
        gate.close();
        assert!(matches!(
            gate.put(&item, Condition::Always).await,
            Err(StoreError::Dynamo { .. })
        ));
        assert!(gate.get("P", "S").await.is_err());
        gate.open();
        assert!(gate.put(&item, Condition::Always).await.expect("open"));
        assert!(gate.get("P", "S").await.expect("open").is_some());
    }
}
