//! Integration definitions: Particle's own JSON, one file each. A webhook is what `particle webhook create` and
//! the console's custom template take (`integration_type` absent or `Webhook`); the other types use the
//! integration API's `integration_type`: `GoogleCloudPubSub`, `AzureIotHub`, `GoogleMaps`.
//!
//! Everything is checked here, once, at load: field types, unknown fields (a typo such as `requestTyp` would
//! otherwise be ignored and the webhook would quietly send a POST), the device id, the product, the Pub/Sub
//! topic, and every template (compiled with `particle-template`). Errors name the field.
//!
//! Keys (the Google service-account key, the Azure policy key, the Maps API key) are never in the file: the
//! file names an entry of the integration secrets map, resolved by the [`crate::Forwarder`].

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use particle_template::{WebhookDefinition, WebhookError, WebhookTemplate};

use crate::matching::Filter;

/// A definition that failed validation: which field, and why. The loader adds the file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// One integration, compiled and ready to match and render.
#[derive(Debug, Clone)]
pub struct Integration {
    /// The file name without `.json`: the integration's id in delivery outcomes and logs.
    pub name: String,
    /// The console label (`name` in the file), if any.
    pub label: Option<String>,
    pub filter: Filter,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Webhook(Box<Webhook>),
    GoogleCloudPubSub(PubSub),
    AzureIotHub(AzureIotHub),
    GoogleMaps(GoogleMaps),
}

