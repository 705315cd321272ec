//! One contract, two backends: every test here runs against SQLite and against DynamoDB (a local
//! DynamoDB-compatible server; `make test` starts moto and sets `AWS_ENDPOINT_URL_DYNAMODB`).

use std::collections::HashSet;
use std::sync::Arc;

use particle_events::{Event, RawEvent, Source};
use particle_store::repo::events::{TimeRange, event_item};
use particle_store::{
    Condition, EventRepo, Index, Item, ItemStore, PutOutcome, Query, Retention, SkRange, testing,
};
use serde_json::json;

particle_store::both_backends!(
    put_new_is_idempotent,
    concurrent_duplicates_insert_once,
    batch_of_1000_with_duplicates,
    query_by_device_and_time_range,
    query_by_name_through_gsi,
    ttl_attribute_is_set,
    pagination_and_order,
    conditional_put_on_version,
    reserved_attributes_are_refused,
    batch_never_overwrites_a_stored_item,
    concurrent_batches_insert_each_key_once,
    expired_items_are_absent,
    expired_items_are_replaceable,
    query_pages_skip_expired_items,
    conditional_put_only_if_newer,
);

const DEVICE_A: &str = "0123456789abcdef01234567";
const DEVICE_B: &str = "fedcba9876543210fedcba98";

fn event(coreid: &str, name: &str, ms: u64, data: &str) -> Event {
    let published_at = format!(
        "2026-11-26T10:{:02}:{:02}.{:03}Z",
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    );
    let raw = RawEvent {
        name: Some(name),
        data: Some(data),
        coreid: Some(coreid),
        published_at: Some(&published_at),
        ..RawEvent::default()
    };
    Event::new(raw, Source::Webhook, "2026-11-26T12:00:00.000Z").expect("valid test event")
}

async fn put_new_is_idempotent(store: Arc<dyn ItemStore>) {
    let repo = EventRepo::new(store.clone(), Retention::Forever);
    let e = event(DEVICE_A, "demo", 1, "mydata");
    assert_eq!(repo.put(&e).await.unwrap(), PutOutcome::Inserted);
    assert_eq!(repo.put(&e).await.unwrap(), PutOutcome::Duplicate);
    // The same event re-received later (other received_at) is still the same item.
    let mut again = e.clone();
    again.received_at = "2030-01-01T00:00:00.000Z".into();
    assert_eq!(repo.put(&again).await.unwrap(), PutOutcome::Duplicate);
    let stored = repo
        .by_device(DEVICE_A, &TimeRange::default(), None)
        .await
        .unwrap();
    assert_eq!(stored, vec![e.clone()], "exactly the first write is stored");
    let item = event_item(&e, Retention::Forever, 0);
    let got = store
        .get(&item.pk, &item.sk)
        .await
        .unwrap()
        .expect("stored item");
    assert_eq!(got, item, "every attribute round-trips");
    assert_eq!(store.get(&item.pk, "EVENT#nope").await.unwrap(), None);
}

async fn concurrent_duplicates_insert_once(store: Arc<dyn ItemStore>) {
    let repo = EventRepo::new(store, Retention::Forever);
    let e = event(DEVICE_A, "race", 7, "same");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (repo, e) = (repo.clone(), e.clone());
            tokio::spawn(async move { repo.put(&e).await })
        })
        .collect();
    let mut inserted = 0;
    for t in tasks {
        if t.await.expect("task").expect("put") == PutOutcome::Inserted {
            inserted += 1;
        }
    }
    assert_eq!(inserted, 1, "exactly one of 50 concurrent writers inserts");
    assert_eq!(
        repo.by_device(DEVICE_A, &TimeRange::default(), None)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn batch_of_1000_with_duplicates(store: Arc<dyn ItemStore>) {
    let repo = EventRepo::new(store, Retention::Forever);
    // 100 events stored beforehand.
    let pre: Vec<Event> = (0..100)
        .map(|i| event(DEVICE_A, "batch", i, &format!("v{i}")))
        .collect();
    let (_, summary) = repo.put_many(&pre).await.unwrap();
    assert_eq!((summary.inserted, summary.duplicates), (100, 0));
    // 1,000 events: 800 new ones (ids 100..900), the 100 old ones again, and 100 repeats of new ones.
    let mut batch: Vec<Event> = (0..900)
        .map(|i| event(DEVICE_A, "batch", i, &format!("v{i}")))
        .collect();
    batch.extend((100..200).map(|i| event(DEVICE_A, "batch", i, &format!("v{i}"))));
    assert_eq!(batch.len(), 1000);
    let (outcomes, summary) = repo.put_many(&batch).await.unwrap();
    assert_eq!((summary.inserted, summary.duplicates), (800, 200));
    assert!(
        outcomes[..100].iter().all(|o| *o == PutOutcome::Duplicate),
        "pre-stored events are duplicates"
    );
    assert!(
        outcomes[100..900]
            .iter()
            .all(|o| *o == PutOutcome::Inserted)
    );
    assert!(
        outcomes[900..].iter().all(|o| *o == PutOutcome::Duplicate),
        "repeats within a batch are duplicates"
    );
    let stored = repo
        .by_device(DEVICE_A, &TimeRange::default(), Some(5000))
        .await
        .unwrap();
    assert_eq!(stored.len(), 900);
    let ids: HashSet<_> = stored.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids.len(), 900, "no event stored twice");
}

