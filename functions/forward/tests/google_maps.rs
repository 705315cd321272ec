//! The Google Maps target against a Google Geolocation API stand-in on 127.0.0.1: the device library's Wi-Fi scan
//! is located with the integration's key and answered `lat,lng,accuracy`; a Tracker GNSS fix is answered without
//! a request; a refused key is permanent, a 503 retryable; and the forwarder turns the answer into
//! `hook-response/deviceLocator` for the device.

use std::sync::{Arc, Mutex};

use forward::target::{GeolocationRequest, GoogleMapsTarget};
use forward::{Target, TargetOutcome};
use particle_events::{Event, Source};
use particle_lambda::Secret;
use particle_store::repo::locations::LocationRepo;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers every request with `status` and `body`; records each request's first line and body.
async fn google(status: u16, body: &'static str) -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/geolocation/v1/geolocate",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then as many body bytes as Content-Length says.
            let (head, body_start) = loop {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (String::new(), 0);
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break (String::from_utf8_lossy(&buf[..i]).into_owned(), i + 4);
                }
            };
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            while buf.len() < body_start + length {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let request_body = String::from_utf8_lossy(&buf[body_start..]).into_owned();
            let first = head.lines().next().unwrap_or_default().to_owned();
            log.lock().unwrap().push((first, request_body));
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    (url, seen)
}

fn fixture_event(file: &str) -> Event {
    let text = std::fs::read_to_string(format!(
        "{}/../../fixtures/geo/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    Event {
        id: "5e0b4b3c2f9a8d7e6f5a4b3c2d1e0f9a".into(),
        name: v["event"].as_str().unwrap().into(),
        data: v["data"].as_str().unwrap().into(),
        coreid: v["coreid"].as_str().unwrap().into(),
        published_at: v["published_at"].as_str().unwrap().into(),
        product_id: None,
        fw_version: None,
        particle_event_id: None,
        source: Source::Sse,
        received_at: "2026-11-26T10:00:04.000Z".into(),
    }
}

fn request(file: &str, key: Option<&str>) -> GeolocationRequest {
    GeolocationRequest {
        event: fixture_event(file),
        api_key: key.map(|k| Arc::new(Secret::new(k.to_owned()))),
    }
}

const FOUND: &str = r#"{"location": {"lat": 42.3857729, "lng": -75.195375}, "accuracy": 4737.5}"#;

#[tokio::test]
async fn a_wifi_scan_is_located_with_the_key() {
    let (url, seen) = google(200, FOUND).await;
    let target = GoogleMapsTarget::new(Some(&url)).unwrap();
    let outcome = target
        .deliver(&request("wifi.json", Some("maps-key-123")))
        .await;
    assert_eq!(
        outcome,
        TargetOutcome::Delivered {
            status: 200,
            body: "42.3857729,-75.195375,4737.5".into()
        }
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].0.contains("key=maps-key-123"), "{}", seen[0].0);
    assert!(seen[0].1.contains("a4:2b:b0:c1:10:00"), "{}", seen[0].1);
}

#[tokio::test]
async fn locations_are_stored_where_geolocate_keeps_them() {
    let (url, _) = google(200, FOUND).await;
    let (store, _dir) = particle_store::testing::sqlite_store().await;
    let repo = LocationRepo::new(Arc::new(store));
    let target = GoogleMapsTarget::new(Some(&url))
        .unwrap()
        .with_locations(repo.clone());
    let req = request("wifi.json", Some("maps-key-123"));
    assert!(matches!(
        target.deliver(&req).await,
        TargetOutcome::Delivered { .. }
    ));
    let latest = repo.latest(&req.event.coreid).await.unwrap().unwrap();
    assert_eq!(
        (latest.lat, latest.lng, latest.accuracy),
        (42.3857729, -75.195375, 4737.5)
    );
    assert_eq!(latest.event_id, req.event.id);
    assert_eq!(latest.source, "wifi");
    assert_eq!(latest.provider.as_deref(), Some("google"));
}

#[tokio::test]
async fn a_gnss_fix_needs_no_request_and_no_key() {
    let (url, seen) = google(200, FOUND).await;
    let target = GoogleMapsTarget::new(Some(&url)).unwrap();
    let outcome = target.deliver(&request("tracker-gnss.json", None)).await;
    assert_eq!(
        outcome,
        TargetOutcome::Delivered {
            status: 200,
            body: "37.295945,-121.98683,10".into()
        }
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn failures_are_classified() {
    let target = |url: &str| GoogleMapsTarget::new(Some(url)).unwrap();
    let (url, seen) = google(200, FOUND).await;
    let no_key = target(&url).deliver(&request("wifi.json", None)).await;
    assert!(
        matches!(no_key, TargetOutcome::Permanent { .. }),
        "{no_key:?}"
    );
    assert!(seen.lock().unwrap().is_empty());

    let refused = r#"{"error": {"code": 400, "message": "API key not valid.", "errors": [{"reason": "keyInvalid"}]}}"#;
    let (url, _) = google(400, refused).await;
    let bad_key = target(&url)
        .deliver(&request("wifi.json", Some("wrong")))
        .await;
    match &bad_key {
        TargetOutcome::Permanent { reason, .. } => assert!(!reason.contains("wrong"), "{reason}"),
        other => panic!("a refused key is permanent: {other:?}"),
    }

    let (url, _) = google(503, "{}").await;
    let down = target(&url).deliver(&request("wifi.json", Some("k"))).await;
    assert!(matches!(down, TargetOutcome::Retryable { .. }), "{down:?}");

    let (url, _) = google(200, FOUND).await;
    let garbage = GeolocationRequest {
        event: Event {
            data: "not a scan".into(),
            ..fixture_event("wifi.json")
        },
        api_key: Some(Arc::new(Secret::new("k".to_owned()))),
    };
    let not_scan = target(&url).deliver(&garbage).await;
    assert!(
        matches!(not_scan, TargetOutcome::Permanent { .. }),
        "{not_scan:?}"
    );
}

#[tokio::test]
async fn the_device_gets_hook_response_with_the_location() {
    let (url, _) = google(200, FOUND).await;
    let targets = forward::Targets {
        google_maps: Some(Arc::new(GoogleMapsTarget::new(Some(&url)).unwrap())),
        ..forward::Targets::from_env().unwrap()
    };
    let maps = forward::definition::parse(
        "maps",
        r#"{"integration_type": "GoogleMaps", "event": "deviceLocator", "api_key_secret": "MAPS_KEY"}"#,
    )
    .unwrap();
    let secrets = forward::IntegrationSecrets::from_pairs([("MAPS_KEY", "maps-key-123")]).unwrap();
    let fwd = forward::Forwarder::new(
        vec![maps],
        secrets,
        targets,
        forward::forwarder::Settings::default(),
    )
    .unwrap();
    let outcomes = fwd.handle_event(&fixture_event("wifi.json")).await;
    assert_eq!(outcomes.len(), 1);
    let response = outcomes[0].device_response.as_ref().unwrap();
    assert_eq!(response.topic, "hook-response/deviceLocator");
    assert_eq!(response.data, "42.3857729,-75.195375,4737.5");
    // The same event by webhook was answered by `geolocate`: not run twice.
    let by_webhook = Event {
        source: Source::Webhook,
        ..fixture_event("wifi.json")
    };
    assert!(fwd.handle_event(&by_webhook).await.is_empty());
}
