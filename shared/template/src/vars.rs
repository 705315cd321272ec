//! What a template is rendered against: plain JSON data, or a Particle event (predefined
//! variables, the event's data parsed as JSON, optional secrets).
//!
//! Precedence (UNCONFIRMED in Particle's docs; this is the safe choice): predefined variable names
//! are reserved at the top level. `{{PARTICLE_DEVICE_ID}}` always reads the device that published,
//! never a `PARTICLE_DEVICE_ID` key a device put in its data, so a device cannot spoof identity
//! fields in requests it triggers. Secrets come next, then data keys. Inside a section the usual
//! context stack applies: a key of the section's object wins over everything below it.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::Value;

use crate::prepared::Prepared;
use crate::value::{Esc, Model, Part, SectionKind, Val};

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

/// An event ready to render: predefined variables plus its data, parsed and prepared (numbers
/// printed, keys indexed; see `prepared.rs`) the first time a template reads a data key, then
/// reused. Build one per event and render every template of a webhook against it; a template that
/// reads only predefined variables (Particle's default body) never pays for the parse.
#[derive(Debug, Clone)]
pub struct EventScope<'a> {
    vars: EventVars<'a>,
    slots: [Option<&'a str>; 8],
    /// Data given up front (`with_data`); `None` means "parse `vars.data`".
    given: Option<Option<Cow<'a, Value>>>,
    /// `vars.data` parsed, on first use. Kept apart from `given` (and free of `'a`) so that
    /// `EventScope` stays covariant: a `OnceLock` of a borrowing type would make it invariant.
    parsed: OnceLock<Option<Value>>,
    /// `data` laid out for rendering, on first use.
    prepared: OnceLock<Prepared>,
    secrets: &'a [(&'a str, &'a str)],
}

impl<'a> EventScope<'a> {
    /// The event's data becomes variables when it is a JSON object (parsed when first needed).
    /// Other data (plain text, numbers, arrays) only shows up as `PARTICLE_EVENT_VALUE`.
    pub fn new(vars: EventVars<'a>) -> Self {
        Self::build(vars, None)
    }

    /// The event's predefined variables over other data, e.g. a parsed webhook response for a
    /// `responseTemplate`.
    pub fn with_data(vars: EventVars<'a>, data: Option<Value>) -> Self {
        Self::build(vars, Some(data.map(Cow::Owned)))
    }

    /// [`EventScope::with_data`] over borrowed data, for a caller that keeps the parsed value.
    pub fn with_data_ref(vars: EventVars<'a>, data: Option<&'a Value>) -> Self {
        Self::build(vars, Some(data.map(Cow::Borrowed)))
    }

    fn build(vars: EventVars<'a>, given: Option<Option<Cow<'a, Value>>>) -> Self {
        EventScope {
            slots: vars.slots(),
            vars,
            given,
            parsed: OnceLock::new(),
            prepared: OnceLock::new(),
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
        match &self.given {
            Some(given) => given.as_deref(),
            None => self
                .parsed
                .get_or_init(|| parse_object(self.vars.data))
                .as_ref(),
        }
    }

    /// The data laid out for rendering (empty when there is none).
    #[inline(always)]
    fn prepared(&self) -> &Prepared {
        self.prepared
            .get_or_init(|| self.data().map(Prepared::new).unwrap_or_default())
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            root: Root::Event(Event(self)),
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
    Event(Event<'a>),
}

impl<'a> Scope<'a> {
    /// Plain data: the JSON value is the whole context, as in the mustache spec.
    pub fn value(data: &'a Value) -> Self {
        Scope {
            root: Root::Value(data),
        }
    }
}

/// The data model of an event render: predefined variables, secrets, then the prepared data.
/// One pointer, so the render loop keeps it in a register.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event<'a>(&'a EventScope<'a>);

impl<'a> Model<'a> for Event<'a> {
    type Node = usize;

    #[inline(always)]
    fn root(self) -> Val<'a, usize> {
        Val::Root
    }

    /// `Some` means the root has the name (a reserved predefined name always "has" it, even when
    /// the event lacks the field).
    #[inline(always)]
    fn root_get(self, part: &Part, slot: Option<u8>) -> Option<Val<'a, usize>> {
        if let Some(slot) = slot {
            let value = self.0.slots.get(usize::from(slot)).copied().flatten();
            return Some(value.map_or(Val::Missing, Val::Str));
        }
        if let Some((_, v)) = self.0.secrets.iter().find(|(k, _)| **k == *part.key) {
            return Some(Val::Str(v));
        }
        let data = self.0.prepared();
        data.get(data.root()?, part, false)
    }

    #[inline(always)]
    fn get(self, node: usize, part: &Part, tail: bool) -> Option<Val<'a, usize>> {
        self.0.prepared().get(node, part, tail)
    }

    #[inline(always)]
    fn truthy(self, node: usize) -> bool {
        self.0.prepared().truthy(node)
    }

    #[inline(always)]
    fn section(self, node: usize) -> SectionKind<Val<'a, usize>, usize> {
        self.0.prepared().section(node)
    }

    #[inline(always)]
    fn inverted(self, node: usize) -> bool {
        self.0.prepared().inverted(node)
    }

    #[inline(always)]
    fn item(self, list: usize, i: usize) -> Option<usize> {
        self.0.prepared().item(list, i)
    }

    #[inline(always)]
    fn write(self, node: usize, out: &mut String, esc: Esc) {
        self.0.prepared().write(node, out, esc)
    }

    fn to_json(self, node: usize) -> Value {
        self.0.prepared().to_value(node)
    }

    fn root_json(self) -> Value {
        let mut map = match self
            .0
            .prepared()
            .root()
            .map(|root| self.0.prepared().to_value(root))
        {
            Some(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        for (k, v) in self.0.secrets {
            map.insert((*k).to_owned(), Value::String((*v).to_owned()));
        }
        for (name, slot) in PREDEFINED {
            if let Some(Some(v)) = self.0.slots.get(usize::from(slot)) {
                map.insert(name.to_owned(), Value::String((*v).to_owned()));
            }
        }
        Value::Object(map)
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
