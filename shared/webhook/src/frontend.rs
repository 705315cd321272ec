//! [`Frontend`]: the request path of a webhook function up to a decoded event. In order: method (405),
//! authentication (401), body size (413), content type (400 empty, 415), parse and validate (400, 422). The
//! order keeps an unauthenticated client from learning anything about the body rules.

use std::sync::{Arc, RwLock};

use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use particle_events::{Encoding, Event, ParseError, clock, parse_webhook};
use particle_lambda::metrics::Metric;
use particle_lambda::{Refresh, RefreshingSecret};
use serde_json::Value;
use thiserror::Error;

use crate::auth::{Credential, Denied, Keys, WeakSecret};
use crate::body::{EncodingError, MAX_BODY_BYTES, encoding};
use crate::metrics;
use crate::reply::Rejection;

/// What a function tells its front end.
#[derive(Debug, Clone)]
pub struct FrontendConfig {
    /// The function's name: the `Function` dimension of its error metrics (`"ingest"`).
    pub function: &'static str,
    /// The realm in `WWW-Authenticate` (`"particle-ingest"`).
    pub realm: &'static str,
    /// The methods the endpoint answers; any other gets 405 with `Allow`.
    pub methods: Vec<Method>,
    /// The secret's valid versions.
    pub secrets: Arc<RefreshingSecret>,
    /// What the secret is called in answers and logs (`"webhook secret"`; respond's admin routes: `"admin
    /// secret"`), so a 401 names the secret the caller should have sent.
    pub secret_name: &'static str,
    /// The largest body accepted, in bytes.
    pub max_body: usize,
}

impl FrontendConfig {
    /// A POST-only endpoint with the default body limit ([`MAX_BODY_BYTES`]).
    pub fn post(
        function: &'static str,
        realm: &'static str,
        secrets: Arc<RefreshingSecret>,
    ) -> Self {
        FrontendConfig {
            function,
            realm,
            methods: vec![Method::POST],
            secrets,
            secret_name: "webhook secret",
            max_body: MAX_BODY_BYTES,
        }
    }
}

/// A front end that cannot be built.
#[derive(Debug, Error)]
pub enum FrontendError {
    #[error(transparent)]
    WeakSecret(#[from] WeakSecret),
    #[error("realm {0:?} must be printable ASCII without quotes or backslashes")]
    Realm(&'static str),
    #[error("an endpoint must allow at least one method")]
    NoMethods,
}

/// A request that passed the front end.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The decoded, validated event (`source` = webhook, `received_at` = now).
    pub event: Event,
    /// How the body was encoded.
    pub encoding: Encoding,
    /// Which version of the secret the request presented.
    pub credential: Credential,
}

/// Where error-answer metrics go: EMF lines on stdout in production ([`particle_lambda::metrics::emit`]).
pub type MetricSink = Arc<dyn Fn(&str, &[Metric], &[(&str, Value)]) + Send + Sync>;

/// The verifiers of one generation of the secret.
#[derive(Debug)]
struct CachedKeys {
    generation: u64,
    keys: Arc<Keys>,
}

/// The front end of one webhook function, built once per process.
pub struct Frontend {
    function: &'static str,
    methods: Vec<Method>,
    allow: HeaderValue,
    www_authenticate: HeaderValue,
    secret_name: &'static str,
    max_body: usize,
    secrets: Arc<RefreshingSecret>,
    keys: RwLock<CachedKeys>,
    sink: MetricSink,
}

impl std::fmt::Debug for Frontend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frontend")
            .field("function", &self.function)
            .field("methods", &self.methods)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl Frontend {
    pub fn new(config: FrontendConfig) -> Result<Self, FrontendError> {
        let realm_ok = !config.realm.is_empty()
            && config
                .realm
                .bytes()
                .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\');
        if !realm_ok {
            return Err(FrontendError::Realm(config.realm));
        }
        if config.methods.is_empty() {
            return Err(FrontendError::NoMethods);
        }
        let realm = config.realm;
        let www_authenticate = HeaderValue::from_str(&format!(
            "Bearer realm=\"{realm}\", Basic realm=\"{realm}\""
        ))
        .map_err(|_| FrontendError::Realm(realm))?;
        let allow = config
            .methods
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let allow = HeaderValue::from_str(&allow).map_err(|_| FrontendError::NoMethods)?;
        let generation = config.secrets.generation();
        let keys = Arc::new(Keys::new(&config.secrets.versions())?);
        Ok(Frontend {
            function: config.function,
            methods: config.methods,
            allow,
            www_authenticate,
            secret_name: config.secret_name,
            max_body: config.max_body,
            secrets: config.secrets,
            keys: RwLock::new(CachedKeys { generation, keys }),
            sink: Arc::new(particle_lambda::metrics::emit),
        })
    }

    /// The same front end with error metrics sent to `sink` instead of stdout (tests).
    pub fn with_metric_sink(mut self, sink: MetricSink) -> Self {
        self.sink = sink;
        self
    }

    /// Everything before the function's own logic: the request's method, secret, size and content type are
    /// checked and its body decoded to a validated event.
    pub async fn accept(&self, request: &Request) -> Result<Accepted, Rejection> {
        self.check_method(request)?;
        let credential = self.authenticate(request).await?;
        let (encoding, body) = self.negotiate(request)?;
        let event = decode(encoding, body)?;
        Ok(Accepted {
            event,
            encoding,
            credential,
        })
    }

    /// The final answer: a rejection becomes its response, and every 4xx/5xx answer (whoever built it) is
    /// counted in CloudWatch under this function's name.
    pub fn finish(&self, outcome: Result<Response<Body>, Rejection>) -> Response<Body> {
        let (response, code) = match outcome {
            Ok(response) => (response, None),
            Err(rejection) => {
                let code = rejection.code;
                (rejection.into_response(), Some(code))
            }
        };
        let counted = metrics::for_status(response.status());
        if !counted.is_empty() {
            let mut properties = vec![("status", Value::from(response.status().as_u16()))];
            if let Some(code) = code {
                properties.push(("error", Value::from(code)));
            }
            (self.sink)(self.function, counted, &properties);
        }
        response
    }

    /// 405 unless the method is one the endpoint answers.
    pub fn check_method(&self, request: &Request) -> Result<(), Rejection> {
        if self.methods.contains(request.method()) {
            return Ok(());
        }
        Err(Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!(
                "{} is not supported; Particle webhooks use {}",
                request.method(),
                self.allow.to_str().unwrap_or("POST")
            ),
        )
        .with_header(header::ALLOW, self.allow.clone()))
    }

