//! Real-shaped events for each function, built from the fixtures in `fixtures/lambda/`, and the checks of their
//! answers. A check failing fails the run: a cold start that answers wrongly measures nothing.

use serde_json::Value;

use super::Check;

/// Particle's default (form) webhook through API Gateway: ingest's event.
pub const APIGW_FORM: &str = include_str!("../../../../fixtures/lambda/apigw-v2-ingest-form.json");
/// A Tracker `loc` event with a GNSS fix through API Gateway: geolocate answers it without a provider.
pub const APIGW_GNSS: &str =
    include_str!("../../../../fixtures/lambda/apigw-v2-geolocate-gnss.json");
/// One INSERT of an event item from the table's stream: forward's event.
pub const DYNAMODB_STREAM: &str = include_str!("../../../../fixtures/lambda/dynamodb-stream.json");
/// EventBridge's scheduled event: sse-drain's.
pub const SCHEDULED: &str = include_str!("../../../../fixtures/lambda/scheduled-event.json");

/// The webhook secret in the API Gateway fixtures' `Authorization` header.
pub const WEBHOOK_SECRET: &str = "local-dev-secret-change-me";
/// geolocate's answer to the GNSS fixture (`lat,lng,accuracy` of its `loc` object).
pub const GNSS_ANSWER: &str = "37.295945,-121.98683,10";
/// The device of the respond webhook and of the SSE events.
pub const DEVICE: &str = "0123456789abcdef01234567";
/// The request event respond answers, its reply template and the rendered reply.
pub const TOPIC: &str = "config/get";
pub const REPLY_TEMPLATE: &str = "interval={{interval}};device={{PARTICLE_DEVICE_ID}}";
pub const REPLY: &str = "interval=60;device=0123456789abcdef01234567";

/// The API Gateway fixture with another route, credential and body (sent as is, not base64).
pub fn apigw(
    method: &str,
    path: &str,
    authorization: &str,
    content_type: &str,
    body: &str,
) -> String {
    let mut event: Value =
        serde_json::from_str(APIGW_FORM).expect("the API Gateway fixture is JSON");
    let route = format!("{method} {path}");
    event["routeKey"] = Value::from(route.as_str());
    event["rawPath"] = Value::from(path);
    event["requestContext"]["routeKey"] = Value::from(route);
    event["requestContext"]["http"]["method"] = Value::from(method);
    event["requestContext"]["http"]["path"] = Value::from(path);
    event["headers"]["authorization"] = Value::from(authorization);
    event["headers"]["content-type"] = Value::from(content_type);
    event["headers"]["content-length"] = Value::from(body.len().to_string());
    event["body"] = Value::from(body);
    event["isBase64Encoded"] = Value::from(false);
    event.to_string()
}

/// respond's admin call storing the reply for [`TOPIC`] for every device.
pub fn put_reply(admin_secret: &str) -> String {
    apigw(
        "PUT",
        &format!("/replies/default/{}", TOPIC.replace('/', "%2F")),
        &format!("Bearer {admin_secret}"),
        "text/plain",
        REPLY_TEMPLATE,
    )
}

/// Particle's JSON webhook of the request event [`TOPIC`] to respond.
pub fn reply_webhook() -> String {
    let body = serde_json::json!({
        "event": TOPIC,
        "data": r#"{"interval":60}"#,
        "coreid": DEVICE,
        "published_at": "2026-11-26T10:00:00.000Z",
    });
    apigw(
        "POST",
        "/respond",
        &format!("Bearer {WEBHOOK_SECRET}"),
        "application/json",
        &body.to_string(),
    )
}

/// `n` device events in Particle's stream format (`event:` then `data:` JSON, blank line), a second apart.
pub fn sse_events(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let data = serde_json::json!({
                "data": format!("{{\"temp\":21.{i}}}"),
                "ttl": 60,
                "published_at": format!("2026-11-26T10:00:{i:02}.000Z"),
                "coreid": DEVICE,
            });
            format!("event: env/bench\ndata: {data}\n\n")
        })
        .collect()
}

/// An API Gateway answer: its status and its body as text.
fn http_answer(answer: &str) -> Result<(u64, String), String> {
    let v: Value = serde_json::from_str(answer).map_err(|e| format!("not JSON ({e}): {answer}"))?;
    let status = v["statusCode"]
        .as_u64()
        .ok_or_else(|| format!("no statusCode: {answer}"))?;
    Ok((status, v["body"].as_str().unwrap_or_default().to_owned()))
}

