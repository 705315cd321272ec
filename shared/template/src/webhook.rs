//! Webhook definitions (the JSON users give `particle webhook create`) compiled once into
//! templates, and rendered into a request for each event.
//!
//! Body rules, following Particle's documentation:
//! - `json` object: every key and every string value is a template; rendered values stay strings
//!   (Particle: "variables can only be interpolated as strings"); numbers, booleans and `null`
//!   written in the definition are kept as they are. Opt-in `typedJson`: a string value that is
//!   exactly one tag (`"{{{temp}}}"`) takes the variable's JSON type instead (number, boolean,
//!   object; `null` when missing).
//! - `json` string: rendered, then it must parse as JSON ([`RequestError::InvalidJson`] if not).
//! - `form`: each value rendered, then url-encoded; `body`: rendered as text, no content type.
//! - `query`: each value rendered and appended to the URL, for every method.
//! - Defaults `event`, `data`, `coreid`, `published_at` are merged into `json` (object result) and
//!   `form` unless `noDefaults`; a field the definition sets itself wins over a default. With
//!   neither `json`, `form` nor `body`, the defaults are the body as a form (Particle's default
//!   request), or the query string for GET. GET also sends `form` fields in the query string.
//!   Nothing is merged into a `body` template (it is opaque text).
//! - Opt-in `jsonEscape`: in `json` string form and `body`, every interpolation is JSON-string
//!   escaped (see [`Escaping::JsonString`]) so quotes or backslashes in data cannot break the JSON.
//!
//! Key order: definitions are read into `serde_json::Map`, which sorts keys, so object and form
//! keys come out sorted (Particle does not keep definition order either; its docs show reordered keys).

use serde_json::{Map, Value};

use crate::compile::Template;
pub use crate::definition::{AuthDefinition, Method, WebhookDefinition};
use crate::error::{CompileError, RenderError, RequestError, WebhookError};
use crate::escape::Escaping;
use crate::form::{Pairs, append_query};
use crate::limits::Limits;
use crate::response::ResponseTemplate;
use crate::value::js_string;
use crate::vars::{EventScope, Scope};

/// HTTP Basic credentials after rendering (the HTTP client encodes the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

/// A request ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedRequest {
    pub method: Method,
    /// The rendered URL with the query string appended.
    pub url: String,
    /// Rendered headers in definition order, then `Content-Type` (and `Accept` for JSON) unless
    /// the definition sets them.
    pub headers: Vec<(String, String)>,
    pub basic_auth: Option<BasicAuth>,
    pub body: Option<String>,
}

impl RenderedRequest {
    /// The value of a header, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

const JSON_TYPE: &str = "application/json";
const FORM_TYPE: &str = "application/x-www-form-urlencoded";

/// A value in `form`, `query` or `headers`: a template, or a non-string JSON value kept as is.
#[derive(Debug, Clone)]
enum FieldValue {
    Template(Template),
    Json(Value),
}

#[derive(Debug, Clone)]
struct Field {
    key: Template,
    value: FieldValue,
}

#[derive(Debug, Clone)]
enum JsonNode {
    Object(Vec<(Template, JsonNode)>),
    Array(Vec<JsonNode>),
    Str(Template),
    Other(Value),
}

#[derive(Debug, Clone)]
enum Body {
    None,
    JsonTree(JsonNode),
    JsonText(Template),
    Form(Vec<Field>),
    Text(Template),
}

/// A webhook definition compiled once; render it for every event.
#[derive(Debug, Clone)]
pub struct WebhookTemplate {
    method: Method,
    url: Template,
    query: Vec<Field>,
    headers: Vec<Field>,
    auth: Option<(Template, Template)>,
    body: Body,
    no_defaults: bool,
    typed_json: bool,
    escaping: Escaping,
    response: ResponseTemplate,
}

fn compile(field: &str, src: &str, limits: Limits) -> Result<Template, WebhookError> {
    Template::compile_with(src, &[] as &[(&str, &str)], limits).map_err(|source: CompileError| {
        WebhookError::Template {
            field: field.to_owned(),
            source,
        }
    })
}

fn compile_fields(
    field: &str,
    map: &Map<String, Value>,
    limits: Limits,
) -> Result<Vec<Field>, WebhookError> {
    map.iter()
        .map(|(k, v)| {
            let path = format!("{field}.{k}");
            Ok(Field {
                key: compile(&path, k, limits)?,
                value: match v {
                    Value::String(s) => FieldValue::Template(compile(&path, s, limits)?),
                    other => FieldValue::Json(other.clone()),
                },
            })
        })
        .collect()
}

fn compile_json(path: &str, v: &Value, limits: Limits) -> Result<JsonNode, WebhookError> {
    Ok(match v {
        Value::Object(map) => JsonNode::Object(
            map.iter()
                .map(|(k, v)| {
                    let path = format!("{path}.{k}");
                    Ok((compile(&path, k, limits)?, compile_json(&path, v, limits)?))
                })
                .collect::<Result<_, WebhookError>>()?,
        ),
        Value::Array(items) => JsonNode::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| compile_json(&format!("{path}[{i}]"), v, limits))
                .collect::<Result<_, _>>()?,
        ),
        Value::String(s) => JsonNode::Str(compile(path, s, limits)?),
        other => JsonNode::Other(other.clone()),
    })
}

