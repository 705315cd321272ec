//! Every route of `respond`, driven by API Gateway HTTP API v2 events, against the Particle Cloud API simulator
//! on 127.0.0.1 and both store backends: webhook replies (precedence, budget, retries), the admin API (auth,
//! replies, function calls, publishes, deliveries) and pending commands delivered when the device is next seen.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use integration_tests::particle_api::{Device, Fault, ParticleApiSim};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use particle_cloud::{Backoff, HttpSettings, Limits, ParticleApi, RetryPolicy, Tokens};
use particle_commands::Commands;
use particle_lambda::{RefreshingSecret, Secret, SecretVersions};
use particle_store::repo::events::TimeRange;
use particle_store::{EventRepo, ItemStore, Retention};
use respond::Respond;
use respond::handler::Parts;
use serde_json::{Value, json};

const WEBHOOK_SECRET: &str = "webhook-secret-for-tests-0001";
const ADMIN_SECRET: &str = "admin-secret-for-tests-000001";
const TOKEN: &str = "particle-token-for-tests-0001";
const DEV_A: &str = "0123456789abcdef01234567";
const DEV_B: &str = "0123456789abcdef0123456b";
const DEV_C: &str = "0123456789abcdef0123456c";

particle_store::both_backends!(
    replies_follow_device_then_product_then_default,
    no_reply_is_404_and_the_event_is_stored,
    reply_over_budget_is_500_never_truncated,
    retried_webhook_gets_the_same_reply,
    secrets_do_not_cross_routes,
    replies_crud_and_template_errors,
    function_calls_and_their_failures,
    rate_limits_and_server_errors_are_retried,
    slow_device_is_a_device_timeout,
    publishes_reach_particle,
    pending_command_is_delivered_once_when_the_device_is_seen,
);

/// Error answers counted: (function, metric names, error code).
type Counted = Arc<Mutex<Vec<(String, Vec<&'static str>, String)>>>;

struct Fixture {
    respond: Respond,
    sim: ParticleApiSim,
    store: Arc<dyn ItemStore>,
    counted: Counted,
}

fn secrets(value: &str) -> Arc<RefreshingSecret> {
    Arc::new(RefreshingSecret::fixed(SecretVersions::current(
        Secret::new(value),
    )))
}

const FAST: RetryPolicy = RetryPolicy {
    backoff: Backoff {
        base: Duration::from_millis(20),
        max: Duration::from_millis(100),
        attempts: 5,
    },
    budget: Duration::from_secs(3),
};

async fn fixture(store: Arc<dyn ItemStore>, reply_max_bytes: usize) -> Fixture {
    let sim = ParticleApiSim::start(TOKEN).await;
    sim.device(DEV_A, Device::online(&[("led", 1), ("reboot", 0)]));
    let http = HttpSettings::requests("respond-tests", "0")
        .client()
        .unwrap();
    let api = ParticleApi::with_base_url(
        http,
        &sim.base_url(),
        Arc::new(Tokens::fixed(particle_cloud::AccessToken::new(TOKEN))),
    )
    .unwrap();
    let commands =
        Commands::new(store.clone(), api, Limits::default(), 24).with_policies(FAST, FAST);
    let counted: Counted = Arc::default();
    let record = counted.clone();
    let respond = Respond::new(Parts {
        store: store.clone(),
        retention: Retention::Forever,
        webhook_secrets: secrets(WEBHOOK_SECRET),
        admin_secrets: secrets(ADMIN_SECRET),
        commands,
        reply_max_bytes,
    })
    .unwrap()
    .with_metric_sink(Arc::new(move |function, metrics, properties| {
        let error = properties
            .iter()
            .find(|(k, _)| *k == "error")
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("")
            .to_owned();
        record.lock().unwrap().push((
            function.to_owned(),
            metrics.iter().map(|m| m.name).collect(),
            error,
        ));
    }));
    Fixture {
        respond,
        sim,
        store,
        counted,
    }
}

/// An API Gateway HTTP API v2 event.
fn request(
    method: &str,
    path: &str,
    secret: Option<&str>,
    content_type: &str,
    body: &str,
) -> lambda_http::Request {
    let mut headers = serde_json::Map::new();
    headers.insert("host".into(), json!("api.example.com"));
    headers.insert("content-type".into(), json!(content_type));
    if let Some(s) = secret {
        headers.insert("authorization".into(), json!(format!("Bearer {s}")));
    }
    let event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "a1b2c3", "domainName": "api.example.com",
            "domainPrefix": "api",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "52.23.141.202",
                     "userAgent": "tests"},
            "requestId": "r1", "routeKey": "$default", "stage": "$default",
            "time": "29/Nov/2026:02:00:00 +0000", "timeEpoch": 1795917600000u64
        },
        "body": body,
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).expect("a Lambda HTTP request")
}

