//! The handler driven by real Lambda event fixtures (API Gateway HTTP API v2 with a form body, a Function URL with
//! a JSON body) against the Google and Unwired Labs simulators, on both store backends: every answer code, the
//! fallback, the cache and negative cache, idempotent webhook retries, newer-only latest location, GNSS fixes,
//! and keys never in answers or items.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use geolocate::config::{Answering, response_template};
use geolocate::providers::{self, ProviderKind, ProviderSetting, ProviderSettings};
use geolocate::{Geolocate, Limits};
use integration_tests::google_geo::{self, GoogleGeo};
use integration_tests::json_sim::Reply;
use integration_tests::unwiredlabs::{self as ul, UnwiredLabs};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use particle_lambda::{RefreshingSecret, Secret, SecretVersions};
use particle_store::{
    Condition, GeocacheRepo, Item, ItemStore, LocationRepo, Page, PutOutcome, Query, StoreError,
    keys,
};
use particle_webhook::testing::{fixture, request};
use particle_webhook::{Frontend, FrontendConfig};
use serde_json::{Value, json};

const SECRET: &str = "local-dev-secret-change-me";
const KEY: &str = "AIzaSyTEST-key_0123456789abcdefghijk";
const TOKEN: &str = "pk.test-token-0123456789abcdef";
const DEVICE: &str = "0123456789abcdef01234567";
const APIGW_FORM: &str = include_str!("../../../fixtures/lambda/apigw-v2-ingest-form.json");
const URL_JSON: &str = include_str!("../../../fixtures/lambda/function-url-ingest-json.json");
const WIFI: &str = include_str!("../../../fixtures/geo/wifi.json");
const CELL_FORM: &str = include_str!("../../../fixtures/geo/cellular-form.txt");
const GNSS: &str = include_str!("../../../fixtures/geo/tracker-gnss.json");
const TRACKER_SCAN: &str = include_str!("../../../fixtures/geo/tracker-loc.json");
const WIFI_BODY: &str = r#"{"considerIp":false,"wifiAccessPoints":[{"macAddress":"a4:2b:b0:c1:10:00","signalStrength":-50,"channel":1},{"macAddress":"a4:2b:b0:c1:11:03","signalStrength":-51,"channel":6},{"macAddress":"a4:2b:b0:c1:12:06","signalStrength":-72,"channel":11}]}"#;
const ANSWER: &str = "42.3857729,-75.195375,4737";

particle_store::both_backends!(
    wifi_scan_is_located_stored_and_cached,
    retried_webhook_is_answered_from_the_stored_location,
    retry_after_a_failure_geolocates_again,
    fallback_to_unwiredlabs_after_a_quota_error,
    unwiredlabs_alone,
    not_found_is_404_and_cached_for_an_hour,
    provider_errors_are_502_naming_each_reason,
    slow_provider_is_504,
    invalid_scans_are_422_without_a_provider_call,
    gnss_fix_is_answered_without_a_provider,
    form_encoded_cellular_scan_keeps_att,
    tracker_scan_sends_radio_type,
    latest_location_only_moves_forward,
    unauthenticated_requests_ask_nobody,
    response_template_renders_the_location,
);

// ---- requests ---------------------------------------------------------------------------------------------

/// A Function URL invocation carrying `body` as Particle's JSON webhook.
fn json_webhook(body: &Value) -> lambda_http::Request {
    let mut event = fixture(URL_JSON);
    event["body"] = Value::from(body.to_string());
    event["headers"]["content-length"] = Value::from(body.to_string().len().to_string());
    request(&event)
}

/// An API Gateway invocation carrying `body` as Particle's default (form) webhook.
fn form_webhook(body: &str) -> lambda_http::Request {
    let mut event = fixture(APIGW_FORM);
    event["body"] = Value::from(body);
    event["isBase64Encoded"] = Value::from(false);
    event["headers"]["content-length"] = Value::from(body.len().to_string());
    request(&event)
}

/// The Wi-Fi fixture published at another time (another event, same scan).
fn wifi_at(published_at: &str) -> Value {
    let mut body = fixture(WIFI);
    body["published_at"] = Value::from(published_at);
    body.as_object_mut().unwrap().remove("particle_event_id");
    body
}

