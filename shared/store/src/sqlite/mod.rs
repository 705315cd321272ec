//! Embedded SQLite backend: the default for local runs, no server and no AWS needed.
//!
//! Safe for several processes on one file (`cargo lambda watch` runs each function as its own process): WAL
//! journaling, a busy timeout instead of immediate `SQLITE_BUSY`, and `BEGIN IMMEDIATE` for multi-row writes so
//! two writers never deadlock upgrading read locks. `synchronous=FULL`, so a write is durable once it returns.
//! rusqlite is synchronous, so every call runs on tokio's blocking pool.
//!
//! Expiry: every read filters on `expires_at` in SQL, `put_new` replaces an expired row, and expired rows are
//! deleted when the file is opened and then at most once per [`PURGE_INTERVAL`] by a write (DynamoDB's TTL does
//! the deleting there).

mod feed;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::{Map, Value};

use crate::backend::ItemStore;
use crate::error::StoreError;
use crate::item::{Condition, Cursor, Index, Item, Page, PutOutcome, Query, SkRange};

/// How long a writer waits for another process's write to finish before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Least time between two purges of expired rows by writes.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(60);

/// Items in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    /// Unix seconds of the last purge of expired rows.
    last_purge: Arc<AtomicI64>,
    purge_interval_s: i64,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, sets it up for concurrent use, and deletes items whose
    /// `expires_at` has passed (DynamoDB does this with TTL; here it happens on open).
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let opened = path.clone();
        let conn = tokio::task::spawn_blocking(move || open_blocking(&opened))
            .await
            .map_err(|e| StoreError::sqlite("open", e))??;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            path,
            last_purge: Arc::new(AtomicI64::new(particle_events::clock::now_unix())),
            purge_interval_s: PURGE_INTERVAL.as_secs() as i64,
        })
    }

    /// The same store purging expired rows at most once per `interval` of writes (for tests; the default is
    /// [`PURGE_INTERVAL`]).
    pub fn with_purge_interval(mut self, interval: Duration) -> Self {
        self.purge_interval_s = i64::try_from(interval.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// Deletes expired rows now; returns how many.
    pub async fn purge_expired(&self) -> Result<usize, StoreError> {
        let now = particle_events::clock::now_unix();
        self.last_purge.store(now, Ordering::Relaxed);
        self.with_conn("purge", move |c| purge(c, now)).await
    }

    /// Whether this write should purge first: once per interval, claimed by one caller.
    fn purge_due(&self, now: i64) -> bool {
        let last = self.last_purge.load(Ordering::Relaxed);
        now.saturating_sub(last) >= self.purge_interval_s
            && self
                .last_purge
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn with_conn<T, F>(&self, operation: &'static str, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A poisoned lock only means another call panicked mid-statement; SQLite itself rolled back.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::sqlite(operation, e))?
        .map_err(|e| StoreError::sqlite(operation, e))
    }
}

fn open_blocking(path: &Path) -> Result<Connection, StoreError> {
    let err = |e: rusqlite::Error| StoreError::sqlite("open", format!("{}: {e}", path.display()));
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::sqlite(
            "open",
            format!("{}: could not enable WAL (got {mode})", path.display()),
        ));
    }
    conn.execute_batch("PRAGMA synchronous=FULL;")
        .map_err(err)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    if version > schema::SCHEMA_VERSION {
        return Err(StoreError::sqlite(
            "open",
            format!(
                "{}: schema version {version} is newer than this program's {}",
                path.display(),
                schema::SCHEMA_VERSION
            ),
        ));
    }
    conn.execute_batch(schema::CREATE).map_err(err)?;
    conn.execute_batch(&format!("PRAGMA user_version={}", schema::SCHEMA_VERSION))
        .map_err(err)?;
    purge(&conn, particle_events::clock::now_unix()).map_err(err)?;
    Ok(conn)
}

/// Deletes the rows expired at `now`.
fn purge(conn: &Connection, now: i64) -> Result<usize, rusqlite::Error> {
    let purged = conn.execute(
        "DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at <= ?1",
        [now],
    )?;
    if purged > 0 {
        tracing::info!(purged, "deleted expired items");
    }
    Ok(purged)
}