impl Fixture {
    async fn admin(&self, method: &str, path: &str, body: &str) -> Response<Body> {
        self.respond
            .handle(request(
                method,
                path,
                Some(ADMIN_SECRET),
                "application/json",
                body,
            ))
            .await
    }

    async fn put_reply(&self, scope: &str, topic: &str, template: &str) {
        let path = format!("/replies/{scope}/{}", topic.replace('/', "%2F"));
        let r = self.admin("PUT", &path, template).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", text(&r));
    }

    /// A request event through the webhook (Particle's recommended JSON body).
    async fn webhook(
        &self,
        coreid: &str,
        name: &str,
        data: &str,
        product: Option<u32>,
    ) -> Response<Body> {
        let mut body = json!({
            "event": name, "data": data, "coreid": coreid,
            "published_at": "2026-11-29T02:00:00.000Z", "fw_version": "3",
        });
        if let Some(p) = product {
            body["product_id"] = json!(p.to_string());
        }
        self.respond
            .handle(request(
                "POST",
                "/respond",
                Some(WEBHOOK_SECRET),
                "application/json",
                &body.to_string(),
            ))
            .await
    }
}

fn text(r: &Response<Body>) -> String {
    String::from_utf8_lossy(r.body().as_ref()).into_owned()
}

fn body_json(r: &Response<Body>) -> Value {
    serde_json::from_slice(r.body().as_ref()).unwrap_or(Value::Null)
}

async fn replies_follow_device_then_product_then_default(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    f.put_reply("default", "config/get", "default {{temp}}")
        .await;
    f.put_reply("product:42", "config/get", "product {{PRODUCT_ID}}")
        .await;
    f.put_reply(
        &format!("device:{DEV_A}"),
        "config/get",
        "device {{PARTICLE_DEVICE_ID}} {{temp}}",
    )
    .await;

    let r = f
        .webhook(DEV_A, "config/get", r#"{"temp":21.5}"#, Some(42))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        r.headers()
    );
    assert_eq!(text(&r), format!("device {DEV_A} 21.5"));
    let r = f.webhook(DEV_B, "config/get", "{}", Some(42)).await;
    assert_eq!(text(&r), "product 42");
    let r = f.webhook(DEV_C, "config/get", r#"{"temp":7}"#, None).await;
    assert_eq!(text(&r), "default 7");
    // Another product falls back to the default too.
    let r = f
        .webhook(DEV_B, "config/get", r#"{"temp":1}"#, Some(7))
        .await;
    assert_eq!(text(&r), "default 1");
}

async fn no_reply_is_404_and_the_event_is_stored(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    let r = f.webhook(DEV_A, "config/unknown", "x", None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_json(&r)["error"], "no_reply");
    let events = EventRepo::new(f.store.clone(), Retention::Forever)
        .by_device(DEV_A, &TimeRange::default(), None)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].name, "config/unknown");
}

