//! Driving webhooks through the handler: every request a task, at most `concurrency` in the handler at once, each
//! answer kept with its timing; then the figures a run reports.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ingest::Ingest;
use tokio::sync::{RwLock, Semaphore};

use crate::workload::Webhook;

/// One answer of the handler.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Index of the webhook in the list sent.
    pub index: usize,
    pub unique: usize,
    pub status: u16,
    pub retry_after: bool,
    /// The event id of a 2xx answer.
    pub id: Option<String>,
    pub started: Instant,
    pub ended: Instant,
}

impl Answer {
    pub fn latency(&self) -> Duration {
        self.ended - self.started
    }
}

/// What a driver shares with whoever watches it: completed answers, and a pause. Every request holds `pause`
/// for reading while in the handler; taking it for writing waits for the requests in flight and holds back the
/// rest (the outage run restarts the store under it, so no request reaches a server still restoring its data,
/// and Particle's queue holds webhooks while it backs off).
#[derive(Debug, Clone)]
pub struct Control {
    pub completed: Arc<AtomicUsize>,
    pub pause: Arc<RwLock<()>>,
}

impl Control {
    pub fn new() -> Self {
        Control {
            completed: Arc::new(AtomicUsize::new(0)),
            pause: Arc::new(RwLock::new(())),
        }
    }
}

/// Sends every webhook in `indices` through `endpoint`; answers in completion order.
pub async fn drive(
    endpoint: Arc<Ingest>,
    webhooks: Arc<[Webhook]>,
    indices: Vec<usize>,
    concurrency: usize,
    control: Control,
) -> Vec<Answer> {
    // Parsed before the clock starts: API Gateway hands the function a parsed event.
    let requests: Vec<(usize, usize, lambda_http::Request)> = indices
        .into_iter()
        .map(|i| {
            let request = lambda_http::request::from_str(&webhooks[i].request)
                .expect("the fixture is a Lambda HTTP request");
            (i, webhooks[i].unique, request)
        })
        .collect();
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::with_capacity(requests.len());
    for (index, unique, request) in requests {
        let endpoint = endpoint.clone();
        let limit = limit.clone();
        let completed = control.completed.clone();
        let pause = control.pause.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.expect("never closed");
            let _running = pause.read().await;
            let started = Instant::now();
            let response = endpoint.handle(request).await;
            let ended = Instant::now();
            completed.fetch_add(1, Ordering::Relaxed);
            let status = response.status().as_u16();
            let id = if response.status().is_success() {
                serde_json::from_slice::<serde_json::Value>(response.body().as_ref())
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_owned))
            } else {
                None
            };
            Answer {
                index,
                unique,
                status,
                retry_after: response.headers().contains_key("retry-after"),
                id,
                started,
                ended,
            }
        }));
    }
    let mut answers = Vec::with_capacity(tasks.len());
    for task in tasks {
        answers.push(task.await.expect("a request task panicked"));
    }
    answers
}

/// The `q` quantile (0..=1) of the answers' latencies, in milliseconds.
pub fn quantile_ms(answers: &[Answer], q: f64) -> f64 {
    let mut latencies: Vec<Duration> = answers.iter().map(Answer::latency).collect();
    if latencies.is_empty() {
        return 0.0;
    }
    latencies.sort_unstable();
    let rank = ((latencies.len() as f64 - 1.0) * q).round() as usize;
    latencies[rank].as_secs_f64() * 1000.0
}

/// How many answers have `status`.
pub fn with_status(answers: &[Answer], status: u16) -> usize {
    answers.iter().filter(|a| a.status == status).count()
}
