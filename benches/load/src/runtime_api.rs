//! A fake Lambda Runtime API on 127.0.0.1, enough for `lambda_runtime`: `GET /2018-06-01/runtime/invocation/next`
//! hands out the next event with the `Lambda-Runtime-*` headers, `POST .../invocation/{id}/response` (and
//! `.../error`, `/init/error`) take the answer. Once the events run out, `next` is never answered (the function
//! waits, as a frozen Lambda sandbox does) and [`Timeline::idle`] is set. It records when each step happened.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// What happened, in order.
#[derive(Debug, Default)]
pub struct Timeline {
    /// The first `invocation/next`: the end of the function's init.
    pub first_next: Option<Instant>,
    /// When each event was handed out.
    pub served: Vec<Instant>,
    /// When each answer arrived, and its body.
    pub answered: Vec<(Instant, String)>,
    /// Error reports (`/init/error`, `.../error`).
    pub errors: Vec<String>,
}

/// A running fake runtime API.
#[derive(Debug)]
pub struct RuntimeApi {
    pub address: String,
    pub timeline: Arc<Mutex<Timeline>>,
    /// Notified when `next` is asked for after the last event.
    pub idle: Arc<Notify>,
}

impl RuntimeApi {
    /// Serves `events` (each a JSON event, handed out in order) on a free loopback port.
    pub async fn start(events: Vec<String>) -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?.to_string();
        let timeline = Arc::new(Mutex::new(Timeline::default()));
        let idle = Arc::new(Notify::new());
        let events = Arc::new(events);
        let (t, i) = (timeline.clone(), idle.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, events.clone(), t.clone(), i.clone()));
            }
        });
        Ok(RuntimeApi {
            address,
            timeline,
            idle,
        })
    }
}

async fn serve(
    stream: TcpStream,
    events: Arc<Vec<String>>,
    timeline: Arc<Mutex<Timeline>>,
    idle: Arc<Notify>,
) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    loop {
        // Request line and headers.
        let mut line = String::new();
        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if read.read_line(&mut header).await.unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if read.read_exact(&mut body).await.is_err() {
            return;
        }
        let now = Instant::now();
        let answer = if method == "GET" && path == "/2018-06-01/runtime/invocation/next" {
            let next = {
                let mut t = timeline.lock().expect("not poisoned");
                t.first_next.get_or_insert(now);
                let n = t.served.len();
                if n < events.len() {
                    t.served.push(Instant::now());
                    Some(n)
                } else {
                    None
                }
            };
            match next {
                Some(n) => {
                    let deadline = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap_or_default()
                        + Duration::from_secs(30);
                    let event = &events[n];
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nlambda-runtime-aws-request-id: req-{n}\r\n\
                         lambda-runtime-deadline-ms: {}\r\nlambda-runtime-invoked-function-arn: \
                         arn:aws:lambda:us-east-1:123456789012:function:bench\r\nlambda-runtime-trace-id: \
                         Root=1-6745a0c0-0123456789abcdef0123456{n};Parent=0123456789abcdef;Sampled=0\r\n\
                         content-length: {}\r\n\r\n{event}",
                        deadline.as_millis(),
                        event.len()
                    )
                }
                None => {
                    idle.notify_one();
                    // Never answered: the function waits here until it is killed.
                    std::future::pending::<()>().await;
                    return;
                }
            }
        } else if method == "POST" && path.ends_with("/response") {
            timeline
                .lock()
                .expect("not poisoned")
                .answered
                .push((now, String::from_utf8_lossy(&body).into_owned()));
            accepted()
        } else if method == "POST" && path.ends_with("/error") {
            timeline
                .lock()
                .expect("not poisoned")
                .errors
                .push(format!("{path}: {}", String::from_utf8_lossy(&body)));
            idle.notify_one();
            accepted()
        } else {
            "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_owned()
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn accepted() -> String {
    let body = r#"{"status":"OK"}"#;
    format!(
        "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}
