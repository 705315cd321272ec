//! The handler driven by real Lambda event fixtures (API Gateway HTTP API v2 and a Function URL), against both
//! store backends: accept, then store. Every refused request must store nothing. The front end's own rules
//! (every refusal, headers, rotation) are tested in `shared/webhook/tests/frontend.rs`.

use std::sync::{Arc, Mutex};

use ingest::Ingest;
use lambda_http::http::StatusCode;
use particle_lambda::{RefreshingSecret, Secret, SecretVersions};
use particle_store::repo::events::TimeRange;
use particle_store::{EventRepo, ItemStore, Retention};
use particle_webhook::testing::{body_json, fixture, request, with_body, with_header, with_method};
use particle_webhook::{Frontend, FrontendConfig};
use serde_json::{Value, json};

const SECRET: &str = "local-dev-secret-change-me";
const DEVICE: &str = "3f002b000000000000000000";
const APIGW_FORM: &str = include_str!("../../../fixtures/lambda/apigw-v2-ingest-form.json");
const URL_JSON: &str = include_str!("../../../fixtures/lambda/function-url-ingest-json.json");

particle_store::both_backends!(
    default_form_webhook_through_api_gateway,
    json_webhook_through_function_url,
    form_and_json_of_one_event_store_it_once,
    bad_inputs_store_nothing,
    content_type_is_sniffed_when_missing,
    previous_secret_is_accepted_during_a_rotation,
    largest_event_fully_escaped_is_stored,
);

async fn stored(store: &Arc<dyn ItemStore>) -> usize {
    let repo = EventRepo::new(store.clone(), Retention::Forever);
    repo.by_device(DEVICE, &TimeRange::default(), None)
        .await
        .expect("query")
        .len()
}

fn secrets(current: &str, previous: Option<&str>) -> Arc<RefreshingSecret> {
    Arc::new(RefreshingSecret::fixed(SecretVersions {
        current: Secret::new(current),
        previous: previous.map(Secret::new),
    }))
}

fn endpoint(store: &Arc<dyn ItemStore>) -> Ingest {
    Ingest::new(store.clone(), Retention::Forever, secrets(SECRET, None)).expect("valid secret")
}