impl Kind {
    /// Particle's `integration_type` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Webhook(_) => "Webhook",
            Kind::GoogleCloudPubSub(_) => "GoogleCloudPubSub",
            Kind::AzureIotHub(_) => "AzureIotHub",
            Kind::GoogleMaps(_) => "GoogleMaps",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub template: WebhookTemplate,
    /// `rejectUnauthorized: false` accepts any TLS certificate (self-signed servers); only when set.
    pub reject_unauthorized: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubSub {
    /// `projects/<project>/topics/<topic>` as written.
    pub topic: String,
    pub project: String,
    pub topic_id: String,
    /// The secrets entry holding the service-account key JSON. Optional because the emulator takes no auth; the
    /// forwarder requires it unless `PUBSUB_EMULATOR_HOST` is set.
    pub service_account_key_secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureIotHub {
    pub hub_name: String,
    pub policy_name: String,
    /// The secrets entry holding the shared access policy's key (base64).
    pub policy_key_secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleMaps {
    /// The secrets entry holding the Google Geolocation API key, if the geolocation target needs one.
    pub api_key_secret: Option<String>,
}

/// Fields every type has.
const COMMON_FIELDS: &[&str] = &[
    "integration_type",
    "event",
    "eventName",
    "name",
    "deviceID",
    "deviceid",
    "deviceId",
    "product",
    "productId",
    "product_id",
    "disabled",
    // Particle: "Deprecated... This property is ignored".
    "mydevices",
    // Informational fields of a definition exported from Particle's API.
    "id",
    "created_at",
];

const WEBHOOK_FIELDS: &[&str] = &[
    "url",
    "requestType",
    "json",
    "form",
    "body",
    "query",
    "headers",
    "auth",
    "noDefaults",
    "rejectUnauthorized",
    "responseTemplate",
    "responseTopic",
    "errorResponseTopic",
    "unchunked",
    "dataUrlResponseEvent",
    "typedJson",
    "jsonEscape",
];
const PUBSUB_FIELDS: &[&str] = &["topic", "service_account_key_secret"];
const AZURE_FIELDS: &[&str] = &["hub_name", "policy_name", "policy_key_secret"];
const MAPS_FIELDS: &[&str] = &["api_key_secret"];

#[derive(Deserialize)]
struct Common {
    #[serde(alias = "eventName")]
    event: Option<String>,
    name: Option<String>,
    #[serde(rename = "deviceID", alias = "deviceid", alias = "deviceId")]
    device_id: Option<String>,
    #[serde(alias = "productId", alias = "product_id")]
    product: Option<Value>,
    #[serde(default)]
    disabled: bool,
}

#[derive(Deserialize)]
struct PubSubFields {
    topic: String,
    service_account_key_secret: Option<String>,
}

#[derive(Deserialize)]
struct AzureFields {
    hub_name: String,
    policy_name: String,
    policy_key_secret: String,
}

#[derive(Deserialize)]
struct MapsFields {
    api_key_secret: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WebhookExtras {
    reject_unauthorized: Option<bool>,
    data_url_response_event: bool,
}

/// Deserializes `value` into `T`, naming the offending field on error.
fn typed<T: DeserializeOwned>(value: &Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        let message = e.into_inner().to_string();
        // serde's "missing field `x`" names the field itself.
        let field = match (field.is_empty(), message.strip_prefix("missing field `")) {
            (true, Some(rest)) => rest.trim_end_matches('`').to_owned(),
            _ => field,
        };
        FieldError::new(field, message)
    })
}

/// Parses and validates one definition. `name` is the file stem.
pub fn parse(name: &str, text: &str) -> Result<Integration, FieldError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        FieldError::new(
            "",
            format!(
                "not valid JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let Value::Object(map) = &value else {
        return Err(FieldError::new("", "a definition must be a JSON object"));
    };
    let kind_name = match map.get("integration_type") {
        None => "Webhook",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            return Err(FieldError::new(
                "integration_type",
                "must be a string: Webhook, GoogleCloudPubSub, AzureIotHub or GoogleMaps",
            ));
        }
    };
    let specific = match kind_name {
        "Webhook" => WEBHOOK_FIELDS,
        "GoogleCloudPubSub" => PUBSUB_FIELDS,
        "AzureIotHub" => AZURE_FIELDS,
        "GoogleMaps" => MAPS_FIELDS,
        other => {
            return Err(FieldError::new(
                "integration_type",
                format!(
                    "unknown type `{other}`: expected Webhook, GoogleCloudPubSub, AzureIotHub or GoogleMaps"
                ),
            ));
        }
    };
    check_fields(map, specific, kind_name)?;
    let common: Common = typed(&value)?;
    let filter = filter(&common)?;
    let kind = match kind_name {
        "Webhook" => Kind::Webhook(Box::new(webhook(&value)?)),
        "GoogleCloudPubSub" => Kind::GoogleCloudPubSub(pubsub(typed(&value)?)?),
        "AzureIotHub" => Kind::AzureIotHub(azure(typed(&value)?)?),
        _ => {
            let fields: MapsFields = typed(&value)?;
            if let Some(s) = &fields.api_key_secret {
                check_secret_name("api_key_secret", s)?;
            }
            Kind::GoogleMaps(GoogleMaps {
                api_key_secret: fields.api_key_secret,
            })
        }
    };
    Ok(Integration {
        name: name.to_owned(),
        label: common.name,
        filter,
        kind,
    })
}

fn check_fields(map: &Map<String, Value>, specific: &[&str], kind: &str) -> Result<(), FieldError> {
    match map
        .keys()
        .find(|k| !COMMON_FIELDS.contains(&k.as_str()) && !specific.contains(&k.as_str()))
    {
        Some(unknown) => Err(FieldError::new(
            unknown.clone(),
            format!("unknown field for a {kind} integration (a typo?)"),
        )),
        None => Ok(()),
    }
}

fn filter(common: &Common) -> Result<Filter, FieldError> {
    let event_prefix = match &common.event {
        Some(e) if !e.is_empty() => e.clone(),
        _ => {
            return Err(FieldError::new(
                "event",
                "required: the event name prefix, at least one character (Particle cannot match every event)",
            ));
        }
    };
    if event_prefix.chars().count() > particle_events::event::MAX_NAME_CHARS {
        return Err(FieldError::new(
            "event",
            "longer than an event name can be (64 characters)",
        ));
    }
    let device_id = match &common.device_id {
        None => None,
        Some(d) if d.is_empty() => None,
        Some(d) if d.len() == 24 && d.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(d.to_ascii_lowercase())
        }
        Some(_) => {
            return Err(FieldError::new(
                "deviceID",
                "must be a device id: 24 hexadecimal characters (device names are not supported, as on Particle)",
            ));
        }
    };
    let product_id = match &common.product {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(product_number(n.as_u64())?),
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(product_number(s.parse().ok())?),
        Some(_) => return Err(product_error()),
    };
    Ok(Filter {
        event_prefix,
        device_id,
        product_id,
        disabled: common.disabled,
    })
}

