//! The store: one logical table of items (`pk`, `sk`, an optional GSI key pair, an optional TTL and JSON
//! attributes), two backends, and the repositories the functions write through.
//!
//! Module map:
//! - [`item`]: [`Item`], [`Key`], [`Condition`], [`Query`], [`Page`], [`PutOutcome`].
//! - [`backend`]: the [`ItemStore`] trait every backend implements.
//! - [`error`]: the error type, [`StoreError`].
//! - [`setting`]: the `STORE` setting (`dynamodb:<table>` | `sqlite:<path>`) and [`open`].
//! - [`dynamo`]: DynamoDB backend (conditional puts, `BatchWriteItem` in chunks of 25 with retries, GSI, TTL).
//! - [`sqlite`]: embedded SQLite backend (WAL, safe for several processes on one file).
//! - [`repo`]: repositories on top of the trait (events first), so domain code is written once.
//! - [`testing`]: fresh backends for tests (a table on a local DynamoDB-compatible server, a temp SQLite file).

pub mod backend;
pub mod dynamo;
pub mod error;
pub mod item;
pub mod repo;
pub mod setting;
pub mod sqlite;
pub mod testing;

pub use backend::ItemStore;
pub use error::StoreError;
pub use item::{Condition, Cursor, Index, Item, Key, Page, PutOutcome, Query, SkRange};
pub use repo::events::{BatchSummary, EventRepo, Retention, TimeRange};
pub use setting::{StoreSetting, open};
