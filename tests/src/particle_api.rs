//! Particle's Cloud API towards devices, on 127.0.0.1: function calls (`POST /v1/devices/{id}/{fn}` and the
//! product path, form `arg`, answered `{"id","name","connected":true,"return_value"}`), publishes
//! (`POST /v1/devices/events` and `/v1/products/{p}/events`, form `name`, `data`, `private`, answered
//! `{"ok":true}`), with a Bearer token check (401 `invalid_token`), offline devices (404), missing functions
//! (404 `Function not found`), slow devices, and scripted faults (429 with `Retry-After`, 5xx) served before
//! anything else. Every request is recorded.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::json;

/// A device the simulator knows.
#[derive(Debug, Clone)]
pub struct Device {
    pub online: bool,
    /// How long the device takes to answer a function call.
    pub delay: Duration,
    /// Function name -> return value.
    pub functions: HashMap<String, i64>,
}

impl Device {
    pub fn online(functions: &[(&str, i64)]) -> Device {
        Device {
            online: true,
            delay: Duration::ZERO,
            functions: functions
                .iter()
                .map(|(n, v)| ((*n).to_owned(), *v))
                .collect(),
        }
    }
}

/// A scripted fault, served to the next request instead of its real answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429, with this `Retry-After` value if any.
    RateLimited(Option<String>),
    /// This 5xx status.
    Status(u16),
}

/// One request received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub path: String,
    pub authorization: Option<String>,
    /// The form fields, decoded.
    pub form: Vec<(String, String)>,
    /// The status answered.
    pub status: u16,
}

impl Call {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Shared {
    token: String,
    devices: HashMap<String, Device>,
    faults: VecDeque<Fault>,
    calls: Vec<Call>,
}

/// A running simulator; it stops when dropped.
pub struct ParticleApiSim {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for ParticleApiSim {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl ParticleApiSim {
    /// A simulator accepting `token`.
    pub async fn start(token: &str) -> ParticleApiSim {
        let shared = Arc::new(Mutex::new(Shared {
            token: token.to_owned(),
            devices: HashMap::new(),
            faults: VecDeque::new(),
            calls: Vec::new(),
        }));
        let app = Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&shared));
        let (addr, server) = crate::serve_loopback(app).await;
        ParticleApiSim {
            addr,
            shared,
            server,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Shared) -> T) -> T {
        let mut s = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }

    /// Adds or replaces a device.
    pub fn device(&self, coreid: &str, device: Device) {
        self.with(|s| s.devices.insert(coreid.to_owned(), device));
    }

    /// Brings a device online or takes it offline.
    pub fn set_online(&self, coreid: &str, online: bool) {
        self.with(|s| {
            if let Some(d) = s.devices.get_mut(coreid) {
                d.online = online;
            }
        });
    }

    /// Serves `fault` to the next request (after those already queued).
    pub fn fault(&self, fault: Fault) {
        self.with(|s| s.faults.push_back(fault));
    }

    /// Accepts another token from now on (a rotation).
    pub fn rotate_token(&self, token: &str) {
        self.with(|s| s.token = token.to_owned());
    }

    /// Every request so far.
    pub fn calls(&self) -> Vec<Call> {
        self.with(|s| s.calls.clone())
    }

    /// The publishes Particle accepted, as (name, data, private).
    pub fn published(&self) -> Vec<(String, String, String)> {
        self.calls()
            .into_iter()
            .filter(|c| c.path.ends_with("/events") && c.status == 200)
            .map(|c| {
                (
                    c.field("name").unwrap_or("").to_owned(),
                    c.field("data").unwrap_or("").to_owned(),
                    c.field("private").unwrap_or("").to_owned(),
                )
            })
            .collect()
    }
}

fn decode_form(body: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn answer(status: u16, body: serde_json::Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

async fn serve(State(shared): State<Arc<Mutex<Shared>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 1024 * 1024).await.unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let form = decode_form(&String::from_utf8_lossy(&body));
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();

    // Decide under the lock; sleep (a slow device) outside it.
    let (status, reply, delay, retry_after) = {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        let expected = format!("Bearer {}", s.token);
        let decided = if authorization.as_deref() != Some(expected.as_str()) {
            (
                401,
                json!({"error": "invalid_token", "error_description": "The access token provided is invalid."}),
                Duration::ZERO,
                None,
            )
        } else if let Some(fault) = s.faults.pop_front() {
            match fault {
                Fault::RateLimited(after) => (
                    429,
                    json!({"error": "Too many requests"}),
                    Duration::ZERO,
                    after,
                ),
                Fault::Status(code) => (
                    code,
                    json!({"ok": false, "error": "Internal error"}),
                    Duration::ZERO,
                    None,
                ),
            }
        } else if parts.method != axum::http::Method::POST {
            (
                405,
                json!({"ok": false, "error": "method"}),
                Duration::ZERO,
                None,
            )
        } else {
            let function = match seg.as_slice() {
                ["v1", "devices", "events"] | ["v1", "products", _, "events"] => None,
                ["v1", "devices", coreid, name] => Some((*coreid, *name)),
                ["v1", "products", _, "devices", coreid, name] => Some((*coreid, *name)),
                _ => Some(("", "")),
            };
            match function {
                None => {
                    let name = form.iter().find(|(k, _)| k == "name");
                    if name.is_none_or(|(_, v)| v.is_empty()) {
                        (
                            400,
                            json!({"ok": false, "error": "Event name is required"}),
                            Duration::ZERO,
                            None,
                        )
                    } else {
                        (200, json!({"ok": true}), Duration::ZERO, None)
                    }
                }
                Some((coreid, name)) => match s.devices.get(coreid) {
                    None => (
                        404,
                        json!({"ok": false, "error": "Device not found."}),
                        Duration::ZERO,
                        None,
                    ),
                    Some(d) if !d.online => (
                        404,
                        json!({"ok": false, "error": "Device is not connected"}),
                        Duration::ZERO,
                        None,
                    ),
                    Some(d) => match d.functions.get(name) {
                        None => (
                            404,
                            json!({"ok": false, "error": "Function not found"}),
                            Duration::ZERO,
                            None,
                        ),
                        Some(v) => (
                            200,
                            json!({"id": coreid, "name": "dev", "connected": true, "return_value": v}),
                            d.delay,
                            None,
                        ),
                    },
                },
            }
        };
        s.calls.push(Call {
            path: path.clone(),
            authorization,
            form,
            status: decided.0,
        });
        decided
    };
    if delay > Duration::ZERO {
        tokio::time::sleep(delay).await;
    }
    let mut response = answer(status, reply);
    if let Some(after) = retry_after
        && let Ok(v) = HeaderValue::from_str(&after)
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}
