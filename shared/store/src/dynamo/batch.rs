//! Idempotent batch writes.
//!
//! `BatchWriteItem` takes no conditions, so "write only the new ones" is done in two steps: a consistent
//! `BatchGetItem` (100 keys per call) finds the keys already stored, then `BatchWriteItem` (25 items per call,
//! the API limit) writes the rest, retrying unprocessed items with backoff. A concurrent writer of the same new
//! key writes the same item (ids are deterministic), so the key is stored once either way.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{KeysAndAttributes, PutRequest, WriteRequest};

use super::mapping::{AttributeMap, primary_key, to_attribute_map};
use crate::error::StoreError;
use crate::item::{Item, Key, PutOutcome};
use particle_cloud::backoff::Backoff;

/// `BatchWriteItem` limit.
pub const WRITE_CHUNK: usize = 25;
/// `BatchGetItem` limit.
pub const READ_CHUNK: usize = 100;

pub(super) async fn put_new_batch(
    client: &Client,
    table: &str,
    items: &[Item],
) -> Result<Vec<PutOutcome>, StoreError> {
    // First occurrence of each key within the batch; later ones are duplicates of it.
    let mut outcomes = vec![PutOutcome::Duplicate; items.len()];
    let mut seen = HashSet::with_capacity(items.len());
    let mut firsts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if seen.insert((item.pk.as_str(), item.sk.as_str())) {
            firsts.push(i);
        }
    }
    let keys: Vec<Key> = firsts.iter().map(|&i| items[i].key()).collect();
    let existing = existing_keys(client, table, &keys).await?;
    let mut to_write = Vec::new();
    for &i in &firsts {
        let item = &items[i];
        if !existing.contains(&(item.pk.clone(), item.sk.clone())) {
            to_write.push(to_attribute_map(item)?);
            outcomes[i] = PutOutcome::Inserted;
        }
    }
    for chunk in to_write.chunks(WRITE_CHUNK) {
        write_chunk(client, table, chunk.to_vec()).await?;
    }
    Ok(outcomes)
}

async fn existing_keys(
    client: &Client,
    table: &str,
    keys: &[Key],
) -> Result<HashSet<(String, String)>, StoreError> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(READ_CHUNK) {
        let mut pending: Vec<AttributeMap> =
            chunk.iter().map(|k| primary_key(&k.pk, &k.sk)).collect();
        let mut attempt = 0;
        while !pending.is_empty() {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .projection_expression("pk, sk")
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::dynamo("BatchGetItem", e))?;
            let out = client
                .batch_get_item()
                .request_items(table, request)
                .send()
                .await
                .map_err(|e| StoreError::dynamo("BatchGetItem", e))?;
            for item in out
                .responses
                .and_then(|mut r| r.remove(table))
                .unwrap_or_default()
            {
                if let (Some(pk), Some(sk)) = (s(&item, "pk"), s(&item, "sk")) {
                    found.insert((pk, sk));
                }
            }
            pending = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(table))
                .map(|k| k.keys)
                .unwrap_or_default();
            if !pending.is_empty() {
                attempt = backoff_or_fail("BatchGetItem", attempt, pending.len()).await?;
            }
        }
    }
    Ok(found)
}

async fn write_chunk(
    client: &Client,
    table: &str,
    chunk: Vec<AttributeMap>,
) -> Result<(), StoreError> {
    let mut pending: Vec<WriteRequest> = chunk
        .into_iter()
        .map(|item| {
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| StoreError::dynamo("BatchWriteItem", e))?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<_, StoreError>>()?;
    let mut attempt = 0;
    while !pending.is_empty() {
        let out = client
            .batch_write_item()
            .request_items(table, std::mem::take(&mut pending))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("BatchWriteItem", e))?;
        pending = out
            .unprocessed_items
            .and_then(|mut u: HashMap<String, Vec<WriteRequest>>| u.remove(table))
            .unwrap_or_default();
        if !pending.is_empty() {
            attempt = backoff_or_fail("BatchWriteItem", attempt, pending.len()).await?;
        }
    }
    Ok(())
}

/// Sleeps before the next retry, or fails once the attempts are spent. Returns the next attempt number.
async fn backoff_or_fail(
    operation: &'static str,
    attempt: u32,
    remaining: usize,
) -> Result<u32, StoreError> {
    let policy = Backoff::BATCH;
    if attempt + 1 >= policy.attempts {
        return Err(StoreError::Unprocessed {
            operation,
            remaining,
            attempts: attempt + 1,
        });
    }
    tracing::debug!(operation, remaining, attempt, "retrying unprocessed items");
    tokio::time::sleep(policy.delay(attempt)).await;
    Ok(attempt + 1)
}

fn s(item: &AttributeMap, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}
