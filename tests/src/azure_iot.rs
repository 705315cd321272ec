//! An Azure IoT Hub test double on 127.0.0.1: the two REST calls Particle's integration makes (create a device
//! identity, send a device-to-cloud message), each behind a full SAS check written here independently of the
//! code under test: the `sr` resource must be the hub's host, `skn` a known policy with the right (registry write
//! for devices, device connect for messages), `se` in the future, and `sig` the HMAC-SHA256 of
//! `<sr as sent>\n<se>` under the policy's key. Any mismatch is a 401 and is recorded. It can also answer 429 or
//! the daily-quota 403 on demand.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::percent_decode_str;
use sha2::Sha256;

pub const API_VERSION: &str = "2021-04-12";

/// What a shared access policy may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rights {
    pub registry_write: bool,
    pub device_connect: bool,
}

impl Rights {
    pub const ALL: Rights = Rights {
        registry_write: true,
        device_connect: true,
    };
}

/// A fault answered instead of the next request's normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: <seconds>`.
    Throttled(u64),
    /// 403 `IotHubQuotaExceeded`.
    QuotaExceeded,
}

/// A message the hub accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub device_id: String,
    pub body: serde_json::Value,
}

#[derive(Default)]
struct Inner {
    hub_host: String,
    policies: HashMap<String, (Vec<u8>, Rights)>,
    devices: HashSet<String>,
    device_creates: usize,
    messages: Vec<Message>,
    faults: VecDeque<Fault>,
    rejections: Vec<String>,
}

#[derive(Clone)]
pub struct AzureIotHub {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl AzureIotHub {
    /// A hub named `hub_name` with `policies`: (name, base64 key, rights).
    pub async fn start(hub_name: &str, policies: &[(&str, &str, Rights)]) -> AzureIotHub {
        let inner = Inner {
            hub_host: format!("{}.azure-devices.net", hub_name.to_ascii_lowercase()),
            policies: policies
                .iter()
                .map(|(name, key, rights)| {
                    let key = base64::engine::general_purpose::STANDARD
                        .decode(key)
                        .expect("test policy keys are base64");
                    ((*name).to_owned(), (key, *rights))
                })
                .collect(),
            ..Inner::default()
        };
        let inner = Arc::new(Mutex::new(inner));
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let (addr, _server) = crate::serve_loopback(app).await;
        AzureIotHub { addr, inner }
    }

    /// What `AZURE_IOT_HUB_ENDPOINT` should be.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn fault(&self, fault: Fault) {
        self.inner.lock().unwrap().faults.push_back(fault);
    }

    pub fn messages(&self) -> Vec<Message> {
        self.inner.lock().unwrap().messages.clone()
    }

    pub fn devices(&self) -> HashSet<String> {
        self.inner.lock().unwrap().devices.clone()
    }

    /// How many identity creations were requested (409s included).
    pub fn device_creates(&self) -> usize {
        self.inner.lock().unwrap().device_creates
    }

    /// Why requests were refused with 401.
    pub fn rejections(&self) -> Vec<String> {
        self.inner.lock().unwrap().rejections.clone()
    }
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert("content-type", "application/json".parse().expect("header"));
    r
}

/// Checks the SAS token; `Err` is the reason for a 401.
fn check_token(inner: &Inner, header: Option<&str>, need: Rights) -> Result<(), String> {
    let token = header
        .and_then(|h| h.strip_prefix("SharedAccessSignature "))
        .ok_or("no SharedAccessSignature authorization")?;
    let mut fields: HashMap<&str, &str> = HashMap::new();
    for part in token.split('&') {
        let (k, v) = part.split_once('=').ok_or("malformed token")?;
        fields.insert(k, v);
    }
    let get = |k: &str| fields.get(k).copied().ok_or(format!("token lacks `{k}`"));
    let (sr, sig, se, skn) = (get("sr")?, get("sig")?, get("se")?, get("skn")?);
    let resource = percent_decode_str(sr)
        .decode_utf8_lossy()
        .to_ascii_lowercase();
    if resource != inner.hub_host && !resource.starts_with(&format!("{}/", inner.hub_host)) {
        return Err(format!("resource `{resource}` is not this hub"));
    }
    let (key, rights) = inner
        .policies
        .get(skn)
        .ok_or(format!("unknown policy `{skn}`"))?;
    let expiry: u64 = se.parse().map_err(|_| "`se` is not a number")?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if expiry <= now {
        return Err("token expired".into());
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| "bad key")?;
    mac.update(format!("{sr}\n{se}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let given = percent_decode_str(sig).decode_utf8_lossy();
    if given != expected {
        return Err("signature mismatch".into());
    }
    if (need.registry_write && !rights.registry_write)
        || (need.device_connect && !rights.device_connect)
    {
        return Err(format!("policy `{skn}` lacks the right"));
    }
    Ok(())
}

async fn handle(State(inner): State<Arc<Mutex<Inner>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 1024 * 1024).await.unwrap_or_default();
    if parts.uri.query() != Some(&format!("api-version={API_VERSION}")) {
        return answer(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"Message": "missing or wrong api-version"}),
        );
    }
    let path = parts.uri.path().to_owned();
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let route = match (
        &parts.method,
        segments
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
    ) {
        (&Method::PUT, ["devices", id]) => Some((
            (*id).to_owned(),
            Rights {
                registry_write: true,
                device_connect: false,
            },
            true,
        )),
        (&Method::POST, ["devices", id, "messages", "events"]) => Some((
            (*id).to_owned(),
            Rights {
                registry_write: false,
                device_connect: true,
            },
            false,
        )),
        _ => None,
    };
    let Some((device_id, need, create)) = route else {
        return answer(
            StatusCode::NOT_FOUND,
            serde_json::json!({"Message": "no such route"}),
        );
    };
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let mut inner = inner.lock().unwrap();
    if let Err(reason) = check_token(&inner, auth, need) {
        inner.rejections.push(reason.clone());
        return answer(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"Message": format!("ErrorCode:IotHubUnauthorizedAccess;{reason}")}),
        );
    }
    match inner.faults.pop_front() {
        Some(Fault::Throttled(secs)) => {
            let mut r = answer(
                StatusCode::TOO_MANY_REQUESTS,
                serde_json::json!({"Message": "ErrorCode:ThrottlingException"}),
            );
            r.headers_mut()
                .insert("retry-after", secs.to_string().parse().expect("header"));
            return r;
        }
        Some(Fault::QuotaExceeded) => {
            return answer(
                StatusCode::FORBIDDEN,
                serde_json::json!({"Message": "ErrorCode:IotHubQuotaExceeded;Total number of messages on IotHub exceeded the allocated quota"}),
            );
        }
        None => {}
    }
    if create {
        inner.device_creates += 1;
        if !inner.devices.insert(device_id.clone()) {
            return answer(
                StatusCode::CONFLICT,
                serde_json::json!({"Message": "ErrorCode:DeviceAlreadyExists"}),
            );
        }
        return answer(
            StatusCode::OK,
            serde_json::json!({"deviceId": device_id, "status": "enabled"}),
        );
    }
    if !inner.devices.contains(&device_id) {
        return answer(
            StatusCode::NOT_FOUND,
            serde_json::json!({"Message": "ErrorCode:DeviceNotFound"}),
        );
    }
    let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    inner.messages.push(Message { device_id, body });
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}