    /// 401 unless the request presents a valid version of the secret. A wrong secret makes the front end re-read
    /// the secret (at most once a minute), since it may have been rotated since this instance read it.
    pub async fn authenticate(&self, request: &Request) -> Result<Credential, Rejection> {
        let authorization = request
            .headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes);
        let denied = match self.keys().check(authorization) {
            Ok(credential) => return Ok(self.note(credential)),
            Err(denied) => denied,
        };
        // Only a well-formed credential with an unknown secret can be explained by a rotation.
        if denied == Denied::WrongSecret {
            match self.secrets.refresh_if_due().await {
                Refresh::Reread(_) => {
                    tracing::info!(
                        secret = self.secret_name,
                        "secret re-read after an unknown credential"
                    );
                }
                Refresh::Failed(e) => {
                    tracing::error!(secret = self.secret_name, error = %e, "secret could not be re-read");
                }
                Refresh::Throttled | Refresh::Fixed => {}
            }
            if let Ok(credential) = self.keys().check(authorization) {
                return Ok(self.note(credential));
            }
        }
        tracing::warn!(reason = ?denied, secret = self.secret_name, "webhook refused: not authenticated");
        let name = self.secret_name;
        let message = match denied {
            Denied::Missing => format!(
                "missing Authorization header: send the {name} as a Bearer token or as the Basic auth password"
            ),
            Denied::Unreadable => {
                "unreadable Authorization header: use `Bearer <secret>` or HTTP Basic with the secret as password"
                    .to_owned()
            }
            Denied::WrongSecret => format!("wrong {name}"),
        };
        Err(
            Rejection::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
                .with_header(header::WWW_AUTHENTICATE, self.www_authenticate.clone()),
        )
    }

    /// 413 over the body limit; 400 for an empty body; 415 for a content type or charset we do not read.
    pub fn negotiate<'r>(&self, request: &'r Request) -> Result<(Encoding, &'r [u8]), Rejection> {
        let body: &[u8] = request.body().as_ref();
        if body.len() > self.max_body {
            tracing::warn!(
                size = body.len(),
                limit = self.max_body,
                "webhook refused: body too large"
            );
            return Err(Rejection::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "the body is {} bytes; the limit is {}",
                    body.len(),
                    self.max_body
                ),
            ));
        }
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(HeaderValue::as_bytes);
        let encoding = encoding(content_type, body).map_err(|e| match e {
            EncodingError::Empty => {
                Rejection::new(StatusCode::BAD_REQUEST, "malformed_body", "the body is empty")
            }
            EncodingError::Unsupported(media) => Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "content type {media:?} is not supported; send application/x-www-form-urlencoded or application/json"
                ),
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
        Ok((encoding, body))
    }

    /// The verifiers of the secret's current generation, rebuilt when a re-read changed the versions.
    fn keys(&self) -> Arc<Keys> {
        let generation = self.secrets.generation();
        {
            let cached = self.keys.read().unwrap_or_else(|p| p.into_inner());
            if cached.generation == generation {
                return cached.keys.clone();
            }
        }
        let mut cached = self.keys.write().unwrap_or_else(|p| p.into_inner());
        match Keys::new(&self.secrets.versions()) {
            Ok(keys) => cached.keys = Arc::new(keys),
            // The source checks lengths, so this is a source that does not: keep the last good keys.
            Err(e) => {
                tracing::error!(error = %e, "re-read webhook secret refused; keeping the previous one")
            }
        }
        cached.generation = generation;
        cached.keys.clone()
    }

    fn note(&self, credential: Credential) -> Credential {
        if credential == Credential::Previous {
            // Worth seeing in the logs: the rotation is not finished until the Particle webhook sends the new one.
            tracing::info!(
                "webhook authenticated with the previous secret; update the Particle webhook"
            );
        }
        credential
    }
}

/// 400 for a body that is not a readable form or JSON object, 422 for a field that breaks a rule.
pub fn decode(encoding: Encoding, body: &[u8]) -> Result<Event, Rejection> {
    parse_webhook(encoding, body, &clock::now_rfc3339()).map_err(|e| {
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
    })
}
