//! A scripted JSON-over-HTTP service on 127.0.0.1: each request is recorded (path, query, content type, body)
//! and answered by a gate (e.g. a wrong API key) or by the next scripted reply, then a fallback forever. The
//! Google and Unwired Labs simulators are this with their own replies.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::time::Instant;

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Wait this long before answering (a slow provider).
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// The same answer, `delay` late.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// A request the simulator received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub content_type: Option<String>,
    /// The body exactly as sent.
    pub body: String,
    pub at: Instant,
}

impl Received {
    /// The body parsed as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| {
                percent_encoding::percent_decode_str(&v.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    }
}

/// Decides a reply before the script does (e.g. refuse a wrong key); `None` lets the script answer.
pub type Gate = Arc<dyn Fn(&Received) -> Option<Reply> + Send + Sync>;

struct Shared {
    script: VecDeque<Reply>,
    fallback: Reply,
    gate: Option<Gate>,
    received: Vec<Received>,
}

/// A running simulator; it stops when dropped.
pub struct JsonSim {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for JsonSim {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl JsonSim {
    pub async fn start(script: Vec<Reply>, fallback: Reply, gate: Option<Gate>) -> JsonSim {
        Self::start_on(0, script, fallback, gate)
            .await
            .expect("bind 127.0.0.1:0")
    }

    /// The same on 127.0.0.1:`port` (0: any free port); fails if the port is taken (the local stand-in).
    pub async fn start_on(
        port: u16,
        script: Vec<Reply>,
        fallback: Reply,
        gate: Option<Gate>,
    ) -> std::io::Result<JsonSim> {
        let shared = Arc::new(Mutex::new(Shared {
            script: script.into(),
            fallback,
            gate,
            received: Vec::new(),
        }));
        let app = Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(JsonSim {
            addr,
            shared,
            server,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared
            .lock()
            .map(|s| s.received.clone())
            .unwrap_or_default()
    }
}

async fn serve(State(shared): State<Arc<Mutex<Shared>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 1024 * 1024).await.unwrap_or_default();
    let received = Received {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    };
    let reply = {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        let gated = s.gate.as_ref().and_then(|g| g(&received));
        s.received.push(received);
        match gated {
            Some(r) => r,
            None => {
                let fallback = s.fallback.clone();
                s.script.pop_front().unwrap_or(fallback)
            }
        }
    };
    if reply.delay > Duration::ZERO {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}
