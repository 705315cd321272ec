//! The webhook definition users give `particle webhook create`, as a serde type.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::WebhookError;

/// A webhook as defined for Particle. Unknown fields are ignored; `typedJson` and `jsonEscape`
/// are this project's extensions (both off by default, so a Particle definition renders as on Particle).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebhookDefinition {
    /// Event name prefix that triggers the webhook (not used for rendering).
    #[serde(alias = "eventName")]
    pub event: Option<String>,
    pub url: String,
    /// `GET`, `POST` (default), `PUT` or `DELETE`.
    pub request_type: Option<String>,
    /// An object (templated keys and string values) or a string (rendered, then parsed).
    pub json: Option<Value>,
    pub form: Option<Map<String, Value>>,
    pub body: Option<String>,
    pub query: Option<Map<String, Value>>,
    pub headers: Option<Map<String, Value>>,
    pub auth: Option<AuthDefinition>,
    pub no_defaults: bool,
    pub response_template: Option<String>,
    pub response_topic: Option<String>,
    pub error_response_topic: Option<String>,
    /// Publish the response as one event instead of 512-byte chunks.
    pub unchunked: bool,
    /// Extension: single-tag `json` values keep their JSON type.
    pub typed_json: bool,
    /// Extension: JSON-string escaping for `json` string form and `body`.
    pub json_escape: bool,
}

/// HTTP Basic credentials; both may contain templates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AuthDefinition {
    pub username: String,
    pub password: String,
}

impl WebhookDefinition {
    /// Parses a definition from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, WebhookError> {
        serde_json::from_str(text).map_err(|e| WebhookError::Definition(e.to_string()))
    }
}

/// HTTP method of a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    Get,
    #[default]
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, WebhookError> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            "PUT" => Ok(Method::Put),
            "DELETE" => Ok(Method::Delete),
            _ => Err(WebhookError::RequestType(s.to_owned())),
        }
    }
}
