//! The front end driven by real Lambda event fixtures (API Gateway HTTP API v2 and a Function URL): every
//! refusal with its status, code and recovery headers; the realm and methods as parameters; the 128 KiB limit;
//! secret rotation; and the error metrics.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Response};
use particle_events::Encoding;
use particle_lambda::{RefreshingSecret, Secret, SecretSource, SecretVersions, SettingError};
use particle_webhook::frontend::MetricSink;
use particle_webhook::testing::{body_json, fixture, request, with_body, with_header, with_method};
use particle_webhook::{
    Credential, Frontend, FrontendConfig, FrontendError, MAX_BODY_BYTES, Rejection,
};
use serde_json::Value;

const SECRET: &str = "local-dev-secret-change-me";
const DEVICE: &str = "3f002b000000000000000000";
const APIGW_FORM: &str = include_str!("../../../fixtures/lambda/apigw-v2-ingest-form.json");
const URL_JSON: &str = include_str!("../../../fixtures/lambda/function-url-ingest-json.json");
const GOOD_FORM: &str = "event=demo&data=mydata&published_at=2017-02-01T21%3A08%3A05.763Z&coreid=3f002b000000000000000000";

fn fixed(current: &str, previous: Option<&str>) -> Arc<RefreshingSecret> {
    Arc::new(RefreshingSecret::fixed(SecretVersions {
        current: Secret::new(current),
        previous: previous.map(Secret::new),
    }))
}

fn frontend() -> Frontend {
    Frontend::new(FrontendConfig::post(
        "ingest",
        "particle-ingest",
        fixed(SECRET, None),
    ))
    .expect("valid config")
}

/// Particle's default JSON webhook whose data is 16,384 control characters, each JSON-escaped as `\u00XX`.
fn escaped_control_body() -> String {
    let data: String = (0..16_384)
        .map(|i| format!("\\u{:04x}", 1 + i % 31))
        .collect();
    format!(
        "{{\"event\":\"demo\",\"data\":\"{data}\",\"published_at\":\"2017-02-01T21:08:05.763Z\",\"coreid\":\"{DEVICE}\"}}"
    )
}

#[tokio::test]
async fn accepts_both_fixtures() {
    let frontend = frontend();
    let form = frontend
        .accept(&request(&fixture(APIGW_FORM)))
        .await
        .expect("form");
    assert_eq!(form.encoding, Encoding::Form);
    assert_eq!(form.credential, Credential::Current);
    assert_eq!(
        (
            form.event.name.as_str(),
            form.event.data.as_str(),
            form.event.coreid.as_str()
        ),
        ("demo", "mydata", DEVICE)
    );
    assert_eq!(form.event.published_at, "2017-02-01T21:08:05.763Z");
    let json = frontend
        .accept(&request(&fixture(URL_JSON)))
        .await
        .expect("JSON");
    assert_eq!(json.encoding, Encoding::Json);
    assert_eq!(json.event.id, form.event.id, "one event in two encodings");
    // Without a content type the body is sniffed.
    let sniffed = with_header(fixture(APIGW_FORM), "content-type", None);
    assert_eq!(
        frontend
            .accept(&request(&sniffed))
            .await
            .expect("sniffed")
            .encoding,
        Encoding::Form
    );
}

