//! Particle's field rules, applied once to every parsed event.
//!
//! Rules (see `reference/particle.md` §1.5 and the Device OS field-limit tables):
//! - `name`: 1-64 characters, no control characters;
//! - `coreid`: exactly 24 hex characters, stored lower-case;
//! - `published_at`: strict RFC 3339 within the years 0000-9999, stored normalised to UTC with exactly three
//!   fraction digits (finer input rounded half up; see [`crate::clock`]);
//! - `data`: at most 16,384 bytes (Device OS 6.3 extended publish), may be empty;
//! - `particle_event_id`: optional, at most 128 printable ASCII characters.

use crate::clock::TimestampError;
use crate::error::FieldError;
use crate::event::{Event, MAX_DATA_BYTES, MAX_NAME_CHARS, RawEvent, Source};

/// Longest `particle_event_id` accepted.
pub const MAX_PARTICLE_EVENT_ID: usize = 128;

pub(crate) fn build(
    raw: RawEvent<'_>,
    source: Source,
    received_at: &str,
) -> Result<Event, FieldError> {
    let name = validate_name(
        raw.name
            .ok_or_else(|| FieldError::new("event", "is missing"))?,
    )?;
    let coreid = validate_coreid(
        raw.coreid
            .ok_or_else(|| FieldError::new("coreid", "is missing"))?,
    )?;
    let published_at = validate_published_at(
        raw.published_at
            .ok_or_else(|| FieldError::new("published_at", "is missing"))?,
    )?;
    let data = raw.data.unwrap_or("");
    if data.len() > MAX_DATA_BYTES {
        return Err(FieldError::new(
            "data",
            format!(
                "is {} bytes; Particle events carry at most {MAX_DATA_BYTES}",
                data.len()
            ),
        ));
    }
    let particle_event_id = match raw.particle_event_id {
        None | Some("") => None,
        Some(id) => Some(validate_particle_event_id(id)?),
    };
    let id = crate::id::event_id(&coreid, &published_at, name, data);
    Ok(Event {
        id,
        name: name.to_owned(),
        data: data.to_owned(),
        coreid,
        published_at,
        product_id: raw.product_id,
        fw_version: raw.fw_version,
        particle_event_id,
        source,
        received_at: received_at.to_owned(),
    })
}

/// Checks an event name: 1-64 characters, none of them control characters.
pub fn validate_name(name: &str) -> Result<&str, FieldError> {
    if name.is_empty() {
        return Err(FieldError::new(
            "event",
            "is empty; an event name has 1 to 64 characters",
        ));
    }
    // Byte length bounds the character count from above, so the count is only needed for long names.
    if name.len() > MAX_NAME_CHARS {
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(FieldError::new(
                "event",
                format!("has {chars} characters; an event name has at most {MAX_NAME_CHARS}"),
            ));
        }
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new("event", "contains a control character"));
    }
    Ok(name)
}

/// Checks a device id (24 hex characters) and returns it lower-cased.
pub fn validate_coreid(coreid: &str) -> Result<String, FieldError> {
    if coreid.len() != 24 || !coreid.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FieldError::new(
            "coreid",
            format!(
                "must be a device id of 24 hex characters, got {}",
                describe(coreid)
            ),
        ));
    }
    Ok(coreid.to_ascii_lowercase())
}

/// Checks an RFC 3339 timestamp and returns it normalised to UTC with exactly milliseconds (rounded half up),
/// see [`crate::clock`].
pub fn validate_published_at(value: &str) -> Result<String, FieldError> {
    crate::clock::normalize_rfc3339(value).map_err(|err| {
        let problem = match err {
            TimestampError::Syntax => format!(
                "must be an RFC 3339 timestamp like 2017-02-01T21:08:05.763Z, got {}",
                describe(value)
            ),
            TimestampError::OutOfRange => format!(
                "must fall within the years 0000 to 9999 once converted to UTC, got {}",
                describe(value)
            ),
        };
        FieldError::new("published_at", problem)
    })
}

