//! The error answer every webhook function gives: `{"error": "<code>", "message": "<sentence>"}` with the headers
//! that help a client recover (`Allow` on 405, `WWW-Authenticate` on 401, `Retry-After` on 503).

use lambda_http::http::{HeaderName, HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};
use serde_json::json;

/// A client mistake or an outage, with its status, stable error code and the headers that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Rejection {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// 503: the function's backend failed; the client should retry after `retry_after_seconds`.
    pub fn unavailable(
        code: &'static str,
        message: impl Into<String>,
        retry_after_seconds: u32,
    ) -> Self {
        Rejection::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
            .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds))
    }

    /// The same rejection with one more header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn into_response(self) -> Response<Body> {
        let body = json!({"error": self.code, "message": self.message});
        let mut response = json_response(self.status, &body);
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        response
    }
}

/// A JSON answer with `status`.
pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Body> {
    let mut response = Response::new(Body::Text(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_and_headers() {
        let response = Rejection::unavailable("store_unavailable", "try again later", 5)
            .with_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
            .into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()["retry-after"], "5");
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: serde_json::Value = serde_json::from_slice(response.body().as_ref()).unwrap();
        assert_eq!(
            body,
            json!({"error": "store_unavailable", "message": "try again later"})
        );
    }
}
