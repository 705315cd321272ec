//! The request path: method, authentication, size, content type, parse and validate, store, answer.
//! Client mistakes are answered with a 4xx and store nothing; only a store failure is a 5xx (503).

use std::sync::Arc;

use lambda_http::http::{Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use particle_events::{ParseError, clock, parse_webhook};
use particle_store::{EventRepo, ItemStore, PutOutcome, Retention};

use crate::auth::{Denied, Verifier};
use crate::body::{EncodingError, MAX_BODY_BYTES, encoding};
use crate::reply::{Rejection, stored};

/// The endpoint, built once per process.
#[derive(Debug, Clone)]
pub struct Ingest {
    repo: EventRepo,
    verifier: Verifier,
}

impl Ingest {
    pub fn new(store: Arc<dyn ItemStore>, retention: Retention, secret: &str) -> Self {
        Ingest {
            repo: EventRepo::new(store, retention),
            verifier: Verifier::new(secret),
        }
    }

    /// Answers one request. Never fails: every outcome is a response.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        match self.process(&request).await {
            Ok(response) => response,
            Err(rejection) => rejection.into_response(),
        }
    }

    async fn process(&self, request: &Request) -> Result<Response<Body>, Rejection> {
        if request.method() != Method::POST {
            return Err(Rejection::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!(
                    "{} is not supported; Particle webhooks POST events here",
                    request.method()
                ),
            ));
        }
        let authorization = request
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.as_bytes());
        if let Err(denied) = self.verifier.check(authorization) {
            tracing::warn!(reason = ?denied, "webhook refused: not authenticated");
            let message = match denied {
                Denied::Missing => {
                    "missing Authorization header: send the webhook secret as a Bearer token or as the Basic auth password"
                }
                Denied::Unreadable => {
                    "unreadable Authorization header: use `Bearer <secret>` or HTTP Basic with the secret as password"
                }
                Denied::WrongSecret => "wrong webhook secret",
            };
            return Err(Rejection::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                message,
            ));
        }
        let body: &[u8] = request.body().as_ref();
        if body.len() > MAX_BODY_BYTES {
            return Err(Rejection::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "the body is {} bytes; the limit is {MAX_BODY_BYTES}",
                    body.len()
                ),
            ));
        }
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes());
        let encoding = encoding(content_type, body).map_err(|e| match e {
            EncodingError::Empty => Rejection::new(StatusCode::BAD_REQUEST, "malformed_body", "the body is empty"),
            EncodingError::Unsupported(media) => Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("content type {media:?} is not supported; send application/x-www-form-urlencoded or application/json"),
            ),
            EncodingError::Charset(charset) => Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("charset {charset:?} is not supported; send UTF-8"),
            ),
            EncodingError::Unrecognised => Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "no Content-Type, and the body is neither JSON nor form data; send application/x-www-form-urlencoded or application/json",
            ),
        })?;
        let event = parse_webhook(encoding, body, &clock::now_rfc3339()).map_err(|e| {
            tracing::info!(error = %e, "webhook refused: bad payload");
            match e {
                ParseError::Malformed(message) => {
                    Rejection::new(StatusCode::BAD_REQUEST, "malformed_body", message)
                }
                ParseError::Invalid(field) => Rejection::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    field.to_string(),
                ),
            }
        })?;
        match self.repo.put(&event).await {
            Ok(outcome) => {
                let inserted = outcome == PutOutcome::Inserted;
                tracing::info!(id = %event.id, name = %event.name, coreid = %event.coreid, inserted, "event received");
                Ok(stored(inserted, &event.id))
            }
            Err(err) => {
                tracing::error!(id = %event.id, store = %self.repo.store().describe(), error = %err, "store write failed");
                Err(Rejection::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "the event could not be stored; it was not accepted, retry later",
                ))
            }
        }
    }
}
