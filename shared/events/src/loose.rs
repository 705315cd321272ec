//! A JSON field read without judging its type, so that validation (not serde) words the error.
//!
//! serde's own type errors ("invalid type: integer `5`, expected a string at line 1 column 10") do not name the
//! field; reading each field as a [`Loose`] value keeps parsing zero-copy for the common case (borrowed strings)
//! and lets [`crate::validate`] answer "field `data` must be a string".

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::FieldError;

/// Any JSON value, with strings borrowed from the input when they hold no escapes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Loose<'a> {
    Str(Cow<'a, str>),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Null,
    Array,
    Object,
}

impl<'a> Loose<'a> {
    fn kind(&self) -> &'static str {
        match self {
            Loose::Str(_) => "a string",
            Loose::Unsigned(_) | Loose::Signed(_) | Loose::Float(_) => "a number",
            Loose::Bool(_) => "a boolean",
            Loose::Null => "null",
            Loose::Array => "an array",
            Loose::Object => "an object",
        }
    }

    /// A string field; `null` reads as absent.
    pub(crate) fn into_str(self, field: &'static str) -> Result<Option<Cow<'a, str>>, FieldError> {
        match self {
            Loose::Str(s) => Ok(Some(s)),
            Loose::Null => Ok(None),
            other => Err(FieldError::new(
                field,
                format!("must be a string, got {}", other.kind()),
            )),
        }
    }

    /// A small unsigned integer given as a number or a decimal string (Particle's object-form JSON templates
    /// render every value as a string). `null` and `""` read as absent: a sandbox device renders
    /// `{{PRODUCT_ID}}` empty.
    pub(crate) fn into_u32(self, field: &'static str) -> Result<Option<u32>, FieldError> {
        let bad = |what: String| {
            FieldError::new(
                field,
                format!("must be a whole number from 0 to {}, got {what}", u32::MAX),
            )
        };
        match self {
            Loose::Null => Ok(None),
            Loose::Str(s) if s.is_empty() => Ok(None),
            Loose::Str(s) => parse_u32_text(&s)
                .map(Some)
                .ok_or_else(|| bad(crate::validate::describe(&s))),
            Loose::Unsigned(n) => u32::try_from(n).map(Some).map_err(|_| bad(n.to_string())),
            Loose::Signed(n) => Err(bad(n.to_string())),
            Loose::Float(f) if f.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&f) => {
                Ok(Some(f as u32))
            }
            Loose::Float(f) => Err(bad(f.to_string())),
            other => Err(bad(other.kind().to_owned())),
        }
    }
}

/// Parses a decimal u32 from text: ASCII digits only (no sign, no spaces), as a template renders it.
pub(crate) fn parse_u32_text(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Loose::Str(Cow::Owned(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Loose::Unsigned(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Loose::Signed(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Loose::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Object)
    }
}

/// Parses a JSON object into `T`. Checked up front because serde would also accept an array for a struct.
pub(crate) fn from_json_object<'a, T: serde::Deserialize<'a>>(
    body: &'a [u8],
) -> Result<T, crate::ParseError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => serde_json::from_slice(body)
            .map_err(|e| crate::ParseError::Malformed(json_error_message(&e))),
        None => Err(crate::ParseError::Malformed("the body is empty".to_owned())),
        Some(_) => Err(crate::ParseError::Malformed(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Err(e) => json_error_message(&e),
                Ok(_) => "the JSON body must be an object".to_owned(),
            },
        )),
    }
}

/// Turns a serde_json error on a whole payload into a sentence for a `Malformed` error.
pub(crate) fn json_error_message(err: &serde_json::Error) -> String {
    match err.classify() {
        serde_json::error::Category::Eof => {
            format!(
                "the JSON body ends early (line {}, column {})",
                err.line(),
                err.column()
            )
        }
        serde_json::error::Category::Syntax => format!("the body is not valid JSON: {err}"),
        serde_json::error::Category::Data => format!("the JSON body is not accepted: {err}"),
        serde_json::error::Category::Io => format!("the JSON body could not be read: {err}"),
    }
}
