//! Helpers for tests that need a real backend: a fresh DynamoDB table on a local DynamoDB-compatible server, or a
//! fresh SQLite file. Used by this crate's contract tests and by the functions' tests.
//!
//! The DynamoDB server comes from `AWS_ENDPOINT_URL_DYNAMODB` (or `AWS_ENDPOINT_URL`), which `make test` sets
//! after starting moto on 127.0.0.1. Without it these helpers fail loudly rather than skip: a missing server
//! must never look like a green run. They refuse any endpoint that is not on the loopback interface, so a test
//! can never create tables in a real AWS account.

use std::sync::atomic::{AtomicU32, Ordering};

#[cfg(feature = "dynamodb")]
use aws_sdk_dynamodb::Client;
#[cfg(feature = "dynamodb")]
use aws_sdk_dynamodb::config::{Credentials, Region};

#[cfg(feature = "dynamodb")]
use crate::dynamo::{DynamoStore, table::create_table};
#[cfg(feature = "sqlite")]
use crate::sqlite::SqliteStore;

/// The local DynamoDB endpoint tests use.
pub fn dynamo_endpoint() -> String {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|_| {
            panic!(
                "DynamoDB tests need a DynamoDB-compatible server on 127.0.0.1: run `make test` (it starts moto), \
                 or start one and set AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:<port>"
            )
        });
    let host = endpoint
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split([':', '/'])
        .next()
        .unwrap_or("");
    assert!(
        matches!(host, "127.0.0.1" | "localhost" | "[::1]"),
        "refusing to run tests against {endpoint}: tests only talk to a local DynamoDB-compatible server"
    );
    endpoint
}

/// A client for the local server, with dummy credentials.
#[cfg(feature = "dynamodb")]
pub async fn dynamo_client() -> Client {
    let config = crate::aws::defaults()
        .endpoint_url(dynamo_endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .load()
        .await;
    Client::new(&config)
}

/// A unique table name for one test.
pub fn unique_table(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store over a new, empty table on the local server.
#[cfg(feature = "dynamodb")]
pub async fn dynamo_store() -> DynamoStore {
    let client = dynamo_client().await;
    let table = unique_table("test");
    if let Err(e) = create_table(&client, &table).await {
        panic!("creating test table {table} on {}: {e}", dynamo_endpoint());
    }
    DynamoStore::new(client, table)
}

/// A store over a new SQLite file in a temporary directory (kept alive by the returned guard).
#[cfg(feature = "sqlite")]
pub async fn sqlite_store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("creating a temporary directory: {e}"));
    let store = SqliteStore::open(dir.path().join("store.db"))
        .await
        .unwrap_or_else(|e| panic!("opening test SQLite store: {e}"));
    (store, dir)
}

/// Runs each listed `async fn name(store: Arc<dyn ItemStore>)` as two tests, `sqlite::name` and
/// `dynamodb::name`, each on a fresh backend. The calling crate needs `tokio` (with `macros`).
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _dir) = $crate::testing::sqlite_store().await;
                    super::$name(std::sync::Arc::new(store)).await;
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(std::sync::Arc::new($crate::testing::dynamo_store().await)).await;
                }
            )*
        }
    };
}