#[tokio::test]
async fn refusals_have_a_status_a_code_and_a_sentence() {
    let frontend = frontend();
    let form = || fixture(APIGW_FORM);
    let json = || fixture(URL_JSON);
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "no Authorization",
            with_header(form(), "authorization", None),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "wrong bearer",
            with_header(form(), "authorization", Some("Bearer not-the-secret")),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "wrong basic",
            with_header(json(), "authorization", Some("Basic cGFydGljbGU6bm9wZQ==")),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "empty basic password",
            with_header(json(), "authorization", Some("Basic Og==")),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "GET",
            with_method(form(), "GET"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            "PUT",
            with_method(json(), "PUT"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            "text/plain",
            with_header(form(), "content-type", Some("text/plain")),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "xml",
            with_header(
                with_body(json(), "<event/>"),
                "content-type",
                Some("application/xml"),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "unsniffable",
            with_header(with_body(form(), "just some text"), "content-type", None),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "latin1",
            with_header(
                json(),
                "content-type",
                Some("application/json; charset=latin1"),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "too large",
            with_body(
                form(),
                &format!("{GOOD_FORM}&pad={}", "x".repeat(MAX_BODY_BYTES)),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            "bad JSON",
            with_body(json(), "{\"event\": \"demo\""),
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            "JSON array",
            with_body(json(), "[1]"),
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            "empty body",
            with_body(form(), ""),
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            "repeated form field",
            with_body(form(), &format!("{GOOD_FORM}&data=again")),
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            "form not UTF-8",
            with_body(form(), &GOOD_FORM.replace("mydata", "%C3%28")),
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            "bad coreid",
            with_body(form(), &GOOD_FORM.replace(DEVICE, "3f002b")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "bad published_at",
            with_body(
                form(),
                &GOOD_FORM.replace("2017-02-01T21%3A08%3A05.763Z", "yesterday"),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "missing event",
            with_body(form(), &GOOD_FORM.replace("event=demo&", "")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "name too long",
            with_body(
                form(),
                &GOOD_FORM.replace("event=demo", &format!("event={}", "n".repeat(65))),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "data too large",
            with_body(form(), &GOOD_FORM.replace("mydata", &"d".repeat(16_385))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "data not a string",
            with_body(
                json(),
                &format!(
                    "{{\"event\":\"demo\",\"data\":5,\"published_at\":\"2017-02-01T21:08:05.763Z\",\"coreid\":\"{DEVICE}\"}}"
                ),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
    ];
    for (what, event, status, code) in cases {
        let rejection = frontend.accept(&request(&event)).await.expect_err(what);
        assert_eq!(
            (rejection.status, rejection.code),
            (status, code),
            "{what}: {}",
            rejection.message
        );
        let response = rejection.into_response();
        assert_eq!(response.status(), status, "{what}");
        let body = body_json(&response);
        assert_eq!(body["error"], code, "{what}");
        let message = body["message"].as_str().unwrap_or("");
        assert!(message.len() > 10, "{what}: a sentence, got {message:?}");
        assert!(
            !message.contains(SECRET),
            "{what}: the secret never appears in an answer"
        );
    }
}

#[tokio::test]
async fn realm_and_methods_are_parameters() {
    let frontend = Frontend::new(FrontendConfig {
        methods: vec![Method::POST, Method::PUT],
        ..FrontendConfig::post("geolocate", "particle-geolocate", fixed(SECRET, None))
    })
    .expect("valid config");
    let denied = frontend
        .accept(&request(&with_header(
            fixture(APIGW_FORM),
            "authorization",
            None,
        )))
        .await
        .expect_err("no secret")
        .into_response();
    assert_eq!(
        denied.headers()["www-authenticate"],
        "Bearer realm=\"particle-geolocate\", Basic realm=\"particle-geolocate\""
    );
    let get = frontend
        .accept(&request(&with_method(fixture(APIGW_FORM), "GET")))
        .await
        .expect_err("GET")
        .into_response();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(get.headers()["allow"], "POST, PUT");
    assert!(
        frontend
            .accept(&request(&with_method(fixture(APIGW_FORM), "PUT")))
            .await
            .is_ok(),
        "PUT is allowed here"
    );
    // ingest's own realm.
    let ingest = frontend_answer(&with_header(fixture(APIGW_FORM), "authorization", None)).await;
    assert_eq!(
        ingest.headers()["www-authenticate"],
        "Bearer realm=\"particle-ingest\", Basic realm=\"particle-ingest\""
    );
    let ingest_get = frontend_answer(&with_method(fixture(APIGW_FORM), "GET")).await;
    assert_eq!(ingest_get.headers()["allow"], "POST");
}

async fn frontend_answer(event: &Value) -> Response<Body> {
    let frontend = frontend().with_metric_sink(Arc::new(|_, _, _| {}));
    let outcome = frontend
        .accept(&request(event))
        .await
        .map(|_| Response::new(Body::Empty));
    frontend.finish(outcome)
}

#[test]
fn bad_configurations_are_refused() {
    let build = |config: FrontendConfig| Frontend::new(config).map(|_| ()).unwrap_err();
    let weak = build(FrontendConfig::post(
        "ingest",
        "particle-ingest",
        fixed("", None),
    ));
    assert!(matches!(weak, FrontendError::WeakSecret(_)), "{weak}");
    let weak = build(FrontendConfig::post(
        "ingest",
        "particle-ingest",
        fixed("fifteen-chars-x", None),
    ));
    assert!(matches!(weak, FrontendError::WeakSecret(_)), "{weak}");
    for realm in ["", "a \"quoted\" realm", "new\nline"] {
        let bad = build(FrontendConfig::post("ingest", realm, fixed(SECRET, None)));
        assert!(matches!(bad, FrontendError::Realm(_)), "{realm:?}: {bad}");
    }
    let none = build(FrontendConfig {
        methods: vec![],
        ..FrontendConfig::post("ingest", "particle-ingest", fixed(SECRET, None))
    });
    assert!(matches!(none, FrontendError::NoMethods));
}

/// Defect 5: 16,384 bytes of data JSON-escaped take 98,304 bytes, which the old 64 KiB limit refused with 413.
#[tokio::test]
async fn the_largest_event_fits_when_every_byte_is_escaped() {
    let body = escaped_control_body();
    assert!(
        body.len() > 98_304 && body.len() > 64 * 1024,
        "{}",
        body.len()
    );
    let event = with_body(fixture(URL_JSON), &body);
    let accepted = frontend().accept(&request(&event)).await.expect("accepted");
    assert_eq!(accepted.event.data.len(), 16_384);
    assert!(accepted.event.data.chars().all(char::is_control));
}

/// A writer the test reads back: the log lines of the code under test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every 413 is logged as a warning with the body's size and the limit.
#[tokio::test(flavor = "current_thread")]
async fn a_413_is_logged_with_its_size() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let body = format!("{GOOD_FORM}&pad={}", "x".repeat(MAX_BODY_BYTES));
    let rejection = frontend()
        .accept(&request(&with_body(fixture(APIGW_FORM), &body)))
        .await
        .expect_err("too large");
    assert_eq!(rejection.status, StatusCode::PAYLOAD_TOO_LARGE);
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let line: Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["fields"]["size"].is_u64())
        .unwrap_or_else(|| panic!("no log line with a size: {text}"));
    assert_eq!(line["level"], "WARN");
    assert_eq!(line["fields"]["size"], body.len());
    assert_eq!(line["fields"]["limit"], 128 * 1024);
}

/// A source whose versions the test rotates, counting reads.
#[derive(Debug)]
struct Rotating {
    versions: Mutex<SecretVersions>,
    reads: AtomicUsize,
}

impl Rotating {
    fn new(current: &str) -> Arc<Self> {
        Arc::new(Rotating {
            versions: Mutex::new(SecretVersions::current(Secret::new(current))),
            reads: AtomicUsize::new(0),
        })
    }
    /// What Secrets Manager does in a rotation: the new version becomes current, the current one previous.
    fn rotate(&self, new: &str) {
        let mut versions = self.versions.lock().unwrap();
        let old = versions.current.clone();
        *versions = SecretVersions {
            current: Secret::new(new),
            previous: Some(old),
        };
    }
}

#[async_trait]
impl SecretSource for Rotating {
    async fn read(&self) -> Result<SecretVersions, SettingError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.versions.lock().unwrap().clone())
    }
}

fn bearer(secret: &str) -> Value {
    with_header(
        fixture(APIGW_FORM),
        "authorization",
        Some(&format!("Bearer {secret}")),
    )
}

#[tokio::test(start_paused = true)]
async fn a_rotation_reaches_a_warm_instance() {
    const OLD: &str = "old-webhook-secret-0001";
    const NEW: &str = "new-webhook-secret-0002";
    const NEWER: &str = "newer-webhook-secret-03";
    let source = Rotating::new(OLD);
    let secrets = Arc::new(
        RefreshingSecret::read(source.clone(), Duration::from_secs(60))
            .await
            .expect("read"),
    );
    let frontend =
        Frontend::new(FrontendConfig::post("ingest", "particle-ingest", secrets)).expect("config");
    let accept = |secret: &'static str| {
        let frontend = &frontend;
        async move {
            frontend
                .accept(&request(&bearer(secret)))
                .await
                .map(|a| a.credential)
        }
    };
    assert_eq!(accept(OLD).await, Ok(Credential::Current));

    // The secret is rotated a minute after the cold start; Particle's webhook still sends the old one.
    tokio::time::advance(Duration::from_secs(60)).await;
    source.rotate(NEW);
    assert_eq!(
        accept(OLD).await,
        Ok(Credential::Current),
        "nothing re-read yet"
    );
    assert_eq!(source.reads.load(Ordering::SeqCst), 1);
    // The webhook is updated: the new secret makes the instance re-read, and is accepted.
    assert_eq!(accept(NEW).await, Ok(Credential::Current));
    assert_eq!(source.reads.load(Ordering::SeqCst), 2);
    // During the rotation, the previous secret is still accepted.
    assert_eq!(accept(OLD).await, Ok(Credential::Previous));

    // A second rotation within the minute is not seen: the re-read is throttled.
    source.rotate(NEWER);
    let refused = accept(NEWER).await.expect_err("throttled");
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let refused = accept("a-wrong-guess-000000").await.expect_err("wrong");
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        source.reads.load(Ordering::SeqCst),
        2,
        "bad credentials within a minute read nothing"
    );
    // A missing or unreadable credential never triggers a re-read.
    tokio::time::advance(Duration::from_secs(60)).await;
    let missing = frontend
        .accept(&request(&with_header(
            fixture(APIGW_FORM),
            "authorization",
            None,
        )))
        .await
        .expect_err("missing");
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(source.reads.load(Ordering::SeqCst), 2);
    // A minute later the newer secret is picked up; the oldest one is dropped.
    assert_eq!(accept(NEWER).await, Ok(Credential::Current));
    assert_eq!(accept(NEW).await, Ok(Credential::Previous));
    assert_eq!(
        accept(OLD).await.map_err(|r| r.status),
        Err(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(source.reads.load(Ordering::SeqCst), 3);
}

/// One emission: function, metric names, properties.
type Counted = (String, Vec<&'static str>, Value);

#[tokio::test]
async fn error_answers_are_counted() {
    let seen: Arc<Mutex<Vec<Counted>>> = Arc::default();
    let record = seen.clone();
    let sink: MetricSink = Arc::new(move |function, metrics, properties| {
        let props: serde_json::Map<String, Value> = properties
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        record.lock().unwrap().push((
            function.to_owned(),
            metrics.iter().map(|m| m.name).collect(),
            Value::Object(props),
        ));
    });
    let frontend = frontend().with_metric_sink(sink);
    for event in [
        fixture(APIGW_FORM),
        bearer("a-wrong-guess-000000"),
        with_method(fixture(APIGW_FORM), "GET"),
    ] {
        let outcome = frontend
            .accept(&request(&event))
            .await
            .map(|_| Response::new(Body::Empty));
        frontend.finish(outcome);
    }
    frontend.finish(Err(Rejection::unavailable(
        "store_unavailable",
        "the store failed",
        5,
    )));
    let mut built = Response::new(Body::Empty);
    *built.status_mut() = StatusCode::BAD_GATEWAY;
    assert_eq!(frontend.finish(Ok(built)).status(), StatusCode::BAD_GATEWAY);

    let seen = seen.lock().unwrap();
    let summary: Vec<(&str, Vec<&str>, &Value)> = seen
        .iter()
        .map(|(f, m, p)| (f.as_str(), m.clone(), p))
        .collect();
    assert_eq!(summary.len(), 4, "the success counts nothing: {summary:?}");
    assert_eq!(summary[0].0, "ingest");
    assert_eq!(summary[0].1, ["ClientErrors", "Unauthorized"]);
    assert_eq!(
        summary[0].2,
        &serde_json::json!({"status": 401, "error": "unauthorized"})
    );
    assert_eq!(summary[1].1, ["ClientErrors"]);
    assert_eq!(summary[1].2["status"], 405);
    assert_eq!(summary[2].1, ["ServerErrors"]);
    assert_eq!(summary[2].2["error"], "store_unavailable");
    assert_eq!(summary[3].1, ["ServerErrors"]);
    assert_eq!(summary[3].2, &serde_json::json!({"status": 502}));
}
