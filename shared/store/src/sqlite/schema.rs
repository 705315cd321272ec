//! The SQLite schema: the same logical items as the DynamoDB table, one row each.
//!
//! `attrs` holds every other attribute as a JSON object, so users can query with SQLite's JSON functions, e.g.
//! `SELECT json_extract(attrs, '$.data') FROM items WHERE pk = 'DEVICE#...' AND sk LIKE 'EVENT#%'`.
//! Text compares byte-wise (BINARY collation), the same order DynamoDB gives string sort keys.

/// Schema version stored in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 1;

pub const CREATE: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk         TEXT NOT NULL,
    sk         TEXT NOT NULL,
    gsi1pk     TEXT,
    gsi1sk     TEXT,
    expires_at INTEGER,
    attrs      TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_expires_at ON items (expires_at) WHERE expires_at IS NOT NULL;
";

pub const COLUMNS: &str = "pk, sk, gsi1pk, gsi1sk, expires_at, attrs";
