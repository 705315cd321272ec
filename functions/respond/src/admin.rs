//! The admin routes (admin secret only): replies, function calls, publishes, deliveries. JSON answers; errors in
//! the shared `{"error", "message"}` shape.

use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use particle_cloud::{Delivery, FunctionCall, Outcome, Publish};
use particle_commands::{CallResult, CommandError, Reply, Scope};
use particle_webhook::{Rejection, json_response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::handler::{Respond, rejection};
use crate::route::Route;

/// Largest admin request body.
const MAX_ADMIN_BODY: usize = 128 * 1024;
/// Deliveries listed by default.
const DELIVERIES_DEFAULT: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallBody {
    #[serde(default)]
    arg: String,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    until_online: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    name: String,
    #[serde(default)]
    data: String,
    #[serde(default)]
    product: Option<String>,
    #[serde(default = "yes")]
    private: bool,
}

fn yes() -> bool {
    true
}

impl Respond {
    pub(crate) async fn admin_route(
        &self,
        route: Route,
        request: &Request,
    ) -> Result<Response<Body>, Rejection> {
        let method = request.method().clone();
        let body: &[u8] = request.body().as_ref();
        if body.len() > MAX_ADMIN_BODY {
            return Err(rejection(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "the body is {} bytes; the limit is {MAX_ADMIN_BODY}",
                    body.len()
                ),
            ));
        }
        match (route, method) {
            (Route::Replies, Method::GET) => self.list_replies().await,
            (Route::Reply { scope, topic }, m) => {
                let scope = Scope::parse(&scope).map_err(invalid)?;
                match m {
                    Method::PUT => self.put_reply(scope, &topic, body).await,
                    Method::GET => self.get_reply(scope, &topic).await,
                    Method::DELETE => self.delete_reply(scope, &topic).await,
                    _ => Err(not_allowed("GET, PUT, DELETE")),
                }
            }
            (Route::Function { coreid, name }, Method::POST) => self.call(coreid, name, body).await,
            (Route::Events, Method::POST) => self.publish(body).await,
            (Route::Deliveries { coreid }, Method::GET) => self.deliveries(&coreid, request).await,
            (Route::Replies | Route::Deliveries { .. }, _) => Err(not_allowed("GET")),
            (Route::Function { .. } | Route::Events, _) => Err(not_allowed("POST")),
            (Route::NotFound | Route::Webhook, _) => Err(rejection(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such route",
            )),
        }
    }

    async fn list_replies(&self) -> Result<Response<Body>, Rejection> {
        let replies = self.replies.list().await.map_err(fault)?;
        let replies: Vec<Value> = replies.iter().map(reply_json).collect();
        Ok(json_response(
            StatusCode::OK,
            &json!({ "replies": replies }),
        ))
    }

    async fn put_reply(
        &self,
        scope: Scope,
        topic: &str,
        body: &[u8],
    ) -> Result<Response<Body>, Rejection> {
        let template = std::str::from_utf8(body).map_err(|_| {
            rejection(
                StatusCode::BAD_REQUEST,
                "malformed_body",
                "the template must be UTF-8 text",
            )
        })?;
        let reply = self
            .replies
            .put(scope, topic, template)
            .await
            .map_err(|e| match e {
                CommandError::Template(m) => {
                    rejection(StatusCode::UNPROCESSABLE_ENTITY, "template_invalid", m)
                }
                other => invalid(other),
            })?;
        tracing::info!(scope = %reply.scope, topic = %reply.topic, "reply stored");
        Ok(json_response(StatusCode::OK, &reply_json(&reply)))
    }

    async fn get_reply(&self, scope: Scope, topic: &str) -> Result<Response<Body>, Rejection> {
        match self.replies.get(&scope, topic).await.map_err(fault)? {
            Some(reply) => Ok(json_response(StatusCode::OK, &reply_json(&reply))),
            None => Err(no_such_reply(&scope, topic)),
        }
    }

    async fn delete_reply(&self, scope: Scope, topic: &str) -> Result<Response<Body>, Rejection> {
        if self.replies.delete(&scope, topic).await.map_err(fault)? {
            tracing::info!(%scope, topic, "reply deleted");
            let mut response = Response::new(Body::Empty);
            *response.status_mut() = StatusCode::NO_CONTENT;
            Ok(response)
        } else {
            Err(no_such_reply(&scope, topic))
        }
    }

    async fn call(
        &self,
        coreid: String,
        name: String,
        body: &[u8],
    ) -> Result<Response<Body>, Rejection> {
        let parsed: CallBody = parse_json(body)?;
        let call = FunctionCall {
            coreid,
            name,
            arg: parsed.arg,
            product: parsed.product,
        };
        let result = self
            .commands
            .call_function(&call, parsed.until_online)
            .await
            .map_err(command_error)?;
        match result {
            CallResult::Queued { command, .. } => Ok(json_response(
                StatusCode::ACCEPTED,
                &json!({
                    "status": "pending",
                    "id": command.id,
                    "expires_at": command.expires_at,
                }),
            )),
            CallResult::Sent { id, delivery } => {
                if delivery.outcome == Outcome::Delivered {
                    Ok(json_response(
                        StatusCode::OK,
                        &json!({
                            "id": id,
                            "return_value": delivery.return_value,
                            "attempts": delivery.attempts,
                        }),
                    ))
                } else {
                    Err(push_failed(&delivery))
                }
            }
        }
    }

    async fn publish(&self, body: &[u8]) -> Result<Response<Body>, Rejection> {
        let parsed: PublishBody = parse_json(body)?;
        let event = Publish {
            name: parsed.name,
            data: parsed.data,
            private: parsed.private,
            product: parsed.product,
        };
        let (id, delivery) = self.commands.publish(&event).await.map_err(command_error)?;
        if delivery.outcome == Outcome::Delivered {
            Ok(json_response(
                StatusCode::OK,
                &json!({"id": id, "status": "published", "attempts": delivery.attempts}),
            ))
        } else {
            Err(push_failed(&delivery))
        }
    }

    async fn deliveries(
        &self,
        coreid: &str,
        request: &Request,
    ) -> Result<Response<Body>, Rejection> {
        // `_events`: the log of publishes to no device in particular.
        if coreid != particle_commands::deliveries::NO_DEVICE {
            particle_cloud::limits::check_device_id(coreid).map_err(|e| invalid(e.into()))?;
        }
        let limit = request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("limit=")))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(DELIVERIES_DEFAULT);
        let entries = self
            .commands
            .deliveries()
            .by_device(coreid, limit)
            .await
            .map_err(fault)?;
        let list: Vec<Value> = entries
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "at".to_owned(),
                        Value::from(particle_events::clock::format_unix_ms(e.delivery.at_ms)),
                    );
                }
                v
            })
            .collect();
        Ok(json_response(
            StatusCode::OK,
            &json!({ "deliveries": list }),
        ))
    }
}