async fn query_by_device_and_time_range(store: Arc<dyn ItemStore>) {
    let repo = EventRepo::new(store, Retention::Forever);
    let a: Vec<Event> = (0..10)
        .map(|i| event(DEVICE_A, "t", i * 1000, &i.to_string()))
        .collect();
    let b: Vec<Event> = (0..3)
        .map(|i| event(DEVICE_B, "t", i * 1000, &i.to_string()))
        .collect();
    repo.put_many(&a).await.unwrap();
    repo.put_many(&b).await.unwrap();
    let range = TimeRange {
        from: Some("2026-11-26T10:00:03.000Z".into()),
        to: Some("2026-11-26T10:00:06.000Z".into()),
    };
    let got = repo.by_device(DEVICE_A, &range, None).await.unwrap();
    let data: Vec<&str> = got.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(
        data,
        ["3", "4", "5", "6"],
        "inclusive bounds, time order, one device only"
    );
    let open_end = TimeRange {
        from: Some("2026-11-26T10:00:08.000Z".into()),
        to: None,
    };
    assert_eq!(
        repo.by_device(DEVICE_A, &open_end, None)
            .await
            .unwrap()
            .len(),
        2
    );
    let open_start = TimeRange {
        from: None,
        to: Some("2026-11-26T10:00:01.000Z".into()),
    };
    assert_eq!(
        repo.by_device(DEVICE_B, &open_start, None)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        repo.by_device(DEVICE_A, &TimeRange::default(), Some(3))
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(
        repo.by_device("000000000000000000000000", &TimeRange::default(), None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn query_by_name_through_gsi(store: Arc<dyn ItemStore>) {
    let repo = EventRepo::new(store, Retention::Forever);
    let mut all = Vec::new();
    for i in 0..6 {
        all.push(event(
            if i % 2 == 0 { DEVICE_A } else { DEVICE_B },
            "temp",
            i * 1000,
            &format!("t{i}"),
        ));
        all.push(event(DEVICE_A, "humidity", i * 1000, &format!("h{i}")));
    }
    repo.put_many(&all).await.unwrap();
    let temps = repo
        .by_name("temp", &TimeRange::default(), None)
        .await
        .unwrap();
    let data: Vec<&str> = temps.iter().map(|e| e.data.as_str()).collect();
    assert_eq!(
        data,
        ["t0", "t1", "t2", "t3", "t4", "t5"],
        "both devices, time order"
    );
    let range = TimeRange {
        from: Some("2026-11-26T10:00:02.000Z".into()),
        to: Some("2026-11-26T10:00:03.000Z".into()),
    };
    let some = repo.by_name("temp", &range, None).await.unwrap();
    assert_eq!(
        some.iter().map(|e| e.data.as_str()).collect::<Vec<_>>(),
        ["t2", "t3"]
    );
    assert_eq!(
        repo.by_name("humidity", &TimeRange::default(), None)
            .await
            .unwrap()
            .len(),
        6
    );
    assert!(
        repo.by_name("tem", &TimeRange::default(), None)
            .await
            .unwrap()
            .is_empty(),
        "names match exactly"
    );
}

async fn ttl_attribute_is_set(store: Arc<dyn ItemStore>) {
    let repo = EventRepo::new(store.clone(), Retention::Days(30));
    let e = event(DEVICE_A, "ttl", 1, "x");
    let before = particle_events::clock::now_unix();
    repo.put(&e).await.unwrap();
    let key = event_item(&e, Retention::Forever, 0);
    let item = store.get(&key.pk, &key.sk).await.unwrap().expect("stored");
    let expires = item.expires_at.expect("expires_at set");
    let expected = before + 30 * 86_400;
    assert!(
        (expected..expected + 60).contains(&expires),
        "{expires} vs {expected}"
    );
    let forever = EventRepo::new(store.clone(), Retention::Forever);
    let e2 = event(DEVICE_A, "ttl", 2, "y");
    forever.put(&e2).await.unwrap();
    let key2 = event_item(&e2, Retention::Forever, 0);
    assert_eq!(
        store
            .get(&key2.pk, &key2.sk)
            .await
            .unwrap()
            .expect("stored")
            .expires_at,
        None
    );
}

fn plain(pk: &str, sk: &str, attrs: serde_json::Value) -> Item {
    Item {
        pk: pk.into(),
        sk: sk.into(),
        gsi1: None,
        expires_at: None,
        attrs: attrs.as_object().cloned().unwrap_or_default(),
    }
}

async fn pagination_and_order(store: Arc<dyn ItemStore>) {
    let items: Vec<Item> = (0..25)
        .map(|i| {
            let mut item = plain("P#1", &format!("S#{i:03}"), json!({"i": i}));
            item.gsi1 = Some(("G#1".into(), format!("{:03}", 100 - i)));
            item
        })
        .collect();
    store.put_new_batch(&items).await.unwrap();
    for (index, descending) in [
        (Index::Primary, false),
        (Index::Primary, true),
        (Index::Gsi1, false),
        (Index::Gsi1, true),
    ] {
        let mut query = Query {
            index,
            pk: if index == Index::Primary {
                "P#1".into()
            } else {
                "G#1".into()
            },
            sk: SkRange::All,
            limit: Some(7),
            descending,
            start_after: None,
        };
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let page = store.query(&query).await.unwrap();
            assert!(page.items.len() <= 7);
            pages += 1;
            seen.extend(
                page.items
                    .iter()
                    .map(|i| i.attrs["i"].as_i64().unwrap_or(-1)),
            );
            match page.next {
                Some(c) => query.start_after = Some(c),
                None => break,
            }
            assert!(pages < 10, "pagination must end");
        }
        let mut expected: Vec<i64> = (0..25).collect();
        if (index == Index::Gsi1) != descending {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{index:?} descending={descending}");
    }
    let prefixed = store
        .query_all(
            &Query {
                sk: SkRange::BeginsWith("S#01".into()),
                ..Query::partition("P#1")
            },
            100,
        )
        .await
        .unwrap();
    assert_eq!(prefixed.len(), 10);
}

async fn conditional_put_on_version(store: Arc<dyn ItemStore>) {
    let v1 = plain("STREAM#x", "STATE", json!({"ver": 1, "opens": []}));
    assert!(store.put(&v1, Condition::Absent).await.unwrap());
    assert!(
        !store.put(&v1, Condition::Absent).await.unwrap(),
        "exists already"
    );
    let v2 = plain("STREAM#x", "STATE", json!({"ver": 2, "opens": [1]}));
    assert!(
        !store
            .put(
                &v2,
                Condition::IntEquals {
                    attr: "ver".into(),
                    value: 7
                }
            )
            .await
            .unwrap(),
        "stale version"
    );
    assert!(
        store
            .put(
                &v2,
                Condition::IntEquals {
                    attr: "ver".into(),
                    value: 1
                }
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.get("STREAM#x", "STATE").await.unwrap(),
        Some(v2.clone())
    );
    let missing = plain("STREAM#y", "STATE", json!({"ver": 1}));
    assert!(
        !store
            .put(
                &missing,
                Condition::IntEquals {
                    attr: "ver".into(),
                    value: 0
                }
            )
            .await
            .unwrap(),
        "absent item never matches"
    );
    let v3 = plain("STREAM#x", "STATE", json!({"ver": 3}));
    assert!(store.put(&v3, Condition::Always).await.unwrap());
    assert_eq!(store.get("STREAM#x", "STATE").await.unwrap(), Some(v3));
}

async fn reserved_attributes_are_refused(store: Arc<dyn ItemStore>) {
    let bad = plain("A", "B", json!({"expires_at": 5}));
    assert!(store.put_new(&bad).await.is_err());
    assert!(store.put_new_batch(&[bad]).await.is_err());
    assert_eq!(store.get("A", "B").await.unwrap(), None, "nothing written");
}

/// SQLite only: two connections (as two processes would have) racing on one file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_connections_share_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let one = Arc::new(
        particle_store::sqlite::SqliteStore::open(&path)
            .await
            .unwrap(),
    );
    let two = Arc::new(
        particle_store::sqlite::SqliteStore::open(&path)
            .await
            .unwrap(),
    );
    let events: Vec<Event> = (0..200)
        .map(|i| event(DEVICE_A, "shared", i, "d"))
        .collect();
    let (r1, r2) = (
        EventRepo::new(one, Retention::Forever),
        EventRepo::new(two, Retention::Forever),
    );
    let (e1, e2) = (events.clone(), events.clone());
    let a = tokio::spawn(async move {
        let mut n = 0;
        for e in &e1 {
            n += usize::from(r1.put(e).await.unwrap() == PutOutcome::Inserted);
        }
        n
    });
    let b = tokio::spawn(async move { r2.put_many(&e2).await.unwrap().1.inserted });
    let total = a.await.unwrap() + b.await.unwrap();
    assert_eq!(
        total, 200,
        "each event inserted by exactly one of the two connections"
    );
}

/// DynamoDB only: the table helper enables TTL on `expires_at`, as the CDK stack does.
#[tokio::test]
async fn dynamodb_table_has_ttl_enabled() {
    let store = testing::dynamo_store().await;
    let ttl = store
        .client()
        .describe_time_to_live()
        .table_name(store.table())
        .send()
        .await
        .unwrap();
    let desc = ttl.time_to_live_description().expect("ttl description");
    assert_eq!(desc.attribute_name(), Some("expires_at"));
    assert_eq!(
        desc.time_to_live_status().map(|s| s.as_str()),
        Some("ENABLED")
    );
}

/// Defect 1: an item stored first (by the webhook path, with attributes the stream copy lacks) is never replaced
/// by a batch write of the same key.
async fn batch_never_overwrites_a_stored_item(store: Arc<dyn ItemStore>) {
    let first = plain(
        "DEVICE#d",
        "EVENT#1",
        json!({"source": "webhook", "product_id": 7}),
    );
    assert_eq!(store.put_new(&first).await.unwrap(), PutOutcome::Inserted);
    let copy = plain("DEVICE#d", "EVENT#1", json!({"source": "sse"}));
    let other = plain("DEVICE#d", "EVENT#2", json!({"source": "sse"}));
    let outcomes = store.put_new_batch(&[copy, other.clone()]).await.unwrap();
    assert_eq!(outcomes, [PutOutcome::Duplicate, PutOutcome::Inserted]);
    assert_eq!(store.get("DEVICE#d", "EVENT#1").await.unwrap(), Some(first));
    assert_eq!(store.get("DEVICE#d", "EVENT#2").await.unwrap(), Some(other));
}

/// Defect 1: writers racing on the same new keys (two overlapping drain windows and the webhook path): each key
/// is reported `Inserted` by exactly one writer, and the stored copy is that writer's. Before the fix the
/// DynamoDB batch path read first and then wrote unconditionally, so several writers counted (and replaced)
/// the same item.
async fn concurrent_batches_insert_each_key_once(store: Arc<dyn ItemStore>) {
    const WRITERS: usize = 6;
    const KEYS: usize = 40;
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let items: Vec<Item> = (0..KEYS)
                    .map(|k| {
                        plain(
                            "DEVICE#race",
                            &format!("EVENT#{k:03}"),
                            json!({"writer": w}),
                        )
                    })
                    .collect();
                if w == 0 {
                    // One writer takes the single-item path, as ingest does.
                    let mut outcomes = Vec::new();
                    for item in &items {
                        outcomes.push(store.put_new(item).await.unwrap());
                    }
                    outcomes
                } else {
                    store.put_new_batch(&items).await.unwrap()
                }
            })
        })
        .collect();
    let mut winners = vec![Vec::new(); KEYS];
    for (w, task) in tasks.into_iter().enumerate() {
        for (k, outcome) in task.await.unwrap().into_iter().enumerate() {
            if outcome == PutOutcome::Inserted {
                winners[k].push(w);
            }
        }
    }
    for (k, won) in winners.iter().enumerate() {
        assert_eq!(won.len(), 1, "key {k}: inserted by writers {won:?}");
        let stored = store
            .get("DEVICE#race", &format!("EVENT#{k:03}"))
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(
            stored.attrs["writer"],
            json!(won[0]),
            "key {k}: the stored copy is the inserting writer's"
        );
    }
}

