//! What a template is rendered against: plain JSON data, or a Particle event (predefined
//! variables, the event's data parsed as JSON, optional secrets).
//!
//! Precedence (UNCONFIRMED in Particle's docs; this is the safe choice): predefined variable names
//! are reserved at the top level. `{{PARTICLE_DEVICE_ID}}` always reads the device that published,
//! never a `PARTICLE_DEVICE_ID` key a device put in its data, so a device cannot spoof identity
//! fields in requests it triggers. Secrets come next, then data keys. Inside a section the usual
//! context stack applies: a key of the section's object wins over everything below it.

use serde_json::Value;

use crate::value::{Part, Val};

/// Predefined variable names and the slot each reads (aliases share slots).
const PREDEFINED: [(&str, u8); 12] = [
    ("PARTICLE_EVENT_NAME", 0),
    ("PARTICLE_EVENT_VALUE", 1),
    ("PARTICLE_DEVICE_ID", 2),
    ("PARTICLE_PUBLISHED_AT", 3),
    ("PARTICLE_EVENT_ID", 4),
    ("PRODUCT_ID", 5),
    ("PRODUCT_VERSION", 6),
    ("PRODUCT_USER_ID", 7),
    ("SPARK_EVENT_NAME", 0),
    ("SPARK_EVENT_VALUE", 1),
    ("SPARK_CORE_ID", 2),
    ("SPARK_PUBLISHED_AT", 3),
];

/// The slot of a predefined variable name, resolved once at compile time.
pub(crate) fn predefined_slot(name: &str) -> Option<u8> {
    // Every predefined name starts with P or S and is all caps: a cheap filter before the scan.
    if !name.starts_with(['P', 'S']) {
        return None;
    }
    PREDEFINED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, slot)| slot)
}

/// The fields of one published event, borrowed from wherever the caller keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventVars<'a> {
    /// Event name as published (`PARTICLE_EVENT_NAME`, `SPARK_EVENT_NAME`).
    pub name: &'a str,
    /// Event data (`PARTICLE_EVENT_VALUE`, `SPARK_EVENT_VALUE`); a JSON object also becomes variables.
    pub data: &'a str,
    /// Device id (`PARTICLE_DEVICE_ID`, `SPARK_CORE_ID`).
    pub coreid: &'a str,
    /// ISO-8601 time (`PARTICLE_PUBLISHED_AT`, `SPARK_PUBLISHED_AT`).
    pub published_at: &'a str,
    /// `PARTICLE_EVENT_ID`.
    pub event_id: Option<&'a str>,
    /// `PRODUCT_ID`.
    pub product_id: Option<&'a str>,
    /// Firmware version that published (`PRODUCT_VERSION`).
    pub fw_version: Option<&'a str>,
    /// Device owner (`PRODUCT_USER_ID`).
    pub user_id: Option<&'a str>,
}

impl<'a> EventVars<'a> {
    fn slots(&self) -> [Option<&'a str>; 8] {
        [
            Some(self.name),
            Some(self.data),
            Some(self.coreid),
            Some(self.published_at),
            self.event_id,
            self.product_id,
            self.fw_version,
            self.user_id,
        ]
    }
}

/// An event ready to render: predefined variables plus its data parsed once. Build one per event
/// and render every template of a webhook against it.
#[derive(Debug, Clone)]
pub struct EventScope<'a> {
    vars: EventVars<'a>,
    slots: [Option<&'a str>; 8],
    data: Option<Value>,
    secrets: &'a [(&'a str, &'a str)],
}

impl<'a> EventScope<'a> {
    /// Parses the event data; when it is a JSON object its keys become variables. Other data
    /// (plain text, numbers, arrays) only shows up as `PARTICLE_EVENT_VALUE`.
    pub fn new(vars: EventVars<'a>) -> Self {
        let data = parse_object(vars.data);
        Self::with_data(vars, data)
    }

    /// The event's predefined variables over other data, e.g. a parsed webhook response for a
    /// `responseTemplate`.
    pub fn with_data(vars: EventVars<'a>, data: Option<Value>) -> Self {
        EventScope {
            slots: vars.slots(),
            vars,
            data,
            secrets: &[],
        }
    }

    /// Adds secrets (`{{{AUTH_KEY}}}`), looked up after predefined variables and before data.
    pub fn with_secrets(mut self, secrets: &'a [(&'a str, &'a str)]) -> Self {
        self.secrets = secrets;
        self
    }

    pub fn vars(&self) -> &EventVars<'a> {
        &self.vars
    }

    /// The parsed data, when it was a JSON object (or the data given to `with_data`).
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            root: Root::Event {
                slots: &self.slots,
                secrets: self.secrets,
                data: self.data.as_ref(),
            },
        }
    }
}

/// Parses `text` when it is a JSON object; anything else yields `None`. A cheap first-byte check
/// keeps plain-text events from paying for a failed parse.
pub(crate) fn parse_object(text: &str) -> Option<Value> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Some(v),
        _ => None,
    }
}

/// The root of a render: a borrowed view, cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub(crate) root: Root<'a>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Root<'a> {
    Value(&'a Value),
    Event {
        slots: &'a [Option<&'a str>; 8],
        secrets: &'a [(&'a str, &'a str)],
        data: Option<&'a Value>,
    },
}

impl<'a> Scope<'a> {
    /// Plain data: the JSON value is the whole context, as in the mustache spec.
    pub fn value(data: &'a Value) -> Self {
        Scope {
            root: Root::Value(data),
        }
    }

    /// The bottom frame of the context stack.
    pub(crate) fn frame(&self) -> Val<'a> {
        match self.root {
            Root::Value(v) => Val::Json(v),
            Root::Event { .. } => Val::Root,
        }
    }

    /// Looks a first name segment up in the event root. `Some` means the root has it (a reserved
    /// predefined name always "has" it, even when the event lacks the field).
    #[inline]
    pub(crate) fn root_get(&self, part: &Part, slot: Option<u8>) -> Option<Val<'a>> {
        match self.root {
            Root::Value(v) => Val::Json(v).get(part, false),
            Root::Event {
                slots,
                secrets,
                data,
            } => {
                if let Some(slot) = slot {
                    let value = slots.get(usize::from(slot)).copied().flatten();
                    return Some(value.map_or(Val::Missing, Val::Str));
                }
                if let Some((_, v)) = secrets.iter().find(|(k, _)| **k == *part.key) {
                    return Some(Val::Str(v));
                }
                data.and_then(|d| Val::Json(d).get(part, false))
            }
        }
    }

    /// The whole root as JSON (typed mode for `{{.}}` at the top level).
    pub(crate) fn root_json(&self) -> Value {
        match self.root {
            Root::Value(v) => v.clone(),
            Root::Event {
                slots,
                secrets,
                data,
            } => {
                let mut map = match data {
                    Some(Value::Object(m)) => m.clone(),
                    _ => serde_json::Map::new(),
                };
                for (k, v) in secrets {
                    map.insert((*k).to_owned(), Value::String((*v).to_owned()));
                }
                for (name, slot) in PREDEFINED {
                    if let Some(Some(v)) = slots.get(usize::from(slot)) {
                        map.insert(name.to_owned(), Value::String((*v).to_owned()));
                    }
                }
                Value::Object(map)
            }
        }
    }
}

impl<'a> From<&'a Value> for Scope<'a> {
    fn from(v: &'a Value) -> Self {
        Scope::value(v)
    }
}

impl<'a, 'b> From<&'b EventScope<'a>> for Scope<'b> {
    fn from(e: &'b EventScope<'a>) -> Self {
        e.scope()
    }
}
