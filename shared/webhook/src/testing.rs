//! Lambda HTTP requests from the real event fixtures in `fixtures/lambda/`, changed a field at a time, for the
//! tests of every webhook function (compiled into binaries only if they call it, which they don't).

use lambda_http::{Body, Request, Response};
use serde_json::Value;

/// A fixture's JSON.
pub fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

/// The request the Lambda runtime builds from `event` (API Gateway HTTP API v2 or Function URL shape).
pub fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string())
        .expect("fixture deserialises as a Lambda HTTP request")
}

/// `event` with header `name` set to `value`, or removed for `None`.
pub fn with_header(mut event: Value, name: &str, value: Option<&str>) -> Value {
    let headers = event["headers"].as_object_mut().expect("headers");
    match value {
        Some(v) => headers.insert(name.to_owned(), Value::from(v)),
        None => headers.remove(name),
    };
    event
}

/// `event` with a plain-text body.
pub fn with_body(mut event: Value, body: &str) -> Value {
    event["body"] = Value::from(body);
    event["isBase64Encoded"] = Value::from(false);
    event
}

/// `event` with another HTTP method.
pub fn with_method(mut event: Value, method: &str) -> Value {
    event["requestContext"]["http"]["method"] = Value::from(method);
    event
}

/// A response's JSON body.
pub fn body_json(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("JSON body")
}