async fn default_form_webhook_through_api_gateway(store: Arc<dyn ItemStore>) {
    let ingest = endpoint(&store);
    let event = fixture(APIGW_FORM);
    let first = ingest.handle(request(&event)).await;
    assert_eq!(first.status(), StatusCode::CREATED, "{:?}", first.body());
    let first_body = body_json(&first);
    assert_eq!(first_body["status"], "stored");
    let id = first_body["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(first.headers()["content-type"], "application/json");
    let second = ingest.handle(request(&event)).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(body_json(&second), json!({"status": "duplicate", "id": id}));
    assert_eq!(stored(&store).await, 1);
    let events = EventRepo::new(store, Retention::Forever)
        .by_device(DEVICE, &TimeRange::default(), None)
        .await
        .expect("query");
    assert_eq!(
        (events[0].name.as_str(), events[0].data.as_str()),
        ("demo", "mydata")
    );
    assert_eq!(events[0].published_at, "2017-02-01T21:08:05.763Z");
}

async fn json_webhook_through_function_url(store: Arc<dyn ItemStore>) {
    let ingest = endpoint(&store);
    let event = fixture(URL_JSON);
    assert_eq!(
        ingest.handle(request(&event)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        ingest.handle(request(&event)).await.status(),
        StatusCode::OK
    );
    assert_eq!(stored(&store).await, 1);
}

async fn form_and_json_of_one_event_store_it_once(store: Arc<dyn ItemStore>) {
    let ingest = endpoint(&store);
    let form = ingest.handle(request(&fixture(APIGW_FORM))).await;
    let json = ingest.handle(request(&fixture(URL_JSON))).await;
    assert_eq!(
        (form.status(), json.status()),
        (StatusCode::CREATED, StatusCode::OK)
    );
    assert_eq!(body_json(&form)["id"], body_json(&json)["id"]);
    assert_eq!(stored(&store).await, 1);
}

async fn content_type_is_sniffed_when_missing(store: Arc<dyn ItemStore>) {
    let ingest = endpoint(&store);
    let form = with_header(fixture(APIGW_FORM), "content-type", None);
    assert_eq!(
        ingest.handle(request(&form)).await.status(),
        StatusCode::CREATED
    );
    let json = with_header(fixture(URL_JSON), "content-type", None);
    assert_eq!(
        ingest.handle(request(&json)).await.status(),
        StatusCode::OK,
        "same event, sniffed as JSON"
    );
}

async fn bad_inputs_store_nothing(store: Arc<dyn ItemStore>) {
    let ingest = endpoint(&store);
    let form = || fixture(APIGW_FORM);
    let json = || fixture(URL_JSON);
    let good_form = "event=demo&data=mydata&published_at=2017-02-01T21%3A08%3A05.763Z&coreid=3f002b000000000000000000";
    // One request per kind of refusal (the full list is in the front end's tests).
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "no Authorization",
            with_header(form(), "authorization", None),
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
            "GET",
            with_method(form(), "GET"),
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
            "over 128 KiB",
            with_body(form(), &format!("{good_form}&pad={}", "x".repeat(140_000))),
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
            "bad coreid",
            with_body(
                form(),
                &good_form.replace("3f002b000000000000000000", "3f002b"),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "data too large",
            with_body(form(), &good_form.replace("mydata", &"d".repeat(16_385))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
    ];
    for (what, event, status, code) in cases {
        let response = ingest.handle(request(&event)).await;
        assert_eq!(response.status(), status, "{what}: {:?}", response.body());
        let body = body_json(&response);
        assert_eq!(body["error"], code, "{what}");
        let message = body["message"].as_str().unwrap_or("");
        assert!(message.len() > 10, "{what}: a sentence, got {message:?}");
        assert!(
            !message.contains(SECRET),
            "{what}: the secret never appears in an answer"
        );
    }
    assert_eq!(
        stored(&store).await,
        0,
        "no refused request stored anything"
    );
}

/// A store that cannot be written (a table that does not exist on the local server) gives 503, not a crash.
#[tokio::test]
async fn store_failure_is_503() {
    let client = particle_store::testing::dynamo_client().await;
    let store: Arc<dyn ItemStore> = Arc::new(particle_store::dynamo::DynamoStore::new(
        client,
        "no-such-table",
    ));
    let (ingest, counted) = counting_endpoint(&store);
    let response = ingest.handle(request(&fixture(APIGW_FORM))).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body_json(&response)["error"], "store_unavailable");
    assert_eq!(response.headers()["retry-after"], "5");
    assert_eq!(
        *counted.lock().unwrap(),
        [("ingest".to_owned(), vec!["ServerErrors"])]
    );
}

type Counted = Arc<Mutex<Vec<(String, Vec<&'static str>)>>>;

/// An endpoint whose error metrics are recorded instead of printed.
fn counting_endpoint(store: &Arc<dyn ItemStore>) -> (Ingest, Counted) {
    let counted: Counted = Arc::default();
    let record = counted.clone();
    let frontend = Frontend::new(FrontendConfig::post(
        ingest::handler::FUNCTION,
        ingest::handler::REALM,
        secrets(SECRET, None),
    ))
    .expect("valid secret")
    .with_metric_sink(Arc::new(move |function, metrics, _| {
        record.lock().unwrap().push((
            function.to_owned(),
            metrics.iter().map(|m| m.name).collect(),
        ));
    }));
    (
        Ingest::with_frontend(frontend, store.clone(), Retention::Forever),
        counted,
    )
}

/// Defect 3: every error answer of `ingest` is counted under `Function=ingest` (what the stack alarms on).
#[tokio::test]
async fn error_answers_are_counted_as_ingest() {
    let (store, _dir) = particle_store::testing::sqlite_store().await;
    let store: Arc<dyn ItemStore> = Arc::new(store);
    let (ingest, counted) = counting_endpoint(&store);
    let wrong = with_header(
        fixture(APIGW_FORM),
        "authorization",
        Some("Bearer not-the-secret-at-all"),
    );
    assert_eq!(
        ingest.handle(request(&wrong)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let bad = with_body(fixture(URL_JSON), "[1]");
    assert_eq!(
        ingest.handle(request(&bad)).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        ingest.handle(request(&fixture(APIGW_FORM))).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        *counted.lock().unwrap(),
        [
            ("ingest".to_owned(), vec!["ClientErrors", "Unauthorized"]),
            ("ingest".to_owned(), vec!["ClientErrors"]),
        ],
        "a success counts nothing"
    );
}

/// Defect 4: during a rotation the webhook still sends the previous secret; it is accepted and the event stored.
async fn previous_secret_is_accepted_during_a_rotation(store: Arc<dyn ItemStore>) {
    let ingest = Ingest::new(
        store.clone(),
        Retention::Forever,
        secrets("the-rotated-new-secret-01", Some(SECRET)),
    )
    .expect("valid secrets");
    let response = ingest.handle(request(&fixture(APIGW_FORM))).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{:?}",
        response.body()
    );
    let new = with_header(
        fixture(URL_JSON),
        "authorization",
        Some("Bearer the-rotated-new-secret-01"),
    );
    assert_eq!(ingest.handle(request(&new)).await.status(), StatusCode::OK);
    assert_eq!(stored(&store).await, 1);
}

/// Defect 5: 16,384 bytes of data, each a control character JSON-escaped as `\u00XX`, make a 98 KB body that
/// the old 64 KiB limit refused; it is stored, byte for byte.
async fn largest_event_fully_escaped_is_stored(store: Arc<dyn ItemStore>) {
    let data: String = (0..16_384u32)
        .map(|i| char::from_u32(1 + i % 31).expect("a control character"))
        .collect();
    // Escaped by hand: serde_json would write `\n`, `\t` and three more in 2 bytes instead of 6.
    let escaped: String = data
        .chars()
        .map(|c| format!("\\u{:04x}", u32::from(c)))
        .collect();
    let body = format!(
        "{{\"event\":\"demo\",\"data\":\"{escaped}\",\"published_at\":\"2017-02-01T21:08:05.763Z\",\"coreid\":\"{DEVICE}\"}}"
    );
    assert!(body.len() > 98_304, "{} bytes", body.len());
    let response = endpoint(&store)
        .handle(request(&with_body(fixture(URL_JSON), &body)))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{:?}",
        response.body()
    );
    let events = EventRepo::new(store, Retention::Forever)
        .by_device(DEVICE, &TimeRange::default(), None)
        .await
        .expect("query");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data, data);
}
