//! What the device gets back: the `responseTemplate` rendered over the server's JSON response
//! (with the event's predefined variables also available), published as 512-byte chunks named
//! `<responseTopic>/<index>`.
//!
//! Rules:
//! - No `responseTemplate`: the body is published verbatim.
//! - A body that does not parse as JSON is published verbatim even with a `responseTemplate`.
//! - Topic default `hook-response/{{PARTICLE_EVENT_NAME}}`; error topic default
//!   `hook-error/{{PARTICLE_EVENT_NAME}}`. Topics render against the event (not the response).
//! - Only the first [`RESPONSE_CAP_BYTES`] (100 KiB) are published: bytes past the cap are
//!   dropped (cut on a character boundary) and [`HookResponse::truncated`] is set. That is at
//!   most 200 chunks.
//! - An empty result publishes nothing (Particle sends `hook-response` only for a non-empty body).
//! - `unchunked`: one event named `<topic>/0` (the suffix keeps prefix subscriptions working;
//!   Particle's exact name for it is unconfirmed), still capped at 100 KiB.

use crate::chunk::{CHUNK_BYTES, chunks, truncate_at_boundary};
use crate::compile::Template;
use crate::error::{RequestError, WebhookError};
use crate::escape::Escaping;
use crate::limits::Limits;
use crate::vars::EventScope;

/// Particle publishes up to the first 100 KB of a response.
pub const RESPONSE_CAP_BYTES: usize = 100 * 1024;

const DEFAULT_TOPIC: &str = "hook-response/{{PARTICLE_EVENT_NAME}}";
const DEFAULT_ERROR_TOPIC: &str = "hook-error/{{PARTICLE_EVENT_NAME}}";

/// `responseTemplate`, `responseTopic` and `errorResponseTopic`, compiled once.
#[derive(Debug, Clone)]
pub struct ResponseTemplate {
    template: Option<Template>,
    topic: Template,
    error_topic: Template,
    unchunked: bool,
}

/// A response ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookResponse {
    /// Rendered topic, without the `/<index>` suffix.
    pub topic: String,
    /// Everything that will be published (at most 100 KiB).
    pub data: String,
    /// Whether bytes past the 100 KiB cap were dropped.
    pub truncated: bool,
    /// One event instead of chunks.
    pub unchunked: bool,
}

impl HookResponse {
    /// The events to publish: (`<topic>/<index>`, data), each data at most 512 bytes (unless
    /// unchunked) and never splitting a UTF-8 character.
    pub fn events(&self) -> Vec<(String, &str)> {
        if self.unchunked {
            if self.data.is_empty() {
                return Vec::new();
            }
            return vec![(format!("{}/0", self.topic), self.data.as_str())];
        }
        chunks(&self.data, CHUNK_BYTES)
            .enumerate()
            .map(|(i, c)| (format!("{}/{}", self.topic, i), c))
            .collect()
    }
}

impl ResponseTemplate {
    pub fn compile(
        response_template: Option<&str>,
        response_topic: Option<&str>,
        error_response_topic: Option<&str>,
        unchunked: bool,
        limits: Limits,
    ) -> Result<Self, WebhookError> {
        let compile = |field: &str, src: &str| {
            Template::compile_with(src, &[] as &[(&str, &str)], limits).map_err(|source| {
                WebhookError::Template {
                    field: field.to_owned(),
                    source,
                }
            })
        };
        Ok(ResponseTemplate {
            template: match response_template {
                Some(t) => Some(compile("responseTemplate", t)?),
                None => None,
            },
            topic: compile("responseTopic", response_topic.unwrap_or(DEFAULT_TOPIC))?,
            error_topic: compile(
                "errorResponseTopic",
                error_response_topic.unwrap_or(DEFAULT_ERROR_TOPIC),
            )?,
            unchunked,
        })
    }

    /// Renders what the device receives for a successful response `body` to `event`.
    pub fn render(&self, event: &EventScope<'_>, body: &str) -> Result<HookResponse, RequestError> {
        let topic = render_field(&self.topic, event, "responseTopic")?;
        let parsed = match &self.template {
            Some(t) => serde_json::from_str(body).ok().map(|v| (t, v)),
            None => None,
        };
        let data = match parsed {
            Some((t, json)) => {
                let scope = EventScope::with_data(*event.vars(), Some(json));
                render_field(t, &scope, "responseTemplate")?
            }
            None => body.to_owned(),
        };
        Ok(self.finish(topic, data))
    }

    /// The `hook-error` events for a failed request, `message` being e.g.
    /// `error status 404 from example.com`.
    pub fn render_error(
        &self,
        event: &EventScope<'_>,
        message: &str,
    ) -> Result<HookResponse, RequestError> {
        let topic = render_field(&self.error_topic, event, "errorResponseTopic")?;
        Ok(self.finish(topic, message.to_owned()))
    }

    fn finish(&self, topic: String, mut data: String) -> HookResponse {
        let truncated = truncate_at_boundary(&mut data, RESPONSE_CAP_BYTES);
        HookResponse {
            topic,
            data,
            truncated,
            unchunked: self.unchunked,
        }
    }
}

fn render_field(t: &Template, event: &EventScope<'_>, field: &str) -> Result<String, RequestError> {
    t.render_with(event.scope(), Escaping::Html)
        .map_err(|source| RequestError::Render {
            field: field.to_owned(),
            source,
        })
}
