//! The local change feed over a SQLite store: new events handed on as DynamoDB stream events the handler
//! decodes, in received order, once each; the cursor file survives a restart; failed records sent again.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::event::dynamodb::Event as StreamEvent;
use forward::feed::{Cursor, Feed, FeedError, MAX_TRIES, Sink};
use particle_events::{Event, Source};
use particle_store::sqlite::SqliteStore;
use particle_store::{EventRepo, ItemStore, Retention};
use serde_json::Value;

/// Records every batch; reports the records of `fail_id` as failed.
#[derive(Default)]
struct Recording {
    batches: Mutex<Vec<Vec<Event>>>,
    fail_id: Option<String>,
}

#[async_trait]
impl Sink for Recording {
    async fn send(&self, event: &Value) -> Result<Vec<String>, FeedError> {
        let batch: StreamEvent = serde_json::from_value(event.clone()).unwrap();
        let mut events = Vec::new();
        let mut failed = Vec::new();
        for record in batch.records {
            let e = particle_store::repo::events::event_from_stream_image(record.change.new_image)
                .unwrap();
            if Some(&e.id) == self.fail_id.as_ref() {
                failed.push(record.change.sequence_number.unwrap());
            }
            events.push(e);
        }
        self.batches.lock().unwrap().push(events);
        Ok(failed)
    }
}

struct Shared(Arc<Recording>);

#[async_trait]
impl Sink for Shared {
    async fn send(&self, event: &Value) -> Result<Vec<String>, FeedError> {
        self.0.send(event).await
    }
}

fn event(id: &str, received_at: &str) -> Event {
    Event {
        id: id.into(),
        name: "env/t".into(),
        data: "1".into(),
        coreid: "e00fce68b1b2c3d4e5f60718".into(),
        published_at: "2026-11-26T10:00:00.000Z".into(),
        product_id: None,
        fw_version: None,
        particle_event_id: None,
        source: Source::Webhook,
        received_at: received_at.into(),
    }
}

fn ids(batches: &[Vec<Event>]) -> Vec<Vec<&str>> {
    batches
        .iter()
        .map(|b| b.iter().map(|e| e.id.as_str()).collect())
        .collect()
}

#[tokio::test]
async fn hands_on_new_events_once_and_resumes_from_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("s.db")).await.unwrap();
    let repo = EventRepo::new(
        Arc::new(store.clone()) as Arc<dyn ItemStore>,
        Retention::Forever,
    );
    let cursor_path = dir.path().join("feed.json");
    // Stored before the feed ever ran: not forwarded.
    repo.put(&event("old", "2020-01-01T00:00:00.000Z"))
        .await
        .unwrap();

    let sink = Arc::new(Recording::default());
    let mut feed = Feed::new(
        store.clone(),
        cursor_path.clone(),
        Box::new(Shared(sink.clone())),
    )
    .unwrap();
    assert_eq!(feed.poll_once().await.unwrap(), 0);
    let now = particle_events::clock::now_rfc3339();
    repo.put(&event("b", &now)).await.unwrap();
    repo.put(&event("a", &now)).await.unwrap();
    assert_eq!(feed.poll_once().await.unwrap(), 2);
    assert_eq!(feed.poll_once().await.unwrap(), 0, "nothing twice");
    assert_eq!(ids(&sink.batches.lock().unwrap()), [["a", "b"]]);
    let cursor = Cursor::load(&cursor_path).unwrap().unwrap();
    assert_eq!(cursor.received_at, now);

    // A restart resumes from the file: what was handed on is not sent again, what is new is.
    drop(feed);
    let sink2 = Arc::new(Recording::default());
    let mut feed = Feed::new(store, cursor_path, Box::new(Shared(sink2.clone()))).unwrap();
    repo.put(&event("c", &particle_events::clock::now_rfc3339()))
        .await
        .unwrap();
    assert_eq!(feed.poll_once().await.unwrap(), 1);
    assert_eq!(ids(&sink2.batches.lock().unwrap()), [["c"]]);
}

#[tokio::test]
async fn failed_records_are_sent_again_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("s.db")).await.unwrap();
    let repo = EventRepo::new(
        Arc::new(store.clone()) as Arc<dyn ItemStore>,
        Retention::Forever,
    );
    let sink = Arc::new(Recording {
        fail_id: Some("bad".into()),
        ..Recording::default()
    });
    let mut feed = Feed::new(
        store,
        dir.path().join("feed.json"),
        Box::new(Shared(sink.clone())),
    )
    .unwrap();
    let now = particle_events::clock::now_rfc3339();
    repo.put(&event("bad", &now)).await.unwrap();
    repo.put(&event("good", &now)).await.unwrap();
    for _ in 0..MAX_TRIES + 2 {
        feed.poll_once().await.unwrap();
    }
    let batches = sink.batches.lock().unwrap();
    let sent_bad = batches.iter().flatten().filter(|e| e.id == "bad").count();
    let sent_good = batches.iter().flatten().filter(|e| e.id == "good").count();
    assert_eq!((sent_bad, sent_good), (MAX_TRIES as usize, 1));
}

#[test]
fn records_are_what_the_stream_delivers() {
    let item = particle_store::repo::events::event_item(
        &event("a", "2026-11-26T10:00:00.500Z"),
        Retention::Days(1),
        1_800_000_000,
    );
    let record = forward::feed::stream_record(&item, "000000000000000000042").unwrap();
    let batch: StreamEvent =
        serde_json::from_value(forward::feed::stream_event(vec![record])).unwrap();
    let r = &batch.records[0];
    assert_eq!(r.event_name, "INSERT");
    assert_eq!(
        r.change.sequence_number.as_deref(),
        Some("000000000000000000042")
    );
    let back =
        particle_store::dynamo::stream::from_stream_image(r.change.new_image.clone()).unwrap();
    assert_eq!(back, item);
}
