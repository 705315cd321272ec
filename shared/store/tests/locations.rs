//! The location and geolocation cache repositories on both backends: history once per event, newer-only latest
//! location, cache entries found and not-found, expired entries never served.

use std::sync::Arc;

use particle_store::repo::geocache::NEGATIVE_TTL_SECONDS;
use particle_store::{
    CachedPlace, GeocacheEntry, GeocacheRepo, ItemStore, LocationRecord, LocationRepo, PutOutcome,
    Record, keys,
};

particle_store::both_backends!(
    history_once_and_latest_only_if_newer,
    cache_found_and_not_found,
    expired_cache_entries_are_never_served,
);

const DEVICE: &str = "e00fce68b1b2c3d4e5f60718";

fn location(published_at: &str, ms: i64, id: &str, lat: f64) -> LocationRecord {
    LocationRecord {
        coreid: DEVICE.into(),
        published_at: published_at.into(),
        published_ms: ms,
        event_id: id.into(),
        lat,
        lng: -75.195375,
        accuracy: 4737.0,
        source: "wifi".into(),
        provider: Some("google".into()),
        cached: false,
        located_at: "2026-11-26T22:58:02.000Z".into(),
    }
}

async fn history_once_and_latest_only_if_newer(store: Arc<dyn ItemStore>) {
    let repo = LocationRepo::new(store.clone());
    let newer = location(
        "2026-11-26T22:58:01.123Z",
        1_795_733_881_123,
        "b",
        42.3857729,
    );
    let older = location("2026-11-26T22:50:00.000Z", 1_795_733_400_000, "a", 41.5);
    let first = repo.record(&newer).await.unwrap();
    assert_eq!(first.history, PutOutcome::Inserted);
    assert!(first.latest_updated);
    let late = repo.record(&older).await.unwrap();
    assert_eq!(
        late.history,
        PutOutcome::Inserted,
        "history keeps the old event"
    );
    assert!(
        !late.latest_updated,
        "an older event never moves the device back"
    );
    assert_eq!(repo.latest(DEVICE).await.unwrap(), Some(newer.clone()));
    let again = repo.record(&newer).await.unwrap();
    assert_eq!(again.history, PutOutcome::Duplicate);
    assert!(!again.latest_updated);
    assert_eq!(
        repo.get(DEVICE, &newer.published_at, "b").await.unwrap(),
        Some(newer.clone())
    );
    assert_eq!(
        repo.get(DEVICE, &newer.published_at, "zz").await.unwrap(),
        None
    );
    let item = store
        .get(&keys::device_pk(DEVICE), &newer.key().sk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.attrs["type"], "location");
    assert!(item.sk.starts_with("LOCATION#2026-11-26T22:58:01.123Z#"));
    assert_eq!(item.expires_at, None);
}

async fn cache_found_and_not_found(store: Arc<dyn ItemStore>) {
    let repo = GeocacheRepo::new(store);
    let now = particle_events::clock::now_unix();
    let place = CachedPlace {
        lat: 42.3857729,
        lng: -75.195375,
        accuracy: 4737.0,
        provider: "google".into(),
    };
    let hash = "ab".repeat(32);
    assert_eq!(repo.get(&hash).await.unwrap(), None);
    let found = GeocacheEntry::found(&hash, place, now, 3600 * 168);
    repo.put(&found).await.unwrap();
    assert_eq!(repo.get(&hash).await.unwrap(), Some(found));
    let other = "cd".repeat(32);
    let missing = GeocacheEntry::not_found(&other, now);
    assert_eq!(missing.expires_at, now + NEGATIVE_TTL_SECONDS);
    repo.put(&missing).await.unwrap();
    let read = repo.get(&other).await.unwrap().unwrap();
    assert_eq!(read.place, None);
    assert_eq!(read.scan_hash, other);
}

async fn expired_cache_entries_are_never_served(store: Arc<dyn ItemStore>) {
    let repo = GeocacheRepo::new(store);
    let now = particle_events::clock::now_unix();
    let hash = "ef".repeat(32);
    // Written two hours ago: a not-found lives one hour.
    repo.put(&GeocacheEntry::not_found(&hash, now - 7200))
        .await
        .unwrap();
    assert_eq!(repo.get(&hash).await.unwrap(), None);
    // Replaced by a fresh entry, it is served again.
    repo.put(&GeocacheEntry::not_found(&hash, now))
        .await
        .unwrap();
    assert!(repo.get(&hash).await.unwrap().is_some());
}
