//! particle-geo's provider clients and fallback against the Google and Unwired Labs simulators: exact request
//! bodies, keys, every documented error, retries, timeouts, and keys never in errors.

use std::sync::Arc;
use std::time::Duration;

use integration_tests::google_geo::{self, GoogleGeo};
use integration_tests::json_sim::Reply;
use integration_tests::unwiredlabs::{self as ul, UnwiredLabs};
use particle_geo::{
    ApiKey, CallPolicy, GeoProvider, GoogleProvider, Location, Outcome, ProviderError, Reading,
    Scan, UnwiredLabsProvider, locate, read,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

const KEY: &str = "AIzaSyTEST-key_0123456789abcdefghijk";
const TOKEN: &str = "pk.test-token-0123456789abcdef";

const WIFI: &str = r#"{"w":{"a":[{"m":"A4:2B:B0:C1:10:00","s":-50,"c":1},{"m":"a4:2b:b0:c1:11:03","s":-51,"c":6}]}}"#;
const WIFI_BODY: &str = r#"{"considerIp":false,"wifiAccessPoints":[{"macAddress":"a4:2b:b0:c1:10:00","signalStrength":-50,"channel":1},{"macAddress":"a4:2b:b0:c1:11:03","signalStrength":-51,"channel":6}]}"#;

fn scan(data: &str) -> Scan {
    match read(data) {
        Ok(Reading::Scan(s)) => s,
        other => panic!("a scan: {other:?}"),
    }
}

/// Short bounds so failure paths run fast; the shape (one retry, no retry on timeout) is production's.
fn policy() -> CallPolicy {
    CallPolicy {
        attempt_timeout: Duration::from_millis(600),
        retry_delay: Duration::from_millis(20),
    }
}

fn google(url: &str, key: &str) -> GoogleProvider {
    let client = particle_geo::http::client().expect("client");
    GoogleProvider::new(client, url, ApiKey::new(key))
        .expect("loopback http is accepted")
        .with_policy(policy())
}

fn unwired(url: &str, token: &str) -> UnwiredLabsProvider {
    let client = particle_geo::http::client().expect("client");
    UnwiredLabsProvider::new(client, url, ApiKey::new(token))
        .expect("loopback http is accepted")
        .with_policy(policy())
}

fn ok_reply() -> Reply {
    google_geo::found(42.3857729, -75.195375, 4737.0)
}

fn assert_no_secret(e: &ProviderError) {
    for text in [e.to_string(), format!("{e:?}"), e.reason()] {
        assert!(
            !text.contains(KEY) && !text.contains(TOKEN),
            "secret in {text}"
        );
        assert!(!text.contains("key="), "query string in {text}");
    }
}

#[tokio::test]
async fn google_gets_the_exact_body_and_the_key() {
    let sim = GoogleGeo::start(KEY, vec![], ok_reply()).await;
    let location = google(&sim.url(), KEY).locate(&scan(WIFI)).await;
    assert_eq!(
        location,
        Ok(Location {
            lat: 42.3857729,
            lng: -75.195375,
            accuracy: 4737.0
        })
    );
    let received = sim.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "POST");
    assert_eq!(received[0].path, google_geo::PATH);
    assert_eq!(received[0].query_param("key").as_deref(), Some(KEY));
    assert_eq!(
        received[0].content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(received[0].body, WIFI_BODY);
}

#[tokio::test]
async fn google_cellular_body_with_an_ampersand_carrier() {
    let sim = GoogleGeo::start(KEY, vec![], ok_reply()).await;
    let data = r#"{"c":{"o":"AT&T","a":[{"i":145073610,"l":11511,"c":310,"n":410}]}}"#;
    google(&sim.url(), KEY)
        .locate(&scan(data))
        .await
        .expect("found");
    assert_eq!(
        sim.received()[0].body,
        r#"{"considerIp":false,"carrier":"AT&T","cellTowers":[{"cellId":145073610,"locationAreaCode":11511,"mobileCountryCode":310,"mobileNetworkCode":410}]}"#
    );
}

#[tokio::test]
async fn google_wrong_key_is_key_invalid_and_never_echoed() {
    let sim = GoogleGeo::start(KEY, vec![], ok_reply()).await;
    let wrong = "AIzaSyWRONG-key_9876543210zyxwvutsrqp";
    let provider = google(&sim.url(), wrong);
    let e = provider.locate(&scan(WIFI)).await.expect_err("refused");
    assert_eq!(
        e,
        ProviderError::KeyInvalid {
            reason: "keyInvalid".into()
        }
    );
    assert!(!e.to_string().contains(wrong) && !format!("{provider:?}").contains(wrong));
    assert_eq!(sim.received().len(), 1, "a 4xx is not retried");
}

#[tokio::test]
async fn google_documented_errors_are_typed() {
    let cases = [
        (
            google_geo::parse_error(),
            ProviderError::Rejected {
                status: 400,
                reason: "parseError".into(),
            },
        ),
        (
            google_geo::daily_limit_exceeded(),
            ProviderError::Quota {
                reason: "dailyLimitExceeded".into(),
            },
        ),
        (
            google_geo::user_rate_limit_exceeded(),
            ProviderError::Quota {
                reason: "userRateLimitExceeded".into(),
            },
        ),
        (
            google_geo::access_not_configured(),
            ProviderError::Denied {
                reason: "accessNotConfigured".into(),
            },
        ),
        (google_geo::not_found(), ProviderError::NotFound),
        (
            google_geo::key_invalid(),
            ProviderError::KeyInvalid {
                reason: "keyInvalid".into(),
            },
        ),
    ];
    let script: Vec<Reply> = cases.iter().map(|(r, _)| r.clone()).collect();
    let sim = GoogleGeo::start(KEY, script, ok_reply()).await;
    let provider = google(&sim.url(), KEY);
    for (reply, expected) in &cases {
        let got = provider.locate(&scan(WIFI)).await;
        assert_eq!(got.as_ref().err(), Some(expected), "reply {}", reply.body);
        assert_no_secret(got.as_ref().expect_err("an error"));
    }
    assert_eq!(sim.received().len(), cases.len(), "no 4xx was retried");
}

#[tokio::test]
async fn google_5xx_is_retried_once() {
    let sim = GoogleGeo::start(KEY, vec![google_geo::server_error(503)], ok_reply()).await;
    let got = google(&sim.url(), KEY).locate(&scan(WIFI)).await;
    assert!(got.is_ok(), "{got:?}");
    assert_eq!(sim.received().len(), 2);

    let sim = GoogleGeo::start(KEY, vec![], google_geo::server_error(500)).await;
    let got = google(&sim.url(), KEY).locate(&scan(WIFI)).await;
    assert_eq!(got, Err(ProviderError::Server { status: 500 }));
    assert_eq!(sim.received().len(), 2, "exactly one retry");
}

#[tokio::test]
async fn google_slow_answer_is_a_timeout_and_not_retried() {
    let sim = GoogleGeo::start(KEY, vec![], ok_reply().after(Duration::from_secs(3))).await;
    let start = Instant::now();
    let got = google(&sim.url(), KEY).locate(&scan(WIFI)).await;
    assert_eq!(got, Err(ProviderError::Timeout));
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(sim.received().len(), 1);
}

/// A server whose first connection is cut after the request arrives; later ones get `answer`. Counts connections.
async fn cut_once(answer: &'static str) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = socket.read(&mut buf).await;
                if n > 0 {
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                        answer.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                }
                // Dropping the socket without an answer is the cut.
            });
        }
    });
    (format!("http://{addr}/geolocation/v1/geolocate"), count)
}

