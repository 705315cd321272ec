//! A change feed over a SQLite file, for local runs: the events stored since a point in time, in the order they
//! were received, across every device. DynamoDB has its stream for this; a SQLite file has none, so the local
//! change feed (`forward --feed`) polls this instead.
//!
//! Events are ordered by their `received_at` attribute (set by the function that stored them). Two processes
//! may commit slightly out of that order, so a caller re-reads a short window behind its cursor and skips the
//! keys it already handed on.

use rusqlite::params;

use super::{SqliteStore, live, read_row, schema};
use crate::error::StoreError;
use crate::item::Item;
use crate::keys;

impl SqliteStore {
    /// Unexpired event items whose `received_at` is at or after `since` (RFC 3339 UTC, as events carry it),
    /// oldest first, at most `limit`.
    pub async fn events_received_since(
        &self,
        since: &str,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let since = since.to_owned();
        let pattern = format!("{}%", keys::EVENT);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let now = particle_events::clock::now_unix();
        self.with_conn("events_received_since", move |c| {
            let sql = format!(
                "SELECT {} FROM items WHERE sk LIKE ?1 AND json_extract(attrs, '$.received_at') >= ?2 AND {} \
                 ORDER BY json_extract(attrs, '$.received_at'), pk, sk LIMIT ?4",
                schema::COLUMNS,
                live(3)
            );
            let mut stmt = c.prepare_cached(&sql)?;
            stmt.query_map(params![pattern, since, now, limit], read_row)?
                .collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use particle_events::{Event, Source};

    use crate::backend::ItemStore;
    use crate::repo::events::{EventRepo, Retention, item_event};

    fn event(id: &str, coreid: &str, received_at: &str) -> Event {
        Event {
            id: id.into(),
            name: "t".into(),
            data: "1".into(),
            coreid: coreid.into(),
            published_at: "2026-11-26T10:00:00.000Z".into(),
            product_id: None,
            fw_version: None,
            particle_event_id: None,
            source: Source::Webhook,
            received_at: received_at.into(),
        }
    }

    #[tokio::test]
    async fn events_in_received_order_across_devices() {
        let (store, _dir) = crate::testing::sqlite_store().await;
        let store = Arc::new(store);
        let repo = EventRepo::new(store.clone() as Arc<dyn ItemStore>, Retention::Forever);
        for (id, dev, at) in [
            ("c3", "0b", "2026-11-26T10:00:03.000Z"),
            ("a1", "0a", "2026-11-26T10:00:01.000Z"),
            ("b2", "0c", "2026-11-26T10:00:02.000Z"),
        ] {
            repo.put(&event(id, dev, at)).await.unwrap();
        }
        // A non-event item in a device partition is not part of the feed.
        store
            .put(
                &crate::item::Item {
                    pk: "DEVICE#0a".into(),
                    sk: "DELIVERY#x".into(),
                    gsi1: None,
                    expires_at: None,
                    attrs: Default::default(),
                },
                crate::item::Condition::Always,
            )
            .await
            .unwrap();
        let ids = |items: Vec<crate::item::Item>| {
            items
                .into_iter()
                .map(|i| item_event(i).unwrap().id)
                .collect::<Vec<_>>()
        };
        let all = store.events_received_since("", 10).await.unwrap();
        assert_eq!(ids(all), ["a1", "b2", "c3"]);
        let later = store
            .events_received_since("2026-11-26T10:00:02.000Z", 10)
            .await
            .unwrap();
        assert_eq!(ids(later), ["b2", "c3"]);
        let one = store.events_received_since("", 1).await.unwrap();
        assert_eq!(ids(one), ["a1"]);
    }
}
