//! The local change feed: what the DynamoDB stream does for the table, for a SQLite store. `forward --feed` polls
//! the file for events stored since its cursor (kept in a file under `.local/`, so a restart neither replays
//! history nor skips what arrived meanwhile), wraps each in a DynamoDB stream record exactly as the stream would
//! carry it (the item's `NewImage` in DynamoDB JSON, [`stream_record`]), and POSTs the batch to `forward` under
//! `cargo lambda watch` (`/2015-03-31/functions/forward/invocations`), so one curl to `ingest` shows the
//! integrations fire. Records the answer names as failed are sent again, up to [`MAX_TRIES`] times, as the
//! event source mapping retries them.
//!
//! The first run starts at the time it starts: events stored before are not forwarded.

use std::collections::BTreeMap;
#[cfg(feature = "sqlite")]
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_lambda_events::event::streams::DynamoDbEventResponse;
use particle_store::{Item, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use thiserror::Error;

/// Most events per batch (the deployed mapping's default batch size).
pub const BATCH: usize = 25;
/// How often the store is polled.
pub const POLL: Duration = Duration::from_millis(500);
/// How far behind its cursor each poll reads again: writers in other processes may commit an event whose
/// `received_at` is slightly older than one already handed on. Keys handed on within it are remembered.
pub const LOOKBACK_MS: i64 = 5_000;
/// Times one record is sent before the feed gives up on it (the mapping's 5 retries).
pub const MAX_TRIES: u32 = 6;

#[derive(Debug, Error)]
pub enum FeedError {
    #[error("the store: {0}")]
    Store(#[from] StoreError),
    #[error("the cursor file {path}: {message}")]
    Cursor { path: PathBuf, message: String },
    #[error("invoking forward at {url}: {message}")]
    Invoke { url: String, message: String },
}

/// One stream record for a stored item, as DynamoDB Streams delivers an INSERT to Lambda (`NEW_IMAGE` view).
pub fn stream_record(item: &Item, sequence_number: &str) -> Result<Value, StoreError> {
    let image = particle_store::dynamo::stream::to_stream_image(item)?;
    let keys = json!({"pk": {"S": item.pk}, "sk": {"S": item.sk}});
    let image = serde_json::to_value(&image).map_err(|e| StoreError::InvalidItem {
        pk: item.pk.clone(),
        sk: item.sk.clone(),
        reason: e.to_string(),
    })?;
    let size = image.to_string().len();
    Ok(json!({
        "eventID": format!("local-{sequence_number}"),
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "local",
        "dynamodb": {
            "ApproximateCreationDateTime": particle_events::clock::now_unix(),
            "Keys": keys,
            "NewImage": image,
            "SequenceNumber": sequence_number,
            "SizeBytes": size,
            "StreamViewType": "NEW_IMAGE"
        },
        "eventSourceARN": "arn:aws:dynamodb:local:000000000000:table/local/stream/local"
    }))
}

/// The invocation payload for `records`.
pub fn stream_event(records: Vec<Value>) -> Value {
    json!({ "Records": records })
}

/// Where the feed is: the newest `received_at` handed on and the keys handed on within [`LOOKBACK_MS`] of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub received_at: String,
    pub seen: BTreeMap<String, String>,
}

impl Cursor {
    pub fn load(path: &Path) -> Result<Option<Cursor>, FeedError> {
        let err = |message: String| FeedError::Cursor {
            path: path.to_owned(),
            message,
        };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| err(format!("{e} (delete it to start from now)"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// Writes the cursor atomically (a temporary file renamed over it).
    pub fn save(&self, path: &Path) -> Result<(), FeedError> {
        let err = |e: std::io::Error| FeedError::Cursor {
            path: path.to_owned(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let tmp = path.with_extension("tmp");
        let text = serde_json::to_vec(self).unwrap_or_default();
        std::fs::write(&tmp, text).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(err)
    }

    /// Where the next read starts.
    pub fn read_from(&self) -> String {
        shift_ms(&self.received_at, -LOOKBACK_MS)
    }

    /// Notes `item` (received at `received_at`) as handed on.
    pub fn advance(&mut self, key: String, received_at: &str) {
        if received_at > self.received_at.as_str() {
            self.received_at = received_at.to_owned();
        }
        self.seen.insert(key, received_at.to_owned());
    }

    /// Forgets keys too old to be read again.
    pub fn prune(&mut self) {
        let from = self.read_from();
        self.seen.retain(|_, at| at.as_str() >= from.as_str());
    }
}

/// `at` moved by `ms` milliseconds (unchanged when it is not a timestamp).
fn shift_ms(at: &str, ms: i64) -> String {
    match particle_events::clock::parse_rfc3339(at)
        .ok()
        .and_then(|t| particle_events::clock::to_unix_ms(t).ok())
    {
        Some(t) => particle_events::clock::format_unix_ms(t.saturating_add(ms)),
        None => at.to_owned(),
    }
}

#[cfg(feature = "sqlite")]
fn key_of(item: &Item) -> String {
    format!("{}|{}", item.pk, item.sk)
}

/// Where the feed hands batches.
#[async_trait::async_trait]
pub trait Sink: Send + Sync {
    /// Sends one stream event; answers the sequence numbers reported as failed.
    async fn send(&self, event: &Value) -> Result<Vec<String>, FeedError>;
}

/// `forward` under `cargo lambda watch`.
#[derive(Debug, Clone)]
pub struct InvokeSink {
    client: reqwest::Client,
    url: String,
}

impl InvokeSink {
    /// `base` is the emulator's address, e.g. `http://127.0.0.1:9000`.
    pub fn new(base: &str) -> Result<Self, FeedError> {
        let url = format!(
            "{}/2015-03-31/functions/forward/invocations",
            base.trim_end_matches('/')
        );
        let client = particle_cloud::http::client_builder()
            // A batch may wait on retries of a failing target.
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| FeedError::Invoke {
                url: url.clone(),
                message: e.to_string(),
            })?;
        Ok(InvokeSink { client, url })
    }
}

#[async_trait::async_trait]
impl Sink for InvokeSink {
    async fn send(&self, event: &Value) -> Result<Vec<String>, FeedError> {
        let err = |message: String| FeedError::Invoke {
            url: self.url.clone(),
            message,
        };
        let response = self
            .client
            .post(&self.url)
            .json(event)
            .send()
            .await
            .map_err(|e| err(e.to_string()))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| err(e.to_string()))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned();
            return Err(err(format!("HTTP {status}: {text}")));
        }
        let answer: DynamoDbEventResponse =
            serde_json::from_slice(&body).map_err(|e| err(format!("unexpected answer: {e}")))?;
        Ok(answer
            .batch_item_failures
            .into_iter()
            .filter_map(|f| f.item_identifier)
            .collect())
    }
}

/// `forward`'s handler in this process (tests, and runs without `cargo lambda watch`).
pub struct HandlerSink(pub std::sync::Arc<crate::stream::StreamHandler>);

#[async_trait::async_trait]
impl Sink for HandlerSink {
    async fn send(&self, event: &Value) -> Result<Vec<String>, FeedError> {
        let batch = serde_json::from_value(event.clone()).map_err(|e| FeedError::Invoke {
            url: "in-process".to_owned(),
            message: format!("not a stream event: {e}"),
        })?;
        let result = self.0.handle(batch, None).await;
        Ok(result
            .response
            .batch_item_failures
            .into_iter()
            .filter_map(|f| f.item_identifier)
            .collect())
    }
}

/// The feed over one SQLite store.
#[cfg(feature = "sqlite")]
pub struct Feed {
    store: particle_store::sqlite::SqliteStore,
    cursor_path: PathBuf,
    cursor: Cursor,
    sink: Box<dyn Sink>,
    /// Records reported as failed: sent again with the next batch, with how many times they were sent.
    retry: BTreeMap<String, (Item, u32)>,
    next_sequence: u64,
}

#[cfg(feature = "sqlite")]
impl Feed {
    /// Resumes from the cursor file, or starts from now.
    pub fn new(
        store: particle_store::sqlite::SqliteStore,
        cursor_path: PathBuf,
        sink: Box<dyn Sink>,
    ) -> Result<Self, FeedError> {
        let cursor = match Cursor::load(&cursor_path)? {
            Some(c) => c,
            None => Cursor {
                received_at: particle_events::clock::now_rfc3339(),
                seen: BTreeMap::new(),
            },
        };
        Ok(Feed {
            store,
            cursor_path,
            cursor,
            sink,
            retry: BTreeMap::new(),
            next_sequence: u64::try_from(particle_events::clock::now_unix()).unwrap_or(0)
                * 1_000_000,
        })
    }

    /// One poll: reads what is new, sends it (with the records to retry) in batches; answers how many records
    /// were sent.
    pub async fn poll_once(&mut self) -> Result<usize, FeedError> {
        let fresh = self
            .store
            .events_received_since(&self.cursor.read_from(), 1_000)
            .await?;
        let mut queue: Vec<(Item, u32)> = std::mem::take(&mut self.retry).into_values().collect();
        let mut handed = BTreeSet::new();
        for item in fresh {
            let key = key_of(&item);
            if self.cursor.seen.contains_key(&key) {
                continue;
            }
            let received_at = item
                .attrs
                .get("received_at")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            self.cursor.advance(key.clone(), &received_at);
            handed.insert(key);
            queue.push((item, 0));
        }
        let sent = queue.len();
        for chunk in queue.chunks(BATCH) {
            self.send(chunk).await?;
        }
        self.cursor.prune();
        if !handed.is_empty() {
            self.cursor.save(&self.cursor_path)?;
        }
        Ok(sent)
    }

    async fn send(&mut self, chunk: &[(Item, u32)]) -> Result<(), FeedError> {
        let mut by_sequence = BTreeMap::new();
        let mut records = Vec::with_capacity(chunk.len());
        for (item, tries) in chunk {
            self.next_sequence += 1;
            let sequence = format!("{:021}", self.next_sequence);
            records.push(stream_record(item, &sequence)?);
            by_sequence.insert(sequence, (item.clone(), tries + 1));
        }
        let failed = match self.sink.send(&stream_event(records)).await {
            Ok(failed) => failed,
            Err(e) => {
                // forward is not reachable (cargo lambda watch not up yet): every record waits for the next
                // poll, and this does not count as a try.
                tracing::warn!(error = %e, "batch not handed to forward");
                for (item, tries) in chunk {
                    self.retry.insert(key_of(item), (item.clone(), *tries));
                }
                return Ok(());
            }
        };
        for sequence in failed {
            if let Some((item, tries)) = by_sequence.remove(&sequence) {
                if tries >= MAX_TRIES {
                    tracing::error!(pk = %item.pk, sk = %item.sk, tries, "giving up on a record (the dead-letter queue in AWS)");
                } else {
                    self.retry.insert(key_of(&item), (item, tries));
                }
            }
        }
        Ok(())
    }

    /// Polls until `stop` turns true.
    pub async fn run(
        &mut self,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), FeedError> {
        loop {
            match self.poll_once().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(records = n, "handed to forward"),
                Err(FeedError::Store(e)) => tracing::warn!(error = %e, "reading the store"),
                Err(e) => return Err(e),
            }
            let wait = if self.retry.is_empty() {
                POLL
            } else {
                POLL * 4
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return Ok(()),
            }
        }
    }
}
