//! The webhook reply: the request event is stored like any event (a duplicate is fine: Particle retries), then
//! the reply for (device, topic = event name) is looked up device -> product -> default, rendered over the event's
//! variables and answered as `text/plain` if it fits the budget.
//!
//! Every reply sent is logged in the delivery log under a key made of the event alone (its device, its
//! `published_at`, its id and the target `webhook-reply`): a retried webhook (same event) finds it and gets the
//! same reply even if the template changed in between, and `GET /devices/{coreid}/deliveries` shows what each
//! request was answered.

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use particle_cloud::{Delivery, Outcome, PushKind};
use particle_events::Event;
use particle_store::PutOutcome;
use particle_template::{EventScope, EventVars, Template};
use particle_webhook::Rejection;

use crate::handler::Respond;

impl Respond {
    pub(crate) async fn webhook_reply(&self, event: &Event) -> Result<Response<Body>, Rejection> {
        let stored = match self.events.put(event).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::error!(id = %event.id, error = %e, "request event could not be stored");
                return Err(store_unavailable());
            }
        };
        let at_ms = event_ms(event);
        if stored == PutOutcome::Duplicate {
            // A retry: answer what the first attempt answered, if it got that far.
            match self
                .commands
                .deliveries()
                .get(&event.coreid, at_ms, &event.id, REPLY_TARGET)
                .await
            {
                Ok(Some(entry)) => {
                    tracing::info!(id = %event.id, topic = %event.name, "retried webhook: the same reply again");
                    return Ok(text_plain(entry.delivery.payload));
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, "reply log lookup failed");
                    return Err(store_unavailable());
                }
            }
        }
        let reply = match self
            .replies
            .lookup(&event.coreid, event.product_id, &event.name)
            .await
        {
            Ok(Some(reply)) => reply,
            Ok(None) => {
                tracing::info!(topic = %event.name, coreid = %event.coreid, "no reply configured");
                return Err(Rejection::new(
                    StatusCode::NOT_FOUND,
                    "no_reply",
                    format!("no reply is configured for topic {:?}", event.name),
                ));
            }
            Err(e) => {
                tracing::error!(error = %e, "reply lookup failed");
                return Err(store_unavailable());
            }
        };
        let text = render(&reply.template, event).map_err(|message| {
            tracing::error!(topic = %event.name, scope = %reply.scope, %message, "reply did not render");
            Rejection::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "reply_render_failed",
                message,
            )
        })?;
        if text.len() > self.reply_max_bytes {
            tracing::error!(topic = %event.name, scope = %reply.scope, size = text.len(), limit = self.reply_max_bytes, "reply too large");
            return Err(Rejection::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "reply_too_large",
                format!(
                    "the reply is {} bytes; the budget is {} (REPLY_MAX_BYTES)",
                    text.len(),
                    self.reply_max_bytes
                ),
            ));
        }
        tracing::info!(topic = %event.name, scope = %reply.scope, size = text.len(), "reply sent");
        let delivery = Delivery {
            kind: PushKind::WebhookReply,
            coreid: Some(event.coreid.clone()),
            product: event.product_id.map(|p| p.to_string()),
            target: REPLY_TARGET.to_owned(),
            payload: text.clone(),
            at_ms,
            attempts: 1,
            outcome: Outcome::Delivered,
            status: Some(200),
            body: Some(format!("reply {} for topic {}", reply.scope, event.name)),
            return_value: None,
            duration_ms: 0,
        };
        match self
            .commands
            .deliveries()
            .record_new(&event.id, &delivery)
            .await
        {
            Ok(true) => {}
            // A concurrent retry logged its reply first: answer that one, so every attempt gets the same.
            Ok(false) => {
                if let Ok(Some(entry)) = self
                    .commands
                    .deliveries()
                    .get(&event.coreid, at_ms, &event.id, REPLY_TARGET)
                    .await
                {
                    return Ok(text_plain(entry.delivery.payload));
                }
            }
            // The reply is still right; only a retry could differ (if the template changes meanwhile).
            Err(e) => tracing::error!(error = %e, "reply could not be logged"),
        }
        Ok(text_plain(text))
    }
}

/// The delivery log's target of webhook replies.
pub const REPLY_TARGET: &str = "webhook-reply";

/// The event's time in Unix milliseconds (validated events always have one; now otherwise).
fn event_ms(event: &Event) -> i64 {
    particle_events::clock::parse_rfc3339(&event.published_at)
        .ok()
        .and_then(|t| particle_events::clock::to_unix_ms(t).ok())
        .unwrap_or_else(|| particle_events::clock::now_unix() * 1000)
}

fn text_plain(text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The template rendered over the event's `PARTICLE_*` variables and JSON data.
pub fn render(template: &str, event: &Event) -> Result<String, String> {
    let template = Template::compile(template).map_err(|e| e.to_string())?;
    let product = event.product_id.map(|p| p.to_string());
    let fw = event.fw_version.map(|v| v.to_string());
    let vars = EventVars {
        name: &event.name,
        data: &event.data,
        coreid: &event.coreid,
        published_at: &event.published_at,
        event_id: event.particle_event_id.as_deref(),
        product_id: product.as_deref(),
        fw_version: fw.as_deref(),
        user_id: None,
    };
    template
        .render(&EventScope::new(vars))
        .map_err(|e| e.to_string())
}

fn store_unavailable() -> Rejection {
    Rejection::unavailable(
        "store_unavailable",
        "the store is unavailable; retry later",
        5,
    )
}