fn product_error() -> FieldError {
    FieldError::new(
        "product",
        "must be a numeric product id (slugs are not resolved here: events carry the number)",
    )
}

fn product_number(n: Option<u64>) -> Result<u32, FieldError> {
    n.and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(product_error)
}

fn webhook(value: &Value) -> Result<Webhook, FieldError> {
    let def: WebhookDefinition = typed(value)?;
    let extras: WebhookExtras = typed(value)?;
    if extras.data_url_response_event {
        return Err(FieldError::new(
            "dataUrlResponseEvent",
            "not supported: responses are published as text",
        ));
    }
    let template = WebhookTemplate::new(&def).map_err(|e| {
        let field = match &e {
            WebhookError::Template { field, .. } => field.clone(),
            WebhookError::RequestType(_) => "requestType".into(),
            WebhookError::ExclusiveBodies(_) => "json".into(),
            WebhookError::JsonKind => "json".into(),
            WebhookError::Definition(_) => "url".into(),
        };
        FieldError::new(field, e.to_string())
    })?;
    Ok(Webhook {
        template,
        reject_unauthorized: extras.reject_unauthorized.unwrap_or(true),
    })
}

/// A Pub/Sub id: Google's rules for project and topic names are stricter; this keeps out what would break the
/// request path (`/`, `:`, `?`, `#`, `%`, spaces) and empty parts.
fn path_part_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+'))
}

fn pubsub(fields: PubSubFields) -> Result<PubSub, FieldError> {
    let parts: Vec<&str> = fields.topic.split('/').collect();
    let (project, topic_id) = match parts.as_slice() {
        ["projects", p, "topics", t] if path_part_ok(p) && path_part_ok(t) => (*p, *t),
        _ => {
            return Err(FieldError::new(
                "topic",
                "must be `projects/<project>/topics/<topic>`",
            ));
        }
    };
    if let Some(s) = &fields.service_account_key_secret {
        check_secret_name("service_account_key_secret", s)?;
    }
    Ok(PubSub {
        project: project.to_owned(),
        topic_id: topic_id.to_owned(),
        topic: fields.topic,
        service_account_key_secret: fields.service_account_key_secret,
    })
}

fn azure(fields: AzureFields) -> Result<AzureIotHub, FieldError> {
    // Hub names: 3-50 letters, digits and hyphens (Azure's rule); it becomes a host name.
    let hub_ok = (3..=50).contains(&fields.hub_name.len())
        && fields
            .hub_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !hub_ok {
        return Err(FieldError::new(
            "hub_name",
            "must be an IoT Hub name: 3-50 letters, digits and hyphens",
        ));
    }
    if fields.policy_name.is_empty()
        || fields.policy_name.len() > 64
        || fields.policy_name.contains(['&', '=', ' '])
    {
        return Err(FieldError::new(
            "policy_name",
            "must be a shared access policy name (1-64 characters, no `&`, `=` or spaces)",
        ));
    }
    check_secret_name("policy_key_secret", &fields.policy_key_secret)?;
    Ok(AzureIotHub {
        hub_name: fields.hub_name,
        policy_name: fields.policy_name,
        policy_key_secret: fields.policy_key_secret,
    })
}

