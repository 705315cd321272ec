//! The stored shape of one published event.

use serde::{Deserialize, Serialize};

/// Longest event name Particle accepts (characters).
pub const MAX_NAME_CHARS: usize = 64;
/// Largest event data Particle accepts since Device OS 6.3 (bytes).
pub const MAX_DATA_BYTES: usize = 16_384;

/// How an event reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A Particle webhook POST.
    Webhook,
    /// Particle's Server-Sent-Events stream.
    Sse,
}

impl Source {
    /// The lower-case name used in stored items and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Webhook => "webhook",
            Source::Sse => "sse",
        }
    }
}

/// One event a device published, validated and normalised.
///
/// Build it with the parsers in [`crate::webhook`] and [`crate::sse`] (or [`Event::new`]), which validate every
/// field and compute [`Event::id`]; the same published event always gets the same id, whichever path it came by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Deterministic id, see [`crate::id::event_id`].
    pub id: String,
    /// Event name, 1-64 characters.
    pub name: String,
    /// Event data as published (may be empty, may be JSON), at most 16,384 bytes.
    pub data: String,
    /// Device id: 24 lower-case hex characters.
    pub coreid: String,
    /// Publish time, RFC 3339 in UTC with exactly three fraction digits (`2017-02-01T21:08:05.763Z`), see
    /// [`crate::clock`].
    pub published_at: String,
    /// Product id, for product devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<u32>,
    /// Product firmware version that published the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fw_version: Option<u32>,
    /// Particle's own id for this delivery (`PARTICLE_EVENT_ID`), when the webhook sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub particle_event_id: Option<String>,
    /// How the event reached us.
    pub source: Source,
    /// When we received it, in the same shape as `published_at`.
    pub received_at: String,
}

/// The raw fields of an event before validation; every parser fills one of these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawEvent<'a> {
    pub name: Option<&'a str>,
    pub data: Option<&'a str>,
    pub coreid: Option<&'a str>,
    pub published_at: Option<&'a str>,
    pub product_id: Option<u32>,
    pub fw_version: Option<u32>,
    pub particle_event_id: Option<&'a str>,
}

impl Event {
    /// Validates `raw`, normalises it and computes its id.
    pub fn new(
        raw: RawEvent<'_>,
        source: Source,
        received_at: &str,
    ) -> Result<Event, crate::FieldError> {
        crate::validate::build(raw, source, received_at)
    }
}