fn locator(data: &str, published_at: &str) -> Value {
    json!({"event": "deviceLocator", "data": data, "coreid": DEVICE, "published_at": published_at})
}

fn text(response: &Response<Body>) -> String {
    String::from_utf8_lossy(response.body().as_ref()).into_owned()
}

fn error_of(response: &Response<Body>) -> (StatusCode, String, String) {
    let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON error body");
    assert_eq!(response.headers()["content-type"], "application/json");
    (
        response.status(),
        body["error"].as_str().unwrap_or_default().to_owned(),
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

// ---- the endpoint -----------------------------------------------------------------------------------------

type Seen = Arc<Mutex<Vec<(String, Vec<(&'static str, f64)>)>>>;

struct Setup {
    geolocate: Geolocate,
    metrics: Seen,
}

impl Setup {
    /// The metrics of the last request: (ProviderCalls, CacheHits, NotFound).
    fn last_counts(&self) -> (f64, f64, f64) {
        let seen = self.metrics.lock().unwrap();
        let (_, metrics) = seen.last().expect("metrics emitted");
        let get = |n: &str| metrics.iter().find(|(m, _)| *m == n).map(|m| m.1).expect(n);
        (get("ProviderCalls"), get("CacheHits"), get("NotFound"))
    }

    fn emitted(&self) -> usize {
        self.metrics.lock().unwrap().len()
    }
}

fn secrets() -> Arc<RefreshingSecret> {
    Arc::new(RefreshingSecret::fixed(SecretVersions {
        current: Secret::new(SECRET),
        previous: None,
    }))
}

fn setting(kind: ProviderKind, url: &str, key: &str) -> ProviderSetting {
    ProviderSetting {
        kind,
        url: url.to_owned(),
        key: Secret::new(key),
    }
}

/// The endpoint as `main` builds it: providers from settings (production call policy), one HTTP client.
fn endpoint(
    store: &Arc<dyn ItemStore>,
    providers: Vec<ProviderSetting>,
    answering: Answering,
) -> Setup {
    let client = particle_geo::http::settings(geolocate::FUNCTION)
        .client()
        .expect("client");
    let providers = providers::build(&ProviderSettings(providers), &client).expect("providers");
    let metrics: Seen = Arc::default();
    let sink = metrics.clone();
    let frontend = Frontend::new(FrontendConfig::post(
        geolocate::FUNCTION,
        geolocate::handler::REALM,
        secrets(),
    ))
    .expect("front end")
    .with_metric_sink(Arc::new(|_, _, _| {}));
    let geolocate = Geolocate::with_frontend(frontend, store.clone(), providers, answering)
        .with_metric_sink(Arc::new(move |function, metrics, _| {
            sink.lock().unwrap().push((
                function.to_owned(),
                metrics.iter().map(|m| (m.name, m.value)).collect(),
            ));
        }));
    Setup { geolocate, metrics }
}

fn google_only(store: &Arc<dyn ItemStore>, google: &GoogleGeo) -> Setup {
    endpoint(
        store,
        vec![setting(ProviderKind::Google, &google.url(), KEY)],
        Answering::default(),
    )
}

async fn google(script: Vec<Reply>) -> GoogleGeo {
    GoogleGeo::start(
        KEY,
        script,
        google_geo::found(42.3857729, -75.195375, 4737.0),
    )
    .await
}

/// Every item of the device's partition and the cache, as text: no key or token may appear in any.
async fn assert_no_secret_stored(store: &Arc<dyn ItemStore>, answers: &[&Response<Body>]) {
    let items = store
        .query_all(&Query::partition(keys::device_pk(DEVICE)), 1000)
        .await
        .expect("query");
    let mut all = format!("{items:?}");
    for a in answers {
        all.push_str(&text(a));
    }
    assert!(
        !all.contains(KEY) && !all.contains(TOKEN),
        "a secret leaked: {all}"
    );
}

async fn location_items(store: &Arc<dyn ItemStore>) -> Vec<Item> {
    store
        .query_all(
            &Query {
                sk: particle_store::SkRange::BeginsWith(keys::LOCATION.to_owned()),
                ..Query::partition(keys::device_pk(DEVICE))
            },
            1000,
        )
        .await
        .expect("query")
}

// ---- scenarios --------------------------------------------------------------------------------------------

async fn wifi_scan_is_located_stored_and_cached(store: Arc<dyn ItemStore>) {
    let sim = google(vec![]).await;
    let setup = google_only(&store, &sim);
    let first = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    assert_eq!(first.status(), StatusCode::OK, "{}", text(&first));
    assert_eq!(text(&first), ANSWER);
    assert_eq!(first.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(setup.last_counts(), (1.0, 0.0, 0.0));
    let received = sim.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, WIFI_BODY, "the exact Google request body");
    assert_eq!(received[0].query_param("key").as_deref(), Some(KEY));

    // The same place seen again by another event: from the cache, no provider call.
    let second = setup
        .geolocate
        .handle(json_webhook(&wifi_at("2026-11-26T10:05:00.000Z")))
        .await;
    assert_eq!(
        (second.status(), text(&second)),
        (StatusCode::OK, ANSWER.to_owned())
    );
    assert_eq!(sim.received().len(), 1, "the cache spared the provider");
    assert_eq!(setup.last_counts(), (0.0, 1.0, 0.0));

    let items = location_items(&store).await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].attrs["source"], "wifi");
    assert_eq!(items[0].attrs["provider"], "google");
    assert_eq!(items[0].attrs["cached"], false);
    assert_eq!(items[1].attrs["cached"], true);
    assert_eq!(items[0].attrs["lat"], 42.3857729);
    let latest = LocationRepo::new(store.clone())
        .latest(DEVICE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.published_at, "2026-11-26T10:05:00.000Z");
    assert_no_secret_stored(&store, &[&first, &second]).await;
}

async fn retried_webhook_is_answered_from_the_stored_location(store: Arc<dyn ItemStore>) {
    let sim = google(vec![]).await;
    let setup = google_only(&store, &sim);
    let first = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    assert_eq!(text(&first), ANSWER);
    // Particle retries the same event (same id); even with the cache gone, no provider is asked.
    let entry = store
        .query_all(&Query::partition(keys::device_pk(DEVICE)), 100)
        .await
        .unwrap();
    assert!(entry.len() >= 3, "event, location, latest");
    let retry = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    assert_eq!(
        (retry.status(), text(&retry)),
        (StatusCode::OK, ANSWER.to_owned())
    );
    assert_eq!(sim.received().len(), 1);
    assert_eq!(setup.last_counts(), (0.0, 0.0, 0.0));
    assert_eq!(
        location_items(&store).await.len(),
        1,
        "one location per event"
    );
}

async fn retry_after_a_failure_geolocates_again(store: Arc<dyn ItemStore>) {
    let sim = google(vec![
        google_geo::server_error(500),
        google_geo::server_error(503),
    ])
    .await;
    let setup = google_only(&store, &sim);
    let failed = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    let (status, code, message) = error_of(&failed);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_error")
    );
    assert!(message.contains("google"), "{message}");
    assert_eq!(sim.received().len(), 2, "one retry after a 5xx");
    // The event is stored (a duplicate now) but has no location: the retry geolocates.
    let retry = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    assert_eq!(
        (retry.status(), text(&retry)),
        (StatusCode::OK, ANSWER.to_owned())
    );
    assert_eq!(sim.received().len(), 3);
    assert_eq!(location_items(&store).await.len(), 1);
}

async fn fallback_to_unwiredlabs_after_a_quota_error(store: Arc<dyn ItemStore>) {
    let g = GoogleGeo::start(KEY, vec![], google_geo::daily_limit_exceeded()).await;
    let u = UnwiredLabs::start(TOKEN, vec![], ul::found(37.295945, -121.98683, 120.0)).await;
    let setup = endpoint(
        &store,
        vec![
            setting(ProviderKind::Google, &g.url(), KEY),
            setting(ProviderKind::UnwiredLabs, &u.url(), TOKEN),
        ],
        Answering::default(),
    );
    let answer = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    assert_eq!(
        (answer.status(), text(&answer)),
        (StatusCode::OK, "37.295945,-121.98683,120".to_owned())
    );
    assert_eq!((g.received().len(), u.received().len()), (1, 1));
    assert_eq!(
        u.received()[0].json(),
        json!({"token": TOKEN, "address": 0, "wifi": [
            {"bssid": "a4:2b:b0:c1:10:00", "signal": -50, "channel": 1},
            {"bssid": "a4:2b:b0:c1:11:03", "signal": -51, "channel": 6},
            {"bssid": "a4:2b:b0:c1:12:06", "signal": -72, "channel": 11}]})
    );
    assert_eq!(setup.last_counts(), (2.0, 0.0, 0.0));
    assert_eq!(
        location_items(&store).await[0].attrs["provider"],
        "unwiredlabs"
    );
    assert_no_secret_stored(&store, &[&answer]).await;
}

async fn unwiredlabs_alone(store: Arc<dyn ItemStore>) {
    let u = UnwiredLabs::start(TOKEN, vec![], ul::found(37.295945, -121.98683, 120.0)).await;
    let setup = endpoint(
        &store,
        vec![setting(ProviderKind::UnwiredLabs, &u.url(), TOKEN)],
        Answering::default(),
    );
    let answer = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    assert_eq!(answer.status(), StatusCode::OK, "{}", text(&answer));
    assert_eq!(u.received().len(), 1);
}

async fn not_found_is_404_and_cached_for_an_hour(store: Arc<dyn ItemStore>) {
    let g = GoogleGeo::start(KEY, vec![], google_geo::not_found()).await;
    let u = UnwiredLabs::start(TOKEN, vec![], ul::not_found()).await;
    let setup = endpoint(
        &store,
        vec![
            setting(ProviderKind::Google, &g.url(), KEY),
            setting(ProviderKind::UnwiredLabs, &u.url(), TOKEN),
        ],
        Answering::default(),
    );
    let first = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    assert_eq!(error_of(&first).0, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&first).1, "not_found");
    assert_eq!(setup.last_counts(), (2.0, 0.0, 1.0));
    let again = setup
        .geolocate
        .handle(json_webhook(&wifi_at("2026-11-26T10:30:00.000Z")))
        .await;
    assert_eq!(error_of(&again).1, "not_found");
    assert_eq!(
        (g.received().len(), u.received().len()),
        (1, 1),
        "negative cache"
    );
    assert_eq!(setup.last_counts(), (0.0, 1.0, 1.0));
    // The entry expires an hour after it was written.
    let scan = match particle_geo::read(fixture(WIFI)["data"].as_str().unwrap()).unwrap() {
        particle_geo::Reading::Scan(s) => s,
        other => panic!("{other:?}"),
    };
    let key = particle_geo::cache_key(&scan);
    let k = keys::geocache(key.as_str());
    let item = store.get(&k.pk, &k.sk).await.unwrap().expect("cache item");
    let now = particle_events::clock::now_unix();
    let ttl = item.expires_at.unwrap() - now;
    assert!((3590..=3600).contains(&ttl), "{ttl}");
    assert!(
        GeocacheRepo::new(store.clone())
            .get(key.as_str())
            .await
            .unwrap()
            .unwrap()
            .place
            .is_none()
    );
    assert!(location_items(&store).await.is_empty());
}

