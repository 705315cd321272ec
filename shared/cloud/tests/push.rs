//! Pushes against the Particle Cloud API simulator on 127.0.0.1: hook-response chunks (order, UTF-8 boundaries,
//! product form, private), the first failed chunk ending a delivery, names over the limit never sent, and a
//! rotated token re-read after a 401.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use integration_tests::particle_api::{Device, Fault, ParticleApiSim};
use particle_cloud::{
    AccessToken, Backoff, FunctionCall, HookKind, HookTarget, HttpSettings, Limits, Outcome,
    ParticleApi, RetryPolicy, TokenError, TokenSource, Tokens,
};
use particle_template::{
    EventScope, EventVars, HookResponse, Limits as TemplateLimits, ResponseTemplate,
};

const TOKEN: &str = "particle-token-for-tests-0001";
const DEV: &str = "0123456789abcdef01234567";

const FAST: RetryPolicy = RetryPolicy {
    backoff: Backoff {
        base: Duration::from_millis(10),
        max: Duration::from_millis(50),
        attempts: 3,
    },
    budget: Duration::from_secs(3),
};

fn api(sim: &ParticleApiSim, tokens: Tokens) -> ParticleApi {
    let http = HttpSettings::requests("cloud-tests", "0").client().unwrap();
    ParticleApi::with_base_url(http, &sim.base_url(), Arc::new(tokens)).unwrap()
}

fn response(event: &str, body: &str, error: bool) -> HookResponse {
    let t = ResponseTemplate::compile(None, None, None, false, TemplateLimits::default()).unwrap();
    let vars = EventVars {
        name: event,
        data: "",
        coreid: DEV,
        published_at: "2026-11-29T00:00:00.000Z",
        ..EventVars::default()
    };
    let scope = EventScope::new(vars);
    if error {
        t.render_error(&scope, body).unwrap()
    } else {
        t.render(&scope, body).unwrap()
    }
}

#[tokio::test]
async fn hook_response_chunks_in_order_for_product_devices() {
    let sim = ParticleApiSim::start(TOKEN).await;
    let api = api(&sim, Tokens::fixed(AccessToken::new(TOKEN)));
    let body = format!("{}{}", "a".repeat(511), "€".repeat(100)); // 811 bytes; a euro sign straddles byte 512
    let target = HookTarget {
        coreid: DEV.into(),
        product_id: Some(4242),
    };
    let deliveries = api
        .deliver_hook_response(
            &response("cfg", &body, false),
            HookKind::Response,
            &target,
            &Limits::default(),
            FAST,
        )
        .await;
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|d| d.delivered()));
    let published = sim.published();
    assert_eq!(published[0].0, format!("{DEV}/hook-response/cfg/0"));
    assert_eq!(published[1].0, format!("{DEV}/hook-response/cfg/1"));
    assert_eq!(
        published[0].1,
        "a".repeat(511),
        "cut before the three-byte character"
    );
    assert_eq!(format!("{}{}", published[0].1, published[1].1), body);
    assert!(published.iter().all(|p| p.2 == "true"), "private");
    assert!(
        sim.calls()
            .iter()
            .all(|c| c.path == "/v1/products/4242/events")
    );

    // An error goes to hook-error; a plain device has no prefix and uses the account's stream.
    let plain = HookTarget {
        coreid: DEV.into(),
        product_id: None,
    };
    let d = api
        .deliver_hook_response(
            &response("cfg", "error status 500", true),
            HookKind::Error,
            &plain,
            &Limits::default(),
            FAST,
        )
        .await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].target, "hook-error/cfg/0");
    assert_eq!(sim.calls().last().unwrap().path, "/v1/devices/events");
}

#[tokio::test]
async fn a_failed_chunk_ends_the_delivery_and_long_names_are_not_sent() {
    let sim = ParticleApiSim::start(TOKEN).await;
    let api = api(&sim, Tokens::fixed(AccessToken::new(TOKEN)));
    let target = HookTarget {
        coreid: DEV.into(),
        product_id: None,
    };
    // Three chunks, all delivered after one retry.
    sim.fault(Fault::Status(500)); // the first chunk fails once and is retried
    let body = "x".repeat(1500);
    let d = api
        .deliver_hook_response(
            &response("e", &body, false),
            HookKind::Response,
            &target,
            &Limits::default(),
            FAST,
        )
        .await;
    assert_eq!(d.len(), 3);
    assert_eq!(d[0].attempts, 2, "a 500 is retried");
    for _ in 0..3 {
        sim.fault(Fault::Status(502));
    }
    let before = sim.calls().len();
    let d = api
        .deliver_hook_response(
            &response("e", &body, false),
            HookKind::Response,
            &target,
            &Limits::default(),
            FAST,
        )
        .await;
    assert_eq!(d.len(), 1, "nothing after a chunk that failed");
    assert_eq!(d[0].outcome, Outcome::Failed);
    assert_eq!(d[0].attempts, 3);
    assert_eq!(d[0].status, Some(502));
    assert_eq!(sim.calls().len(), before + 3);

    let long = "n".repeat(60); // hook-response/<60>/0 is over 64 characters
    let before = sim.calls().len();
    let d = api
        .deliver_hook_response(
            &response(&long, "x", false),
            HookKind::Response,
            &target,
            &Limits::default(),
            FAST,
        )
        .await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].outcome, Outcome::Invalid);
    assert_eq!(d[0].attempts, 0);
    assert_eq!(sim.calls().len(), before);
}

/// A source whose token can be changed (a rotation in Secrets Manager).
#[derive(Debug)]
struct Rotating(Mutex<String>);

#[async_trait::async_trait]
impl TokenSource for Rotating {
    async fn read(&self) -> Result<AccessToken, TokenError> {
        Ok(AccessToken::new(self.0.lock().unwrap().clone()))
    }
}

#[tokio::test]
async fn a_rotated_token_is_re_read_once_after_a_401() {
    let sim = ParticleApiSim::start(TOKEN).await;
    sim.device(DEV, Device::online(&[("led", 5)]));
    let source = Arc::new(Rotating(Mutex::new(TOKEN.to_owned())));
    let tokens = Tokens::new(AccessToken::new(TOKEN), source.clone(), Duration::ZERO);
    let api = api(&sim, tokens);
    let call = FunctionCall {
        coreid: DEV.into(),
        name: "led".into(),
        arg: "on".into(),
        product: None,
    };
    sim.rotate_token("rotated-token-000000000000001");
    *source.0.lock().unwrap() = "rotated-token-000000000000001".to_owned();
    let d = api
        .call_function(&call, &Limits::default(), FAST)
        .await
        .unwrap();
    assert_eq!(d.outcome, Outcome::Delivered);
    assert_eq!(d.return_value, Some(5));
    let auths: Vec<String> = sim
        .calls()
        .iter()
        .filter_map(|c| c.authorization.clone())
        .collect();
    assert_eq!(
        auths,
        vec![
            format!("Bearer {TOKEN}"),
            "Bearer rotated-token-000000000000001".to_owned()
        ]
    );
}
