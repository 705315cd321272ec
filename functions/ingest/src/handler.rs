//! The request path: the shared front end (method, authentication, size, content type, parse and validate),
//! then the store, then the answer. Client mistakes are answered with a 4xx and store nothing; only a store
//! failure is a 5xx (503).

use std::sync::Arc;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use particle_lambda::RefreshingSecret;
use particle_store::{EventRepo, ItemStore, PutOutcome, Retention};
use particle_webhook::{Frontend, FrontendConfig, FrontendError, Rejection, json_response};
use serde_json::json;

/// The function's name: the `Function` dimension of its metrics.
pub const FUNCTION: &str = "ingest";
/// The realm in `WWW-Authenticate`.
pub const REALM: &str = "particle-ingest";
/// Seconds a client should wait before retrying after a store failure.
const RETRY_AFTER_SECONDS: u32 = 5;

/// The endpoint, built once per process.
#[derive(Debug)]
pub struct Ingest {
    frontend: Frontend,
    repo: EventRepo,
}

impl Ingest {
    pub fn new(
        store: Arc<dyn ItemStore>,
        retention: Retention,
        secrets: Arc<RefreshingSecret>,
    ) -> Result<Self, FrontendError> {
        Ok(Ingest::with_frontend(
            Frontend::new(FrontendConfig::post(FUNCTION, REALM, secrets))?,
            store,
            retention,
        ))
    }

    /// With a front end built by the caller (tests: a metric sink).
    pub fn with_frontend(
        frontend: Frontend,
        store: Arc<dyn ItemStore>,
        retention: Retention,
    ) -> Self {
        Ingest {
            frontend,
            repo: EventRepo::new(store, retention),
        }
    }

    /// Answers one request. Never fails: every outcome is a response.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let outcome = self.process(&request).await;
        self.frontend.finish(outcome)
    }

    async fn process(&self, request: &Request) -> Result<Response<Body>, Rejection> {
        let event = self.frontend.accept(request).await?.event;
        match self.repo.put(&event).await {
            Ok(outcome) => {
                let inserted = outcome == PutOutcome::Inserted;
                tracing::info!(id = %event.id, name = %event.name, coreid = %event.coreid, inserted, "event received");
                Ok(stored(inserted, &event.id))
            }
            Err(err) => {
                tracing::error!(id = %event.id, store = %self.repo.store().describe(), error = %err, "store write failed");
                Err(Rejection::unavailable(
                    "store_unavailable",
                    "the event could not be stored; it was not accepted, retry later",
                    RETRY_AFTER_SECONDS,
                ))
            }
        }
    }
}

/// 201 for a new event, 200 for one already stored.
fn stored(inserted: bool, id: &str) -> Response<Body> {
    let (status, outcome) = if inserted {
        (StatusCode::CREATED, "stored")
    } else {
        (StatusCode::OK, "duplicate")
    };
    json_response(status, &json!({"status": outcome, "id": id}))
}