async fn provider_errors_are_502_naming_each_reason(store: Arc<dyn ItemStore>) {
    let g = GoogleGeo::start(
        "another-key-entirely-000000",
        vec![],
        google_geo::found(1.0, 1.0, 1.0),
    )
    .await;
    let u = UnwiredLabs::start(TOKEN, vec![], ul::error("Your balance is exhausted")).await;
    let setup = endpoint(
        &store,
        vec![
            setting(ProviderKind::Google, &g.url(), KEY),
            setting(ProviderKind::UnwiredLabs, &u.url(), TOKEN),
        ],
        Answering::default(),
    );
    let answer = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    let (status, code, message) = error_of(&answer);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_error")
    );
    assert!(
        message.contains("google") && message.contains("keyInvalid"),
        "{message}"
    );
    assert!(message.contains("unwiredlabs"), "{message}");
    assert!(
        !message.contains(KEY) && !message.contains(TOKEN),
        "{message}"
    );
    assert_eq!(setup.last_counts(), (2.0, 0.0, 0.0));

    let quota = GoogleGeo::start(KEY, vec![], google_geo::user_rate_limit_exceeded()).await;
    let setup = google_only(&store, &quota);
    let answer = setup
        .geolocate
        .handle(json_webhook(&wifi_at("2026-11-26T11:00:00.000Z")))
        .await;
    let (status, _, message) = error_of(&answer);
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(message.contains("userRateLimitExceeded"), "{message}");
    assert_no_secret_stored(&store, &[&answer]).await;
}

