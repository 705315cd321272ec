//! Idempotent batch writes: one conditional `PutItem` per new key, up to [`IN_FLIGHT`] at a time.
//!
//! `BatchWriteItem` takes no conditions, and reading first (`BatchGetItem`) then writing unconditionally loses
//! to any writer that stores the same key in between: the later copy replaced the first (an `ingest` copy with
//! `particle_event_id`, `product_id`, `fw_version` and its `source`), and both writers counted it as stored.
//! Conditional puts make DynamoDB decide: the first copy stays, exactly one writer sees `Inserted`. A put costs
//! the same write capacity as a batched one; the price is one request per item, run concurrently so a batch of
//! 25 still takes about one round trip. The SDK retries throttled puts itself.

use std::collections::HashSet;

use futures_util::stream::{self, StreamExt};

use super::DynamoStore;
use crate::backend::ItemStore;
use crate::error::StoreError;
use crate::item::{Condition, Item, PutOutcome};

/// Conditional puts in flight at once (the old `BatchWriteItem` chunk size, so a batch still takes about one
/// round trip).
pub const IN_FLIGHT: usize = 25;

pub(super) async fn put_new_batch(
    store: &DynamoStore,
    items: &[Item],
) -> Result<Vec<PutOutcome>, StoreError> {
    // Check everything first so an invalid item fails the batch before anything is written.
    for item in items {
        item.check()?;
    }
    // First occurrence of each key within the batch; later ones are duplicates of it.
    let mut outcomes = vec![PutOutcome::Duplicate; items.len()];
    let mut seen = HashSet::with_capacity(items.len());
    let firsts: Vec<usize> = (0..items.len())
        .filter(|&i| seen.insert((items[i].pk.as_str(), items[i].sk.as_str())))
        .collect();
    let mut puts = stream::iter(firsts)
        .map(|i| async move {
            let written = store.put(&items[i], Condition::Absent).await;
            (i, written)
        })
        .buffer_unordered(IN_FLIGHT);
    while let Some((i, written)) = puts.next().await {
        // A failure (after the SDK's retries) ends the batch: no new puts start, and the caller retries the whole
        // batch, where what did get written comes back `Duplicate`.
        if written? {
            outcomes[i] = PutOutcome::Inserted;
        }
    }
    Ok(outcomes)
}
