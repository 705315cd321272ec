//! A Particle event-stream simulator: real HTTP on 127.0.0.1, `text/event-stream`, `:ok` first, Particle's event
//! format, keepalive newlines, and a script per connection so tests can cut streams mid-event, stall them with the
//! socket open, refuse with 401 or 529 (with any `Retry-After`), or send hostile bytes. A required token (which a
//! test can change, as a secret rotation does) answers every other token with Particle's 401. Every write of a
//! stream is logged with its wall-clock time ([`ParticleSse::written`]), so a test can tell what was sent when.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use tokio::time::Instant;

/// One step of a scripted stream.
#[derive(Debug, Clone)]
pub enum Step {
    /// Send these bytes as one write.
    Write(Bytes),
    /// Wait.
    Sleep(Duration),
    /// Send a bare `\n` keepalive every `every`, for `total`.
    KeepAlive { every: Duration, total: Duration },
    /// Keep the socket open and send nothing, forever.
    Hang,
}

impl Step {
    pub fn write(bytes: impl Into<Bytes>) -> Step {
        Step::Write(bytes.into())
    }
}

/// What one connection gets.
#[derive(Debug, Clone)]
pub enum Script {
    /// An error status with a body (e.g. 401 with Particle's JSON error, 529).
    Status(u16, String),
    /// An error status with headers (e.g. 529 with `Retry-After`) and a body.
    Answer {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// 200 `text/event-stream`, then these steps, then the server closes the stream.
    Stream(Vec<Step>),
}

/// A request the simulator received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path_and_query: String,
    pub authorization: Option<String>,
    pub at: Instant,
}

/// One write on a stream: the bytes handed to the HTTP server (sent, as far as the simulator can tell; a
/// connection closed by the client may not have read them).
#[derive(Debug, Clone)]
pub struct Written {
    /// The connection, counted from 0 in the order requests arrived.
    pub connection: usize,
    /// Wall-clock Unix milliseconds of the write (comparable with the drainer's gap items).
    pub at_ms: i64,
    pub bytes: Bytes,
}

/// Particle's answer to a token it does not accept.
pub const INVALID_TOKEN_BODY: &str =
    r#"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#;

#[derive(Debug)]
struct Shared {
    /// When set, only `Bearer <token>` is served; anything else gets 401 without taking a script.
    token: Option<String>,
    scripts: VecDeque<Script>,
    fallback: Script,
    received: Vec<Received>,
    written: Vec<Written>,
}

/// A running simulator; it stops when dropped.
#[derive(Debug)]
pub struct ParticleSse {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for ParticleSse {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl ParticleSse {
    /// Starts a simulator; connections take `scripts` in order, then `fallback` forever.
    pub async fn start(scripts: Vec<Script>, fallback: Script) -> ParticleSse {
        let shared = Arc::new(Mutex::new(Shared {
            token: None,
            scripts: scripts.into(),
            fallback,
            received: Vec::new(),
            written: Vec::new(),
        }));
        let app = Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&shared));
        let (addr, server) = crate::serve_loopback(app).await;
        ParticleSse {
            addr,
            shared,
            server,
        }
    }

    /// Base URL, like `https://api.particle.io`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Accepts only `token` from now on (`None`: any); a rotation is a second call with the new token.
    pub fn require_token(&self, token: Option<&str>) {
        if let Ok(mut s) = self.shared.lock() {
            s.token = token.map(str::to_owned);
        }
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared
            .lock()
            .map(|s| s.received.clone())
            .unwrap_or_default()
    }

    /// Every stream write so far, in order.
    pub fn written(&self) -> Vec<Written> {
        self.shared
            .lock()
            .map(|s| s.written.clone())
            .unwrap_or_default()
    }
}

async fn serve(State(shared): State<Arc<Mutex<Shared>>>, request: Request) -> Response {
    let (connection, script) = {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        let connection = s.received.len();
        let authorization = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        s.received.push(Received {
            path_and_query: request
                .uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            authorization: authorization.clone(),
            at: Instant::now(),
        });
        let refused = s.token.as_ref().is_some_and(|token| {
            authorization.as_deref() != Some(format!("Bearer {token}").as_str())
        });
        let script = if refused {
            Script::Status(401, INVALID_TOKEN_BODY.to_owned())
        } else {
            let fallback = s.fallback.clone();
            s.scripts.pop_front().unwrap_or(fallback)
        };
        (connection, script)
    };
    match script {
        Script::Answer {
            status,
            headers,
            body,
        } => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() =
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            for (name, value) in headers {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
        Script::Status(code, body) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() =
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Script::Stream(steps) => {
            let body = futures_util::stream::unfold(VecDeque::from(steps), move |mut steps| {
                let shared = Arc::clone(&shared);
                async move {
                    loop {
                        match steps.pop_front()? {
                            Step::Write(bytes) => {
                                log_write(&shared, connection, &bytes);
                                return Some((Ok::<Bytes, Infallible>(bytes), steps));
                            }
                            Step::Sleep(d) => tokio::time::sleep(d).await,
                            Step::KeepAlive { every, total } => {
                                if total > Duration::ZERO {
                                    steps.push_front(Step::KeepAlive {
                                        every,
                                        total: total.saturating_sub(every),
                                    });
                                    steps.push_front(Step::write("\n"));
                                    steps.push_front(Step::Sleep(every));
                                }
                            }
                            Step::Hang => std::future::pending::<()>().await,
                        }
                    }
                }
            });
            let mut response = Response::new(Body::from_stream(body));
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
    }
}

fn log_write(shared: &Mutex<Shared>, connection: usize, bytes: &Bytes) {
    let at_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
    s.written.push(Written {
        connection,
        at_ms,
        bytes: bytes.clone(),
    });
}

/// One event in Particle's wire format (`reference/particle.md` §5.3): `event:` then `data:` JSON, blank line.
pub fn event(name: &str, data: &str, coreid: &str, published_at: &str) -> String {
    let json = serde_json::json!({"data": data, "ttl": 60, "published_at": published_at, "coreid": coreid});
    format!("event: {name}\ndata: {json}\n\n")
}

/// `n` distinct events from one device, a millisecond apart, starting at `first`.
pub fn events(name: &str, coreid: &str, first: usize, n: usize) -> Vec<String> {
    (first..first + n)
        .map(|i| {
            let published_at = format!(
                "2026-11-26T10:{:02}:{:02}.{:03}Z",
                i / 60_000 % 60,
                i / 1000 % 60,
                i % 1000
            );
            event(name, &format!("value-{i}"), coreid, &published_at)
        })
        .collect()
}

/// The stream Particle opens with.
pub const OK: &str = ":ok\n\n";

/// A stream of `:ok`, the given chunks (one write each, `gap` apart), then keepalives for `tail`.
pub fn stream_of(chunks: &[String], gap: Duration, tail: Duration) -> Script {
    let mut steps = vec![Step::write(OK)];
    for c in chunks {
        steps.push(Step::write(c.clone()));
        if gap > Duration::ZERO {
            steps.push(Step::Sleep(gap));
        }
    }
    steps.push(Step::KeepAlive {
        every: Duration::from_millis(300),
        total: tail,
    });
    Script::Stream(steps)
}