impl WebhookTemplate {
    /// Compiles every template of the definition with the default limits.
    pub fn new(def: &WebhookDefinition) -> Result<Self, WebhookError> {
        Self::with_limits(def, Limits::DEFAULT)
    }

    pub fn with_limits(def: &WebhookDefinition, limits: Limits) -> Result<Self, WebhookError> {
        if def.url.trim().is_empty() {
            return Err(WebhookError::Definition("`url` is required".into()));
        }
        let method = match &def.request_type {
            Some(m) => Method::parse(m)?,
            None => Method::Post,
        };
        let set: Vec<&str> = [
            ("`json`", def.json.is_some()),
            ("`form`", def.form.is_some()),
            ("`body`", def.body.is_some()),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
        if set.len() > 1 {
            return Err(WebhookError::ExclusiveBodies(set.join(" and ")));
        }
        let body = match (&def.json, &def.form, &def.body) {
            (Some(Value::String(s)), _, _) => Body::JsonText(compile("json", s, limits)?),
            (Some(v @ (Value::Object(_) | Value::Array(_))), _, _) => {
                Body::JsonTree(compile_json("json", v, limits)?)
            }
            (Some(_), _, _) => return Err(WebhookError::JsonKind),
            (None, Some(form), _) => Body::Form(compile_fields("form", form, limits)?),
            (None, None, Some(text)) => Body::Text(compile("body", text, limits)?),
            (None, None, None) => Body::None,
        };
        let auth = match &def.auth {
            Some(a) => Some((
                compile("auth.username", &a.username, limits)?,
                compile("auth.password", &a.password, limits)?,
            )),
            None => None,
        };
        Ok(WebhookTemplate {
            method,
            url: compile("url", &def.url, limits)?,
            query: compile_fields("query", def.query.as_ref().unwrap_or(&Map::new()), limits)?,
            headers: compile_fields(
                "headers",
                def.headers.as_ref().unwrap_or(&Map::new()),
                limits,
            )?,
            auth,
            body,
            no_defaults: def.no_defaults,
            typed_json: def.typed_json,
            escaping: if def.json_escape {
                Escaping::JsonString
            } else {
                Escaping::Html
            },
            response: ResponseTemplate::compile(
                def.response_template.as_deref(),
                def.response_topic.as_deref(),
                def.error_response_topic.as_deref(),
                def.unchunked,
                limits,
            )?,
        })
    }

    pub fn method(&self) -> Method {
        self.method
    }

    /// The compiled `responseTemplate` and topics.
    pub fn response(&self) -> &ResponseTemplate {
        &self.response
    }

    /// Renders the request for one event.
    pub fn render(&self, event: &EventScope<'_>) -> Result<RenderedRequest, RequestError> {
        let scope = event.scope();
        let mut url = render(&self.url, scope, "url", Escaping::Html)?;

        let mut query = Pairs::default();
        let mut form = Pairs::default();
        let mut body = None;
        let mut content_type = None;
        let defaults = !self.no_defaults;
        let vars = event.vars();
        let default_pairs = || {
            let mut p = Pairs::default();
            p.set("event".into(), vars.name.into());
            p.set("data".into(), vars.data.into());
            p.set("published_at".into(), vars.published_at.into());
            p.set("coreid".into(), vars.coreid.into());
            p
        };

        match &self.body {
            Body::None | Body::Form(_) => {
                if defaults {
                    form = default_pairs();
                }
                if let Body::Form(fields) = &self.body {
                    render_fields(fields, scope, "form", &mut form)?;
                }
                if self.method == Method::Get {
                    query = form;
                } else if !form.is_empty() {
                    let mut text = String::new();
                    form.encode(&mut text);
                    body = Some(text);
                    content_type = Some(FORM_TYPE);
                }
            }
            Body::JsonTree(node) => {
                let mut value = self.render_json(node, scope, "json")?;
                if defaults {
                    merge_defaults(&mut value, event);
                }
                body = Some(value.to_string());
                content_type = Some(JSON_TYPE);
            }
            Body::JsonText(t) => {
                let text = render(t, scope, "json", self.escaping)?;
                let mut value: Value =
                    serde_json::from_str(&text).map_err(|e| RequestError::InvalidJson {
                        message: e.to_string(),
                        rendered: excerpt(&text),
                    })?;
                body = Some(if defaults && value.is_object() {
                    merge_defaults(&mut value, event);
                    value.to_string()
                } else {
                    text
                });
                content_type = Some(JSON_TYPE);
            }
            Body::Text(t) => body = Some(render(t, scope, "body", self.escaping)?),
        }

        render_fields(&self.query, scope, "query", &mut query)?;
        append_query(&mut url, &query);

        let mut headers = Vec::with_capacity(self.headers.len() + 2);
        for f in &self.headers {
            let key = render(&f.key, scope, "headers", Escaping::Html)?;
            let value = match &f.value {
                FieldValue::Template(t) => {
                    render(t, scope, &format!("headers.{key}"), Escaping::Html)?
                }
                FieldValue::Json(v) => js_string(v),
            };
            headers.push((key, value));
        }
        let has = |h: &[(String, String)], name: &str| {
            h.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        if let Some(ct) = content_type {
            if !has(&headers, "content-type") {
                headers.push(("Content-Type".into(), ct.into()));
            }
            if ct == JSON_TYPE && !has(&headers, "accept") {
                headers.push(("Accept".into(), JSON_TYPE.into()));
            }
        }

        let basic_auth = match &self.auth {
            Some((u, p)) => Some(BasicAuth {
                username: render(u, scope, "auth.username", Escaping::Html)?,
                password: render(p, scope, "auth.password", Escaping::Html)?,
            }),
            None => None,
        };

        Ok(RenderedRequest {
            method: self.method,
            url,
            headers,
            basic_auth,
            body,
        })
    }

    fn render_json(
        &self,
        node: &JsonNode,
        scope: Scope<'_>,
        path: &str,
    ) -> Result<Value, RequestError> {
        Ok(match node {
            JsonNode::Object(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    let key = render(k, scope, path, Escaping::Html)?;
                    let value = self.render_json(v, scope, path)?;
                    map.insert(key, value);
                }
                Value::Object(map)
            }
            JsonNode::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|n| self.render_json(n, scope, path))
                    .collect::<Result<_, _>>()?,
            ),
            JsonNode::Str(t) => match self.typed_json.then(|| t.render_typed(scope)).flatten() {
                Some(typed) => typed,
                None => Value::String(render(t, scope, path, Escaping::Html)?),
            },
            JsonNode::Other(v) => v.clone(),
        })
    }
}

