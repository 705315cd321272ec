//! DynamoDB backend.
//!
//! The endpoint follows the SDK's standard configuration, so `AWS_ENDPOINT_URL_DYNAMODB` points it at a
//! DynamoDB-compatible server for tests. Reads are strongly consistent where DynamoDB allows it (not on GSIs).

mod batch;
pub mod mapping;
pub mod stream;
pub mod table;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};

use crate::backend::ItemStore;
use crate::error::StoreError;
use crate::item::{Condition, Cursor, Index, Item, Page, PutOutcome, Query, SkRange};
pub use mapping::{AttributeMap, from_attribute_map, to_attribute_map};

/// Name of the one global secondary index.
pub const GSI1: &str = "gsi1";

/// Items in a table, through a shared SDK client.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// A store over `table`; build the client once per process.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// A store over `table` with a client built from `config` (a function shares one configuration between all
    /// of its AWS clients: `particle_lambda::aws::config`).
    pub fn from_config(config: &aws_config::SdkConfig, table: impl Into<String>) -> Self {
        DynamoStore::new(Client::new(config), table)
    }

    /// A client from the default AWS configuration chain (environment, profile, IMDS/container credentials).
    pub async fn default_client() -> Client {
        let config = crate::aws::defaults().load().await;
        Client::new(&config)
    }

    /// The SDK client, for callers that need table administration.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }
}

impl DynamoStore {
    /// One `Query` call: the items it returned (expired ones filtered out) and its `LastEvaluatedKey`.
    async fn query_once(
        &self,
        query: &Query,
        limit: Option<u32>,
        start_after: Option<Cursor>,
    ) -> Result<(Vec<Item>, Option<Cursor>), StoreError> {
        let (pk_name, sk_name) = match query.index {
            Index::Primary => ("pk", "sk"),
            Index::Gsi1 => ("gsi1pk", "gsi1sk"),
        };
        let now = particle_events::clock::now_unix();
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", AttributeValue::S(query.pk.clone()))
            .filter_expression("attribute_not_exists(#exp) OR #exp > :now")
            .expression_attribute_names("#exp", "expires_at")
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .scan_index_forward(!query.descending)
            .set_limit(limit.map(|l| l.min(i32::MAX as u32) as i32))
            .set_exclusive_start_key(start_after.as_ref().map(mapping::cursor_key));
        request = match &query.sk {
            SkRange::All => request.key_condition_expression("#pk = :pk"),
            SkRange::BeginsWith(prefix) => request
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :a)")
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":a", AttributeValue::S(prefix.clone())),
            SkRange::Between(a, b) => request
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :a AND :b")
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":a", AttributeValue::S(a.clone()))
                .expression_attribute_values(":b", AttributeValue::S(b.clone())),
        };
        request = match query.index {
            Index::Primary => request.consistent_read(true),
            Index::Gsi1 => request.index_name(GSI1),
        };
        let out = request
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        let next = out
            .last_evaluated_key
            .as_ref()
            .and_then(mapping::key_cursor);
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_attribute_map)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((items, next))
    }
}

#[async_trait]
impl ItemStore for DynamoStore {
    async fn put_new(&self, item: &Item) -> Result<PutOutcome, StoreError> {
        if self.put(item, Condition::Absent).await? {
            Ok(PutOutcome::Inserted)
        } else {
            Ok(PutOutcome::Duplicate)
        }
    }

    async fn put_new_batch(&self, items: &[Item]) -> Result<Vec<PutOutcome>, StoreError> {
        batch::put_new_batch(self, items).await
    }

    async fn put(&self, item: &Item, condition: Condition) -> Result<bool, StoreError> {
        let map = to_attribute_map(item)?;
        let now = AttributeValue::N(particle_events::clock::now_unix().to_string());
        let mut request = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(map));
        // An expired item is absent even before TTL deletes it (DynamoDB sweeps within days, not at once).
        request = match &condition {
            Condition::Always => request,
            Condition::Absent => request
                .condition_expression("attribute_not_exists(pk) OR #exp <= :now")
                .expression_attribute_names("#exp", "expires_at")
                .expression_attribute_values(":now", now),
            Condition::IntEquals { attr, value } => request
                .condition_expression("#c = :c AND (attribute_not_exists(#exp) OR #exp > :now)")
                .expression_attribute_names("#c", attr)
                .expression_attribute_names("#exp", "expires_at")
                .expression_attribute_values(":c", AttributeValue::N(value.to_string()))
                .expression_attribute_values(":now", now),
            Condition::AbsentOrIntLess { attr, value } => request
                .condition_expression("attribute_not_exists(pk) OR #exp <= :now OR #c < :c")
                .expression_attribute_names("#c", attr)
                .expression_attribute_names("#exp", "expires_at")
                .expression_attribute_values(":c", AttributeValue::N(value.to_string()))
                .expression_attribute_values(":now", now),
        };
        // The old item is not needed; asking for NONE keeps the failure response small.
        request = request
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::None);
        match request.send().await {
            Ok(_) => Ok(true),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(err) => Err(StoreError::dynamo("PutItem", err)),
        }
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(mapping::primary_key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        let now = particle_events::clock::now_unix();
        Ok(out
            .item
            .map(from_attribute_map)
            .transpose()?
            .filter(|item| !item.is_expired(now)))
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        // The expiry filter runs after `Limit` is applied, so one call may return fewer items than asked (even
        // none) with a cursor. Keep reading, asking only for what is still missing, until the page is full or
        // the partition ends; the last call's `LastEvaluatedKey` is a correct cursor either way (what it skipped
        // had expired).
        let mut page = Page::default();
        let mut start = query.start_after.clone();
        loop {
            let limit = match query.limit {
                Some(limit) => Some(limit.saturating_sub(page.items.len() as u32).max(1)),
                None => None,
            };
            let (items, next) = self.query_once(query, limit, start.take()).await?;
            page.items.extend(items);
            page.next = next;
            let full = query
                .limit
                .is_some_and(|limit| page.items.len() >= limit as usize);
            match &page.next {
                Some(cursor) if !full && query.limit.is_some() => start = Some(cursor.clone()),
                _ => return Ok(page),
            }
        }
    }

    fn describe(&self) -> String {
        format!("dynamodb:{}", self.table)
    }
}