#[tokio::test]
async fn connection_cut_is_retried_once() {
    let (url, connections) = cut_once(r#"{"location":{"lat":1.5,"lng":2.5},"accuracy":30}"#).await;
    let got = google(&url, KEY).locate(&scan(WIFI)).await;
    assert_eq!(
        got,
        Ok(Location {
            lat: 1.5,
            lng: 2.5,
            accuracy: 30.0
        })
    );
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn network_errors_never_show_the_key_or_the_url() {
    // A port with nothing listening: reqwest's error would name the URL, key included.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/geolocation/v1/geolocate");
    let e = google(&url, KEY)
        .locate(&scan(WIFI))
        .await
        .expect_err("nothing listens");
    assert!(matches!(e, ProviderError::Network(_)), "{e:?}");
    assert_no_secret(&e);
    assert!(!e.to_string().contains("geolocate"), "no URL: {e}");
    let e = unwired(&url, TOKEN)
        .locate(&scan(WIFI))
        .await
        .expect_err("nothing listens");
    assert_no_secret(&e);
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    let client = particle_geo::http::client().expect("client");
    let e = GoogleProvider::new(client, "http://geo.example.com/geolocate", ApiKey::new(KEY))
        .expect_err("http off loopback");
    assert!(e.to_string().contains("loopback"), "{e}");
}

#[tokio::test]
async fn unwiredlabs_gets_the_exact_body_with_the_token() {
    let sim = UnwiredLabs::start(TOKEN, vec![], ul::found(-34.64405, -54.16642, 1200.0)).await;
    let data = r#"{"towers":[{"rat":"lte","mcc":748,"mnc":7,"lac":9020,"cid":66862,"str":-88}]}"#;
    let got = unwired(&sim.url(), TOKEN).locate(&scan(data)).await;
    assert_eq!(
        got,
        Ok(Location {
            lat: -34.64405,
            lng: -54.16642,
            accuracy: 1200.0
        })
    );
    let received = sim.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, ul::PATH);
    assert_eq!(received[0].query, None, "the token travels in the body");
    assert_eq!(
        received[0].body,
        format!(
            r#"{{"token":"{TOKEN}","radio":"lte","mcc":748,"mnc":7,"cells":[{{"lac":9020,"cid":66862,"radio":"lte","mcc":748,"mnc":7,"signal":-88}}],"address":0}}"#
        )
    );
}

#[tokio::test]
async fn unwiredlabs_errors_are_typed() {
    let sim = UnwiredLabs::start(
        TOKEN,
        vec![
            ul::not_found(),
            ul::error("Daily limit exceeded"),
            ul::server_error(502),
        ],
        ul::server_error(502),
    )
    .await;
    let provider = unwired(&sim.url(), TOKEN);
    assert_eq!(
        provider.locate(&scan(WIFI)).await,
        Err(ProviderError::NotFound)
    );
    assert!(matches!(
        provider.locate(&scan(WIFI)).await,
        Err(ProviderError::Quota { .. })
    ));
    assert_eq!(
        provider.locate(&scan(WIFI)).await,
        Err(ProviderError::Server { status: 502 })
    );
    assert_eq!(sim.received().len(), 4, "the 502 was retried once");

    let wrong = unwired(&sim.url(), "pk.wrong-token-000000000000000");
    let e = wrong.locate(&scan(WIFI)).await.expect_err("invalid token");
    assert_eq!(
        e,
        ProviderError::KeyInvalid {
            reason: "invalidToken".into()
        }
    );
    assert!(!format!("{e:?}{wrong:?}").contains("pk.wrong-token"));
}

fn providers(list: Vec<Arc<dyn GeoProvider>>) -> Vec<Arc<dyn GeoProvider>> {
    list
}

#[tokio::test]
async fn fallback_uses_the_second_provider_after_a_key_error() {
    let g = GoogleGeo::start(KEY, vec![], ok_reply()).await;
    let u = UnwiredLabs::start(TOKEN, vec![], ul::found(10.0, 20.0, 50.0)).await;
    let list = providers(vec![
        Arc::new(google(&g.url(), "AIzaSyWRONG-key_9876543210zyxwvutsrqp")),
        Arc::new(unwired(&u.url(), TOKEN)),
    ]);
    let outcome = locate(&list, &scan(WIFI), Instant::now() + Duration::from_secs(10)).await;
    assert_eq!(
        outcome,
        Outcome::Found {
            location: Location {
                lat: 10.0,
                lng: 20.0,
                accuracy: 50.0
            },
            provider: "unwiredlabs".into(),
            failures: vec![(
                "google".into(),
                ProviderError::KeyInvalid {
                    reason: "keyInvalid".into()
                }
            )],
        }
    );
}

#[tokio::test]
async fn fallback_stops_at_the_first_answer() {
    let g = GoogleGeo::start(KEY, vec![], ok_reply()).await;
    let u = UnwiredLabs::start(TOKEN, vec![], ul::found(10.0, 20.0, 50.0)).await;
    let list = providers(vec![
        Arc::new(google(&g.url(), KEY)),
        Arc::new(unwired(&u.url(), TOKEN)),
    ]);
    let outcome = locate(&list, &scan(WIFI), Instant::now() + Duration::from_secs(10)).await;
    assert!(
        matches!(&outcome, Outcome::Found { provider, .. } if provider == "google"),
        "{outcome:?}"
    );
    assert!(
        u.received().is_empty(),
        "the second provider is never asked"
    );
}

#[tokio::test]
async fn fallback_on_not_found_and_quota() {
    for first in [
        google_geo::not_found(),
        google_geo::daily_limit_exceeded(),
        google_geo::server_error(503),
    ] {
        let g = GoogleGeo::start(KEY, vec![], first.clone()).await;
        let u = UnwiredLabs::start(TOKEN, vec![], ul::found(10.0, 20.0, 50.0)).await;
        let list = providers(vec![
            Arc::new(google(&g.url(), KEY)),
            Arc::new(unwired(&u.url(), TOKEN)),
        ]);
        let outcome = locate(&list, &scan(WIFI), Instant::now() + Duration::from_secs(10)).await;
        assert!(
            matches!(&outcome, Outcome::Found { provider, .. } if provider == "unwiredlabs"),
            "after {}: {outcome:?}",
            first.body
        );
    }
}

#[tokio::test]
async fn not_found_only_when_every_provider_says_so() {
    let g = GoogleGeo::start(KEY, vec![], google_geo::not_found()).await;
    let u = UnwiredLabs::start(TOKEN, vec![], ul::not_found()).await;
    let list = providers(vec![
        Arc::new(google(&g.url(), KEY)),
        Arc::new(unwired(&u.url(), TOKEN)),
    ]);
    let deadline = Instant::now() + Duration::from_secs(10);
    assert_eq!(
        locate(&list, &scan(WIFI), deadline).await,
        Outcome::NotFound
    );

    let u = UnwiredLabs::start(TOKEN, vec![], ul::server_error(500)).await;
    let list = providers(vec![
        Arc::new(google(&g.url(), KEY)),
        Arc::new(unwired(&u.url(), TOKEN)),
    ]);
    match locate(&list, &scan(WIFI), deadline).await {
        Outcome::Failed {
            timeout, message, ..
        } => {
            assert!(!timeout);
            assert_eq!(
                message,
                "google: no location known for this scan (notFound); unwiredlabs: server error (HTTP 500)"
            );
        }
        other => panic!("expected a failure: {other:?}"),
    }
}

#[tokio::test]
async fn failure_names_each_reason_and_flags_a_final_timeout() {
    let g = GoogleGeo::start(KEY, vec![], google_geo::user_rate_limit_exceeded()).await;
    let u = UnwiredLabs::start(
        TOKEN,
        vec![],
        ul::found(1.0, 2.0, 3.0).after(Duration::from_secs(3)),
    )
    .await;
    let list = providers(vec![
        Arc::new(google(&g.url(), KEY)),
        Arc::new(unwired(&u.url(), TOKEN)),
    ]);
    match locate(&list, &scan(WIFI), Instant::now() + Duration::from_secs(10)).await {
        Outcome::Failed {
            timeout,
            message,
            failures,
        } => {
            assert!(timeout, "the last failure was a timeout");
            assert_eq!(
                message,
                "google: quota exhausted (userRateLimitExceeded); unwiredlabs: timed out"
            );
            assert_eq!(failures.len(), 2);
        }
        other => panic!("expected a failure: {other:?}"),
    }
}

#[tokio::test]
async fn the_total_deadline_bounds_the_request() {
    // Each provider alone would wait its whole attempt timeout (2 s); the deadline (400 ms) cuts the first.
    let g = GoogleGeo::start(KEY, vec![], ok_reply().after(Duration::from_secs(5))).await;
    let u = UnwiredLabs::start(
        TOKEN,
        vec![],
        ul::found(1.0, 2.0, 3.0).after(Duration::from_secs(5)),
    )
    .await;
    let slow = CallPolicy {
        attempt_timeout: Duration::from_secs(2),
        retry_delay: Duration::from_millis(20),
    };
    let list = providers(vec![
        Arc::new(google(&g.url(), KEY).with_policy(slow)),
        Arc::new(unwired(&u.url(), TOKEN).with_policy(slow)),
    ]);
    let start = Instant::now();
    let outcome = locate(&list, &scan(WIFI), start + Duration::from_millis(400)).await;
    let elapsed = start.elapsed();
    assert!(
        matches!(&outcome, Outcome::Failed { timeout: true, message, .. }
            if message == "google: timed out; unwiredlabs: timed out"),
        "{outcome:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(390) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );
    assert!(
        u.received().is_empty(),
        "no time was left for the second provider"
    );
}