/// The SQL condition "this row has not expired at `?{n}`".
fn live(n: usize) -> String {
    format!("(expires_at IS NULL OR expires_at > ?{n})")
}

/// An item's columns, ready to bind.
struct Row6 {
    pk: String,
    sk: String,
    gsi1pk: Option<String>,
    gsi1sk: Option<String>,
    expires_at: Option<i64>,
    attrs: String,
}

impl Row6 {
    fn from_item(item: &Item) -> Result<Self, StoreError> {
        item.check()?;
        let attrs = serde_json::to_string(&item.attrs).map_err(|e| StoreError::InvalidItem {
            pk: item.pk.clone(),
            sk: item.sk.clone(),
            reason: e.to_string(),
        })?;
        Ok(Row6 {
            pk: item.pk.clone(),
            sk: item.sk.clone(),
            gsi1pk: item.gsi1.as_ref().map(|g| g.0.clone()),
            gsi1sk: item.gsi1.as_ref().map(|g| g.1.clone()),
            expires_at: item.expires_at,
            attrs,
        })
    }
}

/// Inserts a row unless an unexpired row has its key; an expired row is replaced (`?7` is now). SQLite counts a
/// conflict whose `DO UPDATE ... WHERE` is false as no change, so `changes() == 1` means "inserted".
const INSERT_NEW: &str = "INSERT INTO items (pk, sk, gsi1pk, gsi1sk, expires_at, attrs) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (pk, sk) DO UPDATE SET gsi1pk = excluded.gsi1pk, gsi1sk = excluded.gsi1sk, \
     expires_at = excluded.expires_at, attrs = excluded.attrs \
     WHERE items.expires_at IS NOT NULL AND items.expires_at <= ?7";