async fn slow_provider_is_504(store: Arc<dyn ItemStore>) {
    let sim = GoogleGeo::start(
        KEY,
        vec![],
        google_geo::found(1.0, 2.0, 3.0).after(Duration::from_secs(3)),
    )
    .await;
    let setup = google_only(&store, &sim).geolocate.with_limits(Limits {
        request: Duration::from_secs(5),
        providers: Duration::from_millis(700),
    });
    let started = std::time::Instant::now();
    let answer = setup.handle(json_webhook(&fixture(WIFI))).await;
    let (status, code, _) = error_of(&answer);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::GATEWAY_TIMEOUT, "provider_timeout")
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

async fn invalid_scans_are_422_without_a_provider_call(store: Arc<dyn ItemStore>) {
    let sim = google(vec![]).await;
    let setup = google_only(&store, &sim);
    for (i, data) in [
        "not json at all",
        r#"{"hello":"world"}"#,
        r#"{"w":{"a":[{"m":"a4:2b:b0:c1:10:00","s":-50}]}}"#,
        r#"{"w":{"a":[{"m":"00:00:00:00:00:00"},{"m":"ff:ff:ff:ff:ff:ff"}]}}"#,
        r#"{"c":{"o":"AT&T","a":[{"i":1,"l":65535,"c":310,"n":410}]}}"#,
    ]
    .into_iter()
    .enumerate()
    {
        let at = format!("2026-11-26T12:00:0{i}.000Z");
        let answer = setup
            .geolocate
            .handle(json_webhook(&locator(data, &at)))
            .await;
        let (status, code, _) = error_of(&answer);
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_scan"),
            "{data}"
        );
    }
    assert!(sim.received().is_empty());
    assert!(location_items(&store).await.is_empty());
}