fn expiring(pk: &str, sk: &str, expires_at: i64, attrs: serde_json::Value) -> Item {
    Item {
        expires_at: Some(expires_at),
        ..plain(pk, sk, attrs)
    }
}

/// An item past its `expires_at` is gone for reads before anything deletes it (DynamoDB's TTL sweep takes days).
async fn expired_items_are_absent(store: Arc<dyn ItemStore>) {
    let now = particle_events::clock::now_unix();
    let mut old = expiring("GEOCACHE#a", "GEOCACHE", now - 10, json!({"v": 1}));
    old.gsi1 = Some(("G#x".into(), "1".into()));
    let mut fresh = expiring("GEOCACHE#b", "GEOCACHE", now + 3_600, json!({"v": 2}));
    fresh.gsi1 = Some(("G#x".into(), "2".into()));
    assert!(store.put(&old, Condition::Always).await.unwrap());
    assert!(store.put(&fresh, Condition::Always).await.unwrap());
    assert_eq!(store.get("GEOCACHE#a", "GEOCACHE").await.unwrap(), None);
    assert_eq!(
        store.get("GEOCACHE#b", "GEOCACHE").await.unwrap(),
        Some(fresh.clone())
    );
    assert!(
        store
            .query_all(&Query::partition("GEOCACHE#a"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let through_gsi = store
        .query_all(
            &Query {
                index: Index::Gsi1,
                ..Query::partition("G#x")
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(through_gsi, vec![fresh]);
    // Optimistic updates never match an expired item.
    let versioned = expiring("STREAM#e", "STATE", now - 1, json!({"ver": 1}));
    assert!(store.put(&versioned, Condition::Always).await.unwrap());
    let next = plain("STREAM#e", "STATE", json!({"ver": 2}));
    let matched = store
        .put(
            &next,
            Condition::IntEquals {
                attr: "ver".into(),
                value: 1,
            },
        )
        .await
        .unwrap();
    assert!(!matched, "an expired item has no version to match");
}

/// `put_new` (alone or in a batch) treats an expired item as absent, so an expired cache entry is replaced.
async fn expired_items_are_replaceable(store: Arc<dyn ItemStore>) {
    let now = particle_events::clock::now_unix();
    let old = expiring("GEOCACHE#c", "GEOCACHE", now - 5, json!({"v": "old"}));
    assert_eq!(store.put_new(&old).await.unwrap(), PutOutcome::Inserted);
    let new = expiring("GEOCACHE#c", "GEOCACHE", now + 600, json!({"v": "new"}));
    assert_eq!(store.put_new(&new).await.unwrap(), PutOutcome::Inserted);
    assert_eq!(
        store.get("GEOCACHE#c", "GEOCACHE").await.unwrap(),
        Some(new.clone())
    );
    let again = expiring("GEOCACHE#c", "GEOCACHE", now + 900, json!({"v": "again"}));
    assert_eq!(store.put_new(&again).await.unwrap(), PutOutcome::Duplicate);
    let batch_old = expiring("GEOCACHE#d", "GEOCACHE", now - 5, json!({"v": "old"}));
    assert!(store.put(&batch_old, Condition::Always).await.unwrap());
    let batch_new = plain("GEOCACHE#d", "GEOCACHE", json!({"v": "new"}));
    assert_eq!(
        store
            .put_new_batch(&[batch_new.clone(), new])
            .await
            .unwrap(),
        [PutOutcome::Inserted, PutOutcome::Duplicate]
    );
    assert_eq!(
        store.get("GEOCACHE#d", "GEOCACHE").await.unwrap(),
        Some(batch_new)
    );
}

/// Expired items interleaved with live ones: pages still cover every live item once, in order, and end.
async fn query_pages_skip_expired_items(store: Arc<dyn ItemStore>) {
    let now = particle_events::clock::now_unix();
    for i in 0..30i64 {
        let expires_at = if i % 3 == 0 { now + 600 } else { now - 60 };
        let item = expiring("P#x", &format!("S#{i:03}"), expires_at, json!({"i": i}));
        assert!(store.put(&item, Condition::Always).await.unwrap());
    }
    for descending in [false, true] {
        let mut query = Query {
            limit: Some(4),
            descending,
            ..Query::partition("P#x")
        };
        let mut seen = Vec::new();
        for _ in 0..20 {
            let page = store.query(&query).await.unwrap();
            assert!(page.items.len() <= 4);
            seen.extend(
                page.items
                    .iter()
                    .map(|i| i.attrs["i"].as_i64().unwrap_or(-1)),
            );
            match page.next {
                Some(c) => query.start_after = Some(c),
                None => break,
            }
        }
        let mut expected: Vec<i64> = (0..30).filter(|i| i % 3 == 0).collect();
        if descending {
            expected.reverse();
        }
        assert_eq!(seen, expected, "descending={descending}");
    }
    let all = store
        .query_all(&Query::partition("P#x"), 100)
        .await
        .unwrap();
    assert_eq!(all.len(), 10);
}

async fn conditional_put_only_if_newer(store: Arc<dyn ItemStore>) {
    let newer = |value: i64| Condition::AbsentOrIntLess {
        attr: "at_ms".into(),
        value,
    };
    let at = |ms: i64, tag: &str| plain("DEVICE#n", "LATEST", json!({"at_ms": ms, "tag": tag}));
    assert!(
        store.put(&at(200, "first"), newer(200)).await.unwrap(),
        "absent: written"
    );
    assert!(
        !store.put(&at(100, "older"), newer(100)).await.unwrap(),
        "older: refused"
    );
    assert!(
        !store.put(&at(200, "same"), newer(200)).await.unwrap(),
        "same time: refused"
    );
    assert_eq!(
        store.get("DEVICE#n", "LATEST").await.unwrap(),
        Some(at(200, "first"))
    );
    assert!(
        store.put(&at(300, "newer"), newer(300)).await.unwrap(),
        "newer: written"
    );
    assert_eq!(
        store.get("DEVICE#n", "LATEST").await.unwrap(),
        Some(at(300, "newer"))
    );

    // A stored item without the attribute is never replaced.
    let bare = plain("DEVICE#n", "BARE", json!({"tag": "no time"}));
    assert!(store.put(&bare, Condition::Always).await.unwrap());
    let timed = plain("DEVICE#n", "BARE", json!({"at_ms": 1}));
    assert!(!store.put(&timed, newer(1)).await.unwrap());
    assert_eq!(store.get("DEVICE#n", "BARE").await.unwrap(), Some(bare));

    // An expired item counts as absent, whatever its attribute says.
    let mut gone = at(900, "expired");
    gone.sk = "OLD".into();
    gone.expires_at = Some(particle_events::clock::now_unix() - 10);
    assert!(store.put(&gone, Condition::Always).await.unwrap());
    let mut late = at(5, "replaces expired");
    late.sk = "OLD".into();
    assert!(store.put(&late, newer(5)).await.unwrap());
    assert_eq!(store.get("DEVICE#n", "OLD").await.unwrap(), Some(late));

    let bad = Condition::AbsentOrIntLess {
        attr: "a b".into(),
        value: 1,
    };
    if store.describe().starts_with("sqlite") {
        assert!(store.put(&at(1, "x"), bad).await.is_err());
    }
}