fn check_secret_name(field: &str, name: &str) -> Result<(), FieldError> {
    if crate::secrets::valid_name(name) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "must name an entry of the integration secrets (upper-case letters, digits and `_`), not hold the key itself",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> FieldError {
        parse("x", text).unwrap_err()
    }

    #[test]
    fn webhook_with_common_fields() {
        let i = parse(
            "hook",
            r#"{"event":"temp","url":"https://example.com/{{{room}}}","deviceID":"3F002B000000000000000000",
                "product":"1234","disabled":true,"mydevices":true,"rejectUnauthorized":false,"name":"Label"}"#,
        )
        .unwrap();
        assert_eq!(i.name, "hook");
        assert_eq!(i.label.as_deref(), Some("Label"));
        assert_eq!(i.filter.event_prefix, "temp");
        assert_eq!(
            i.filter.device_id.as_deref(),
            Some("3f002b000000000000000000")
        );
        assert_eq!(i.filter.product_id, Some(1234));
        assert!(i.filter.disabled);
        let Kind::Webhook(w) = i.kind else {
            panic!("webhook")
        };
        assert!(!w.reject_unauthorized);
        // `eventName` is an alias, `productId` too; rejectUnauthorized defaults to true.
        let i = parse("h", r#"{"eventName":"t","url":"http://h/","productId":5}"#).unwrap();
        assert_eq!(i.filter.event_prefix, "t");
        assert_eq!(i.filter.product_id, Some(5));
        let Kind::Webhook(w) = i.kind else {
            panic!("webhook")
        };
        assert!(w.reject_unauthorized);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (r#"{"url":"http://h/"}"#, "event"),
            (r#"{"event":"","url":"http://h/"}"#, "event"),
            (r#"{"event":"t"}"#, "url"),
            (
                r#"{"event":"t","url":"http://h/","requestTyp":"GET"}"#,
                "requestTyp",
            ),
            (
                r#"{"event":"t","url":"http://h/","requestType":"PATCH"}"#,
                "requestType",
            ),
            (r#"{"event":"t","url":"http://h/{{#a}}"}"#, "url"),
            (
                r#"{"event":"t","url":"http://h/","headers":{"X":"{{/b}}"}}"#,
                "headers.X",
            ),
            (
                r#"{"event":"t","url":"http://h/","noDefaults":"yes"}"#,
                "noDefaults",
            ),
            (
                r#"{"event":"t","url":"http://h/","json":{},"form":{}}"#,
                "json",
            ),
            (
                r#"{"event":"t","url":"http://h/","deviceID":"my-photon"}"#,
                "deviceID",
            ),
            (
                r#"{"event":"t","url":"http://h/","product":"my-product-slug"}"#,
                "product",
            ),
            (
                r#"{"event":"t","url":"http://h/","dataUrlResponseEvent":true}"#,
                "dataUrlResponseEvent",
            ),
            (
                r#"{"integration_type":"Zapier","event":"t"}"#,
                "integration_type",
            ),
            (
                r#"{"integration_type":"GoogleCloudPubSub","event":"t","topic":"my-topic"}"#,
                "topic",
            ),
            (
                r#"{"integration_type":"GoogleCloudPubSub","event":"t"}"#,
                "topic",
            ),
            (
                r#"{"integration_type":"GoogleCloudPubSub","event":"t","topic":"projects/p/topics/t","service_account_key_secret":"{\"type\":1}"}"#,
                "service_account_key_secret",
            ),
            (
                r#"{"integration_type":"AzureIotHub","event":"t","hub_name":"a.b","policy_name":"p","policy_key_secret":"K"}"#,
                "hub_name",
            ),
            (
                r#"{"integration_type":"AzureIotHub","event":"t","hub_name":"hub","policy_name":"p"}"#,
                "policy_key_secret",
            ),
            (
                r#"{"integration_type":"GoogleMaps","event":"t","url":"http://h/"}"#,
                "url",
            ),
        ];
        for (text, field) in cases {
            let e = err(text);
            assert_eq!(e.field, field, "{text}: {e:?}");
            assert!(!e.message.is_empty());
        }
        assert_eq!(err("[1]").field, "");
        assert!(err("{").message.contains("not valid JSON"));
    }

    #[test]
    fn other_types() {
        let i = parse(
            "ps",
            r#"{"integration_type":"GoogleCloudPubSub","event":"t","topic":"projects/my-proj/topics/particle-events",
                "service_account_key_secret":"GCP_KEY"}"#,
        )
        .unwrap();
        let Kind::GoogleCloudPubSub(p) = i.kind else {
            panic!()
        };
        assert_eq!(
            (p.project.as_str(), p.topic_id.as_str()),
            ("my-proj", "particle-events")
        );
        assert_eq!(p.service_account_key_secret.as_deref(), Some("GCP_KEY"));

        let i = parse(
            "az",
            r#"{"integration_type":"AzureIotHub","event":"t","hub_name":"my-hub","policy_name":"iothubowner","policy_key_secret":"AZ_KEY"}"#,
        )
        .unwrap();
        assert_eq!(i.kind.type_name(), "AzureIotHub");
        let i = parse(
            "m",
            r#"{"integration_type":"GoogleMaps","event":"deviceLocator"}"#,
        )
        .unwrap();
        assert_eq!(i.kind.type_name(), "GoogleMaps");
    }
}