async fn reply_over_budget_is_500_never_truncated(store: Arc<dyn ItemStore>) {
    let f = fixture(store.clone(), 512).await;
    f.put_reply("default", "big", "{{{PARTICLE_EVENT_VALUE}}}")
        .await;
    let r = f.webhook(DEV_A, "big", &"x".repeat(512), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(text(&r).len(), 512);
    let r = f.webhook(DEV_A, "big", &"é".repeat(257), None).await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let b = body_json(&r);
    assert_eq!(b["error"], "reply_too_large");
    assert!(b["message"].as_str().unwrap().contains("514 bytes"), "{b}");
    // Counted as a server error of `respond` (the RespondServerErrors alarm).
    assert_eq!(
        f.counted.lock().unwrap().clone(),
        vec![(
            "respond".to_owned(),
            vec!["ServerErrors"],
            "reply_too_large".to_owned()
        )]
    );
    // A larger budget lets the same reply through.
    let big = fixture(store, 100 * 1024).await;
    let r = big.webhook(DEV_A, "big", &"é".repeat(257), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(text(&r), "é".repeat(257));
}

async fn retried_webhook_gets_the_same_reply(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    f.put_reply("default", "t/x", "{{PARTICLE_PUBLISHED_AT}} {{a}}")
        .await;
    let first = f.webhook(DEV_A, "t/x", r#"{"a":"b"}"#, None).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(text(&first), "2026-11-29T02:00:00.000Z b");
    // The template changes between Particle's attempts: the retry still gets the first answer.
    f.put_reply("default", "t/x", "changed {{a}}").await;
    let again = f.webhook(DEV_A, "t/x", r#"{"a":"b"}"#, None).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(text(&again), text(&first));
    // Another event gets the new template.
    let other = f.webhook(DEV_A, "t/x", r#"{"a":"c"}"#, None).await;
    assert_eq!(text(&other), "changed c");
    // Both replies are in the device's delivery log, once each.
    let r = f
        .admin("GET", &format!("/devices/{DEV_A}/deliveries"), "")
        .await;
    let list = body_json(&r)["deliveries"].as_array().unwrap().clone();
    let payloads: Vec<&str> = list
        .iter()
        .map(|d| d["payload"].as_str().unwrap())
        .collect();
    assert_eq!(payloads.len(), 2);
    assert!(payloads.contains(&"changed c") && payloads.contains(&"2026-11-29T02:00:00.000Z b"));
    assert!(
        list.iter()
            .all(|d| d["kind"] == "webhook_reply" && d["target"] == "webhook-reply")
    );
    let events = EventRepo::new(f.store.clone(), Retention::Forever)
        .by_device(DEV_A, &TimeRange::default(), None)
        .await
        .unwrap();
    assert_eq!(
        events.len(),
        2,
        "the retry is the same event; the other one is new"
    );
}

async fn secrets_do_not_cross_routes(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    for secret in [
        Some(WEBHOOK_SECRET),
        None,
        Some("not-the-admin-secret-000000"),
    ] {
        let r = f
            .respond
            .handle(request("GET", "/replies", secret, "application/json", ""))
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{secret:?}");
        // The answer names the secret these routes take, not the webhook's.
        let message = body_json(&r)["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains("admin secret") && !message.contains("webhook"),
            "{secret:?}: {message}"
        );
    }
    let body = json!({"event": "t", "data": "d", "coreid": DEV_A, "published_at": "2026-11-29T02:00:00.000Z"});
    let r = f
        .respond
        .handle(request(
            "POST",
            "/respond",
            Some(ADMIN_SECRET),
            "application/json",
            &body.to_string(),
        ))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(&r)["message"], "wrong webhook secret");
    // The webhook under the local prefix (`cargo lambda watch`): authenticated, no reply configured.
    let r = f
        .respond
        .handle(request(
            "POST",
            "/lambda-url/respond/",
            Some(WEBHOOK_SECRET),
            "application/json",
            &body.to_string(),
        ))
        .await;
    assert_eq!(body_json(&r)["error"], "no_reply");
    // An unknown path is 404 only for the admin; anyone else learns nothing from it.
    let r = f.admin("GET", "/nothing/here", "").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = f
        .respond
        .handle(request(
            "GET",
            "/nothing/here",
            None,
            "application/json",
            "",
        ))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The local prefix serves the same routes.
    let r = f
        .respond
        .handle(request(
            "GET",
            "/lambda-url/respond/replies",
            Some(ADMIN_SECRET),
            "application/json",
            "",
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn replies_crud_and_template_errors(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    let r = f
        .admin("PUT", "/replies/default/config%2Fget", "{{#open}}")
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body_json(&r)["error"], "template_invalid");
    let r = f.admin("PUT", "/replies/everyone/config%2Fget", "x").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let r = f
        .admin(
            "PUT",
            "/lambda-url/respond/replies/default/config%2Fget",
            "v={{v}}",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(body_json(&r)["topic"], "config/get");
    f.put_reply("product:9", "a", "p").await;
    let r = f.admin("GET", "/replies/default/config%2Fget", "").await;
    assert_eq!(body_json(&r)["template"], "v={{v}}");
    // Behind the HTTP API the path arrives decoded: the same reply.
    let r = f.admin("GET", "/replies/default/config/get", "").await;
    assert_eq!(body_json(&r)["template"], "v={{v}}");
    let r = f.admin("GET", "/replies", "").await;
    let list = body_json(&r)["replies"].as_array().unwrap().clone();
    let names: Vec<(String, String)> = list
        .iter()
        .map(|v| {
            (
                v["scope"].as_str().unwrap().to_owned(),
                v["topic"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("default".into(), "config/get".into()),
            ("product:9".into(), "a".into())
        ]
    );
    let r = f.admin("DELETE", "/replies/default/config%2Fget", "").await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = f.admin("GET", "/replies/default/config%2Fget", "").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = f.admin("DELETE", "/replies/default/config%2Fget", "").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = f.admin("GET", "/replies", "").await;
    assert_eq!(body_json(&r)["replies"].as_array().unwrap().len(), 1);
    let r = f.webhook(DEV_A, "config/get", "{}", None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "a deleted reply is gone");
    // Put again after a delete.
    f.put_reply("default", "config/get", "back").await;
    assert_eq!(
        text(&f.webhook(DEV_A, "config/get", "{}", None).await),
        "back"
    );
}

async fn function_calls_and_their_failures(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    let path = format!("/devices/{DEV_A}/functions/led");
    let r = f.admin("POST", &path, r#"{"arg":"on"}"#).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(&r));
    assert_eq!(body_json(&r)["return_value"], 1);
    let calls = f.sim.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, format!("/v1/devices/{DEV_A}/led"));
    assert_eq!(calls[0].field("arg"), Some("on"));
    assert_eq!(
        calls[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    // Through a product.
    let r = f
        .admin("POST", &path, r#"{"arg":"off","product":"my-product"}"#)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        f.sim.calls()[1].path,
        format!("/v1/products/my-product/devices/{DEV_A}/led")
    );

    // Limits: nothing is sent.
    let before = f.sim.calls().len();
    let long_arg = json!({"arg": "x".repeat(1025)}).to_string();
    let r = f.admin("POST", &path, &long_arg).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body_json(&r)["error"], "function_arg_size");
    let r = f
        .admin(
            "POST",
            &format!("/devices/{DEV_A}/functions/{}", "f".repeat(65)),
            "{}",
        )
        .await;
    assert_eq!(body_json(&r)["error"], "function_name_length");
    assert_eq!(f.sim.calls().len(), before);

    // A missing function is not retried; an offline device is 404 device_offline.
    let r = f
        .admin("POST", &format!("/devices/{DEV_A}/functions/nope"), "{}")
        .await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(body_json(&r)["error"], "particle_rejected");
    f.sim.device(
        DEV_B,
        Device {
            online: false,
            ..Device::online(&[("led", 1)])
        },
    );
    let r = f
        .admin("POST", &format!("/devices/{DEV_B}/functions/led"), "{}")
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_json(&r)["error"], "device_offline");
    assert_eq!(f.sim.calls().len(), before + 2, "404s are not retried");

    // Wrong token: 401, not retried (the fixed token cannot be re-read).
    f.sim.rotate_token("another-token-000000000000");
    let r = f.admin("POST", &path, "{}").await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(body_json(&r)["error"], "particle_unauthorized");

    // The delivery log, newest first.
    let r = f
        .admin("GET", &format!("/devices/{DEV_A}/deliveries"), "")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let list = body_json(&r)["deliveries"].as_array().unwrap().clone();
    let outcomes: Vec<&str> = list
        .iter()
        .map(|d| d["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        vec!["unauthorized", "rejected", "delivered", "delivered"]
    );
    assert_eq!(list[2]["payload"], "off");
    assert_eq!(list[2]["return_value"], 1);
    assert_eq!(list[2]["attempts"], 1);
    assert!(list[0]["at"].as_str().unwrap().ends_with('Z'));
}

async fn rate_limits_and_server_errors_are_retried(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    f.sim.fault(Fault::RateLimited(Some("1".into())));
    f.sim.fault(Fault::Status(503));
    let started = std::time::Instant::now();
    let r = f
        .admin(
            "POST",
            &format!("/devices/{DEV_A}/functions/led"),
            r#"{"arg":"1"}"#,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(&r));
    assert_eq!(body_json(&r)["attempts"], 3);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    // A Retry-After longer than the budget ends the call at once as rate limited.
    f.sim.fault(Fault::RateLimited(Some("3600".into())));
    let started = std::time::Instant::now();
    let r = f
        .admin("POST", "/events", r#"{"name":"x","data":"y"}"#)
        .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body_json(&r)["error"], "particle_rate_limited");
    assert!(started.elapsed() < Duration::from_secs(2));
    // 5xx until the attempts run out.
    for _ in 0..5 {
        f.sim.fault(Fault::Status(500));
    }
    let r = f
        .admin("POST", "/events", r#"{"name":"x","data":"y"}"#)
        .await;
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(body_json(&r)["error"], "particle_unavailable");
}

async fn slow_device_is_a_device_timeout(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    f.sim.device(
        DEV_C,
        Device {
            delay: Duration::from_secs(5),
            ..Device::online(&[("led", 1)])
        },
    );
    let started = std::time::Instant::now();
    let r = f
        .admin("POST", &format!("/devices/{DEV_C}/functions/led"), "{}")
        .await;
    assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT, "{}", text(&r));
    assert_eq!(body_json(&r)["error"], "device_timeout");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the budget bounds the call"
    );
}

async fn publishes_reach_particle(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    let r = f
        .admin(
            "POST",
            "/events",
            r#"{"name":"config/set","data":"{\"a\":1}"}"#,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(&r));
    let r = f
        .admin(
            "POST",
            "/events",
            r#"{"name":"fleet","data":"go","product":"12345","private":false}"#,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        f.sim.published(),
        vec![
            ("config/set".into(), r#"{"a":1}"#.into(), "true".into()),
            ("fleet".into(), "go".into(), "false".into()),
        ]
    );
    assert_eq!(f.sim.calls()[1].path, "/v1/products/12345/events");
    let r = f
        .admin(
            "POST",
            "/events",
            &json!({"name": "n", "data": "x".repeat(1025)}).to_string(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body_json(&r)["error"], "event_data_size");
    let r = f.admin("POST", "/events", r#"{"data":"no name"}"#).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(f.sim.calls().len(), 2);
    let r = f.admin("GET", "/events", "").await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    // Publishes to no device in particular are logged under `_events`.
    let r = f.admin("GET", "/devices/_events/deliveries", "").await;
    let list = body_json(&r)["deliveries"].as_array().unwrap().clone();
    let names: Vec<&str> = list.iter().map(|d| d["target"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["fleet", "config/set"]);
    assert_eq!(list[0]["kind"], "publish");
    let r = f.admin("GET", "/devices/..%2Fx/deliveries", "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn pending_command_is_delivered_once_when_the_device_is_seen(store: Arc<dyn ItemStore>) {
    let f = fixture(store, 512).await;
    f.sim.device(
        DEV_B,
        Device {
            online: false,
            ..Device::online(&[("led", 1), ("mode", 2)])
        },
    );
    let path = format!("/devices/{DEV_B}/functions/led");
    let r = f
        .admin("POST", &path, r#"{"arg":"first","until_online":true}"#)
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED, "{}", text(&r));
    let first_id = body_json(&r)["id"].as_str().unwrap().to_owned();
    assert!(
        body_json(&r)["expires_at"].as_i64().unwrap()
            > particle_events::clock::now_unix() + 23 * 3600
    );
    let r = f
        .admin(
            "POST",
            &format!("/devices/{DEV_B}/functions/mode"),
            r#"{"arg":"second","until_online":true}"#,
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);

    // Still offline: seen (an event) but the call fails offline again; it stays pending.
    let commands = f.respond.commands();
    let made = commands.deliver_pending(DEV_B).await.unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].outcome, particle_cloud::Outcome::Offline);

    // Online: delivered once, in order, even with several callers at once.
    f.sim.set_online(DEV_B, true);
    let calls_before = f.sim.calls().len();
    let (a, b, c) = tokio::join!(
        commands.deliver_pending(DEV_B),
        commands.deliver_pending(DEV_B),
        commands.deliver_pending(DEV_B)
    );
    let delivered: usize = [a.unwrap(), b.unwrap(), c.unwrap()]
        .iter()
        .map(|v| v.iter().filter(|d| d.delivered()).count())
        .sum();
    // A caller that lost a claim stops (the winner carries on in order), so a later event may finish the queue.
    let rest = commands.deliver_pending(DEV_B).await.unwrap();
    let delivered = delivered + rest.iter().filter(|d| d.delivered()).count();
    assert_eq!(delivered, 2);
    let sent: Vec<(String, String)> = f.sim.calls()[calls_before..]
        .iter()
        .filter(|c| c.status == 200)
        .map(|c| (c.path.clone(), c.field("arg").unwrap_or("").to_owned()))
        .collect();
    assert_eq!(
        sent,
        vec![
            (format!("/v1/devices/{DEV_B}/led"), "first".to_owned()),
            (format!("/v1/devices/{DEV_B}/mode"), "second".to_owned()),
        ],
        "each once, in order"
    );
    assert!(commands.deliver_pending(DEV_B).await.unwrap().is_empty());
    let pending = commands.pending().list(DEV_B).await.unwrap();
    assert!(
        pending
            .iter()
            .all(|p| p.state == particle_commands::PendingState::Done)
    );
    // The delivery log names the command: the attempt that found the device offline, the one while it was
    // still offline, then the delivery (newest first).
    let log = commands.deliveries().by_device(DEV_B, 50).await.unwrap();
    let first: Vec<&str> = log
        .iter()
        .filter(|e| e.source_id == first_id)
        .map(|e| e.delivery.outcome.as_str())
        .collect();
    assert_eq!(first, vec!["delivered", "offline", "offline"]);
}