async fn gnss_fix_is_answered_without_a_provider(store: Arc<dyn ItemStore>) {
    let sim = google(vec![]).await;
    let setup = google_only(&store, &sim);
    let answer = setup.geolocate.handle(json_webhook(&fixture(GNSS))).await;
    assert_eq!(
        (answer.status(), text(&answer)),
        (StatusCode::OK, "37.295945,-121.98683,10".to_owned())
    );
    assert!(sim.received().is_empty());
    let items = location_items(&store).await;
    assert_eq!(items[0].attrs["source"], "gnss");
    assert!(!items[0].attrs.contains_key("provider"));
    assert_eq!(setup.last_counts(), (0.0, 0.0, 0.0));
}

async fn form_encoded_cellular_scan_keeps_att(store: Arc<dyn ItemStore>) {
    let sim = google(vec![]).await;
    let setup = google_only(&store, &sim);
    let answer = setup.geolocate.handle(form_webhook(CELL_FORM)).await;
    assert_eq!(
        (answer.status(), text(&answer)),
        (StatusCode::OK, ANSWER.to_owned())
    );
    let body = sim.received()[0].json();
    assert_eq!(body["carrier"], "AT&T");
    assert_eq!(body["considerIp"], false);
    assert_eq!(
        body["cellTowers"],
        json!([
            {"cellId": 145073610, "locationAreaCode": 11511, "mobileCountryCode": 310, "mobileNetworkCode": 410},
            {"cellId": 145073611, "locationAreaCode": 11511, "mobileCountryCode": 310, "mobileNetworkCode": 410}
        ])
    );
    assert!(body.get("radioType").is_none(), "never guessed");
    assert_eq!(location_items(&store).await[0].attrs["source"], "cell");
}

async fn tracker_scan_sends_radio_type(store: Arc<dyn ItemStore>) {
    let sim = google(vec![]).await;
    let setup = google_only(&store, &sim);
    let answer = setup
        .geolocate
        .handle(json_webhook(&fixture(TRACKER_SCAN)))
        .await;
    assert_eq!(answer.status(), StatusCode::OK, "{}", text(&answer));
    let body = sim.received()[0].json();
    assert_eq!(body["radioType"], "lte");
    assert_eq!(body["wifiAccessPoints"].as_array().map(Vec::len), Some(2));
    assert_eq!(location_items(&store).await[0].attrs["source"], "wifi+cell");
}