fn read_row(row: &Row<'_>) -> Result<Item, rusqlite::Error> {
    let pk: String = row.get(0)?;
    let sk: String = row.get(1)?;
    let gsi1 = match (
        row.get::<_, Option<String>>(2)?,
        row.get::<_, Option<String>>(3)?,
    ) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let attrs_text: String = row.get(5)?;
    let attrs: Map<String, Value> = serde_json::from_str(&attrs_text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Item {
        pk,
        sk,
        gsi1,
        expires_at: row.get(4)?,
        attrs,
    })
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[async_trait]
impl ItemStore for SqliteStore {
    async fn put_new(&self, item: &Item) -> Result<PutOutcome, StoreError> {
        let row = Row6::from_item(item)?;
        let now = particle_events::clock::now_unix();
        let purge_first = self.purge_due(now);
        let changed = self
            .with_conn("insert", move |c| {
                if purge_first {
                    purge(c, now)?;
                }
                c.execute(
                    INSERT_NEW,
                    params![
                        row.pk,
                        row.sk,
                        row.gsi1pk,
                        row.gsi1sk,
                        row.expires_at,
                        row.attrs,
                        now
                    ],
                )
            })
            .await?;
        Ok(if changed == 1 {
            PutOutcome::Inserted
        } else {
            PutOutcome::Duplicate
        })
    }

    async fn put_new_batch(&self, items: &[Item]) -> Result<Vec<PutOutcome>, StoreError> {
        let rows = items
            .iter()
            .map(Row6::from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let now = particle_events::clock::now_unix();
        let purge_first = self.purge_due(now);
        // One IMMEDIATE transaction: writers of the same keys (other connections, other processes) are serialised,
        // so each key is inserted by exactly one of them and the first copy stays.
        self.with_conn("batch insert", move |c| {
            if purge_first {
                purge(c, now)?;
            }
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut outcomes = Vec::with_capacity(rows.len());
            {
                let mut stmt = tx.prepare_cached(INSERT_NEW)?;
                for r in &rows {
                    let changed = stmt.execute(params![
                        r.pk,
                        r.sk,
                        r.gsi1pk,
                        r.gsi1sk,
                        r.expires_at,
                        r.attrs,
                        now
                    ])?;
                    outcomes.push(if changed == 1 {
                        PutOutcome::Inserted
                    } else {
                        PutOutcome::Duplicate
                    });
                }
            }
            tx.commit()?;
            Ok(outcomes)
        })
        .await
    }

    async fn put(&self, item: &Item, condition: Condition) -> Result<bool, StoreError> {
        let r = Row6::from_item(item)?;
        let now = particle_events::clock::now_unix();
        match condition {
            Condition::Absent => Ok(self.put_new(item).await? == PutOutcome::Inserted),
            Condition::Always => {
                let purge_first = self.purge_due(now);
                self.with_conn("replace", move |c| {
                    if purge_first {
                        purge(c, now)?;
                    }
                    c.execute(
                        "INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, expires_at, attrs) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![r.pk, r.sk, r.gsi1pk, r.gsi1sk, r.expires_at, r.attrs],
                    )
                })
                .await?;
                Ok(true)
            }
            Condition::AbsentOrIntLess { attr, value } => {
                if !is_plain_name(&attr) {
                    return Err(StoreError::InvalidItem {
                        pk: item.pk.clone(),
                        sk: item.sk.clone(),
                        reason: format!("condition attribute {attr:?} must match [A-Za-z0-9_]+"),
                    });
                }
                // Insert, or on conflict replace when the stored row has expired or its attribute is smaller.
                // A missing attribute extracts as NULL, and `NULL < ?` is not true: such a row stays.
                let sql = "INSERT INTO items (pk, sk, gsi1pk, gsi1sk, expires_at, attrs) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (pk, sk) DO UPDATE SET gsi1pk = excluded.gsi1pk, gsi1sk = excluded.gsi1sk, \
                     expires_at = excluded.expires_at, attrs = excluded.attrs \
                     WHERE (items.expires_at IS NOT NULL AND items.expires_at <= ?7) \
                     OR json_extract(items.attrs, '$.' || ?8) < ?9";
                let purge_first = self.purge_due(now);
                let changed = self
                    .with_conn("conditional upsert", move |c| {
                        if purge_first {
                            purge(c, now)?;
                        }
                        c.execute(
                            sql,
                            params![
                                r.pk,
                                r.sk,
                                r.gsi1pk,
                                r.gsi1sk,
                                r.expires_at,
                                r.attrs,
                                now,
                                attr,
                                value
                            ],
                        )
                    })
                    .await?;
                Ok(changed == 1)
            }
            Condition::IntEquals { attr, value } => {
                if !is_plain_name(&attr) {
                    return Err(StoreError::InvalidItem {
                        pk: item.pk.clone(),
                        sk: item.sk.clone(),
                        reason: format!("condition attribute {attr:?} must match [A-Za-z0-9_]+"),
                    });
                }
                let sql = format!(
                    "UPDATE items SET gsi1pk = ?3, gsi1sk = ?4, expires_at = ?5, attrs = ?6 \
                     WHERE pk = ?1 AND sk = ?2 AND json_extract(attrs, '$.' || ?7) = ?8 AND {}",
                    live(9)
                );
                let changed = self
                    .with_conn("conditional update", move |c| {
                        c.execute(
                            &sql,
                            params![
                                r.pk,
                                r.sk,
                                r.gsi1pk,
                                r.gsi1sk,
                                r.expires_at,
                                r.attrs,
                                attr,
                                value,
                                now
                            ],
                        )
                    })
                    .await?;
                Ok(changed == 1)
            }
        }
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        let (pk, sk) = (pk.to_owned(), sk.to_owned());
        let now = particle_events::clock::now_unix();
        self.with_conn("get", move |c| {
            c.prepare_cached(&format!(
                "SELECT {} FROM items WHERE pk = ?1 AND sk = ?2 AND {}",
                schema::COLUMNS,
                live(3)
            ))?
            .query_row(params![pk, sk, now], read_row)
            .optional()
        })
        .await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        let query = query.clone();
        let now = particle_events::clock::now_unix();
        self.with_conn("query", move |c| run_query(c, &query, now))
            .await
    }

    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }
}

fn run_query(c: &Connection, q: &Query, now: i64) -> Result<Page, rusqlite::Error> {
    let (pk_col, sk_col) = match q.index {
        Index::Primary => ("pk", "sk"),
        Index::Gsi1 => ("gsi1pk", "gsi1sk"),
    };
    let mut sql = format!(
        "SELECT {} FROM items WHERE {pk_col} = ?1 AND {}",
        schema::COLUMNS,
        live(2)
    );
    let mut args: Vec<Sql> = vec![Sql::Text(q.pk.clone()), Sql::Integer(now)];
    match &q.sk {
        SkRange::All => {}
        SkRange::BeginsWith(prefix) => {
            args.push(Sql::Text(prefix.clone()));
            let n = args.len();
            sql.push_str(&format!(
                " AND {sk_col} >= ?{n} AND substr({sk_col}, 1, length(?{n})) = ?{n}"
            ));
        }
        SkRange::Between(a, b) => {
            args.push(Sql::Text(a.clone()));
            args.push(Sql::Text(b.clone()));
            let n = args.len();
            sql.push_str(&format!(" AND {sk_col} BETWEEN ?{} AND ?{n}", n - 1));
        }
    }
    let cmp = if q.descending { "<" } else { ">" };
    let dir = if q.descending { "DESC" } else { "ASC" };
    if let Some(cursor) = &q.start_after {
        match (q.index, &cursor.gsi1) {
            (Index::Gsi1, Some((_, gsk))) => {
                args.extend([gsk, &cursor.pk, &cursor.sk].map(|v| Sql::Text(v.clone())));
                let n = args.len();
                sql.push_str(&format!(
                    " AND (gsi1sk, pk, sk) {cmp} (?{}, ?{}, ?{n})",
                    n - 2,
                    n - 1
                ));
            }
            _ => {
                args.push(Sql::Text(cursor.sk.clone()));
                sql.push_str(&format!(" AND sk {cmp} ?{}", args.len()));
            }
        }
    }
    match q.index {
        Index::Primary => sql.push_str(&format!(" ORDER BY sk {dir}")),
        Index::Gsi1 => sql.push_str(&format!(" ORDER BY gsi1sk {dir}, pk {dir}, sk {dir}")),
    }
    if let Some(limit) = q.limit {
        // One extra row tells whether another page follows.
        sql.push_str(&format!(" LIMIT {}", u64::from(limit) + 1));
    }
    let mut stmt = c.prepare_cached(&sql)?;
    let mut items = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), read_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut next = None;
    if let Some(limit) = q.limit
        && items.len() > limit as usize
    {
        items.truncate(limit as usize);
        next = items.last().map(Cursor::after);
    }
    Ok(Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(path: &Path) -> i64 {
        Connection::open(path)
            .and_then(|c| c.query_row("SELECT count(*) FROM items", [], |r| r.get(0)))
            .unwrap_or(-1)
    }

    fn item(sk: &str, expires_at: Option<i64>) -> Item {
        Item {
            pk: "P".into(),
            sk: sk.into(),
            gsi1: None,
            expires_at,
            attrs: Map::new(),
        }
    }

    /// Expired rows are deleted by writes while the store runs, not only when the file is opened.
    #[tokio::test]
    async fn writes_purge_expired_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("purge.db");
        let store = SqliteStore::open(&path).await.unwrap();
        let now = particle_events::clock::now_unix();
        store
            .put(&item("old", Some(now - 1)), Condition::Always)
            .await
            .unwrap();
        store.put_new(&item("live", None)).await.unwrap();
        assert_eq!(
            count(&path),
            2,
            "within the purge interval nothing is deleted"
        );
        let store = store.with_purge_interval(Duration::ZERO);
        store
            .put_new(&item("another", Some(now + 600)))
            .await
            .unwrap();
        assert_eq!(
            count(&path),
            2,
            "the expired row is gone, the new one stored"
        );
        assert_eq!(store.get("P", "old").await.unwrap(), None);
        store
            .put(&item("old2", Some(now - 1)), Condition::Always)
            .await
            .unwrap();
        assert_eq!(store.purge_expired().await.unwrap(), 1);
    }
}