fn reply_json(reply: &Reply) -> Value {
    json!({
        "scope": reply.scope.to_string(),
        "topic": reply.topic,
        "template": reply.template,
        "updated_at": reply.updated_at,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Rejection> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        rejection(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            format!("the body is not the expected JSON: {e}"),
        )
    })
}

fn no_such_reply(scope: &Scope, topic: &str) -> Rejection {
    rejection(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no reply for topic {topic:?} in scope {scope}"),
    )
}

fn not_allowed(allow: &'static str) -> Rejection {
    rejection(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("this route takes {allow}"),
    )
    .with_header(header::ALLOW, HeaderValue::from_static(allow))
}

/// A caller's mistake (scope, topic, limit).
fn invalid(e: CommandError) -> Rejection {
    match e {
        CommandError::Store(_) => fault(e),
        CommandError::Limit(limit) => rejection(
            StatusCode::UNPROCESSABLE_ENTITY,
            limit.rule(),
            limit.to_string(),
        ),
        CommandError::Template(m) => {
            rejection(StatusCode::UNPROCESSABLE_ENTITY, "template_invalid", m)
        }
        CommandError::Scope(m) | CommandError::Topic(m) => {
            rejection(StatusCode::BAD_REQUEST, "invalid_path", m)
        }
    }
}

fn command_error(e: CommandError) -> Rejection {
    invalid(e)
}

fn fault(e: CommandError) -> Rejection {
    tracing::error!(error = %e, "store failed");
    Rejection::unavailable(
        "store_unavailable",
        "the store is unavailable; retry later",
        5,
    )
}

/// A push that did not succeed, as an answer that says what Particle said.
fn push_failed(d: &Delivery) -> Rejection {
    let particle = d
        .status
        .map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
    let detail = d.body.as_deref().unwrap_or("");
    let detail: String = detail.chars().take(300).collect();
    let (status, code) = match d.outcome {
        Outcome::Offline => (StatusCode::NOT_FOUND, "device_offline"),
        Outcome::DeviceTimeout => (StatusCode::GATEWAY_TIMEOUT, "device_timeout"),
        Outcome::RateLimited => (StatusCode::SERVICE_UNAVAILABLE, "particle_rate_limited"),
        Outcome::Unauthorized => (StatusCode::BAD_GATEWAY, "particle_unauthorized"),
        Outcome::Rejected => (StatusCode::BAD_GATEWAY, "particle_rejected"),
        Outcome::Failed | Outcome::Invalid | Outcome::Delivered => {
            (StatusCode::BAD_GATEWAY, "particle_unavailable")
        }
    };
    tracing::warn!(target = %d.target, outcome = d.outcome.as_str(), status = ?d.status, attempts = d.attempts, "push failed");
    rejection(
        status,
        code,
        format!(
            "{} after {} attempt(s) ({particle}): {detail}",
            d.outcome.as_str(),
            d.attempts
        ),
    )
}
