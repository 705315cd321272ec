//! One SSE event of Particle's stream to an [`Event`], or the reason it is not one.

use particle_events::sse::CLOUD_COREID;
use particle_events::{Event, ParseError, parse_sse_data};

use crate::parser::EventRef;

/// What an SSE event turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// A device event to store.
    Device(Event),
    /// An event Particle's cloud generated itself (`hook-sent`, `hook-response`, ... with coreid
    /// `particle-internal`): no device id, so nothing to store; counted apart from bad events.
    Cloud,
    /// Bad JSON or an invalid field: counted and skipped, never fatal.
    Bad(ParseError),
}

/// Decodes one event; `received_at` is the normalised receive time.
pub fn decode(event: EventRef<'_>, received_at: &str) -> Decoded {
    match parse_sse_data(event.event_type, event.data.as_bytes(), received_at) {
        Ok(e) => Decoded::Device(e),
        Err(ParseError::Invalid(f)) if f.field == "coreid" && is_cloud(event.data) => {
            Decoded::Cloud
        }
        Err(e) => Decoded::Bad(e),
    }
}

/// Cheap check for the cloud's own device id, only on the (rare) path where `coreid` was refused.
fn is_cloud(data: &str) -> bool {
    data.contains(CLOUD_COREID)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(name: &'a str, data: &'a str) -> EventRef<'a> {
        EventRef {
            event_type: name,
            data,
            last_event_id: "",
        }
    }

    #[test]
    fn kinds() {
        let at = "2026-11-26T12:00:00.000Z";
        let device = r#"{"data":"21","ttl":60,"published_at":"2026-11-26T11:00:00.000Z","coreid":"0123456789abcdef01234567"}"#;
        assert!(matches!(decode(ev("temp", device), at), Decoded::Device(e) if e.data == "21"));
        let cloud = r#"{"data":"ok","ttl":60,"published_at":"2026-11-26T11:00:00.000Z","coreid":"particle-internal"}"#;
        assert!(matches!(
            decode(ev("hook-response/temp/0", cloud), at),
            Decoded::Cloud
        ));
        assert!(matches!(
            decode(ev("temp", "{not json"), at),
            Decoded::Bad(ParseError::Malformed(_))
        ));
        let bad_id = r#"{"data":"x","published_at":"2026-11-26T11:00:00.000Z","coreid":"nope"}"#;
        assert!(matches!(
            decode(ev("temp", bad_id), at),
            Decoded::Bad(ParseError::Invalid(_))
        ));
    }
}
