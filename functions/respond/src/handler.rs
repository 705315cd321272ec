//! [`Respond`]: built once per process; [`Respond::handle`] answers every request (never fails: every outcome is
//! a response). The webhook route goes through the webhook front end with the webhook secret; the admin routes
//! through a second front end holding only the admin secret, so neither secret opens the other's routes.

use std::sync::Arc;

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use particle_commands::{Commands, Replies};
use particle_lambda::RefreshingSecret;
use particle_store::{EventRepo, ItemStore, Retention};
use particle_webhook::{Frontend, FrontendConfig, FrontendError, Rejection};

use crate::route::Route;

/// The `Function` dimension of the metrics.
pub const FUNCTION: &str = "respond";
/// `WWW-Authenticate` realm of the webhook route.
pub const REALM: &str = "particle-respond";
/// `WWW-Authenticate` realm of the admin routes.
pub const ADMIN_REALM: &str = "particle-respond-admin";

/// What [`Respond`] is built from.
#[derive(Debug)]
pub struct Parts {
    pub store: Arc<dyn ItemStore>,
    pub retention: Retention,
    pub webhook_secrets: Arc<RefreshingSecret>,
    pub admin_secrets: Arc<RefreshingSecret>,
    pub commands: Commands,
    pub reply_max_bytes: usize,
}

#[derive(Debug)]
pub struct Respond {
    pub(crate) webhook: Frontend,
    pub(crate) admin: Frontend,
    pub(crate) events: EventRepo,
    pub(crate) replies: Replies,
    pub(crate) commands: Commands,
    pub(crate) reply_max_bytes: usize,
}

impl Respond {
    pub fn new(parts: Parts) -> Result<Self, FrontendError> {
        let webhook = Frontend::new(FrontendConfig::post(FUNCTION, REALM, parts.webhook_secrets))?;
        let admin = Frontend::new(FrontendConfig {
            methods: vec![Method::GET, Method::PUT, Method::POST, Method::DELETE],
            secret_name: "admin secret",
            ..FrontendConfig::post(FUNCTION, ADMIN_REALM, parts.admin_secrets)
        })?;
        Ok(Respond {
            webhook,
            admin,
            events: EventRepo::new(parts.store.clone(), parts.retention),
            replies: Replies::new(parts.store),
            commands: parts.commands,
            reply_max_bytes: parts.reply_max_bytes,
        })
    }

    /// Where both front ends count error answers (tests: a recorder instead of EMF lines on stdout).
    pub fn with_metric_sink(mut self, sink: particle_webhook::frontend::MetricSink) -> Self {
        self.webhook = self.webhook.with_metric_sink(sink.clone());
        self.admin = self.admin.with_metric_sink(sink);
        self
    }

    pub fn commands(&self) -> &Commands {
        &self.commands
    }

    pub async fn handle(&self, request: Request) -> Response<Body> {
        let route = Route::of(request.uri().path());
        if route == Route::Webhook {
            let outcome = match self.webhook.accept(&request).await {
                Ok(accepted) => self.webhook_reply(&accepted.event).await,
                Err(rejection) => Err(rejection),
            };
            return self.webhook.finish(outcome);
        }
        let outcome = match self.admin.authenticate(&request).await {
            Ok(_) => self.admin_route(route, &request).await,
            Err(rejection) => Err(rejection),
        };
        self.admin.finish(outcome)
    }
}

/// A 4xx/5xx in the shared error shape.
pub(crate) fn rejection(
    status: lambda_http::http::StatusCode,
    code: &'static str,
    message: impl Into<String>,
) -> Rejection {
    Rejection::new(status, code, message)
}
