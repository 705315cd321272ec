//! The store: one logical table of items (`pk`, `sk`, an optional GSI key pair, an optional TTL and JSON
//! attributes), two backends, and the repositories the functions write through.
//!
//! Module map:
//! - [`item`]: [`Item`], [`Key`], [`Condition`], [`Query`], [`Page`], [`PutOutcome`]; expiry ([`Item::is_expired`]).
//! - [`keys`]: every `pk`/`sk`/`gsi1` key of the data model (events, locations, geolocation cache, replies,
//!   pending commands, deliveries, stream state and gaps).
//! - [`record`]: the one record mapping, [`Record`]: a domain type's key, `gsi1` keys, TTL, `type` and
//!   attributes, declared once and stored by both backends.
//! - [`aws`] (feature `dynamodb`): the SDK configuration loader every AWS client starts from (its HTTPS client:
//!   rustls over ring).
//! - [`backend`]: the [`ItemStore`] trait every backend implements (and its expiry contract).
//! - [`error`]: the error type, [`StoreError`].
//! - [`setting`]: the `STORE` setting (`dynamodb:<table>` | `sqlite:<path>`) and [`open`].
//! - [`dynamo`] (feature `dynamodb`): DynamoDB backend (conditional puts on every write of a new item, expiry
//!   filtered on read, GSI, TTL); [`dynamo::stream`]: items as DynamoDB stream images (both directions).
//! - [`sqlite`] (feature `sqlite`): embedded SQLite backend (WAL, safe for several processes on one file;
//!   expiry filtered in SQL, expired rows purged while running); `events_received_since`, the local change feed.
//! - [`repo`]: repositories on top of the trait (events, locations, geolocation cache; `event_from_stream_image`
//!   for stream handlers), so domain code is written once.
//! - [`testing`]: fresh backends for tests (a table on a local DynamoDB-compatible server, a temp SQLite file).
//!
//! Both backend features are on by default; a binary that opens only one can turn the other off
//! (`default-features = false, features = ["dynamodb"]`), and then `STORE` naming it is a configuration error.

#[cfg(feature = "dynamodb")]
pub mod aws;
pub mod backend;
#[cfg(feature = "dynamodb")]
pub mod dynamo;
pub mod error;
pub mod item;
pub mod keys;
pub mod record;
pub mod repo;
pub mod setting;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod testing;

pub use backend::ItemStore;
pub use error::StoreError;
pub use item::{Condition, Cursor, Index, Item, Key, Page, PutOutcome, Query, SkRange};
pub use record::Record;
pub use repo::events::{BatchSummary, EventRepo, Retention, TimeRange};
pub use repo::geocache::{CachedPlace, GeocacheEntry, GeocacheRepo};
pub use repo::locations::{LatestLocation, LocationRecord, LocationRepo, Recorded};
pub use setting::{StoreSetting, open};
