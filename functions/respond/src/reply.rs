//! The webhook reply: the request event is stored like any event (a duplicate is fine: Particle retries), then
//! the reply for (device, topic = event name) is looked up device -> product -> default, rendered over the event's
//! variables and answered as `text/plain` if it fits the budget. Rendering depends only on the event and the
//! stored template, so a retried webhook (same event) gets the same reply.

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use particle_events::Event;
use particle_template::{EventScope, EventVars, Template};
use particle_webhook::Rejection;

use crate::handler::Respond;

impl Respond {
    pub(crate) async fn webhook_reply(&self, event: &Event) -> Result<Response<Body>, Rejection> {
        if let Err(e) = self.events.put(event).await {
            tracing::error!(id = %event.id, error = %e, "request event could not be stored");
            return Err(store_unavailable());
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
        let mut response = Response::new(Body::from(text));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        Ok(response)
    }
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
