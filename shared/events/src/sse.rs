//! The JSON of one event in Particle's Server-Sent-Events stream.
//!
//! Shape (`reference/particle.md` §5.3): the event name comes from the `event:` line; the `data:` line holds
//! `{"data": "...", "ttl": "60" | 60, "published_at": "...", "coreid": "..."}`, with product streams possibly
//! adding `userid`, `version` and `productID`. `ttl` and `userid` are read but not kept; unknown fields are
//! ignored; `data: null` reads as empty data.

use serde::Deserialize;

use crate::error::ParseError;
use crate::event::{Event, RawEvent, Source};
use crate::loose::{Loose, from_json_object};
use crate::webhook::{string_field, u32_field};

#[derive(Deserialize)]
struct SseBody<'a> {
    #[serde(borrow)]
    data: Option<Loose<'a>>,
    #[serde(borrow)]
    ttl: Option<Loose<'a>>,
    #[serde(borrow)]
    published_at: Option<Loose<'a>>,
    #[serde(borrow)]
    coreid: Option<Loose<'a>>,
    #[serde(borrow, rename = "productID")]
    product_id: Option<Loose<'a>>,
    #[serde(borrow)]
    version: Option<Loose<'a>>,
}

/// Device id Particle uses for events its cloud generates (`hook-sent`, `hook-response`, ...).
pub const CLOUD_COREID: &str = "particle-internal";

/// Parses the `data:` JSON of an SSE event named `name`.
pub fn parse_sse_data(
    name: &str,
    data_json: &[u8],
    received_at: &str,
) -> Result<Event, ParseError> {
    let parsed: SseBody<'_> = from_json_object(data_json)?;
    if let Some(ttl) = parsed.ttl {
        // Only checked for sanity: Particle ignores ttl and we do not store it.
        match ttl {
            Loose::Str(_)
            | Loose::Unsigned(_)
            | Loose::Signed(_)
            | Loose::Float(_)
            | Loose::Null => {}
            _ => {
                return Err(crate::FieldError::new("ttl", "must be a number or a string").into());
            }
        }
    }
    let data = string_field(parsed.data, "data")?;
    let coreid = string_field(parsed.coreid, "coreid")?;
    let published_at = string_field(parsed.published_at, "published_at")?;
    let raw = RawEvent {
        name: Some(name),
        data: data.as_deref(),
        coreid: coreid.as_deref(),
        published_at: published_at.as_deref(),
        product_id: u32_field(parsed.product_id, "productID")?,
        fw_version: u32_field(parsed.version, "version")?,
        particle_event_id: None,
    };
    Ok(Event::new(raw, Source::Sse, received_at)?)
}