/// An HTTP answer with one of `statuses`.
pub fn status(statuses: &'static [u64]) -> Check {
    Box::new(move |answer| {
        let (status, body) = http_answer(answer)?;
        if statuses.contains(&status) {
            Ok(())
        } else {
            Err(format!("answered {status} (expected {statuses:?}): {body}"))
        }
    })
}

/// An HTTP 200 whose body is exactly `expected`.
pub fn text(expected: &'static str) -> Check {
    Box::new(move |answer| match http_answer(answer)? {
        (200, body) if body == expected => Ok(()),
        (status, body) => Err(format!(
            "answered {status} {body:?} (expected 200 {expected:?})"
        )),
    })
}

/// forward's partial batch response with no record handed back.
pub fn no_batch_failures() -> Check {
    Box::new(|answer| {
        let v: Value =
            serde_json::from_str(answer).map_err(|e| format!("not JSON ({e}): {answer}"))?;
        match v["batchItemFailures"].as_array() {
            Some(failures) if failures.is_empty() => Ok(()),
            _ => Err(format!("not a batch response without failures: {answer}")),
        }
    })
}

/// sse-drain's window summary: the window ran out its time connected, and every one of the `sent` events was
/// received and is stored (new, or already from an earlier window).
pub fn window_summary(sent: u64) -> Check {
    Box::new(move |answer| {
        let v: Value =
            serde_json::from_str(answer).map_err(|e| format!("not JSON ({e}): {answer}"))?;
        let n = |k: &str| v[k].as_u64();
        let ok = v["ended_by"] == "window_elapsed"
            && n("connections").is_some_and(|c| c >= 1)
            && n("received") == Some(sent)
            && n("stored").zip(n("duplicates")).map(|(s, d)| s + d) == Some(sent)
            && n("bad") == Some(0)
            && n("unflushed") == Some(0);
        if ok {
            Ok(())
        } else {
            Err(format!(
                "not a clean window summary of {sent} events: {answer}"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u64, body: &str) -> String {
        serde_json::json!({"statusCode": status, "headers": {}, "body": body, "isBase64Encoded": false})
            .to_string()
    }

    #[test]
    fn checks_tell_right_from_wrong_answers() {
        assert!(status(&[200, 201])(&http(201, "")).is_ok());
        assert!(status(&[200])(&http(201, "")).is_err());
        assert!(text(GNSS_ANSWER)(&http(200, GNSS_ANSWER)).is_ok());
        assert!(text(GNSS_ANSWER)(&http(200, "1,2,3")).is_err());
        assert!(text(REPLY)(&http(404, REPLY)).is_err());
        assert!(no_batch_failures()(r#"{"batchItemFailures":[]}"#).is_ok());
        assert!(no_batch_failures()(r#"{"batchItemFailures":[{"itemIdentifier":"1"}]}"#).is_err());
        assert!(no_batch_failures()(r#"{"errorType":"x"}"#).is_err());
        let summary = |stored, duplicates, ended| {
            serde_json::json!({"received": 3, "stored": stored, "duplicates": duplicates, "bad": 0,
                "unflushed": 0, "connections": 1, "ended_by": ended})
            .to_string()
        };
        assert!(window_summary(3)(&summary(1, 2, "window_elapsed")).is_ok());
        assert!(window_summary(3)(&summary(1, 1, "window_elapsed")).is_err());
        assert!(window_summary(3)(&summary(3, 0, "store_failed")).is_err());
    }

    #[test]
    fn events_are_the_fixtures_with_the_route_changed() {
        let put: Value = serde_json::from_str(&put_reply("admin-secret-0123456789")).unwrap();
        assert_eq!(put["rawPath"], "/replies/default/config%2Fget");
        assert_eq!(put["requestContext"]["http"]["method"], "PUT");
        assert_eq!(put["body"], REPLY_TEMPLATE);
        let gnss: Value = serde_json::from_str(APIGW_GNSS).unwrap();
        let body = gnss["body"].as_str().unwrap();
        assert_eq!(gnss["headers"]["content-length"], body.len().to_string());
        assert!(body.contains(r#"\"lck\":1"#));
    }
}