fn validate_particle_event_id(id: &str) -> Result<String, FieldError> {
    if id.len() > MAX_PARTICLE_EVENT_ID || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(FieldError::new(
            "particle_event_id",
            format!("must be at most {MAX_PARTICLE_EVENT_ID} printable ASCII characters"),
        ));
    }
    Ok(id.to_owned())
}

/// A short, safe rendering of a bad value for an error message (bounded, quoted, control characters escaped).
pub(crate) fn describe(value: &str) -> String {
    const SHOWN: usize = 40;
    let mut shown: String = value.chars().take(SHOWN).collect();
    if value.chars().nth(SHOWN).is_some() {
        shown.push('…');
    }
    format!("{shown:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>() -> RawEvent<'a> {
        RawEvent {
            name: Some("demo"),
            data: Some("mydata"),
            coreid: Some("3F002B000000000000000000"),
            published_at: Some("2017-02-01T21:08:05.763Z"),
            ..RawEvent::default()
        }
    }

    #[test]
    fn builds_and_normalises() {
        let e = build(raw(), Source::Webhook, "2024-01-01T00:00:00.000Z").unwrap();
        assert_eq!(e.coreid, "3f002b000000000000000000");
        assert_eq!(e.published_at, "2017-02-01T21:08:05.763Z");
        assert_eq!(
            e.id,
            crate::id::event_id(&e.coreid, &e.published_at, "demo", "mydata")
        );
    }

    #[test]
    fn name_rules() {
        assert!(validate_name(&"a".repeat(64)).is_ok());
        assert!(
            validate_name(&"é".repeat(64)).is_ok(),
            "64 characters, 128 bytes"
        );
        assert_eq!(validate_name(&"a".repeat(65)).unwrap_err().field, "event");
        assert!(validate_name("").is_err());
        assert!(validate_name("a\nb").is_err());
        assert!(validate_name("Temperature/Kitchen").is_ok());
    }

    #[test]
    fn coreid_rules() {
        assert!(validate_coreid("3f002b000000000000000000").is_ok());
        for bad in [
            "",
            "3f002b00000000000000000",
            "3f002b0000000000000000000",
            "3f002b00000000000000000g",
            "particle-internal",
        ] {
            let err = validate_coreid(bad).unwrap_err();
            assert_eq!(err.field, "coreid");
            assert!(err.to_string().contains("24 hex"), "{err}");
        }
    }

    #[test]
    fn data_limit_is_bytes() {
        let ok = "x".repeat(MAX_DATA_BYTES);
        assert!(
            build(
                RawEvent {
                    data: Some(&ok),
                    ..raw()
                },
                Source::Sse,
                ""
            )
            .is_ok()
        );
        let big = "x".repeat(MAX_DATA_BYTES + 1);
        let err = build(
            RawEvent {
                data: Some(&big),
                ..raw()
            },
            Source::Sse,
            "",
        )
        .unwrap_err();
        assert_eq!(err.field, "data");
        assert!(err.problem.contains("16385 bytes"), "{err}");
    }

    #[test]
    fn missing_fields_are_named() {
        assert_eq!(
            build(
                RawEvent {
                    name: None,
                    ..raw()
                },
                Source::Sse,
                ""
            )
            .unwrap_err()
            .field,
            "event"
        );
        assert_eq!(
            build(
                RawEvent {
                    coreid: None,
                    ..raw()
                },
                Source::Sse,
                ""
            )
            .unwrap_err()
            .field,
            "coreid"
        );
        assert_eq!(
            build(
                RawEvent {
                    published_at: None,
                    ..raw()
                },
                Source::Sse,
                ""
            )
            .unwrap_err()
            .field,
            "published_at"
        );
        let e = build(
            RawEvent {
                data: None,
                ..raw()
            },
            Source::Sse,
            "",
        )
        .unwrap();
        assert_eq!(e.data, "");
    }

    #[test]
    fn describe_is_bounded() {
        let long = "z".repeat(1000);
        assert!(describe(&long).len() < 60);
        assert_eq!(describe("a\"b\n"), "\"a\\\"b\\n\"");
    }
}
