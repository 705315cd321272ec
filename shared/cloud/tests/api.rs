//! The Particle API client against a local HTTP server: answers typed, error bodies parsed, `Retry-After` clamped,
//! the token only as a Bearer header and re-read once after a 401.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use particle_cloud::{
    AccessToken, Failure, HttpSettings, MAX_RETRY_AFTER, ParticleApi, TokenError, TokenSource,
    Tokens,
};
use tokio::time::Instant;

/// Every request: its URI and Authorization header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// Serves `/ok` (an event stream for the token `valid`, 401 otherwise), `/html`, `/busy` (529 with the
/// `Retry-After` of the query), `/down` (503), `/missing` (404); records every Authorization header.
async fn server(seen: Seen) -> String {
    let app = Router::new().fallback(move |request: Request| {
        let seen = Arc::clone(&seen);
        async move {
            let auth = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let path = request.uri().path().to_owned();
            let query = request.uri().query().unwrap_or("").to_owned();
            seen.lock()
                .unwrap()
                .push((request.uri().to_string(), auth.clone()));
            answer(&path, &query, auth.as_deref())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn answer(path: &str, query: &str, auth: Option<&str>) -> Response {
    let json = |status: StatusCode, body: &'static str| {
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    match path {
        "/ok" if auth == Some("Bearer valid") => {
            ([(header::CONTENT_TYPE, "text/event-stream")], ":ok\n\n").into_response()
        }
        "/ok" => json(
            StatusCode::UNAUTHORIZED,
            r#"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#,
        ),
        "/html" => ([(header::CONTENT_TYPE, "text/html")], "<html/>").into_response(),
        "/busy" => {
            let mut headers = HeaderMap::new();
            if let Ok(v) = query.replace("%20", " ").parse() {
                headers.insert(header::RETRY_AFTER, v);
            }
            (StatusCode::from_u16(529).unwrap(), headers, "").into_response()
        }
        "/down" => json(
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"ok":false,"error":"Service down"}"#,
        ),
        _ => json(
            StatusCode::NOT_FOUND,
            r#"{"ok":false,"error":"Unknown path"}"#,
        ),
    }
}

#[derive(Debug)]
struct Source {
    value: &'static str,
    reads: AtomicUsize,
}

#[async_trait::async_trait]
impl TokenSource for Source {
    async fn read(&self) -> Result<AccessToken, TokenError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(AccessToken::new(self.value))
    }
}

fn api(base: &str, initial: &str, source: Arc<Source>, interval: Duration) -> ParticleApi {
    let http = HttpSettings::requests("cloud-test", "0").client().unwrap();
    let tokens = Tokens::new(AccessToken::new(initial), source, interval);
    ParticleApi::with_base_url(http, base, Arc::new(tokens)).unwrap()
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

#[tokio::test]
async fn a_rotated_token_is_re_read_once_and_retried_once() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let base = server(Arc::clone(&seen)).await;
    let source = Arc::new(Source {
        value: "valid",
        reads: AtomicUsize::new(0),
    });
    let api = api(&base, "rotated-away", Arc::clone(&source), Duration::ZERO);
    let response = api.open_events("/ok", soon()).await.expect("stream");
    assert_eq!(response.status(), 200);
    let auths: Vec<Option<String>> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(_, a)| a.clone())
        .collect();
    assert_eq!(
        auths,
        [
            Some("Bearer rotated-away".to_owned()),
            Some("Bearer valid".to_owned())
        ]
    );
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|(uri, _)| !uri.contains("valid"))
    );
    assert_eq!(source.reads.load(Ordering::SeqCst), 1);
    // From now on the new token is used at once.
    api.open_events("/ok", soon()).await.expect("stream");
    assert_eq!(seen.lock().unwrap().len(), 3);
    assert_eq!(source.reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_wrong_token_is_refused_after_one_throttled_re_read() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let base = server(Arc::clone(&seen)).await;
    let source = Arc::new(Source {
        value: "still-wrong",
        reads: AtomicUsize::new(0),
    });
    let api = api(
        &base,
        "still-wrong",
        Arc::clone(&source),
        Duration::from_secs(60),
    );
    for _ in 0..3 {
        let failure = api.open_events("/ok", soon()).await.unwrap_err();
        assert!(failure.is_auth(), "{failure:?}");
        assert_eq!(
            failure.to_string(),
            "HTTP 401: invalid_token: The access token provided is invalid."
        );
    }
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "no retry with the same token"
    );
    assert_eq!(
        source.reads.load(Ordering::SeqCst),
        0,
        "read at start, not again within a minute"
    );
}

#[tokio::test]
async fn answers_are_typed() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let base = server(seen).await;
    let source = Arc::new(Source {
        value: "valid",
        reads: AtomicUsize::new(0),
    });
    let api = api(&base, "valid", source, Duration::from_secs(60));
    let busy = |retry_after: &str| {
        let api = api.clone();
        let path = format!("/busy?{}", retry_after.replace(' ', "%20"));
        async move { api.open_events(&path, soon()).await.unwrap_err() }
    };
    assert_eq!(
        busy("120").await,
        Failure::RateLimited {
            status: 529,
            retry_after: Some(Duration::from_secs(120))
        }
    );
    // Defect 2: a huge Retry-After is clamped to an hour.
    for huge in [
        "100000000000",
        "99999999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        assert_eq!(
            busy(huge).await,
            Failure::RateLimited {
                status: 529,
                retry_after: Some(MAX_RETRY_AFTER)
            },
            "{huge}"
        );
    }
    assert_eq!(
        busy("").await,
        Failure::RateLimited {
            status: 529,
            retry_after: None
        }
    );
    let down = api.open_events("/down", soon()).await.unwrap_err();
    assert_eq!(
        down,
        Failure::Retryable {
            status: Some(503),
            detail: "Service down".to_owned()
        }
    );
    let missing = api.open_events("/missing", soon()).await.unwrap_err();
    assert!(
        matches!(&missing, Failure::Permanent { status: 404, .. }),
        "{missing:?}"
    );
    assert_eq!(missing.to_string(), "HTTP 404: Unknown path");
    let html = api.open_events("/html", soon()).await.unwrap_err();
    assert!(
        html.to_string()
            .contains("expected Content-Type text/event-stream"),
        "{html}"
    );
}

#[tokio::test]
async fn no_server_is_retryable() {
    // A port nothing listens on (bound, then closed).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let source = Arc::new(Source {
        value: "valid",
        reads: AtomicUsize::new(0),
    });
    let api = api(&base, "valid", source, Duration::from_secs(60));
    let failure = api.open_events("/ok", soon()).await.unwrap_err();
    assert!(
        matches!(failure, Failure::Retryable { status: None, .. }),
        "{failure:?}"
    );
    assert!(!failure.to_string().contains("valid"), "{failure}");
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let http = HttpSettings::requests("cloud-test", "0").client().unwrap();
    let tokens = Arc::new(Tokens::fixed(AccessToken::new("x")));
    let err = ParticleApi::with_base_url(http, "http://api.particle.io", tokens).unwrap_err();
    assert!(err.to_string().contains("loopback"), "{err}");
}
