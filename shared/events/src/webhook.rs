//! Webhook bodies: Particle's default body (form-urlencoded or JSON) and the project's recommended JSON.
//!
//! Default body (`reference/particle.md` §1.3): `event`, `data`, `coreid`, `published_at`, all strings.
//! Recommended JSON (`webhooks/ingest.json`): the defaults plus `product_id` (`{{PRODUCT_ID}}`),
//! `fw_version` (`{{PRODUCT_VERSION}}`) and `particle_event_id` (`{{PARTICLE_EVENT_ID}}`); Particle renders
//! object-form JSON values as strings, so numbers are accepted as numbers or decimal strings, and empty strings
//! (a sandbox device has no product) read as absent. `name` is accepted for `event`. Other fields are ignored.

use std::borrow::Cow;

use percent_encoding::percent_decode;
use serde::Deserialize;

use crate::error::{FieldError, ParseError};
use crate::event::{Event, RawEvent, Source};
use crate::loose::{Loose, from_json_object, parse_u32_text};

/// The two encodings Particle uses for webhook bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `application/x-www-form-urlencoded` (Particle's default `form`).
    Form,
    /// `application/json`.
    Json,
}

/// Guesses the encoding of a body that came without a content type: JSON if its first non-blank byte is `{`,
/// form if it looks like `key=value` pairs, `None` otherwise (the caller should refuse it).
pub fn sniff(body: &[u8]) -> Option<Encoding> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first == b'{' {
        return Some(Encoding::Json);
    }
    let looks_like_form = body.contains(&b'=')
        && body
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"=&%+-._~*!'()/:,;@$".contains(&b));
    looks_like_form.then_some(Encoding::Form)
}

/// Parses a webhook body in the given encoding.
pub fn parse_webhook(
    encoding: Encoding,
    body: &[u8],
    received_at: &str,
) -> Result<Event, ParseError> {
    match encoding {
        Encoding::Form => parse_webhook_form(body, received_at),
        Encoding::Json => parse_webhook_json(body, received_at),
    }
}

/// Parses `event=demo&data=mydata&published_at=...&coreid=...`.
pub fn parse_webhook_form(body: &[u8], received_at: &str) -> Result<Event, ParseError> {
    // Decoded by hand rather than with `form_urlencoded::parse`, which decodes invalid UTF-8 lossily: a
    // replaced byte would silently change the stored data and its id. Here it is an error instead.
    let mut fields = FormFields::default();
    for pair in body.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let key = decode_form_component(key, "a field name")?;
        let slot = match key.as_ref() {
            "event" | "name" => &mut fields.name,
            "data" => &mut fields.data,
            "coreid" => &mut fields.coreid,
            "published_at" => &mut fields.published_at,
            "product_id" => &mut fields.product_id,
            "fw_version" => &mut fields.fw_version,
            "particle_event_id" => &mut fields.particle_event_id,
            _ => continue,
        };
        if slot.is_some() {
            return Err(ParseError::Malformed(format!(
                "the form field `{key}` appears more than once"
            )));
        }
        *slot = Some(decode_form_component(value, "the value of a field")?);
    }
    let raw = RawEvent {
        name: fields.name.as_deref(),
        data: fields.data.as_deref(),
        coreid: fields.coreid.as_deref(),
        published_at: fields.published_at.as_deref(),
        product_id: form_u32(fields.product_id.as_deref(), "product_id")?,
        fw_version: form_u32(fields.fw_version.as_deref(), "fw_version")?,
        particle_event_id: fields.particle_event_id.as_deref(),
    };
    Ok(Event::new(raw, Source::Webhook, received_at)?)
}

#[derive(Default)]
struct FormFields<'a> {
    name: Option<Cow<'a, str>>,
    data: Option<Cow<'a, str>>,
    coreid: Option<Cow<'a, str>>,
    published_at: Option<Cow<'a, str>>,
    product_id: Option<Cow<'a, str>>,
    fw_version: Option<Cow<'a, str>>,
    particle_event_id: Option<Cow<'a, str>>,
}

/// `+` is a space, `%XX` a byte; the result must be UTF-8.
fn decode_form_component<'a>(raw: &'a [u8], what: &str) -> Result<Cow<'a, str>, ParseError> {
    let not_utf8 = || ParseError::Malformed(format!("{what} in the form body is not valid UTF-8"));
    if !raw.iter().any(|&b| b == b'+' || b == b'%') {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| not_utf8());
    }
    let plus_as_space: Cow<'a, [u8]> = if raw.contains(&b'+') {
        Cow::Owned(
            raw.iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(raw)
    };
    let decoded: Vec<u8> = percent_decode(&plus_as_space).collect();
    String::from_utf8(decoded)
        .map(Cow::Owned)
        .map_err(|_| not_utf8())
}

fn form_u32(value: Option<&str>, field: &'static str) -> Result<Option<u32>, FieldError> {
    match value {
        None | Some("") => Ok(None),
        Some(text) => parse_u32_text(text).map(Some).ok_or_else(|| {
            FieldError::new(
                field,
                format!(
                    "must be a whole number from 0 to {}, got {}",
                    u32::MAX,
                    crate::validate::describe(text)
                ),
            )
        }),
    }
}

#[derive(Deserialize)]
struct JsonBody<'a> {
    #[serde(borrow, alias = "name")]
    event: Option<Loose<'a>>,
    #[serde(borrow)]
    data: Option<Loose<'a>>,
    #[serde(borrow)]
    coreid: Option<Loose<'a>>,
    #[serde(borrow)]
    published_at: Option<Loose<'a>>,
    #[serde(borrow)]
    product_id: Option<Loose<'a>>,
    #[serde(borrow)]
    fw_version: Option<Loose<'a>>,
    #[serde(borrow)]
    particle_event_id: Option<Loose<'a>>,
}

/// Parses `{"event": "demo", "data": "mydata", "coreid": "...", "published_at": "..."}` and the recommended
/// JSON with `product_id`, `fw_version` and `particle_event_id`.
pub fn parse_webhook_json(body: &[u8], received_at: &str) -> Result<Event, ParseError> {
    let parsed: JsonBody<'_> = from_json_object(body)?;
    let name = string_field(parsed.event, "event")?;
    let data = string_field(parsed.data, "data")?;
    let coreid = string_field(parsed.coreid, "coreid")?;
    let published_at = string_field(parsed.published_at, "published_at")?;
    let particle_event_id = string_field(parsed.particle_event_id, "particle_event_id")?;
    let raw = RawEvent {
        name: name.as_deref(),
        data: data.as_deref(),
        coreid: coreid.as_deref(),
        published_at: published_at.as_deref(),
        product_id: u32_field(parsed.product_id, "product_id")?,
        fw_version: u32_field(parsed.fw_version, "fw_version")?,
        particle_event_id: particle_event_id.as_deref(),
    };
    Ok(Event::new(raw, Source::Webhook, received_at)?)
}

pub(crate) fn string_field<'a>(
    value: Option<Loose<'a>>,
    field: &'static str,
) -> Result<Option<Cow<'a, str>>, FieldError> {
    value.map_or(Ok(None), |v| v.into_str(field))
}

pub(crate) fn u32_field(
    value: Option<Loose<'_>>,
    field: &'static str,
) -> Result<Option<u32>, FieldError> {
    value.map_or(Ok(None), |v| v.into_u32(field))
}