async fn latest_location_only_moves_forward(store: Arc<dyn ItemStore>) {
    let sim = google(vec![
        google_geo::found(10.0, 20.0, 30.0),
        google_geo::found(11.0, 21.0, 31.0),
    ])
    .await;
    let setup = google_only(&store, &sim);
    let newer = locator(
        r#"{"w":{"a":[{"m":"a4:2b:b0:00:00:01"},{"m":"a4:2b:b0:00:00:02"}]}}"#,
        "2026-11-26T15:00:00.000Z",
    );
    let older = locator(
        r#"{"w":{"a":[{"m":"a4:2b:b0:00:00:03"},{"m":"a4:2b:b0:00:00:04"}]}}"#,
        "2026-11-26T14:00:00.000Z",
    );
    assert_eq!(
        text(&setup.geolocate.handle(json_webhook(&newer)).await),
        "10,20,30"
    );
    // A late delivery of an older event is answered and kept in the history, but does not move the device back.
    assert_eq!(
        text(&setup.geolocate.handle(json_webhook(&older)).await),
        "11,21,31"
    );
    let latest = LocationRepo::new(store.clone())
        .latest(DEVICE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (latest.lat, latest.published_at.as_str()),
        (10.0, "2026-11-26T15:00:00.000Z")
    );
    assert_eq!(location_items(&store).await.len(), 2);
}

async fn unauthenticated_requests_ask_nobody(store: Arc<dyn ItemStore>) {
    let sim = google(vec![]).await;
    let setup = google_only(&store, &sim);
    let mut event = fixture(URL_JSON);
    event["body"] = Value::from(fixture(WIFI).to_string());
    event["headers"]["authorization"] = Value::from("Bearer wrong-secret-entirely-0000");
    let answer = setup.geolocate.handle(request(&event)).await;
    assert_eq!(error_of(&answer).0, StatusCode::UNAUTHORIZED);
    let mut get = fixture(URL_JSON);
    get["requestContext"]["http"]["method"] = Value::from("GET");
    assert_eq!(
        setup.geolocate.handle(request(&get)).await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert!(sim.received().is_empty());
    assert_eq!(
        setup.emitted(),
        0,
        "nothing to count before the front end accepts"
    );
}

async fn response_template_renders_the_location(store: Arc<dyn ItemStore>) {
    let sim = google(vec![]).await;
    let answering = Answering {
        template: response_template(Some(
            "{{lat}};{{lng}};{{accuracy}};{{source}};{{provider}};{{cached}}",
        ))
        .unwrap(),
        ..Answering::default()
    };
    let setup = endpoint(
        &store,
        vec![setting(ProviderKind::Google, &sim.url(), KEY)],
        answering,
    );
    let answer = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    assert_eq!(
        text(&answer),
        "42.3857729;-75.195375;4737;wifi;google;false"
    );
}

// ---- a failing store --------------------------------------------------------------------------------------

#[derive(Debug)]
struct DownStore;

fn down() -> StoreError {
    StoreError::Dynamo {
        operation: "PutItem",
        message: "service unavailable".into(),
    }
}

#[async_trait]
impl ItemStore for DownStore {
    async fn put_new(&self, _: &Item) -> Result<PutOutcome, StoreError> {
        Err(down())
    }
    async fn put_new_batch(&self, _: &[Item]) -> Result<Vec<PutOutcome>, StoreError> {
        Err(down())
    }
    async fn put(&self, _: &Item, _: Condition) -> Result<bool, StoreError> {
        Err(down())
    }
    async fn get(&self, _: &str, _: &str) -> Result<Option<Item>, StoreError> {
        Err(down())
    }
    async fn query(&self, _: &Query) -> Result<Page, StoreError> {
        Err(down())
    }
    fn describe(&self) -> String {
        "down".into()
    }
}

#[tokio::test]
async fn store_failure_is_503_before_any_provider_call() {
    let sim = google(vec![]).await;
    let store: Arc<dyn ItemStore> = Arc::new(DownStore);
    let setup = google_only(&store, &sim);
    let answer = setup.geolocate.handle(json_webhook(&fixture(WIFI))).await;
    let (status, code, _) = error_of(&answer);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable")
    );
    assert!(answer.headers().contains_key("retry-after"));
    assert!(sim.received().is_empty());
}