fn render(
    t: &Template,
    scope: Scope<'_>,
    field: &str,
    escaping: Escaping,
) -> Result<String, RequestError> {
    t.render_with(scope, escaping)
        .map_err(|source: RenderError| RequestError::Render {
            field: field.to_owned(),
            source,
        })
}

fn render_fields(
    fields: &[Field],
    scope: Scope<'_>,
    what: &str,
    out: &mut Pairs,
) -> Result<(), RequestError> {
    for f in fields {
        let key = render(&f.key, scope, what, Escaping::Html)?;
        match &f.value {
            FieldValue::Template(t) => {
                let value = render(t, scope, &format!("{what}.{key}"), Escaping::Html)?;
                out.set(key, value);
            }
            FieldValue::Json(v) => out.set_json(key, v),
        }
    }
    Ok(())
}

/// Adds the four default fields to a JSON object unless the definition set them.
fn merge_defaults(value: &mut Value, event: &EventScope<'_>) {
    let Value::Object(map) = value else {
        return;
    };
    let v = event.vars();
    for (k, val) in [
        ("event", v.name),
        ("data", v.data),
        ("coreid", v.coreid),
        ("published_at", v.published_at),
    ] {
        map.entry(k)
            .or_insert_with(|| Value::String(val.to_owned()));
    }
}

/// At most 200 bytes of rendered text for an error message.
fn excerpt(text: &str) -> String {
    let mut s = text.to_owned();
    if crate::chunk::truncate_at_boundary(&mut s, 200) {
        s.push('…');
    }
    s
}
